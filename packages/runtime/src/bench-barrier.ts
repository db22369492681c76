/**
 * `netloom bench barrier`: windows per second against the number of shards. A chain of N ticker
 * nodes (bench-nodes.ts; no stack) joined by links of latency L; each sends one frame out of every
 * port every L, so every shard has work in every window and frames cross between shards in every
 * window. The run covers `windows` × L of virtual time; the figure is lookahead windows (L of
 * virtual time) per wall second, which counts the same whatever the engine's synchronisation does
 * inside (global barrier or neighbour-only), so runs before and after a change compare.
 * Leaves out the stack: what it measures is the engine's cost per window.
 */
import { performance } from 'node:perf_hooks';
import type { TopologySpec } from '@netloom/topology';
import type { Placement } from './emulator-types.js';
import { advanceReporting, BENCH_NODES, benchMac, chainLinks, emulatorOptions, placementFigures, startBenchEmulator, type BenchRunOptions } from './bench-common.js';
import { TICKER_PREFIX } from './bench-nodes.js';

export interface BenchBarrierOptions extends BenchRunOptions {
  /** Ticker nodes in the chain (default 16; at least 2). */
  nodes?: number;
  /** Lookahead windows to run (default 2000). */
  windows?: number;
  /** Link latency, the lookahead (default 100 µs). */
  latencyNs?: number;
}

export interface BenchBarrierResult {
  nodes: number;
  windows: number;
  /** Threads the nodes ran on: 1 inline, else the workers. */
  shards: number;
  /** Frames the tickers received during the run (each link carries two per window). */
  frames: number;
  wallMs: number;
  windowsPerSecond: number;
  peakRssBytes: number;
  placement: Placement;
  workers: number;
  virtualNs: number;
}

export function barrierSpec(nodes: number, latencyNs: number): TopologySpec {
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > 100_000) throw new RangeError(`a barrier chain has 2 to 100000 nodes, not ${nodes}`);
  const name = (i: number) => `${TICKER_PREFIX}${i + 1}`;
  const specs = Array.from({ length: nodes }, (_, i) => {
    const ports = i === 0 || i === nodes - 1 ? ['eth0'] : ['eth0', 'eth1'];
    return {
      name: name(i),
      kind: 'host' as const,
      compat: [],
      exec: [`tick ${latencyNs}`],
      interfaces: ports.map((ifname, j) => ({ name: ifname, mac: benchMac(i + 1, j + 1), mtu: 1500 })),
    };
  });
  const links = chainLinks(nodes, name, latencyNs);
  return { name: `barrier-${nodes}`, seed: 1, file: '(bench barrier)', nodes: specs, links, lans: [], events: [], expect: [] };
}

export async function benchBarrier(options: BenchBarrierOptions = {}): Promise<BenchBarrierResult> {
  const nodes = options.nodes ?? 16;
  const windows = options.windows ?? 2000;
  const latencyNs = options.latencyNs ?? 100_000;
  const emulator = await startBenchEmulator('barrier', barrierSpec(nodes, latencyNs), emulatorOptions(options, { placement: 'packed', nodeFactory: BENCH_NODES }));
  try {
    const framesIn = () => emulator.nodes().reduce((sum, node) => sum + node.framesIn, 0);
    const framesBefore = framesIn();
    const virtualStart = emulator.now();
    const began = performance.now();
    await advanceReporting(emulator, windows * latencyNs, { done: 0, total: windows * latencyNs, ...(options.onProgress ? { report: options.onProgress } : {}) });
    const wallMs = performance.now() - began;
    const figures = placementFigures(emulator);
    return {
      nodes,
      windows,
      shards: Math.max(1, figures.workers),
      frames: framesIn() - framesBefore,
      wallMs,
      windowsPerSecond: wallMs > 0 ? (windows / wallMs) * 1000 : 0,
      ...figures,
      virtualNs: emulator.now() - virtualStart,
    };
  } finally {
    await emulator.close();
  }
}
