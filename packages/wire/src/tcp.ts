/**
 * TCP segments (RFC 9293 §3.1) with their options, and the checksum over the IPv4 (RFC 9293
 * §3.1) or IPv6 (RFC 8200 §8.1) pseudo-header.
 *
 * Covers: ports, sequence and acknowledgement numbers, data offset, the 12 bits after it (the
 * control bits FIN … CWR, AE — the former NS bit, RFC 3540 / AccECN — and the three reserved
 * bits, kept as they came), window, checksum, urgent pointer; the options End of List, NOP,
 * MSS (RFC 9293 §3.2), Window Scale and Timestamps (RFC 7323), SACK-Permitted and SACK with 1–4
 * blocks (RFC 2018, D-SACK RFC 2883 is the same layout), and any other kind kept as its bytes.
 *
 * Malformed input: a data offset below 5 is `badHeaderLength`, a header longer than the bytes is
 * `truncated`, and an option whose length byte is missing, below 2 or runs past the header is
 * `badOption` — RFC 9293 §3.1 (MUST-7: be prepared for an illegal option length). Linux's
 * tcp_parse_options instead stops reading options there and keeps the segment; a caller that
 * wants Linux's leniency gets the same effect by treating `badOption` as "no options". A known
 * kind with the wrong length (MSS of length 3, a SACK of 2 + 7 bytes, a fifth SACK block) is
 * kept as an `unknown` option, which is what Linux does with it (ignores it). Bytes after End of
 * List are padding: not kept, and emitted as zeros (RFC 9293 §3.1).
 *
 * The view reads options in place (findTcpOption walks the bytes, allocating nothing); parseTcp
 * builds the plain record with one object per option. Leaves out: TCP Fast Open, MPTCP, MD5 and
 * TCP-AO contents (kept as `unknown`), the ECN and SACK logic itself (the stack's job).
 */
import { readU16, readU32, writeU16, writeU32, placeBytes } from './bytes.js';
import { internetChecksum, transportPseudoHeaderSum, type TransportChecksumContext } from './checksum.js';
import { IpProtocol } from './ipv4.js';
import { wireError, type WireError } from './wire-error.js';

export const TCP_MIN_HEADER_LENGTH = 20;
/** Data offset 15: a 60-byte header, 40 bytes of options. */
export const TCP_MAX_HEADER_LENGTH = 60;
/** RFC 2018 §3: at most 4 blocks fit in 40 bytes of options (3 with timestamps). */
export const TCP_MAX_SACK_BLOCKS = 4;

const SOURCE_PORT = 0;
const DESTINATION_PORT = 2;
const SEQUENCE_NUMBER = 4;
const ACKNOWLEDGEMENT_NUMBER = 8;
const DATA_OFFSET_AND_FLAGS = 12;
const WINDOW = 14;
const CHECKSUM = 16;
const URGENT_POINTER = 18;

/** The 12 bits after the data offset, as the `flags` number of a record (RFC 9293 §3.1, RFC 3168). */
export const TcpFlag = {
  fin: 0x001,
  syn: 0x002,
  rst: 0x004,
  psh: 0x008,
  ack: 0x010,
  urg: 0x020,
  ece: 0x040,
  cwr: 0x080,
  /** AccECN's AE, formerly the ECN nonce sum bit NS (RFC 3540, historic). */
  ae: 0x100,
} as const;
const FLAG_BITS = 0x0fff;

/** Option kinds (IANA "TCP Option Kind Numbers"). */
export const TcpOptionKind = {
  endOfList: 0,
  noOperation: 1,
  maxSegmentSize: 2,
  windowScale: 3,
  sackPermitted: 4,
  sack: 5,
  timestamps: 8,
} as const;

export interface TcpSackBlock {
  /** The first sequence number of the block. */
  left: number;
  /** The sequence number just after the block. */
  right: number;
}

export type TcpOption =
  | { kind: 'endOfList' }
  | { kind: 'noOperation' }
  | { kind: 'maxSegmentSize'; maxSegmentSize: number }
  | { kind: 'windowScale'; shift: number }
  | { kind: 'sackPermitted' }
  | { kind: 'sack'; blocks: TcpSackBlock[] }
  | { kind: 'timestamps'; value: number; echoReply: number }
  /** Any other kind, or a known kind with a length it cannot have; `data` excludes kind and length. */
  | { kind: 'unknown'; type: number; data: Uint8Array };

