/**
 * IPv6 extension headers (RFC 8200 §4): Hop-by-Hop Options (§4.3), Routing (§4.4, with the Mobile
 * IPv6 type 2 of RFC 6275 §6.4), Fragment (§4.5) and Destination Options (§4.6), their TLV
 * options Pad1/PadN (§4.2), Router Alert (RFC 2711) and the Home Address option (RFC 6275 §6.3),
 * and a bounded walk along a header chain.
 *
 * Covers: parse and emit of each header; options kept in order, padding included, so a header
 * re-emits byte for byte; a type 2 routing header whose length is the RFC's (Hdr Ext Len 2) as
 * `routingType2` with its home address, any other routing type (and a type 2 of another length)
 * as `routing` with the bytes after its first 4; the action an unrecognised option asks for
 * (§4.2, the two high bits of its type). Malformed input is a WireError: a header running past
 * the packet is `truncated`, an option running past its header `badOption`, a chain longer than
 * MAX_EXTENSION_HEADERS `tooManyExtensionHeaders`.
 *
 * The bound: a chain is walked through at most 8 extension headers. RFC 8200 §4.1's order has at
 * most 7 (Hop-by-Hop, Destination Options, Routing, Fragment, AH, ESP, Destination Options) and
 * each may occur once (Destination Options twice); Linux has no count of headers of its own
 * (ip6_input_finish follows next headers while the packet lasts) but caps the options in one
 * Hop-by-Hop or Destination Options header at 8 (net.ipv6.max_hbh_opts_number and
 * max_dst_opts_number, both 8 on Linux 6.18). Eight headers bound the work and the records for
 * any packet, including the 65535-byte one that could otherwise hold 8191 of them.
 *
 * Leaves out, to the stack: what a receiver does with the options (ip6_parse_tlv refuses more
 * than 8 non-padding options, more than 7 bytes of consecutive padding and a PadN that is not
 * zeros — the records keep what is needed to apply those rules), the order of the headers (a
 * Hop-by-Hop header not first is the stack's parameter problem), routing header processing,
 * reassembly, AH and ESP (the walk stops at them, as at any upper-layer protocol), the Jumbo
 * Payload option (kept as `other`). Addresses and data in records are subarrays of the input.
 */
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { IpProtocol } from './ipv4.js';
import { tlvPadding, walkTlvOptions } from './tlv-options.js';
import { wireError, type WireError } from './wire-error.js';

/** Hop-by-Hop / Destination Options option types (IANA "Destination Options and Hop-by-Hop Options"). */
export const Ipv6OptionType = {
  pad1: 0x00,
  padN: 0x01,
  routerAlert: 0x05,
  jumboPayload: 0xc2,
  homeAddress: 0xc9,
} as const;

/** Routing header types (IANA): 0 is deprecated (RFC 5095), 2 is Mobile IPv6's, 4 the SRH. */
export const RoutingType = { sourceRoute: 0, mobileIpv6: 2, segmentRouting: 4 } as const;

/** At most this many extension headers in one chain (see the module comment for why 8). */
export const MAX_EXTENSION_HEADERS = 8;

export const FRAGMENT_HEADER_LENGTH = 8;
const TYPE2_ROUTING_HEADER_LENGTH = 24;

export type Ipv6Option =
  | { kind: 'pad1' }
  /** PadN: `data` is the option's content (zeros when well formed; 0–5 bytes when aligning). */
  | { kind: 'padN'; data: Uint8Array }
  /** RFC 2711: 0 MLD, 1 RSVP, 2 active networks. */
  | { kind: 'routerAlert'; value: number }
  /** RFC 6275 §6.3: the mobile node's home address (a receiver swaps it with the source). */
  | { kind: 'homeAddress'; address: Uint8Array }
  | { kind: 'other'; type: number; data: Uint8Array };

export type Ipv6ExtensionHeader =
  | { kind: 'hopByHop' | 'destinationOptions'; nextHeader: number; options: Ipv6Option[] }
  | {
      kind: 'routing';
      nextHeader: number;
      routingType: number;
      segmentsLeft: number;
      /** Everything after the first 4 bytes (type-specific data), a multiple of 8 plus 4 bytes. */
      data: Uint8Array;
    }
  /** RFC 6275 §6.4: one address, the home address; segments left is 1 when well formed. */
  | { kind: 'routingType2'; nextHeader: number; segmentsLeft: number; homeAddress: Uint8Array }
  | {
      kind: 'fragment';
      nextHeader: number;
      /** In bytes (a multiple of 8). */
      fragmentOffset: number;
      moreFragments: boolean;
      identification: number;
    };

