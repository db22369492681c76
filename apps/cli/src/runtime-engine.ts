/**
 * The real Engine: @netloom/runtime's Emulator, formatTrace and the benchmarks. Loaded lazily by
 * main.ts so commands that do not run a topology never start the runtime.
 *
 * Every emulator the CLI opens (the TUI's too, tui/load-emulator.ts) has the inline watchdog armed
 * with stuck-node-exit.ts: a node that loops forever in inline placement ends the command with one
 * line naming it, exit 3, as the worker watchdog does in the other placements (runtime's
 * inline-watchdog.ts).
 */

import { benchBarrier, benchBoot, benchChain, benchLan, benchLvs, benchTree, Emulator, formatTrace } from '@netloom/runtime';
import type { Engine } from './engine.js';
import { exitOnStuckNode } from './stuck-node-exit.js';

export async function runtimeEngine(): Promise<Engine> {
  return {
    open: (spec, options) => Emulator.load(spec, { ...options, onStuck: exitOnStuckNode }),
    formatTrace,
    benchChain: (options) => benchChain({ ...options, onStuck: exitOnStuckNode }),
    benchLan: (options) => benchLan({ ...options, onStuck: exitOnStuckNode }),
    benchLvs: (options) => benchLvs({ ...options, onStuck: exitOnStuckNode }),
    benchBoot: (options) => benchBoot({ ...options, onStuck: exitOnStuckNode }),
    benchBarrier: (options) => benchBarrier({ ...options, onStuck: exitOnStuckNode }),
    benchTree: (options) => benchTree({ ...options, onStuck: exitOnStuckNode }),
  };
}
