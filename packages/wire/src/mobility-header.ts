/**
 * The Mobility Header (IPv6 next header 135, RFC 6275 §6.1): the Binding Refresh Request, the
 * return-routability messages HoTI, CoTI, HoT and CoT, the Binding Update, Binding
 * Acknowledgement and Binding Error, and their mobility options (§6.2): Pad1, PadN, Binding
 * Refresh Advice, Alternate Care-of Address, Nonce Indices, Binding Authorization Data, and
 * RFC 5648's Binding Identifier with its optional IPv4 or IPv6 care-of address (its family read
 * from the option's length: 4 none, 8 IPv4, 20 IPv6, RFC 5648 §4.3) and RFC 6089's BID-PRI.
 *
 * Covers: a checked view, records with parse/emit/bufferLen, and the checksum (§6.1.1): the IPv6
 * pseudo-header with next header 135 and the Mobility Header's length, where the source is the
 * home address of a Home Address destination option when the packet has one, and the destination
 * is the home address of a type 2 routing header with segments left (RFC 8200 §8.1's final
 * destination) — `mobilityChecksumAddresses` picks both from a packet's extension headers.
 * Options are kept in order, padding included, so a message re-emits byte for byte; emit pads
 * the options to the message's 8-octet multiple (Pad1 or PadN), and `alignMobilityOptions` puts
 * each option on its §6.2 alignment (Binding Refresh Advice and Nonce Indices 2n, Alternate CoA
 * 8n+6, Binding Authorization Data 8n+2, Binding Identifier 2n) as UMIP does before sending.
 *
 * The BU flags are A 0x8000, H 0x4000, L 0x2000, K 0x1000 (RFC 6275 §6.1.7, as UMIP's ip6mh.h and
 * Wireshark's mip6 dissector); the other 12 bits are kept as `otherFlags`. RFC 5648's
 * Overwrite ('O') flag, whose bit position was not found in any source at hand (Wireshark 4.0 and
 * Pcap.Net do not list it), is netloom's choice `BINDING_UPDATE_OVERWRITE` = 0x0004 (a bit no
 * later RFC in Wireshark's list uses); a real peer would not read it the same way.
 *
 * Malformed input is a WireError: shorter than 8 bytes or than its Header Len says `truncated`,
 * a message body shorter than its type's fixed part `badLength`, an option running past the
 * message `badOption`, a checksum that does not verify `badChecksum`. Message types beyond 7
 * (FMIPv6, PMIPv6, …) parse as `other` with their data. Leaves out: the options of later RFCs
 * (kept as `other`), IPsec, and every processing rule (packages/mip6).
 */
import { formatIpv6 } from './address.js';
import { readU16, writeU16 } from './bytes.js';
import { internetChecksum, ipv6PseudoHeaderSum } from './checksum.js';
import { IpProtocol } from './ipv4.js';
import type { Ipv6ExtensionHeader } from './ipv6-extension-headers.js';
import { tlvPadding, walkTlvOptions } from './tlv-options.js';
import { wireError, type WireError } from './wire-error.js';

/** MH Type (RFC 6275 §6.1.2–§6.1.9; Linux include/net/mip6.h). */
export const MobilityHeaderType = {
  bindingRefreshRequest: 0,
  homeTestInit: 1,
  careOfTestInit: 2,
  homeTest: 3,
  careOfTest: 4,
  bindingUpdate: 5,
  bindingAcknowledgement: 6,
  bindingError: 7,
} as const;

/** Mobility option types (IANA "Mobility Options"). */
export const MobilityOptionType = {
  pad1: 0,
  padN: 1,
  bindingRefreshAdvice: 2,
  alternateCareOfAddress: 3,
  nonceIndices: 4,
  bindingAuthorizationData: 5,
  bindingIdentifier: 35,
} as const;

