/**
 * The worker pool's own failures: an 'error' event of a shard's piscina pool (piscina emits one when
 * its worker fails while none of our tasks runs on it) fails that shard's channel instead of escaping
 * as an unhandled 'error' event that would crash the process.
 */
import type { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ShardPool } from './shard-channel.js';
import { FAKE_NODES } from './testing/specs.js';

describe('the shard pool', () => {
  it("reports a pool 'error' event through its shard's channel instead of throwing it", async () => {
    const pool = await ShardPool.open(2, false, 10_000, [], FAKE_NODES);
    try {
      const piscina = (pool as unknown as { pools: EventEmitter[] }).pools[1]!;
      expect(() => piscina.emit('error', new Error('a worker failed between tasks'))).not.toThrow();
      await expect(pool.channels[1]!.settle()).rejects.toThrow('Error: a worker failed between tasks');
    } finally {
      await pool.destroy();
    }
  });
});
