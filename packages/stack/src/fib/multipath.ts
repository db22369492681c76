/**
 * Multipath nexthop choice (fib_rebalance + fib_select_multipath, net/ipv4/fib_semantics.c) with
 * Linux's weight bounds and its preference for a nexthop whose source matches the flow's.
 *
 * The flow hash is NOT Linux's: Linux hashes with jhash and a per-boot random key
 * (net_get_random_once), so its choice is not reproducible even between two Linux boots. netloom uses
 * FNV-1a over the same fields (policy 0: source and destination address; policy 1: also protocol and
 * ports), shifted to 31 bits, so runs are deterministic. Leaves out policies 2 and 3 (treated as 0 and 1).
 */
import type { FibNexthop } from './types.js';

export interface MultipathFlow {
  src: number;
  dst: number;
  proto: number;
  sport: number;
  dport: number;
}

function fnv1a(words: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const word of words) {
    for (let shift = 24; shift >= 0; shift -= 8) {
      hash ^= (word >>> shift) & 0xff;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return hash >>> 0;
}

/** 31-bit flow hash for `net.ipv4.fib_multipath_hash_policy`. */
export function multipathHash(flow: MultipathFlow, policy: number): number {
  const words = policy === 1 || policy === 3 ? [flow.src, flow.dst, flow.proto, flow.sport, flow.dport] : [flow.src, flow.dst];
  return fnv1a(words) >>> 1;
}

/** fib_rebalance: upper bound per nexthop (-1 for dead ones and, when ignored, linkdown ones). */
export function upperBounds(nexthops: readonly FibNexthop[], isUsable: (nh: FibNexthop) => boolean): number[] {
  let total = 0;
  for (const nh of nexthops) if (isUsable(nh)) total += nh.weight;
  let w = 0;
  return nexthops.map((nh) => {
    if (!isUsable(nh)) return -1;
    w += nh.weight;
    return Math.round((w * 2 ** 31) / total) - 1;
  });
}

/**
 * fib_select_multipath: the first usable nexthop whose bound is >= hash; with a source address
 * given, prefer a nexthop whose own source matches it.
 */
export function selectMultipath(
  nexthops: readonly FibNexthop[],
  bounds: readonly number[],
  hash: number,
  saddr: number,
  nexthopSource: (nh: FibNexthop) => number,
): number {
  let chosen = 0;
  let found = false;
  for (let i = 0; i < nexthops.length; i++) {
    const bound = bounds[i]!;
    if (bound === -1) continue;
    const nh = nexthops[i]!;
    if (!found) {
      chosen = i;
      found = !saddr || nexthopSource(nh) === saddr;
    }
    if (hash > bound) continue;
    if (!saddr || nexthopSource(nh) === saddr) return i;
    if (found) return chosen;
  }
  return chosen;
}
