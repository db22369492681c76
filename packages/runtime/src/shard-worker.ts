/**
 * The piscina task that runs one shard for the life of an emulation (compiled to
 * dist/shard-worker.js; the pool loads it from there).
 *
 * The task receives a MessagePort and a shared Int32Array at start. The controller posts an
 * encoded message on the port and then bumps this shard's wake counter `signal[2·shard]` (only the
 * shards of a window are woken); the worker wakes on it (spinning a little first when every thread
 * has a core, ARCHITECTURE §4), takes the message with receiveMessageOnPort, runs it, posts the
 * encoded reply and bumps its done counter `signal[2·shard + 1]`.
 * It ends when told to close. Errors inside nodes come back in the reply; anything else rejects the
 * task, which the controller sees.
 *
 * Node faults outside calls: the worker listens for uncaught exceptions and unhandled rejections
 * while its shard lives (node-faults.ts) and turns its event loop at least every TURN_EVERY_MS while
 * windows run, and on `settle` (node-faults.ts's settleNodes: a real millisecond only when a node
 * armed a real timer), so asynchronous work of a node runs and fails where the shard sees it. The shard keeps its activity (the node it is calling, a count of
 * calls) in `activity[2·shard…]`, where the controller's watchdog reads it.
 *
 * Frames to and from the shards it shares links with travel in rings (frame-ring.ts), one per
 * direction, given in the task. A sender whose ring to this shard is full bumps this shard's wake
 * counter; the worker drains its input rings whenever it wakes without a message, so a full ring
 * empties while this shard waits for its next window. In a span the same wake counter carries the
 * neighbours' new promises (one shared BigInt64Array, `clocks`, shard.ts's runSpan).
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { decodeControllerMessage, encodeMessage, PROTOCOL_VERSION, type ControllerMessage } from '@netloom/ipc';
import { FrameRing, READ_CELL } from './frame-ring.js';
import type { NodeFactory } from './node-factory.js';
import { listenForNodeFaults, settleNodes } from './node-faults.js';
import { Shard, type ShardRings } from './shard.js';
import { shardCells } from './shard-cells.js';
import { Sleepers } from './sleepers.js';

export interface ShardTask {
  port: MessagePort;
  signal: SharedArrayBuffer;
  /** Two Int32 per shard, a stride apart (shard-cells.ts): the node being called into (index + 1, 0 between calls), and calls so far. */
  activity: SharedArrayBuffer;
  shard: number;
  /** The rings of the links between shards: from → to, each one direction. */
  rings: { from: number; to: number; buffer: SharedArrayBuffer }[];
  /** The promises of all shards (a BigInt64 each, ns), for spans (shard.ts's runSpan). */
  clocks: SharedArrayBuffer;
  /**
   * One Int32 per shard, 1 while its worker sleeps in Atomics.wait on its wake counter: a shard that
   * wakes a neighbour (a new promise, a full ring) notifies only a sleeping one (`Sleepers`).
   */
  sleeping: SharedArrayBuffer;
}

const SPIN_ITERATIONS = 20_000;
/**
 * How long a shard in a span spins on its wake counter before it sleeps, when every shard has a core.
 * In `bench chain` packed on 2 workers a shard waits for its neighbour once per lookahead, mostly for
 * 0.02–0.4 ms (one step's imbalance); spinning 0.05 ms sent most of those waits to sleep and a wake-up
 * (12 interleaved rounds: 1 ms gave +4% on the median, and no round fell to the 640–690k the
 * 0.05 ms runs fell to three times in twelve).
 */
const SPAN_SPIN_MS = 1;
/** While windows run, the worker lets its event loop turn at least this often (wall time). */
const TURN_EVERY_MS = 20;

/** One turn of the event loop: expired timers, immediates, microtasks and rejections run. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}


/** The task's rings as this shard sees them: outputs by destination, and its inputs. */
function shardRings(task: ShardTask, signal: Int32Array, sleepers: Sleepers): ShardRings {
  const outputs = new Map<number, FrameRing>();
  const inputs: FrameRing[] = [];
  for (const ring of task.rings) {
    if (ring.from === task.shard) outputs.set(ring.to, new FrameRing(ring.buffer));
    else if (ring.to === task.shard) inputs.push(new FrameRing(ring.buffer));
  }
  const wakeSlot = 2 * task.shard;
  const clocks = new BigInt64Array(task.clocks);
  // In a span the controller only waits, so every shard has a core when shards ≤ cores: a neighbour's
  // clock usually moves within microseconds, sooner than a sleeping thread is woken.
  // NETLOOM_SPIN=1 or 0 forces it, as for the controller (shard-channel.ts's shouldSpin).
  const forced = process.env['NETLOOM_SPIN'];
  const spinInSpans = forced !== undefined ? forced === '1' : clocks.length <= availableParallelism();
  return {
    outputs,
    inputs,
    wakeReader: (shard) => sleepers.wake(shard),
    clocks,
    wakeCount: () => Atomics.load(signal, wakeSlot),
    waitForWake: (seen, ms) => {
      if (spinInSpans) {
        const until = performance.now() + SPAN_SPIN_MS;
        do if (Atomics.load(signal, wakeSlot) !== seen) return;
        while (performance.now() < until);
      }
      sleepers.wait(task.shard, seen, ms);
    },
    // As for a neighbour's promise: a reader with a core of its own makes room within microseconds,
    // sooner than a sleeping writer is woken (a burst of 100 frames of 1,514 bytes fills a 128 KiB
    // ring at every step of `bench chain --payload 1472`).
    waitForRead: (ring, seen, ms) => {
      if (spinInSpans) {
        const until = performance.now() + SPAN_SPIN_MS;
        do if (ring.readCounter() !== seen) return;
        while (performance.now() < until);
      }
      Atomics.wait(ring.counters, READ_CELL, seen, ms);
    },
  };
}

