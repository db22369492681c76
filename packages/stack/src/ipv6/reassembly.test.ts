/**
 * IPv6 fragments on real nodes (testing/lab.ts, 1500-byte links) and the format on its own:
 * ip6_fragment's split as Linux 6.18 makes it (a 2000-byte ping over MTU 1500: `frag (0|1448)` and
 * `frag (1448|560)`, one identification; see test/ipv6-fragments.test.ts for the frames next to the
 * kernel's), ipv6_frag_rcv's checks (parameter problems at the payload length and at the fragment
 * offset), reassembly in any order, the 60 s timer's time exceeded code 1 (only when the first
 * fragment came), an atomic fragment taken whole, and a router's packet too big instead of
 * fragmenting.
 */
import {
  emitIcmpv6,
  emitIpv6ExtensionHeader,
  emitIpv6HeaderFor,
  icmpv6BufferLen,
  IPV6_HEADER_LENGTH,
  ipv6ToBytes,
  parseIcmpv6,
  parseIpv6Number,
  parseIpv6Packet,
  type Icmpv6Repr,
  type Ipv6ExtensionHeader,
} from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { Lab, MS, SECOND } from '../testing/lab.js';
import { Reassembler } from '../ipv4/fragmentation.js';
import { createIpMib } from '../ipv4/ip-mib.js';
import { TimerHeap, Prng } from '../timers.js';
import { FragmentIdentifiers, fragmentIpv6Packet, IPV6_FRAGMENTS } from './reassembly.js';

const H1 = '2001:db8::1';
const H2 = '2001:db8::2';

/** An IPv6 packet carrying `message`, with extension headers before it if given. */
function packetOf(source: string, destination: string, message: Icmpv6Repr, headers: Ipv6ExtensionHeader[] = []): Uint8Array {
  const src = ipv6ToBytes(parseIpv6Number(source)!);
  const dst = ipv6ToBytes(parseIpv6Number(destination)!);
  const icmpLength = icmpv6BufferLen(message);
  let extLength = 0;
  const scratch = new Uint8Array(1024);
  for (const h of headers) extLength += emitIpv6ExtensionHeader(h, scratch, extLength);
  const packet = new Uint8Array(IPV6_HEADER_LENGTH + extLength + icmpLength);
  emitIpv6HeaderFor({ trafficClass: 0, flowLabel: 0, nextHeader: headers.length > 0 ? headerProtocol(headers[0]!) : 58, hopLimit: 64, source: src, destination: dst }, extLength + icmpLength, packet, 0);
  packet.set(scratch.subarray(0, extLength), IPV6_HEADER_LENGTH);
  emitIcmpv6(message, packet, IPV6_HEADER_LENGTH + extLength, { source: src, destination: dst });
  return packet;
}

function headerProtocol(h: Ipv6ExtensionHeader): number {
  return h.kind === 'hopByHop' ? 0 : h.kind === 'destinationOptions' ? 60 : h.kind === 'fragment' ? 44 : 43;
}

function echo(bytes: number, sequence = 1): Icmpv6Repr {
  return { kind: 'echoRequest', identifier: 7, sequence, data: new Uint8Array(bytes).map((_, i) => i & 0xff) };
}

function twoHosts(): Lab {
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('h2');
  lab.link('h1:eth0', 'h2:eth0');
  lab.exec('h1', `ip -6 addr add ${H1}/64 dev eth0 nodad`);
  lab.exec('h2', `ip -6 addr add ${H2}/64 dev eth0 nodad`);
  // Each knows the other's MAC: no NDP in the way of the frames under test.
  lab.exec('h1', `ip -6 neigh add ${H2} lladdr 02:00:00:00:02:01 dev eth0`);
  lab.exec('h2', `ip -6 neigh add ${H1} lladdr 02:00:00:00:01:01 dev eth0`);
  lab.run(1 * SECOND);
  return lab;
}

/** A frame from h1 to h2 carrying `packet`, as if h1 had sent it. */
function frameTo(packet: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + packet.length);
  frame.set([2, 0, 0, 0, 2, 1, 2, 0, 0, 0, 1, 1, 0x86, 0xdd], 0);
  frame.set(packet, 14);
  return frame;
}

/** ICMPv6 messages h2 sent since `since`: type, code and the parameter (pointer or MTU). */
function icmpSent(lab: Lab, node: string, since: number): string[] {
  return lab
    .sent(node, 'eth0', since)
    .map((f) => parseIpv6Packet(f.frame.subarray(14)))
    .filter((ip) => !('error' in ip) && ip.nextHeader === 58)
    .map((ip) => {
      if ('error' in ip) return '';
      const m = parseIcmpv6(ip.payload, { source: ip.source, destination: ip.destination });
      if ('error' in m) return m.error;
      if (m.kind === 'parameterProblem') return `parameterProblem ${m.code} pointer ${m.pointer}`;
      if (m.kind === 'timeExceeded') return `timeExceeded ${m.code}`;
      if (m.kind === 'packetTooBig') return `packetTooBig mtu ${m.mtu}`;
      return m.kind;
    });
}

