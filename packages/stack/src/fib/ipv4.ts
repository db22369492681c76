/**
 * IPv4 address arithmetic and text forms for the control plane: addresses are unsigned 32-bit
 * numbers (`>>> 0`), as on the routing seam. Parsing follows iproute2's `get_addr_ipv4` (up to four
 * dotted parts, missing parts zero, `strtoul` base 0 so `010` is octal and `0x10` hex) and
 * `get_prefix` (`default`/`any`/`all`, `/LEN` or `/NETMASK`). Leaves out IPv6.
 */

export function formatIpv4(address: number): string {
  return `${(address >>> 24) & 255}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

/** Strict dotted quad (four decimal parts), as inet_aton-like tools such as ifconfig and route accept. */
export function parseDottedQuad(text: string): number | null {
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

/** C `strtoul(text, &end, 0)`: returns the value and how many characters were consumed. */
function strtoul0(text: string): { value: number; length: number } {
  let match = /^0[xX][0-9a-fA-F]+/.exec(text);
  if (match) return { value: parseInt(match[0].slice(2), 16), length: match[0].length };
  match = /^0[0-7]*/.exec(text);
  if (match) return { value: match[0].length > 1 ? parseInt(match[0].slice(1), 8) : 0, length: match[0].length };
  match = /^[1-9][0-9]*/.exec(text);
  if (match) return { value: Number(match[0]), length: match[0].length };
  return { value: 0, length: 0 };
}

/** iproute2's `get_addr_ipv4`: "10.66" is 10.66.0.0. */
export function parseIpv4(text: string): number | null {
  const bytes = [0, 0, 0, 0];
  let rest = text;
  for (let i = 0; i < 4; i++) {
    const { value, length } = strtoul0(rest);
    if (length === 0 || value > 255) return null;
    bytes[i] = value;
    rest = rest.slice(length);
    if (rest === '') break;
    if (i === 3 || rest[0] !== '.') return null;
    rest = rest.slice(1);
  }
  if (rest !== '') return null;
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

export function prefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Prefix length of a contiguous netmask, or null when the mask has holes. */
export function maskToPrefixLength(mask: number): number | null {
  for (let len = 0; len <= 32; len++) if (prefixMask(len) === mask >>> 0) return len;
  return null;
}

export function networkOf(address: number, prefixLength: number): number {
  return (address & prefixMask(prefixLength)) >>> 0;
}

export function broadcastOf(address: number, prefixLength: number): number {
  return (address | ~prefixMask(prefixLength)) >>> 0;
}

export function inPrefix(address: number, network: number, prefixLength: number): boolean {
  return networkOf(address, prefixLength) === networkOf(network, prefixLength);
}

export const isMulticast = (a: number): boolean => (a >>> 28) === 0xe;
export const isLimitedBroadcast = (a: number): boolean => a >>> 0 === 0xffffffff;
export const isZeroNet = (a: number): boolean => (a >>> 24) === 0;
export const isLoopback = (a: number): boolean => (a >>> 24) === 127;
export const isLocalMulticast = (a: number): boolean => (a >>> 8) === 0xe00000;

export interface ParsedPrefix {
  address: number;
  prefixLength: number;
  /** A `/LEN` (or `default`) was given; without it the prefix is a /32. */
  lengthGiven: boolean;
}

/** iproute2 `get_prefix_1` for IPv4. null means "any valid prefix is expected rather than …". */
export function parsePrefix(text: string): ParsedPrefix | null {
  if (text === 'default' || text === 'any' || text === 'all') return { address: 0, prefixLength: 0, lengthGiven: true };
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIpv4(addressText);
  if (address === null) return null;
  if (slash < 0) return { address, prefixLength: 32, lengthGiven: false };
  const lengthText = text.slice(slash + 1);
  const length = parseNetmask(lengthText);
  if (length === null || length > 32) return null;
  return { address, prefixLength: length, lengthGiven: true };
}

/** iproute2 `get_netmask`: a decimal length or a dotted contiguous mask. */
export function parseNetmask(text: string): number | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 32 ? n : null;
  }
  const { value, length } = strtoul0(text);
  if (length === text.length && length > 0) return value <= 32 ? value : null;
  const mask = parseIpv4(text);
  if (mask === null) return null;
  return maskToPrefixLength(mask);
}
