/**
 * IPv6 path MTU discovery on real nodes (testing/lab.ts): h1 — r — h2 with r's far link at MTU
 * 1400. A packet too big about one of h1's packets becomes a route exception as Linux 6.18's
 * __ip6_rt_update_pmtu makes it (texts recorded in namespaces: `ip -6 route get` shows
 * `… metric 1024 expires 599sec mtu 1400 pref medium`, `ip -6 route show cache` the clone without
 * `from`/`src`), later packets are fragmented for it, it expires after net.ipv6.route.mtu_expires
 * (600 s), an MTU under 1280 or not below the path's changes nothing, and a UDP packet too big
 * counts only when a socket sent the quoted datagram.
 */
import { emitIpv6HeaderFor, IPV6_HEADER_LENGTH, ipv6ToBytes, parseIpv6Number, type Icmpv6Repr } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { Lab, MS, SECOND } from '../testing/lab.js';

const H1 = '2001:db8:1::1';
const R = '2001:db8:1::ff';
const H2 = '2001:db8:2::2';

function chain(): Lab {
  const lab = new Lab();
  for (const name of ['h1', 'r', 'h2']) lab.addNode(name);
  lab.link('h1:eth0', 'r:eth0');
  lab.link('r:eth1', 'h2:eth0');
  lab.exec('r', 'sysctl -w net.ipv6.conf.all.forwarding=1');
  lab.exec('r', 'ip link set eth1 mtu 1400');
  lab.exec('h2', 'ip link set eth0 mtu 1400');
  lab.exec('h1', `ip -6 addr add ${H1}/64 dev eth0 nodad`);
  lab.exec('r', `ip -6 addr add ${R}/64 dev eth0 nodad`);
  lab.exec('r', 'ip -6 addr add 2001:db8:2::ff/64 dev eth1 nodad');
  lab.exec('h2', `ip -6 addr add ${H2}/64 dev eth0 nodad`);
  lab.exec('h1', `ip -6 route add default via ${R}`);
  lab.exec('h2', 'ip -6 route add default via 2001:db8:2::ff');
  lab.run(2 * SECOND);
  return lab;
}

function address(text: string): bigint {
  return parseIpv6Number(text)!;
}

function echo(bytes: number, sequence = 1): Icmpv6Repr {
  return { kind: 'echoRequest', identifier: 7, sequence, data: new Uint8Array(bytes) };
}

/** h1 sends an echo request with `bytes` of data to `to` (ICMPv6 packet of 48 + bytes). */
function ping(lab: Lab, to: string, bytes: number, sequence = 1): void {
  lab.node('h1').parts.ipv6.sendIcmpv6(address(H1), address(to), 64, echo(bytes, sequence), lab.now);
  lab.run(100 * MS);
}

/** The lengths of the IPv6 packets h1 sent since `since` (NDP left out). */
function sentLengths(lab: Lab, since: number): number[] {
  return lab
    .sent('h1', 'eth0', since)
    .filter((f) => f.frame.length > 100)
    .map((f) => f.frame.length - 14);
}

/** r sends h1 a packet too big with `mtu` quoting a packet from h1 to `to` of protocol `nextHeader`. */
function packetTooBig(lab: Lab, to: string, mtu: number, nextHeader = 58, sourcePort = 40000): void {
  const quoted = new Uint8Array(IPV6_HEADER_LENGTH + 1200);
  emitIpv6HeaderFor({ trafficClass: 0, flowLabel: 0, nextHeader, hopLimit: 64, source: ipv6ToBytes(address(H1)), destination: ipv6ToBytes(address(to)) }, 1200, quoted, 0);
  if (nextHeader === 58) quoted.set([128, 0, 0, 0, 0x12, 0x34, 0, 1], IPV6_HEADER_LENGTH);
  else quoted.set([sourcePort >> 8, sourcePort & 0xff, 0, 9, 1200 >> 8, 1200 & 0xff, 0, 0], IPV6_HEADER_LENGTH);
  const message: Icmpv6Repr = { kind: 'packetTooBig', code: 0, mtu, packet: quoted };
  lab.node('r').parts.ipv6.sendIcmpv6(address(R), address(H1), 64, message, lab.now);
  lab.run(100 * MS);
}

function routeGet(lab: Lab, to: string): string {
  return lab.exec('h1', `ip -6 route get ${to}`).stdout;
}

