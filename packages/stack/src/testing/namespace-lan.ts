/**
 * Small multi-node experiments on the real kernel for datapath tests: one network namespace per
 * node, LANs as bridges in a helper namespace, veth ports with MACs chosen by the test, and a bash
 * script run around them. Output sections are cut at `@@NAME` marker lines the script echoes.
 * Only private addresses are used; everything is deleted afterwards. Needs root and iproute2
 * (tests declare it with `needs({ netns: true })`, which gives the skip reason).
 */
import { spawnSync } from 'node:child_process';

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
  const id = `${process.pid}x${counter++}`;
  const nodes = [...new Set(ports.map((p) => p.node))];
  const lans = [...new Set(ports.map((p) => p.lan))];
  const helper = `nlb${id}`;
  const lines: string[] = ['set -u'];
  for (const node of nodes) lines.push(`${node}=nl${node}${id}`);
  lines.push(`cleanup() { ${[...nodes.map((n) => `ip netns del $${n}`), `ip netns del ${helper}`].join('; ')}; } 2>/dev/null`);
  lines.push('trap cleanup EXIT');
  lines.push(`ip netns add ${helper}`);
  for (const node of nodes) {
    lines.push(`ip netns add $${node}`, `ip -n $${node} link set lo up`);
    lines.push(`ip netns exec $${node} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1`);
  }
  for (const lan of lans) lines.push(`ip -n ${helper} link add ${lan} type bridge`, `ip -n ${helper} link set ${lan} up`);
  ports.forEach((port, i) => {
    lines.push(`ip link add ${port.ifname} address ${port.mac} netns $${port.node} type veth peer name q${i} netns ${helper}`);
    lines.push(`ip -n ${helper} link set q${i} master ${port.lan} up`, `ip -n $${port.node} link set ${port.ifname} up`);
  });
  lines.push(body);
  const result = spawnSync('bash', ['-c', lines.join('\n')], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
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
