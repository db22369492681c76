/**
 * Masquerading's rewrites give the same bytes as building the packet with the new addresses from
 * scratch (so the incremental checksums are right), for TCP and UDP in both directions, a UDP
 * datagram without a checksum keeps none, and an ICMP error is rewritten as ip_vs_nat_icmp does.
 */
import { buildIcmpv4Packet, buildTcpIpv4Packet, buildTcpIpv6Packet, buildUdpIpv4Packet, buildUdpIpv6Packet, ipv6ToBytes, parseDottedQuad, TcpFlag } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { ipv4PacketParts, ipv6PacketParts, quotedPacket, readAddress6, rewriteDestination, rewriteDestination6, rewriteIcmpError, rewriteSource, rewriteSource6 } from './packet-rewrite.js';

const ip = (text: string): number => parseDottedQuad(text) ?? Number.NaN;
const CIP = ip('203.0.113.7');
const VIP = ip('192.0.2.80');
const RIP = ip('10.1.1.2');
const payload = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');

const udp = (source: number, sport: number, destination: number, dport: number, checksum = true): Uint8Array =>
  buildUdpIpv4Packet({ source, destination, ttl: 63, identification: 0x1234 }, sport, dport, payload, checksum);
const tcp = (source: number, sport: number, destination: number, dport: number): Uint8Array =>
  buildTcpIpv4Packet(
    { source, destination, ttl: 63, identification: 0x4321, dontFragment: true },
    { sourcePort: sport, destinationPort: dport, sequenceNumber: 0xdeadbeef, acknowledgementNumber: 17, flags: TcpFlag.ack | TcpFlag.psh, window: 502, urgentPointer: 0, options: [], payload },
  );

function parts(bytes: Uint8Array): NonNullable<ReturnType<typeof ipv4PacketParts>> {
  const found = ipv4PacketParts(bytes);
  if (found === null) throw new Error('short packet');
  return found;
}

describe('masquerading rewrites', () => {
  test.each([
    ['udp', udp],
    ['tcp', tcp],
  ])('%s: DNAT to the real server and SNAT of its reply equal packets built with those addresses', (_name, build) => {
    const request = build(CIP, 40001, VIP, 80);
    rewriteDestination(request, parts(request), RIP, 8080);
    expect(request).toEqual(build(CIP, 40001, RIP, 8080));
    const reply = build(RIP, 8080, CIP, 40001);
    rewriteSource(reply, parts(reply), VIP, 80);
    expect(reply).toEqual(build(VIP, 80, CIP, 40001));
  });

  test('a UDP datagram sent without a checksum keeps checksum 0', () => {
    const request = udp(CIP, 40001, VIP, 53, false);
    rewriteDestination(request, parts(request), RIP, 53);
    expect(request).toEqual(udp(CIP, 40001, RIP, 53, false));
  });

  test('an ICMP error from the real server about a reply: outer source and quoted destination become the VIP and its port', () => {
    const quotedReply = udp(CIP, 40001, RIP, 8080);
    const error = buildIcmpv4Packet({ source: RIP, destination: CIP, ttl: 64 }, { kind: 'destinationUnreachable', code: 3, nextHopMtu: 0, datagram: quotedReply });
    const p = parts(error);
    const quoted = quotedPacket(error, p);
    expect(quoted).toMatchObject({ source: CIP, destination: RIP, sourcePort: 40001, destinationPort: 8080 });
    rewriteIcmpError(error, p, quoted!, false, VIP, 80);
    // The quoted UDP checksum stays as it was (the kernel does not touch it); everything else is the VIP's.
    const expectedQuote = udp(CIP, 40001, VIP, 80);
    expectedQuote.set(quotedReply.subarray(26, 28), 26);
    expect(error).toEqual(buildIcmpv4Packet({ source: VIP, destination: CIP, ttl: 64 }, { kind: 'destinationUnreachable', code: 3, nextHopMtu: 0, datagram: expectedQuote }));
  });

  test('an ICMP error from the client side about a reply the client got from the VIP: outer destination and quoted source become the real server', () => {
    const quotedReply = udp(VIP, 80, CIP, 40001);
    const error = buildIcmpv4Packet({ source: CIP, destination: VIP, ttl: 64 }, { kind: 'destinationUnreachable', code: 4, nextHopMtu: 1400, datagram: quotedReply });
    const p = parts(error);
    rewriteIcmpError(error, p, quotedPacket(error, p)!, true, RIP, 8080);
    const expectedQuote = udp(RIP, 8080, CIP, 40001);
    expectedQuote.set(quotedReply.subarray(26, 28), 26);
    expect(error).toEqual(buildIcmpv4Packet({ source: CIP, destination: RIP, ttl: 64 }, { kind: 'destinationUnreachable', code: 4, nextHopMtu: 1400, datagram: expectedQuote }));
  });

  test('a packet too short for its transport header is not rewritable', () => {
    expect(ipv4PacketParts(udp(CIP, 1, VIP, 2).subarray(0, 24))).toBeNull();
    expect(ipv4PacketParts(tcp(CIP, 1, VIP, 2).subarray(0, 30))).toBeNull();
  });
});

describe('masquerading rewrites over IPv6', () => {
  const CIP6 = 0x20010db8000000000000000000000007n;
  const VIP6 = 0x20010db8000100000000000000000080n;
  const RIP6 = 0xfd000000000000000000000000000002n;
  const udp6 = (source: bigint, sport: number, destination: bigint, dport: number): Uint8Array =>
    buildUdpIpv6Packet({ source: ipv6ToBytes(source), destination: ipv6ToBytes(destination), hopLimit: 63 }, sport, dport, payload);
  const tcp6 = (source: bigint, sport: number, destination: bigint, dport: number): Uint8Array =>
    buildTcpIpv6Packet(
      { source: ipv6ToBytes(source), destination: ipv6ToBytes(destination), hopLimit: 63 },
      { sourcePort: sport, destinationPort: dport, sequenceNumber: 7, acknowledgementNumber: 9, flags: TcpFlag.ack, window: 100, urgentPointer: 0, options: [], payload },
    );
  test.each([
    ['udp', udp6],
    ['tcp', tcp6],
  ])('%s: DNAT and SNAT equal packets built with those addresses', (_name, build) => {
    const request = build(CIP6, 40001, VIP6, 80);
    rewriteDestination6(request, ipv6PacketParts(request)!, RIP6, 8080);
    expect(request).toEqual(build(CIP6, 40001, RIP6, 8080));
    const reply = build(RIP6, 8080, CIP6, 40001);
    rewriteSource6(reply, ipv6PacketParts(reply)!, VIP6, 80);
    expect(reply).toEqual(build(VIP6, 80, CIP6, 40001));
    expect(readAddress6(reply, 8)).toBe(VIP6);
  });
});
