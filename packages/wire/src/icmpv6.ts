/**
 * ICMPv6 (RFC 4443) with its checksum over the IPv6 pseudo-header (RFC 8200 §8.1), and the
 * messages carried in it: NDP (RFC 4861, ndp.ts) and MLD (RFC 2710, RFC 3810, mld.ts).
 *
 * Covers: echo request/reply (identifier, sequence, data); the errors destination unreachable
 * (codes 0–7), packet too big (MTU), time exceeded (codes 0–1) and parameter problem (codes 0–3,
 * 32-bit pointer), each quoting as much of the offending packet as fits (Linux: the whole message
 * at most 1280 bytes, RFC 4443 §2.4 (c)); NDP router/neighbour solicitation and advertisement and
 * redirect; MLDv1 query/report/done and MLDv2 query/report. An echo or NDP/MLD message with a
 * non-zero code, and any other type, is kept as `other` with its 4 header bytes after the
 * checksum as one number, so every message round-trips. Unused header bytes of the errors are
 * ignored on parse and written as zero.
 *
 * The checksum always covers the pseudo-header, so parse and emit take the addresses it uses
 * (`Icmpv6ChecksumContext`): the IPv6 source, and the final destination — for a packet with a
 * Routing header the last address in it, and for Mobile IPv6 the home address of a Home Address
 * option as the source (RFC 6275 §6.1.1, §6.3); choosing them is the caller's. A checksum field
 * of 0 is not special (unlike UDP over IPv4). Leaves out: RFC 4884 extension objects, node
 * information queries, ICMPv6 rate limits and the choice of what to quote (the stack's).
 */
import { readU32, writeU16, writeU32, placeBytes } from './bytes.js';
import { internetChecksum, ipv6PseudoHeaderSum } from './checksum.js';
import { IcmpHeaderView } from './icmp-header-view.js';
import { IpProtocol } from './ipv4.js';
import { emitMldMessage, mldMessageLength, parseMldMessage, type MldKind, type MldRepr } from './mld.js';
import { emitNdpMessage, ndpMessageLength, parseNdpMessage, type NdpKind, type NdpRepr } from './ndp.js';
import { wireError, type WireError } from './wire-error.js';

export const Icmpv6Type = {
  destinationUnreachable: 1,
  packetTooBig: 2,
  timeExceeded: 3,
  parameterProblem: 4,
  echoRequest: 128,
  echoReply: 129,
  mldQuery: 130,
  mldReport: 131,
  mldDone: 132,
  routerSolicitation: 133,
  routerAdvertisement: 134,
  neighbourSolicitation: 135,
  neighbourAdvertisement: 136,
  redirect: 137,
  mldv2Report: 143,
} as const;

/** Destination unreachable codes (RFC 4443 §3.1). */
export const Icmpv6UnreachableCode = {
  noRoute: 0,
  adminProhibited: 1,
  beyondScope: 2,
  address: 3,
  port: 4,
  sourcePolicy: 5,
  rejectRoute: 6,
  sourceRoutingHeader: 7,
} as const;

/** Time exceeded codes (RFC 4443 §3.3). */
export const Icmpv6TimeExceededCode = { hopLimit: 0, reassembly: 1 } as const;

/** Parameter problem codes (RFC 4443 §3.4, RFC 7112 §4 for 3). */
export const Icmpv6ParameterProblemCode = {
  erroneousHeaderField: 0,
  unrecognizedNextHeader: 1,
  unrecognizedOption: 2,
  incompleteHeaderChain: 3,
} as const;

export const ICMPV6_HEADER_LENGTH = 8;
/** The IPv6 minimum MTU: an error message with its IPv6 header fits in it (RFC 4443 §2.4 (c)). */
export const IPV6_MIN_MTU = 1280;
/** The most of the offending packet an error quotes: 1280 − 40 − 8 = 1232 bytes (Linux's icmp6_send). */
export const ICMPV6_ERROR_MAX_QUOTE = IPV6_MIN_MTU - 40 - ICMPV6_HEADER_LENGTH;

const CHECKSUM = 2;
const REST = 4;

/** The addresses the pseudo-header uses: the IPv6 source and the final destination. */
export interface Icmpv6ChecksumContext {
  source: Uint8Array;
  destination: Uint8Array;
}

