import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { chainSpec } from './bench-chain.js';
import { Emulator } from './emulator.js';
import { assignShards, defaultPlacement, INLINE_NODE_LIMIT } from './placement.js';

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

describe('an explicit shard for some nodes (shardOf, packed only)', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];

  it('overrides the contiguous rule for the nodes it names and keeps it for the others', () => {
    expect(assignShards(names, 'packed', 2, undefined)).toEqual([0, 0, 0, 1, 1]);
    expect(assignShards(names, 'packed', 2, { e: 1, d: 0 })).toEqual([0, 0, 0, 0, 1]);
    expect(assignShards(names, 'per-node', 5, undefined)).toEqual([0, 1, 2, 3, 4]);
    expect(assignShards(names, 'inline', 1, undefined)).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses a node the topology lacks, a shard out of range, an emptied shard, and any other placement', () => {
    expect(() => assignShards(names, 'packed', 2, { x: 0 })).toThrow('shardOf: no node x in the topology');
    expect(() => assignShards(names, 'packed', 2, { a: 2 })).toThrow('shardOf: node a on shard 2, but there are shards 0-1');
    expect(() => assignShards(names, 'packed', 2, { d: 0, e: 0 })).toThrow('shardOf leaves shard 1 without a node');
    expect(() => assignShards(names, 'per-node', 5, { a: 0 })).toThrow('shardOf applies to packed placement only, not per-node');
  });

  it('runs a network split that way with the same outcome as inline, and reports a bad assignment as an EmulatorError', async () => {
    // router-chain.yaml: h1, r1 … r8, h2. r4 alone on shard 1: every packet crosses shards twice each way.
    const file = new URL('../../../topologies/router-chain.yaml', import.meta.url).pathname;
    const ping = async (options: Parameters<typeof Emulator.load>[1]) => {
      const emulator = await Emulator.load(file, options);
      try {
        await emulator.start();
        return (await emulator.exec('h1', 'ping -c 2 10.0.8.2')).stdout;
      } finally {
        await emulator.close();
      }
    };
    const inline = await ping({ placement: 'inline' });
    expect(inline).toContain('2 received');
    const apart = { h1: 0, r1: 0, r2: 0, r3: 0, r4: 1, r5: 0, r6: 0, r7: 0, r8: 0, h2: 0 };
    expect(await ping({ placement: 'packed', workers: 2, shardOf: apart })).toBe(inline);
    await expect(Emulator.load(file, { placement: 'packed', workers: 2, shardOf: { nowhere: 1 } })).rejects.toThrow('shardOf: no node nowhere in the topology');
  });
});
