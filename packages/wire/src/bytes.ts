/**
 * Big-endian field access on Uint8Array and the payload copy used by every `emit…`.
 * Internal to wire (not exported from the package index).
 */

export function readU16(bytes: Uint8Array, offset: number): number {
  return (((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0)) >>> 0;
}

export function writeU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 8;
  bytes[offset + 1] = value;
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] ?? 0) * 0x1000000 +
      (((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0))) >>>
    0
  );
}

export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}

/**
 * Copy `source` into `target` at `offset`, unless it already sits there (a payload emitted in
 * place by an inner layer before the outer header is written around it).
 */
export function placeBytes(target: Uint8Array, offset: number, source: Uint8Array): void {
  if (source.buffer === target.buffer && source.byteOffset === target.byteOffset + offset) return;
  target.set(source, offset);
}
