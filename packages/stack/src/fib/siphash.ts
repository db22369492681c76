/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012) as the kernel's
 * lib/siphash.c computes it for `siphash(data, len, key)`: a 128-bit key given as two 64-bit words
 * (siphash_key_t's key[0] and key[1], used as k0 and k1 directly), the message read as
 * little-endian 64-bit words, the length's low byte in the top byte of the last word, 2 compression
 * and 4 finalisation rounds, and the 64-bit result v0 ^ v1 ^ v2 ^ v3.
 *
 * Here for the multipath flow hash (flow_hash_from_keys_seed); it works on 32-bit halves so that no
 * BigInt is made per packet. Leaves out HalfSipHash and the 128-bit output.
 */

/** A 64-bit word as two unsigned 32-bit halves. */
export interface Word64 {
  hi: number;
  lo: number;
}

/** siphash_key_t: key[0] and key[1]. */
export interface SipHashKey {
  k0: Word64;
  k1: Word64;
}

/** The state v0..v3, each as [hi, lo] at 2i, 2i + 1. */
const V = new Uint32Array(8);

/** v[a] += v[b] (mod 2^64). */
function add(a: number, b: number): void {
  const lo = V[a + 1]! + V[b + 1]!;
  V[a] = V[a]! + V[b]! + (lo > 0xffffffff ? 1 : 0);
  V[a + 1] = lo;
}

/** v[a] ^= v[b]. */
function xor(a: number, b: number): void {
  V[a] = V[a]! ^ V[b]!;
  V[a + 1] = V[a + 1]! ^ V[b + 1]!;
}

/** v[a] = rotl64(v[a], n), 0 < n < 64. */
function rotl(a: number, n: number): void {
  let hi = V[a]!;
  let lo = V[a + 1]!;
  if (n >= 32) {
    const t = hi;
    hi = lo;
    lo = t;
    n -= 32;
  }
  if (n === 0) {
    V[a] = hi;
    V[a + 1] = lo;
    return;
  }
  V[a] = (hi << n) | (lo >>> (32 - n));
  V[a + 1] = (lo << n) | (hi >>> (32 - n));
}

const V0 = 0;
const V1 = 2;
const V2 = 4;
const V3 = 6;

/** SIPROUND. */
function round(): void {
  add(V0, V1);
  rotl(V1, 13);
  xor(V1, V0);
  rotl(V0, 32);
  add(V2, V3);
  rotl(V3, 16);
  xor(V3, V2);
  add(V0, V3);
  rotl(V3, 21);
  xor(V3, V0);
  add(V2, V1);
  rotl(V1, 17);
  xor(V1, V2);
  rotl(V2, 32);
}

/** Absorb one message word m (hi, lo): v3 ^= m, two rounds, v0 ^= m. */
function compress(hi: number, lo: number): void {
  V[V3] = V[V3]! ^ hi;
  V[V3 + 1] = V[V3 + 1]! ^ lo;
  round();
  round();
  V[V0] = V[V0]! ^ hi;
  V[V0 + 1] = V[V0 + 1]! ^ lo;
}

/** Little-endian 32-bit word at `offset`, bytes past `end` read as 0. */
function le32(data: Uint8Array, offset: number, end: number): number {
  let word = 0;
  for (let i = 3; i >= 0; i--) word = (word << 8) | (offset + i < end ? data[offset + i]! : 0);
  return word >>> 0;
}

/** siphash(data, len, key): the 64-bit SipHash-2-4 of `data`. */
export function siphash(data: Uint8Array, key: SipHashKey): Word64 {
  // "somepseudorandomlygeneratedbytes"
  V[V0] = key.k0.hi ^ 0x736f6d65;
  V[V0 + 1] = key.k0.lo ^ 0x70736575;
  V[V1] = key.k1.hi ^ 0x646f7261;
  V[V1 + 1] = key.k1.lo ^ 0x6e646f6d;
  V[V2] = key.k0.hi ^ 0x6c796765;
  V[V2 + 1] = key.k0.lo ^ 0x6e657261;
  V[V3] = key.k1.hi ^ 0x74656462;
  V[V3 + 1] = key.k1.lo ^ 0x79746573;
  const length = data.length;
  const whole = length - (length % 8);
  for (let offset = 0; offset < whole; offset += 8) compress(le32(data, offset + 4, length), le32(data, offset, length));
  // The last word: the remaining bytes, and the length's low byte on top.
  const lastHi = (le32(data, whole + 4, length) | ((length & 0xff) << 24)) >>> 0;
  compress(lastHi, le32(data, whole, length));
  V[V2 + 1] = V[V2 + 1]! ^ 0xff;
  round();
  round();
  round();
  round();
  return {
    hi: (V[V0]! ^ V[V1]! ^ V[V2]! ^ V[V3]!) >>> 0,
    lo: (V[V0 + 1]! ^ V[V1 + 1]! ^ V[V2 + 1]! ^ V[V3 + 1]!) >>> 0,
  };
}
