/**
 * One-allocation builders for the stack's datapath: each returns a fresh Uint8Array holding the
 * whole frame or packet, written layer by layer in place (no intermediate buffers).
 *
 * The bytes come from allocateFrameBytes (frame-memory.ts): views into shared slabs, so read a
 * built frame through its Uint8Array and never transfer its `buffer`.
 *
 * Covers: Ethernet frames around any payload, ARP frames, IPv4 packets and whole IPv4-in-Ethernet
 * frames, ICMPv4, UDP and TCP inside IPv4, IPv6 packets and frames and ICMPv6, UDP and TCP inside IPv6
 * (without extension headers: put those in the payload of buildIpv6Packet). Defaults follow
 * Linux: TTL / hop limit 64, TOS / traffic class 0, flow label 0, DF unset unless asked.
 * Leaves out: choosing identification numbers, fragmentation, padding to 60 bytes (veth does not).
 */
import { MAC_BROADCAST, type Ipv4Address } from './address.js';
import { ArpOperation, emitArp, ARP_PACKET_LENGTH, type ArpRepr } from './arp.js';
import { emitEthernet, ETHERNET_HEADER_LENGTH, EtherType } from './ethernet.js';
import { emitIcmpv4, icmpv4BufferLen, type Icmpv4Repr } from './icmpv4.js';
import { emitIpv4HeaderFor, IpProtocol, ipv4HeaderLength, type Ipv4Repr } from './ipv4.js';
import { emitIcmpv6, icmpv6BufferLen, type Icmpv6Repr } from './icmpv6.js';
import { emitIpv6HeaderFor, IPV6_HEADER_LENGTH } from './ipv6.js';
import { emitUdp, UDP_HEADER_LENGTH } from './udp.js';
import { emitTcp, tcpBufferLen, type TcpRepr } from './tcp.js';
import { writeU16 } from './bytes.js';
import { allocateFrameBytes } from './frame-memory.js';

const NO_OPTIONS = new Uint8Array(0);

/** IPv4 header fields for the builders; everything but addresses and protocol has a default. */
export interface Ipv4Fields {
  source: Ipv4Address;
  destination: Ipv4Address;
  protocol: number;
  /** Default 64 (net.ipv4.ip_default_ttl). */
  ttl?: number;
  /** Default 0. */
  tos?: number;
  /** Default 0. */
  identification?: number;
  /** Default false. */
  dontFragment?: boolean;
  /** Default false. */
  moreFragments?: boolean;
  /** In bytes, default 0. */
  fragmentOffset?: number;
  /** Default none. */
  options?: Uint8Array;
}

function headerOf(fields: Omit<Ipv4Fields, 'protocol'>, protocol: number): Omit<Ipv4Repr, 'payload'> {
  return {
    tos: fields.tos ?? 0,
    identification: fields.identification ?? 0,
    dontFragment: fields.dontFragment ?? false,
    moreFragments: fields.moreFragments ?? false,
    fragmentOffset: fields.fragmentOffset ?? 0,
    ttl: fields.ttl ?? 64,
    protocol,
    source: fields.source,
    destination: fields.destination,
    options: fields.options ?? NO_OPTIONS,
  };
}

function writeEthernetHeader(frame: Uint8Array, destination: Uint8Array, source: Uint8Array, ethertype: number): void {
  frame.set(destination.subarray(0, 6), 0);
  frame.set(source.subarray(0, 6), 6);
  writeU16(frame, 12, ethertype);
}

/** An untagged Ethernet II frame around `payload`. */
export function buildEthernetFrame(
  destination: Uint8Array,
  source: Uint8Array,
  ethertype: number,
  payload: Uint8Array,
): Uint8Array {
  const frame = allocateFrameBytes(ETHERNET_HEADER_LENGTH + payload.length);
  emitEthernet({ destination, source, vlan: null, ethertype, payload }, frame, 0);
  return frame;
}

/**
 * An ARP packet in an Ethernet frame from `arp.senderMac`. The Ethernet destination defaults to
 * broadcast for a request and to the target MAC for a reply (pass one for unicast probes).
 */
