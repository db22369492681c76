/**
 * The real Engine: @netloom/runtime's Emulator, formatTrace and benchChain. Loaded lazily by
 * main.ts so commands that do not run a topology never start the runtime.
 */

import * as runtime from '@netloom/runtime';
import type { BenchChainFigures, BenchChainOptions, Engine } from './engine.js';

type BenchChain = (options: BenchChainOptions) => Promise<BenchChainFigures>;

export async function runtimeEngine(): Promise<Engine> {
  return {
    open: (spec, options) => runtime.Emulator.load(spec, options),
    formatTrace: runtime.formatTrace,
    benchChain: async (options) => {
      const benchChain = (runtime as Record<string, unknown>).benchChain as BenchChain | undefined;
      if (benchChain === undefined) throw new Error('this runtime has no benchChain yet');
      return benchChain(options);
    },
  };
}
