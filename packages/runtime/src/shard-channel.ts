/**
 * The controller's side of its shards: the same interface whether a shard runs inline on the main
 * thread (tests, the TUI's fast stepping) or as a long-lived piscina task in a worker thread.
 *
 * Worker shards: one pool thread per shard, a MessageChannel each, one SharedArrayBuffer of wake
 * counters for all (see shard-worker.ts), and a ring per direction between two shards that share a
 * link (frame-ring.ts): frames go from shard to shard without the controller, which only learns
 * how many crossed and the earliest due time. The controller waits for a reply by spinning briefly
 * (only when there are no more shards than cores), then blocking in Atomics.wait in slices of a few
 * milliseconds with event-loop turns between them (Atomics.waitAsync wakes far too slowly in Node
 * 20); the turns let the task's promise report a thread that threw or exited, which ends the wait
 * instead of hanging.
 *
 * The watchdog: a worker that has not answered and has made no progress (no new call into a node)
 * for `watchdogMs` of wall time (default 10 s, NETLOOM_WATCHDOG_MS overrides) while inside a node
 * is taken to be stuck in a node that never returns (a busy loop); the channel names that node from
 * the worker's activity cells and the thread is terminated. Outside any node (loading modules,
 * encoding a large answer) it waits OUTSIDE_NODES_MS at least. It is the one wall-clock limit in the
 * engine: it decides only whether a worker is alive, never what a window computes; a window that
 * takes long but keeps calling nodes is never cut short. An inline shard shares the caller's thread,
 * so nothing on it can interrupt a node: with an `onStuck` handler (the CLI's ends the process) a
 * watchdog thread reads the same activity cells and hands it the node by interrupt
 * (inline-watchdog.ts); without one a node that loops forever inline hangs the caller (docs/engine.md).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import {
  decodeShardMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  type ReadyMessage,
  type SettledMessage,
  type ShardMessage,
  type StartMessage,
  type WindowDoneMessage,
  type WindowMessage,
  type NodeFactoryRef,
} from '@netloom/ipc';
import type { Piscina } from 'piscina';
import type { NodeFactory } from './node-factory.js';
import { InlineWatchdog, type StuckNodeHandler } from './inline-watchdog.js';
import { listenForNodeFaults, settleNodes } from './node-faults.js';
import { POISONED_CLOCK, Shard } from './shard.js';
import { shardCellBuffer, shardCells } from './shard-cells.js';
import type { ShardTask } from './shard-worker.js';
import { StartSubsets } from './start-subset.js';
import { workerEntry, type WorkerEntry } from './worker-bundle.js';
import { BUNDLE_FILE, sharedBytes, type BundleWorkerData, type CodeCacheMessage } from './worker-bundle-loader.js';

const SPIN_ITERATIONS = 20_000;
/** The longest the controller blocks in Atomics.wait before letting the event loop run. */
const BLOCK_SLICE_MS = 5;
/** How often a channel waiting in the event loop (a start) checks its worker's failure and progress. */
const PATIENT_SLICE_MS = 50;
/** A worker silent for this long (wall time) is reported as stuck, unless NETLOOM_WATCHDOG_MS or the option says otherwise. */
export const DEFAULT_WATCHDOG_MS = 10_000;

/** A worker outside any node (the runtime's own work) is given at least this long without progress. */
const OUTSIDE_NODES_MS = 120_000;

/** The watchdog in effect: the option, else NETLOOM_WATCHDOG_MS, else DEFAULT_WATCHDOG_MS. */
export function watchdogMs(option: number | undefined): number {
  if (option !== undefined) return option;
  const env = Number(process.env['NETLOOM_WATCHDOG_MS']);
  return Number.isFinite(env) && env > 0 ? env : DEFAULT_WATCHDOG_MS;
}

/**
 * Whether waiting threads should spin before blocking. Spinning only pays when every spinning
 * thread (the shards and the controller) has a core of its own: measured on this 2-core machine
 * under a load average of ~7, two shards ran 3,700 windows/s blocking but 1,100 spinning; on an idle
 * machine spinning wins by an order of magnitude (ARCHITECTURE §4). NETLOOM_SPIN=0|1 overrides.
 */
export function shouldSpin(shards: number): boolean {
  const forced = process.env['NETLOOM_SPIN'];
  if (forced !== undefined) return forced === '1';
  const cores = availableParallelism();
  return shards + 1 <= cores && loadavg()[0]! + shards + 1 <= cores;
}

