/**
 * Faults of a node's own code that happen outside a call from the runtime: an exception thrown in
 * a real timer or immediate callback, or a promise rejected with nobody to handle it.
 *
 * Every call from a shard into a node runs inside `inNode(owner, …)`, an AsyncLocalStorage context;
 * asynchronous work the node starts (setTimeout, setImmediate, process.nextTick, promises) carries
 * the context along, so when it throws, this thread's `uncaughtException`/`unhandledRejection`
 * listener knows which node it came from and tells that node's shard (`NodeFaultOwner`). The shard
 * reports it with the node's name at its next answer, as it does a synchronous throw.
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
import { AsyncLocalStorage } from 'node:async_hooks';

/** Who answers for a node's asynchronous faults: its shard, with the node's name bound in. */
export interface NodeFaultOwner {
  asyncFault(error: unknown, how: AsyncFaultKind): void;
}

export type AsyncFaultKind = 'uncaught exception' | 'unhandled rejection';

const nodeCalls = new AsyncLocalStorage<NodeFaultOwner>();

/** Run a call into a node so that asynchronous work it starts is traced back to `owner`. */
export function inNode<T>(owner: NodeFaultOwner, call: () => T): T {
  return nodeCalls.run(owner, call);
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