export type Icmpv6Repr =
  | { kind: 'echoRequest' | 'echoReply'; identifier: number; sequence: number; data: Uint8Array }
  | { kind: 'destinationUnreachable' | 'timeExceeded'; code: number; packet: Uint8Array }
  | { kind: 'packetTooBig'; code: number; mtu: number; packet: Uint8Array }
  | { kind: 'parameterProblem'; code: number; pointer: number; packet: Uint8Array }
  | NdpRepr
  | MldRepr
  | { kind: 'other'; type: number; code: number; restOfHeader: number; data: Uint8Array };

/** Whether an ICMPv6 type is an error message (types 0–127, RFC 4443 §2.1). */
export function isIcmpv6Error(type: number): boolean {
  return type < 128;
}

const NDP_KINDS: Readonly<Record<number, NdpKind>> = {
  [Icmpv6Type.routerSolicitation]: 'routerSolicitation',
  [Icmpv6Type.routerAdvertisement]: 'routerAdvertisement',
  [Icmpv6Type.neighbourSolicitation]: 'neighbourSolicitation',
  [Icmpv6Type.neighbourAdvertisement]: 'neighbourAdvertisement',
  [Icmpv6Type.redirect]: 'redirect',
};

const MLD_KINDS: Readonly<Record<number, MldKind>> = {
  [Icmpv6Type.mldQuery]: 'mldQuery',
  [Icmpv6Type.mldReport]: 'mldReport',
  [Icmpv6Type.mldDone]: 'mldDone',
  [Icmpv6Type.mldv2Report]: 'mldv2Report',
};

/** The type of each record kind other than `other`. */
const TYPE_OF: { readonly [K in Exclude<Icmpv6Repr['kind'], 'other'>]: number } = {
  echoRequest: Icmpv6Type.echoRequest,
  echoReply: Icmpv6Type.echoReply,
  destinationUnreachable: Icmpv6Type.destinationUnreachable,
  packetTooBig: Icmpv6Type.packetTooBig,
  timeExceeded: Icmpv6Type.timeExceeded,
  parameterProblem: Icmpv6Type.parameterProblem,
  routerSolicitation: Icmpv6Type.routerSolicitation,
  routerAdvertisement: Icmpv6Type.routerAdvertisement,
  neighbourSolicitation: Icmpv6Type.neighbourSolicitation,
  neighbourAdvertisement: Icmpv6Type.neighbourAdvertisement,
  redirect: Icmpv6Type.redirect,
  mldQuery: Icmpv6Type.mldQuery,
  mldv2Query: Icmpv6Type.mldQuery,
  mldReport: Icmpv6Type.mldReport,
  mldDone: Icmpv6Type.mldDone,
  mldv2Report: Icmpv6Type.mldv2Report,
};

/** A checked view: the 8-byte header is present. */
export class Icmpv6MessageView extends IcmpHeaderView {
  static check(bytes: Uint8Array): Icmpv6MessageView | WireError {
    if (bytes.length < ICMPV6_HEADER_LENGTH) return wireError('truncated');
    return new Icmpv6MessageView(bytes);
  }

  static over(bytes: Uint8Array): Icmpv6MessageView {
    return new Icmpv6MessageView(bytes);
  }

  /** Packet too big: the MTU of the next hop (bytes 4–7). */
  get mtu(): number {
    return readU32(this.bytes, REST);
  }
  set mtu(value: number) {
    writeU32(this.bytes, REST, value);
  }
  /** Parameter problem: the offset of the error in the quoted packet (bytes 4–7). */
  get pointer(): number {
    return readU32(this.bytes, REST);
  }
  set pointer(value: number) {
    writeU32(this.bytes, REST, value);
  }
  isChecksumValid(context: Icmpv6ChecksumContext): boolean {
    return internetChecksum(this.bytes, 0, this.bytes.length, pseudoHeaderSum(context, this.bytes.length)) === 0;
  }
  /** Zero the checksum field, then store the checksum of the message and pseudo-header. */
  fillChecksum(context: Icmpv6ChecksumContext): void {
    writeU16(this.bytes, CHECKSUM, 0);
    writeU16(this.bytes, CHECKSUM, internetChecksum(this.bytes, 0, this.bytes.length, pseudoHeaderSum(context, this.bytes.length)));
  }
}

function pseudoHeaderSum(context: Icmpv6ChecksumContext, length: number): number {
  return ipv6PseudoHeaderSum(context.source, context.destination, IpProtocol.icmpv6, length);
}

