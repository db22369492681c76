/**
 * Multicast Listener Discovery, as far as NDP needs it: MLDv1 query, report and done (RFC 2710
 * §3) and MLDv2 query and report (RFC 3810 §5). Linux joins the solicited-node group of every
 * address it adds and announces it with an MLDv2 report (mld_sendpack), and a router's queries
 * must be readable.
 *
 * Covers: the bodies from byte 4 of the ICMPv6 message (type, code and checksum are icmpv6.ts's).
 * A query is MLDv1 when it is 24 bytes long and MLDv2 when at least 28 (RFC 3810 §8.1); other
 * lengths are `badLength`. MLDv2 address records with their sources and auxiliary data. Bytes
 * after the message's last field are ignored, reserved fields are ignored on parse and written as
 * zero. Addresses are subarrays of the input. Leaves out: the listener state machine, timers,
 * and the floating-point decoding of the Max Resp Code and QQIC (RFC 3810 §5.1.3, §5.1.9: the
 * codes are kept as they are on the wire).
 */
import { readU16, writeU16 } from './bytes.js';
import { wireError, type WireError } from './wire-error.js';

/** MLDv2 multicast address record types (RFC 3810 §5.2.12). */
export const MldRecordType = {
  modeIsInclude: 1,
  modeIsExclude: 2,
  changeToInclude: 3,
  changeToExclude: 4,
  allowNewSources: 5,
  blockOldSources: 6,
} as const;

export interface MldAddressRecord {
  recordType: number;
  multicastAddress: Uint8Array;
  /** 16 bytes each. */
  sources: Uint8Array[];
  /** Auxiliary data, a multiple of 4 bytes (none is defined; RFC 3810 §5.2.10). */
  auxiliaryData: Uint8Array;
}

export type MldRepr =
  | {
      kind: 'mldQuery' | 'mldReport' | 'mldDone';
      /** Milliseconds (queries); 0 in reports and done. */
      maxResponseDelay: number;
      /** `::` in a general query. */
      multicastAddress: Uint8Array;
    }
  | {
      kind: 'mldv2Query';
      /** Maximum Response Code as on the wire (RFC 3810 §5.1.3). */
      maxResponseCode: number;
      multicastAddress: Uint8Array;
      /** S flag. */
      suppressRouterProcessing: boolean;
      /** QRV, 3 bits. */
      robustness: number;
      /** QQIC as on the wire (RFC 3810 §5.1.9). */
      queryIntervalCode: number;
      sources: Uint8Array[];
    }
  | { kind: 'mldv2Report'; records: MldAddressRecord[] };

export type MldKind = MldRepr['kind'];

export const MLD_MESSAGE_LENGTH = 24;
export const MLDV2_QUERY_MIN_LENGTH = 28;
const MLDV2_REPORT_HEADER_LENGTH = 8;
const RECORD_HEADER_LENGTH = 20;

const MAX_RESPONSE = 4;
const MULTICAST_ADDRESS = 8;
const QUERY_FLAGS = 24;
const QQIC = 25;
const SOURCE_COUNT = 26;
const SOURCES = 28;
const RECORD_COUNT = 6;

/**
 * Parse an MLD message (the whole ICMPv6 message). `kind` comes from the type: for type 130 pass
 * `mldQuery`, and the length decides between MLDv1 and MLDv2.
 */
export function parseMldMessage(bytes: Uint8Array, kind: MldKind): MldRepr | WireError {
  if (kind === 'mldv2Report') return parseReport(bytes);
  if (bytes.length < MLD_MESSAGE_LENGTH) return wireError('truncated');
  const multicastAddress = bytes.subarray(MULTICAST_ADDRESS, MULTICAST_ADDRESS + 16);
  if (kind !== 'mldQuery' && kind !== 'mldv2Query') {
    return { kind, maxResponseDelay: readU16(bytes, MAX_RESPONSE), multicastAddress };
  }
  if (bytes.length === MLD_MESSAGE_LENGTH) return { kind: 'mldQuery', maxResponseDelay: readU16(bytes, MAX_RESPONSE), multicastAddress };
  if (bytes.length < MLDV2_QUERY_MIN_LENGTH) return wireError('badLength');
  const sourceCount = readU16(bytes, SOURCE_COUNT);
  if (bytes.length < SOURCES + 16 * sourceCount) return wireError('truncated');
  const flags = bytes[QUERY_FLAGS] ?? 0;
  return {
    kind: 'mldv2Query',
    maxResponseCode: readU16(bytes, MAX_RESPONSE),
    multicastAddress,
    suppressRouterProcessing: (flags & 0x08) !== 0,
    robustness: flags & 0x07,
    queryIntervalCode: bytes[QQIC] ?? 0,
    sources: addressList(bytes, SOURCES, sourceCount),
  };
}

