/**
 * Runs the UI on a started emulator until the user quits: switches a real terminal to the
 * alternate screen (restored on exit, even on a signal), renders with ink at most 20 frames/s,
 * then waits for queued operations and closes the emulator. Import this only after
 * forceLiveRendering() (it imports ink).
 */
import { render } from 'ink';
import { join } from 'node:path';
import type { EmulatorApi } from '@netloom/runtime';
import { LogStore } from './log-store.js';
import { SerialQueue } from './serial-queue.js';
import type { TuiEngine } from './tui-context.js';
import { TuiRoot } from './TuiRoot.js';

const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H';
const LEAVE_ALT_SCREEN = '\u001B[?1049l';

export const STEP_NS = 10_000_000;
export const TICK_MS = 50;

export interface StartTuiOptions {
  speed?: number;
  startPaused?: boolean;
  captureRoot?: string;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

export function createEngine(emulator: EmulatorApi, captureRoot: string = join(process.cwd(), 'out', 'captures')): TuiEngine {
  return { emulator, logStore: new LogStore(), queue: new SerialQueue(), captureRoot, stepNs: STEP_NS, tickMs: TICK_MS };
}

/** Returns the exit status (0 after `q`, 3 when the UI or the emulator failed). Closes the emulator. */
export async function startTui(emulator: EmulatorApi, options: StartTuiOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const engine = createEngine(emulator, options.captureRoot);
  const useAltScreen = stdout.isTTY === true;
  let onAltScreen = false;
  const leaveAltScreen = (): void => {
    if (!onAltScreen) return;
    onAltScreen = false;
    stdout.write(LEAVE_ALT_SCREEN);
  };
  if (useAltScreen) {
    stdout.write(ENTER_ALT_SCREEN);
    onAltScreen = true;
    process.once('exit', leaveAltScreen);
  }
  let status = 0;
  try {
    const instance = render(<TuiRoot engine={engine} speed={options.speed} startPaused={options.startPaused} />, {
      stdout,
      stdin,
      // Ctrl+C is ours: it abandons the console line, and quits elsewhere (use-keyboard).
      exitOnCtrlC: false,
      patchConsole: true,
      maxFps: 20,
    });
    await instance.waitUntilExit();
  } catch (error) {
    status = 3;
    leaveAltScreen();
    process.stderr.write(`netloom tui: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    leaveAltScreen();
    process.off('exit', leaveAltScreen);
  }
  await engine.queue.idle();
  try {
    await emulator.close();
  } catch (error) {
    process.stderr.write(`netloom tui: ${error instanceof Error ? error.message : String(error)}\n`);
    status = 3;
  }
  return status;
}
