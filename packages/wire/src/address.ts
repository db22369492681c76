/**
 * Address helpers: IPv4 as unsigned 32-bit numbers, MAC addresses as 6 bytes, IPv6 as 16 bytes.
 *
 * Covers: strict text parsing (never throws; `null` on bad input), canonical formatting (dotted
 * quad; lower-case colon-separated MAC; IPv6 per RFC 5952 §4 — lower case, leading zeros dropped,
 * the longest run of two or more zero groups compressed to `::`, the first one on a tie), prefix
 * masks and membership, the IPv4 address classes the routing code tests (net/ipv4's ipv4_is_*), and
 * IPv6 addresses as 128-bit unsigned bigints for the control plane (prefix masks, containment,
 * common prefix length, EUI-64 interface ids, scopes). IPv6 text parsing goes through ip-num's
 * validator.
 *
 * IPv6 scopes follow net/ipv6/addrconf_core.c (__ipv6_addr_type) and RFC 6724 §3.1: multicast scope
 * from the address, ::1 interface-local (1), fe80::/10 link-local (2), fec0::/10 site-local (5),
 * IPv4-mapped addresses as their IPv4 scope (127/8 and 169.254/16 link-local, RFC 6724 §3.2),
 * everything else global (14). `ip` shows them as the rtnetlink scopes host/link/site/global
 * (ipv6_addr_scope → rt_scope).
 * Leaves out: inet_aton's and iproute2's lenient forms (`10.1`, `010`, `0x10`: iproute2-address.ts),
 * zone ids (`fe80::1%eth0`), IPv6 prefixes (callers split on `/`), and the deprecated
 * IPv4-compatible ::/96 semantics beyond their scope.
 */
import { IPv6, Validator } from 'ip-num';

/** An IPv4 address as an unsigned 32-bit number (`>>> 0`), network byte order read big-endian. */
export type Ipv4Address = number;

/** Parse strict dotted-quad text (`10.0.0.1`); `null` when it is anything else. */
export function parseIpv4(text: string): Ipv4Address | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && octet === 0) return null; // leading zero ("01") is ambiguous (octal)
      octet = octet * 10 + (c - 0x30);
      digits++;
      if (octet > 255) return null;
    } else if (c === 0x2e) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return (value * 256 + octet) >>> 0;
}

