/**
 * The inline watchdog: names a node that never returns (a busy loop) when the nodes run on the
 * caller's own thread (inline placement), and ends the process with exit status 3.
 *
 * An inline shard runs the nodes on the thread that would have to notice the loop, so the watching
 * is done by a small worker thread. The shard keeps its activity in two Int32 cells over a
 * SharedArrayBuffer (shard.ts's `activity`: [0] index + 1 of the node being called into, 0 between
 * calls; [1] a count of calls into nodes) — two plain stores per call, as a worker shard does. The
 * watchdog thread reads them every POLL_MS at most (unref'd: it never keeps a process alive) and
 * fires when the same call into a node has lasted `watchdogMs` of wall time (the option, else
 * NETLOOM_WATCHDOG_MS, else 10 s; shard-channel.ts's watchdogMs()). A long window of short calls is
 * progress and is never cut short; time outside any node (idle, the runtime's own work) never fires.
 *
 * Firing: the thread connects an inspector session to the main thread (only then: no session exists
 * while all is well) and evaluates a call of the exit hook. V8 services the inspector by interrupt,
 * so the hook runs on the main thread even inside the loop: it runs the process's `exit` listeners
 * (the TUI leaves the alternate screen, ink restores the terminal), then writes one line —
 * `netloom: node h2: Error: no progress from its thread for 10 s, inside the node (a loop that never
 * ends?); the process was stopped` — to stderr and exits 3. It closes stderr after the line, which
 * keeps Node from printing "Waiting for the debugger to disconnect..." for the session at exit.
 *
 * Only for a process that may be ended (the CLI): `Emulator.load(…, { inlineWatchdog: 'exit' })`.
 * A library embedding gets no inline watchdog by default; what was tried for it and why it is not
 * offered (Runtime.terminateExecution) is in docs/engine.md.
 * Leaves out: a node blocked in a synchronous system call (no JavaScript runs, so no interrupt is
 * serviced: a hang, as in a worker) and Node built without the inspector.
 */
import { closeSync, writeSync } from 'node:fs';
import { isMainThread, Worker } from 'node:worker_threads';

/** `off`: no inline watchdog (the library's default); `exit`: a stuck node ends the process with status 3. */
export type InlineWatchdogMode = 'off' | 'exit';

/** The status the process exits with when a node is stuck inline (the CLI's "a node failed"). */
export const STUCK_NODE_EXIT_STATUS = 3;

/** The longest the watchdog thread sleeps between two looks at the activity cells. */
const POLL_MS = 250;

/** Where the exit hook lives on the main thread: a registered symbol, the same for every copy of this module. */
const EXIT_HOOK = 'netloom.inlineWatchdogExit';

/** What the watchdog thread is told at start. */
interface WatchdogData {
  activity: SharedArrayBuffer;
  watchdogMs: number;
  pollMs: number;
  /** The shard's node names by node index (index + 1 in activity[0]). */
  names: string[];
  hook: string;
}

/**
 * The watchdog thread, run with `eval` so it needs no file beside the (possibly bundled) runtime.
 * Plain JavaScript; it has the worker's `require`.
 */
const WATCHDOG_THREAD = `
const { workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { activity, watchdogMs, pollMs, names, hook } = workerData;
const cells = new Int32Array(activity);
let calls = Atomics.load(cells, 1);
let since = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  const node = Atomics.load(cells, 0);
  const seen = Atomics.load(cells, 1);
  if (node === 0 || seen !== calls) {
    calls = seen;
    since = now;
    return;
  }
  if (now - since < watchdogMs) return;
  clearInterval(timer);
  const name = names[node - 1] === undefined ? 'number ' + (node - 1) : names[node - 1];
  const line = 'netloom: node ' + name + ': Error: no progress from its thread for ' + watchdogMs / 1000 +
    ' s, inside the node (a loop that never ends?); the process was stopped';
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connectToMainThread();
  const expression = 'globalThis[Symbol.for(' + JSON.stringify(hook) + ')](' + JSON.stringify(line) + ')';
  // The hook exits the process: an answer means it did not run.
  session.post('Runtime.evaluate', { expression }, (error, result) => {
    const why = error ? error.message : result.exceptionDetails ? result.exceptionDetails.text + ' ' + (result.result.description || '') : 'no exit';
    require('node:fs').writeSync(2, line + ' (the watchdog could not stop the process: ' + why + ')' + String.fromCharCode(10));
  });
}, pollMs);
`;

/**
 * Why an emulator cannot have `mode` here, or null. Inline, `exit` must be asked for on the main
 * thread: the one the inspector interrupts, and whose exit ends the process.
 */
export function inlineWatchdogRefusal(mode: unknown, inline: boolean): string | null {
  if (mode === undefined || mode === 'off') return null;
  if (mode !== 'exit') return `inlineWatchdog must be 'off' or 'exit', got ${JSON.stringify(mode)}`;
  return !inline || isMainThread ? null : "inlineWatchdog 'exit' works only on the main thread (the one it stops), not in a worker thread";
}

/** Write all of `text` to stderr, synchronously (stderr may be a non-blocking pipe). */
function writeStderr(text: string): void {
  const bytes = Buffer.from(text);
  let written = 0;
  for (let attempts = 0; written < bytes.length && attempts < 1000; attempts++) {
    try {
      written += writeSync(2, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

/** The hook the watchdog thread calls on the main thread: exit listeners, the line, exit 3. */
function installExitHook(): void {
  const global = globalThis as unknown as Record<symbol, unknown>;
  const key = Symbol.for(EXIT_HOOK);
  if (global[key] !== undefined) return;
  global[key] = (line: string): void => {
    // Registered last, so it runs after every other exit listener (the terminal is restored first).
    process.once('exit', () => {
      writeStderr(`${line}\n`);
      closeSync(2);
    });
    process.exit(STUCK_NODE_EXIT_STATUS);
  };
}

/** A watchdog thread over one inline shard's activity cells; stop() it when the shard closes. */
export class InlineWatchdog {
  /** The cells the shard writes: [0] index + 1 of the node being called into (0 between calls), [1] calls so far. */
  readonly activity: Int32Array;
  private readonly thread: Worker;

  /** Start watching: a node whose call lasts `watchdogMs` ends the process (exit 3), named from `names`. */
  constructor(watchdogMs: number, names: readonly string[]) {
    installExitHook();
    const buffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    this.activity = new Int32Array(buffer);
    const workerData: WatchdogData = {
      activity: buffer,
      watchdogMs,
      pollMs: Math.min(POLL_MS, Math.max(10, watchdogMs / 10)),
      names: [...names],
      hook: EXIT_HOOK,
    };
    // No execArgv: the thread is CommonJS even in a process started with --input-type=module.
    this.thread = new Worker(WATCHDOG_THREAD, { eval: true, execArgv: [], workerData, name: 'netloom inline watchdog' });
    this.thread.unref();
    // Not expected (the thread only reads memory and uses the inspector); if it happens, nothing watches any more: say so.
    this.thread.on('error', (error: unknown) => process.emitWarning(`the inline watchdog stopped: ${String(error)}`, { type: 'NetloomWatchdog' }));
  }

  /** Stop the thread (the shard is closed: nothing is left to watch). */
  async stop(): Promise<void> {
    await this.thread.terminate();
  }
}