describe('the fragment format', () => {
  test('a 2008-byte ICMPv6 payload over MTU 1500 splits into 1448 and 560 bytes of data, M on the first, one identification', () => {
    const packet = packetOf(H1, H2, echo(2000));
    const fragments = fragmentIpv6Packet(packet, 1500, 0x01020304);
    expect(fragments.map((f) => f.length)).toEqual([40 + 8 + 1448, 40 + 8 + 560]);
    // next header 44, then the fragment header: next 58, offset|M, identification
    expect([fragments[0]![6], ...fragments[0]!.subarray(40, 48)]).toEqual([44, 58, 0, 0, 1, 1, 2, 3, 4]);
    expect([fragments[1]![6], ...fragments[1]!.subarray(40, 48)]).toEqual([44, 58, 0, 0x05, 0xa8, 1, 2, 3, 4]);
    expect(fragmentIpv6Packet(packet, 2048, 1)).toEqual([packet]);
    expect(fragmentIpv6Packet(packet, 40 + 8 + 7, 1)).toEqual([]);
  });

  test('hop-by-hop and a destination options header with a home address stay in every fragment; reassembly in any order gives the packet back', () => {
    const headers: Ipv6ExtensionHeader[] = [
      { kind: 'hopByHop', nextHeader: 60, options: [{ kind: 'padN', data: new Uint8Array(4) }] },
      { kind: 'destinationOptions', nextHeader: 58, options: [{ kind: 'padN', data: new Uint8Array(2) }, { kind: 'homeAddress', address: ipv6ToBytes(parseIpv6Number('2001:db8:5::1')!) }] },
    ];
    const packet = packetOf(H1, H2, echo(3000), headers);
    const unfragmentable = 40 + 8 + 24;
    const fragments = fragmentIpv6Packet(packet, 1280, 9);
    expect(fragments.length).toBe(3);
    for (const f of fragments) {
      expect(f.subarray(0, 6)).not.toEqual(packet.subarray(0, 6)); // payload length is the fragment's
      expect(f.subarray(8, unfragmentable)).toEqual(packet.subarray(8, unfragmentable).map((b, i) => (i === 40 + 8 - 8 ? 44 : b)));
      expect(f[unfragmentable]).toBe(58);
    }
    const timers = new TimerHeap();
    const reassembler = new Reassembler({ timers, limits: () => ({ highThresh: 4194304, timeSeconds: 60 }), mib: createIpMib(), expired: () => {}, dropped: () => {} }, IPV6_FRAGMENTS);
    expect(reassembler.add(fragments[2]!, 0)).toBeNull();
    expect(reassembler.add(fragments[0]!, 0)).toBeNull();
    expect(reassembler.add(fragments[1]!, 0)).toEqual(packet);
    expect(reassembler.queueCount).toBe(0);
  });

  test('identifications count up per source and destination from a seeded start and are never 0', () => {
    const ids = new FragmentIdentifiers(new Prng(5));
    const a = parseIpv6Number(H1)!;
    const b = parseIpv6Number(H2)!;
    const first = ids.select(a, b);
    expect(ids.select(a, b)).toBe((first + 1) >>> 0);
    expect(ids.select(b, a)).not.toBe((first + 2) >>> 0);
    expect(new FragmentIdentifiers(new Prng(5)).select(a, b)).toBe(first);
  });
});

