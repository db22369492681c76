/**
 * IPVS connection synchronisation messages, version 1 (Linux net/netfilter/ipvs/ip_vs_sync.c):
 * what a master director's sync daemon multicasts (UDP to 224.0.0.81:8848 by default) and a backup
 * reads to copy the master's connections.
 *
 * Covers: the 8-byte header struct ip_vs_sync_mesg (reserved 0, syncid, size, nr_conns, version 1,
 * spare 0), and per connection struct ip_vs_sync_v4 (36 bytes) or ip_vs_sync_v6 (72 bytes): type
 * (bit 0 = IPv6), protocol, ver_size (version in the top 4 bits, 0; the entry's length without
 * padding in the low 12), flags, state, cport/vport/dport, fwmark, timeout in seconds, the three
 * addresses; then the options (type, length, data: IPVS_OPT_SEQ_DATA, PE_DATA, PE_NAME), kept as
 * raw bytes and checked as ip_vs_proc_sync_conn walks them. Entries after the first start on a
 * 32-bit boundary (the sender zero-pads the previous one; the padding counts in the header's size,
 * the last entry is not padded). Parsing follows ip_vs_process_message: the size must equal the
 * datagram's length, and an entry that runs past the message, has another version or an unknown
 * type, or whose options cannot be walked drops the whole message (`badLength`, `unsupported`,
 * `badOption`, `truncated`).
 * Leaves out: version 0 messages (sync_version=0; parsed as `unsupported`), the meaning of flags,
 * states and options (the IPVS package's), the syncid filter (the backup's).
 */
import { readIpv4, writeIpv4, ipv6FromBytes, ipv6ToBytes, type Ipv4Address, type Ipv6Number } from './address.js';
import { readU16, readU32, writeU16, writeU32, placeBytes } from './bytes.js';
import { wireError, type WireError } from './wire-error.js';

/** IP_VS_SYNC_GROUP and IP_VS_SYNC_PORT: where a master sends by default. */
export const IPVS_SYNC_GROUP = 0xe0000051; // 224.0.0.81
export const IPVS_SYNC_PORT = 8848;
/** SYNC_PROTO_VER. */
export const IPVS_SYNC_PROTO_VERSION = 1;
/** sizeof(struct ip_vs_sync_mesg). */
export const IPVS_SYNC_HEADER_LENGTH = 8;
/** sizeof(struct ip_vs_sync_v4) and sizeof(struct ip_vs_sync_v6). */
export const IPVS_SYNC_V4_LENGTH = 36;
export const IPVS_SYNC_V6_LENGTH = 72;
/** nr_conns is one byte. */
export const IPVS_SYNC_MAX_CONNS = 255;

/** Option types (IPVS_OPT_*); a type with IPVS_OPT_F_PARAM (0x40) set may be skipped by a receiver that does not know it. */
export const IPVS_OPT_SEQ_DATA = 1;
export const IPVS_OPT_PE_DATA = 2;
export const IPVS_OPT_PE_NAME = 3;
export const IPVS_OPT_F_PARAM = 1 << 6;

const STYPE_F_INET6 = 1;
const SVER_SHIFT = 12;
const SVER_MASK = 0x0fff;

// Offsets in struct ip_vs_sync_v4 / _v6.
const TYPE = 0;
const PROTOCOL = 1;
const VER_SIZE = 2;
const FLAGS = 4;
const STATE = 8;
const CPORT = 10;
const VPORT = 12;
const DPORT = 14;
const FWMARK = 16;
const TIMEOUT = 20;
const ADDRESSES = 24;

/** An address as IPVS holds it: the family and the number (structurally the IPVS package's InetAddress). */
export type IpvsSyncAddress = { readonly family: 4; readonly v4: Ipv4Address } | { readonly family: 6; readonly v6: Ipv6Number };

