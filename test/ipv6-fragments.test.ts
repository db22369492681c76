// IPv6 fragmentation at the source and reassembly on netloom nodes, against what Linux 6.18 sent in
// namespaces for the same network (h1 2001:db8::7/64 and h2 2001:db8::1/64 on one veth pair, MTU
// 1500; `ping -6 -c 1 -s 2000 2001:db8::1` on h1, tcpdump -n on h2's side):
//   IP6 2001:db8::7 > 2001:db8::1: frag (0|1448) ICMP6, echo request, id 31161, seq 1, length 1448
//   IP6 2001:db8::7 > 2001:db8::1: frag (1448|560)
//   IP6 2001:db8::1 > 2001:db8::7: frag (0|1448) ICMP6, echo reply, id 31161, seq 1, length 1448
//   IP6 2001:db8::1 > 2001:db8::7: frag (1448|560)
// and ping printed `2008 bytes from 2001:db8::1: icmp_seq=1 ttl=64 time=0.099 ms`. The echo
// identifier is ping's own (normalised here); the fragment identification is not in tcpdump's line.
import { describe, expect, it } from 'vitest';
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';

const text = `name: fragments6
nodes:
  h1:
    exec: [ip link set eth0 up, ip -6 addr add 2001:db8::7/64 dev eth0 nodad]
  h2:
    exec: [ip link set eth0 up, ip -6 addr add 2001:db8::1/64 dev eth0 nodad]
links:
  - endpoints: [h1:eth0, h2:eth0]
`;

const linux = [
  'IP6 2001:db8::7 > 2001:db8::1: frag (0|1448) ICMP6, echo request, id ID, seq 1, length 1448',
  'IP6 2001:db8::7 > 2001:db8::1: frag (1448|560)',
  'IP6 2001:db8::1 > 2001:db8::7: frag (0|1448) ICMP6, echo reply, id ID, seq 1, length 1448',
  'IP6 2001:db8::1 > 2001:db8::7: frag (1448|560)',
];

describe('IPv6 fragments (ip6_fragment, reassembly)', () => {
  it('a 2000-byte ping leaves in the fragments Linux sends, and the fragmented reply is reassembled', async () => {
    const emulator = await Emulator.load(parseTopology(text, 'fragments6.yaml'), { placement: 'inline' });
    const sent: string[] = [];
    const off = emulator.onTrace((events) => {
      for (const e of events) if (e.kind === 'tx' && !/neighbor|router solicitation/.test(e.summary)) sent.push(e.summary.replace(/ id \d+,/, ' id ID,'));
    });
    try {
      await emulator.start();
      await emulator.advance(3e9);
      const ping = await emulator.exec('h1', 'ping -6 -c 1 -s 2000 2001:db8::1');
      expect(ping.status).toBe(0);
      expect(ping.stdout).toMatch(/^2008 bytes from 2001:db8::1: icmp_seq=1 ttl=64 time=/m);
      expect(sent).toEqual(linux);
    } finally {
      off();
      await emulator.close();
    }
  });
});