export interface ShardChannel {
  readonly index: number;
  /** Start the shard. Every channel is given the same message; each starts as the shard it is (its `index`), whatever `message.shard` says. */
  start(message: StartMessage): Promise<ReadyMessage>;
  window(message: WindowMessage): Promise<WindowDoneMessage>;
  /** Let the nodes' asynchronous work run (node-faults.ts's settleNodes) and answer with any fault it raised. */
  settle(): Promise<SettledMessage>;
  close(): Promise<void>;
}

/** A failure of the thread itself (not of a node's call): the task rejected, the worker exited or stopped answering. */
export class ShardThreadError extends Error {
  constructor(
    readonly shard: number,
    readonly reason: unknown,
    /** The node the worker was inside when it stopped answering, if known (an index into the node table). */
    readonly node: number | null = null,
  ) {
    super(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  }
}

/** How an inline shard is watched: a handler starts an InlineWatchdog over its activity (inline-watchdog.ts). */
export interface InlineWatch {
  onStuck: StuckNodeHandler | null;
  watchdogMs: number;
}

export class InlineShardChannel implements ShardChannel {
  private shard: Shard | null = null;
  private stopListening: (() => void) | null = null;
  private watchdog: InlineWatchdog | null = null;

  constructor(
    readonly index: number,
    private readonly factory: NodeFactory,
    private readonly watch: InlineWatch = { onStuck: null, watchdogMs: DEFAULT_WATCHDOG_MS },
  ) {}

  async start(message: StartMessage): Promise<ReadyMessage> {
    this.stopListening ??= listenForNodeFaults();
    const onStuck = this.watch.onStuck;
    if (onStuck !== null) {
      const names: string[] = [];
      for (const node of message.nodes) names[node.index] = node.name;
      this.watchdog ??= new InlineWatchdog(this.watch.watchdogMs, names, onStuck);
    }
    this.shard = new Shard(message.shard === this.index ? message : { ...message, shard: this.index }, this.factory, this.watchdog?.activity);
    await settleNodes(() => this.shard?.takeRealTimerArmed() ?? false);
    const error = this.shard.error;
    return { type: 'ready', version: PROTOCOL_VERSION, shard: this.index, nodes: error === null ? this.shard.readyStates() : [], error };
  }

  async window(message: WindowMessage): Promise<WindowDoneMessage> {
    const done = this.shard!.runWindow(message);
    if (message.settle === true) {
      await settleNodes(() => this.shard?.takeRealTimerArmed() ?? false);
      done.error = this.shard!.error;
    }
    return done;
  }

  async settle(): Promise<SettledMessage> {
    await settleNodes(() => this.shard?.takeRealTimerArmed() ?? false);
    return { type: 'settled', version: PROTOCOL_VERSION, shard: this.index, error: this.shard?.error ?? null };
  }

  async close(): Promise<void> {
    this.shard?.close();
    this.shard = null;
    this.stopListening?.();
    this.stopListening = null;
    const watchdog = this.watchdog;
    this.watchdog = null;
    await watchdog?.stop();
  }
}

/** What workers are given to load each worker bundle with, by its file: its source, read once per process, and its code cache once made (ShardPool.open). */
const loadedBundles = new Map<string, { source: Uint8Array; codeCache?: Uint8Array }>();

export class ShardPool {
  readonly channels: WorkerShardChannel[] = [];
  /**
   * A piscina pool of one thread per shard. One pool of `count` threads costs O(count) per task it
   * is given (piscina lists its ready workers and the balancer walks them), so O(count²) to start
   * them all: 1,000 shards spent most of their start in it (docs/engine.md, "What a node thread costs").
   */
  private readonly pools: Piscina[] = [];
  private readonly signal: Int32Array;
  /** Every shard's promise in a span (shard.ts's runSpan), ns. */
  private readonly clocks: BigInt64Array;
  /** The start message, and the part of it each worker's shard is sent (startBytes). */
  private started: { message: StartMessage; subsets: StartSubsets } | null = null;

