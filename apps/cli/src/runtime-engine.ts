/**
 * The real Engine: @netloom/runtime's Emulator, formatTrace and benchChain. Loaded lazily by
 * main.ts so commands that do not run a topology never start the runtime.
 */

import type { Engine } from './engine.js';

export async function runtimeEngine(): Promise<Engine> {
  throw new Error('the runtime is not available yet');
}
