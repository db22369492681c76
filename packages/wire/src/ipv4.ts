/**
 * IPv4 headers (RFC 791) with options kept verbatim, and the header checksum (RFC 1071).
 *
 * Covers: every header field; options as raw bytes (not interpreted); the checksum is computed on
 * emit and verified on parse (`badChecksum`), as Linux's ip_rcv_core does; the payload is cut to
 * the total length (trailing Ethernet padding dropped). Also the RFC 1624 incremental checksum
 * update for the forwarding fast path (`decrementTtl`), computed exactly like Linux's
 * ip_decrease_ttl. Leaves out: fragmentation and reassembly (stack), option semantics.
 */
import { readIpv4, writeIpv4, type Ipv4Address } from './address.js';
import { readU16, writeU16, placeBytes } from './bytes.js';
import { internetChecksum } from './checksum.js';
import { wireError, type WireError } from './wire-error.js';

/** IP protocol / IPv6 next-header numbers (IANA). */
export const IpProtocol = {
  hopByHop: 0,
  icmp: 1,
  ipip: 4,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  routing: 43,
  fragment: 44,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  noNextHeader: 59,
  destinationOptions: 60,
  mobility: 135,
} as const;

export const IPV4_MIN_HEADER_LENGTH = 20;
export const IPV4_MAX_OPTIONS_LENGTH = 40;

const VERSION_IHL = 0;
const TOS = 1;
const TOTAL_LENGTH = 2;
const IDENTIFICATION = 4;
const FLAGS_FRAGMENT = 6;
const TTL = 8;
const PROTOCOL = 9;
const CHECKSUM = 10;
const SOURCE = 12;
const DESTINATION = 16;

/** Shared by every parsed header without options (never written to). */
const NO_OPTIONS = new Uint8Array(0);
/** The structural checks alone (a view's `check`). */
const NO_CHECKSUM: Ipv4ParseOptions = Object.freeze({ verifyChecksum: false });

const FLAG_DONT_FRAGMENT = 0x4000;
const FLAG_MORE_FRAGMENTS = 0x2000;

export interface Ipv4Repr {
  /** The whole TOS byte: DSCP (high 6 bits) and ECN (low 2). */
  tos: number;
  identification: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  source: Ipv4Address;
  destination: Ipv4Address;
  /** Option bytes as on the wire (length a multiple of 4, at most 40). */
  options: Uint8Array;
  /** On parse: a subarray of the input, cut to the total length (no copy). */
  payload: Uint8Array;
}

/** A checked view: version 4, IHL ≥ 5, and the whole datagram (total length) present. */
export class Ipv4PacketView {
  private constructor(readonly bytes: Uint8Array) {}

  static check(bytes: Uint8Array): Ipv4PacketView | WireError {
    const totalLength = Ipv4PacketView.checkedLengthAt(bytes, 0, NO_CHECKSUM);
    return typeof totalLength === 'number' ? new Ipv4PacketView(bytes) : totalLength;
  }

  /**
   * The checks of `check` on the packet that begins at `at` in `bytes` (a received frame), and the
   * header checksum unless told not to (as parseIpv4Packet), making neither a view nor a record: its
   * total length, or why it is malformed. With the `…At` readers below, the forwarding path reads
   * the header fields it needs where they lie, so a hop allocates nothing.
   */
  static checkedLengthAt(bytes: Uint8Array, at: number, options?: Ipv4ParseOptions): number | WireError {
    const available = bytes.length - at;
    if (available < IPV4_MIN_HEADER_LENGTH) return wireError('truncated');
    if ((bytes[at + VERSION_IHL] ?? 0) >>> 4 !== 4) return wireError('badVersion');
    const headerLength = Ipv4PacketView.headerLengthAt(bytes, at);
    if (headerLength < IPV4_MIN_HEADER_LENGTH) return wireError('badHeaderLength');
    if (available < headerLength) return wireError('truncated');
    const totalLength = readU16(bytes, at + TOTAL_LENGTH);
    if (totalLength < headerLength) return wireError('badLength');
    if (available < totalLength) return wireError('truncated');
    if (options?.verifyChecksum !== false && internetChecksum(bytes, at, at + headerLength) !== 0) return wireError('badChecksum');
    return totalLength;
  }