  /**
   * A pool of `count` shard workers, with a ring for each (from, to) pair in `rings`, whose nodes
   * `factory` builds. piscina is loaded here, so an inline emulation never loads it.
   *
   * Workers that run the bundle are given a V8 code cache of it (worker-bundle-loader.ts), made once
   * per process by the first worker of the first pool with more threads than cores, once it has
   * built its shard: the cache then holds the code that builds a node as well as the bundle's top
   * level, and the others start after it (`start`). With no more threads than cores they would have
   * run beside it, so there it is not waited for.
   */
  static async open(count: number, spin: boolean, watchdog: number, rings: ShardTask['rings'], factory: NodeFactoryRef): Promise<ShardPool> {
    const { Piscina: PiscinaPool } = await import('piscina');
    const pool = new ShardPool(PiscinaPool, count, spin, watchdog, rings, factory);
    if (pool.entry.modulesBecause !== null) {
      while (pool.channels.length < count) void pool.addShard({});
      return pool;
    }
    const bundle = new URL(BUNDLE_FILE, pool.entry.filename);
    let loaded = loadedBundles.get(bundle.href);
    if (loaded === undefined) loadedBundles.set(bundle.href, (loaded = { source: sharedBytes(readFileSync(bundle)) }));
    if (loaded.codeCache === undefined && count > availableParallelism()) {
      const bundleGiven = loaded;
      pool.later = {
        count,
        cacheMade: pool.addShard({ source: loaded.source, makeCodeCache: true }).then((made) => {
          if (made !== null) bundleGiven.codeCache = sharedBytes(made);
          return bundleGiven;
        }),
      };
      return pool;
    }
    while (pool.channels.length < count) void pool.addShard(loaded);
    return pool;
  }

  /** Workers not started yet: those after the one that makes the code cache, started once it has (`start`). */
  private later: { count: number; cacheMade: Promise<BundleWorkerData> } | null = null;

  /**
   * Send every shard its start message and wait for all of them to be ready. When the first worker
   * makes the code cache, it starts alone, and the others are started with the cache once it has
   * replied and posted it. `channels` holds every shard's channel once this has returned.
   */
  async start(message: StartMessage): Promise<ReadyMessage[]> {
    const later = this.later;
    if (later === null) return Promise.all(this.channels.map((channel) => channel.start(message)));
    this.later = null;
    const first = await this.channels[0]!.start(message);
    const given = await later.cacheMade;
    while (this.channels.length < later.count) void this.addShard(given);
    return [first, ...(await Promise.all(this.channels.slice(1).map((channel) => channel.start(message))))];
  }

  /** The code the workers run: the worker bundle while it is current, else the compiled modules (worker-bundle.ts). */
  readonly entry: WorkerEntry;
  private readonly buffer: SharedArrayBuffer;
  private readonly activity: SharedArrayBuffer;
  /** Whether each shard's worker sleeps on its wake counter (shard-worker.ts's Sleepers). */
  private readonly sleeping: SharedArrayBuffer;
  /** Each shard's rings (those from or to it). */
  private readonly rings: ShardTask['rings'][];

  private constructor(
    private readonly PiscinaPool: typeof Piscina,
    count: number,
    private readonly spin: boolean,
    private readonly watchdog: number,
    rings: ShardTask['rings'],
    factory: NodeFactoryRef,
  ) {
    this.entry = workerEntry(factory);
    this.buffer = new SharedArrayBuffer(4 * 2 * count);
    this.activity = shardCellBuffer(count);
    this.sleeping = new SharedArrayBuffer(4 * count);
    const clocks = new SharedArrayBuffer(8 * count);
    this.signal = new Int32Array(this.buffer);
    this.clocks = new BigInt64Array(clocks);
    this.rings = Array.from({ length: count }, () => []);
    for (const ring of rings) {
      this.rings[ring.from]!.push(ring);
      if (ring.to !== ring.from) this.rings[ring.to]!.push(ring);
    }
  }

