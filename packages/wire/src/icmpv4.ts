/**
 * ICMP for IPv4 (RFC 792, RFC 1191 for the next-hop MTU) with the checksum over the whole message.
 *
 * Covers: echo request/reply (identifier, sequence, data), destination unreachable (code, next-hop
 * MTU for code 4 "fragmentation needed"), time exceeded, redirect (gateway), parameter problem
 * (pointer); errors carry the quoted datagram bytes (the offending IP header + at least 8 bytes).
 * Any other type (and an echo with a non-zero code) is kept as `other` with its 4 header bytes
 * after the checksum as one number. Unused header bytes of the error messages are ignored on
 * parse (as Linux does) and written as zero. Leaves out: RFC 4884 extension objects (the length
 * byte is ignored), timestamp/address-mask semantics.
 */
import { readIpv4, writeIpv4, type Ipv4Address } from './address.js';
import { readU16, writeU16, placeBytes } from './bytes.js';
import { internetChecksum } from './checksum.js';
import { IcmpHeaderView } from './icmp-header-view.js';
import { wireError, type WireError } from './wire-error.js';

export const Icmpv4Type = {
  echoReply: 0,
  destinationUnreachable: 3,
  redirect: 5,
  echoRequest: 8,
  timeExceeded: 11,
  parameterProblem: 12,
} as const;

/** Destination unreachable codes (RFC 792, RFC 1812 §5.2.7.1). */
export const UnreachableCode = {
  net: 0,
  host: 1,
  protocol: 2,
  port: 3,
  fragmentationNeeded: 4,
  sourceRouteFailed: 5,
  netUnknown: 6,
  hostUnknown: 7,
  hostIsolated: 8,
  netProhibited: 9,
  hostProhibited: 10,
  netTos: 11,
  hostTos: 12,
  adminProhibited: 13,
  hostPrecedence: 14,
  precedenceCutoff: 15,
} as const;

export const TimeExceededCode = { inTransit: 0, reassembly: 1 } as const;
export const RedirectCode = { net: 0, host: 1, tosNet: 2, tosHost: 3 } as const;

export const ICMPV4_HEADER_LENGTH = 8;

const CHECKSUM = 2;
const REST = 4;

export type Icmpv4Repr =
  | { kind: 'echoRequest' | 'echoReply'; identifier: number; sequence: number; data: Uint8Array }
  | { kind: 'destinationUnreachable'; code: number; nextHopMtu: number; datagram: Uint8Array }
  | { kind: 'timeExceeded'; code: number; datagram: Uint8Array }
  | { kind: 'redirect'; code: number; gateway: Ipv4Address; datagram: Uint8Array }
  | { kind: 'parameterProblem'; code: number; pointer: number; datagram: Uint8Array }
  | { kind: 'other'; type: number; code: number; restOfHeader: number; data: Uint8Array };