  /** Header length in bytes (IHL × 4) of the packet at `at`. */
  static headerLengthAt(bytes: Uint8Array, at: number): number {
    return ((bytes[at + VERSION_IHL] ?? 0) & 0x0f) * 4;
  }
  static tosAt(bytes: Uint8Array, at: number): number {
    return bytes[at + TOS] ?? 0;
  }
  /** Flags and fragment offset as one 16-bit word. */
  static flagsAndFragmentOffsetAt(bytes: Uint8Array, at: number): number {
    return readU16(bytes, at + FLAGS_FRAGMENT);
  }
  /** In bytes. */
  static fragmentOffsetAt(bytes: Uint8Array, at: number): number {
    return (readU16(bytes, at + FLAGS_FRAGMENT) & 0x1fff) * 8;
  }
  /** A fragment other than a whole datagram (MF set or offset non-zero). */
  static isFragmentAt(bytes: Uint8Array, at: number): boolean {
    return (readU16(bytes, at + FLAGS_FRAGMENT) & 0x3fff) !== 0;
  }
  static dontFragmentAt(bytes: Uint8Array, at: number): boolean {
    return (readU16(bytes, at + FLAGS_FRAGMENT) & FLAG_DONT_FRAGMENT) !== 0;
  }
  static ttlAt(bytes: Uint8Array, at: number): number {
    return bytes[at + TTL] ?? 0;
  }
  static protocolAt(bytes: Uint8Array, at: number): number {
    return bytes[at + PROTOCOL] ?? 0;
  }
  /**
   * The source port of the UDP or TCP datagram of `length` bytes at `at` (the first 16 bits of its
   * payload, where both protocols carry it), or -1 when it has none to read: another protocol, a
   * later fragment, or a payload shorter than the two ports.
   */
  static sourcePortAt(bytes: Uint8Array, at: number, length: number): number {
    const ports = portsOffsetAt(bytes, at, length);
    return ports < 0 ? -1 : readU16(bytes, ports);
  }
  /** The destination port of the UDP or TCP datagram at `at` (the next 16 bits), or -1 as `sourcePortAt`. */
  static destinationPortAt(bytes: Uint8Array, at: number, length: number): number {
    const ports = portsOffsetAt(bytes, at, length);
    return ports < 0 ? -1 : readU16(bytes, ports + 2);
  }
  static sourceAt(bytes: Uint8Array, at: number): Ipv4Address {
    return readIpv4(bytes, at + SOURCE);
  }
  static destinationAt(bytes: Uint8Array, at: number): Ipv4Address {
    return readIpv4(bytes, at + DESTINATION);
  }

  static over(bytes: Uint8Array): Ipv4PacketView {
    return new Ipv4PacketView(bytes);
  }

