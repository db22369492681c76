import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { chainSpec } from './bench-chain.js';
import { Emulator } from './emulator.js';
import { defaultPlacement, INLINE_NODE_LIMIT } from './placement.js';

describe('the default placement', () => {
  it('runs a topology of up to INLINE_NODE_LIMIT nodes inline and a bigger one packed, one worker per core', async () => {
    // chainSpec(n) has n routers between a source and a sink: n + 2 nodes.
    const small = await Emulator.load(chainSpec(INLINE_NODE_LIMIT - 2, 1e6));
    expect([small.spec.nodes.length, small.placement, small.shardCount]).toEqual([INLINE_NODE_LIMIT, 'inline', 1]);
    const big = await Emulator.load(chainSpec(INLINE_NODE_LIMIT - 1, 1e6));
    expect([big.spec.nodes.length, big.placement, big.shardCount]).toEqual([INLINE_NODE_LIMIT + 1, 'packed', Math.min(availableParallelism(), INLINE_NODE_LIMIT + 1)]);
  });

  it('packs a small topology when a worker count is given, and keeps a placement that is asked for', async () => {
    expect((await Emulator.load(chainSpec(1, 1e6), { workers: 2 })).describePlacement()).toBe('packed (2 workers)');
    expect((await Emulator.load(chainSpec(1, 1e6), { placement: 'per-node' })).describePlacement()).toBe('per-node (3 workers)');
    expect((await Emulator.load(chainSpec(INLINE_NODE_LIMIT, 1e6), { placement: 'inline' })).describePlacement()).toBe('inline');
    expect([defaultPlacement(1, undefined), defaultPlacement(1, 1), defaultPlacement(INLINE_NODE_LIMIT + 1, undefined)]).toEqual(['inline', 'packed', 'packed']);
  });
});
