/**
 * Multipath nexthop choice (fib_rebalance + fib_select_multipath, net/ipv4/fib_semantics.c, 6.18)
 * with Linux's weight bounds and its preference for a nexthop whose source matches the flow's, and
 * the flow hash that picks among them (fib_multipath_hash, net/ipv4/route.c).
 *
 * With `net.ipv4.fib_multipath_hash_seed` set (Linux 6.11+), the hash is the kernel's exactly:
 * flow_hash_from_keys_seed (net/core/flow_dissector.c) — struct flow_keys zeroed, the addresses and
 * (policy 1) protocol and ports filled in as fib_multipath_hash does, __flow_hash_consistentify,
 * siphash (siphash.ts) over the keys from `basic` on with the key fib_multipath_hash_construct_key
 * makes of the seed — then `>> 1`. Proven against 6.18 by multipath.test.ts (a recorded table of
 * `ip route get` answers, re-run live when root). With seed 0, the default, Linux draws a random key
 * once per boot, so its choice is not reproducible even between two Linux boots: netloom then uses
 * FNV-1a over the same fields, shifted to 31 bits, so runs are deterministic.
 * Policies 0–3 for packets without encapsulation: 2 hashes as 0 then, and 3 hashes the outer
 * fields `net.ipv4.fib_multipath_hash_fields` names and mixes that with an inner hash of 0
 * (fib_multipath_custom_hash_skb: jhash_2words), as for a forwarded packet or `ip route get`.
 * Leaves out encapsulated packets' inner fields (policies 2 and 3), the inner header of an ICMP
 * error (ip_multipath_l3_keys) and an ICMP error's own lookup (icmp_route_lookup hashes the packet
 * it answers), a socket's own lookup under policy 3 (fib_multipath_custom_hash_fl4 has no jhash
 * step: netloom hashes it as a packet), and nexthop objects (`nhid`).
 */
import { siphash } from './siphash.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
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

/** FIB_MULTIPATH_HASH_FIELD_* (include/net/ip_fib.h): the outer fields an IPv4 flow has. */
export const HASH_FIELD_SRC_IP = 0x1;
export const HASH_FIELD_DST_IP = 0x2;
export const HASH_FIELD_IP_PROTO = 0x4;
export const HASH_FIELD_SRC_PORT = 0x10;
export const HASH_FIELD_DST_PORT = 0x20;
const OUTER_IPV4_FIELDS = HASH_FIELD_SRC_IP | HASH_FIELD_DST_IP | HASH_FIELD_IP_PROTO | HASH_FIELD_SRC_PORT | HASH_FIELD_DST_PORT;
/** fib_multipath_hash_fields' default (FIB_MULTIPATH_HASH_FIELD_DEFAULT_MASK). */
export const DEFAULT_HASH_FIELDS = HASH_FIELD_SRC_IP | HASH_FIELD_DST_IP | HASH_FIELD_IP_PROTO;

/**
 * The fields a policy hashes for a packet without encapsulation: 0 (L3) and 2 (inner L3, which is the
 * outer one when nothing is encapsulated) the addresses; 1 (L4) addresses, protocol and ports; 3
 * (custom) the outer fields `net.ipv4.fib_multipath_hash_fields` names.
 */
export function hashedFields(policy: number, fields: number): number {
  if (policy === 1) return OUTER_IPV4_FIELDS;
  if (policy === 3) return fields & OUTER_IPV4_FIELDS;
  return HASH_FIELD_SRC_IP | HASH_FIELD_DST_IP;
}

/** Whether lookups depend on the protocol or ports (so a cache keyed without them cannot serve them). */
export function hashUsesTransport(policy: number, fields: number): boolean {
  return (hashedFields(policy, fields) & (HASH_FIELD_IP_PROTO | HASH_FIELD_SRC_PORT | HASH_FIELD_DST_PORT)) !== 0;
}

/**
 * The bytes siphash reads of an IPv4 struct flow_keys (include/net/flow_dissector.h, 6.18): from
 * `basic` (offset 8, SIPHASH_ALIGNMENT) to the end of the struct less the addresses IPv4 does not
 * use, flow_keys_hash_length. Offsets from `basic`: basic.n_proto 0 (2 bytes), basic.ip_proto 2,
 * tags 4, vlan 8, cvlan 16, keyid 24, ports.src 28, ports.dst 30, icmp 32, addrs.v4addrs.src 36,
 * .dst 40; sizeof(struct flow_keys) is 80 (76 rounded up to the 8-byte alignment), so
 * 80 - 8 - (32 - 8) = 48 bytes are hashed, the last 4 of them the zeroed rest of the address union.
 */
const FLOW_KEYS_V4_HASH_LENGTH = 48;
const KEYS_IP_PROTO = 2;
const KEYS_PORTS = 28;
const KEYS_V4ADDRS = 36;

/** One buffer for the keys: the hash is computed per packet on the forwarding path. */
const flowKeys = new Uint8Array(FLOW_KEYS_V4_HASH_LENGTH);
const flowKeysView = new DataView(flowKeys.buffer);

/** The u32 a little-endian CPU loads from a __be32 holding `address` (what `(__force u32)` compares). */
function loadedBe32(address: number): number {
  return (((address & 0xff) << 24) | ((address >>> 8) & 0xff) << 16 | ((address >>> 16) & 0xff) << 8 | (address >>> 24)) >>> 0;
}

/** The same for a __be16. */
function loadedBe16(port: number): number {
  return ((port & 0xff) << 8) | ((port >>> 8) & 0xff);
}