/** Binding Acknowledgement status codes (RFC 6275 §6.1.8, RFC 5648 §4.5). Below 128 accepted. */
export const BindingAckStatus = {
  accepted: 0,
  acceptedPrefixDiscoveryNecessary: 1,
  mcoaNotComplete: 4,
  mcoaReturnHomeWithoutNdp: 5,
  reasonUnspecified: 128,
  administrativelyProhibited: 129,
  insufficientResources: 130,
  homeRegistrationNotSupported: 131,
  notHomeSubnet: 132,
  notHomeAgentForThisMobileNode: 133,
  duplicateAddressDetectionFailed: 134,
  sequenceNumberOutOfWindow: 135,
  expiredHomeNonceIndex: 136,
  expiredCareOfNonceIndex: 137,
  expiredNonces: 138,
  registrationTypeChangeDisallowed: 139,
  mcoaMalformed: 164,
  mcoaNonMcoaBindingExists: 165,
  mcoaProhibited: 166,
  mcoaUnknownCoa: 167,
  mcoaBulkRegistrationProhibited: 168,
  mcoaSimultaneousHomeAndForeignProhibited: 169,
} as const;

/** Binding Error status (RFC 6275 §6.1.9). */
export const BindingErrorStatus = { unknownBindingForHomeAddressOption: 1, unrecognizedMhType: 2 } as const;

/** BU flags (RFC 6275 §6.1.7) and netloom's position for RFC 5648's O flag (see the module comment). */
export const BINDING_UPDATE_ACKNOWLEDGE = 0x8000;
export const BINDING_UPDATE_HOME_REGISTRATION = 0x4000;
export const BINDING_UPDATE_LINK_LOCAL_COMPATIBILITY = 0x2000;
export const BINDING_UPDATE_KEY_MANAGEMENT = 0x1000;
export const BINDING_UPDATE_OVERWRITE = 0x0004;
const BINDING_UPDATE_NAMED_FLAGS = 0xf004;

/** The BA's K flag (the high bit of the byte after the status). */
const BINDING_ACK_KEY_MANAGEMENT = 0x80;
/** The BID option's H flag (RFC 5648 §4.3): simultaneous home and foreign binding. */
const BID_SIMULTANEOUS_HOME_FOREIGN = 0x80;

/** One time unit of a BU/BA lifetime and of the Binding Refresh Advice: 4 seconds (§6.1.7). */
export const MOBILITY_LIFETIME_UNIT_SECONDS = 4;

export const MOBILITY_HEADER_MIN_LENGTH = 8;
/** At most this many options in one message: a 2048-byte message of 2-byte PadN options holds 1021; 256 is far beyond any real one. */
export const MAX_MOBILITY_OPTIONS = 256;

export type MobilityOption =
  | { kind: 'pad1' }
  /** `data` is the option's content (zeros when well formed). */
  | { kind: 'padN'; data: Uint8Array }
  /** §6.2.4: the refresh interval in 4-second units. */
  | { kind: 'bindingRefreshAdvice'; interval: number }
  /** §6.2.5. */
  | { kind: 'alternateCareOfAddress'; address: Uint8Array }
  /** §6.2.6. */
  | { kind: 'nonceIndices'; homeNonceIndex: number; careOfNonceIndex: number }
  /** §6.2.7: the first 96 bits of HMAC_SHA1(Kbm, …) for RR, any length kept. */
  | { kind: 'bindingAuthorizationData'; authenticator: Uint8Array }
  /**
   * RFC 5648 §4.3 (BID-PRI of RFC 6089 in the 7 bits after H). `careOfAddress` is absent, 4 bytes
   * (IPv4) or 16 bytes (IPv6).
   */
  | {
      kind: 'bindingIdentifier';
      bindingId: number;
      status: number;
      simultaneousHomeAndForeign: boolean;
      priority: number;
      careOfAddress?: Uint8Array;
    }
  | { kind: 'other'; type: number; data: Uint8Array };