export interface TcpRepr {
  sourcePort: number;
  destinationPort: number;
  sequenceNumber: number;
  acknowledgementNumber: number;
  /** TcpFlag bits (and the reserved bits 0xe00 as received). */
  flags: number;
  window: number;
  urgentPointer: number;
  /** In wire order; End of List, when present, is the last. */
  options: TcpOption[];
  /** On parse: a subarray of the input (no copy). */
  payload: Uint8Array;
}

/** The IP addresses the checksum covers; `null` on parse skips verification. */
export type TcpChecksumContext = TransportChecksumContext;

/** The fixed length an option of a known kind must have (SACK: 2 + 8n, checked apart). */
const knownOptionLength: Readonly<Record<number, number>> = {
  [TcpOptionKind.maxSegmentSize]: 4,
  [TcpOptionKind.windowScale]: 3,
  [TcpOptionKind.sackPermitted]: 2,
  [TcpOptionKind.timestamps]: 10,
};

function isSackLength(length: number): boolean {
  return length >= 10 && (length - 2) % 8 === 0 && (length - 2) / 8 <= TCP_MAX_SACK_BLOCKS;
}

function isKnownKind(kind: number): boolean {
  return knownOptionLength[kind] !== undefined || kind === TcpOptionKind.sack;
}

/** Whether an option of `kind` with total `length` is read as that kind (else it is `unknown`). */
function isWellFormedKnown(kind: number, length: number): boolean {
  if (kind === TcpOptionKind.sack) return isSackLength(length);
  return knownOptionLength[kind] === length;
}

/**
 * Walk the options area: the offset of the first option of `kind` (a well-formed one, for the
 * kinds this module knows), or -1; also -1 past End of List. Assumes a checked area
 * (checkTcpOptions). Allocates nothing.
 */
export function findTcpOption(options: Uint8Array, kind: number): number {
  let i = 0;
  while (i < options.length) {
    const type = options[i] as number;
    if (type === TcpOptionKind.endOfList) return -1;
    if (type === TcpOptionKind.noOperation) {
      if (kind === type) return i;
      i++;
      continue;
    }
    const length = options[i + 1] as number;
    if (type === kind && (!isKnownKind(type) || isWellFormedKnown(type, length))) return i;
    i += length;
  }
  return -1;
}

/** `badOption` when an option's length byte is missing, below 2 or runs past the area; else null. */
export function checkTcpOptions(options: Uint8Array): WireError | null {
  let i = 0;
  while (i < options.length) {
    const type = options[i] as number;
    if (type === TcpOptionKind.endOfList) return null;
    if (type === TcpOptionKind.noOperation) {
      i++;
      continue;
    }
    if (i + 1 >= options.length) return wireError('badOption');
    const length = options[i + 1] as number;
    if (length < 2 || i + length > options.length) return wireError('badOption');
    i += length;
  }
  return null;
}

/** A checked view: 20 bytes present, 5 ≤ data offset, header within the bytes, options walkable. */
export class TcpSegmentView {
  private constructor(readonly bytes: Uint8Array) {}

  static check(bytes: Uint8Array): TcpSegmentView | WireError {
    if (bytes.length < TCP_MIN_HEADER_LENGTH) return wireError('truncated');
    const view = new TcpSegmentView(bytes);
    if (view.headerLength < TCP_MIN_HEADER_LENGTH) return wireError('badHeaderLength');
    if (view.headerLength > bytes.length) return wireError('truncated');
    return checkTcpOptions(view.options) ?? view;
  }