/**
 * flow_hash_from_keys_seed over the keys fib_multipath_hash builds (memset to zero, addr_type IPv4,
 * the `fields` of the flow: hashedFields): __flow_hash_consistentify sorts the
 * addresses and, apart, the ports by the value a little-endian CPU loads from their network-order
 * bytes; siphash with the key fib_multipath_hash_construct_key makes of the seed (both key words
 * `seed << 32 | seed`); the low 32 bits, 0 made 1.
 */
export function seededFlowHash(flow: MultipathFlow, fields: number, seed: number): number {
  flowKeys.fill(0);
  let src = fields & HASH_FIELD_SRC_IP ? flow.src >>> 0 : 0;
  let dst = fields & HASH_FIELD_DST_IP ? flow.dst >>> 0 : 0;
  if (loadedBe32(dst) < loadedBe32(src)) [src, dst] = [dst, src];
  flowKeysView.setUint32(KEYS_V4ADDRS, src);
  flowKeysView.setUint32(KEYS_V4ADDRS + 4, dst);
  let sport = fields & HASH_FIELD_SRC_PORT ? flow.sport & 0xffff : 0;
  let dport = fields & HASH_FIELD_DST_PORT ? flow.dport & 0xffff : 0;
  if (loadedBe16(dport) < loadedBe16(sport)) [sport, dport] = [dport, sport];
  flowKeysView.setUint16(KEYS_PORTS, sport);
  flowKeysView.setUint16(KEYS_PORTS + 2, dport);
  if (fields & HASH_FIELD_IP_PROTO) flowKeys[KEYS_IP_PROTO] = flow.proto & 0xff;
  const word = { hi: seed >>> 0, lo: seed >>> 0 };
  const hash = siphash(flowKeys, { k0: word, k1: word }).lo;
  return hash === 0 ? 1 : hash;
}

/**
 * 31-bit flow hash for `net.ipv4.fib_multipath_hash_policy` (fib_multipath_hash's `mhash >> 1`),
 * over the fields the policy hashes (policy 3: those `fields` names). With
 * `net.ipv4.fib_multipath_hash_seed` set, the kernel's own hash (seededFlowHash); with seed 0,
 * where Linux draws a random key at boot, a deterministic FNV-1a over the same fields.
 */
export function multipathHash(flow: MultipathFlow, policy: number, seed = 0, fields = DEFAULT_HASH_FIELDS): number {
  const hashed = hashedFields(policy, fields);
  if (seed !== 0) {
    // fib_multipath_custom_hash_skb: jhash_2words(outer hash, inner hash 0, 0); no outer field: outer 0.
    if (policy === 3) return jhash2Words(hashed === 0 ? 0 : seededFlowHash(flow, hashed, seed), 0, 0) >>> 1;
    return seededFlowHash(flow, hashed, seed) >>> 1;
  }
  const words: number[] = [];
  if (hashed & HASH_FIELD_SRC_IP) words.push(flow.src);
  if (hashed & HASH_FIELD_DST_IP) words.push(flow.dst);
  if (hashed & HASH_FIELD_IP_PROTO) words.push(flow.proto);
  if (hashed & HASH_FIELD_SRC_PORT) words.push(flow.sport);
  if (hashed & HASH_FIELD_DST_PORT) words.push(flow.dport);
  return fnv1a(words) >>> 1;
}

const rol32 = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** jhash_2words (include/linux/jhash.h): __jhash_final over a + iv, b + iv, iv, iv = initval + JHASH_INITVAL + 8. */
export function jhash2Words(a0: number, b0: number, initval: number): number {
  const iv = (initval + 0xdeadbeef + (2 << 2)) >>> 0;
  let a = (a0 + iv) >>> 0;
  let b = (b0 + iv) >>> 0;
  let c = iv;
  c = ((c ^ b) - rol32(b, 14)) >>> 0;
  a = ((a ^ c) - rol32(c, 11)) >>> 0;
  b = ((b ^ a) - rol32(a, 25)) >>> 0;
  c = ((c ^ b) - rol32(b, 16)) >>> 0;
  a = ((a ^ c) - rol32(c, 4)) >>> 0;
  b = ((b ^ a) - rol32(a, 14)) >>> 0;
  c = ((c ^ b) - rol32(b, 24)) >>> 0;
  return c;
}

/** fib_multipath_hash: the 31-bit hash of a flow under the node's hash policy, fields and seed. */
export function fibMultipathHash(flow: MultipathFlow, sysctls: SysctlTree): number {
  return multipathHash(
    flow,
    sysctls.get('net.ipv4.fib_multipath_hash_policy') ?? 0,
    sysctls.get('net.ipv4.fib_multipath_hash_seed') ?? 0,
    sysctls.get('net.ipv4.fib_multipath_hash_fields') ?? DEFAULT_HASH_FIELDS,
  );
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
 * fib_select_multipath (6.18, by score): each usable nexthop scores 2 when a source address is given
 * and is its own source (nh_saddr), plus 1 when the hash is within its bound; the first best wins, and
 * a full score (3, or 1 without a source) ends the walk. So without a source it is the first nexthop
 * whose bound is >= hash; with one, the hash's choice among the nexthops with that source, else the
 * first such nexthop, else the hash's choice.
 */
export function selectMultipath(
  nexthops: readonly FibNexthop[],
  bounds: readonly number[],
  hash: number,
  saddr: number,
  nexthopSource: (nh: FibNexthop) => number,
): number {
  let chosen = 0;
  let best = -1;
  for (let i = 0; i < nexthops.length; i++) {
    const bound = bounds[i]!;
    if (bound === -1) continue;
    let score = 0;
    if (saddr && nexthopSource(nexthops[i]!) === saddr) score += 2;
    if (hash <= bound) score += 1;
    if (score > best) {
      chosen = i;
      if (score === 3 || (!saddr && score === 1)) return i;
      best = score;
    }
  }
  return chosen;
}