/** The 64-bit cookies and keygen tokens of return routability are 8 bytes each. */
export type MobilityMessage =
  | { kind: 'bindingRefreshRequest' }
  | { kind: 'homeTestInit' | 'careOfTestInit'; cookie: Uint8Array }
  | { kind: 'homeTest' | 'careOfTest'; nonceIndex: number; cookie: Uint8Array; keygenToken: Uint8Array }
  | {
      kind: 'bindingUpdate';
      sequence: number;
      /** The 16-bit flag word's A, H, L, K and O bits; the rest stays in otherFlags. */
      acknowledge: boolean;
      homeRegistration: boolean;
      linkLocalCompatibility: boolean;
      keyManagement: boolean;
      overwrite: boolean;
      otherFlags: number;
      /** In 4-second units. */
      lifetime: number;
    }
  | { kind: 'bindingAcknowledgement'; status: number; keyManagement: boolean; sequence: number; lifetime: number }
  | { kind: 'bindingError'; status: number; homeAddress: Uint8Array }
  | { kind: 'other'; type: number; data: Uint8Array };

export interface MobilityHeaderRepr {
  /** Payload Proto: 59 (no next header) as RFC 6275 §6.1.1 asks; kept as received. */
  payloadProto: number;
  message: MobilityMessage;
  options: MobilityOption[];
}

/** The addresses of the checksum's pseudo-header (§6.1.1). */
export interface MobilityChecksumContext {
  source: Uint8Array;
  destination: Uint8Array;
}

/** Bytes of each message type's fixed part after the 6-byte MH header start (before options). */
const FIXED_LENGTH: Record<Exclude<MobilityMessage['kind'], 'other'>, number> = {
  bindingRefreshRequest: 2,
  homeTestInit: 10,
  careOfTestInit: 10,
  homeTest: 18,
  careOfTest: 18,
  bindingUpdate: 6,
  bindingAcknowledgement: 6,
  bindingError: 18,
};

const KIND_OF_TYPE: readonly Exclude<MobilityMessage['kind'], 'other'>[] = [
  'bindingRefreshRequest',
  'homeTestInit',
  'careOfTestInit',
  'homeTest',
  'careOfTest',
  'bindingUpdate',
  'bindingAcknowledgement',
  'bindingError',
];

const MESSAGE_DATA = 6;
const CHECKSUM = 4;

/** A view over a Mobility Header, checked to be wholly present (Header Len). */
export class MobilityHeaderView {
  private constructor(readonly bytes: Uint8Array) {}

  static check(bytes: Uint8Array): MobilityHeaderView | WireError {
    if (bytes.length < MOBILITY_HEADER_MIN_LENGTH) return wireError('truncated');
    const view = new MobilityHeaderView(bytes);
    if (bytes.length < view.length) return wireError('truncated');
    return view;
  }

  static over(bytes: Uint8Array): MobilityHeaderView {
    return new MobilityHeaderView(bytes);
  }

  get payloadProto(): number {
    return this.bytes[0] ?? 0;
  }
  set payloadProto(value: number) {
    this.bytes[0] = value;
  }
  /** Header Len: 8-octet units after the first 8. */
  get headerLength(): number {
    return this.bytes[1] ?? 0;
  }
  set headerLength(value: number) {
    this.bytes[1] = value;
  }
  /** The message's length in bytes. */
  get length(): number {
    return (this.headerLength + 1) * 8;
  }
  get mhType(): number {
    return this.bytes[2] ?? 0;
  }
  set mhType(value: number) {
    this.bytes[2] = value;
  }
  get checksum(): number {
    return readU16(this.bytes, CHECKSUM);
  }
  set checksum(value: number) {
    writeU16(this.bytes, CHECKSUM, value);
  }
  /** The message data after the first 6 bytes, up to Header Len. */
  get messageData(): Uint8Array {
    return this.bytes.subarray(MESSAGE_DATA, this.length);
  }

