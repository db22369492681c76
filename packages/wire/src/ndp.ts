/**
 * Neighbor Discovery for IPv6 (RFC 4861 §4): the bodies of Router Solicitation, Router
 * Advertisement, Neighbor Solicitation, Neighbor Advertisement and Redirect, and their options.
 *
 * Covers: every fixed field of the five messages (the RA flags M, O, H (RFC 6275 §7.1), the router
 * preference (RFC 4191 §2.2) and P (RFC 4389); the NA flags R, S, O); the options source and
 * target link-layer address (§4.6.1), prefix information (§4.6.2, with the R flag of RFC 6275
 * §7.2), redirected header (§4.6.3), MTU (§4.6.4), and the Mobile IPv6 advertisement interval and
 * home agent information (RFC 6275 §7.3, §7.4). Any other option (and a known one whose length
 * does not fit its layout, e.g. prefix information that is not 32 bytes) is kept as `other` with
 * its bytes, which RFC 4861 §4.6 says a receiver ignores. Options are walked as Linux's
 * ndisc_parse_options walks them: a length of 0 or an option running past the message is
 * `badOption` (the whole message is dropped).
 *
 * Reserved bits and bytes are ignored on parse and written as zero. The type, code and checksum
 * are icmpv6.ts's; this module reads and writes from byte 4 of the ICMPv6 message on. Validity
 * checks that need the IP header (hop limit 255, the source of an RA being link-local, …) are
 * the stack's (ndisc_rcv). Addresses and option bytes in records are subarrays of the input (no
 * copy): keep a copy (`slice()`) of what you store. Leaves out: SEND (RFC 3971) options, the
 * nonce (RFC 3971 §5.3.2), route information (RFC 4191), RDNSS (RFC 8106) — all `other`.
 */
import { readU16, readU32, writeU16, writeU32, placeBytes } from './bytes.js';
import { wireError, type WireError } from './wire-error.js';

/** NDP option types (IANA "IPv6 Neighbor Discovery Option Formats"). */
export const NdpOptionType = {
  sourceLinkLayerAddress: 1,
  targetLinkLayerAddress: 2,
  prefixInformation: 3,
  redirectedHeader: 4,
  mtu: 5,
  advertisementInterval: 7,
  homeAgentInformation: 8,
} as const;

/** The RFC 4191 router preference, by its 2-bit value (`reserved` is read as medium by hosts). */
export type RouterPreference = 'medium' | 'high' | 'reserved' | 'low';
const PREFERENCES: readonly RouterPreference[] = ['medium', 'high', 'reserved', 'low'];

export type NdpOption =
  /** Link-layer address: the option's bytes after type and length (6 for Ethernet, length 1). */
  | { kind: 'sourceLinkLayerAddress' | 'targetLinkLayerAddress'; address: Uint8Array }
  | {
      kind: 'prefixInformation';
      prefixLength: number;
      /** L: the prefix is on-link. */
      onLink: boolean;
      /** A: usable for stateless address autoconfiguration. */
      autonomous: boolean;
      /** R (RFC 6275 §7.2): `prefix` is the router's whole address. */
      routerAddress: boolean;
      /** Seconds; 0xffffffff is infinity. */
      validLifetime: number;
      /** Seconds; 0xffffffff is infinity. */
      preferredLifetime: number;
      prefix: Uint8Array;
    }
  /** The start of the redirected packet, a multiple of 8 bytes (emit pads with zero). */
  | { kind: 'redirectedHeader'; packet: Uint8Array }
  | { kind: 'mtu'; mtu: number }
  /** Milliseconds between unsolicited RAs (RFC 6275 §7.3). */
  | { kind: 'advertisementInterval'; interval: number }
  /** Preference (signed 16 bits) and lifetime in seconds (RFC 6275 §7.4). */
  | { kind: 'homeAgentInformation'; preference: number; lifetime: number }
  /** Any other option: the bytes after type and length (length × 8 − 2 of them). */
  | { kind: 'other'; type: number; data: Uint8Array };

export type NdpRepr =
  | { kind: 'routerSolicitation'; options: NdpOption[] }
  | {
      kind: 'routerAdvertisement';
      /** 0: unspecified. */
      currentHopLimit: number;
      /** M: addresses from DHCPv6. */
      managed: boolean;
      /** O: other configuration from DHCPv6. */
      otherConfiguration: boolean;
      /** H (RFC 6275 §7.1): the router is a home agent. */
      homeAgent: boolean;
      preference: RouterPreference;
      /** P (RFC 4389): proxied. */
      proxy: boolean;
      /** Seconds; 0: not a default router. */
      routerLifetime: number;
      /** Milliseconds; 0: unspecified. */
      reachableTime: number;
      /** Milliseconds; 0: unspecified. */
      retransmitTimer: number;
      options: NdpOption[];
    }
  | { kind: 'neighbourSolicitation'; target: Uint8Array; options: NdpOption[] }
  | {
      kind: 'neighbourAdvertisement';
      router: boolean;
      solicited: boolean;
      override: boolean;
      target: Uint8Array;
      options: NdpOption[];
    }
  | { kind: 'redirect'; target: Uint8Array; destination: Uint8Array; options: NdpOption[] };

