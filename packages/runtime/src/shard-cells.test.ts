import { describe, expect, it } from 'vitest';
import { allocateRing, FrameRing, READ_CELL } from './frame-ring.js';
import { SHARD_CELL_STRIDE, shardCellBuffer, shardCells } from './shard-cells.js';

/** A cache line of x86-64 and arm64 cores, and the pair an adjacent-line prefetcher fetches together. */
const LINE = 64;
const lineOf = (byte: number): number => Math.floor(byte / (2 * LINE));

describe('shard cells', () => {
  it('puts no two shards’ cells in one pair of cache lines', () => {
    const count = 10;
    const buffer = shardCellBuffer(count);
    const spans = Array.from({ length: count }, (_, shard) => {
      const cells = shardCells(buffer, shard, 2);
      return { first: cells.byteOffset, last: cells.byteOffset + cells.byteLength - 1 };
    });
    for (let i = 0; i < count; i++) {
      expect(lineOf(spans[i]!.first)).toBe(lineOf(spans[i]!.last));
      for (let j = 0; j < i; j++) expect(lineOf(spans[i]!.first)).not.toBe(lineOf(spans[j]!.first));
    }
    expect(buffer.byteLength).toBe(count * SHARD_CELL_STRIDE);
  });

  it('keeps a shard’s cells its own: writing one shard’s leaves the others’ as they were', () => {
    const buffer = shardCellBuffer(3);
    shardCells(buffer, 1, 2).set([7, 9]);
    expect([...shardCells(buffer, 0, 2)]).toEqual([0, 0]);
    expect([...shardCells(buffer, 1, 2)]).toEqual([7, 9]);
    expect([...shardCells(buffer, 2, 2)]).toEqual([0, 0]);
  });

  it('keeps a ring’s two counters and its data on lines of their own', () => {
    const ring = new FrameRing(allocateRing(1024));
    const written = 0;
    const read = READ_CELL * 4;
    expect(lineOf(written)).not.toBe(lineOf(read));
    // The first record's bytes start after both counters' lines.
    const dataStart = ring.counters.buffer.byteLength - 1024;
    expect(lineOf(dataStart)).toBeGreaterThan(lineOf(read));
  });
});