/**
 * Parse a whole ICMPv6 message (the upper-layer payload, exactly). With a context the checksum is
 * verified (`badChecksum`); `null` skips it (a quoted message, or one already verified). Bodies
 * and addresses are subarrays of `bytes` (no copy).
 */
export function parseIcmpv6(bytes: Uint8Array, context: Icmpv6ChecksumContext | null): Icmpv6Repr | WireError {
  const view = Icmpv6MessageView.check(bytes);
  if (!(view instanceof Icmpv6MessageView)) return view;
  if (context !== null && !view.isChecksumValid(context)) return wireError('badChecksum');
  const type = view.type;
  const code = view.code;
  const body = view.body;
  switch (type) {
    case Icmpv6Type.destinationUnreachable:
      return { kind: 'destinationUnreachable', code, packet: body };
    case Icmpv6Type.packetTooBig:
      return { kind: 'packetTooBig', code, mtu: view.mtu, packet: body };
    case Icmpv6Type.timeExceeded:
      return { kind: 'timeExceeded', code, packet: body };
    case Icmpv6Type.parameterProblem:
      return { kind: 'parameterProblem', code, pointer: view.pointer, packet: body };
    case Icmpv6Type.echoRequest:
    case Icmpv6Type.echoReply:
      if (code !== 0) break;
      return {
        kind: type === Icmpv6Type.echoRequest ? 'echoRequest' : 'echoReply',
        identifier: view.identifier,
        sequence: view.sequence,
        data: body,
      };
  }
  if (code === 0) {
    const ndpKind = NDP_KINDS[type];
    if (ndpKind !== undefined) return parseNdpMessage(bytes, ndpKind);
    const mldKind = MLD_KINDS[type];
    if (mldKind !== undefined) return parseMldMessage(bytes, mldKind);
  }
  return { kind: 'other', type, code, restOfHeader: view.restOfHeader, data: body };
}

export function icmpv6BufferLen(repr: Icmpv6Repr): number {
  switch (repr.kind) {
    case 'echoRequest':
    case 'echoReply':
    case 'other':
      return ICMPV6_HEADER_LENGTH + repr.data.length;
    case 'destinationUnreachable':
    case 'timeExceeded':
    case 'packetTooBig':
    case 'parameterProblem':
      return ICMPV6_HEADER_LENGTH + repr.packet.length;
    case 'routerSolicitation':
    case 'routerAdvertisement':
    case 'neighbourSolicitation':
    case 'neighbourAdvertisement':
    case 'redirect':
      return ndpMessageLength(repr);
    default:
      return mldMessageLength(repr);
  }
}

/** Write the message (checksum over `context`'s pseudo-header) at `offset`; returns the bytes written. */
export function emitIcmpv6(repr: Icmpv6Repr, buf: Uint8Array, offset: number, context: Icmpv6ChecksumContext): number {
  const length = icmpv6BufferLen(repr);
  const message = buf.subarray(offset, offset + length);
  const view = Icmpv6MessageView.over(message);
  switch (repr.kind) {
    case 'echoRequest':
    case 'echoReply':
      placeBytes(message, ICMPV6_HEADER_LENGTH, repr.data);
      view.code = 0;
      view.identifier = repr.identifier;
      view.sequence = repr.sequence;
      break;
    case 'destinationUnreachable':
    case 'timeExceeded':
    case 'packetTooBig':
    case 'parameterProblem':
      placeBytes(message, ICMPV6_HEADER_LENGTH, repr.packet);
      view.code = repr.code;
      view.restOfHeader = repr.kind === 'packetTooBig' ? repr.mtu : repr.kind === 'parameterProblem' ? repr.pointer : 0;
      break;
    case 'other':
      placeBytes(message, ICMPV6_HEADER_LENGTH, repr.data);
      view.code = repr.code;
      view.restOfHeader = repr.restOfHeader;
      break;
    case 'routerSolicitation':
    case 'routerAdvertisement':
    case 'neighbourSolicitation':
    case 'neighbourAdvertisement':
    case 'redirect':
      view.code = 0;
      emitNdpMessage(repr, message);
      break;
    default:
      view.code = 0;
      emitMldMessage(repr, message);
  }
  view.type = repr.kind === 'other' ? repr.type : TYPE_OF[repr.kind];
  view.fillChecksum(context);
  return length;
}