export function formatIpv4(address: Ipv4Address): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/** The netmask of a prefix length 0–32 as an unsigned number (`prefixMask(24)` = 0xffffff00). */
export function prefixMask(prefixLength: number): number {
  if (prefixLength <= 0) return 0;
  if (prefixLength >= 32) return 0xffffffff;
  return (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Whether `address` lies in `network/prefixLength` (host bits of `network` are ignored). */
export function isInPrefix(address: Ipv4Address, network: Ipv4Address, prefixLength: number): boolean {
  const mask = prefixMask(prefixLength);
  return ((address & mask) >>> 0) === ((network & mask) >>> 0);
}

/** The network address of `address/prefixLength` (host bits cleared). */
export function networkOf(address: Ipv4Address, prefixLength: number): Ipv4Address {
  return (address & prefixMask(prefixLength)) >>> 0;
}

/** The broadcast address of `address/prefixLength` (host bits set). */
export function broadcastOf(address: Ipv4Address, prefixLength: number): Ipv4Address {
  return (address | ~prefixMask(prefixLength)) >>> 0;
}

/** 224.0.0.0/4 (ipv4_is_multicast). */
export const isIpv4Multicast = (address: Ipv4Address): boolean => address >>> 28 === 0xe;
/** 255.255.255.255 (ipv4_is_lbcast). */
export const isIpv4LimitedBroadcast = (address: Ipv4Address): boolean => address >>> 0 === 0xffffffff;
/** 0.0.0.0/8 (ipv4_is_zeronet). */
export const isIpv4ZeroNet = (address: Ipv4Address): boolean => address >>> 24 === 0;
/** 127.0.0.0/8 (ipv4_is_loopback). */
export const isIpv4Loopback = (address: Ipv4Address): boolean => address >>> 24 === 127;
/** 224.0.0.0/24 (ipv4_is_local_multicast). */
export const isIpv4LocalMulticast = (address: Ipv4Address): boolean => address >>> 8 === 0xe00000;

/** The prefix length of a contiguous netmask, or `null` when the mask has holes. */
export function maskPrefixLength(mask: number): number | null {
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return null;
  return 32 - Math.log2(inverted + 1);
}

/**
 * Strict dotted quad of four decimal parts (`010` is ten, not octal), as inet_aton-like tools such
 * as ifconfig and route accept; `null` otherwise.
 */
export function parseDottedQuad(text: string): Ipv4Address | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value >>> 0;
}

export interface Ipv4Cidr {
  /** The address as written, host bits kept (`10.0.0.1/24` → 10.0.0.1). */
  address: Ipv4Address;
  prefixLength: number;
}

/** Parse `a.b.c.d/len` (len 0–32); without `/len` the prefix length is 32. */
export function parseCidr4(text: string): Ipv4Cidr | null {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const address = parseIpv4(text);
    return address === null ? null : { address, prefixLength: 32 };
  }
  const address = parseIpv4(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (address === null || !/^(?:[0-9]|[12][0-9]|3[0-2])$/.test(lengthText)) return null;
  return { address, prefixLength: Number(lengthText) };
}

/** Read 4 bytes big-endian at `offset` as an unsigned IPv4 address. */
export function readIpv4(bytes: Uint8Array, offset: number): Ipv4Address {
  return (
    ((bytes[offset] ?? 0) * 0x1000000 +
      (((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0))) >>>
    0
  );
}

/** Write an IPv4 address big-endian at `offset`. */
export function writeIpv4(bytes: Uint8Array, offset: number, address: Ipv4Address): void {
  bytes[offset] = address >>> 24;
  bytes[offset + 1] = address >>> 16;
  bytes[offset + 2] = address >>> 8;
  bytes[offset + 3] = address;
}

// ---- MAC addresses ----

/** Shared constants: read them, copy them, never write into them. */
export const MAC_BROADCAST: Uint8Array = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const MAC_ZERO: Uint8Array = new Uint8Array(6);

/** Parse `02:00:00:00:01:01` (also `-` separators, either case); `null` otherwise. */
export function parseMac(text: string): Uint8Array | null {
  if (!/^[0-9a-fA-F]{1,2}([:-])(?:[0-9a-fA-F]{1,2}\1){4}[0-9a-fA-F]{1,2}$/.test(text)) return null;
  const mac = new Uint8Array(6);
  const parts = text.split(/[:-]/);
  for (let i = 0; i < 6; i++) mac[i] = parseInt(parts[i] ?? '0', 16);
  return mac;
}

/** Lower-case, colon-separated, two digits per byte (as `ip link` prints). */
export function formatMac(mac: Uint8Array, offset = 0): string {
  let text = '';
  for (let i = 0; i < 6; i++) {
    const byte = mac[offset + i] ?? 0;
    text += (i === 0 ? '' : ':') + (byte < 16 ? '0' : '') + byte.toString(16);
  }
  return text;
}

export function isBroadcastMac(mac: Uint8Array, offset = 0): boolean {
  for (let i = 0; i < 6; i++) if (mac[offset + i] !== 0xff) return false;
  return true;
}

/** Group bit set (multicast or broadcast). */
export function isMulticastMac(mac: Uint8Array, offset = 0): boolean {
  return ((mac[offset] ?? 0) & 1) === 1;
}

export function macEquals(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset = 0): boolean {
  for (let i = 0; i < 6; i++) if (a[aOffset + i] !== b[bOffset + i]) return false;
  return true;
}

// ---- IPv6 ----

/** Parse IPv6 text (any RFC 4291 §2.2 form, incl. embedded IPv4) into 16 bytes; `null` otherwise. */
export function parseIpv6(text: string): Uint8Array | null {
  if (text.length < 2 || text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let value: Ipv6Number;
  try {
    const [valid] = Validator.isValidIPv6String(text);
    if (!valid) return null;
    value = IPv6.fromString(text).getValue();
  } catch {
    return null;
  }
  if (value < 0n || value >> 128n !== 0n) return null;
  return ipv6ToBytes(value);
}

/** RFC 5952 text of 16 bytes at `offset`; IPv4-mapped addresses print as `::ffff:a.b.c.d`. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  return formatIpv6Groups(groups);
}

/** RFC 5952 text of eight 16-bit groups. */
function formatIpv6Groups(groups: readonly number[]): string {
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(((groups[6]! << 16) | groups[7]!) >>> 0)}`;
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not compressed (§4.2.2)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return hexGroups(groups, 0, 8);
  return `${hexGroups(groups, 0, bestStart)}::${hexGroups(groups, bestStart + bestLength, 8)}`;
}

/** Groups `from` … `to`−1 in hex, colon-separated. */
function hexGroups(groups: readonly number[], from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += i === from ? groups[i]!.toString(16) : `:${groups[i]!.toString(16)}`;
  return text;
}

export function ipv6Equals(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset = 0): boolean {
  for (let i = 0; i < 16; i++) if (a[aOffset + i] !== b[bOffset + i]) return false;
  return true;
}

// ---- IPv6 as 128-bit numbers (the control plane's form) ----

export type Ipv6Number = bigint;

export const IPV6_ALL_ONES: Ipv6Number = (1n << 128n) - 1n;
export const IPV6_LOOPBACK: Ipv6Number = 1n;
export const LINK_LOCAL_PREFIX: Ipv6Number = 0xfe80n << 112n;

/** RFC 6724 / RFC 4291 scope values. */
export const SCOPE_INTERFACE_LOCAL = 1;
export const SCOPE_LINK_LOCAL = 2;
export const SCOPE_SITE_LOCAL = 5;
export const SCOPE_GLOBAL = 14;

export function ipv6FromBytes(bytes: Uint8Array, offset = 0): Ipv6Number {
  let value = 0n;
  for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}

export function ipv6ToBytes(address: Ipv6Number): Uint8Array {
  const bytes = new Uint8Array(16);
  // Four 32-bit words rather than sixteen bigint steps (the address modulo 2^128, as byte masks give).
  const value = BigInt.asUintN(128, address);
  for (let w = 0; w < 4; w++) {
    const word = Number(BigInt.asUintN(32, value >> WORD_SHIFTS[w]!));
    bytes[4 * w] = word >>> 24;
    bytes[4 * w + 1] = (word >>> 16) & 0xff;
    bytes[4 * w + 2] = (word >>> 8) & 0xff;
    bytes[4 * w + 3] = word & 0xff;
  }
  return bytes;
}

const WORD_SHIFTS: readonly bigint[] = [96n, 64n, 32n, 0n];

/** Any RFC 4291 text form, or null. */
export function parseIpv6Number(text: string): Ipv6Number | null {
  const bytes = parseIpv6(text);
  return bytes ? ipv6FromBytes(bytes) : null;
}

/** RFC 5952 text. */
export function formatIpv6Number(address: Ipv6Number): string {
  // The groups read from one hex string of the address (modulo 2^128, as ipv6ToBytes), not from bytes.
  const hex = BigInt.asUintN(128, address).toString(16);
  const missing = 32 - hex.length; // leading zero digits toString leaves out
  const groups: number[] = [];
  for (let g = 0; g < 32; g += 4) {
    let group = 0;
    for (let i = g - missing; i < g + 4 - missing; i++) {
      if (i < 0) continue;
      const c = hex.charCodeAt(i);
      group = group * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57); // 0-9, a-f
    }
    groups.push(group);
  }
  return formatIpv6Groups(groups);
}

export function ipv6PrefixMask(prefixLength: number): Ipv6Number {
  return prefixLength <= 0 ? 0n : (IPV6_ALL_ONES << BigInt(128 - prefixLength)) & IPV6_ALL_ONES;
}

export function ipv6Network(address: Ipv6Number, prefixLength: number): Ipv6Number {
  return address & ipv6PrefixMask(prefixLength);
}

export function isInIpv6Prefix(address: Ipv6Number, network: Ipv6Number, prefixLength: number): boolean {
  return ((address ^ network) & ipv6PrefixMask(prefixLength)) === 0n;
}

/** Number of leading bits two addresses share (0–128). */
export function commonPrefixLength(a: Ipv6Number, b: Ipv6Number): number {
  const diff = a ^ b;
  if (diff === 0n) return 128;
  return 128 - diff.toString(2).length;
}

export function isIpv6Multicast(address: Ipv6Number): boolean {
  return address >> 120n === 0xffn;
}

export function isIpv6LinkLocal(address: Ipv6Number): boolean {
  return address >> 118n === 0x3fan; // fe80::/10
}

export function isIpv4Mapped(address: Ipv6Number): boolean {
  return address >> 32n === 0xffffn;
}

/** The scope of an address (RFC 6724 §3.1, with IPv4-mapped addresses per §3.2). */
export function ipv6AddressScope(address: Ipv6Number): number {
  if (isIpv6Multicast(address)) return Number((address >> 112n) & 0xfn);
  if (address === IPV6_LOOPBACK) return SCOPE_INTERFACE_LOCAL;
  if (isIpv6LinkLocal(address)) return SCOPE_LINK_LOCAL;
  if (address >> 118n === 0x3fbn) return SCOPE_SITE_LOCAL; // fec0::/10
  if (isIpv4Mapped(address)) {
    const v4 = Number(address & 0xffffffffn);
    if (v4 >>> 24 === 127 || v4 >>> 16 === 0xa9fe) return SCOPE_LINK_LOCAL;
  }
  return SCOPE_GLOBAL;
}

/** The rtnetlink scope `ip` shows for an address of this RFC scope (rt_scope of ipv6_addr_scope). */
export function rtScopeOfIpv6(address: Ipv6Number): number {
  const scope = ipv6AddressScope(address);
  if (scope <= SCOPE_INTERFACE_LOCAL) return 254;
  if (scope === SCOPE_LINK_LOCAL) return 253;
  if (scope === SCOPE_SITE_LOCAL) return 200;
  return 0;
}

/**
 * The interface identifier from a 48-bit MAC (RFC 4291 appendix A, addrconf_ifid_eui48): the
 * universal/local bit flipped and ff:fe in the middle.
 */
export function eui64InterfaceId(mac: Uint8Array): Ipv6Number {
  // Two 32-bit halves joined once (a short MAC reads as zeros past its end).
  const high = (((mac[0] ?? 0) ^ 2) << 24) | ((mac[1] ?? 0) << 16) | ((mac[2] ?? 0) << 8) | 0xff;
  const low = (0xfe << 24) | ((mac[3] ?? 0) << 16) | ((mac[4] ?? 0) << 8) | (mac[5] ?? 0);
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}