function addressList(bytes: Uint8Array, offset: number, count: number): Uint8Array[] {
  const addresses: Uint8Array[] = [];
  for (let i = 0; i < count; i++) addresses.push(bytes.subarray(offset + 16 * i, offset + 16 * i + 16));
  return addresses;
}

function parseReport(bytes: Uint8Array): MldRepr | WireError {
  if (bytes.length < MLDV2_REPORT_HEADER_LENGTH) return wireError('truncated');
  const recordCount = readU16(bytes, RECORD_COUNT);
  const records: MldAddressRecord[] = [];
  let offset = MLDV2_REPORT_HEADER_LENGTH;
  // Each record takes at least 20 bytes, so the count is bounded by the message's length.
  if (recordCount * RECORD_HEADER_LENGTH > bytes.length - offset) return wireError('truncated');
  for (let i = 0; i < recordCount; i++) {
    if (offset + RECORD_HEADER_LENGTH > bytes.length) return wireError('truncated');
    const auxiliaryLength = (bytes[offset + 1] ?? 0) * 4;
    const sourceCount = readU16(bytes, offset + 2);
    const end = offset + RECORD_HEADER_LENGTH + 16 * sourceCount + auxiliaryLength;
    if (end > bytes.length) return wireError('truncated');
    records.push({
      recordType: bytes[offset] ?? 0,
      multicastAddress: bytes.subarray(offset + 4, offset + 20),
      sources: addressList(bytes, offset + RECORD_HEADER_LENGTH, sourceCount),
      auxiliaryData: bytes.subarray(end - auxiliaryLength, end),
    });
    offset = end;
  }
  return { kind: 'mldv2Report', records };
}

function recordLength(record: MldAddressRecord): number {
  return RECORD_HEADER_LENGTH + 16 * record.sources.length + ((record.auxiliaryData.length + 3) & ~3);
}

/** The whole ICMPv6 message length of an MLD record. */
export function mldMessageLength(repr: MldRepr): number {
  switch (repr.kind) {
    case 'mldQuery':
    case 'mldReport':
    case 'mldDone':
      return MLD_MESSAGE_LENGTH;
    case 'mldv2Query':
      return SOURCES + 16 * repr.sources.length;
    case 'mldv2Report': {
      let length = MLDV2_REPORT_HEADER_LENGTH;
      for (const record of repr.records) length += recordLength(record);
      return length;
    }
  }
}

/** Write bytes 4 onwards of an MLD message into `message` (mldMessageLength bytes from the type byte). */
export function emitMldMessage(repr: MldRepr, message: Uint8Array): void {
  message.fill(0, 4, message.length);
  switch (repr.kind) {
    case 'mldQuery':
    case 'mldReport':
    case 'mldDone':
      writeU16(message, MAX_RESPONSE, repr.maxResponseDelay);
      message.set(repr.multicastAddress.subarray(0, 16), MULTICAST_ADDRESS);
      break;
    case 'mldv2Query':
      writeU16(message, MAX_RESPONSE, repr.maxResponseCode);
      message.set(repr.multicastAddress.subarray(0, 16), MULTICAST_ADDRESS);
      message[QUERY_FLAGS] = (repr.suppressRouterProcessing ? 0x08 : 0) | (repr.robustness & 0x07);
      message[QQIC] = repr.queryIntervalCode;
      writeU16(message, SOURCE_COUNT, repr.sources.length);
      repr.sources.forEach((source, i) => message.set(source.subarray(0, 16), SOURCES + 16 * i));
      break;
    case 'mldv2Report': {
      writeU16(message, RECORD_COUNT, repr.records.length);
      let offset = MLDV2_REPORT_HEADER_LENGTH;
      for (const record of repr.records) {
        message[offset] = record.recordType;
        message[offset + 1] = (record.auxiliaryData.length + 3) >>> 2;
        writeU16(message, offset + 2, record.sources.length);
        message.set(record.multicastAddress.subarray(0, 16), offset + 4);
        record.sources.forEach((source, i) => message.set(source.subarray(0, 16), offset + RECORD_HEADER_LENGTH + 16 * i));
        message.set(record.auxiliaryData, offset + RECORD_HEADER_LENGTH + 16 * record.sources.length);
        offset += recordLength(record);
      }
      break;
    }
  }
}
