/**
 * What the `netloom bench` scenarios share: opening an emulator on a spec built in code and
 * starting it (a failed startup command stops the benchmark with its text), moving virtual time
 * while telling a caller how far it got, and the figures every scenario reports (threads, peak
 * RSS). Figures only: nothing here decides pass or fail, and no verdict of any test reads a time.
 */
import { resourceUsage } from 'node:process';
import type { LinkSpec, TopologySpec } from '@netloom/topology';
import { Emulator } from './emulator.js';
import type { EmulatorOptions, Placement } from './emulator-types.js';

/** Progress of a long run: `done` of `total` units (datagram-time, rounds, windows). */
export type BenchProgress = (done: number, total: number) => void;

/** The options every scenario takes. */
export interface BenchRunOptions {
  placement?: Placement;
  workers?: number;
  /** As EmulatorOptions' (the CLI benchmarks with the watchdog it runs with). */
  onStuck?: EmulatorOptions['onStuck'];
  onProgress?: BenchProgress;
}

/** The placement a scenario ran with and its threads (0 for inline). */
export interface BenchPlacementFigures {
  placement: Placement;
  workers: number;
  /** The process's peak resident set so far (all threads), bytes. */
  peakRssBytes: number;
  /** Windows and spans the run took, and the waits for a neighbour's clock in the spans (Emulator.synchronisation). */
  synchronisation: ReturnType<Emulator['synchronisation']>;
}

/** The node factory of the benchmark end hosts (bench-nodes.ts), by URL as workers load it. */
export const BENCH_NODES = {
  module: new URL(import.meta.url.endsWith('.ts') ? '../dist/bench-nodes.js' : './bench-nodes.js', import.meta.url).href,
  export: 'createBenchNode',
};

export function emulatorOptions(options: BenchRunOptions, defaults: EmulatorOptions): EmulatorOptions {
  return {
    ...defaults,
    ...(options.placement !== undefined ? { placement: options.placement } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.onStuck !== undefined ? { onStuck: options.onStuck } : {}),
  };
}

/** Loads and starts `spec`; throws with the node, command and its stderr when a startup command failed. */
export async function startBenchEmulator(scenario: string, spec: TopologySpec, options: EmulatorOptions): Promise<Emulator> {
  const emulator = await Emulator.load(spec, options);
  try {
    await emulator.start();
    const failed = emulator.startupResults().find((r) => r.status !== 0);
    if (failed !== undefined) throw new Error(`bench ${scenario}: ${failed.node}: ${failed.cmd}: ${failed.stderr.trim()}`);
    return emulator;
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

/** How often a run in progress reports how far virtual time got (wall time). */
export const PROGRESS_EVERY_MS = 100;

/**
 * Advances `ns` of virtual time in one operation, reporting `done` plus the virtual time gone by
 * (of `total`) every PROGRESS_EVERY_MS and at the end. The report is read between the operation's
 * spans (Emulator.now moves at each span's end; the caller's event loop turns while the operation
 * runs). Slices of their own, each an `advance`, made the run they measured: each ended the threads'
 * spans, settled every worker and started them again, 5–12 ms of a worker placement's wall time a
 * slice (docs/engine.md, "Each `advance` of the chain's run costs a restart").
 */
export async function advanceReporting(emulator: Emulator, ns: number, progress: { done: number; total: number; report?: BenchProgress }): Promise<void> {
  const report = progress.report;
  const from = emulator.now();
  const tell = (): void => report?.(Math.min(progress.done + (emulator.now() - from), progress.total), progress.total);
  const timer = report === undefined ? null : setInterval(tell, PROGRESS_EVERY_MS);
  try {
    await emulator.advance(ns);
  } finally {
    if (timer !== null) clearInterval(timer);
  }
  progress.done += ns;
  report?.(Math.min(progress.done, progress.total), progress.total);
}

export function placementFigures(emulator: Emulator): BenchPlacementFigures {
  return {
    placement: emulator.placement,
    workers: emulator.placement === 'inline' ? 0 : emulator.shardCount,
    peakRssBytes: resourceUsage().maxRSS * 1024,
    synchronisation: emulator.synchronisation(),
  };
}

/**
 * The links of a chain of `nodes` nodes named by `name`: node k's last port (eth0 for the first,
 * eth1 for the others) to node k+1's eth0, all with the same parameters.
 */
export function chainLinks(nodes: number, name: (i: number) => string, latencyNs: number): LinkSpec[] {
  const params = { latencyNs, bandwidthBps: null, loss: 0, mtu: 1500, queue: 1000 };
  return Array.from({ length: nodes - 1 }, (_, k) => {
    const a = { node: name(k), ifname: k === 0 ? 'eth0' : 'eth1' };
    const b = { node: name(k + 1), ifname: 'eth0' };
    return { id: `${a.node}:${a.ifname}--${b.node}:${b.ifname}`, a, b, params: { ...params } };
  });
}

/** `10.A.B.1`-style addresses of the k-th /24 of 10.0.0.0/8 (k < 65536). */
export function subnet24(k: number): string {
  if (!Number.isInteger(k) || k < 0 || k > 0xffff) throw new RangeError(`subnet ${k} is outside 10.0.0.0/8's /24s`);
  return `10.${k >> 8}.${k & 0xff}`;
}

/** A locally administered MAC unique per (node, port) for up to 2^24 nodes and 256 ports. */
export function benchMac(node: number, port: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `02:${hex((node >> 16) & 0xff)}:${hex((node >> 8) & 0xff)}:${hex(node & 0xff)}:00:${hex(port & 0xff)}`;
}