function nextMessage(port: MessagePort, signal: Int32Array, sleepers: Sleepers, shard: number, spin: boolean, idle: () => void = () => {}): ControllerMessage {
  const slot = 2 * shard;
  for (;;) {
    const seen = Atomics.load(signal, slot);
    const received = receiveMessageOnPort(port);
    if (received !== undefined) return decodeControllerMessage(received.message as Uint8Array);
    // Woken without a message: a sender's ring to this shard may be full.
    idle();
    if (spin) {
      for (let i = 0; i < SPIN_ITERATIONS && Atomics.load(signal, slot) === seen; i++);
      if (Atomics.load(signal, slot) !== seen) continue;
    }
    sleepers.wait(shard, seen, 1000);
  }
}

/**
 * The task. `importModule` loads the node factory's module: the worker bundle's task file passes its
 * own, since code compiled as a vm.Script cannot import() (worker-bundle-loader.ts). `afterReady`
 * runs once the ready reply is sent: the task file of the worker asked to make the code cache
 * passes its maker, so the cache holds the code that built the shard.
 */
export default async function runShard(
  task: ShardTask,
  importModule: (url: string) => Promise<unknown> = async (url) => import(url),
  afterReady: () => void = () => {},
): Promise<void> {
  const signal = new Int32Array(task.signal);
  const reply = (bytes: Uint8Array): void => {
    task.port.postMessage(bytes);
    Atomics.add(signal, 2 * task.shard + 1, 1);
    Atomics.notify(signal, 2 * task.shard + 1);
  };
  const sleepers = new Sleepers(task.sleeping, signal);
  const first = nextMessage(task.port, signal, sleepers, task.shard, false);
  if (first.type !== 'start') throw new Error(`shard ${task.shard}: expected start, got ${first.type}`);
  const module = (await importModule(first.factory.module)) as Record<string, unknown>;
  const factory = module[first.factory.export];
  if (typeof factory !== 'function') throw new Error(`${first.factory.module} does not export a function ${first.factory.export}`);
  // The start message names the shard too (start-subset.ts); the task's index is the one the rings and signals use.
  const shard = new Shard({ ...first, shard: task.shard }, factory as NodeFactory, shardCells(task.activity, task.shard, 2), shardRings(task, signal, sleepers));
  const drain = (): void => shard.drainRings();
  const stopListening = listenForNodeFaults((error, how) => shard.orphanFault(error, how));
  await settleNodes(() => shard.takeRealTimerArmed());
  const nodes = shard.error === null ? shard.readyStates() : [];
  reply(encodeMessage({ type: 'ready', version: PROTOCOL_VERSION, shard: task.shard, nodes, error: shard.error }));
  afterReady();
  let turned = performance.now();
  for (;;) {
    const message = nextMessage(task.port, signal, sleepers, task.shard, first.spin, drain);
    if (message.type === 'close') break;
    if (message.type === 'settle') {
      await settleNodes(() => shard.takeRealTimerArmed());
      turned = performance.now();
      reply(encodeMessage({ type: 'settled', version: PROTOCOL_VERSION, shard: task.shard, error: shard.error }));
      continue;
    }
    if (message.type !== 'window') throw new Error(`shard ${task.shard}: unexpected ${message.type}`);
    if (performance.now() - turned > TURN_EVERY_MS) {
      await turn();
      turned = performance.now();
    }
    const done = shard.runWindow(message);
    if (message.settle === true) {
      await settleNodes(() => shard.takeRealTimerArmed());
      turned = performance.now();
      done.error = shard.error;
    }
    reply(encodeMessage(done));
  }
  reply(encodeMessage({ type: 'done', version: PROTOCOL_VERSION, shard: task.shard }));
  task.port.close();
  stopListening();
}