  get version(): number {
    return (this.bytes[VERSION_IHL] ?? 0) >>> 4;
  }
  /** Header length in bytes (IHL × 4). */
  get headerLength(): number {
    return Ipv4PacketView.headerLengthAt(this.bytes, 0);
  }
  /** Writes version 4 and IHL = headerLength / 4. */
  setVersionAndHeaderLength(headerLength: number): void {
    this.bytes[VERSION_IHL] = 0x40 | (headerLength >>> 2);
  }
  get tos(): number {
    return Ipv4PacketView.tosAt(this.bytes, 0);
  }
  set tos(value: number) {
    this.bytes[TOS] = value;
  }
  get totalLength(): number {
    return readU16(this.bytes, TOTAL_LENGTH);
  }
  set totalLength(value: number) {
    writeU16(this.bytes, TOTAL_LENGTH, value);
  }
  get identification(): number {
    return readU16(this.bytes, IDENTIFICATION);
  }
  set identification(value: number) {
    writeU16(this.bytes, IDENTIFICATION, value);
  }
  /** Flags and fragment offset as one 16-bit word. */
  get flagsAndFragmentOffset(): number {
    return Ipv4PacketView.flagsAndFragmentOffsetAt(this.bytes, 0);
  }
  set flagsAndFragmentOffset(value: number) {
    writeU16(this.bytes, FLAGS_FRAGMENT, value);
  }
  get dontFragment(): boolean {
    return Ipv4PacketView.dontFragmentAt(this.bytes, 0);
  }
  get moreFragments(): boolean {
    return (this.flagsAndFragmentOffset & FLAG_MORE_FRAGMENTS) !== 0;
  }
  /** In bytes. */
  get fragmentOffset(): number {
    return Ipv4PacketView.fragmentOffsetAt(this.bytes, 0);
  }
  /** A fragment other than a whole datagram (MF set or offset non-zero). */
  get isFragment(): boolean {
    return Ipv4PacketView.isFragmentAt(this.bytes, 0);
  }
  get ttl(): number {
    return Ipv4PacketView.ttlAt(this.bytes, 0);
  }
  set ttl(value: number) {
    this.bytes[TTL] = value;
  }
  get protocol(): number {
    return Ipv4PacketView.protocolAt(this.bytes, 0);
  }
  set protocol(value: number) {
    this.bytes[PROTOCOL] = value;
  }
  get checksum(): number {
    return readU16(this.bytes, CHECKSUM);
  }
  set checksum(value: number) {
    writeU16(this.bytes, CHECKSUM, value);
  }
  get source(): Ipv4Address {
    return Ipv4PacketView.sourceAt(this.bytes, 0);
  }
  set source(address: Ipv4Address) {
    writeIpv4(this.bytes, SOURCE, address);
  }
  get destination(): Ipv4Address {
    return Ipv4PacketView.destinationAt(this.bytes, 0);
  }
  set destination(address: Ipv4Address) {
    writeIpv4(this.bytes, DESTINATION, address);
  }
  get options(): Uint8Array {
    return this.bytes.subarray(IPV4_MIN_HEADER_LENGTH, this.headerLength);
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLength, this.totalLength);
  }
  /** Whether the header checksum verifies. */
  get isChecksumValid(): boolean {
    return internetChecksum(this.bytes, 0, this.headerLength) === 0;
  }
  /** Zero the checksum field, then store the checksum of the header. */
  fillChecksum(): void {
    writeU16(this.bytes, CHECKSUM, 0);
    writeU16(this.bytes, CHECKSUM, internetChecksum(this.bytes, 0, this.headerLength));
  }
}

/** Where the ports of the UDP or TCP datagram of `length` bytes at `at` begin, or -1 (Ipv4PacketView.sourcePortAt). */
function portsOffsetAt(bytes: Uint8Array, at: number, length: number): number {
  const protocol = Ipv4PacketView.protocolAt(bytes, at);
  if (protocol !== IpProtocol.udp && protocol !== IpProtocol.tcp) return -1;
  if (Ipv4PacketView.fragmentOffsetAt(bytes, at) !== 0) return -1;
  const payload = at + Ipv4PacketView.headerLengthAt(bytes, at);
  return at + length - payload >= 4 ? payload : -1;
}

export interface Ipv4ParseOptions {
  /** Verify the header checksum (default true). */
  verifyChecksum?: boolean;
}

export function parseIpv4Packet(bytes: Uint8Array, options?: Ipv4ParseOptions): Ipv4Repr | WireError {
  const totalLength = Ipv4PacketView.checkedLengthAt(bytes, 0, options);
  if (typeof totalLength !== 'number') return totalLength;
  return reprOf(Ipv4PacketView.over(bytes), totalLength);
}

/**
 * Parse the datagram quoted in an ICMP error (RFC 792: its header and at least 8 bytes of its
 * payload; Linux quotes up to 576 bytes in all). Unlike parseIpv4Packet, the total length may
 * exceed the bytes present and the checksum is not verified (a router may quote a header it
 * already changed); `payload` is the part of the original payload that was quoted.
 */
export function parseQuotedIpv4Packet(bytes: Uint8Array): Ipv4Repr | WireError {
  if (bytes.length < IPV4_MIN_HEADER_LENGTH) return wireError('truncated');
  const view = Ipv4PacketView.over(bytes);
  if (view.version !== 4) return wireError('badVersion');
  const headerLength = view.headerLength;
  if (headerLength < IPV4_MIN_HEADER_LENGTH) return wireError('badHeaderLength');
  if (bytes.length < headerLength) return wireError('truncated');
  if (view.totalLength < headerLength) return wireError('badLength');
  return reprOf(view, Math.min(view.totalLength, bytes.length));
}

