import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_FACTORY, Emulator } from './emulator.js';
import { EmulatorError } from './emulator-error.js';
import { BUNDLED_WORKER_THREAD_BYTES, estimateMemory, memoryShortfall, NODE_BYTES, WORKER_THREAD_BYTES, workerThreadBytes } from './memory-budget.js';
import { buildSpec, FAKE_NODES } from './testing/specs.js';

const GIB = 1024 ** 3;

/** `count` hosts, in pairs on links. */
function hosts(count: number) {
  const nodes = Array.from({ length: count }, (_, i) => ({ name: `h${i}`, kind: 'host' as const }));
  const links: { ends: [string, string] }[] = [];
  for (let i = 0; i + 1 < count; i += 2) links.push({ ends: [`h${i}:eth0`, `h${i + 1}:eth0`] });
  return buildSpec({ name: `hosts-${count}`, nodes, links });
}

describe('memory budget of a placement', () => {
  it('estimates a worker thread per shard and a little per node; inline starts no thread', () => {
    expect(estimateMemory('per-node', 1001, 1001)).toEqual({ workerThreads: 1001, threadBytes: WORKER_THREAD_BYTES, nodes: 1001, rings: [], bytes: 1001 * WORKER_THREAD_BYTES + 1001 * NODE_BYTES });
    expect(estimateMemory('packed', 2, 1001).bytes).toBe(2 * WORKER_THREAD_BYTES + 1001 * NODE_BYTES);
    expect(estimateMemory('inline', 1, 1001).workerThreads).toBe(0);
  });

  it('counts the frame rings between shards at their full capacity', () => {
    const rings = [128 * 1024, 128 * 1024, 256 * 1024];
    const estimate = estimateMemory('packed', 2, 10, rings);
    expect(estimate.bytes).toBe(2 * WORKER_THREAD_BYTES + 512 * 1024 + 10 * NODE_BYTES);
    expect(memoryShortfall('packed', estimate, 1024 * 1024)).toBe(
      'placement packed needs about 50 MiB to start (2 worker threads × 24 MiB + 1 frame ring × 256 KiB + 2 frame rings × 128 KiB + 10 nodes × 64 KiB), but only 1 MiB of memory is available; try fewer --workers',
    );
  });

  it('a LAN of 200 hosts per-node needs a ring each way between every two members: refused when they do not fit', async () => {
    const nodes = Array.from({ length: 200 }, (_, i) => ({ name: `h${i}`, kind: 'host' as const }));
    const spec = buildSpec({ name: 'big-lan', nodes, links: [], lans: [{ name: 'sw', type: 'switch', members: nodes.map((n) => `${n.name}:eth0`) }] });
    const threads = 200 * WORKER_THREAD_BYTES + 200 * NODE_BYTES;
    const refused = Emulator.load(spec, { placement: 'per-node', availableMemory: threads + 1024 ** 3, nodeFactory: FAKE_NODES });
    await expect(refused).rejects.toThrow(/^placement per-node needs about 9\.6 GiB to start \(200 worker threads × 24 MiB \+ 39800 frame rings × 128 KiB \+ 200 nodes × 64 KiB\)/);
    const packed = await Emulator.load(spec, { placement: 'packed', workers: 2, availableMemory: threads + 1024 ** 3, nodeFactory: FAKE_NODES });
    await packed.close();
  });

  it('says what it needs and what is there when it does not fit', () => {
    const estimate = estimateMemory('per-node', 1001, 1001);
    expect(memoryShortfall('per-node', estimate, 64 * GIB)).toBeNull();
    expect(memoryShortfall('per-node', estimate, 4 * GIB)).toBe(
      'placement per-node needs about 23.5 GiB to start (1001 worker threads × 24 MiB + 1001 nodes × 64 KiB), but only 4.0 GiB of memory is available; try --placement packed',
    );
  });

  it('refuses to load a per-node placement of 1001 nodes into 4 GiB, before any worker starts; packed fits', async () => {
    const spec = hosts(1001);
    const refused = Emulator.load(spec, { placement: 'per-node', availableMemory: 4 * GIB, nodeFactory: FAKE_NODES });
    await expect(refused).rejects.toBeInstanceOf(EmulatorError);
    await expect(refused).rejects.toThrow(/^placement per-node needs about 23\.6 GiB to start \(1001 worker threads × 24 MiB \+ 1000 frame rings × 128 KiB \+ 1001 nodes × 64 KiB\), but only 4\.0 GiB of memory is available/);
    const packed = await Emulator.load(spec, { placement: 'packed', workers: 2, availableMemory: 4 * GIB, nodeFactory: FAKE_NODES });
    expect(packed.shardCount).toBe(2);
    await packed.close();
  });

  it('counts a thread that runs the worker bundle at the bundle\'s figure: the real nodes while the bundle is current (the test setup builds it), the modules\' figure for other nodes', async () => {
    expect(BUNDLED_WORKER_THREAD_BYTES).toBeLessThan(WORKER_THREAD_BYTES);
    expect(workerThreadBytes('per-node', DEFAULT_NODE_FACTORY)).toBe(BUNDLED_WORKER_THREAD_BYTES);
    expect(workerThreadBytes('packed', DEFAULT_NODE_FACTORY)).toBe(BUNDLED_WORKER_THREAD_BYTES);
    expect(workerThreadBytes('per-node', FAKE_NODES)).toBe(WORKER_THREAD_BYTES);
    expect(estimateMemory('per-node', 10, 10, [], BUNDLED_WORKER_THREAD_BYTES).bytes).toBe(10 * BUNDLED_WORKER_THREAD_BYTES + 10 * NODE_BYTES);
    const refused = Emulator.load(hosts(1001), { placement: 'per-node', availableMemory: 4 * GIB });
    await expect(refused).rejects.toThrow(/^placement per-node needs about 18\.8 GiB to start \(1001 worker threads × 19 MiB \+ 1000 frame rings × 128 KiB \+ 1001 nodes × 64 KiB\)/);
  });
});
