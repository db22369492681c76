/**
 * A queue of bytes kept as the chunks they arrived in: TCP's send buffer (bytes from snd_una on,
 * dropped from the front as they are acknowledged, read at any offset to build a segment) and its
 * receive queue (in-order bytes not yet read). The caller bounds it (sk_sndbuf, sk_rcvbuf).
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Bytes of chunks[0] already dropped. */
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  /** Forget the first `count` bytes (at most all). */
  discard(count: number): void {
    let left = Math.min(count, this.size);
    this.size -= left;
    while (left > 0) {
      const first = this.chunks[0]!;
      const available = first.length - this.head;
      if (left < available) {
        this.head += left;
        return;
      }
      left -= available;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** A copy of `count` bytes from `offset` (clipped to what the queue holds). */
  copy(offset: number, count: number): Uint8Array {
    const length = Math.max(0, Math.min(count, this.size - offset));
    const out = new Uint8Array(length);
    let skip = offset + this.head;
    let written = 0;
    for (const chunk of this.chunks) {
      if (written === length) break;
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      const take = Math.min(chunk.length - skip, length - written);
      out.set(chunk.subarray(skip, skip + take), written);
      written += take;
      skip = 0;
    }
    return out;
  }

  /** Everything, emptied. */
  takeAll(): Uint8Array {
    const all = this.copy(0, this.size);
    this.chunks = [];
    this.head = 0;
    this.size = 0;
    return all;
  }
}
