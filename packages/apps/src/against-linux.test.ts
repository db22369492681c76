/**
 * The programs against the real tools, live: the same a — r — b network is built in Linux network
 * namespaces (veth pairs named like netloom's interfaces) and in netloom (real nodes, in-memory
 * links), the same command lines run in both, and the outputs must agree once wall-clock numbers
 * (RTTs, `time …ms`, rtt statistics) and MAC addresses are masked. Needs root, `ip`, and
 * iputils-ping, iputils-arping and traceroute installed (`apt-get install iputils-ping
 * iputils-arping traceroute`); skips, saying which is missing, otherwise (fails instead under CI=true).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { programs } from './index.js';
import { NodeLab, SECOND } from './testing/node-lab.js';

const realTools = needs({ netns: true, tools: ['ping', 'traceroute', 'arping', 'sysctl'] });
const tag = `${process.pid % 100000}`;
const ns = { a: `nlapps-a-${tag}`, r: `nlapps-r-${tag}`, b: `nlapps-b-${tag}` };

function sh(...args: string[]): void {
  execFileSync(args[0] ?? 'true', args.slice(1), { stdio: 'ignore' });
}

/** Link `x:ifx` — `y:ify` with a veth pair, renamed inside the namespaces. */
function veth(x: string, ifx: string, y: string, ify: string, n: number): void {
  sh('ip', 'link', 'add', `nla${tag}${n}`, 'type', 'veth', 'peer', 'name', `nlb${tag}${n}`);
  sh('ip', 'link', 'set', `nla${tag}${n}`, 'netns', x);
  sh('ip', 'link', 'set', `nlb${tag}${n}`, 'netns', y);
  sh('ip', '-n', x, 'link', 'set', `nla${tag}${n}`, 'name', ifx);
  sh('ip', '-n', y, 'link', 'set', `nlb${tag}${n}`, 'name', ify);
  sh('ip', '-n', x, 'link', 'set', ifx, 'up');
  sh('ip', '-n', y, 'link', 'set', ify, 'up');
}

const SETUP: [keyof typeof ns, string][] = [
  ['a', 'ip addr add 10.251.1.1/24 dev eth0'],
  ['r', 'ip addr add 10.251.1.254/24 dev eth0'],
  ['r', 'ip addr add 10.251.2.254/24 dev eth1'],
  ['b', 'ip addr add 10.251.2.2/24 dev eth0'],
  ['a', 'ip route add default via 10.251.1.254'],
  ['b', 'ip route add default via 10.251.2.254'],
];