describe('fragments on nodes', () => {
  test('an echo request of 2000 bytes leaves in two fragments and its reply, fragmented by the peer, is reassembled', () => {
    const lab = twoHosts();
    const since = lab.now;
    lab.node('h1').parts.ipv6.sendIcmpv6(parseIpv6Number(H1)!, parseIpv6Number(H2)!, 64, echo(2000), lab.now);
    lab.run(10 * MS);
    expect(lab.sent('h1', 'eth0', since).map((f) => f.frame.length)).toEqual([14 + 1496, 14 + 608]);
    expect(lab.sent('h2', 'eth0', since).map((f) => f.frame.length)).toEqual([14 + 1496, 14 + 608]);
    // Each side reassembled one datagram: h2 the request it answered, h1 the reply.
    expect(lab.node('h2').parts.ipv6.reassemblyMib.reasmOKs).toBe(1);
    expect(lab.node('h1').parts.ipv6.reassemblyMib.reasmOKs).toBe(1);
  });

  test("a route's mtu metric is the MTU our packets are cut for (ip6_mtu)", () => {
    const lab = twoHosts();
    lab.exec('h1', `ip -6 route add ${H2}/128 dev eth0 mtu 1280`);
    const since = lab.now;
    lab.node('h1').parts.ipv6.sendIcmpv6(parseIpv6Number(H1)!, parseIpv6Number(H2)!, 64, echo(2000), lab.now);
    lab.run(10 * MS);
    // (1280 - 40 - 8) & ~7 = 1232 bytes of data, then the other 776.
    expect(lab.sent('h1', 'eth0', since).map((f) => f.frame.length)).toEqual([14 + 40 + 8 + 1232, 14 + 40 + 8 + 776]);
  });

  test('an atomic fragment is taken as the whole packet', () => {
    const lab = twoHosts();
    const since = lab.now;
    const packet = packetOf(H1, H2, echo(8), [{ kind: 'fragment', nextHeader: 58, fragmentOffset: 0, moreFragments: false, identification: 1 }]);
    lab.node('h2').receive('eth0', frameTo(packet), lab.now);
    lab.run(10 * MS);
    expect(icmpSent(lab, 'h2', since)).toEqual(['echoReply']);
  });

  test('a non-last fragment of a length not a multiple of 8 draws a parameter problem at the payload length; one past 65535 bytes at its fragment offset', () => {
    const lab = twoHosts();
    const since = lab.now;
    const [first] = fragmentIpv6Packet(packetOf(H1, H2, echo(2000)), 1500, 77);
    const odd = first!.slice(0, first!.length - 3);
    odd[5] = odd[5]! - 3;
    lab.node('h2').receive('eth0', frameTo(odd), lab.now);
    const far = fragmentIpv6Packet(packetOf(H1, H2, echo(2000)), 1500, 78)[1]!;
    far[42] = 0xff; // offset 65528 + 560 bytes
    far[43] = 0xf8;
    lab.node('h2').receive('eth0', frameTo(far), lab.now);
    lab.run(10 * MS);
    expect(icmpSent(lab, 'h2', since)).toEqual(['parameterProblem 0 pointer 4', 'parameterProblem 0 pointer 42']);
  });

  test('a datagram missing a fragment times out after ip6frag_time with time exceeded code 1 when its first fragment came, silently otherwise', () => {
    const lab = twoHosts();
    const since = lab.now;
    const [first] = fragmentIpv6Packet(packetOf(H1, H2, echo(2000)), 1500, 90);
    const [, lastOfOther] = fragmentIpv6Packet(packetOf(H1, H2, echo(2000, 2)), 1500, 91);
    lab.node('h2').receive('eth0', frameTo(first!), lab.now);
    lab.node('h2').receive('eth0', frameTo(lastOfOther!), lab.now);
    lab.run(60 * SECOND - MS);
    expect(icmpSent(lab, 'h2', since)).toEqual([]);
    lab.run(2 * MS);
    expect(icmpSent(lab, 'h2', since)).toEqual(['timeExceeded 1']);
    expect(lab.node('h2').parts.ipv6.reassemblyMib.reasmTimeout).toBe(2);
  });

  test('with ip6frag_high_thresh 0 every fragment is dropped', () => {
    const lab = twoHosts();
    lab.exec('h2', 'sysctl -w net.ipv6.ip6frag_low_thresh=0 net.ipv6.ip6frag_high_thresh=0');
    const since = lab.now;
    lab.node('h1').parts.ipv6.sendIcmpv6(parseIpv6Number(H1)!, parseIpv6Number(H2)!, 64, echo(2000), lab.now);
    lab.run(10 * MS);
    expect(lab.sent('h2', 'eth0', since)).toEqual([]);
    expect(lab.node('h2').parts.ipv6.reassemblyMib.reasmFails).toBe(2);
  });

  test('a router does not fragment: a packet larger than the next link takes is dropped with packet too big carrying its MTU', () => {
    const lab = new Lab();
    lab.addNode('h1');
    lab.addNode('r');
    lab.addNode('h2');
    lab.link('h1:eth0', 'r:eth0');
    lab.link('r:eth1', 'h2:eth0');
    lab.exec('r', 'sysctl -w net.ipv6.conf.all.forwarding=1');
    lab.exec('r', 'ip link set eth1 mtu 1280');
    lab.exec('h1', 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad');
    lab.exec('h1', 'ip -6 route add default via 2001:db8:1::ff dev eth0');
    lab.exec('r', 'ip -6 addr add 2001:db8:1::ff/64 dev eth0 nodad');
    lab.exec('r', 'ip -6 addr add 2001:db8:2::ff/64 dev eth1 nodad');
    lab.exec('h2', 'ip -6 addr add 2001:db8:2::1/64 dev eth0 nodad');
    lab.run(2 * SECOND);
    const since = lab.now;
    lab.node('h1').parts.ipv6.sendIcmpv6(parseIpv6Number('2001:db8:1::1')!, parseIpv6Number('2001:db8:2::1')!, 64, echo(1300), lab.now);
    lab.run(3 * SECOND);
    expect(icmpSent(lab, 'r', since).filter((m) => m !== 'neighbourSolicitation' && m !== 'neighbourAdvertisement')).toEqual(['packetTooBig mtu 1280']);
    expect(lab.sent('r', 'eth1', since).filter((f) => f.frame.length > 1000)).toEqual([]);
  });
});
