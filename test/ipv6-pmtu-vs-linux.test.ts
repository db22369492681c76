// IPv6 path MTU discovery, netloom against Linux built live in network namespaces: h1 — r — h2
// (2001:db8:1::1 — 2001:db8:1::ff / 2001:db8:2::ff — 2001:db8:2::2, r forwarding, r's eth1 and
// h2's eth0 at MTU 1400). The same commands run on both: `ping -6 -c 3 -i 0.3 -s 1400 -M do`
// (the router's packet too big, then two local errors with the learnt MTU), `ip -6 route get`,
// `ip -6 route show cache` (text and -j), then `ping -M want` (fragmented for the learnt MTU) and
// `ip -6 route flush cache`. The outputs must match but for times and the expiry's seconds (Linux's
// count down with wall time between the commands; both are normalised). Needs root, ip and ping.
import { spawnSync } from 'node:child_process';
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';
import { needs } from '@netloom/wire/testing/test-environment';
import { expect, it } from 'vitest';

const SETUP: [node: string, line: string][] = [
  ['r', 'sysctl -qw net.ipv6.conf.all.forwarding=1'],
  ['r', 'ip link set eth1 mtu 1400'],
  ['h2', 'ip link set eth0 mtu 1400'],
  ['h1', 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad'],
  ['r', 'ip -6 addr add 2001:db8:1::ff/64 dev eth0 nodad'],
  ['r', 'ip -6 addr add 2001:db8:2::ff/64 dev eth1 nodad'],
  ['h2', 'ip -6 addr add 2001:db8:2::2/64 dev eth0 nodad'],
  ['h1', 'ip link set eth0 up'],
  ['r', 'ip link set eth0 up'],
  ['r', 'ip link set eth1 up'],
  ['h2', 'ip link set eth0 up'],
  ['h1', 'ip -6 route add default via 2001:db8:1::ff'],
  ['h2', 'ip -6 route add default via 2001:db8:2::ff'],
];

const COMMANDS = [
  'ping -6 -c 3 -i 0.3 -s 1400 -M do 2001:db8:2::2',
  'ip -6 route get 2001:db8:2::2',
  'ip -6 route show cache',
  'ip -6 -j route show cache',
  'ping -6 -c 2 -i 0.3 -s 1400 -M want 2001:db8:2::2',
  'ip -6 route flush cache',
  'ip -6 route show cache',
];

/** One command's result as a transcript entry, times and expiry seconds normalised. */
function entry(line: string, status: number | null, stdout: string, stderr: string): string {
  const text = `$ ${line}\n${stdout}${stderr ? `[stderr] ${stderr}` : ''}[status ${status}]\n`;
  return text
    .replace(/time[= ][0-9.]+ ?ms/g, 'time T')
    .replace(/rtt min\/avg\/max\/mdev = .*\n/g, 'rtt …\n')
    .replace(/expires \d+sec/g, 'expires Nsec')
    .replace(/"expires":\d+/g, '"expires":N');
}

function linuxTranscript(): string {
  const ns = (node: string): string => `nlpm${process.pid}-${node}`;
  const sh = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  const inNs = (node: string, line: string): ReturnType<typeof spawnSync> => sh(['ip', 'netns', 'exec', ns(node), ...line.split(' ')]);
  const nodes = ['h1', 'r', 'h2'];
  try {
    for (const node of nodes) sh(['ip', 'netns', 'add', ns(node)]);
    const veth = (a: string, aDev: string, b: string, bDev: string, tag: string): void => {
      sh(['ip', 'link', 'add', `nlpm${tag}a`, 'type', 'veth', 'peer', 'name', `nlpm${tag}b`]);
      sh(['ip', 'link', 'set', `nlpm${tag}a`, 'netns', ns(a), 'name', aDev]);
      sh(['ip', 'link', 'set', `nlpm${tag}b`, 'netns', ns(b), 'name', bDev]);
    };
    veth('h1', 'eth0', 'r', 'eth0', `${process.pid}x`);
    veth('r', 'eth1', 'h2', 'eth0', `${process.pid}y`);
    for (const node of nodes) inNs(node, 'sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0');
    for (const [node, line] of SETUP) {
      const r = inNs(node, line);
      if (r.status !== 0) throw new Error(`${node}: ${line}: ${String(r.stderr)}`);
    }
    spawnSync('sleep', ['1']);
    return COMMANDS.map((line) => {
      const r = inNs('h1', line);
      return entry(line, r.status, String(r.stdout), String(r.stderr));
    }).join('');
  } finally {
    for (const node of nodes) sh(['ip', 'netns', 'del', ns(node)]);
  }
}

const topology = `name: pmtu6
nodes:
  h1:
  r:
    kind: router
  h2:
links:
  - endpoints: [h1:eth0, r:eth0]
  - endpoints: [r:eth1, h2:eth0]
`;

async function netloomTranscript(): Promise<string> {
  const emulator = await Emulator.load(parseTopology(topology, 'pmtu6.yaml'), { placement: 'inline' });
  try {
    await emulator.start();
    for (const [node, line] of SETUP) expect((await emulator.exec(node, line)).status, `${node}: ${line}`).toBe(0);
    await emulator.advance(1e9);
    let out = '';
    for (const line of COMMANDS) {
      const r = await emulator.exec('h1', line);
      out += entry(line, r.status, r.stdout, r.stderr);
    }
    return out;
  } finally {
    await emulator.close();
  }
}

needs({ netns: true, tools: ['ping'] }).describe('IPv6 path MTU discovery against Linux in namespaces', () => {
  it('ping -M do, the route exception in route get and show cache, fragments under -M want, and the flush print what Linux prints', { timeout: 60_000 }, async () => {
    const linux = linuxTranscript();
    expect(linux).toContain('Packet too big: mtu=1400');
    expect(await netloomTranscript()).toBe(linux);
  });
});
