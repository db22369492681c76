/**
 * Small multi-node experiments on the real kernel for datapath tests: one network namespace per
 * node and LANs as bridges in a helper namespace, built by wire's NamespaceLab (the one namespace
 * lab of the TypeScript tests), veth ports with MACs chosen by the test, and a bash script run
 * around them. Output sections are cut at `@@NAME` marker lines the script echoes. Only private
 * addresses are used; everything is deleted afterwards. Needs root and iproute2 (tests declare it
 * with `needs({ netns: true })`, which gives the skip reason).
 */
import { spawnSync } from 'node:child_process';
import { NamespaceLab } from '@netloom/wire/testing/namespace-lab';

export interface LanPort {
  node: string;
  ifname: string;
  mac: string;
  lan: string;
}

let counter = 0;

/**
 * Build the namespaces, run `body` (bash; `$NODE` expands to a node's namespace name, e.g.
 * `ip -n $h1 route get 10.9.0.5`), tear down. Returns the text after each `@@name` marker line.
 */
export function runLanExperiment(ports: readonly LanPort[], body: string): Map<string, string> {
  const lab = new NamespaceLab(`nlb${counter++}`);
  try {
    const nodes = [...new Set(ports.map((p) => p.node))];
    for (const node of nodes) lab.addNode(node);
    for (const port of ports) lab.joinLan(port.lan, `${port.node}:${port.ifname}`, port.mac);
    const script = ['set -u', ...nodes.map((node) => `${node}=${lab.ns(node)}`), body].join('\n');
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    const sections = new Map<string, string>();
    let current: string | null = null;
    for (const line of (result.stdout ?? '').split('\n')) {
      const marker = /^@@(\S+)$/.exec(line);
      if (marker !== null) {
        current = marker[1]!;
        sections.set(current, '');
      } else if (current !== null) {
        sections.set(current, `${sections.get(current)}${line}\n`);
      }
    }
    if (result.status !== 0 && sections.size === 0) sections.set('error', `${result.stderr}`);
    return sections;
  } finally {
    lab.destroy();
  }
}

/** A Python one-liner sending `count` UDP datagrams `interval` seconds apart, then lingering. */
export function udpSenderScript(destination: string, port: number, count: number, interval: number): string {
  return `python3 -c 'import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
for i in range(${count}):
    s.sendto(b"x"*8,("${destination}",${port}))
    time.sleep(${interval})
time.sleep(0.3)'`;
}
