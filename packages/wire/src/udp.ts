/**
 * UDP datagrams (RFC 768) with the pseudo-header checksum for IPv4 (RFC 768) and IPv6
 * (RFC 8200 §8.1).
 *
 * Covers: ports, the length field (payload cut to it), checksum computed on emit and verified on
 * parse when the caller supplies the IP addresses. Over IPv4 a zero checksum means "none" and is
 * accepted; a computed zero is sent as 0xffff. Over IPv6 a zero checksum is invalid (RFC 8200)
 * and parses as `badChecksum`. Leaves out: UDP-Lite, RFC 6935 zero-checksum tunnels.
 */
import { readU16, writeU16, placeBytes } from './bytes.js';
import { internetChecksum, transportPseudoHeaderSum, type TransportChecksumContext } from './checksum.js';
import { IpProtocol } from './ipv4.js';
import { wireError, type WireError } from './wire-error.js';

export const UDP_HEADER_LENGTH = 8;

const SOURCE_PORT = 0;
const DESTINATION_PORT = 2;
const LENGTH = 4;
const CHECKSUM = 6;

/** The IP addresses the checksum covers; `null` skips verification (parse) or sends 0 (emit, IPv4). */
export type UdpChecksumContext = TransportChecksumContext | null;

export interface UdpRepr {
  sourcePort: number;
  destinationPort: number;
  /** On parse: a subarray of the input, cut to the UDP length (no copy). */
  payload: Uint8Array;
}

/** A checked view: 8 header bytes present, 8 ≤ length ≤ bytes available. */
export class UdpDatagramView {
  private constructor(readonly bytes: Uint8Array) {}

  static check(bytes: Uint8Array): UdpDatagramView | WireError {
    if (bytes.length < UDP_HEADER_LENGTH) return wireError('truncated');
    const view = new UdpDatagramView(bytes);
    if (view.length < UDP_HEADER_LENGTH) return wireError('badLength');
    if (view.length > bytes.length) return wireError('truncated');
    return view;
  }

  static over(bytes: Uint8Array): UdpDatagramView {
    return new UdpDatagramView(bytes);
  }

  get sourcePort(): number {
    return readU16(this.bytes, SOURCE_PORT);
  }
  set sourcePort(value: number) {
    writeU16(this.bytes, SOURCE_PORT, value);
  }
  get destinationPort(): number {
    return readU16(this.bytes, DESTINATION_PORT);
  }
  set destinationPort(value: number) {
    writeU16(this.bytes, DESTINATION_PORT, value);
  }
  /** The UDP length field (header + payload). */
  get length(): number {
    return readU16(this.bytes, LENGTH);
  }
  set length(value: number) {
    writeU16(this.bytes, LENGTH, value);
  }
  get checksum(): number {
    return readU16(this.bytes, CHECKSUM);
  }
  set checksum(value: number) {
    writeU16(this.bytes, CHECKSUM, value);
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(UDP_HEADER_LENGTH, this.length);
  }
  /** Whether the checksum verifies for these addresses (IPv4 checksum 0 = none = valid). */
  isChecksumValid(context: Exclude<UdpChecksumContext, null>): boolean {
    const checksum = this.checksum;
    if (checksum === 0) return context.family === 4;
    return internetChecksum(this.bytes, 0, this.length, pseudoHeaderSum(context, this.length)) === 0;
  }
  /** Compute and store the checksum (0 → 0xffff); `null` stores 0 ("none", IPv4 only). */
  fillChecksum(context: UdpChecksumContext): void {
    writeU16(this.bytes, CHECKSUM, 0);
    if (context === null) return;
    const checksum = internetChecksum(this.bytes, 0, this.length, pseudoHeaderSum(context, this.length));
    writeU16(this.bytes, CHECKSUM, checksum === 0 ? 0xffff : checksum);
  }
}

function pseudoHeaderSum(context: TransportChecksumContext, length: number): number {
  return transportPseudoHeaderSum(context, IpProtocol.udp, length);
}

/** Parse the IP payload as UDP; with a context the checksum is verified (`badChecksum`). */
export function parseUdp(bytes: Uint8Array, context: UdpChecksumContext): UdpRepr | WireError {
  const view = UdpDatagramView.check(bytes);
  if (!(view instanceof UdpDatagramView)) return view;
  if (context !== null && !view.isChecksumValid(context)) return wireError('badChecksum');
  return { sourcePort: view.sourcePort, destinationPort: view.destinationPort, payload: view.payload };
}

export function udpBufferLen(repr: UdpRepr): number {
  return UDP_HEADER_LENGTH + repr.payload.length;
}

/** Write header (checksum for `context`) and payload at `offset`; returns the bytes written. */
export function emitUdp(repr: UdpRepr, buf: Uint8Array, offset: number, context: UdpChecksumContext): number {
  const length = UDP_HEADER_LENGTH + repr.payload.length;
  placeBytes(buf, offset + UDP_HEADER_LENGTH, repr.payload);
  const view = UdpDatagramView.over(buf.subarray(offset, offset + length));
  view.sourcePort = repr.sourcePort;
  view.destinationPort = repr.destinationPort;
  view.length = length;
  view.fillChecksum(context);
  return length;
}
