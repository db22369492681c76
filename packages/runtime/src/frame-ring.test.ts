import { describe, expect, it } from 'vitest';
import type { FrameEnvelope } from '@netloom/ipc';
import { allocateRing, FrameRing, ON_HEAP_FRAME, READ_CELL, RING_MAX_BYTES, ringCapacity, ringCapacityForMtu } from './frame-ring.js';

function envelope(seq: number, length: number, adminUp?: boolean): FrameEnvelope {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seq * 31 + i) & 0xff;
  const e: FrameEnvelope = { deliverAt: 1e9 + seq * 1000 + 0.5 * 0, link: seq % 7, port: 3 + (seq % 5), seq: 2 ** 40 + seq, bytes };
  if (adminUp !== undefined) e.adminUp = adminUp;
  return e;
}

function drainAll(ring: FrameRing): FrameEnvelope[] {
  const got: FrameEnvelope[] = [];
  ring.drain((e) => got.push(e));
  return got;
}

describe('FrameRing', () => {
  it('gives back every field of an envelope, carrier signals included, in order', () => {
    const ring = new FrameRing(allocateRing(4096));
    const sent = [envelope(1, 60), envelope(2, 0, false), envelope(3, 1514), envelope(4, 0, true), envelope(5, 1)];
    for (const e of sent) expect(ring.tryWrite(e)).toBe(true);
    expect(drainAll(ring)).toEqual(sent);
    expect(ring.used()).toBe(0);
    expect(drainAll(ring)).toEqual([]);
  });

  it('refuses a record when full, drops nothing, and takes it once the reader has made room', () => {
    const ring = new FrameRing(allocateRing(1024));
    const sent: FrameEnvelope[] = [];
    let seq = 0;
    for (;;) {
      const e = envelope(seq++, 100);
      if (!ring.tryWrite(e)) break;
      sent.push(e);
    }
    // 1024 bytes hold 7 records of 32 + 104 bytes.
    expect(sent.length).toBe(7);
    const refused = envelope(seq - 1, 100);
    expect(drainAll(ring)).toEqual(sent);
    expect(ring.tryWrite(refused)).toBe(true);
    expect(drainAll(ring)).toEqual([refused]);
  });

  it('wraps around the end of its area many times with records of every size, in order', () => {
    const ring = new FrameRing(allocateRing(2048));
    const sent: FrameEnvelope[] = [];
    const got: FrameEnvelope[] = [];
    // A fixed pseudo-random sequence of lengths (0..600) and of how often the reader drains.
    let x = 12345;
    const next = (n: number): number => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x % n);
    for (let seq = 0; seq < 3000; seq++) {
      const e = envelope(seq, next(601), next(10) === 0 ? next(2) === 0 : undefined);
      if (!ring.tryWrite(e)) {
        // An emptied ring takes any record that fits it.
        ring.drain((d) => got.push(d));
        expect(ring.tryWrite(e)).toBe(true);
      }
      sent.push(e);
      if (next(4) === 0) ring.drain((d) => got.push(d));
    }
    ring.drain((d) => got.push(d));
    expect(got.length).toBe(sent.length);
    expect(got).toEqual(sent);
  });

  it('a writer and a reader of their own (two threads): the writer sees the room the reader made when it runs out', () => {
    const buffer = allocateRing(1024);
    const writer = new FrameRing(buffer);
    const reader = new FrameRing(buffer);
    const got: FrameEnvelope[] = [];
    const sent: FrameEnvelope[] = [];
    // 136 bytes a record: seven fit in 1 KiB; each round fills the ring, the reader empties it.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; ; i++) {
        const e = envelope(round * 10 + i, 100);
        if (!writer.tryWrite(e)) break;
        sent.push(e);
      }
      expect(writer.used()).toBeGreaterThan(1024 - 2 * 136);
      reader.drain((e) => got.push(e));
    }
    expect(got).toEqual(sent);
    expect(sent.length).toBeGreaterThanOrEqual(5 * 7);
  });

  it('reads a frame of more than ON_HEAP_FRAME bytes into the buffer its sink gives, a shorter one into one of its own', () => {
    const ring = new FrameRing(allocateRing(8192));
    const sent = [envelope(1, ON_HEAP_FRAME), envelope(2, ON_HEAP_FRAME + 1), envelope(3, 1514)];
    for (const e of sent) expect(ring.tryWrite(e)).toBe(true);
    const given: Uint8Array[] = [];
    const got: Uint8Array[] = [];
    ring.drainTo({
      frameBuffer(length) {
        const buffer = new Uint8Array(length).fill(0xee);
        given.push(buffer);
        return buffer;
      },
      takeFrame(_deliverAt, _link, _port, _seq, bytes) {
        got.push(bytes);
      },
    });
    expect(got).toEqual(sent.map((e) => e.bytes));
    expect(given.map((b) => b.length)).toEqual([ON_HEAP_FRAME + 1, 1514]);
    expect(got[1]).toBe(given[0]);
    expect(got[2]).toBe(given[1]);
  });

  it('keeps counting past 2^32 bytes of records', () => {
    const buffer = allocateRing(1024);
    // Start both counters just below the wrap of the 32-bit counter (before the writer reads them).
    const start = 2 ** 32 - 200;
    const cells = new Int32Array(buffer);
    cells[0] = start | 0;
    cells[READ_CELL] = start | 0;
    const ring = new FrameRing(buffer);
    const sent = [envelope(1, 100), envelope(2, 100), envelope(3, 100)];
    for (const e of sent) expect(ring.tryWrite(e)).toBe(true);
    expect(drainAll(ring)).toEqual(sent);
  });

  it('refuses a frame that could never fit, and sizes rings for the largest frame', () => {
    const ring = new FrameRing(allocateRing(1024));
    expect(() => ring.tryWrite(envelope(1, 600))).toThrow('a frame of 600 bytes does not fit a ring of 1024 bytes');
    expect(ringCapacity(1514)).toBe(256 * 1024);
    expect(ringCapacity(65535 + 64)).toBe(256 * 1024);
    expect(ringCapacity(200_000)).toBe(512 * 1024);
    const largest = new FrameRing(allocateRing(ringCapacity(65535 + 64)));
    expect(largest.tryWrite(envelope(1, 65535 + 64))).toBe(true);
    expect(drainAll(largest)[0]!.bytes.length).toBe(65535 + 64);
    expect(() => allocateRing(1000)).toThrow('power of two');
  });

  it('carries a frame larger than a record in parts, the reader holding them until the last has come', () => {
    const ring = new FrameRing(allocateRing(1024));
    const large = envelope(7, 3000);
    expect(ring.fits(3000)).toBe(false);
    const got: FrameEnvelope[] = [];
    expect(ring.tryWrite(envelope(1, 40))).toBe(true);
    let from = 0;
    let parts = 0;
    while (from < large.bytes.length) {
      const next = ring.tryWritePart(large, from);
      if (next === from) {
        // No room now: the reader makes some.
        ring.drain((e) => got.push(e));
        continue;
      }
      parts++;
      from = next;
    }
    // The parts so far were read, but no frame of them was handed out before its last part.
    expect(got).toEqual([envelope(1, 40)]);
    expect(ring.tryWrite(envelope(8, 60))).toBe(true);
    ring.drain((e) => got.push(e));
    // 480 bytes a part in a 1 KiB ring: 7 parts.
    expect(parts).toBe(7);
    expect(got.slice(1)).toEqual([large, envelope(8, 60)]);
    expect(ring.used()).toBe(0);
  });

  it('is sized by the MTU of its links: 64 frames of the largest, at most 256 KiB, at least two frames', () => {
    expect(ringCapacityForMtu(1500)).toBe(128 * 1024);
    expect(ringCapacityForMtu(576)).toBe(64 * 1024);
    expect(ringCapacityForMtu(9000)).toBe(RING_MAX_BYTES);
    expect(ringCapacityForMtu(65535)).toBe(RING_MAX_BYTES);
    for (const mtu of [68, 576, 1500, 9000, 65535]) {
      const ring = new FrameRing(allocateRing(ringCapacityForMtu(mtu)));
      // The largest frame the links carry (MTU, Ethernet header, two VLAN tags) fits, twice over.
      expect(ring.fits(mtu + 22), `mtu ${mtu}`).toBe(true);
      expect(ring.tryWrite(envelope(1, mtu + 22)) && ring.tryWrite(envelope(2, mtu + 22)), `mtu ${mtu}`).toBe(true);
    }
    const small = new FrameRing(allocateRing(ringCapacityForMtu(1500)));
    expect(small.fits(65535 + 14)).toBe(false);
  });
});