  isChecksumValid(context: MobilityChecksumContext): boolean {
    return internetChecksum(this.bytes, 0, this.length, pseudoHeaderSum(context, this.length)) === 0;
  }

  fillChecksum(context: MobilityChecksumContext): void {
    this.checksum = 0;
    this.checksum = internetChecksum(this.bytes, 0, this.length, pseudoHeaderSum(context, this.length));
  }
}

function pseudoHeaderSum(context: MobilityChecksumContext, length: number): number {
  return ipv6PseudoHeaderSum(context.source, context.destination, IpProtocol.mobility, length);
}

/**
 * The pseudo-header addresses of a Mobility Header in a packet from `source` to `destination`
 * with extension headers `headers` (§6.1.1): the Home Address option's address as the source,
 * a type 2 routing header's home address as the destination while it has segments left.
 */
export function mobilityChecksumAddresses(
  source: Uint8Array,
  destination: Uint8Array,
  headers: readonly Ipv6ExtensionHeader[],
): MobilityChecksumContext {
  let pseudoSource = source;
  let pseudoDestination = destination;
  for (const header of headers) {
    if (header.kind === 'destinationOptions') {
      for (const option of header.options) if (option.kind === 'homeAddress') pseudoSource = option.address;
    } else if (header.kind === 'routingType2' && header.segmentsLeft > 0) {
      pseudoDestination = header.homeAddress;
    }
  }
  return { source: pseudoSource, destination: pseudoDestination };
}

/**
 * Parse a whole Mobility Header (the upper-layer bytes; anything after Header Len is ignored).
 * With a context the checksum is verified first.
 */
export function parseMobilityHeader(bytes: Uint8Array, context: MobilityChecksumContext | null): MobilityHeaderRepr | WireError {
  const view = MobilityHeaderView.check(bytes);
  if (!(view instanceof MobilityHeaderView)) return view;
  if (context !== null && !view.isChecksumValid(context)) return wireError('badChecksum');
  const data = view.messageData;
  const kind = KIND_OF_TYPE[view.mhType];
  if (kind === undefined) return { payloadProto: view.payloadProto, message: { kind: 'other', type: view.mhType, data }, options: [] };
  const fixed = FIXED_LENGTH[kind];
  if (data.length < fixed) return wireError('badLength');
  const options = parseMobilityOptions(data.subarray(fixed));
  if (!Array.isArray(options)) return options;
  return { payloadProto: view.payloadProto, message: parseMessage(kind, data), options };
}

function parseMessage(kind: Exclude<MobilityMessage['kind'], 'other'>, data: Uint8Array): MobilityMessage {
  switch (kind) {
    case 'bindingRefreshRequest':
      return { kind };
    case 'homeTestInit':
    case 'careOfTestInit':
      return { kind, cookie: data.subarray(2, 10) };
    case 'homeTest':
    case 'careOfTest':
      return { kind, nonceIndex: readU16(data, 0), cookie: data.subarray(2, 10), keygenToken: data.subarray(10, 18) };
    case 'bindingUpdate': {
      const flags = readU16(data, 2);
      return {
        kind,
        sequence: readU16(data, 0),
        acknowledge: (flags & BINDING_UPDATE_ACKNOWLEDGE) !== 0,
        homeRegistration: (flags & BINDING_UPDATE_HOME_REGISTRATION) !== 0,
        linkLocalCompatibility: (flags & BINDING_UPDATE_LINK_LOCAL_COMPATIBILITY) !== 0,
        keyManagement: (flags & BINDING_UPDATE_KEY_MANAGEMENT) !== 0,
        overwrite: (flags & BINDING_UPDATE_OVERWRITE) !== 0,
        otherFlags: flags & ~BINDING_UPDATE_NAMED_FLAGS & 0xffff,
        lifetime: readU16(data, 4),
      };
    }
    case 'bindingAcknowledgement':
      return {
        kind,
        status: data[0] ?? 0,
        keyManagement: ((data[1] ?? 0) & BINDING_ACK_KEY_MANAGEMENT) !== 0,
        sequence: readU16(data, 2),
        lifetime: readU16(data, 4),
      };
    case 'bindingError':
      return { kind, status: data[0] ?? 0, homeAddress: data.subarray(2, 18) };
  }
}