  /**
   * Start the next shard's worker. With `makeCodeCache`, resolves to the code cache the worker made
   * once its shard was ready, or null when it made none or failed first; else to null at once.
   */
  private addShard(workerData: BundleWorkerData): Promise<Uint8Array | null> {
    const index = this.channels.length;
    const pool = new this.PiscinaPool({
      filename: this.entry.filename.href,
      workerData,
      minThreads: 1,
      maxThreads: 1,
      concurrentTasksPerWorker: 1,
      idleTimeout: 1000,
      maxQueue: 1,
      atomics: 'disabled',
      // Its run- and wait-time histograms are nothing we read, and cost a native histogram each.
      recordTiming: false,
    });
    this.pools.push(pool);
    // The worker failed with no task of ours running (after close, say): the pool would throw it
    // as an unhandled 'error' event; the shard's channel reports it instead.
    pool.on('error', (error: unknown) => this.channels[index]?.threadFailed(error));
    const { port1, port2 } = new MessageChannel();
    const shardTask: ShardTask = {
      port: port2,
      signal: this.buffer,
      activity: this.activity,
      shard: index,
      rings: this.rings[index]!,
      clocks: this.clocks.buffer as SharedArrayBuffer,
      sleeping: this.sleeping,
    };
    const task = pool.run(shardTask, { transferList: [port2] }) as Promise<void>;
    this.channels.push(new WorkerShardChannel(index, port1, this.signal, task, this.spin, shardCells(this.activity, index, 2), this.watchdog, this.entry.factory, this));
    if (workerData.makeCodeCache !== true) return Promise.resolve(null);
    return new Promise((resolve) => {
      pool.on('message', (message: Partial<CodeCacheMessage>) => resolve(message.netloomCodeCache ?? null));
      task.then(
        () => resolve(null),
        () => resolve(null),
      );
    });
  }

  /**
   * The start message of one worker: its shard's part of the tables (start-subset.ts), made from an
   * index built once per message, so that starting costs O(nodes + ports) on the main thread and not
   * O(shards × nodes) (the whole tables encoded per shard before the one encoding for all, which is
   * itself now gone: every worker decoded every node).
   */
  startBytes(message: StartMessage, shard: number): Uint8Array {
    if (this.started?.message !== message) this.started = { message, subsets: new StartSubsets({ ...message, factory: this.entry.factory }, this.clocks.length) };
    return encodeMessage(this.started.subsets.for(shard));
  }

  /** Wake a shard's worker after a message was posted to it. */
  wake(shard: number): void {
    Atomics.add(this.signal, 2 * shard, 1);
    Atomics.notify(this.signal, 2 * shard);
  }

  /** Before a span: every shard's clock at the span's start (no shard is running: all replied). */
  startClocks(start: number): void {
    for (let shard = 0; shard < this.clocks.length; shard++) Atomics.store(this.clocks, shard, BigInt(Math.floor(start)));
  }

  /** The emulation failed: every shard still in a span gives it up (and none waits for a clock or a ring forever). */
  poisonClocks(): void {
    for (let shard = 0; shard < this.clocks.length; shard++) {
      Atomics.store(this.clocks, shard, POISONED_CLOCK);
      this.wake(shard);
    }
  }

  /** Terminate every worker, whatever it is doing (a busy loop included). */
  async destroy(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.destroy()));
  }
}

export class WorkerShardChannel implements ShardChannel {
  private failure: ShardThreadError | null = null;
  private closed = false;

  constructor(
    readonly index: number,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
    private readonly task: Promise<void>,
    private readonly spin: boolean,
    /** The worker's activity: [0] index + 1 of the node it is calling into (0 between calls), [1] calls so far. */
    private readonly activity: Int32Array,
    private readonly watchdogMs: number,
    /** The node factory as this worker imports it (from the bundle or the modules, as its task file). */
    private readonly factory: NodeFactoryRef,
    private pool: ShardPool | null = null,
  ) {
    task.then(
      () => {
        this.failure ??= new ShardThreadError(index, new Error(this.closed ? 'shard closed' : 'worker ended unexpectedly'));
      },
      (error: unknown) => this.threadFailed(error),
    );
  }

  /** The worker thread failed (its task rejected, or the pool reported an error). */
  threadFailed(error: unknown): void {
    this.failure ??= new ShardThreadError(this.index, error);
  }

  /** Post a message and wake the worker. */
  post(message: WindowMessage): void {
    this.port.postMessage(encodeMessage(message));
    this.pool?.wake(this.index);
  }