function reprOf(view: Ipv4PacketView, end: number): Ipv4Repr {
  const word = view.flagsAndFragmentOffset;
  const headerLength = view.headerLength;
  return {
    tos: view.tos,
    identification: view.identification,
    dontFragment: (word & FLAG_DONT_FRAGMENT) !== 0,
    moreFragments: (word & FLAG_MORE_FRAGMENTS) !== 0,
    fragmentOffset: (word & 0x1fff) * 8,
    ttl: view.ttl,
    protocol: view.protocol,
    source: view.source,
    destination: view.destination,
    options: headerLength === IPV4_MIN_HEADER_LENGTH ? NO_OPTIONS : view.bytes.slice(IPV4_MIN_HEADER_LENGTH, headerLength),
    payload: view.bytes.subarray(headerLength, end),
  };
}

/** Header length for these options (padded up to a multiple of 4). */
export function ipv4HeaderLength(repr: Pick<Ipv4Repr, 'options'>): number {
  return IPV4_MIN_HEADER_LENGTH + ((repr.options.length + 3) & ~3);
}

export function ipv4BufferLen(repr: Ipv4Repr): number {
  return ipv4HeaderLength(repr) + repr.payload.length;
}

/**
 * Write header (checksum computed) and payload at `offset`; returns the bytes written.
 * Options whose length is not a multiple of 4 are padded with zero (End of Option List).
 */
export function emitIpv4Packet(repr: Ipv4Repr, buf: Uint8Array, offset = 0): number {
  const headerLength = ipv4HeaderLength(repr);
  const totalLength = headerLength + repr.payload.length;
  emitIpv4Header(repr, headerLength, totalLength, buf, offset);
  placeBytes(buf, offset + headerLength, repr.payload);
  return totalLength;
}

/** Write only the header, for a payload of `payloadLength` bytes already in place after it. */
export function emitIpv4HeaderFor(
  repr: Omit<Ipv4Repr, 'payload'>,
  payloadLength: number,
  buf: Uint8Array,
  offset = 0,
): number {
  const headerLength = ipv4HeaderLength(repr);
  emitIpv4Header(repr, headerLength, headerLength + payloadLength, buf, offset);
  return headerLength;
}

function emitIpv4Header(
  repr: Omit<Ipv4Repr, 'payload'>,
  headerLength: number,
  totalLength: number,
  buf: Uint8Array,
  offset: number,
): void {
  const view = Ipv4PacketView.over(offset === 0 ? buf : buf.subarray(offset, offset + headerLength));
  view.setVersionAndHeaderLength(headerLength);
  view.tos = repr.tos;
  view.totalLength = totalLength;
  view.identification = repr.identification;
  view.flagsAndFragmentOffset =
    (repr.dontFragment ? FLAG_DONT_FRAGMENT : 0) |
    (repr.moreFragments ? FLAG_MORE_FRAGMENTS : 0) |
    ((repr.fragmentOffset >>> 3) & 0x1fff);
  view.ttl = repr.ttl;
  view.protocol = repr.protocol;
  view.source = repr.source;
  view.destination = repr.destination;
  const optionsEnd = offset + IPV4_MIN_HEADER_LENGTH + repr.options.length;
  buf.set(repr.options, offset + IPV4_MIN_HEADER_LENGTH);
  buf.fill(0, optionsEnd, offset + headerLength);
  view.fillChecksum();
}

/**
 * The forwarding fast path: decrement the TTL of the IPv4 header at `ipOffset` in place and
 * update its checksum incrementally (RFC 1624), with the same arithmetic as Linux's
 * ip_decrease_ttl, so the bytes match a Linux router's. Returns the new TTL. A TTL of 0 is left
 * alone (returns 0); the caller decides about TTL ≤ 1 before calling (ip_forward does).
 * The caller must have checked the header (Ipv4PacketView.check).
 */
export function decrementTtl(bytes: Uint8Array, ipOffset: number): number {
  const ttl = bytes[ipOffset + TTL] ?? 0;
  if (ttl === 0) return 0;
  // The checksum in network order, plus htons(0x0100), with the end-around carry folded once.
  let check = readU16(bytes, ipOffset + CHECKSUM) + 0x0100;
  check = check + (check >= 0xffff ? 1 : 0);
  writeU16(bytes, ipOffset + CHECKSUM, check & 0xffff);
  bytes[ipOffset + TTL] = ttl - 1;
  return ttl - 1;
}