/** Walk mobility options (TLVs after a message's fixed part). Padding is kept as options. */
export function parseMobilityOptions(bytes: Uint8Array): MobilityOption[] | WireError {
  return walkTlvOptions(bytes, parseOption, MAX_MOBILITY_OPTIONS);
}

/** One option other than padding; a known type of a length it cannot have is kept as `other`. */
function parseOption(type: number, data: Uint8Array): MobilityOption {
  switch (type) {
    case MobilityOptionType.bindingRefreshAdvice:
      if (data.length === 2) return { kind: 'bindingRefreshAdvice', interval: readU16(data, 0) };
      break;
    case MobilityOptionType.alternateCareOfAddress:
      if (data.length === 16) return { kind: 'alternateCareOfAddress', address: data };
      break;
    case MobilityOptionType.nonceIndices:
      if (data.length === 4) return { kind: 'nonceIndices', homeNonceIndex: readU16(data, 0), careOfNonceIndex: readU16(data, 2) };
      break;
    case MobilityOptionType.bindingAuthorizationData:
      return { kind: 'bindingAuthorizationData', authenticator: data };
    case MobilityOptionType.bindingIdentifier: {
      if (data.length !== 4 && data.length !== 8 && data.length !== 20) break;
      const flags = data[3] ?? 0;
      return {
        kind: 'bindingIdentifier',
        bindingId: readU16(data, 0),
        status: data[2] ?? 0,
        simultaneousHomeAndForeign: (flags & BID_SIMULTANEOUS_HOME_FOREIGN) !== 0,
        priority: flags & 0x7f,
        ...(data.length > 4 ? { careOfAddress: data.subarray(4) } : {}),
      };
    }
  }
  return { kind: 'other', type, data };
}

/** Bytes one option takes. */
export function mobilityOptionLength(option: MobilityOption): number {
  switch (option.kind) {
    case 'pad1':
      return 1;
    case 'padN':
    case 'other':
      return 2 + option.data.length;
    case 'bindingRefreshAdvice':
      return 4;
    case 'alternateCareOfAddress':
      return 18;
    case 'nonceIndices':
      return 6;
    case 'bindingAuthorizationData':
      return 2 + option.authenticator.length;
    case 'bindingIdentifier':
      return 6 + (option.careOfAddress?.length ?? 0);
  }
}

function optionsLength(options: readonly MobilityOption[]): number {
  let length = 0;
  for (const option of options) length += mobilityOptionLength(option);
  return length;
}

/** The fixed part of a message after the MH's first 6 bytes. */
function fixedLength(message: MobilityMessage): number {
  return message.kind === 'other' ? message.data.length : FIXED_LENGTH[message.kind];
}

/** Bytes the message takes on the wire (a multiple of 8). */
export function mobilityHeaderBufferLen(repr: MobilityHeaderRepr): number {
  return (MESSAGE_DATA + fixedLength(repr.message) + optionsLength(repr.options) + 7) & ~7;
}

/** §6.2's alignment of each option as (multiple, remainder) relative to the MH's start. */
function alignmentOf(option: MobilityOption): [number, number] | null {
  switch (option.kind) {
    case 'alternateCareOfAddress':
      return [8, 6];
    case 'bindingAuthorizationData':
      return [8, 2];
    case 'bindingRefreshAdvice':
    case 'nonceIndices':
    case 'bindingIdentifier':
      return [2, 0];
    default:
      return null;
  }
}