/** The protocol number (next header value) that announces each kind of header. */
export const EXTENSION_HEADER_PROTOCOL: { readonly [K in Ipv6ExtensionHeader['kind']]: number } = {
  hopByHop: IpProtocol.hopByHop,
  destinationOptions: IpProtocol.destinationOptions,
  routing: IpProtocol.routing,
  routingType2: IpProtocol.routing,
  fragment: IpProtocol.fragment,
};

/** Whether `protocol` is an extension header this module walks through (0, 43, 44, 60). */
export function isWalkedExtensionHeader(protocol: number): boolean {
  return (
    protocol === IpProtocol.hopByHop ||
    protocol === IpProtocol.routing ||
    protocol === IpProtocol.fragment ||
    protocol === IpProtocol.destinationOptions
  );
}

/** What RFC 8200 §4.2 asks of a node that does not recognise an option, by its type's two high bits. */
export type UnrecognizedOptionAction = 'skip' | 'discard' | 'discardAndSendParameterProblem' | 'discardAndSendParameterProblemUnlessMulticast';

export function unrecognizedOptionAction(type: number): UnrecognizedOptionAction {
  switch (type >>> 6) {
    case 0:
      return 'skip';
    case 1:
      return 'discard';
    case 2:
      return 'discardAndSendParameterProblem';
    default:
      return 'discardAndSendParameterProblemUnlessMulticast';
  }
}

/** Whether an option's data may change en route (the third bit of its type; RFC 8200 §4.2). */
export function isOptionDataMutable(type: number): boolean {
  return (type & 0x20) !== 0;
}

/** A view over one extension header, checked to be wholly present. Fields of other kinds read whatever is at their offset. */
export class Ipv6ExtensionHeaderView {
  private constructor(readonly bytes: Uint8Array) {}

  /** `protocol` says which header this is (a Fragment header has no length field: always 8 bytes). */
  static check(bytes: Uint8Array, protocol: number): Ipv6ExtensionHeaderView | WireError {
    if (bytes.length < 8) return wireError('truncated');
    const view = new Ipv6ExtensionHeaderView(bytes);
    if (bytes.length < view.headerLengthAs(protocol)) return wireError('truncated');
    return view;
  }

  static over(bytes: Uint8Array): Ipv6ExtensionHeaderView {
    return new Ipv6ExtensionHeaderView(bytes);
  }

  get nextHeader(): number {
    return this.bytes[0] ?? 0;
  }
  set nextHeader(value: number) {
    this.bytes[0] = value;
  }
  /** Hdr Ext Len: 8-byte units after the first 8 (reserved in a Fragment header). */
  get headerExtensionLength(): number {
    return this.bytes[1] ?? 0;
  }
  set headerExtensionLength(value: number) {
    this.bytes[1] = value;
  }
  /** The header's length in bytes, for a header announced by `protocol`. */
  headerLengthAs(protocol: number): number {
    return protocol === IpProtocol.fragment ? FRAGMENT_HEADER_LENGTH : (this.headerExtensionLength + 1) * 8;
  }
  /** Hop-by-Hop / Destination Options: the option bytes. */
  get options(): Uint8Array {
    return this.bytes.subarray(2, (this.headerExtensionLength + 1) * 8);
  }
  /** Routing: the routing type. */
  get routingType(): number {
    return this.bytes[2] ?? 0;
  }
  set routingType(value: number) {
    this.bytes[2] = value;
  }
  /** Routing: segments left. */
  get segmentsLeft(): number {
    return this.bytes[3] ?? 0;
  }
  set segmentsLeft(value: number) {
    this.bytes[3] = value;
  }
  /** Fragment: the offset and M flag word (offset in 8-byte units in the high 13 bits). */
  get fragmentWord(): number {
    return readU16(this.bytes, 2);
  }
  set fragmentWord(value: number) {
    writeU16(this.bytes, 2, value);
  }
  /** Fragment: in bytes. */
  get fragmentOffset(): number {
    return this.fragmentWord & 0xfff8;
  }
  get moreFragments(): boolean {
    return (this.fragmentWord & 1) !== 0;
  }
  get identification(): number {
    return readU32(this.bytes, 4);
  }
  set identification(value: number) {
    writeU32(this.bytes, 4, value);
  }
}

