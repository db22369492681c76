/**
 * Destination address selection (RFC 6724 §6) exactly as glibc 2.36's getaddrinfo sorts its answers
 * (sysdeps/posix/getaddrinfo.c rfc3484_sort), over gai.conf's tables (wire's gai-conf.ts):
 *   1 avoid unusable destinations (no source: connect() failed);
 *   2 prefer matching scope (get_scope of destination and source; IPv4 through the scopev4 table);
 *   3 avoid deprecated sources (IFA_F_DEPRECATED or IFA_F_OPTIMISTIC);
 *   4 prefer home addresses (IFA_F_HOMEADDRESS);
 *   5 prefer matching label; 6 prefer higher precedence (IPv4 as ::ffff:a.b.c.d);
 *   7 prefer native transport (every netloom device is native: no sit, ip6tnl or ipip devices);
 *   8 prefer smaller scope;
 *   9 longest matching prefix, only between two destinations of one family: for IPv6 the leading
 *     equal bits of destination and source in the first 32-bit word where either pair differs;
 *     for IPv4 only when source and destination share the source's subnet;
 *   10 otherwise the order the answers came in.
 * Leaves out glibc's RFC 3484 rule 7 probe of tunnel devices (__check_native), which has nothing to
 * find here.
 */
import { ipv4Mapped, matchPrefix, scopeOfIpv4, type GaiPolicy, type Ipv6Value } from '@netloom/wire/gai-conf';
import type { HostsAddress } from '@netloom/wire/hosts-file';

/** What glibc learnt about the source of one destination (struct sort_result). */
export interface SourceFacts {
  source: HostsAddress;
  deprecated: boolean;
  home: boolean;
  /** The source address's prefix length (in6ai), 0 when it is not one of the node's addresses. */
  prefixLength: number;
}

export interface SortCandidate {
  destination: HostsAddress;
  /** undefined: no source (connect() failed), an unusable destination. */
  source: SourceFacts | undefined;
}

/** get_scope. */
export function scopeOf(address: HostsAddress, policy: GaiPolicy): number {
  if (address.family === 4) return scopeOfIpv4(address.value, policy.scopes);
  const a = address.value;
  if (a >> 120n === 0xffn) return Number((a >> 112n) & 0xfn);
  if (a >> 118n === 0x3fan || a === 1n) return 2; // fe80::/10; RFC 4291 §2.5.3: loopback as link-local
  if (a >> 118n === 0x3fbn) return 5; // fec0::/10
  return 14;
}

function asIpv6(address: HostsAddress): Ipv6Value {
  return address.family === 6 ? address.value : ipv4Mapped(address.value);
}

const labelOf = (a: HostsAddress, p: GaiPolicy): number => matchPrefix(asIpv6(a), p.labels, 0x7fffffff);
const precedenceOf = (a: HostsAddress, p: GaiPolicy): number => matchPrefix(asIpv6(a), p.precedences, 0);

/** glibc's fls: the number of leading zero bits of a 32-bit word. */
function leadingZeros(word: number): number {
  return Math.clz32(word);
}

/** Rule 9's two bit counts for two destinations of one family. */
function matchingBits(a: SortCandidate, b: SortCandidate): [number, number] {
  const sa = a.source!.source;
  const sb = b.source!.source;
  if (a.destination.family === 4 && sa.family === 4 && b.destination.family === 4 && sb.family === 4) {
    const bits = (dst: number, src: number, prefixLength: number): number => {
      // 0xffffffff << 32 is a shift by 0 on x86, as in glibc's compiled code.
      const mask = (0xffffffff << (32 - prefixLength)) >>> 0;
      return ((src & mask) >>> 0) === ((dst & mask) >>> 0) ? leadingZeros((dst ^ src) >>> 0) : 0;
    };
    return [bits(a.destination.value, sa.value, a.source!.prefixLength), bits(b.destination.value, sb.value, b.source!.prefixLength)];
  }
  const da = asIpv6(a.destination);
  const db = asIpv6(b.destination);
  const xa = asIpv6(sa);
  const xb = asIpv6(sb);
  for (let i = 0; i < 4; i++) {
    const shift = BigInt(96 - 32 * i);
    const word = (x: bigint): number => Number((x >> shift) & 0xffffffffn);
    if (word(da) !== word(xa) || word(db) !== word(xb)) {
      return [leadingZeros((word(da) ^ word(xa)) >>> 0), leadingZeros((word(db) ^ word(xb)) >>> 0)];
    }
  }
  return [0, 0];
}

/** rfc3484_sort for candidates `a` (at position ia) and `b` (at ib): negative when `a` goes first. */
export function compareDestinations(a: SortCandidate, ia: number, b: SortCandidate, ib: number, policy: GaiPolicy): number {
  // Rule 1.
  if (a.source !== undefined && b.source === undefined) return -1;
  if (a.source === undefined && b.source !== undefined) return 1;
  const aScope = scopeOf(a.destination, policy);
  const bScope = scopeOf(b.destination, policy);
  const sa = a.source;
  const sb = b.source;
  if (sa !== undefined && sb !== undefined) {
    // Rule 2.
    const aMatch = aScope === scopeOf(sa.source, policy);
    const bMatch = bScope === scopeOf(sb.source, policy);
    if (aMatch && !bMatch) return -1;
    if (!aMatch && bMatch) return 1;
    // Rule 3.
    if (!sa.deprecated && sb.deprecated) return -1;
    if (sa.deprecated && !sb.deprecated) return 1;
    // Rule 4.
    if (!sa.home && sb.home) return 1;
    if (sa.home && !sb.home) return -1;
    // Rule 5.
    const aLabel = labelOf(a.destination, policy) === labelOf(sa.source, policy);
    const bLabel = labelOf(b.destination, policy) === labelOf(sb.source, policy);
    if (aLabel && !bLabel) return -1;
    if (!aLabel && bLabel) return 1;
  }
  // Rule 6.
  const aPrecedence = precedenceOf(a.destination, policy);
  const bPrecedence = precedenceOf(b.destination, policy);
  if (aPrecedence > bPrecedence) return -1;
  if (aPrecedence < bPrecedence) return 1;
  // Rule 7: every device is native.
  // Rule 8.
  if (aScope < bScope) return -1;
  if (aScope > bScope) return 1;
  // Rule 9.
  if (sa !== undefined && a.destination.family === b.destination.family) {
    const [bitsA, bitsB] = matchingBits(a, b);
    if (bitsA > bitsB) return -1;
    if (bitsA < bitsB) return 1;
  }
  // Rule 10.
  return ia < ib ? -1 : 1;
}

/** The candidates in glibc's order (a stable merge sort with rfc3484_sort). */
export function sortDestinations<T extends SortCandidate>(candidates: readonly T[], policy: GaiPolicy): T[] {
  const indexed = candidates.map((candidate, index) => ({ candidate, index }));
  indexed.sort((x, y) => compareDestinations(x.candidate, x.index, y.candidate, y.index, policy));
  return indexed.map((x) => x.candidate);
}
