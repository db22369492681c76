/**
 * Seeded pseudo-random numbers for the runtime: link loss draws and node seeds.
 *
 * Covers: a 32-bit string/seed hash (FNV-1a, then a murmur3 finaliser) and a small PRNG
 * (mulberry32) per stream. Each link end draws from its own stream, so the draws of one end never
 * depend on how the traffic of other ends interleaves with it — the reason traces are the same for
 * every placement. Leaves out: cryptographic quality (not needed); Math.random is never used.
 */

/** A 32-bit hash of a seed and some names, stable across runs and platforms. */
export function hashSeed(seed: number, ...names: string[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  h = Math.imul(h, 0x01000193);
  for (const name of names) {
    for (let i = 0; i < name.length; i++) {
      h ^= name.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff; // separator, so ("ab","c") ≠ ("a","bc")
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a stream of floats in [0, 1). */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
