/**
 * Hashing schedulers: sh (ip_vs_sh.c, source hashing), dh (ip_vs_dh.c, destination hashing) and mh
 * (ip_vs_mh.c, Maglev hashing), with the kernel's tables and hash functions.
 *
 * sh and dh keep 256 buckets (CONFIG_IP_VS_SH_TAB_BITS / DH_TAB_BITS 8) and hash with hash_32
 * (val × GOLDEN_RATIO_32 0x61C88647, top 8 bits) of the address (IPv6: the XOR of its four words).
 * sh fills the buckets walking the list (newest first), each server taking `weight` consecutive
 * buckets (weight 0 still one), around again until all 256 are full; dh gives one bucket per server
 * round robin. A lookup whose server is unavailable (weight ≤ 0, overloaded; dh also deleted) gives
 * no server, unless sh-fallback (-b sh-fallback, SCHED1) walks on from the bucket; sh-port (SCHED2)
 * adds the source port to the hashed value.
 *
 * mh is Maglev: a table of M entries (M = 4093, primes[CONFIG_IP_VS_MH_TAB_INDEX 12 − 8]; `tableIndex`
 * picks another of the kernel's primes, 251 the smallest). Each server's permutation starts at
 * hsiphash(addr+port, key1) mod M and steps by hsiphash(addr+port, key2) mod (M−1) + 1; servers take
 * turns ((last_weight / gcd) >> rshift, at least 1 for a non-zero weight) filling their next free
 * slot. hsiphash on 64-bit kernels is SipHash-1-3 truncated to 32 bits; the keys are not secret:
 * generate_hash_secret sets {2654435761, 2654435761} and {2654446892, 2654446892}, so the table is
 * the kernel's on any machine (no seeding needed). The 32-bit value hashed is
 * offset + port + ntohl(addr), stored little-endian as on x86_64. mh-fallback (SCHED1) and mh-port
 * (SCHED2) as for sh.
 */
import { foldedAddress, type InetAddress } from '../inet-address.js';
import { DEST_F_AVAILABLE, SVC_F_SCHED1, SVC_F_SCHED2, type RealServer, type Scheduler, type SchedulingInput, type VirtualService } from '../virtual-service.js';

export const HASH_TABLE_SIZE = 256;
const GOLDEN_RATIO_32 = 0x61c88647;

/** hash_32(val, bits): the top `bits` bits of val × GOLDEN_RATIO_32 (mod 2^32). */
export function hash32(value: number, bits: number): number {
  return Math.imul(value >>> 0, GOLDEN_RATIO_32) >>> (32 - bits);
}

/** sh's and mh's test for a server it may not use. */
function isUnavailable(dest: RealServer): boolean {
  return dest.weight <= 0 || dest.isOverloaded;
}

export class SourceHashingScheduler implements Scheduler {
  readonly name = 'sh';
  /** The 256 buckets (null: the service has no servers). */
  readonly buckets: (RealServer | null)[] = new Array<RealServer | null>(HASH_TABLE_SIZE).fill(null);

  destinationsChanged(service: VirtualService): void {
    const list = service.destinations;
    let index = 0;
    let count = 0;
    for (let i = 0; i < HASH_TABLE_SIZE; i++) {
      if (list.length === 0) {
        this.buckets[i] = null;
        continue;
      }
      const dest = list[index]!;
      this.buckets[i] = dest;
      if (++count >= dest.weight) {
        index = (index + 1) % list.length;
        count = 0;
      }
    }
  }

  private hashKey(address: InetAddress, port: number, offset: number): number {
    return (offset + hash32((port + foldedAddress(address)) >>> 0, 8)) & (HASH_TABLE_SIZE - 1);
  }

  schedule(service: VirtualService, packet: SchedulingInput): RealServer | null {
    const port = (service.flags & SVC_F_SCHED2) !== 0 ? packet.sourcePort : 0;
    const first = this.hashKey(packet.source, port, 0);
    const dest = this.buckets[first] ?? null;
    if (dest === null) return null;
    if (!isUnavailable(dest)) return dest;
    if ((service.flags & SVC_F_SCHED1) === 0) return null;
    // ip_vs_sh_get_fallback: loop around the table from the original bucket.
    for (let offset = 0; offset < HASH_TABLE_SIZE; offset++) {
      const roffset = (offset + first) % HASH_TABLE_SIZE;
      const candidate = this.buckets[this.hashKey(packet.source, port, roffset)] ?? null;
      if (candidate === null) break;
      if (!isUnavailable(candidate)) return candidate;
    }
    return null;
  }
}

export class DestinationHashingScheduler implements Scheduler {
  readonly name = 'dh';
  readonly buckets: (RealServer | null)[] = new Array<RealServer | null>(HASH_TABLE_SIZE).fill(null);

  destinationsChanged(service: VirtualService): void {
    const list = service.destinations;
    for (let i = 0; i < HASH_TABLE_SIZE; i++) this.buckets[i] = list.length === 0 ? null : list[i % list.length]!;
  }

  schedule(_service: VirtualService, packet: SchedulingInput): RealServer | null {
    const dest = this.buckets[hash32(foldedAddress(packet.destination), 8)] ?? null;
    if (dest === null || (dest.flags & DEST_F_AVAILABLE) === 0 || dest.weight <= 0 || dest.isOverloaded) return null;
    return dest;
  }
}

// ---- Maglev ----

