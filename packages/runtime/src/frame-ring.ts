/**
 * A bounded ring of frame envelopes from one shard to another, in a SharedArrayBuffer: frames cross
 * shards directly, in a fixed binary layout, instead of being msgpack-encoded into the window's
 * reply, decoded by the controller and encoded again into the next window's message.
 *
 * Sized by the MTUs of the links the two shards share (ringCapacityForMtu: 128 KiB for 1500), and
 * counted in the memory a placement needs (memory-budget.ts).
 *
 * One writer (the sending shard's thread) and one reader (the receiving shard's thread). The header
 * holds two byte counters that only grow (modulo 2^32), each on a cache line of its own: `written`
 * and `read`; the ring's capacity is a power of two, so a counter's position in the data area is
 * `counter & (capacity − 1)` and the bytes in use are `written − read`. A record is
 *
 *   offset  0  f64  deliverAt (ns)
 *           8  f64  seq (per sending port)
 *          16  u32  link
 *          20  u32  sending port
 *          24  u32  frame length in bytes, or WRAP: the rest of the area is unused, go to its start
 *          28  u32  flags: bit 0 a carrier signal (no frame), bit 1 its device is up, bit 2 more
 *                   parts of this frame follow
 *          32  …    the frame's bytes, padded to 8
 *
 * and never straddles the end of the area. A frame larger than a record may be (half the ring: a
 * frame that outgrew its ring because an MTU was raised while running) is written in parts, each a
 * record with bit 2 set but the last, the writer waiting for room between parts; the reader keeps
 * the parts until the last has come and then takes the whole frame, so any frame fits any ring.
 * The writer publishes a record by storing `written` after its bytes (Atomics.store orders the
 * plain writes before it); the reader frees space the same way with `read` and notifies on it. A full ring is never overwritten and never drops: `tryWrite`
 * answers false and the sender waits (shard.ts drains its own input rings meanwhile, so two shards
 * writing to each other cannot both wait forever). Leaves out: which thread waits how (shard.ts,
 * shard-worker.ts).
 */
import type { FrameEnvelope } from '@netloom/ipc';

const WRITTEN = 0;
/**
 * The `read` counter's Int32 cell: 128 bytes past `written`, and the data 128 bytes past it, so that
 * the writer's store of `written` at every frame and the reader's of `read` at every drain touch
 * cache lines of their own (shard-cells.ts: a line two threads write passes between their cores).
 */
export const READ_CELL = 32;
const READ = READ_CELL;
const HEADER_BYTES = 256;
const RECORD_HEADER = 32;
const WRAP = 0xffffffff;
const FLAG_SIGNAL = 1;
const FLAG_UP = 2;
const FLAG_MORE = 4;

function padded(length: number): number {
  return RECORD_HEADER + ((length + 7) & ~7);
}

/** Bytes a ring needs so that a frame of up to `maxFrame` bytes fits (a record may take half of it). */
export function ringCapacity(maxFrame: number, least = 256 * 1024): number {
  let capacity = 1024;
  while (capacity < least || capacity < 2 * padded(maxFrame)) capacity *= 2;
  return capacity;
}

/** Room past a link's MTU in a frame: its Ethernet header and VLAN tags. */
const FRAME_OVERHEAD = 64;
/** A ring holds this many frames of the largest size its links carry… */
export const RING_FRAMES = 64;
/** …but takes no more than this, unless two of its largest frames need more. */
export const RING_MAX_BYTES = 256 * 1024;

/**
 * The data capacity of a ring between two shards whose shared links carry frames of up to `mtu`
 * bytes: RING_FRAMES such frames, at most RING_MAX_BYTES, at least two (a power of two): 128 KiB
 * for MTU 1500, 256 KiB for 9000 and for 65535. A frame that outgrows its ring later (an MTU raised
 * while running) is written in parts (tryWritePart).
 */
export function ringCapacityForMtu(mtu: number): number {
  const record = padded(mtu + FRAME_OVERHEAD);
  return ringCapacity(mtu + FRAME_OVERHEAD, Math.min(RING_FRAMES * record, RING_MAX_BYTES));
}