export function buildArpFrame(arp: ArpRepr, ethernetDestination?: Uint8Array): Uint8Array {
  const destination =
    ethernetDestination ?? (arp.operation === ArpOperation.request ? MAC_BROADCAST : arp.targetMac);
  const frame = allocateFrameBytes(ETHERNET_HEADER_LENGTH + ARP_PACKET_LENGTH);
  writeEthernetHeader(frame, destination, arp.senderMac, EtherType.arp);
  emitArp(arp, frame, ETHERNET_HEADER_LENGTH);
  return frame;
}

/** An IPv4 packet (header checksum filled) around `payload`. */
export function buildIpv4Packet(fields: Ipv4Fields, payload: Uint8Array): Uint8Array {
  const header = headerOf(fields, fields.protocol);
  const headerLength = ipv4HeaderLength(header);
  const packet = allocateFrameBytes(headerLength + payload.length);
  packet.set(payload, headerLength);
  emitIpv4HeaderFor(header, payload.length, packet, 0);
  return packet;
}

/** A whole Ethernet frame carrying an IPv4 packet around `payload`. */
export function buildIpv4Frame(
  destinationMac: Uint8Array,
  sourceMac: Uint8Array,
  fields: Ipv4Fields,
  payload: Uint8Array,
): Uint8Array {
  const header = headerOf(fields, fields.protocol);
  const headerLength = ipv4HeaderLength(header);
  const frame = allocateFrameBytes(ETHERNET_HEADER_LENGTH + headerLength + payload.length);
  writeEthernetHeader(frame, destinationMac, sourceMac, EtherType.ipv4);
  frame.set(payload, ETHERNET_HEADER_LENGTH + headerLength);
  emitIpv4HeaderFor(header, payload.length, frame, ETHERNET_HEADER_LENGTH);
  return frame;
}

/** An IPv4 packet carrying an ICMP message (protocol set to 1). */
export function buildIcmpv4Packet(fields: Omit<Ipv4Fields, 'protocol'>, icmp: Icmpv4Repr): Uint8Array {
  const header = headerOf(fields, IpProtocol.icmp);
  const headerLength = ipv4HeaderLength(header);
  const icmpLength = icmpv4BufferLen(icmp);
  const packet = allocateFrameBytes(headerLength + icmpLength);
  emitIcmpv4(icmp, packet, headerLength);
  emitIpv4HeaderFor(header, icmpLength, packet, 0);
  return packet;
}

/** An IPv4 packet carrying a UDP datagram with its checksum (`checksum: false` sends 0). */
export function buildUdpIpv4Packet(
  fields: Omit<Ipv4Fields, 'protocol'>,
  sourcePort: number,
  destinationPort: number,
  payload: Uint8Array,
  checksum = true,
): Uint8Array {
  const header = headerOf(fields, IpProtocol.udp);
  const headerLength = ipv4HeaderLength(header);
  const udpLength = UDP_HEADER_LENGTH + payload.length;
  const packet = allocateFrameBytes(headerLength + udpLength);
  emitUdp(
    { sourcePort, destinationPort, payload },
    packet,
    headerLength,
    checksum ? { family: 4, source: header.source, destination: header.destination } : null,
  );
  emitIpv4HeaderFor(header, udpLength, packet, 0);
  return packet;
}

/** An IPv4 packet carrying a TCP segment with its checksum. */
export function buildTcpIpv4Packet(fields: Omit<Ipv4Fields, 'protocol'>, tcp: TcpRepr): Uint8Array {
  const header = headerOf(fields, IpProtocol.tcp);
  const headerLength = ipv4HeaderLength(header);
  const tcpLength = tcpBufferLen(tcp);
  const packet = allocateFrameBytes(headerLength + tcpLength);
  emitTcp(tcp, packet, headerLength, { family: 4, source: header.source, destination: header.destination });
  emitIpv4HeaderFor(header, tcpLength, packet, 0);
  return packet;
}