  /** A view without checks, for writing (emit). */
  static over(bytes: Uint8Array): TcpSegmentView {
    return new TcpSegmentView(bytes);
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
  get sequenceNumber(): number {
    return readU32(this.bytes, SEQUENCE_NUMBER);
  }
  set sequenceNumber(value: number) {
    writeU32(this.bytes, SEQUENCE_NUMBER, value);
  }
  get acknowledgementNumber(): number {
    return readU32(this.bytes, ACKNOWLEDGEMENT_NUMBER);
  }
  set acknowledgementNumber(value: number) {
    writeU32(this.bytes, ACKNOWLEDGEMENT_NUMBER, value);
  }
  /** The data offset in bytes (the field × 4). */
  get headerLength(): number {
    return ((this.bytes[DATA_OFFSET_AND_FLAGS] as number) >>> 4) * 4;
  }
  /** The 12 bits after the data offset (TcpFlag bits and the reserved ones). */
  get flags(): number {
    return readU16(this.bytes, DATA_OFFSET_AND_FLAGS) & FLAG_BITS;
  }
  /** Write the data offset (bytes, a multiple of 4) and the 12 flag bits together. */
  setHeaderLengthAndFlags(headerLength: number, flags: number): void {
    writeU16(this.bytes, DATA_OFFSET_AND_FLAGS, ((headerLength / 4) << 12) | (flags & FLAG_BITS));
  }
  hasFlag(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }
  get window(): number {
    return readU16(this.bytes, WINDOW);
  }
  set window(value: number) {
    writeU16(this.bytes, WINDOW, value);
  }
  get checksum(): number {
    return readU16(this.bytes, CHECKSUM);
  }
  get urgentPointer(): number {
    return readU16(this.bytes, URGENT_POINTER);
  }
  set urgentPointer(value: number) {
    writeU16(this.bytes, URGENT_POINTER, value);
  }
  /** The options area, padding included (a subarray). */
  get options(): Uint8Array {
    return this.bytes.subarray(TCP_MIN_HEADER_LENGTH, this.headerLength);
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLength);
  }
  /** The MSS option's value, or null. */
  get maxSegmentSize(): number | null {
    const at = findTcpOption(this.options, TcpOptionKind.maxSegmentSize);
    return at < 0 ? null : readU16(this.options, at + 2);
  }
  /** The Window Scale option's shift count as sent (RFC 7323 §2.3 caps its use at 14), or null. */
  get windowScale(): number | null {
    const at = findTcpOption(this.options, TcpOptionKind.windowScale);
    return at < 0 ? null : (this.options[at + 2] as number);
  }
  get isSackPermitted(): boolean {
    return findTcpOption(this.options, TcpOptionKind.sackPermitted) >= 0;
  }
  /** TSval, or null without a Timestamps option. */
  get timestampValue(): number | null {
    const at = findTcpOption(this.options, TcpOptionKind.timestamps);
    return at < 0 ? null : readU32(this.options, at + 2);
  }
  /** TSecr, or null without a Timestamps option. */
  get timestampEchoReply(): number | null {
    const at = findTcpOption(this.options, TcpOptionKind.timestamps);
    return at < 0 ? null : readU32(this.options, at + 6);
  }
  /** Whether the checksum verifies over the whole segment and the pseudo-header. */
  isChecksumValid(context: TcpChecksumContext): boolean {
    return internetChecksum(this.bytes, 0, this.bytes.length, tcpPseudoHeaderSum(context, this.bytes.length)) === 0;
  }
  /** Compute and store the checksum over the whole segment. */
  fillChecksum(context: TcpChecksumContext): void {
    writeU16(this.bytes, CHECKSUM, 0);
    writeU16(this.bytes, CHECKSUM, internetChecksum(this.bytes, 0, this.bytes.length, tcpPseudoHeaderSum(context, this.bytes.length)));
  }
}

function tcpPseudoHeaderSum(context: TcpChecksumContext, length: number): number {
  return transportPseudoHeaderSum(context, IpProtocol.tcp, length);
}

/** The options of a checked area as records, in order, up to and including End of List. */
function readTcpOptions(area: Uint8Array): TcpOption[] {
  const options: TcpOption[] = [];
  let i = 0;
  while (i < area.length) {
    const type = area[i] as number;
    if (type === TcpOptionKind.endOfList) {
      options.push({ kind: 'endOfList' });
      break;
    }
    if (type === TcpOptionKind.noOperation) {
      options.push({ kind: 'noOperation' });
      i++;
      continue;
    }
    const length = area[i + 1] as number;
    options.push(readOption(area, i, type, length));
    i += length;
  }
  return options;
}

function readOption(area: Uint8Array, at: number, type: number, length: number): TcpOption {
  if (!isWellFormedKnown(type, length)) return { kind: 'unknown', type, data: area.subarray(at + 2, at + length) };
  switch (type) {
    case TcpOptionKind.maxSegmentSize:
      return { kind: 'maxSegmentSize', maxSegmentSize: readU16(area, at + 2) };
    case TcpOptionKind.windowScale:
      return { kind: 'windowScale', shift: area[at + 2] as number };
    case TcpOptionKind.sackPermitted:
      return { kind: 'sackPermitted' };
    case TcpOptionKind.timestamps:
      return { kind: 'timestamps', value: readU32(area, at + 2), echoReply: readU32(area, at + 6) };
    default: {
      const blocks: TcpSackBlock[] = [];
      for (let b = at + 2; b < at + length; b += 8) blocks.push({ left: readU32(area, b), right: readU32(area, b + 4) });
      return { kind: 'sack', blocks };
    }
  }
}