/** Whether an ICMP type is an error message (they quote the offending datagram; RFC 1122 §3.2.2). */
export function isIcmpv4Error(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** A checked view: the 8-byte header is present. */
export class Icmpv4MessageView extends IcmpHeaderView {
  static check(bytes: Uint8Array): Icmpv4MessageView | WireError {
    if (bytes.length < ICMPV4_HEADER_LENGTH) return wireError('truncated');
    return new Icmpv4MessageView(bytes);
  }

  static over(bytes: Uint8Array): Icmpv4MessageView {
    return new Icmpv4MessageView(bytes);
  }

  /** Next-hop MTU of "fragmentation needed" (bytes 6–7, RFC 1191). */
  get nextHopMtu(): number {
    return readU16(this.bytes, REST + 2);
  }
  set nextHopMtu(value: number) {
    writeU16(this.bytes, REST + 2, value);
  }
  /** Redirect gateway (bytes 4–7). */
  get gateway(): Ipv4Address {
    return readIpv4(this.bytes, REST);
  }
  set gateway(address: Ipv4Address) {
    writeIpv4(this.bytes, REST, address);
  }
  /** Parameter problem pointer (byte 4). */
  get pointer(): number {
    return this.bytes[REST] ?? 0;
  }
  set pointer(value: number) {
    this.bytes[REST] = value;
  }
  get isChecksumValid(): boolean {
    return internetChecksum(this.bytes, 0, this.bytes.length) === 0;
  }
  fillChecksum(): void {
    writeU16(this.bytes, CHECKSUM, 0);
    writeU16(this.bytes, CHECKSUM, internetChecksum(this.bytes, 0, this.bytes.length));
  }
}

export interface Icmpv4ParseOptions {
  /** Verify the checksum (default true). */
  verifyChecksum?: boolean;
}

/** Parse a whole ICMP message (the IPv4 payload, exactly). Body bytes are subarrays (no copy). */
export function parseIcmpv4(bytes: Uint8Array, options?: Icmpv4ParseOptions): Icmpv4Repr | WireError {
  const view = Icmpv4MessageView.check(bytes);
  if (!(view instanceof Icmpv4MessageView)) return view;
  if (options?.verifyChecksum !== false && !view.isChecksumValid) return wireError('badChecksum');
  const code = view.code;
  const body = view.body;
  switch (view.type) {
    case Icmpv4Type.echoRequest:
      if (code !== 0) break;
      return { kind: 'echoRequest', identifier: view.identifier, sequence: view.sequence, data: body };
    case Icmpv4Type.echoReply:
      if (code !== 0) break;
      return { kind: 'echoReply', identifier: view.identifier, sequence: view.sequence, data: body };
    case Icmpv4Type.destinationUnreachable:
      return { kind: 'destinationUnreachable', code, nextHopMtu: view.nextHopMtu, datagram: body };
    case Icmpv4Type.timeExceeded:
      return { kind: 'timeExceeded', code, datagram: body };
    case Icmpv4Type.redirect:
      return { kind: 'redirect', code, gateway: view.gateway, datagram: body };
    case Icmpv4Type.parameterProblem:
      return { kind: 'parameterProblem', code, pointer: view.pointer, datagram: body };
  }
  return { kind: 'other', type: view.type, code, restOfHeader: view.restOfHeader, data: body };
}

function bodyOf(repr: Icmpv4Repr): Uint8Array {
  return 'data' in repr ? repr.data : repr.datagram;
}

export function icmpv4BufferLen(repr: Icmpv4Repr): number {
  return ICMPV4_HEADER_LENGTH + bodyOf(repr).length;
}

/** Write the message (checksum computed) at `offset`; returns the bytes written. */
export function emitIcmpv4(repr: Icmpv4Repr, buf: Uint8Array, offset = 0): number {
  const body = bodyOf(repr);
  const length = ICMPV4_HEADER_LENGTH + body.length;
  placeBytes(buf, offset + ICMPV4_HEADER_LENGTH, body);
  const view = Icmpv4MessageView.over(buf.subarray(offset, offset + length));
  view.restOfHeader = 0;
  switch (repr.kind) {
    case 'echoRequest':
    case 'echoReply':
      view.type = repr.kind === 'echoRequest' ? Icmpv4Type.echoRequest : Icmpv4Type.echoReply;
      view.code = 0;
      view.identifier = repr.identifier;
      view.sequence = repr.sequence;
      break;
    case 'destinationUnreachable':
      view.type = Icmpv4Type.destinationUnreachable;
      view.code = repr.code;
      view.nextHopMtu = repr.nextHopMtu;
      break;
    case 'timeExceeded':
      view.type = Icmpv4Type.timeExceeded;
      view.code = repr.code;
      break;
    case 'redirect':
      view.type = Icmpv4Type.redirect;
      view.code = repr.code;
      view.gateway = repr.gateway;
      break;
    case 'parameterProblem':
      view.type = Icmpv4Type.parameterProblem;
      view.code = repr.code;
      view.pointer = repr.pointer;
      break;
    case 'other':
      view.type = repr.type;
      view.code = repr.code;
      view.restOfHeader = repr.restOfHeader;
      break;
  }
  view.fillChecksum();
  return length;
}
