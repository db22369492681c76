/**
 * The real Engine: @netloom/runtime's Emulator, formatTrace and benchChain. Loaded lazily by
 * main.ts so commands that do not run a topology never start the runtime.
 */

import { benchChain, Emulator, formatTrace } from '@netloom/runtime';
import type { Engine } from './engine.js';

export async function runtimeEngine(): Promise<Engine> {
  return {
    open: (spec, options) => Emulator.load(spec, options),
    formatTrace,
    benchChain,
  };
}
