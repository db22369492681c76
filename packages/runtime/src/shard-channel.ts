/**
 * The controller's side of its shards: the same interface whether a shard runs inline on the main
 * thread (tests, the TUI's fast stepping) or as a long-lived piscina task in a worker thread.
 *
 * Worker shards: one pool thread per shard, a MessageChannel each, one SharedArrayBuffer of wake
 * counters for all (see shard-worker.ts). The controller waits for replies with Atomics.waitAsync,
 * spinning briefly first when there are no more shards than cores, and races every wait against
 * the task's promise, so a thread that throws or exits ends the wait at once instead of hanging.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import {
  decodeShardMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  type ReadyMessage,
  type ShardMessage,
  type StartMessage,
  type WindowDoneMessage,
  type WindowMessage,
} from '@netloom/ipc';
import { Piscina } from 'piscina';
import type { NodeFactory } from './node-factory.js';
import { Shard } from './shard.js';

// Atomics.waitAsync is in Node ≥ 16 but only in TypeScript's ES2024 lib.
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

export interface ShardChannel {
  readonly index: number;
  start(message: StartMessage): Promise<ReadyMessage>;
  window(message: WindowMessage): Promise<WindowDoneMessage>;
  close(): Promise<void>;
}

/** A failure of the thread itself (not of a node): the task rejected or the worker exited. */
export class ShardThreadError extends Error {
  constructor(
    readonly shard: number,
    readonly reason: unknown,
  ) {
    super(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  }
}

export class InlineShardChannel implements ShardChannel {
  private shard: Shard | null = null;

  constructor(
    readonly index: number,
    private readonly factory: NodeFactory,
  ) {}

  async start(message: StartMessage): Promise<ReadyMessage> {
    this.shard = new Shard(message, this.factory);
    const error = this.shard.error;
    return { type: 'ready', version: PROTOCOL_VERSION, shard: this.index, nodes: error === null ? this.shard.nodeStates() : [], error };
  }

  async window(message: WindowMessage): Promise<WindowDoneMessage> {
    return this.shard!.runWindow(message);
  }

  async close(): Promise<void> {
    this.shard = null;
  }
}

export function workerFileUrl(): URL {
  const here = import.meta.url;
  // Running from sources (vitest): the worker is the compiled one in dist/.
  return here.endsWith('.ts') ? new URL('../dist/shard-worker.js', here) : new URL('./shard-worker.js', here);
}

export class ShardPool {
  readonly channels: WorkerShardChannel[] = [];
  private readonly pool: Piscina;
  private readonly signal: Int32Array;

  constructor(count: number) {
    this.pool = new Piscina({
      filename: workerFileUrl().href,
      minThreads: count,
      maxThreads: count,
      concurrentTasksPerWorker: 1,
      idleTimeout: 1000,
      maxQueue: count,
      atomics: 'disabled',
    });
    const buffer = new SharedArrayBuffer(4 * (1 + count));
    this.signal = new Int32Array(buffer);
    const spin = count <= availableParallelism();
    for (let index = 0; index < count; index++) {
      const { port1, port2 } = new MessageChannel();
      const task = this.pool.run({ port: port2, signal: buffer, shard: index }, { transferList: [port2] }) as Promise<void>;
      this.channels.push(new WorkerShardChannel(index, port1, this.signal, task, spin));
    }
  }

  /** Wake every worker after messages were posted. */
  wake(): void {
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}

export class WorkerShardChannel implements ShardChannel {
  private readonly failed: Promise<never>;
  private closed = false;

  constructor(
    readonly index: number,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
    private readonly task: Promise<void>,
    private readonly spin: boolean,
    private pool: ShardPool | null = null,
  ) {
    this.failed = task.then(
      () => {
        throw new ShardThreadError(index, this.closed ? new Error('shard closed') : new Error('worker ended unexpectedly'));
      },
      (error: unknown) => {
        throw new ShardThreadError(index, error);
      },
    );
    this.failed.catch(() => undefined);
  }

  attach(pool: ShardPool): void {
    this.pool = pool;
  }

  /** Post without waking: the pool wakes all shards of a window at once. */
  post(message: StartMessage | WindowMessage): void {
    this.port.postMessage(encodeMessage(message));
  }

  private async receive(): Promise<ShardMessage> {
    const slot = 1 + this.index;
    for (;;) {
      const seen = Atomics.load(this.signal, slot);
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) return decodeShardMessage(received.message as Uint8Array);
      if (this.spin) {
        let i = 0;
        while (i < 20_000 && Atomics.load(this.signal, slot) === seen) i++;
        if (Atomics.load(this.signal, slot) !== seen) continue;
      }
      const wait = waitAsync(this.signal, slot, seen, 1000);
      if (wait.async) await Promise.race([wait.value, this.failed]);
    }
  }

  async start(message: StartMessage): Promise<ReadyMessage> {
    this.post(message);
    this.pool?.wake();
    const reply = await this.receive();
    if (reply.type !== 'ready') throw new ShardThreadError(this.index, new Error(`expected ready, got ${reply.type}`));
    return reply;
  }

  async window(message: WindowMessage): Promise<WindowDoneMessage> {
    this.post(message);
    this.pool?.wake();
    return this.reply();
  }

  /** Wait for a window's reply (after post + wake). */
  async reply(): Promise<WindowDoneMessage> {
    const reply = await this.receive();
    if (reply.type !== 'windowDone') throw new ShardThreadError(this.index, new Error(`expected windowDone, got ${reply.type}`));
    return reply;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.port.postMessage(encodeMessage({ type: 'close', version: PROTOCOL_VERSION }));
      this.pool?.wake();
      await Promise.race([this.task, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    } catch {
      // The thread already failed; nothing to close.
    }
    this.port.close();
  }
}