/** One connection entry (its family is its addresses'). */
export interface IpvsSyncConnRepr {
  readonly protocol: number;
  /** IP_VS_CONN_F_* as the master holds them (without HASHED). */
  readonly flags: number;
  readonly state: number;
  readonly cport: number;
  readonly vport: number;
  readonly dport: number;
  readonly fwmark: number;
  /** cp->timeout in seconds. */
  readonly timeout: number;
  readonly caddr: IpvsSyncAddress;
  readonly vaddr: IpvsSyncAddress;
  readonly daddr: IpvsSyncAddress;
  /** The option bytes after the fixed part, as on the wire (empty when there are none). */
  readonly options: Uint8Array;
}

export interface IpvsSyncMessageRepr {
  readonly syncId: number;
  readonly connections: readonly IpvsSyncConnRepr[];
}

const NO_OPTIONS = new Uint8Array(0);

/** The length of one entry without padding (what its ver_size carries). */
export function ipvsSyncConnLength(conn: IpvsSyncConnRepr): number {
  return (conn.caddr.family === 6 ? IPVS_SYNC_V6_LENGTH : IPVS_SYNC_V4_LENGTH) + conn.options.length;
}

/** The message's size: header, entries, and the padding before every entry but the first. */
export function ipvsSyncMessageLength(message: IpvsSyncMessageRepr): number {
  let size = IPVS_SYNC_HEADER_LENGTH;
  for (const conn of message.connections) size = ((size + 3) & ~3) + ipvsSyncConnLength(conn);
  return size;
}

function readAddress(bytes: Uint8Array, offset: number, family: 4 | 6): IpvsSyncAddress {
  return family === 4 ? { family: 4, v4: readIpv4(bytes, offset) } : { family: 6, v6: ipv6FromBytes(bytes, offset) };
}

function writeAddress(bytes: Uint8Array, offset: number, address: IpvsSyncAddress): void {
  if (address.family === 4) writeIpv4(bytes, offset, address.v4);
  else placeBytes(bytes, offset, ipv6ToBytes(address.v6));
}

/** ip_vs_proc_sync_conn's walk over the options: each has a type and a non-zero length within the entry. */
function checkOptions(options: Uint8Array): WireError | undefined {
  let p = 0;
  while (p < options.length) {
    if (p + 2 > options.length) return wireError('badOption');
    const length = options[p + 1]!;
    p += 2;
    if (length === 0 || p + length > options.length) return wireError('badOption');
    p += length;
  }
  return undefined;
}

/** One entry at `offset` whose length (from ver_size) is `size`, already checked to lie within the message. */
function parseConn(bytes: Uint8Array, offset: number, size: number): IpvsSyncConnRepr | WireError {
  const type = bytes[offset + TYPE]!;
  let family: 4 | 6;
  if ((type & STYPE_F_INET6) !== 0) family = 6;
  else if (type === 0) family = 4;
  else return wireError('unsupported');
  const fixed = family === 6 ? IPVS_SYNC_V6_LENGTH : IPVS_SYNC_V4_LENGTH;
  if (size < fixed) return wireError('badLength');
  const options = size > fixed ? bytes.slice(offset + fixed, offset + size) : NO_OPTIONS;
  const bad = checkOptions(options);
  if (bad !== undefined) return bad;
  const step = family === 6 ? 16 : 4;
  return {
    protocol: bytes[offset + PROTOCOL]!,
    flags: readU32(bytes, offset + FLAGS),
    state: readU16(bytes, offset + STATE),
    cport: readU16(bytes, offset + CPORT),
    vport: readU16(bytes, offset + VPORT),
    dport: readU16(bytes, offset + DPORT),
    fwmark: readU32(bytes, offset + FWMARK),
    timeout: readU32(bytes, offset + TIMEOUT),
    caddr: readAddress(bytes, offset + ADDRESSES, family),
    vaddr: readAddress(bytes, offset + ADDRESSES + step, family),
    daddr: readAddress(bytes, offset + ADDRESSES + 2 * step, family),
    options,
  };
}

