/**
 * `netloom tui FILE`: loads the topology through the runtime's library API, starts it, and runs
 * the terminal UI until the user quits; returns the exit status (0 ok, 2 for a topology file
 * error printed as `file:line:col: …`, 1 for any other failure, printed without a stack trace).
 * The UI itself (ink, react) is imported only after forceLiveRendering() so that live redrawing
 * works in a terminal even when `CI` is set.
 */
import type { EmulatorApi, Placement } from '@netloom/runtime/emulator-types';
import { forceLiveRendering } from './live-rendering.js';
import { isTopologyError, loadEmulator } from './load-emulator.js';

export interface TuiOptions {
  seed?: number;
  placement?: Placement;
  workers?: number;
  speed?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runTui(file: string, options: TuiOptions = {}): Promise<number> {
  let emulator: EmulatorApi;
  try {
    emulator = await loadEmulator(file, { seed: options.seed, placement: options.placement, workers: options.workers, realtime: false });
  } catch (error) {
    process.stderr.write(`${describe(error)}\n`);
    return isTopologyError(error) ? 2 : 1;
  }
  try {
    await emulator.start();
  } catch (error) {
    process.stderr.write(`netloom tui: ${describe(error)}\n`);
    await emulator.close().catch(() => undefined);
    return 1;
  }
  forceLiveRendering();
  const { startTui } = await import('./start-tui.js');
  return startTui(emulator, { speed: options.speed });
}
