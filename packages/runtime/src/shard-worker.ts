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
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { decodeControllerMessage, encodeMessage, PROTOCOL_VERSION, type ControllerMessage } from '@netloom/ipc';
import type { NodeFactory } from './node-factory.js';
import { Shard } from './shard.js';

export interface ShardTask {
  port: MessagePort;
  signal: SharedArrayBuffer;
  shard: number;
}

const SPIN_ITERATIONS = 20_000;

function nextMessage(port: MessagePort, signal: Int32Array, slot: number, spin: boolean): ControllerMessage {
  for (;;) {
    const seen = Atomics.load(signal, slot);
    const received = receiveMessageOnPort(port);
    if (received !== undefined) return decodeControllerMessage(received.message as Uint8Array);
    if (spin) {
      for (let i = 0; i < SPIN_ITERATIONS && Atomics.load(signal, slot) === seen; i++);
      if (Atomics.load(signal, slot) !== seen) continue;
    }
    Atomics.wait(signal, slot, seen, 1000);
  }
}

export default async function runShard(task: ShardTask): Promise<void> {
  const signal = new Int32Array(task.signal);
  const reply = (bytes: Uint8Array): void => {
    task.port.postMessage(bytes);
    Atomics.add(signal, 2 * task.shard + 1, 1);
    Atomics.notify(signal, 2 * task.shard + 1);
  };
  const wakeSlot = 2 * task.shard;
  const first = nextMessage(task.port, signal, wakeSlot, false);
  if (first.type !== 'start') throw new Error(`shard ${task.shard}: expected start, got ${first.type}`);
  const module = (await import(first.factory.module)) as Record<string, unknown>;
  const factory = module[first.factory.export];
  if (typeof factory !== 'function') throw new Error(`${first.factory.module} does not export a function ${first.factory.export}`);
  const shard = new Shard(first, factory as NodeFactory);
  const nodes = shard.error === null ? shard.nodeStates() : [];
  reply(encodeMessage({ type: 'ready', version: PROTOCOL_VERSION, shard: task.shard, nodes, error: shard.error }));
  for (;;) {
    const message = nextMessage(task.port, signal, wakeSlot, first.spin);
    if (message.type === 'close') break;
    if (message.type !== 'window') throw new Error(`shard ${task.shard}: unexpected ${message.type}`);
    reply(encodeMessage(shard.runWindow(message)));
  }
  reply(encodeMessage({ type: 'done', version: PROTOCOL_VERSION, shard: task.shard }));
  task.port.close();
}
