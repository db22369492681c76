/**
 * Faults of a node's own code that happen outside a call from the runtime: an exception thrown in
 * a real timer or immediate callback, or a promise rejected with nobody to handle it.
 *
 * Every call from a shard into a node runs in that node's AsyncLocalStorage context; asynchronous
 * work the node starts (setTimeout, setImmediate, process.nextTick, promises) carries the context
 * along, so when it throws, this thread's `uncaughtException`/`unhandledRejection` listener knows
 * which node it came from and tells that node's shard (`NodeFaultOwner`). The shard reports it with
 * the node's name at its next answer, as it does a synchronous throw.
 *
 * The context is not entered per call: a shard opens one `NodeCallScope` stretch for a window (or
 * its start) and switches the context only when the node it calls changes (a burst of frames to one
 * router enters once); the caller's own context is back when the stretch ends.
 *
 * Settling (`settleNodes`): before an operation reports success the thread's event loop turns once
 * (immediates, `nextTick`s and rejections of the nodes run and fail where the shard sees it); only
 * when a node armed a real `setTimeout` since the last settle does it also wait a real millisecond
 * (a timer of 0 or 1 ms fires). The real stack never arms one, so no operation sleeps.
 *
 * Listening is per thread and counted: a worker shard listens for its whole life; an inline shard
 * listens on the caller's thread while it is open, and the listeners stay when the last one closes,
 * since a closed shard's node may still fail later in a real timer (its shard then reports it as a
 * process warning instead of failing an operation). An error that no node's context claims:
 *  - in a worker, goes to the worker's fallback (the shard reports it, naming its nodes);
 *  - on the caller's thread, is left to the process's other listeners, or, when there are none,
 *    raised again as if nobody had listened (Node prints it and exits).
 * Leaves out: a `queueMicrotask` callback's throw (Node keeps no context for it; a worker reports it
 * through the fallback, inline it reaches the process as usual), and a node that loops forever
 * (the channel's watchdog, shard-channel.ts).
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';

/** Who answers for a node's asynchronous faults: its shard, with the node's name bound in. */
export interface NodeFaultOwner {
  asyncFault(error: unknown, how: AsyncFaultKind): void;
  /** The node armed a real setTimeout (the next settle waits for it). */
  armedRealTimer(): void;
}

export type AsyncFaultKind = 'uncaught exception' | 'unhandled rejection';

const nodeCalls = new AsyncLocalStorage<NodeFaultOwner>();

/**
 * A stretch of calls into nodes (a window, a shard's start) in which asynchronous work a node
 * starts is traced back to it: `enter(owner)` before each call switches the context only when the
 * node changes, and `run` restores the caller's context when the stretch ends.
 */
export class NodeCallScope {
  private entered: NodeFaultOwner | undefined = undefined;
  private depth = 0;

  /** Run `body`, whose calls into nodes `enter` their node first; afterwards the caller's context is back. */
  run<T>(body: () => T): T {
    if (this.depth > 0) return body();
    const previous = nodeCalls.getStore();
    this.entered = previous;
    this.depth++;
    try {
      return body();
    } finally {
      this.depth--;
      if (this.entered !== previous) nodeCalls.enterWith(previous as NodeFaultOwner);
      this.entered = undefined;
    }
  }

  /** From here on (inside `run`), asynchronous work started is `owner`'s. */
  enter(owner: NodeFaultOwner): void {
    if (this.entered === owner) return;
    if (this.depth === 0) throw new Error('NodeCallScope.enter outside run(): the context would outlive the stretch');
    nodeCalls.enterWith(owner);
    this.entered = owner;
  }
}

/** Tells a node's owner when the node arms a real setTimeout (on while this thread listens). */
const timerWatch = createHook({
  init(_asyncId, type) {
    if (type === 'Timeout') nodeCalls.getStore()?.armedRealTimer();
  },
});

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Let the nodes' asynchronous work on this thread run, so that a fault it raises is seen: one turn
 * of the event loop, and a real millisecond more when `armedRealTimer()` says a node armed a real
 * timer since the last settle (Node fires a timer of 0 or 1 ms after a millisecond).
 */
export async function settleNodes(armedRealTimer: () => boolean): Promise<void> {
  await turn();
  if (!armedRealTimer()) return;
  await new Promise((resolve) => setTimeout(resolve, 1));
  await turn();
}

type Fallback = (error: unknown, how: AsyncFaultKind) => void;

let listeners = 0;
/** Whether this thread's process listeners are installed (they outlive the count, see above). */
let installed = false;
let fallback: Fallback | null = null;

function claim(error: unknown, how: AsyncFaultKind, event: 'uncaughtException' | 'unhandledRejection'): void {
  const owner = nodeCalls.getStore();
  if (owner !== undefined) {
    owner.asyncFault(error, how);
    return;
  }
  if (fallback !== null) {
    fallback(error, how);
    return;
  }
  // Not a node's: behave as if this listener were not there.
  if (process.listenerCount(event) > 1) return;
  stopListening(true);
  process.nextTick(() => {
    throw error;
  });
}

const onUncaughtException = (error: unknown): void => claim(error, 'uncaught exception', 'uncaughtException');
const onUnhandledRejection = (reason: unknown): void => claim(reason, 'unhandled rejection', 'unhandledRejection');

/** One listener fewer; `all`: take the process listeners off too (an error nobody claims is raised again). */
function stopListening(all: boolean): void {
  listeners = all ? 0 : listeners - 1;
  if (listeners > 0) return;
  fallback = null;
  if (!all) return;
  installed = false;
  timerWatch.disable();
  process.off('uncaughtException', onUncaughtException);
  process.off('unhandledRejection', onUnhandledRejection);
}

/**
 * Listen for nodes' asynchronous faults on this thread until the returned function is called.
 * `orphans` takes the errors no node context claims (a worker gives it; the caller's thread does not).
 */
export function listenForNodeFaults(orphans: Fallback | null = null): () => void {
  if (orphans !== null) fallback = orphans;
  listeners++;
  if (!installed) {
    installed = true;
    timerWatch.enable();
    process.on('uncaughtException', onUncaughtException);
    process.on('unhandledRejection', onUnhandledRejection);
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (listeners > 0) stopListening(false);
  };
}