export type NdpKind = NdpRepr['kind'];

/** Bytes before the options, from the start of the ICMPv6 message (RFC 4861 §4.1–§4.5). */
export const NDP_FIXED_LENGTH: { readonly [K in NdpKind]: number } = {
  routerSolicitation: 8,
  routerAdvertisement: 16,
  neighbourSolicitation: 24,
  neighbourAdvertisement: 24,
  redirect: 40,
};

// Offsets in the ICMPv6 message.
const CUR_HOP_LIMIT = 4;
const RA_FLAGS = 5;
const ROUTER_LIFETIME = 6;
const REACHABLE_TIME = 8;
const RETRANS_TIMER = 12;
const NA_FLAGS = 4;
const TARGET = 8;
const REDIRECT_DESTINATION = 24;

const RA_MANAGED = 0x80;
const RA_OTHER = 0x40;
const RA_HOME_AGENT = 0x20;
const RA_PROXY = 0x04;
const NA_ROUTER = 0x80;
const NA_SOLICITED = 0x40;
const NA_OVERRIDE = 0x20;
const PI_ON_LINK = 0x80;
const PI_AUTONOMOUS = 0x40;
const PI_ROUTER_ADDRESS = 0x20;

const PREFIX_INFORMATION_LENGTH = 32;

/**
 * A view over an NDP message (the whole ICMPv6 message), checked to hold its fixed part. Fields
 * that belong to one message type read whatever is at their offset in another.
 */
export class NdpMessageView {
  private constructor(
    readonly bytes: Uint8Array,
    readonly fixedLength: number,
  ) {}

  static check(bytes: Uint8Array, kind: NdpKind): NdpMessageView | WireError {
    const fixedLength = NDP_FIXED_LENGTH[kind];
    if (bytes.length < fixedLength) return wireError('truncated');
    return new NdpMessageView(bytes, fixedLength);
  }

  static over(bytes: Uint8Array, kind: NdpKind): NdpMessageView {
    return new NdpMessageView(bytes, NDP_FIXED_LENGTH[kind]);
  }

  /** RA: Cur Hop Limit. */
  get currentHopLimit(): number {
    return this.bytes[CUR_HOP_LIMIT] ?? 0;
  }
  set currentHopLimit(value: number) {
    this.bytes[CUR_HOP_LIMIT] = value;
  }
  /** RA: the flags byte (M O H Prf Prf P reserved). */
  get routerFlags(): number {
    return this.bytes[RA_FLAGS] ?? 0;
  }
  set routerFlags(value: number) {
    this.bytes[RA_FLAGS] = value;
  }
  /** RA: seconds. */
  get routerLifetime(): number {
    return readU16(this.bytes, ROUTER_LIFETIME);
  }
  set routerLifetime(value: number) {
    writeU16(this.bytes, ROUTER_LIFETIME, value);
  }
  /** RA: milliseconds. */
  get reachableTime(): number {
    return readU32(this.bytes, REACHABLE_TIME);
  }
  set reachableTime(value: number) {
    writeU32(this.bytes, REACHABLE_TIME, value);
  }
  /** RA: milliseconds. */
  get retransmitTimer(): number {
    return readU32(this.bytes, RETRANS_TIMER);
  }
  set retransmitTimer(value: number) {
    writeU32(this.bytes, RETRANS_TIMER, value);
  }
  /** NA: the 32-bit word of flags R S O and reserved bits. */
  get neighbourFlags(): number {
    return readU32(this.bytes, NA_FLAGS);
  }
  set neighbourFlags(value: number) {
    writeU32(this.bytes, NA_FLAGS, value);
  }
  /** NS, NA, redirect: the target address. */
  get target(): Uint8Array {
    return this.bytes.subarray(TARGET, TARGET + 16);
  }
  set target(address: Uint8Array) {
    this.bytes.set(address.subarray(0, 16), TARGET);
  }
  /** Redirect: the destination address. */
  get destination(): Uint8Array {
    return this.bytes.subarray(REDIRECT_DESTINATION, REDIRECT_DESTINATION + 16);
  }
  set destination(address: Uint8Array) {
    this.bytes.set(address.subarray(0, 16), REDIRECT_DESTINATION);
  }
  /** The option bytes after the fixed part. */
  get options(): Uint8Array {
    return this.bytes.subarray(this.fixedLength);
  }
}

