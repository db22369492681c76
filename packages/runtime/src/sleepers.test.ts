import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Sleepers } from './sleepers.js';

// The waiter runs in a thread of its own, on the compiled module (dist/), as the runtime's worker
// tests do; the test thread wakes it each time it has marked itself asleep.
const compiled = new URL('../dist/sleepers.js', import.meta.url).href;

const WAITER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.compiled).then(({ Sleepers }) => {
  const signal = new Int32Array(workerData.signal);
  const sleepers = new Sleepers(workerData.sleeping, signal);
  let missed = 0;
  for (let round = 0; round < workerData.rounds; round++) {
    const seen = Atomics.load(signal, 2);
    // A wait that timed out though the counter moved meanwhile: a wake-up that did not reach it.
    if (sleepers.wait(1, seen, 200) === 'timed-out' && Atomics.load(signal, 2) !== seen) missed++;
    Atomics.store(signal, 3, round + 1);
  }
  parentPort.postMessage(missed);
});
`;

describe('Sleepers', () => {
  it('a waker that finds its waiter asleep wakes it, every time', async () => {
    const rounds = 200;
    const signal = new SharedArrayBuffer(4 * 4);
    const sleeping = new SharedArrayBuffer(4 * 2);
    const waker = new Sleepers(sleeping, new Int32Array(signal));
    const cells = new Int32Array(sleeping);
    const counter = new Int32Array(signal);
    const worker = new Worker(WAITER, { eval: true, workerData: { compiled, signal, sleeping, rounds } });
    const missed = new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const turn = (): Promise<void> => new Promise((done) => setImmediate(done));
    for (let round = 0; round < rounds; round++) {
      // Once the waiter is done with the round before (signal[3]) and asleep in this one, wake it.
      while (Atomics.load(counter, 3) !== round || Atomics.load(cells, 1) === 0) await turn();
      waker.wake(1);
    }
    expect(await missed).toBe(0);
    await worker.terminate();
    // A missed wake-up costs its wait's 200 ms: the bound is a hang guard.
  }, 60_000);

  it('a waker leaves a running thread alone: the count moves, nothing is notified', () => {
    const signal = new Int32Array(new SharedArrayBuffer(4 * 2));
    const sleepers = new Sleepers(new SharedArrayBuffer(4), signal);
    sleepers.wake(0);
    sleepers.wake(0);
    expect(Atomics.load(signal, 0)).toBe(2);
    // Not asleep: a wait on the old count returns at once.
    expect(sleepers.wait(0, 1, 1000)).toBe('not-equal');
  });
});
