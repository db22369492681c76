/**
 * Driving a ShellConsole from a stream of lines (`netloom shell`): Node's readline gives line
 * editing, history and tab completion when stdin is a terminal (prompt `netloom> `), and plain
 * line reading in pipes (no prompt, so piped output is only the commands' output).
 *
 * A node command's output is written as the program produces it (with --json, one object at its
 * end). Ctrl-C while a command runs is Ctrl-C for the node's program (ping prints its statistics);
 * on a terminal, Ctrl-C at the prompt abandons the line. Type-ahead during a command is echoed as
 * a terminal echoes it and waits for the next prompt; Ctrl-C discards it, as a tty flushes its
 * input on SIGINT.
 *
 * In real-time mode a ticker keeps virtual time following the wall clock (× speed) between
 * commands, and node commands run paced to it; console lines and ticks never overlap. Leaves the
 * interpretation of lines to console.ts.
 */

import { createInterface } from 'node:readline';
import type { EmulatorApi } from '../runtime-api.js';
import type { CliIo } from '../cli-io.js';
import { renderJsonLine, type ConsoleOutcome, type ShellConsole } from './console.js';

export interface ShellSessionOptions {
  json: boolean;
  /** Exit with the last line's status when it failed. */
  strict: boolean;
  /** Keep virtual time moving with the wall clock, `speed` × real time. */
  realtime?: { speed: number };
}

export const PROMPT = 'netloom> ';

/** Reads lines until `quit` or end of input; returns the exit status. Rejects when the emulator fails. */
export async function runShellSession(shell: ShellConsole, emulator: EmulatorApi, io: CliIo, options: ShellSessionOptions): Promise<number> {
  const interactive = io.stdinIsTTY;
  const lines = createInterface({
    input: io.stdin,
    ...(interactive ? { output: io.terminal, terminal: true, prompt: PROMPT, historySize: 1000, completer: (line: string) => shell.complete(line) } : { terminal: false }),
  });
  /** Ctrl-C for the command running now, if one is. */
  let interruptCommand: (() => void) | null = null;
  if (interactive) {
    lines.on('SIGINT', () => {
      // As a tty does on SIGINT: what was typed so far is discarded, and ^C echoed.
      lines.write(null, { ctrl: true, name: 'e' });
      lines.write(null, { ctrl: true, name: 'u' });
      if (interruptCommand !== null) {
        // The program's own reaction (ping's statistics) follows.
        io.terminal.write('^C');
        interruptCommand();
        return;
      }
      io.terminal.write('^C\n');
      lines.prompt();
    });
  }
  const onOutput = options.json ? undefined : (stream: 'stdout' | 'stderr', text: string) => io[stream].write(text);
  /** One line, with Ctrl-C wired to it while it runs. */
  const executeLine = async (line: string): Promise<ConsoleOutcome> => {
    const ctrlC = new AbortController();
    interruptCommand = () => ctrlC.abort();
    const stopListening = interactive ? () => undefined : io.onInterrupt(() => ctrlC.abort());
    try {
      return await shell.execute(line, { signal: ctrlC.signal, ...(onOutput ? { onOutput } : {}) });
    } finally {
      interruptCommand = null;
      stopListening();
    }
  };
  const clock = options.realtime ? new WallClockFollower(emulator, options.realtime.speed) : null;
  let lastStatus = 0;
  const finished = new Promise<boolean>((resolve, reject) => {
    // Lines wait in a queue while one runs. On a terminal, input keeps flowing (so Ctrl-C reaches
    // the command) with an empty prompt: type-ahead is echoed as a tty echoes it, and the next
    // prompt shows the line being typed.
    const queue: string[] = [];
    let isBusy = false;
    let isClosed = false;
    let isDone = false;
    const finish = (quitByCommand: boolean) => {
      isDone = true;
      resolve(quitByCommand);
    };
    const pump = async (): Promise<void> => {
      if (isBusy || isDone) return;
      isBusy = true;
      try {
        for (let line = queue.shift(); line !== undefined; line = queue.shift()) {
          const next = line;
          const outcome = clock ? await clock.exclusive(() => executeLine(next)) : await executeLine(next);
          if (outcome.kind === 'quit') return finish(true);
          if (outcome.kind === 'result') {
            const { result } = outcome;
            lastStatus = result.status;
            if (options.json) io.stdout.write(renderJsonLine(result));
            else if (!outcome.streamed) {
              io.stdout.write(result.stdout);
              io.stderr.write(result.stderr);
            }
          }
        }
      } catch (error) {
        isDone = true;
        return reject(error);
      } finally {
        isBusy = false;
      }
      if (isClosed) return finish(false);
      if (interactive) {
        lines.setPrompt(PROMPT);
        lines.prompt(true);
      }
    };
    lines.on('line', (line) => {
      queue.push(line);
      if (interactive) lines.setPrompt('');
      void pump();
    });
    lines.on('close', () => {
      isClosed = true;
      void pump();
    });
  });
  let quitByCommand: boolean;
  try {
    if (interactive) lines.prompt();
    quitByCommand = await finished;
  } finally {
    clock?.stop();
    lines.close();
  }
  if (interactive && !quitByCommand) io.terminal.write('\n');
  return options.strict && lastStatus !== 0 ? Math.min(Math.max(lastStatus, 1), 255) : 0;
}

/**
 * Advances virtual time so that it follows the wall clock from where the last console line left
 * it. Console lines run through `exclusive`, so a tick never overlaps a command.
 */
class WallClockFollower {
  private queue: Promise<unknown> = Promise.resolve();
  private busy = false;
  private baseVirtual: number;
  private baseWall: number;
  private readonly timer: NodeJS.Timeout;
  private failure: unknown = null;

  constructor(
    private readonly emulator: EmulatorApi,
    private readonly speed: number,
  ) {
    this.baseVirtual = emulator.now();
    this.baseWall = performance.now();
    this.timer = setInterval(() => this.tick(), 50);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.failure !== null) throw this.failure;
      this.busy = true;
      try {
        return await work();
      } finally {
        this.busy = false;
        this.baseVirtual = this.emulator.now();
        this.baseWall = performance.now();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    if (this.busy) return;
    const target = this.baseVirtual + Math.floor((performance.now() - this.baseWall) * 1e6 * this.speed);
    const step = target - this.emulator.now();
    if (step <= 0) return;
    this.busy = true;
    this.queue = this.queue
      .then(() => this.emulator.advance(step))
      .catch((error: unknown) => {
        this.failure = error;
      })
      .finally(() => {
        this.busy = false;
      });
  }
}
