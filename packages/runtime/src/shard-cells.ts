/**
 * Where each shard's cells lie in the SharedArrayBuffers its worker shares with other threads: one
 * cache-line stride apart, so that a cell one thread writes at every hop never shares a line with
 * another thread's. Two threads writing cells of one 64-byte line pass that line between their
 * cores at each write (false sharing): the activity cells (shard.ts's `enterNode`, written three
 * times a hop) of the shards were 8 bytes apart, and every hop of every worker paid for it.
 * 128 bytes, not 64: a core's adjacent-line prefetcher fetches lines in pairs. Leaves out: what
 * the cells hold (shard-worker.ts, shard-channel.ts, inline-watchdog.ts).
 */

/** Bytes between the cells of shard i and shard i + 1: two 64-byte cache lines. */
export const SHARD_CELL_STRIDE = 128;

/** A buffer holding `count` shards' cells, one stride each. */
export function shardCellBuffer(count: number): SharedArrayBuffer {
  return new SharedArrayBuffer(SHARD_CELL_STRIDE * Math.max(1, count));
}

/** Shard `shard`'s `length` Int32 cells in a buffer from shardCellBuffer. */
export function shardCells(buffer: SharedArrayBuffer, shard: number, length: number): Int32Array {
  return new Int32Array(buffer, SHARD_CELL_STRIDE * shard, length);
}