/**
 * `options` for `message` with Pad1/PadN inserted so that each one sits on its §6.2 alignment
 * (the MH's start being offset 0), as a sender lays them out.
 */
export function alignMobilityOptions(message: MobilityMessage, options: readonly MobilityOption[]): MobilityOption[] {
  const aligned: MobilityOption[] = [];
  let at = MESSAGE_DATA + fixedLength(message);
  for (const option of options) {
    const alignment = alignmentOf(option);
    if (alignment !== null) {
      const [multiple, remainder] = alignment;
      const missing = (((remainder - at) % multiple) + multiple) % multiple;
      for (const pad of tlvPadding(missing)) aligned.push(pad);
      at += missing;
    }
    aligned.push(option);
    at += mobilityOptionLength(option);
  }
  return aligned;
}

/**
 * Write the message at `offset` with its checksum over `context` (see mobilityChecksumAddresses);
 * options are padded to the message's 8-octet multiple. Returns the bytes written.
 */
export function emitMobilityHeader(repr: MobilityHeaderRepr, buf: Uint8Array, offset: number, context: MobilityChecksumContext): number {
  const length = mobilityHeaderBufferLen(repr);
  const bytes = buf.subarray(offset, offset + length);
  bytes.fill(0);
  const view = MobilityHeaderView.over(bytes);
  view.payloadProto = repr.payloadProto;
  view.headerLength = length / 8 - 1;
  view.mhType = mhTypeOf(repr.message);
  emitMessage(repr.message, bytes.subarray(MESSAGE_DATA));
  let at = MESSAGE_DATA + fixedLength(repr.message);
  const trailing = length - at - optionsLength(repr.options);
  for (const option of [...repr.options, ...tlvPadding(trailing)]) at += emitOption(option, bytes, at);
  view.fillChecksum(context);
  return length;
}

function mhTypeOf(message: MobilityMessage): number {
  return message.kind === 'other' ? message.type : MobilityHeaderType[message.kind];
}

function emitMessage(message: MobilityMessage, data: Uint8Array): void {
  switch (message.kind) {
    case 'bindingRefreshRequest':
      return;
    case 'homeTestInit':
    case 'careOfTestInit':
      data.set(message.cookie.subarray(0, 8), 2);
      return;
    case 'homeTest':
    case 'careOfTest':
      writeU16(data, 0, message.nonceIndex);
      data.set(message.cookie.subarray(0, 8), 2);
      data.set(message.keygenToken.subarray(0, 8), 10);
      return;
    case 'bindingUpdate': {
      const flags =
        (message.acknowledge ? BINDING_UPDATE_ACKNOWLEDGE : 0) |
        (message.homeRegistration ? BINDING_UPDATE_HOME_REGISTRATION : 0) |
        (message.linkLocalCompatibility ? BINDING_UPDATE_LINK_LOCAL_COMPATIBILITY : 0) |
        (message.keyManagement ? BINDING_UPDATE_KEY_MANAGEMENT : 0) |
        (message.overwrite ? BINDING_UPDATE_OVERWRITE : 0) |
        (message.otherFlags & ~BINDING_UPDATE_NAMED_FLAGS);
      writeU16(data, 0, message.sequence);
      writeU16(data, 2, flags);
      writeU16(data, 4, message.lifetime);
      return;
    }
    case 'bindingAcknowledgement':
      data[0] = message.status;
      data[1] = message.keyManagement ? BINDING_ACK_KEY_MANAGEMENT : 0;
      writeU16(data, 2, message.sequence);
      writeU16(data, 4, message.lifetime);
      return;
    case 'bindingError':
      data[0] = message.status;
      data.set(message.homeAddress.subarray(0, 16), 2);
      return;
    case 'other':
      data.set(message.data, 0);
      return;
  }
}

