/**
 * Whether a placement fits in the machine's memory, decided before any worker thread starts.
 *
 * The estimate is what starting costs, measured on the project's machine (Node 20, x86_64, Linux
 * 6.18) as the process's RSS after `start()` and one virtual second, with idle hosts in pairs, one
 * per thread (`node --expose-gc bench/thread-cost.mjs emulator --nodes 20|40`, docs/engine.md "What a
 * node thread costs"): a worker thread that runs the minified worker bundle (worker-bundle.ts) adds
 * ≈ 19 MiB (20 threads: 18.9–19.4 MiB each, 40: 17.0–18.3, load 5–24), one that runs the compiled
 * modules ≈ 24 MiB (23.2–24.6; the node model has grown since the 17 MiB measured before the bundle:
 * IPVS, Mobile IPv6), of which a live Node 20 worker that loads nothing is 7.7 MiB; each node inside a
 * shard ≈ 64 KiB (1000 nodes inline: +56 MiB). Which figure counts is decided by the same check that
 * chooses the workers' code. The frame rings between shards count
 * at their full capacity (frame-ring.ts). The controller itself (≈ 80 MiB before loading) is already
 * running, so it is not counted. What nodes may grow into later is bounded elsewhere (16 MiB of
 * files, 4 MiB of fragment queues, 16384 switch entries per LAN port) and is not part of the
 * estimate: the check refuses what cannot even start, it does not promise the run fits.
 *
 * The estimate is compared with the memory available now: os.freemem() (MemAvailable on Linux),
 * or what is left under a cgroup limit (process.constrainedMemory) when that is smaller.
 */
import { freemem } from 'node:os';
import type { NodeFactoryRef } from '@netloom/ipc';
import type { Placement } from './emulator-types.js';
import { workerEntry } from './worker-bundle.js';

const MIB = 1024 * 1024;
/** RSS a worker thread adds when it runs the compiled modules (measured, see above). */
export const WORKER_THREAD_BYTES = 24 * MIB;
/** RSS a worker thread adds when it runs the worker bundle (measured, see above). */
export const BUNDLED_WORKER_THREAD_BYTES = 19 * MIB;
/** RSS an idle node adds to its shard (measured, see above). */
export const NODE_BYTES = 64 * 1024;

export interface MemoryEstimate {
  workerThreads: number;
  /** What each worker thread adds: less when it runs the worker bundle. */
  threadBytes: number;
  nodes: number;
  /** The data capacity of each frame ring between shards (frame-ring.ts). */
  rings: number[];
  bytes: number;
}

/**
 * What starting takes: worker threads, nodes, and the frame rings between shards at their full
 * capacity (a SharedArrayBuffer is resident only as traffic writes through it, but a busy run fills
 * it: two per pair of shards that share a link, so a LAN of N members per-node has N·(N−1)).
 */
export function estimateMemory(placement: Placement, shards: number, nodes: number, rings: readonly number[] = [], threadBytes = WORKER_THREAD_BYTES): MemoryEstimate {
  const workerThreads = placement === 'inline' ? 0 : shards;
  const ringBytes = rings.reduce((sum, capacity) => sum + capacity, 0);
  return { workerThreads, threadBytes, nodes, rings: [...rings], bytes: workerThreads * threadBytes + ringBytes + nodes * NODE_BYTES };
}

/**
 * What a worker thread of `placement` whose nodes `factory` builds adds: the bundle's figure when
 * the workers will run the worker bundle (worker-bundle.ts; the check is made here, for inline
 * placement not at all), else the compiled modules'.
 */
export function workerThreadBytes(placement: Placement, factory: NodeFactoryRef): number {
  if (placement === 'inline') return WORKER_THREAD_BYTES;
  return workerEntry(factory).modulesBecause === null ? BUNDLED_WORKER_THREAD_BYTES : WORKER_THREAD_BYTES;
}

/** Bytes this process may still take: MemAvailable, or the room left under a cgroup limit. */
export function availableMemory(): number {
  const available = freemem();
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  if (constrained === undefined || !(constrained > 0)) return available;
  return Math.min(available, Math.max(0, constrained - process.memoryUsage().rss));
}

/** Why `placement` cannot start within `available` bytes, or null when it fits. */
export function memoryShortfall(placement: Placement, estimate: MemoryEstimate, available: number): string | null {
  if (estimate.bytes <= available) return null;
  const parts = [
    ...(estimate.workerThreads > 0 ? [`${estimate.workerThreads} worker thread${estimate.workerThreads === 1 ? '' : 's'} × ${estimate.threadBytes / MIB} MiB`] : []),
    ...describeRings(estimate.rings),
    `${estimate.nodes} node${estimate.nodes === 1 ? '' : 's'} × ${NODE_BYTES / 1024} KiB`,
  ];
  const advice = placement === 'per-node' ? '; try --placement packed' : estimate.workerThreads > 1 ? '; try fewer --workers' : '';
  return `placement ${placement} needs about ${formatBytes(estimate.bytes)} to start (${parts.join(' + ')}), but only ${formatBytes(available)} of memory is available${advice}`;
}

/** `90 frame rings × 128 KiB`, one term per ring size, largest first. */
function describeRings(rings: readonly number[]): string[] {
  const counts = new Map<number, number>();
  for (const capacity of rings) counts.set(capacity, (counts.get(capacity) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[0] - a[0])
    .map(([capacity, count]) => `${count} frame ring${count === 1 ? '' : 's'} × ${capacity >= MIB ? `${capacity / MIB} MiB` : `${capacity / 1024} KiB`}`);
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * MIB ? `${(bytes / (1024 * MIB)).toFixed(1)} GiB` : `${Math.ceil(bytes / MIB)} MiB`;
}
