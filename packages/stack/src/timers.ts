/**
 * A node's own timers and its own pseudo-random numbers.
 *
 * Covers: a binary min-heap of callbacks ordered by (due time, insertion sequence), so that two
 * timers due at the same nanosecond always run in the order they were armed (ARCHITECTURE.md §3);
 * lazy cancellation; and a seeded 32-bit generator (splitmix32) for the jitter the kernel draws
 * from prandom (neighbour reachable_time randomisation).
 * Leaves out: wall clocks of any kind — time is always passed in.
 */
import type { Nanos } from './node-host.js';

export interface TimerHandle {
  cancel(): void;
  /** True until the timer ran or was cancelled. */
  readonly isPending: boolean;
}

interface TimerEntry {
  at: Nanos;
  sequence: number;
  callback: (now: Nanos) => void;
  cancelled: boolean;
  done: boolean;
}

function runsBefore(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.sequence < b.sequence);
}

/**
 * How many timers one pass may run before it is a livelock: callbacks that keep arming timers due
 * at the same instant (a program answering its own zero-time replies), so virtual time never moves
 * on. Far above any burst a node makes at one instant; the pass then throws, naming the instant,
 * and the node fails loudly instead of spinning, and growing, until memory runs out.
 */
export const LIVELOCK_TIMERS = 10_000_000;

/** Timers of one node. Callbacks may arm new timers; those due by `now` run in the same pass. */
export class TimerHeap {
  private readonly heap: TimerEntry[] = [];
  private sequence = 0;

  constructor(private readonly livelockTimers = LIVELOCK_TIMERS) {}

  schedule(at: Nanos, callback: (now: Nanos) => void): TimerHandle {
    const entry: TimerEntry = { at, sequence: this.sequence++, callback, cancelled: false, done: false };
    this.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
      get isPending() {
        return !entry.cancelled && !entry.done;
      },
    };
  }

  /** Earliest due time of a live timer, or Infinity. */
  nextDeadline(): Nanos {
    this.dropCancelledTop();
    return this.heap[0]?.at ?? Infinity;
  }

  /** Run every timer due at or before `now`, in (time, sequence) order. */
  runDue(now: Nanos): void {
    for (let ran = 0; ; ran++) {
      this.dropCancelledTop();
      const top = this.heap[0];
      if (top === undefined || top.at > now) return;
      if (ran === this.livelockTimers) throw new Error(`livelock: ${ran} timers ran at ${now} ns and more are due there: virtual time cannot move on`);
      this.pop();
      top.done = true;
      top.callback(now);
    }
  }

  get size(): number {
    return this.heap.length;
  }

  private dropCancelledTop(): void {
    while (this.heap[0]?.cancelled === true) this.pop();
  }

  private push(entry: TimerEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!runsBefore(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && runsBefore(heap[right]!, heap[left]!) ? right : left;
      if (!runsBefore(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}

/** splitmix32: a small, well-mixed seeded generator. Same seed, same sequence. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform integer in [0, bound) for bound ≤ 2^32 (modulo bias ignored, as the kernel's `% base`). */
  below(bound: number): number {
    if (bound <= 0) return 0;
    if (bound <= 0x1_0000_0000) return this.nextUint32() % bound;
    // Nanosecond bounds can exceed 32 bits: combine two draws.
    const high = this.nextUint32() * 0x1_0000_0000 + this.nextUint32();
    return high % bound;
  }
}

export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;
