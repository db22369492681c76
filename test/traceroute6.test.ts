// traceroute -6 (traceroute 2.1.2) through a router, against Linux 6.18 in namespaces (h1
// 2001:db8:1::1 — r1 2001:db8:1::ff / 2001:db8:2::ff, forwarding — h2 2001:db8:2::1, default routes
// through r1; each command 2.5 s after the previous, so that r1's ICMPv6 rate limit, 4 errors a second
// towards a /64 with a burst of 6, refills). Recorded with the times replaced by T: UDP probes
// answered by time exceeded then port unreachable, -I's echo probes, names without -n (`addr (addr)`
// without an /etc/hosts name), -m and -q, `!N` from the router for a destination it has no route to
// (ip6_route_input sends it before the hop limit is looked at), and an IPv6 literal without -6.
import { describe, expect, it } from 'vitest';
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';

const text = `name: traceroute6
nodes:
  h1:
    exec: [ip link set eth0 up, ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad, ip -6 route add default via 2001:db8:1::ff]
  r1:
    kind: router
    exec: [sysctl -w net.ipv6.conf.all.forwarding=1, ip link set eth0 up, ip link set eth1 up, ip -6 addr add 2001:db8:1::ff/64 dev eth0 nodad, ip -6 addr add 2001:db8:2::ff/64 dev eth1 nodad]
  h2:
    exec: [ip link set eth0 up, ip -6 addr add 2001:db8:2::1/64 dev eth0 nodad, ip -6 route add default via 2001:db8:2::ff]
links:
  - endpoints: [h1:eth0, r1:eth0]
  - endpoints: [r1:eth1, h2:eth0]
`;

/** What traceroute 2.1.2 printed on Linux 6.18, command by command (times as T). */
const linux = [
  '$ traceroute -6 -n 2001:db8:2::1',
  'traceroute to 2001:db8:2::1 (2001:db8:2::1), 30 hops max, 80 byte packets',
  ' 1  2001:db8:1::ff  T ms  T ms  T ms',
  ' 2  2001:db8:2::1  T ms  T ms  T ms',
  '[exit 0]',
  '$ traceroute -6 -I -n 2001:db8:2::1',
  'traceroute to 2001:db8:2::1 (2001:db8:2::1), 30 hops max, 80 byte packets',
  ' 1  2001:db8:1::ff  T ms  T ms  T ms',
  ' 2  2001:db8:2::1  T ms  T ms  T ms',
  '[exit 0]',
  '$ traceroute -6 2001:db8:2::1',
  'traceroute to 2001:db8:2::1 (2001:db8:2::1), 30 hops max, 80 byte packets',
  ' 1  2001:db8:1::ff (2001:db8:1::ff)  T ms  T ms  T ms',
  ' 2  2001:db8:2::1 (2001:db8:2::1)  T ms  T ms  T ms',
  '[exit 0]',
  '$ traceroute -6 -n -m 1 -q 2 2001:db8:2::1',
  'traceroute to 2001:db8:2::1 (2001:db8:2::1), 1 hops max, 80 byte packets',
  ' 1  2001:db8:1::ff  T ms  T ms',
  '[exit 0]',
  '$ traceroute -6 -n 2001:db8:9::1',
  'traceroute to 2001:db8:9::1 (2001:db8:9::1), 30 hops max, 80 byte packets',
  ' 1  2001:db8:1::ff  T ms !N  T ms !N  T ms !N',
  '[exit 0]',
  '$ traceroute -n 2001:db8:2::1',
  'traceroute to 2001:db8:2::1 (2001:db8:2::1), 30 hops max, 80 byte packets',
  ' 1  2001:db8:1::ff  T ms  T ms  T ms',
  ' 2  2001:db8:2::1  T ms  T ms  T ms',
  '[exit 0]',
].join('\n');

describe('traceroute -6', () => {
  it('prints what traceroute 2.1.2 prints on Linux for UDP and ICMPv6 probes, names, -m/-q and !N', async () => {
    const emulator = await Emulator.load(parseTopology(text, 'traceroute6.yaml'), { placement: 'inline' });
    try {
      await emulator.start();
      await emulator.advance(3e9);
      const out: string[] = [];
      for (const line of linux.split('\n').filter((l) => l.startsWith('$ '))) {
        const run = await emulator.exec('h1', line.slice(2));
        out.push(line, ...`${run.stdout}${run.stderr}`.replace(/\d+\.\d{3} ms/g, 'T ms').trimEnd().split('\n'), `[exit ${run.status}]`);
        await emulator.advance(2.5e9);
      }
      expect(out.join('\n')).toBe(linux);
    } finally {
      await emulator.close();
    }
  }, 120_000);
});
