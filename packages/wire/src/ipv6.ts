/**
 * The IPv6 fixed header (RFC 8200 §3).
 *
 * Covers: traffic class, flow label, payload length (payload cut to it), next header, hop limit,
 * source and destination (16 bytes each); the packet quoted in an ICMPv6 error. Leaves out:
 * extension headers (ipv6-extension-headers.ts walks them), jumbograms (payload length 0 with a Jumbo option is not recognised; the
 * payload is then empty).
 */
import { readU16, writeU16, placeBytes } from './bytes.js';
import { wireError, type WireError } from './wire-error.js';

export const IPV6_HEADER_LENGTH = 40;

const VERSION_CLASS_FLOW = 0;
const PAYLOAD_LENGTH = 4;
const NEXT_HEADER = 6;
const HOP_LIMIT = 7;
const SOURCE = 8;
const DESTINATION = 24;

export interface Ipv6Repr {
  trafficClass: number;
  /** 20 bits. */
  flowLabel: number;
  nextHeader: number;
  hopLimit: number;
  source: Uint8Array;
  destination: Uint8Array;
  /** On parse: a subarray of the input, cut to the payload length (no copy). */
  payload: Uint8Array;
}

/** A checked view: version 6 and the whole payload (payload length) present. */
export class Ipv6PacketView {
  private constructor(readonly bytes: Uint8Array) {}

  static check(bytes: Uint8Array): Ipv6PacketView | WireError {
    if (bytes.length < IPV6_HEADER_LENGTH) return wireError('truncated');
    const view = new Ipv6PacketView(bytes);
    if (view.version !== 6) return wireError('badVersion');
    if (bytes.length < IPV6_HEADER_LENGTH + view.payloadLength) return wireError('truncated');
    return view;
  }

  static over(bytes: Uint8Array): Ipv6PacketView {
    return new Ipv6PacketView(bytes);
  }

  get version(): number {
    return (this.bytes[VERSION_CLASS_FLOW] ?? 0) >>> 4;
  }
  get trafficClass(): number {
    return (((this.bytes[0] ?? 0) & 0x0f) << 4) | ((this.bytes[1] ?? 0) >>> 4);
  }
  get flowLabel(): number {
    return (((this.bytes[1] ?? 0) & 0x0f) << 16) | readU16(this.bytes, 2);
  }
  /** Writes version 6, the traffic class and the flow label (the first 4 bytes). */
  setVersionClassAndFlow(trafficClass: number, flowLabel: number): void {
    this.bytes[0] = 0x60 | ((trafficClass >>> 4) & 0x0f);
    this.bytes[1] = ((trafficClass & 0x0f) << 4) | ((flowLabel >>> 16) & 0x0f);
    writeU16(this.bytes, 2, flowLabel & 0xffff);
  }
  get payloadLength(): number {
    return readU16(this.bytes, PAYLOAD_LENGTH);
  }
  set payloadLength(value: number) {
    writeU16(this.bytes, PAYLOAD_LENGTH, value);
  }
  get nextHeader(): number {
    return this.bytes[NEXT_HEADER] ?? 0;
  }
  set nextHeader(value: number) {
    this.bytes[NEXT_HEADER] = value;
  }
  get hopLimit(): number {
    return this.bytes[HOP_LIMIT] ?? 0;
  }
  set hopLimit(value: number) {
    this.bytes[HOP_LIMIT] = value;
  }
  get source(): Uint8Array {
    return this.bytes.subarray(SOURCE, SOURCE + 16);
  }
  set source(address: Uint8Array) {
    this.bytes.set(address.subarray(0, 16), SOURCE);
  }
  get destination(): Uint8Array {
    return this.bytes.subarray(DESTINATION, DESTINATION + 16);
  }
  set destination(address: Uint8Array) {
    this.bytes.set(address.subarray(0, 16), DESTINATION);
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(IPV6_HEADER_LENGTH, IPV6_HEADER_LENGTH + this.payloadLength);
  }
}

export function parseIpv6Packet(bytes: Uint8Array): Ipv6Repr | WireError {
  const view = Ipv6PacketView.check(bytes);
  if (!(view instanceof Ipv6PacketView)) return view;
  return reprOf(view, IPV6_HEADER_LENGTH + view.payloadLength);
}

/**
 * Parse the packet quoted in an ICMPv6 error (RFC 4443 §2.4 (c): as much of it as fits in 1280
 * bytes). Unlike parseIpv6Packet, the payload length may exceed the bytes present; `payload` is
 * the part of the original payload that was quoted.
 */
export function parseQuotedIpv6Packet(bytes: Uint8Array): Ipv6Repr | WireError {
  if (bytes.length < IPV6_HEADER_LENGTH) return wireError('truncated');
  const view = Ipv6PacketView.over(bytes);
  if (view.version !== 6) return wireError('badVersion');
  return reprOf(view, Math.min(bytes.length, IPV6_HEADER_LENGTH + view.payloadLength));
}

function reprOf(view: Ipv6PacketView, end: number): Ipv6Repr {
  return {
    trafficClass: view.trafficClass,
    flowLabel: view.flowLabel,
    nextHeader: view.nextHeader,
    hopLimit: view.hopLimit,
    source: view.bytes.slice(SOURCE, SOURCE + 16),
    destination: view.bytes.slice(DESTINATION, DESTINATION + 16),
    payload: view.bytes.subarray(IPV6_HEADER_LENGTH, end),
  };
}

export function ipv6BufferLen(repr: Ipv6Repr): number {
  return IPV6_HEADER_LENGTH + repr.payload.length;
}

/** Write the fixed header and payload at `offset`; returns the bytes written. */
export function emitIpv6Packet(repr: Ipv6Repr, buf: Uint8Array, offset = 0): number {
  placeBytes(buf, offset + IPV6_HEADER_LENGTH, repr.payload);
  emitIpv6HeaderFor(repr, repr.payload.length, buf, offset);
  return IPV6_HEADER_LENGTH + repr.payload.length;
}

/** Write only the fixed header, for a payload of `payloadLength` bytes already in place after it. */
export function emitIpv6HeaderFor(
  repr: Omit<Ipv6Repr, 'payload'>,
  payloadLength: number,
  buf: Uint8Array,
  offset = 0,
): number {
  const view = Ipv6PacketView.over(offset === 0 ? buf : buf.subarray(offset, offset + IPV6_HEADER_LENGTH));
  view.setVersionClassAndFlow(repr.trafficClass, repr.flowLabel);
  view.payloadLength = payloadLength;
  view.nextHeader = repr.nextHeader;
  view.hopLimit = repr.hopLimit;
  view.source = repr.source;
  view.destination = repr.destination;
  return IPV6_HEADER_LENGTH;
}