/** Parse the body of an NDP message of `kind` (the whole ICMPv6 message; type/code/checksum already checked). */
export function parseNdpMessage(bytes: Uint8Array, kind: NdpKind): NdpRepr | WireError {
  const view = NdpMessageView.check(bytes, kind);
  if (!(view instanceof NdpMessageView)) return view;
  const options = parseNdpOptions(view.options);
  if (!Array.isArray(options)) return options;
  switch (kind) {
    case 'routerSolicitation':
      return { kind, options };
    case 'routerAdvertisement': {
      const flags = view.routerFlags;
      return {
        kind,
        currentHopLimit: view.currentHopLimit,
        managed: (flags & RA_MANAGED) !== 0,
        otherConfiguration: (flags & RA_OTHER) !== 0,
        homeAgent: (flags & RA_HOME_AGENT) !== 0,
        preference: PREFERENCES[(flags >>> 3) & 3] ?? 'medium',
        proxy: (flags & RA_PROXY) !== 0,
        routerLifetime: view.routerLifetime,
        reachableTime: view.reachableTime,
        retransmitTimer: view.retransmitTimer,
        options,
      };
    }
    case 'neighbourSolicitation':
      return { kind, target: view.target, options };
    case 'neighbourAdvertisement': {
      const flags = bytes[NA_FLAGS] ?? 0;
      return {
        kind,
        router: (flags & NA_ROUTER) !== 0,
        solicited: (flags & NA_SOLICITED) !== 0,
        override: (flags & NA_OVERRIDE) !== 0,
        target: view.target,
        options,
      };
    }
    case 'redirect':
      return { kind, target: view.target, destination: view.destination, options };
  }
}

/** The whole ICMPv6 message length of an NDP record. */
export function ndpMessageLength(repr: NdpRepr): number {
  return NDP_FIXED_LENGTH[repr.kind] + ndpOptionsLength(repr.options);
}

/**
 * Write bytes 4 onwards of an NDP message (the fixed fields, reserved bytes zero, then the
 * options) into `message`, which starts at the ICMPv6 type byte and is ndpMessageLength long.
 */
export function emitNdpMessage(repr: NdpRepr, message: Uint8Array): void {
  const view = NdpMessageView.over(message, repr.kind);
  message.fill(0, 4, view.fixedLength);
  switch (repr.kind) {
    case 'routerSolicitation':
      break;
    case 'routerAdvertisement':
      view.currentHopLimit = repr.currentHopLimit;
      view.routerFlags =
        (repr.managed ? RA_MANAGED : 0) |
        (repr.otherConfiguration ? RA_OTHER : 0) |
        (repr.homeAgent ? RA_HOME_AGENT : 0) |
        (PREFERENCES.indexOf(repr.preference) << 3) |
        (repr.proxy ? RA_PROXY : 0);
      view.routerLifetime = repr.routerLifetime;
      view.reachableTime = repr.reachableTime;
      view.retransmitTimer = repr.retransmitTimer;
      break;
    case 'neighbourSolicitation':
      view.target = repr.target;
      break;
    case 'neighbourAdvertisement':
      message[NA_FLAGS] = (repr.router ? NA_ROUTER : 0) | (repr.solicited ? NA_SOLICITED : 0) | (repr.override ? NA_OVERRIDE : 0);
      view.target = repr.target;
      break;
    case 'redirect':
      view.target = repr.target;
      view.destination = repr.destination;
      break;
  }
  emitNdpOptions(repr.options, message, view.fixedLength);
}

// ---- options ----

/**
 * Walk the options (RFC 4861 §4.6): each is type, length in units of 8 bytes, data. A length of
 * 0, an option running past the end, or 1 byte left over is `badOption`, as ndisc_parse_options
 * refuses them. Option bytes in the records are subarrays of `bytes`.
 */
export function parseNdpOptions(bytes: Uint8Array): NdpOption[] | WireError {
  const options: NdpOption[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 2) return wireError('badOption');
    const type = bytes[offset] ?? 0;
    const length = (bytes[offset + 1] ?? 0) * 8;
    if (length === 0 || offset + length > bytes.length) return wireError('badOption');
    options.push(optionOf(type, bytes.subarray(offset, offset + length)));
    offset += length;
  }
  return options;
}

