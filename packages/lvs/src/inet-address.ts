/**
 * Addresses as IPVS holds them (union nf_inet_addr with the service's address family): an IPv4
 * address is a 32-bit number in host order, an IPv6 address a 128-bit bigint (wire's Ipv6Number).
 * Gives the map key, equality, masking (the persistence netmask, ip_vs_addr_set/ipv6_addr_prefix)
 * and the texts ipvsadm prints (IPv6 in brackets before a port, as ipvsadm's addrport_to_anyname).
 * Leaves out name resolution: ipvsadm without -n prints numbers here too (docs/lvs.md).
 */
import { formatIpv4, formatIpv6Number, ipv6Network, parseDottedQuad, parseIpv6Number, type Ipv6Number } from '@netloom/wire';

export type InetAddress = { readonly family: 4; readonly v4: number } | { readonly family: 6; readonly v6: Ipv6Number };
export type AddressFamily = 4 | 6;

export const inet4 = (address: number): InetAddress => ({ family: 4, v4: address >>> 0 });
export const inet6 = (address: Ipv6Number): InetAddress => ({ family: 6, v6: address });

/** A string usable as a Map key, unique per family and address. */
export function addressKey(address: InetAddress): string {
  return address.family === 4 ? `4/${address.v4}` : `6/${address.v6}`;
}

export function addressEquals(a: InetAddress, b: InetAddress): boolean {
  return a.family === 4 ? b.family === 4 && a.v4 === b.v4 : b.family === 6 && a.v6 === b.v6;
}

/** The persistence client network (ip_vs_addr_set with svc->netmask): IPv4 ANDed with the mask, IPv6 cut to the prefix length. */
export function maskAddress(address: InetAddress, netmask: number): InetAddress {
  return address.family === 4 ? inet4(address.v4 & netmask) : inet6(ipv6Network(address.v6, netmask));
}

export function formatAddress(address: InetAddress): string {
  return address.family === 4 ? formatIpv4(address.v4) : formatIpv6Number(address.v6);
}

/** `addr:port` as ipvsadm prints it: IPv6 addresses in brackets. */
export function formatAddressPort(address: InetAddress, port: number): string {
  return address.family === 4 ? `${formatIpv4(address.v4)}:${port}` : `[${formatIpv6Number(address.v6)}]:${port}`;
}

/** Dotted quad or IPv6 text (no brackets), or null. */
export function parseAddress(text: string): InetAddress | null {
  const v4 = parseDottedQuad(text);
  if (v4 !== null) return inet4(v4);
  if (!text.includes(':')) return null;
  const v6 = parseIpv6Number(text);
  return v6 === null ? null : inet6(v6);
}

/** The 32 bits IPVS hashes: ntohl(addr) for IPv4, the XOR of the four words for IPv6 (sh, dh, mh). */
export function foldedAddress(address: InetAddress): number {
  if (address.family === 4) return address.v4 >>> 0;
  const a = address.v6;
  return Number((a >> 96n) ^ ((a >> 64n) & 0xffffffffn) ^ ((a >> 32n) & 0xffffffffn) ^ (a & 0xffffffffn)) >>> 0;
}
