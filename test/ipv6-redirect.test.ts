// ICMPv6 redirects a router sends, on netloom nodes, against what Linux 6.18 sent in namespaces for
// the same network (a router r with 2001:db8:1::ff/64 and 2001:db8:2::ff/64 on one link, hosts a
// 2001:db8:1::1 and b 2001:db8:2::1 whose default routes point at r; a pings b). tcpdump on a:
//   echo request 2001:db8:1::1 > 2001:db8:2::1, hlim 64
//   fe80::ff:fe00:1 > 2001:db8:1::1: ICMP6, redirect, length 152, 2001:db8:2::1 to 2001:db8:2::1
//     (hlim 255; only the redirected header option, 14 units, holding the whole request)
//   fe80::ff:fe00:1 > ff02::1:ff00:1: neighbor solicitation, who has 2001:db8:2::1  (after it)
// and the request is still forwarded. a takes the redirect: `ip -6 route get 2001:db8:2::1` gives
// `2001:db8:2::1 from :: dev eth0 src 2001:db8:1::1 metric 1024 pref medium`, a resolves b itself
// (`2001:db8:1::1 > ff02::1:ff00:1: neighbor solicitation, who has 2001:db8:2::1`) and the next
// request goes straight to b (on Linux, where b took its redirect too, the reply came back with ttl=64;
// here b has accept_redirects 0 and answers through the router).
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';
import { isWireError, parseIcmpv6, parseIpv6Packet } from '@netloom/wire';
import { describe, expect, it } from 'vitest';

const text = `name: redirect6
nodes:
  r:
    kind: router
    exec: [sysctl -w net.ipv6.conf.all.forwarding=1, ip link set eth0 up, ip -6 addr add 2001:db8:1::ff/64 dev eth0 nodad, ip -6 addr add 2001:db8:2::ff/64 dev eth0 nodad]
  a:
    exec: [ip link set eth0 up, ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad]
  b:
    exec: [ip link set eth0 up, ip -6 addr add 2001:db8:2::1/64 dev eth0 nodad]
lans:
  lan: { type: switch, members: [r:eth0, a:eth0, b:eth0] }
`;

describe('ICMPv6 redirect (ip6_forward, ndisc_send_redirect)', () => {
  it('a router forwarding a packet back out of its link sends the sender a redirect to the on-link destination and still forwards it; the host takes it and goes direct, as Linux does', async () => {
    const emulator = await Emulator.load(parseTopology(text, 'redirect6.yaml'), { placement: 'inline' });
    const sent: { t: number; summary: string; frame: Uint8Array | undefined }[] = [];
    const off = emulator.onTrace((events) => {
      for (const e of events) if (e.kind === 'tx' && e.node === 'r') sent.push({ t: e.t, summary: e.summary, frame: e.frame });
    });
    try {
      await emulator.start();
      await emulator.advance(2e9);
      for (const node of ['a', 'b']) expect((await emulator.exec(node, 'ip -6 route add default via fe80::ff:fe00:101 dev eth0')).status).toBe(0);
      expect((await emulator.exec('b', 'sysctl -w net.ipv6.conf.eth0.accept_redirects=0')).status).toBe(0);
      const ping = await emulator.exec('a', 'ping -6 -c 2 2001:db8:2::1');
      expect(ping.stdout).toContain('icmp_seq=1 ttl=63 ');
      // The second request goes straight to b (r forwards no second request); b's reply still through r.
      expect(ping.stdout).toContain('icmp_seq=2 ttl=63 ');
      expect(sent.some((s) => s.summary.includes('echo request') && s.summary.includes('seq 2'))).toBe(false);
      expect((await emulator.exec('a', 'ip -6 route get 2001:db8:2::1')).stdout).toBe('2001:db8:2::1 from :: dev eth0 src 2001:db8:1::1 metric 1024 pref medium\n');
      // Another destination behind the same router is untouched.
      expect((await emulator.exec('a', 'ip -6 route get 2001:db8:7::1')).stdout).toBe('2001:db8:7::1 from :: via fe80::ff:fe00:101 dev eth0 src 2001:db8:1::1 metric 1024 pref medium\n');
      // Only the first request drew a redirect to a.
      expect(sent.filter((s) => s.summary.includes('> 2001:db8:1::1: ICMP6, redirect')).length).toBe(1);
      // b, with accept_redirects 0, keeps answering through the router.
      expect((await emulator.exec('b', 'ip -6 route get 2001:db8:1::1')).stdout).toBe('2001:db8:1::1 from :: via fe80::ff:fe00:101 dev eth0 src 2001:db8:2::1 metric 1024 pref medium\n');
      expect(sent.filter((s) => s.summary.includes('> 2001:db8:2::1: ICMP6, redirect')).length).toBe(2);
      const fromR = sent.map((s) => s.summary);
      const redirect = fromR.findIndex((s) => s.includes('redirect'));
      expect(fromR[redirect]).toBe('IP6 fe80::ff:fe00:101 > 2001:db8:1::1: ICMP6, redirect, 2001:db8:2::1 to 2001:db8:2::1, length 152');
      expect(fromR[redirect + 1]).toBe('IP6 fe80::ff:fe00:101 > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has 2001:db8:2::1, length 32');
      expect(fromR.slice(redirect)).toContain('IP6 2001:db8:1::1 > 2001:db8:2::1: ICMP6, echo request, id ' + /id (\d+)/.exec(fromR.find((s) => s.includes('echo request'))!)![1] + ', seq 1, length 64');
      const frame = sent[redirect]!.frame!;
      const ip = parseIpv6Packet(frame.subarray(14));
      if (isWireError(ip)) throw new Error(ip.error);
      expect(ip.hopLimit).toBe(255);
      const message = parseIcmpv6(ip.payload, { source: ip.source, destination: ip.destination });
      if (isWireError(message) || message.kind !== 'redirect') throw new Error('not a redirect');
      expect(message.options.map((o) => o.kind)).toEqual(['redirectedHeader']);
      const quoted = message.options[0]!.kind === 'redirectedHeader' ? message.options[0]!.packet : new Uint8Array();
      const request = sent.find((s) => s.summary.startsWith('IP6 2001:db8:1::1 > 2001:db8:2::1: ICMP6, echo request'))!.frame!.subarray(14);
      // The whole request (the router's copy has its hop limit lowered; the quote is the packet as it came in).
      expect([...quoted.subarray(0, request.length)].map((x, i) => (i === 7 ? 0 : x))).toEqual([...request].map((x, i) => (i === 7 ? 0 : x)));
      expect(quoted[7]).toBe(64);
    } finally {
      off();
      await emulator.close();
    }
  });
});
