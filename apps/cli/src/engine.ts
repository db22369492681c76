/**
 * The CLI's one door to the engine: opening an Emulator for a loaded topology, formatting trace
 * events, and the benchmarks (chain, lan, lvs, boot, barrier, tree) — all from @netloom/runtime's library API. Commands get an
 * Engine passed in, so tests can run them against a scripted fake, and `netloom check`/`schema`
 * never load the runtime (worker threads) at all.
 *
 * Also the CLI's reading of failures: a TopologyError is bad input (exit 2); a topology command that
 * failed (a startup `exec:` line or a timed event, failure-report.ts) is exit 4; anything else the
 * emulator throws once running is a node or shard failure (exit 3).
 */

import type { TopologySpec } from '@netloom/topology';
import type {
  BenchBarrierOptions,
  BenchBarrierResult,
  BenchBootOptions,
  BenchBootResult,
  BenchChainOptions,
  BenchChainResult,
  BenchLanOptions,
  BenchLanResult,
  BenchLvsOptions,
  BenchLvsResult,
  BenchTreeOptions,
  BenchTreeResult,
  EmulatorApi,
  EmulatorOptions,
  TraceEvent,
} from './runtime-api.js';

export interface Engine {
  open(spec: TopologySpec, options: EmulatorOptions): EmulatorApi | Promise<EmulatorApi>;
  formatTrace(event: TraceEvent): string;
  benchChain(options: BenchChainOptions): Promise<BenchChainResult>;
  benchLan(options: BenchLanOptions): Promise<BenchLanResult>;
  benchLvs(options: BenchLvsOptions): Promise<BenchLvsResult>;
  benchBoot(options: BenchBootOptions): Promise<BenchBootResult>;
  benchBarrier(options: BenchBarrierOptions): Promise<BenchBarrierResult>;
  benchTree(options: BenchTreeOptions): Promise<BenchTreeResult>;
}

/** Exit statuses shared by every command. */
export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_NODE_FAILED = 3;
/** One of the topology's own commands (a startup `exec:` line or a timed `events:` command) failed. */
export const EXIT_COMMAND_FAILED = 4;

/** Closes an emulator without letting a wedged shard hold the process: gives up after `ms`. */
export async function closeQuietly(emulator: EmulatorApi, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    emulator.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  if (timer) clearTimeout(timer);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
