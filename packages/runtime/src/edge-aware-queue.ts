/**
 * A shard's event queue that also knows when its edge nodes (those with a link to another shard)
 * next have something to do: the earliest pending time of their events. A span's promise needs it
 * (shard.ts's `publishPromise`): an edge node may send to another shard at its next event, any
 * other node only one local link later. The queue's order and contents are EventQueue's; beside
 * them it keeps the edge events' times in a binary min-heap, added with each edge event and taken
 * with each that is popped — the queue pops in time order, so an edge event popped is always the
 * least of those times. Leaves out: which nodes are edge nodes (the shard decides, from the placement).
 */
import { EventQueue, type QueuedEvent } from './event-queue.js';

export class EdgeAwareQueue extends EventQueue {
  /** The pending edge events' times, a binary min-heap in [0, count). */
  private times = new Float64Array(64);
  private count = 0;

  /** `edgeNodes[node]`: whether the node (by index) has a link to another shard. */
  constructor(private readonly edgeNodes: readonly boolean[]) {
    super();
  }

  /** Whether a node (by index) is an edge node. */
  atEdge(node: number): boolean {
    return this.edgeNodes[node] === true;
  }

  /** The time of the earliest pending event of an edge node, Infinity when there is none. */
  edgeTime(): number {
    return this.count === 0 ? Infinity : this.times[0]!;
  }

  override push(event: QueuedEvent): void {
    if (this.edgeNodes[event.node] === true) this.addTime(event.time);
    super.push(event);
  }

  override popBefore(until: number): QueuedEvent | undefined {
    const event = super.popBefore(until);
    if (event !== undefined && this.edgeNodes[event.node] === true) this.takeLeastTime();
    return event;
  }

  private addTime(time: number): void {
    if (this.count === this.times.length) {
      const grown = new Float64Array(2 * this.times.length);
      grown.set(this.times);
      this.times = grown;
    }
    const times = this.times;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= time) break;
      times[i] = times[parent]!;
      i = parent;
    }
    times[i] = time;
  }

  private takeLeastTime(): void {
    const times = this.times;
    const n = --this.count;
    if (n === 0) return;
    const last = times[n]!;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && times[right]! < times[left]! ? right : left;
      if (times[child]! >= last) break;
      times[i] = times[child]!;
      i = child;
    }
    times[i] = last;
  }
}
