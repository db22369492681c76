/**
 * A shard's event queue: a binary min-heap ordered by (time, node, event class, source port, seq,
 * destination port).
 *
 * The key never involves arrival order across threads: every field is a property of the event
 * itself (node and port indexes are topology file order, seq counts frames per sending port), so
 * the same events come out in the same order on any placement. An event that has run is handed
 * back (`recycle`) and its object is reused by the next `add`, so a busy queue allocates nothing per
 * event in steady state; at most SPARE_EVENTS objects are kept spare. A carrier signal to a switch's
 * ports is one event that visits them in turn (`fan`): the shard pushes it back with the next port's
 * node and port, a key after the one just run, so the ports are visited in the same order as M events
 * would be, with one object and one heap entry at a time instead of M. Leaves out: cancellation
 * (stale timer events are skipped by the shard).
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
  /** A carrier signal from the sending port (FrameEnvelope.adminUp), not a frame; undefined for a frame or timer. */
  adminUp: boolean | undefined;
  /** A fanned-out carrier signal: the position of `dst` in its link's list of this shard's ports; -1 otherwise. */
  fan: number;
}

/** Spare event objects kept for reuse: a window's worth of a busy shard's events, at most. */
export const SPARE_EVENTS = 4096;

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
  /** Events that have run, for `add` to fill again. */
  private readonly spare: QueuedEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** Time of the earliest event, Infinity when empty. */
  nextTime(): number {
    const top = this.heap[0];
    return top === undefined ? Infinity : top.time;
  }

  /** Queue an event given by its fields, in a spare object when there is one. */
  add(time: number, node: number, cls: EventClass, port: number, seq: number, dst: number, link: number, bytes: Uint8Array | null, adminUp: boolean | undefined, fan = -1): void {
    const event = this.spare.pop();
    if (event === undefined) {
      this.push({ time, node, cls, port, seq, dst, link, bytes, adminUp, fan });
      return;
    }
    event.time = time;
    event.node = node;
    event.cls = cls;
    event.port = port;
    event.seq = seq;
    event.dst = dst;
    event.link = link;
    event.bytes = bytes;
    event.adminUp = adminUp;
    event.fan = fan;
    this.push(event);
  }

  /** An event popped and run, referenced by no one any more: its object is reused (its frame is let go). */
  recycle(event: QueuedEvent): void {
    event.bytes = null;
    if (this.spare.length < SPARE_EVENTS) this.spare.push(event);
  }

  /** Spare event objects held (bounded by SPARE_EVENTS). */
  get spareCount(): number {
    return this.spare.length;
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
