/**
 * IPv6 address arithmetic for the control plane: addresses are 128-bit unsigned bigints on the
 * kernel's side of the seam (prefix masks, containment, common prefix length), text only at the
 * edges through wire's parser and RFC 5952 formatter (one address library, in wire).
 *
 * Scopes follow net/ipv6/addrconf_core.c (__ipv6_addr_type) and RFC 6724 §3.1: multicast scope from
 * the address, ::1 interface-local (1), fe80::/10 link-local (2), fec0::/10 site-local (5), IPv4-mapped
 * addresses as their IPv4 scope (127/8 and 169.254/16 link-local, RFC 6724 §3.2), everything else
 * global (14). `ip` shows them as the rtnetlink scopes host/link/site/global (ipv6_addr_scope →
 * rt_scope). Leaves out the deprecated IPv4-compatible ::/96 semantics beyond their scope.
 */
import { formatIpv6, parseIpv6 } from '@netloom/wire';

export type Ipv6Number = bigint;

export const IPV6_ALL_ONES: Ipv6Number = (1n << 128n) - 1n;
export const IPV6_LOOPBACK: Ipv6Number = 1n;

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
  let value = address;
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

/** Any RFC 4291 text form, or null. */
export function parseIpv6Number(text: string): Ipv6Number | null {
  const bytes = parseIpv6(text);
  return bytes ? ipv6FromBytes(bytes) : null;
}

/** RFC 5952 text. */
export function formatIpv6Number(address: Ipv6Number): string {
  return formatIpv6(ipv6ToBytes(address));
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
  const b = [...mac];
  while (b.length < 6) b.push(0);
  const bytes = [b[0]! ^ 2, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  let id = 0n;
  for (const byte of bytes) id = (id << 8n) | BigInt(byte);
  return id;
}

export const LINK_LOCAL_PREFIX: Ipv6Number = 0xfe80n << 112n;