/** A ring's shared memory for a given data capacity (a power of two). */
export function allocateRing(capacity: number): SharedArrayBuffer {
  if (!(capacity >= 64 && (capacity & (capacity - 1)) === 0)) throw new RangeError(`ring capacity must be a power of two ≥ 64, got ${capacity}`);
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

/** The most parts a frame may come in: a 65,599-byte frame in the smallest ring (1 KiB) takes 137. */
const MAX_PARTS = 256;

/**
 * Uint8Array's own `set` and `slice`, called on the ring's bytes. V8 does not inline a load of a
 * method from a typed array over a SharedArrayBuffer: `this.bytes.slice` was a LoadIC call a frame
 * in optimised code (`--print-opt-code`; 3% of a per-node `bench chain` profile with `set`).
 */
const copyInto = Uint8Array.prototype.set;
const copyOut = Uint8Array.prototype.slice;
const viewOf = Uint8Array.prototype.subarray;

/**
 * Frames of up to this many bytes are read out with `slice`, into a typed array V8 keeps on its heap
 * (quick to allocate); a longer one's bytes live outside the heap, where an allocation costs 5–10
 * times the copy (1.0 µs for 102 bytes, 1.6 µs for 1514, against 0.1–0.3 µs into a buffer given by
 * the sink), so those are copied into `RingSink.frameBuffer`.
 */
export const ON_HEAP_FRAME = 64;

/** The flags of a record's carrier signal (none for a frame). */
function signalFlags(adminUp: boolean | undefined): number {
  return adminUp === undefined ? 0 : FLAG_SIGNAL | (adminUp ? FLAG_UP : 0);
}

/**
 * What a ring's reader hands each frame to (`drainTo`): an envelope's fields, without an object
 * per frame. `adminUp` as in FrameEnvelope.
 */
export interface RingSink {
  /** A buffer of exactly `length` bytes (more than ON_HEAP_FRAME) that the next frame read is copied into, the sink's from then on. */
  frameBuffer(length: number): Uint8Array;
  takeFrame(deliverAt: number, link: number, port: number, seq: number, bytes: Uint8Array, adminUp: boolean | undefined): void;
}

function joined(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

export class FrameRing {
  /** The written/read counters (Int32 cells, read as unsigned). */
  readonly counters: Int32Array;
  private readonly data: DataView;
  private readonly bytes: Uint8Array;
  private readonly capacity: number;
  private readonly mask: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.capacity = buffer.byteLength - HEADER_BYTES;
    this.mask = this.capacity - 1;
    this.counters = new Int32Array(buffer, 0, READ + 1);
    this.data = new DataView(buffer, HEADER_BYTES, this.capacity);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES, this.capacity);
    this.writtenByMe = Atomics.load(this.counters, WRITTEN) >>> 0;
    this.readSeen = Atomics.load(this.counters, READ) >>> 0;
  }

  /** Bytes written and not yet read. */
  used(): number {
    return (Atomics.load(this.counters, WRITTEN) - Atomics.load(this.counters, READ)) >>> 0;
  }

  /** Whether a frame of `length` bytes can ever be written here (a record takes at most half the ring). */
  fits(length: number): boolean {
    return padded(length) <= this.capacity / 2;
  }

  /** The `read` counter as it is now (to wait on it for space). */
  readCounter(): number {
    return Atomics.load(this.counters, READ);
  }

  /** Append one envelope; false when the ring has no room for it now (nothing is written). */
  tryWrite(envelope: FrameEnvelope): boolean {
    return this.tryWriteFrame(envelope.deliverAt, envelope.seq, envelope.link, envelope.port, envelope.bytes, envelope.adminUp);
  }

  /**
   * `tryWrite` of an envelope's fields, for the frame path (shard.ts's sendAcross): no envelope object
   * a hop, and every load of a field is monomorphic.
   */
  tryWriteFrame(deliverAt: number, seq: number, link: number, port: number, bytes: Uint8Array, adminUp: boolean | undefined): boolean {
    const length = bytes.length;
    if (!this.fits(length)) throw new RangeError(`a frame of ${length} bytes does not fit a ring of ${this.capacity} bytes`);
    return this.tryWriteRecord(deliverAt, seq, link, port, bytes, 0, length, signalFlags(adminUp));
  }

  /**
   * Append the next part of a frame too large for one record (see fits()), from byte `from` on:
   * answers where the next part starts (`from` itself when the ring has no room now; the frame's
   * length once the last part is written).
   */
  tryWritePart(envelope: FrameEnvelope, from: number): number {
    const length = envelope.bytes.length;
    const room = ((this.capacity / 2 - RECORD_HEADER) & ~7);
    const end = Math.min(length, from + room);
    const flags = signalFlags(envelope.adminUp) | (end < length ? FLAG_MORE : 0);
    return this.tryWriteRecord(envelope.deliverAt, envelope.seq, envelope.link, envelope.port, envelope.bytes, from, end, flags) ? end : from;
  }

  /**
   * The writer's own `written` counter, and the `read` counter as it last loaded it: free space is
   * known without an atomic load (a call into V8's runtime, not inlined) until the cached figure says
   * the record does not fit. Only one FrameRing object writes a ring (the sending shard's).
   */
  private writtenByMe: number;
  private readSeen: number;

  private tryWriteRecord(deliverAt: number, seq: number, link: number, port: number, bytes: Uint8Array, from: number, end: number, flags: number): boolean {
    const length = end - from;
    const size = padded(length);
    const written = this.writtenByMe;
    let at = written & this.mask;
    const tail = this.capacity - at;
    // A record never straddles the end: the tail is skipped (marked when a header fits there).
    const skip = tail < size ? tail : 0;
    if (this.capacity - ((written - this.readSeen) >>> 0) < skip + size) {
      this.readSeen = Atomics.load(this.counters, READ) >>> 0;
      if (this.capacity - ((written - this.readSeen) >>> 0) < skip + size) return false;
    }
    if (skip > 0) {
      if (skip >= RECORD_HEADER) this.data.setUint32(at + 24, WRAP, true);
      at = 0;
    }
    const data = this.data;
    data.setFloat64(at, deliverAt, true);
    data.setFloat64(at + 8, seq, true);
    data.setUint32(at + 16, link, true);
    data.setUint32(at + 20, port, true);
    data.setUint32(at + 24, length, true);
    data.setUint32(at + 28, flags, true);
    copyInto.call(this.bytes, from === 0 && end === bytes.length ? bytes : bytes.subarray(from, end), at + RECORD_HEADER);
    this.writtenByMe = (written + skip + size) >>> 0;
    Atomics.store(this.counters, WRITTEN, this.writtenByMe | 0);
    return true;
  }

  /** Parts read so far of a frame written in parts (reader side). */
  private parts: Uint8Array[] = [];

  /** Take every envelope written so far, oldest first, and free their space (waking a waiting writer). */
  drain(take: (envelope: FrameEnvelope) => void): number {
    return this.drainTo({
      frameBuffer: (length) => new Uint8Array(length),
      takeFrame(deliverAt, link, port, seq, bytes, adminUp) {
        const envelope: FrameEnvelope = { deliverAt, link, port, seq, bytes };
        if (adminUp !== undefined) envelope.adminUp = adminUp;
        take(envelope);
      },
    });
  }

  /** `drain`, handing each frame's fields to `sink` (the frame path: shard.ts's drainRings). */
  drainTo(sink: RingSink): number {
    const written = Atomics.load(this.counters, WRITTEN) >>> 0;
    let read = Atomics.load(this.counters, READ) >>> 0;
    if (written === read) return 0;
    let count = 0;
    const data = this.data;
    while (read !== written) {
      const at = read & this.mask;
      const tail = this.capacity - at;
      if (tail < RECORD_HEADER || data.getUint32(at + 24, true) === WRAP) {
        read = (read + tail) >>> 0;
        continue;
      }
      const length = data.getUint32(at + 24, true);
      if (padded(length) > ((written - read) >>> 0) || padded(length) > tail) {
        throw new Error(`frame ring corrupt: a record of ${length} bytes at ${at} runs past what was written`);
      }
      const flags = data.getUint32(at + 28, true);
      const from = at + RECORD_HEADER;
      let bytes: Uint8Array;
      if (length <= ON_HEAP_FRAME || (flags & FLAG_MORE) !== 0 || this.parts.length > 0) bytes = copyOut.call(this.bytes, from, from + length);
      else {
        bytes = sink.frameBuffer(length);
        copyInto.call(bytes, viewOf.call(this.bytes, from, from + length));
      }
      read = (read + padded(length)) >>> 0;
      if ((flags & FLAG_MORE) !== 0) {
        if (this.parts.length >= MAX_PARTS) throw new Error(`frame ring corrupt: a frame in more than ${MAX_PARTS} parts`);
        this.parts.push(bytes);
        continue;
      }
      if (this.parts.length > 0) {
        this.parts.push(bytes);
        bytes = joined(this.parts);
        this.parts = [];
      }
      const adminUp = (flags & FLAG_SIGNAL) !== 0 ? (flags & FLAG_UP) !== 0 : undefined;
      sink.takeFrame(data.getFloat64(at, true), data.getUint32(at + 16, true), data.getUint32(at + 20, true), data.getFloat64(at + 8, true), bytes, adminUp);
      count++;
    }
    Atomics.store(this.counters, READ, read | 0);
    Atomics.notify(this.counters, READ);
    return count;
  }
}