  /**
   * The worker's next message. `starting`: the reply to a start, which every channel of the pool
   * waits for at once. It is waited for in the event loop (the port's 'message' event, or
   * PATIENT_SLICE_MS for the checks) instead of in Atomics.wait: blocking, each channel took a slice
   * in turn, so an event-loop turn of 1,000 waiting channels took 5 s and a reply waited up to that
   * long to be read. And its worker is given the allowance of a worker outside any node even while it
   * builds its nodes: every thread of the pool loads the code and builds its nodes at the same time,
   * so on 2 cores one may wait many seconds for a core between two calls (200 threads at a load of 60
   * tripped the 10 s watchdog).
   */
  private async receive(starting = false): Promise<ShardMessage> {
    const slot = 2 * this.index + 1;
    const began = performance.now();
    let blockedSince = began;
    let calls = Atomics.load(this.activity, 1);
    let progressAt = began;
    for (;;) {
      if (this.failure !== null) throw this.failure;
      const now = performance.now();
      if (Atomics.load(this.activity, 1) !== calls) {
        calls = Atomics.load(this.activity, 1);
        progressAt = now;
      }
      const busy = Atomics.load(this.activity, 0);
      const allowance = busy > 0 && !starting ? this.watchdogMs : Math.max(this.watchdogMs, OUTSIDE_NODES_MS);
      if (now - progressAt > allowance) {
        const inside = busy > 0 ? 'inside the node (a loop that never ends?)' : 'outside any node';
        // Set before throwing: close() then terminates the thread without waiting for it.
        this.failure = new ShardThreadError(this.index, new Error(`no progress from its worker for ${allowance / 1000} s, ${inside}; the worker was stopped`), busy > 0 ? busy - 1 : null);
        throw this.failure;
      }
      const seen = Atomics.load(this.signal, slot);
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) return decodeShardMessage(received.message as Uint8Array);
      if (starting) {
        const arrived = await this.arrival();
        if (arrived !== undefined) return decodeShardMessage(arrived);
        continue;
      }
      if (this.spin) {
        let i = 0;
        while (i < SPIN_ITERATIONS && Atomics.load(this.signal, slot) === seen) i++;
        if (Atomics.load(this.signal, slot) !== seen) continue;
      }
      // Block the main thread only in short slices, and let the event loop run between them so that
      // a worker's failure (the task's promise) is noticed.
      if (performance.now() - blockedSince < BLOCK_SLICE_MS) {
        Atomics.wait(this.signal, slot, seen, BLOCK_SLICE_MS);
      } else {
        await new Promise<void>((resolve) => setImmediate(resolve));
        blockedSince = performance.now();
      }
    }
  }

  /**
   * A message that arrives within PATIENT_SLICE_MS, else undefined. The port emits messages only while
   * it has a 'message' listener; without one they wait for receiveMessageOnPort.
   */
  private arrival(): Promise<Uint8Array | undefined> {
    return new Promise((resolve) => {
      const onMessage = (bytes: Uint8Array): void => {
        clearTimeout(timer);
        resolve(bytes);
      };
      const timer = setTimeout(() => {
        this.port.off('message', onMessage);
        resolve(undefined);
      }, PATIENT_SLICE_MS);
      this.port.once('message', onMessage);
    });
  }

  async start(message: StartMessage): Promise<ReadyMessage> {
    this.port.postMessage(this.pool?.startBytes(message, this.index) ?? encodeMessage({ ...message, factory: this.factory }));
    this.pool?.wake(this.index);
    const reply = await this.receive(true);
    if (reply.type !== 'ready') throw new ShardThreadError(this.index, new Error(`expected ready, got ${reply.type}`));
    return reply;
  }

  async window(message: WindowMessage): Promise<WindowDoneMessage> {
    this.post(message);
    return this.reply();
  }

  /** Wait for a window's reply (after post + wake). */
  async reply(): Promise<WindowDoneMessage> {
    const reply = await this.receive();
    if (reply.type !== 'windowDone') throw new ShardThreadError(this.index, new Error(`expected windowDone, got ${reply.type}`));
    return reply;
  }

  async settle(): Promise<SettledMessage> {
    this.port.postMessage(encodeMessage({ type: 'settle', version: PROTOCOL_VERSION }));
    this.pool?.wake(this.index);
    const reply = await this.receive();
    if (reply.type !== 'settled') throw new ShardThreadError(this.index, new Error(`expected settled, got ${reply.type}`));
    return reply;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.failure !== null) {
      // A failed or stuck worker is not asked to close: the pool terminates it.
      this.port.close();
      return;
    }
    try {
      this.port.postMessage(encodeMessage({ type: 'close', version: PROTOCOL_VERSION }));
      this.pool?.wake(this.index);
      await Promise.race([this.task, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    } catch {
      // The thread already failed; nothing to close.
    }
    this.port.close();
  }
}