function emitOption(option: MobilityOption, bytes: Uint8Array, at: number): number {
  if (option.kind === 'pad1') {
    bytes[at] = MobilityOptionType.pad1;
    return 1;
  }
  const length = mobilityOptionLength(option);
  bytes[at] = option.kind === 'other' ? option.type : MobilityOptionType[option.kind];
  bytes[at + 1] = length - 2;
  const data = bytes.subarray(at + 2, at + length);
  switch (option.kind) {
    case 'padN':
    case 'other':
      data.set(option.data);
      break;
    case 'bindingRefreshAdvice':
      writeU16(data, 0, option.interval);
      break;
    case 'alternateCareOfAddress':
      data.set(option.address.subarray(0, 16));
      break;
    case 'nonceIndices':
      writeU16(data, 0, option.homeNonceIndex);
      writeU16(data, 2, option.careOfNonceIndex);
      break;
    case 'bindingAuthorizationData':
      data.set(option.authenticator);
      break;
    case 'bindingIdentifier':
      writeU16(data, 0, option.bindingId);
      data[2] = option.status;
      data[3] = (option.simultaneousHomeAndForeign ? BID_SIMULTANEOUS_HOME_FOREIGN : 0) | (option.priority & 0x7f);
      if (option.careOfAddress !== undefined) data.set(option.careOfAddress, 4);
      break;
  }
  return length;
}

/** Whether a BA status means the binding was accepted (below 128, §6.1.8). */
export function isBindingAccepted(status: number): boolean {
  return status < 128;
}

const TCPDUMP_NAMES = ['BRR', 'HoTI', 'CoTI', 'HoT', 'CoT', 'BU', 'BA', 'BE'];

/**
 * A Mobility Header as `tcpdump -n` (4.99.3, mobility_print without -v) writes it:
 * `mobility: BU seq#=7 AH lifetime=1000`, `mobility: BA status=0 seq#=7 lifetime=1000`,
 * `mobility: BE status=2 homeaddr ADDR`, `mobility: HoT nonce id=0x1234`, `mobility: type-#N`.
 * A message shorter than its header or its type's fixed part is `[malformed: truncated mobility header]`
 * (tcpdump: `[|mobility]`).
 */
export function describeMobilityMessage(bytes: Uint8Array): string {
  const view = MobilityHeaderView.check(bytes);
  const kind = view instanceof MobilityHeaderView ? KIND_OF_TYPE[view.mhType] : undefined;
  if (!(view instanceof MobilityHeaderView) || (kind !== undefined && view.messageData.length < FIXED_LENGTH[kind])) {
    return '[malformed: truncated mobility header]';
  }
  const data = view.messageData;
  const name = TCPDUMP_NAMES[view.mhType] ?? `type-#${view.mhType}`;
  switch (kind) {
    case 'homeTest':
    case 'careOfTest':
      return `mobility: ${name} nonce id=0x${readU16(data, 0).toString(16)}`;
    case 'bindingUpdate': {
      const flags = data[2] ?? 0;
      const letters = (flags & 0x80 ? 'A' : '') + (flags & 0x40 ? 'H' : '') + (flags & 0x20 ? 'L' : '') + (flags & 0x10 ? 'K' : '');
      return `mobility: BU seq#=${readU16(data, 0)}${letters === '' ? '' : ` ${letters}`} lifetime=${readU16(data, 4) * MOBILITY_LIFETIME_UNIT_SECONDS}`;
    }
    case 'bindingAcknowledgement':
      return `mobility: BA status=${data[0] ?? 0}${((data[1] ?? 0) & BINDING_ACK_KEY_MANAGEMENT) !== 0 ? ' K' : ''} seq#=${readU16(data, 2)} lifetime=${readU16(data, 4) * MOBILITY_LIFETIME_UNIT_SECONDS}`;
    case 'bindingError':
      return `mobility: BE status=${data[0] ?? 0} homeaddr ${formatIpv6(data, 2)}`;
    default:
      return `mobility: ${name}`;
  }
}
