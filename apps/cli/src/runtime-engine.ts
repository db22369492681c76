/**
 * The real Engine: @netloom/runtime's Emulator, formatTrace and the benchmarks. Loaded lazily by
 * main.ts so commands that do not run a topology never start the runtime.
 *
 * Every emulator the CLI opens (the TUI's too, tui/load-emulator.ts) has the inline watchdog armed:
 * a node that loops forever in inline placement ends the command with one line naming it, exit 3,
 * as the worker watchdog does in the other placements (runtime's inline-watchdog.ts).
 */

import { benchBarrier, benchBoot, benchChain, benchLan, Emulator, formatTrace } from '@netloom/runtime';
import type { Engine } from './engine.js';

export async function runtimeEngine(): Promise<Engine> {
  return {
    open: (spec, options) => Emulator.load(spec, { ...options, inlineWatchdog: 'exit' }),
    formatTrace,
    benchChain: (options) => benchChain({ ...options, inlineWatchdog: 'exit' }),
    benchLan: (options) => benchLan({ ...options, inlineWatchdog: 'exit' }),
    benchBoot: (options) => benchBoot({ ...options, inlineWatchdog: 'exit' }),
    benchBarrier: (options) => benchBarrier({ ...options, inlineWatchdog: 'exit' }),
  };
}