describe('IPv6 path MTU discovery', () => {
  test('a packet too big becomes a route exception that later packets are fragmented for, gone after mtu_expires', () => {
    const lab = chain();
    expect(routeGet(lab, H2)).toBe(`${H2} from :: via ${R} dev eth0 src ${H1} metric 1024 pref medium\n`);
    let since = lab.now;
    ping(lab, H2, 1400);
    // 1448 bytes leave whole (the path MTU is still the link's 1500) and r answers with its MTU.
    expect(sentLengths(lab, since)).toEqual([1448]);
    lab.run(SECOND - 100 * MS);
    expect(routeGet(lab, H2)).toBe(`${H2} from :: via ${R} dev eth0 src ${H1} metric 1024 expires 599sec mtu 1400 pref medium\n`);
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toBe(`${H2} via ${R} dev eth0 metric 1024 expires 599sec mtu 1400 pref medium\n`);
    expect(lab.exec('h1', 'ip -6 -j route show cache').stdout).toBe(`[{"dst":"${H2}","gateway":"${R}","dev":"eth0","metric":1024,"flags":[],"expires":599,"metrics":[{"mtu":1400}],"pref":"medium"}]\n`);
    // The routes themselves are unchanged.
    expect(lab.exec('h1', 'ip -6 route show default').stdout).toBe(`default via ${R} dev eth0 metric 1024 pref medium\n`);
    since = lab.now;
    ping(lab, H2, 1400, 2);
    // ip6_fragment for 1400: (1400 − 40 − 8) & ~7 = 1352 bytes of data, then the other 56.
    expect(sentLengths(lab, since)).toEqual([1400, 40 + 8 + 56]);
    // Another destination behind the same route keeps the link's MTU.
    since = lab.now;
    ping(lab, '2001:db8:2::3', 1400);
    expect(sentLengths(lab, since)[0]).toBe(1448);
    lab.run(600 * SECOND);
    expect(routeGet(lab, H2)).toBe(`${H2} from :: via ${R} dev eth0 src ${H1} metric 1024 pref medium\n`);
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toBe('');
    since = lab.now;
    ping(lab, H2, 1400, 3);
    expect(sentLengths(lab, since)).toEqual([1448]);
  });

  test('an MTU under 1280 or not below the path MTU changes nothing; a smaller one lowers it and restarts the expiry', () => {
    const lab = chain();
    packetTooBig(lab, '2001:db8:2::5', 1000);
    packetTooBig(lab, '2001:db8:2::7', 1600);
    packetTooBig(lab, '2001:db8:2::6', 1300);
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toBe(`2001:db8:2::6 via ${R} dev eth0 metric 1024 expires 599sec mtu 1300 pref medium\n`);
    lab.run(10 * SECOND);
    packetTooBig(lab, '2001:db8:2::6', 1350);
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toBe(`2001:db8:2::6 via ${R} dev eth0 metric 1024 expires 589sec mtu 1300 pref medium\n`);
    packetTooBig(lab, '2001:db8:2::6', 1280);
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toBe(`2001:db8:2::6 via ${R} dev eth0 metric 1024 expires 599sec mtu 1280 pref medium\n`);
    expect(lab.exec('h1', 'ip -6 route flush cache').status).toBe(0);
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toBe('');
  });

  test('a packet too big about a UDP datagram counts only when a socket sent it', () => {
    const lab = chain();
    packetTooBig(lab, '2001:db8:2::8', 1300, 17);
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toBe('');
    const socket = lab.node('h1').parts.udp6.open({});
    if ('errno' in socket) throw new Error(socket.errno);
    expect(socket.bind('::', 40000)).toEqual({ ok: true });
    // The model's __udp6_lib_err finds connected sockets only (Linux finds this bound one unconnected too).
    expect(socket.connect('2001:db8:2::9', 9)).toEqual({ ok: true });
    packetTooBig(lab, '2001:db8:2::9', 1300, 17);
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toBe(`2001:db8:2::9 via ${R} dev eth0 metric 1024 expires 599sec mtu 1300 pref medium\n`);
  });

  test('the clone keeps the route pref and shows no protocol', () => {
    const lab = chain();
    lab.exec('h1', `ip -6 route replace default via ${R} proto static pref high`);
    packetTooBig(lab, '2001:db8:2::c', 1300);
    expect(routeGet(lab, '2001:db8:2::c')).toBe(`2001:db8:2::c from :: via ${R} dev eth0 src ${H1} metric 1024 expires 599sec mtu 1300 pref high\n`);
  });
});
