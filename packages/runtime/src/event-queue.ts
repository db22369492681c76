/**
 * A shard's event queue: a binary min-heap ordered by (time, node, event class, source port, seq,
 * destination port).
 *
 * The key never involves arrival order across threads: every field is a property of the event
 * itself (node and port indexes are topology file order, seq counts frames per sending port), so
 * the same events come out in the same order on any placement. Leaves out: cancellation (stale
 * timer events are skipped by the shard).
 */

export const enum EventClass {
  /** A frame arriving at a port. */
  Delivery = 0,
  /** The node's own timers (NodeHost.nextDeadline). */
  Timer = 1,
}

export interface QueuedEvent {
  time: number;
  node: number;
  cls: EventClass;
  /** Sending port for deliveries, -1 for timers. */
  port: number;
  seq: number;
  /** Receiving port for deliveries, -1 for timers. */
  dst: number;
  link: number;
  bytes: Uint8Array | null;
  /** A carrier signal from the sending port (FrameEnvelope.adminUp), not a frame. */
  adminUp?: boolean;
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.node !== b.node) return a.node < b.node;
  if (a.cls !== b.cls) return a.cls < b.cls;
  if (a.port !== b.port) return a.port < b.port;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.dst < b.dst;
}

export class EventQueue {
  private readonly heap: QueuedEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** Time of the earliest event, Infinity when empty. */
  nextTime(): number {
    const top = this.heap[0];
    return top === undefined ? Infinity : top.time;
  }

  push(event: QueuedEvent): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  /** Remove and return the earliest event if its time is before `until`. */
  popBefore(until: number): QueuedEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined || top.time >= until) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && before(heap[r]!, heap[l]!)) c = r;
        if (!before(heap[c]!, last)) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