/** IPv6 fixed-header fields for the builders. */
export interface Ipv6Fields {
  source: Uint8Array;
  destination: Uint8Array;
  nextHeader: number;
  /** Default 64. */
  hopLimit?: number;
  /** Default 0. */
  trafficClass?: number;
  /** Default 0. */
  flowLabel?: number;
}

function ipv6HeaderOf(fields: Omit<Ipv6Fields, 'nextHeader'>, nextHeader: number) {
  return {
    trafficClass: fields.trafficClass ?? 0,
    flowLabel: fields.flowLabel ?? 0,
    nextHeader,
    hopLimit: fields.hopLimit ?? 64,
    source: fields.source,
    destination: fields.destination,
  };
}

/** An IPv6 packet (fixed header only) around `payload` (extension headers included, if any). */
export function buildIpv6Packet(fields: Ipv6Fields, payload: Uint8Array): Uint8Array {
  const packet = allocateFrameBytes(IPV6_HEADER_LENGTH + payload.length);
  packet.set(payload, IPV6_HEADER_LENGTH);
  emitIpv6HeaderFor(ipv6HeaderOf(fields, fields.nextHeader), payload.length, packet, 0);
  return packet;
}

/** A whole Ethernet frame carrying an IPv6 packet around `payload`. */
export function buildIpv6Frame(
  destinationMac: Uint8Array,
  sourceMac: Uint8Array,
  fields: Ipv6Fields,
  payload: Uint8Array,
): Uint8Array {
  const frame = allocateFrameBytes(ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + payload.length);
  writeEthernetHeader(frame, destinationMac, sourceMac, EtherType.ipv6);
  frame.set(payload, ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH);
  emitIpv6HeaderFor(ipv6HeaderOf(fields, fields.nextHeader), payload.length, frame, ETHERNET_HEADER_LENGTH);
  return frame;
}

/** An IPv6 packet carrying a UDP datagram with its (mandatory) checksum. */
export function buildUdpIpv6Packet(
  fields: Omit<Ipv6Fields, 'nextHeader'>,
  sourcePort: number,
  destinationPort: number,
  payload: Uint8Array,
): Uint8Array {
  const udpLength = UDP_HEADER_LENGTH + payload.length;
  const packet = allocateFrameBytes(IPV6_HEADER_LENGTH + udpLength);
  emitUdp({ sourcePort, destinationPort, payload }, packet, IPV6_HEADER_LENGTH, {
    family: 6,
    source: fields.source,
    destination: fields.destination,
  });
  emitIpv6HeaderFor(ipv6HeaderOf(fields, IpProtocol.udp), udpLength, packet, 0);
  return packet;
}

/** An IPv6 packet carrying a TCP segment with its checksum. */
export function buildTcpIpv6Packet(fields: Omit<Ipv6Fields, 'nextHeader'>, tcp: TcpRepr): Uint8Array {
  const tcpLength = tcpBufferLen(tcp);
  const packet = allocateFrameBytes(IPV6_HEADER_LENGTH + tcpLength);
  emitTcp(tcp, packet, IPV6_HEADER_LENGTH, { family: 6, source: fields.source, destination: fields.destination });
  emitIpv6HeaderFor(ipv6HeaderOf(fields, IpProtocol.tcp), tcpLength, packet, 0);
  return packet;
}

/**
 * An IPv6 packet carrying an ICMPv6 message, checksummed over this packet's addresses. NDP
 * messages must be sent with hop limit 255 (RFC 4861 §6.1.1): pass it in `fields`.
 */
export function buildIcmpv6Packet(fields: Omit<Ipv6Fields, 'nextHeader'>, icmp: Icmpv6Repr): Uint8Array {
  const icmpLength = icmpv6BufferLen(icmp);
  const packet = allocateFrameBytes(IPV6_HEADER_LENGTH + icmpLength);
  emitIcmpv6(icmp, packet, IPV6_HEADER_LENGTH, fields);
  emitIpv6HeaderFor(ipv6HeaderOf(fields, IpProtocol.icmpv6), icmpLength, packet, 0);
  return packet;
}
