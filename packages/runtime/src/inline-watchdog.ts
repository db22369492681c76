/**
 * The inline watchdog: names a node that never returns (a busy loop) when the nodes run on the
 * caller's own thread (inline placement), and hands it to the embedder's `onStuck` callback.
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
 * while all is well) and evaluates a call of this module's hook there, which calls the watchdog's
 * `onStuck({ node, message })`. V8 services the inspector by interrupt, so the callback runs on the
 * main thread even inside the loop — in the middle of the stuck call, where it can end the process
 * but not the loop (the CLI exits 3: apps/cli's stuck-node-exit.ts). If it returns, the loop goes on
 * and this watchdog does not fire again; if it throws, the thread writes why to stderr. A handler
 * that exits should close stderr after its last line, or Node adds "Waiting for the debugger to
 * disconnect..." for the watchdog's inspector session.
 *
 * Only for a process that may be ended: `Emulator.load(…, { onStuck })`, on the main thread. A
 * library embedding gets no inline watchdog by default; what was tried for it and why ending only
 * the loop is not offered (Runtime.terminateExecution) is in docs/engine.md.
 * Leaves out: a node blocked in a synchronous system call (no JavaScript runs, so no interrupt is
 * serviced: a hang, as in a worker) and Node built without the inspector.
 */
import { isMainThread, Worker } from 'node:worker_threads';

/** A node whose call has not returned for `watchdogMs`: its name, and `Error: no progress from its thread for 10 s, inside the node (…)`. */
export interface StuckNode {
  node: string;
  message: string;
}

/** What the embedder does with a stuck node, on the main thread, in the middle of the stuck call. */
export type StuckNodeHandler = (stuck: StuckNode) => void;

/** The longest the watchdog thread sleeps between two looks at the activity cells. */
const POLL_MS = 250;

/** Where the hook lives on the main thread: a registered symbol, the same for every copy of this module. */
const STUCK_HOOK = 'netloom.inlineWatchdogStuck';

/** What the watchdog thread is told at start. */
interface WatchdogData {
  activity: SharedArrayBuffer;
  watchdogMs: number;
  pollMs: number;
  /** The shard's node names by node index (index + 1 in activity[0]). */
  names: string[];
  hook: string;
  /** Which watchdog of this process the hook is to call. */
  id: number;
}

/**
 * The watchdog thread, run with `eval` so it needs no file beside the (possibly bundled) runtime.
 * Plain JavaScript; it has the worker's `require`.
 */
const WATCHDOG_THREAD = `
const { workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { activity, watchdogMs, pollMs, names, hook, id } = workerData;
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
  const message = 'Error: no progress from its thread for ' + watchdogMs / 1000 + ' s, inside the node (a loop that never ends?)';
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connectToMainThread();
  const expression = 'globalThis[Symbol.for(' + JSON.stringify(hook) + ')](' + id + ', ' + JSON.stringify(name) + ', ' + JSON.stringify(message) + ')';
  session.post('Runtime.evaluate', { expression }, (error, result) => {
    session.disconnect();
    if (!error && !result.exceptionDetails) return;
    const why = error ? error.message : result.exceptionDetails.text + ' ' + (result.result.description || '');
    require('node:fs').writeSync(2, 'netloom: node ' + name + ': ' + message + ' (the inline watchdog could not report it: ' + why + ')' + String.fromCharCode(10));
  });
}, pollMs);
`;

/**
 * Why an emulator cannot have an `onStuck` handler here, or null. Inline, it must be given on the
 * main thread: the one the inspector interrupts.
 */
export function onStuckRefusal(handler: unknown, inline: boolean): string | null {
  if (handler === undefined) return null;
  if (typeof handler !== 'function') return `onStuck must be a function, got ${typeof handler}`;
  return !inline || isMainThread ? null : 'onStuck works only on the main thread (the one the inline watchdog interrupts), not in a worker thread';
}

/** The armed watchdogs of this thread, by id, for the hook. */
const armed = new Map<number, StuckNodeHandler>();
let nextId = 1;

/** The hook the watchdog thread calls on the main thread, by interrupt: the watchdog's handler. */
function installHook(): void {
  const global = globalThis as unknown as Record<symbol, unknown>;
  const key = Symbol.for(STUCK_HOOK);
  if (global[key] !== undefined) return;
  global[key] = (id: number, node: string, message: string): void => {
    armed.get(id)?.({ node, message });
  };
}

/** A watchdog thread over one inline shard's activity cells; stop() it when the shard closes. */
export class InlineWatchdog {
  /** The cells the shard writes: [0] index + 1 of the node being called into (0 between calls), [1] calls so far. */
  readonly activity: Int32Array;
  private readonly thread: Worker;
  private readonly id = nextId++;

  /** Start watching: a node whose call lasts `watchdogMs` is handed to `onStuck`, named from `names`. */
  constructor(watchdogMs: number, names: readonly string[], onStuck: StuckNodeHandler) {
    installHook();
    armed.set(this.id, onStuck);
    const buffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    this.activity = new Int32Array(buffer);
    const workerData: WatchdogData = {
      activity: buffer,
      watchdogMs,
      pollMs: Math.min(POLL_MS, Math.max(10, watchdogMs / 10)),
      names: [...names],
      hook: STUCK_HOOK,
      id: this.id,
    };
    // No execArgv: the thread is CommonJS even in a process started with --input-type=module.
    this.thread = new Worker(WATCHDOG_THREAD, { eval: true, execArgv: [], workerData, name: 'netloom inline watchdog' });
    this.thread.unref();
    // Not expected (the thread only reads memory and uses the inspector); if it happens, nothing watches any more: say so.
    this.thread.on('error', (error: unknown) => process.emitWarning(`the inline watchdog stopped: ${String(error)}`, { type: 'NetloomWatchdog' }));
  }

  /** Stop the thread (the shard is closed: nothing is left to watch). */
  async stop(): Promise<void> {
    armed.delete(this.id);
    await this.thread.terminate();
  }
}
