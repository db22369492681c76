/**
 * The Internet checksum (RFC 1071) and the pseudo-header sums that TCP/UDP/ICMPv6 add to it
 * (RFC 768 for IPv4, RFC 8200 §8.1 for IPv6), plus incremental update (RFC 1624).
 *
 * Sums are kept as plain JS numbers (exact up to 2^53) and folded once at the end, so a
 * 64 KiB packet never overflows. A "partial sum" is any non-negative number; it is folded on use.
 */
import type { Ipv4Address } from './address.js';

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** One's-complement sum (folded to 16 bits, not inverted) of bytes[start, end), plus `initial`. */
export function onesComplementSum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  const evenEnd = end - ((end - start) & 1);
  for (; i < evenEnd; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
  if (i < end) sum += (bytes[i] as number) << 8; // odd trailing byte, padded with zero
  return fold(sum);
}

/**
 * The checksum to store for bytes[start, end) (with the checksum field zeroed), given a partial
 * sum such as a pseudo-header sum. Verifying: the same call over data that includes a correct
 * checksum field returns 0.
 */
export function internetChecksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  return ~onesComplementSum(bytes, start, end, initial) & 0xffff;
}

/** Partial sum of the IPv4 pseudo-header: source, destination, zero, protocol, upper-layer length. */
export function ipv4PseudoHeaderSum(
  source: Ipv4Address,
  destination: Ipv4Address,
  protocol: number,
  length: number,
): number {
  return fold((source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff) + protocol + length);
}

/** Partial sum of the IPv6 pseudo-header: source, destination, 32-bit length, next header. */
export function ipv6PseudoHeaderSum(
  source: Uint8Array,
  destination: Uint8Array,
  nextHeader: number,
  length: number,
  sourceOffset = 0,
  destinationOffset = 0,
): number {
  let sum = onesComplementSum(source, sourceOffset, sourceOffset + 16);
  sum = onesComplementSum(destination, destinationOffset, destinationOffset + 16, sum);
  return fold(sum + Math.floor(length / 0x10000) + (length & 0xffff) + nextHeader);
}

/** The IP addresses a TCP or UDP checksum covers, with their family. */
export type TransportChecksumContext =
  | { family: 4; source: Ipv4Address; destination: Ipv4Address }
  | { family: 6; source: Uint8Array; destination: Uint8Array };

/** The pseudo-header sum for a TCP or UDP segment of `length` bytes over either IP version. */
export function transportPseudoHeaderSum(context: TransportChecksumContext, protocol: number, length: number): number {
  return context.family === 4
    ? ipv4PseudoHeaderSum(context.source, context.destination, protocol, length)
    : ipv6PseudoHeaderSum(context.source, context.destination, protocol, length);
}

/**
 * RFC 1624 eqn. 3: the new checksum after one 16-bit word of the covered data changed from
 * `oldWord` to `newWord`: HC' = ~(~HC + ~m + m').
 */
export function adjustChecksum(checksum: number, oldWord: number, newWord: number): number {
  return ~fold((~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff)) & 0xffff;
}