/** Parse the extension header announced by `protocol` at the start of `bytes` (0, 43, 44 or 60). */
export function parseIpv6ExtensionHeader(bytes: Uint8Array, protocol: number): Ipv6ExtensionHeader | WireError {
  if (!isWalkedExtensionHeader(protocol)) return wireError('unsupported');
  const view = Ipv6ExtensionHeaderView.check(bytes, protocol);
  if (!(view instanceof Ipv6ExtensionHeaderView)) return view;
  const nextHeader = view.nextHeader;
  switch (protocol) {
    case IpProtocol.fragment:
      return {
        kind: 'fragment',
        nextHeader,
        fragmentOffset: view.fragmentOffset,
        moreFragments: view.moreFragments,
        identification: view.identification,
      };
    case IpProtocol.routing: {
      const length = view.headerLengthAs(protocol);
      if (view.routingType === RoutingType.mobileIpv6 && length === TYPE2_ROUTING_HEADER_LENGTH) {
        return { kind: 'routingType2', nextHeader, segmentsLeft: view.segmentsLeft, homeAddress: bytes.subarray(8, 24) };
      }
      return { kind: 'routing', nextHeader, routingType: view.routingType, segmentsLeft: view.segmentsLeft, data: bytes.subarray(4, length) };
    }
    default: {
      const options = parseIpv6Options(view.options);
      if (!Array.isArray(options)) return options;
      return { kind: protocol === IpProtocol.hopByHop ? 'hopByHop' : 'destinationOptions', nextHeader, options };
    }
  }
}

/**
 * Walk the TLV options of a Hop-by-Hop or Destination Options header (the bytes after its first
 * two). An option whose length runs past the end is `badOption`. Padding is kept as options.
 */
export function parseIpv6Options(bytes: Uint8Array): Ipv6Option[] | WireError {
  // No count of their own: the stack applies Linux's 8 (max_hbh_opts_number, max_dst_opts_number).
  return walkTlvOptions(bytes, parseIpv6Option);
}

/** One option other than padding; a known type of a length it cannot have is kept as `other`. */
function parseIpv6Option(type: number, data: Uint8Array): Ipv6Option {
  if (type === Ipv6OptionType.routerAlert && data.length === 2) return { kind: 'routerAlert', value: readU16(data, 0) };
  if (type === Ipv6OptionType.homeAddress && data.length === 16) return { kind: 'homeAddress', address: data };
  return { kind: 'other', type, data };
}

/** Bytes one option takes. */
export function ipv6OptionLength(option: Ipv6Option): number {
  switch (option.kind) {
    case 'pad1':
      return 1;
    case 'padN':
    case 'other':
      return 2 + option.data.length;
    case 'routerAlert':
      return 4;
    case 'homeAddress':
      return 18;
  }
}

function optionsLength(options: readonly Ipv6Option[]): number {
  let length = 0;
  for (const option of options) length += ipv6OptionLength(option);
  return length;
}

/**
 * `options` followed by the padding that makes a Hop-by-Hop or Destination Options header of them
 * a multiple of 8 bytes (Pad1 for one byte, PadN of zeros otherwise), as emit writes it.
 */
export function padIpv6Options(options: readonly Ipv6Option[]): Ipv6Option[] {
  const missing = (8 - ((2 + optionsLength(options)) % 8)) % 8;
  return [...options, ...tlvPadding(missing)];
}

/** Bytes the header takes on the wire (options padded to a multiple of 8). */
export function ipv6ExtensionHeaderLength(header: Ipv6ExtensionHeader): number {
  switch (header.kind) {
    case 'hopByHop':
    case 'destinationOptions':
      return (2 + optionsLength(header.options) + 7) & ~7;
    case 'routing':
      return (4 + header.data.length + 7) & ~7;
    case 'routingType2':
      return TYPE2_ROUTING_HEADER_LENGTH;
    case 'fragment':
      return FRAGMENT_HEADER_LENGTH;
  }
}

/**
 * Write one header at `offset`; returns its length. Options that do not fill a multiple of 8 are
 * followed by padding (padIpv6Options); reserved fields are written as zero.
 */
