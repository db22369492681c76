/**
 * The progress of a long `netloom bench` run: a cli-progress bar on stderr when stderr is a
 * terminal, nothing when it is not (a pipe or file gets the table alone). A bench child process
 * (`--placement all` runs each case in one) gets NETLOOM_BENCH_CHILD_PROGRESS=1 and writes its
 * progress as `netloom-bench-progress DONE TOTAL` lines on stderr instead, at most one per
 * percent, which its parent reads to move its own bar.
 */

import type { CliIo } from '../cli-io.js';

export const CHILD_PROGRESS_ENV = 'NETLOOM_BENCH_CHILD_PROGRESS';
const CHILD_PROGRESS_PREFIX = 'netloom-bench-progress ';

export interface ProgressSink {
  /** `done` of `total` units; the bar opens on the first call. */
  update(done: number, total: number): void;
  /** Clears the bar (idempotent), so the table that follows starts on a clean line. */
  stop(): void;
}

const NO_PROGRESS: ProgressSink = { update: () => undefined, stop: () => undefined };

/** A child's progress line, or null for any other stderr line. */
export function parseChildProgress(line: string): { done: number; total: number } | null {
  if (!line.startsWith(CHILD_PROGRESS_PREFIX)) return null;
  const [done, total] = line.slice(CHILD_PROGRESS_PREFIX.length).split(' ').map(Number);
  return done !== undefined && total !== undefined && Number.isFinite(done) && Number.isFinite(total) && total > 0 ? { done, total } : null;
}

/** One `netloom-bench-progress` line per whole percent. */
function childProgress(io: CliIo): ProgressSink {
  let shown = -1;
  return {
    update(done, total) {
      const percent = Math.floor((done / total) * 100);
      if (percent === shown) return;
      shown = percent;
      io.stderr.write(`${CHILD_PROGRESS_PREFIX}${done} ${total}\n`);
    },
    stop: () => undefined,
  };
}

/** Steps of the bar: a fraction of the run is shown in thousandths. */
const BAR_STEPS = 1000;

async function terminalBar(): Promise<ProgressSink> {
  // Imported here: only a run on a terminal pays for it.
  const { default: progress } = await import('cli-progress');
  const bar = new progress.SingleBar(
    { stream: process.stderr, format: 'bench [{bar}] {percentage}% | {duration_formatted}', hideCursor: true, clearOnComplete: true, fps: 10 },
    progress.Presets.shades_classic,
  );
  let open = false;
  return {
    update(done, total) {
      const value = Math.min(BAR_STEPS, Math.round((done / total) * BAR_STEPS));
      if (!open) {
        bar.start(BAR_STEPS, value);
        open = true;
      } else bar.update(value);
    },
    stop() {
      if (!open) return;
      open = false;
      bar.stop();
    },
  };
}

export async function openProgress(io: CliIo, stderrIsTTY: boolean): Promise<ProgressSink> {
  if (process.env[CHILD_PROGRESS_ENV] === '1') return childProgress(io);
  return stderrIsTTY ? terminalBar() : NO_PROGRESS;
}