/**
 * A version 1 message as ip_vs_process_message reads it. A datagram shorter than 4 bytes or whose
 * size field differs from its length is `badLength`/`truncated`; a version 0 message (reserved,
 * version or spare not as v1 has them) is `unsupported`.
 */
export function parseIpvsSyncMessage(bytes: Uint8Array): IpvsSyncMessageRepr | WireError {
  if (bytes.length < 4) return wireError('truncated');
  if (readU16(bytes, 2) !== bytes.length) return wireError('badLength');
  if (bytes.length < IPVS_SYNC_HEADER_LENGTH) return wireError('unsupported');
  if (bytes[0] !== 0 || bytes[5] !== IPVS_SYNC_PROTO_VERSION || readU16(bytes, 6) !== 0) return wireError('unsupported');
  const count = bytes[4]!;
  const connections: IpvsSyncConnRepr[] = [];
  let next = IPVS_SYNC_HEADER_LENGTH;
  for (let i = 0; i < count; i++) {
    const p = next;
    if (p + IPVS_SYNC_V4_LENGTH > bytes.length) return wireError('truncated');
    const verSize = readU16(bytes, p + VER_SIZE);
    const size = verSize & SVER_MASK;
    if (p + size > bytes.length) return wireError('truncated');
    if (verSize >>> SVER_SHIFT !== 0) return wireError('unsupported');
    const conn = parseConn(bytes, p, size);
    if ('error' in conn) return conn;
    connections.push(conn);
    next = p + ((size + 3) & ~3);
  }
  return { syncId: bytes[1]!, connections };
}

/** Write `message` (at most 255 connections) into `bytes` from offset 0; returns the length written. */
export function emitIpvsSyncMessage(message: IpvsSyncMessageRepr, bytes: Uint8Array): number {
  if (message.connections.length > IPVS_SYNC_MAX_CONNS) throw new RangeError(`${message.connections.length} connections: nr_conns holds at most ${IPVS_SYNC_MAX_CONNS}`);
  const size = ipvsSyncMessageLength(message);
  if (bytes.length < size) throw new RangeError(`sync message of ${size} bytes into ${bytes.length}`);
  bytes[0] = 0;
  bytes[1] = message.syncId;
  writeU16(bytes, 2, size);
  bytes[4] = message.connections.length;
  bytes[5] = IPVS_SYNC_PROTO_VERSION;
  writeU16(bytes, 6, 0);
  let p = IPVS_SYNC_HEADER_LENGTH;
  for (const conn of message.connections) {
    while ((p & 3) !== 0) bytes[p++] = 0;
    const length = ipvsSyncConnLength(conn);
    const family = conn.caddr.family;
    const step = family === 6 ? 16 : 4;
    bytes[p + TYPE] = family === 6 ? STYPE_F_INET6 : 0;
    bytes[p + PROTOCOL] = conn.protocol;
    writeU16(bytes, p + VER_SIZE, length & SVER_MASK);
    writeU32(bytes, p + FLAGS, conn.flags);
    writeU16(bytes, p + STATE, conn.state);
    writeU16(bytes, p + CPORT, conn.cport);
    writeU16(bytes, p + VPORT, conn.vport);
    writeU16(bytes, p + DPORT, conn.dport);
    writeU32(bytes, p + FWMARK, conn.fwmark);
    writeU32(bytes, p + TIMEOUT, conn.timeout);
    writeAddress(bytes, p + ADDRESSES, conn.caddr);
    writeAddress(bytes, p + ADDRESSES + step, conn.vaddr);
    writeAddress(bytes, p + ADDRESSES + 2 * step, conn.daddr);
    placeBytes(bytes, p + length - conn.options.length, conn.options);
    p += length;
  }
  return size;
}

/** A new buffer holding `message`. */
export function encodeIpvsSyncMessage(message: IpvsSyncMessageRepr): Uint8Array {
  const bytes = new Uint8Array(ipvsSyncMessageLength(message));
  emitIpvsSyncMessage(message, bytes);
  return bytes;
}
