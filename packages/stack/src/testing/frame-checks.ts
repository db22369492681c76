/**
 * Chained frame checkers for tests (gVisor's checker style): `checkFrame(frame, ipv4({ ttl: 63 }),
 * icmp({ type: 11 }))` returns null or one "got …, want …" message per mismatching field, with the
 * frame described as tcpdump would print it.
 */
import {
  describeFrame,
  formatIpv4,
  formatMac,
  isWireError,
  parseArp,
  parseEthernet,
  parseIcmpv4,
  parseIpv4Packet,
  parseUdp,
  type ArpRepr,
  type EthernetRepr,
  type Icmpv4Repr,
  type Ipv4Repr,
  type UdpRepr,
} from '@netloom/wire';

interface Layers {
  ethernet?: EthernetRepr;
  arp?: ArpRepr;
  ipv4?: Ipv4Repr;
  icmp?: Icmpv4Repr;
  udp?: UdpRepr;
}

export type FrameCheck = (layers: Layers) => string[];

function decode(frame: Uint8Array): Layers {
  const layers: Layers = {};
  const ethernet = parseEthernet(frame);
  if (isWireError(ethernet)) return layers;
  layers.ethernet = ethernet;
  if (ethernet.ethertype === 0x0806) {
    const arp = parseArp(ethernet.payload);
    if (!isWireError(arp)) layers.arp = arp;
  } else if (ethernet.ethertype === 0x0800) {
    const ip = parseIpv4Packet(ethernet.payload);
    if (isWireError(ip)) return layers;
    layers.ipv4 = ip;
    if (ip.protocol === 1) {
      const icmp = parseIcmpv4(ip.payload);
      if (!isWireError(icmp)) layers.icmp = icmp;
    } else if (ip.protocol === 17) {
      const udp = parseUdp(ip.payload, { family: 4, source: ip.source, destination: ip.destination });
      if (!isWireError(udp)) layers.udp = udp;
    }
  }
  return layers;
}

function compare(layer: string, field: string, got: unknown, want: unknown): string[] {
  return got === want ? [] : [`${layer}.${field}: got ${String(got)}, want ${String(want)}`];
}

/** Null when every check holds, else the mismatches and the frame. */
export function checkFrame(frame: Uint8Array | undefined, ...checks: FrameCheck[]): string | null {
  if (frame === undefined) return 'no frame';
  const layers = decode(frame);
  const problems = checks.flatMap((check) => check(layers));
  return problems.length === 0 ? null : `${problems.join('; ')}\n  frame: ${describeFrame(frame)}`;
}

export function ethernet(want: { source?: string; destination?: string; ethertype?: number }): FrameCheck {
  return ({ ethernet: e }) => {
    if (e === undefined) return ['ethernet: not an Ethernet frame'];
    return [
      ...(want.source !== undefined ? compare('ethernet', 'source', formatMac(e.source), want.source) : []),
      ...(want.destination !== undefined ? compare('ethernet', 'destination', formatMac(e.destination), want.destination) : []),
      ...(want.ethertype !== undefined ? compare('ethernet', 'ethertype', e.ethertype, want.ethertype) : []),
    ];
  };
}

export function arp(want: { operation?: 'request' | 'reply'; senderIp?: string; targetIp?: string; senderMac?: string; targetMac?: string }): FrameCheck {
  return ({ arp: a }) => {
    if (a === undefined) return ['arp: not an ARP packet'];
    const problems: string[] = [];
    if (want.operation !== undefined) problems.push(...compare('arp', 'operation', a.operation === 1 ? 'request' : a.operation === 2 ? 'reply' : a.operation, want.operation));
    if (want.senderIp !== undefined) problems.push(...compare('arp', 'senderIp', formatIpv4(a.senderIp), want.senderIp));
    if (want.targetIp !== undefined) problems.push(...compare('arp', 'targetIp', formatIpv4(a.targetIp), want.targetIp));
    if (want.senderMac !== undefined) problems.push(...compare('arp', 'senderMac', formatMac(a.senderMac), want.senderMac));
    if (want.targetMac !== undefined) problems.push(...compare('arp', 'targetMac', formatMac(a.targetMac), want.targetMac));
    return problems;
  };
}