/** Parse the IP payload as a TCP segment; with a context the checksum is verified (`badChecksum`). */
export function parseTcp(bytes: Uint8Array, context: TcpChecksumContext | null): TcpRepr | WireError {
  const view = TcpSegmentView.check(bytes);
  if (!(view instanceof TcpSegmentView)) return view;
  if (context !== null && !view.isChecksumValid(context)) return wireError('badChecksum');
  return {
    sourcePort: view.sourcePort,
    destinationPort: view.destinationPort,
    sequenceNumber: view.sequenceNumber,
    acknowledgementNumber: view.acknowledgementNumber,
    flags: view.flags,
    window: view.window,
    urgentPointer: view.urgentPointer,
    options: readTcpOptions(view.options),
    payload: view.payload,
  };
}

/** The bytes one option takes on the wire. */
export function tcpOptionLength(option: TcpOption): number {
  switch (option.kind) {
    case 'endOfList':
    case 'noOperation':
      return 1;
    case 'maxSegmentSize':
      return 4;
    case 'windowScale':
      return 3;
    case 'sackPermitted':
      return 2;
    case 'sack':
      return 2 + 8 * option.blocks.length;
    case 'timestamps':
      return 10;
    case 'unknown':
      return 2 + option.data.length;
  }
}

/** Header length for `options`: 20 plus the options, padded to a multiple of 4. */
export function tcpHeaderLength(options: readonly TcpOption[]): number {
  let length = 0;
  for (const option of options) length += tcpOptionLength(option);
  return TCP_MIN_HEADER_LENGTH + Math.ceil(length / 4) * 4;
}

export function tcpBufferLen(repr: TcpRepr): number {
  return tcpHeaderLength(repr.options) + repr.payload.length;
}

/** Write one option at `at`; returns the offset after it. */
function writeOption(option: TcpOption, buf: Uint8Array, at: number): number {
  switch (option.kind) {
    case 'endOfList':
      buf[at] = TcpOptionKind.endOfList;
      return at + 1;
    case 'noOperation':
      buf[at] = TcpOptionKind.noOperation;
      return at + 1;
    case 'maxSegmentSize':
      buf[at] = TcpOptionKind.maxSegmentSize;
      buf[at + 1] = 4;
      writeU16(buf, at + 2, option.maxSegmentSize);
      return at + 4;
    case 'windowScale':
      buf[at] = TcpOptionKind.windowScale;
      buf[at + 1] = 3;
      buf[at + 2] = option.shift;
      return at + 3;
    case 'sackPermitted':
      buf[at] = TcpOptionKind.sackPermitted;
      buf[at + 1] = 2;
      return at + 2;
    case 'sack':
      buf[at] = TcpOptionKind.sack;
      buf[at + 1] = 2 + 8 * option.blocks.length;
      option.blocks.forEach((block, n) => {
        writeU32(buf, at + 2 + 8 * n, block.left);
        writeU32(buf, at + 6 + 8 * n, block.right);
      });
      return at + 2 + 8 * option.blocks.length;
    case 'timestamps':
      buf[at] = TcpOptionKind.timestamps;
      buf[at + 1] = 10;
      writeU32(buf, at + 2, option.value);
      writeU32(buf, at + 6, option.echoReply);
      return at + 10;
    case 'unknown':
      buf[at] = option.type;
      buf[at + 1] = 2 + option.data.length;
      placeBytes(buf, at + 2, option.data);
      return at + 2 + option.data.length;
  }
}

/**
 * Write the segment at `offset` with its checksum for `context`; returns the bytes written.
 * Options that do not fill a multiple of 4 bytes are followed by zeros, which parse back as
 * End of List (so a record round-trips when it ends with one or is aligned).
 * The caller keeps the options within 40 bytes (a longer list cannot be expressed: RangeError).
 */
export function emitTcp(repr: TcpRepr, buf: Uint8Array, offset: number, context: TcpChecksumContext): number {
  const headerLength = tcpHeaderLength(repr.options);
  if (headerLength > TCP_MAX_HEADER_LENGTH) throw new RangeError(`TCP options of ${headerLength - 20} bytes exceed 40`);
  const length = headerLength + repr.payload.length;
  const segment = buf.subarray(offset, offset + length);
  let at = TCP_MIN_HEADER_LENGTH;
  for (const option of repr.options) at = writeOption(option, segment, at);
  segment.fill(0, at, headerLength);
  placeBytes(segment, headerLength, repr.payload);
  const view = TcpSegmentView.over(segment);
  view.sourcePort = repr.sourcePort;
  view.destinationPort = repr.destinationPort;
  view.sequenceNumber = repr.sequenceNumber;
  view.acknowledgementNumber = repr.acknowledgementNumber;
  view.setHeaderLengthAndFlags(headerLength, repr.flags);
  view.window = repr.window;
  view.urgentPointer = repr.urgentPointer;
  view.fillChecksum(context);
  return length;
}
