/**
 * `netloom tui FILE`: loads the topology through the runtime's library API, starts it, and runs
 * the terminal UI until the user quits; returns the exit status as the other commands do: 0 ok,
 * 2 for a topology file error (printed as `file:line:col: …`), 3 when the emulation failed
 * (a node or shard, printed as its message without a stack trace), 4 when a startup command
 * failed: the UI does not open, and its `file:line:col:` message, node, command and stderr are
 * printed instead (failure-report.ts, as `netloom run` prints them).
 * The UI itself (ink, react) is imported only after forceLiveRendering() so that live redrawing
 * works in a terminal even when `CI` is set.
 */
import type { EmulatorApi, Placement } from '@netloom/runtime';
import { forceLiveRendering } from './live-rendering.js';
import { reportFailure } from '../failure-report.js';
import { isTopologyError, loadEmulator } from './load-emulator.js';

export interface TuiOptions {
  seed?: number;
  placement?: Placement;
  workers?: number;
  speed?: number;
}

const EXIT_BAD_INPUT = 2;
const EXIT_EMULATION_FAILED = 3;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runTui(file: string, options: TuiOptions = {}): Promise<number> {
  let emulator: EmulatorApi;
  try {
    emulator = await loadEmulator(file, { seed: options.seed, placement: options.placement, workers: options.workers, realtime: false });
  } catch (error) {
    process.stderr.write(`${describe(error)}\n`);
    return (await isTopologyError(error)) ? EXIT_BAD_INPUT : EXIT_EMULATION_FAILED;
  }
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    process.stderr.write('netloom tui: needs a terminal (stdin and stdout must be a TTY); use netloom run for scripts\n');
    await emulator.close().catch(() => undefined);
    return EXIT_BAD_INPUT;
  }
  try {
    await emulator.start();
  } catch (error) {
    await emulator.close().catch(() => undefined);
    return reportFailure(error, { write: (text) => void process.stderr.write(text) });
  }
  forceLiveRendering();
  const { startTui } = await import('./start-tui.js');
  return startTui(emulator, { speed: options.speed });
}
