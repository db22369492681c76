/**
 * Waits on and wakes of the shards' wake counters between worker threads (shard-worker.ts): the wake
 * counter of shard i is `signal[2·i]`, and `sleeping[i]` is 1 while its thread waits on it.
 *
 * A waiter marks itself asleep before it waits, and a waker bumps the counter and then notifies only
 * a waiter so marked: in a span a shard wakes its neighbours at every instant its edge nodes pass,
 * most of the time they are running, not waiting, and Atomics.notify takes V8's process-wide futex
 * lock each time (docs/engine.md, "Where a thread's time goes at steady state"). Sequentially
 * consistent, this misses no wake-up: a waiter whose mark the waker did not see marked itself after
 * the bump, so its Atomics.wait reads the new count and returns at once (sleepers.test.ts).
 */
export class Sleepers {
  private readonly cells: Int32Array;
  constructor(
    buffer: SharedArrayBuffer,
    private readonly signal: Int32Array,
  ) {
    this.cells = new Int32Array(buffer);
  }

  /** Block `shard`'s thread until its wake counter is no longer `seen` (or `ms` pass); Atomics.wait's answer. */
  wait(shard: number, seen: number, ms: number): 'ok' | 'not-equal' | 'timed-out' {
    Atomics.store(this.cells, shard, 1);
    const result = Atomics.wait(this.signal, 2 * shard, seen, ms);
    Atomics.store(this.cells, shard, 0);
    return result;
  }

  /** Bump `shard`'s wake counter, and notify its thread if it sleeps. */
  wake(shard: number): void {
    Atomics.add(this.signal, 2 * shard, 1);
    if (Atomics.load(this.cells, shard) !== 0) Atomics.notify(this.signal, 2 * shard);
  }
}