export function ipv4(want: { source?: string; destination?: string; ttl?: number; protocol?: number; tos?: number; dontFragment?: boolean; identification?: number }): FrameCheck {
  return ({ ipv4: ip }) => {
    if (ip === undefined) return ['ipv4: not an IPv4 packet (or a bad header)'];
    const problems: string[] = [];
    if (want.source !== undefined) problems.push(...compare('ipv4', 'source', formatIpv4(ip.source), want.source));
    if (want.destination !== undefined) problems.push(...compare('ipv4', 'destination', formatIpv4(ip.destination), want.destination));
    if (want.ttl !== undefined) problems.push(...compare('ipv4', 'ttl', ip.ttl, want.ttl));
    if (want.protocol !== undefined) problems.push(...compare('ipv4', 'protocol', ip.protocol, want.protocol));
    if (want.tos !== undefined) problems.push(...compare('ipv4', 'tos', ip.tos, want.tos));
    if (want.dontFragment !== undefined) problems.push(...compare('ipv4', 'dontFragment', ip.dontFragment, want.dontFragment));
    if (want.identification !== undefined) problems.push(...compare('ipv4', 'identification', ip.identification, want.identification));
    return problems;
  };
}

/** ICMP by kind; `gateway` for redirects, `mtu` for frag-needed, `quotedDestination` for errors. */
export function icmp(want: { kind?: Icmpv4Repr['kind']; code?: number; identifier?: number; sequence?: number; gateway?: string; mtu?: number; quotedDestination?: string }): FrameCheck {
  return ({ icmp: m }) => {
    if (m === undefined) return ['icmp: not an ICMP message (or a bad checksum)'];
    const problems: string[] = [];
    if (want.kind !== undefined) problems.push(...compare('icmp', 'kind', m.kind, want.kind));
    if (want.code !== undefined && 'code' in m) problems.push(...compare('icmp', 'code', m.code, want.code));
    if (want.identifier !== undefined && 'identifier' in m) problems.push(...compare('icmp', 'identifier', m.identifier, want.identifier));
    if (want.sequence !== undefined && 'sequence' in m) problems.push(...compare('icmp', 'sequence', m.sequence, want.sequence));
    if (want.gateway !== undefined) problems.push(...compare('icmp', 'gateway', m.kind === 'redirect' ? formatIpv4(m.gateway) : '(not a redirect)', want.gateway));
    if (want.mtu !== undefined) problems.push(...compare('icmp', 'mtu', m.kind === 'destinationUnreachable' ? m.nextHopMtu : '(not unreachable)', want.mtu));
    if (want.quotedDestination !== undefined) {
      const datagram = 'datagram' in m ? m.datagram : undefined;
      const quoted = datagram !== undefined && datagram.length >= 20 ? formatIpv4(((datagram[16]! << 24) | (datagram[17]! << 16) | (datagram[18]! << 8) | datagram[19]!) >>> 0) : '(none)';
      problems.push(...compare('icmp', 'quotedDestination', quoted, want.quotedDestination));
    }
    return problems;
  };
}

export function udp(want: { sourcePort?: number; destinationPort?: number; length?: number }): FrameCheck {
  return ({ udp: u }) => {
    if (u === undefined) return ['udp: not a UDP datagram (or a bad checksum)'];
    return [
      ...(want.sourcePort !== undefined ? compare('udp', 'sourcePort', u.sourcePort, want.sourcePort) : []),
      ...(want.destinationPort !== undefined ? compare('udp', 'destinationPort', u.destinationPort, want.destinationPort) : []),
      ...(want.length !== undefined ? compare('udp', 'payload length', u.payload.length, want.length) : []),
    ];
  };
}

/** Frames of a list that pass every check. */
export function framesMatching(frames: readonly { frame: Uint8Array }[], ...checks: FrameCheck[]): Uint8Array[] {
  return frames.map((f) => f.frame).filter((frame) => checkFrame(frame, ...checks) === null);
}
