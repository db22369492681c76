/**
 * Where builders get their bytes: small views carved out of shared 16 KiB slabs, because
 * allocating one ArrayBuffer per frame costs about ten times more in V8 than a view of a slab.
 *
 * A slab is never reused, so fresh bytes are zero and a frame never changes under its holder;
 * a slab is freed when no frame carved from it is reachable. Consequences for callers: a built
 * frame's `byteOffset` is usually not 0 and its `buffer` holds other frames — read it through
 * the Uint8Array (or `new DataView(f.buffer, f.byteOffset, f.byteLength)`), and never transfer
 * `f.buffer` to another thread (copy or msgpack-encode the bytes instead).
 */

const SLAB_SIZE = 16 * 1024;

let slab = new ArrayBuffer(SLAB_SIZE);
let used = 0;

/** `length` zero bytes for a new frame or packet. Frames above 4 KiB get their own buffer. */
export function allocateFrameBytes(length: number): Uint8Array {
  if (length > SLAB_SIZE / 4) return new Uint8Array(length);
  if (used + length > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const bytes = new Uint8Array(slab, used, length);
  used += (length + 7) & ~7; // keep every frame 8-byte aligned
  return bytes;
}

/** A private copy of `bytes` (e.g. before rewriting a frame in place that others still hold). */
export function copyFrameBytes(bytes: Uint8Array): Uint8Array {
  const copy = allocateFrameBytes(bytes.length);
  copy.set(bytes);
  return copy;
}