/** The kernel's table sizes; CONFIG_IP_VS_MH_TAB_INDEX 8..17 picks primes[index − 8]. */
export const MH_PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;
export const MH_DEFAULT_TAB_INDEX = 12;

const MASK64 = (1n << 64n) - 1n;
const rol64 = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & MASK64;

/** A 64-bit-kernel hsiphash key: two unsigned longs. */
export type HsiphashKey = readonly [bigint, bigint];
export const MH_KEY1: HsiphashKey = [2654435761n, 2654435761n];
export const MH_KEY2: HsiphashKey = [2654446892n, 2654446892n];

/** hsiphash of one u32 on a 64-bit kernel (hsiphash_1u32: SipHash-1-3, low 32 bits of the result). */
export function hsiphash32(value: number, key: HsiphashKey): number {
  let v0 = 0x736f6d6570736575n ^ key[0];
  let v1 = 0x646f72616e646f6dn ^ key[1];
  let v2 = 0x6c7967656e657261n ^ key[0];
  let v3 = 0x7465646279746573n ^ key[1];
  const b = (4n << 56n) | BigInt(value >>> 0);
  const round = (): void => {
    v0 = (v0 + v1) & MASK64;
    v1 = rol64(v1, 13n) ^ v0;
    v0 = rol64(v0, 32n);
    v2 = (v2 + v3) & MASK64;
    v3 = rol64(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK64;
    v3 = rol64(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK64;
    v1 = rol64(v1, 17n) ^ v2;
    v2 = rol64(v2, 32n);
  };
  v3 ^= b;
  round();
  v0 ^= b;
  v2 ^= 0xffn;
  round();
  round();
  round();
  return Number((v0 ^ v1 ^ v2 ^ v3) & 0xffffffffn);
}

/** ip_vs_mh_hashkey. */
function mhHashKey(address: InetAddress, port: number, key: HsiphashKey, offset: number): number {
  return hsiphash32((offset + port + foldedAddress(address)) >>> 0, key);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** fls: the 1-based index of the highest set bit, 0 for 0. */
const fls = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));

export class MaglevHashingScheduler implements Scheduler {
  readonly name = 'mh';
  readonly tableSize: number;
  private readonly tableBits: number;
  /** The lookup table (null: no server). */
  readonly lookup: (RealServer | null)[];

  constructor(tableIndex = MH_DEFAULT_TAB_INDEX) {
    const size = MH_PRIMES[tableIndex - 8];
    if (size === undefined) throw new RangeError(`mh: table index ${tableIndex} is outside 8..17`);
    this.tableSize = size;
    this.tableBits = Math.trunc(tableIndex / 2);
    this.lookup = new Array<RealServer | null>(size).fill(null);
  }

  destinationsChanged(service: VirtualService): void {
    const list = service.destinations;
    const size = this.tableSize;
    let g = 0;
    for (const dest of list) if (dest.lastWeight > 0) g = g > 0 ? gcd(dest.lastWeight, g) : dest.lastWeight;
    if (g < 1 || list.length > size) {
      // No weights (or the kernel's -EINVAL for more servers than slots, which leaves the old table).
      if (g < 1) this.lookup.fill(null);
      return;
    }
    let maxWeight = 0;
    for (const dest of list) if (dest.lastWeight > maxWeight) maxWeight = dest.lastWeight;
    const rshift = Math.max(fls(Math.trunc(maxWeight / g)) - this.tableBits, 0);
    const setups = list.map((dest) => {
      const offset = mhHashKey(dest.address, dest.port, MH_KEY1, 0) % size;
      const skip = (mhHashKey(dest.address, dest.port, MH_KEY2, 0) % (size - 1)) + 1;
      const turns = Math.trunc(dest.lastWeight / g) >> rshift || (dest.lastWeight !== 0 ? 1 : 0);
      return { offset, skip, perm: offset, turns };
    });
    const taken = new Uint8Array(size);
    let filled = 0;
    let index = 0;
    let turnCount = 0;
    // ip_vs_mh_populate: round robin over the servers, each taking `turns` slots of its permutation.
    while (filled < size) {
      index = 0;
      while (index < list.length) {
        const setup = setups[index]!;
        if (setup.turns < 1) {
          index++;
          continue;
        }
        while (taken[setup.perm] === 1) {
          setup.perm += setup.skip;
          if (setup.perm >= size) setup.perm -= size;
        }
        taken[setup.perm] = 1;
        this.lookup[setup.perm] = list[index]!;
        if (++filled === size) return;
        if (++turnCount >= setup.turns) {
          turnCount = 0;
          index++;
        }
      }
    }
  }

  schedule(service: VirtualService, packet: SchedulingInput): RealServer | null {
    const port = (service.flags & SVC_F_SCHED2) !== 0 ? packet.sourcePort : 0;
    const first = mhHashKey(packet.source, port, MH_KEY1, 0) % this.tableSize;
    const dest = this.lookup[first] ?? null;
    if (dest === null) return null;
    if (!isUnavailable(dest)) return dest;
    if ((service.flags & SVC_F_SCHED1) === 0) return null;
    for (let offset = 0; offset < this.tableSize; offset++) {
      const roffset = (offset + first) % this.tableSize;
      const candidate = this.lookup[mhHashKey(packet.source, port, MH_KEY1, roffset) % this.tableSize] ?? null;
      if (candidate === null) break;
      if (!isUnavailable(candidate)) return candidate;
    }
    return null;
  }
}