export function emitIpv6ExtensionHeader(header: Ipv6ExtensionHeader, buf: Uint8Array, offset: number): number {
  const length = ipv6ExtensionHeaderLength(header);
  const bytes = buf.subarray(offset, offset + length);
  const view = Ipv6ExtensionHeaderView.over(bytes);
  bytes.fill(0);
  view.nextHeader = header.nextHeader;
  view.headerExtensionLength = length / 8 - 1;
  switch (header.kind) {
    case 'hopByHop':
    case 'destinationOptions': {
      let at = 2;
      for (const option of padIpv6Options(header.options)) at += emitOption(option, bytes, at);
      break;
    }
    case 'routing':
      view.routingType = header.routingType;
      view.segmentsLeft = header.segmentsLeft;
      bytes.set(header.data, 4);
      break;
    case 'routingType2':
      view.routingType = RoutingType.mobileIpv6;
      view.segmentsLeft = header.segmentsLeft;
      bytes.set(header.homeAddress.subarray(0, 16), 8);
      break;
    case 'fragment':
      view.headerExtensionLength = 0;
      view.fragmentWord = (header.fragmentOffset & 0xfff8) | (header.moreFragments ? 1 : 0);
      view.identification = header.identification;
      break;
  }
  return length;
}

function emitOption(option: Ipv6Option, bytes: Uint8Array, at: number): number {
  switch (option.kind) {
    case 'pad1':
      bytes[at] = Ipv6OptionType.pad1;
      return 1;
    case 'padN':
    case 'other':
      bytes[at] = option.kind === 'padN' ? Ipv6OptionType.padN : option.type;
      bytes[at + 1] = option.data.length;
      bytes.set(option.data, at + 2);
      return 2 + option.data.length;
    case 'routerAlert':
      bytes[at] = Ipv6OptionType.routerAlert;
      bytes[at + 1] = 2;
      writeU16(bytes, at + 2, option.value);
      return 4;
    case 'homeAddress':
      bytes[at] = Ipv6OptionType.homeAddress;
      bytes[at + 1] = 16;
      bytes.set(option.address.subarray(0, 16), at + 2);
      return 18;
  }
}

/** Write a chain of headers at `offset`; returns the bytes written. Each header's nextHeader is the caller's. */
export function emitIpv6ExtensionHeaders(headers: readonly Ipv6ExtensionHeader[], buf: Uint8Array, offset: number): number {
  let at = offset;
  for (const header of headers) at += emitIpv6ExtensionHeader(header, buf, at);
  return at - offset;
}

export interface Ipv6HeaderChain {
  /** The extension headers in order. */
  headers: Ipv6ExtensionHeader[];
  /** Where each header starts in the walked bytes (for a parameter problem's pointer, add 40). */
  offsets: number[];
  /** The protocol after the last extension header (59: no next header). */
  upperLayerProtocol: number;
  /** Where the upper-layer data starts in the walked bytes. */
  upperLayerOffset: number;
  /** A fragment other than the first: what follows its Fragment header is not headers but data. */
  isLaterFragment: boolean;
}

/**
 * Walk the extension headers from `nextHeader` (the fixed header's) over `payload` (the IPv6
 * payload), through at most MAX_EXTENSION_HEADERS of them, stopping at the first protocol that is
 * not Hop-by-Hop, Routing, Fragment or Destination Options, or after a Fragment header with a
 * non-zero offset.
 */
export function walkIpv6ExtensionHeaders(nextHeader: number, payload: Uint8Array): Ipv6HeaderChain | WireError {
  const headers: Ipv6ExtensionHeader[] = [];
  const offsets: number[] = [];
  let protocol = nextHeader;
  let offset = 0;
  while (isWalkedExtensionHeader(protocol)) {
    if (headers.length === MAX_EXTENSION_HEADERS) return wireError('tooManyExtensionHeaders');
    const bytes = payload.subarray(offset);
    const header = parseIpv6ExtensionHeader(bytes, protocol);
    if ('error' in header) return header;
    headers.push(header);
    offsets.push(offset);
    offset += Ipv6ExtensionHeaderView.over(bytes).headerLengthAs(protocol);
    protocol = header.nextHeader;
    if (header.kind === 'fragment' && header.fragmentOffset !== 0) {
      return { headers, offsets, upperLayerProtocol: protocol, upperLayerOffset: offset, isLaterFragment: true };
    }
  }
  return { headers, offsets, upperLayerProtocol: protocol, upperLayerOffset: offset, isLaterFragment: false };
}