function linux(node: keyof typeof ns, line: string): { stdout: string; stderr: string; status: number } {
  const r = spawnSync('ip', ['netns', 'exec', ns[node], 'sh', '-c', line], { encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

function netloom(lab: NodeLab, node: keyof typeof ns, line: string): { stdout: string; stderr: string; status: number } {
  const run = lab.exec(node, line, 120 * SECOND);
  lab.run(10 * SECOND);
  return { stdout: run.stdout, stderr: run.stderr, status: run.status ?? -1 };
}

/** Mask what depends on the wall clock or the hardware. */
function mask(text: string): string {
  return text
    .replace(/time=\d+(\.\d+)? ms/g, 'time=T ms')
    .replace(/time \d+ms/g, 'time Tms')
    .replace(/rtt min\/avg\/max\/mdev = [\d./]+ ms/g, 'rtt min/avg/max/mdev = T ms')
    .replace(/ {2}\d+\.\d{3} ms/g, '  T ms')
    .replace(/\[[0-9A-F]{2}(:[0-9A-F]{2}){5}\]/g, '[MAC]')
    .replace(/ {2}\d+\.\d{3}ms/g, '  Tms')
    .replace(/iputils \d+/g, 'iputils V');
}

realTools.describe('against the real tools in namespaces', () => {
  let lab: NodeLab;
  beforeAll(() => {
    for (const name of Object.values(ns)) sh('ip', 'netns', 'add', name);
    veth(ns.a, 'eth0', ns.r, 'eth0', 1);
    veth(ns.r, 'eth1', ns.b, 'eth0', 2);
    sh('ip', 'netns', 'exec', ns.r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    // Linux rate-limits ICMP errors (1/s per peer after a burst of 6); the many probes of these
    // runs would meet it by chance, so both sides run without it.
    for (const name of Object.values(ns)) sh('ip', 'netns', 'exec', name, 'sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0');
    for (const [node, line] of SETUP) sh('ip', '-n', ns[node], ...line.slice(3).split(' '));
    lab = new NodeLab(programs);
    lab.addNode('a');
    lab.addNode('r', { forwarding: true });
    lab.addNode('b');
    lab.link('a:eth0', 'r:eth0');
    lab.link('r:eth1', 'b:eth0');
    for (const [node, line] of SETUP) lab.sh(node, line);
    for (const node of ['a', 'r', 'b']) lab.exec(node, 'sysctl -qw net.ipv4.icmp_ratelimit=0');
  });
  afterAll(() => {
    for (const name of Object.values(ns)) spawnSync('ip', ['netns', 'del', name]);
  });

  const cases: [keyof typeof ns, string][] = [
    ['a', 'ping -c 2 -i 0.2 10.251.2.2'],
    ['a', 'ping -c 2 -i 0.2 -q 10.251.2.2'],
    ['a', 'ping -c 1 -s 100 -I eth0 10.251.2.2'],
    ['a', 'ping -c 1 -s 8 -I 10.251.1.1 10.251.2.2'],
    ['a', 'ping -c 2 -i 0.2 -t 1 10.251.2.2'],
    ['a', 'ping -c 2 -i 0.5 10.251.2.99'],
    ['a', 'ping -c 1 -W 1 10.251.1.77'],
    ['a', 'ping -w 2 -O 10.251.2.2'],
    ['a', 'ping -c 2 -i 0.2 -s 0 10.251.2.2'],
    ['r', 'ping -c 1 10.99.0.1'],
    ['a', 'ping -c 1 -I nosuchdev 10.251.2.2'],
    ['a', 'ping -c 1 -I 10.9.9.9 10.251.2.2'],
    ['a', 'ping -c x 10.251.2.2'],
    ['a', 'ping -t 256 10.251.2.2'],
    ['a', 'ping -c 1 -4 -6 10.251.2.2'],
    ['a', 'ping -Z'],
    ['a', 'ping'],
    ['a', 'traceroute -n -q 1 -N 1 10.251.2.2'],
    ['a', 'traceroute -n -N 1 10.251.2.2'],
    ['a', 'traceroute -I -n -N 1 10.251.2.2'],
    // Without -n the real traceroute waits for reverse DNS between hops (5 s without a resolver),
    // which expires probes whose answers are still unread: only numeric runs compare fairly.
    ['a', 'traceroute -n 10.251.2.2'],
    ['a', 'traceroute -I -n 10.251.2.2'],
    ['a', 'traceroute -n -q 2 10.251.2.99'],
    ['a', 'traceroute -n -N 1 -f 2 -m 2 10.251.2.2 100'],
    ['a', 'traceroute -m foo 10.251.2.2'],
    ['a', 'traceroute -n -q 11 10.251.2.2'],
    ['a', 'traceroute -n --max-hops 2 10.251.2.2'],
    ['a', 'traceroute -n -w -1 10.251.2.2'],
    ['a', 'traceroute -n 10.251.2.2 60 70'],
    ['a', 'traceroute -n -i nosuchdev 10.251.2.2'],
    ['r', 'traceroute -n 10.99.0.1'],
    ['a', 'arping -c 2 -I eth0 10.251.1.254'],
    ['a', 'arping -c 2 -b -I eth0 10.251.1.254'],
    ['a', 'arping -c 2 -D -I eth0 10.251.1.254'],
    ['a', 'arping -c 1 -I eth0 10.251.1.77'],
    ['a', 'arping -w 2 -I eth0 10.251.1.254'],
    ['a', 'arping -c 1 -U -I eth0 10.251.1.1'],
    ['a', 'arping -c 1 -A -I eth0 10.251.1.1'],
    ['a', 'arping -c 3 -f -I eth0 10.251.1.254'],
    ['a', 'arping -c 2 -I nosuch 10.251.1.254'],
    ['a', 'arping -c x -I eth0 10.251.1.254'],
  ];
  for (const [node, line] of cases) {
    it(`${node}: ${line}`, () => {
      const real = linux(node, line);
      const ours = netloom(lab, node, line);
      expect(mask(`${ours.stdout}--stderr--\n${ours.stderr}--status ${ours.status}`)).toBe(
        mask(`${real.stdout}--stderr--\n${real.stderr}--status ${real.status}`),
      );
    }, 60_000);
  }
});
