/**
 * iproute2's lenient IPv4 text forms, as `ip` reads addresses and prefixes: `get_addr_ipv4` (up to
 * four dotted parts, missing parts zero so `10.66` is 10.66.0.0, each part C `strtoul` base 0 so
 * `010` is octal and `0x10` hex), `get_prefix_1` (`default`/`any`/`all`, `/LEN` or `/NETMASK`) and
 * `get_netmask`. Addresses are unsigned 32-bit numbers as in address.ts.
 * Leaves out IPv6 text (address.ts's strict parser is what iproute2's inet_pton accepts) and the
 * strict dotted quad other tools take (address.ts).
 */
import { maskPrefixLength, type Ipv4Address } from './address.js';

/** C `strtoul(text + start, &end, 0)`: the value and how many characters it read (0: none), without a sign or blanks. */
function strtoul0(text: string, start: number): { value: number; length: number } {
  const end = text.length;
  const first = start < end ? text.charCodeAt(start) : -1;
  if (first === 0x30) {
    const second = start + 1 < end ? text.charCodeAt(start + 1) : -1;
    if ((second === 0x78 || second === 0x58) && start + 2 < end && hexDigit(text.charCodeAt(start + 2)) >= 0) {
      let i = start + 2;
      let value = 0;
      for (; i < end; i++) {
        const digit = hexDigit(text.charCodeAt(i));
        if (digit < 0) break;
        value = value * 16 + digit;
      }
      return { value, length: i - start };
    }
    let i = start + 1;
    let value = 0;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x37) break;
      value = value * 8 + (c - 0x30);
    }
    return { value, length: i - start };
  }
  if (first > 0x30 && first <= 0x39) {
    let i = start;
    let value = 0;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
    }
    return { value, length: i - start };
  }
  return { value: 0, length: 0 };
}

/** A hex digit's value, or −1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** iproute2's `get_addr_ipv4`: "10.66" is 10.66.0.0, "010.1" is 8.1.0.0; `null` when iproute2 rejects it. */
export function parseIproute2Ipv4(text: string): Ipv4Address | null {
  const bytes = [0, 0, 0, 0];
  let at = 0;
  for (let i = 0; i < 4; i++) {
    const { value, length } = strtoul0(text, at);
    if (length === 0 || value > 255) return null;
    bytes[i] = value;
    at += length;
    if (at === text.length) break;
    if (i === 3 || text.charCodeAt(at) !== 0x2e) return null;
    at++;
  }
  if (at !== text.length) return null;
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

export interface Iproute2Prefix {
  address: Ipv4Address;
  prefixLength: number;
  /** A `/LEN` (or `default`) was given; without it the prefix is a /32. */
  lengthGiven: boolean;
}

/** iproute2 `get_prefix_1` for IPv4. null means "any valid prefix is expected rather than …". */
export function parseIproute2Prefix(text: string): Iproute2Prefix | null {
  if (text === 'default' || text === 'any' || text === 'all') return { address: 0, prefixLength: 0, lengthGiven: true };
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIproute2Ipv4(addressText);
  if (address === null) return null;
  if (slash < 0) return { address, prefixLength: 32, lengthGiven: false };
  const lengthText = text.slice(slash + 1);
  const length = parseIproute2Netmask(lengthText);
  if (length === null || length > 32) return null;
  return { address, prefixLength: length, lengthGiven: true };
}

/** iproute2 `get_netmask`: a decimal length (or strtoul base 0) or a dotted contiguous mask. */
export function parseIproute2Netmask(text: string): number | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 32 ? n : null;
  }
  const { value, length } = strtoul0(text, 0);
  if (length === text.length && length > 0) return value <= 32 ? value : null;
  const mask = parseIproute2Ipv4(text);
  if (mask === null) return null;
  return maskPrefixLength(mask);
}