/** One option from its bytes (type, length, data; length × 8 of them). */
function optionOf(type: number, option: Uint8Array): NdpOption {
  const length = option.length;
  switch (type) {
    case NdpOptionType.sourceLinkLayerAddress:
      return { kind: 'sourceLinkLayerAddress', address: option.subarray(2) };
    case NdpOptionType.targetLinkLayerAddress:
      return { kind: 'targetLinkLayerAddress', address: option.subarray(2) };
    case NdpOptionType.prefixInformation:
      if (length !== PREFIX_INFORMATION_LENGTH) break;
      return {
        kind: 'prefixInformation',
        prefixLength: option[2] ?? 0,
        onLink: ((option[3] ?? 0) & PI_ON_LINK) !== 0,
        autonomous: ((option[3] ?? 0) & PI_AUTONOMOUS) !== 0,
        routerAddress: ((option[3] ?? 0) & PI_ROUTER_ADDRESS) !== 0,
        validLifetime: readU32(option, 4),
        preferredLifetime: readU32(option, 8),
        prefix: option.subarray(16, 32),
      };
    case NdpOptionType.redirectedHeader:
      return { kind: 'redirectedHeader', packet: option.subarray(8) };
    case NdpOptionType.mtu:
      if (length !== 8) break;
      return { kind: 'mtu', mtu: readU32(option, 4) };
    case NdpOptionType.advertisementInterval:
      if (length !== 8) break;
      return { kind: 'advertisementInterval', interval: readU32(option, 4) };
    case NdpOptionType.homeAgentInformation: {
      if (length !== 8) break;
      const preference = readU16(option, 4);
      return { kind: 'homeAgentInformation', preference: preference >= 0x8000 ? preference - 0x10000 : preference, lifetime: readU16(option, 6) };
    }
  }
  return { kind: 'other', type, data: option.subarray(2) };
}

/** Bytes one option takes on the wire (a multiple of 8). */
export function ndpOptionLength(option: NdpOption): number {
  switch (option.kind) {
    case 'sourceLinkLayerAddress':
    case 'targetLinkLayerAddress':
      return roundUp8(2 + option.address.length);
    case 'prefixInformation':
      return PREFIX_INFORMATION_LENGTH;
    case 'redirectedHeader':
      return 8 + roundUp8(option.packet.length);
    case 'mtu':
    case 'advertisementInterval':
    case 'homeAgentInformation':
      return 8;
    case 'other':
      return roundUp8(2 + option.data.length);
  }
}

function roundUp8(length: number): number {
  return (length + 7) & ~7;
}

export function ndpOptionsLength(options: readonly NdpOption[]): number {
  let length = 0;
  for (const option of options) length += ndpOptionLength(option);
  return length;
}

/** Write the options at `offset` (padding and reserved bytes zero); returns the bytes written. */
export function emitNdpOptions(options: readonly NdpOption[], buf: Uint8Array, offset: number): number {
  const start = offset;
  for (const option of options) {
    const length = ndpOptionLength(option);
    // A redirected packet may already sit in place: zero only around it.
    if (option.kind === 'redirectedHeader') {
      buf.fill(0, offset, offset + 8);
      buf.fill(0, offset + 8 + option.packet.length, offset + length);
    } else {
      buf.fill(0, offset, offset + length);
    }
    buf[offset + 1] = length / 8;
    switch (option.kind) {
      case 'sourceLinkLayerAddress':
      case 'targetLinkLayerAddress':
        buf[offset] = NdpOptionType[option.kind];
        buf.set(option.address, offset + 2);
        break;
      case 'prefixInformation':
        buf[offset] = NdpOptionType.prefixInformation;
        buf[offset + 2] = option.prefixLength;
        buf[offset + 3] =
          (option.onLink ? PI_ON_LINK : 0) | (option.autonomous ? PI_AUTONOMOUS : 0) | (option.routerAddress ? PI_ROUTER_ADDRESS : 0);
        writeU32(buf, offset + 4, option.validLifetime);
        writeU32(buf, offset + 8, option.preferredLifetime);
        buf.set(option.prefix.subarray(0, 16), offset + 16);
        break;
      case 'redirectedHeader':
        buf[offset] = NdpOptionType.redirectedHeader;
        placeBytes(buf, offset + 8, option.packet);
        break;
      case 'mtu':
      case 'advertisementInterval':
        buf[offset] = NdpOptionType[option.kind];
        writeU32(buf, offset + 4, option.kind === 'mtu' ? option.mtu : option.interval);
        break;
      case 'homeAgentInformation':
        buf[offset] = NdpOptionType.homeAgentInformation;
        writeU16(buf, offset + 4, option.preference & 0xffff);
        writeU16(buf, offset + 6, option.lifetime);
        break;
      case 'other':
        buf[offset] = option.type;
        buf.set(option.data, offset + 2);
        break;
    }
    offset += length;
  }
  return offset - start;
}
