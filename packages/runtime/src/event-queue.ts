/**
 * A shard's event queue, ordered by (time, node, event class, source port, seq, destination port):
 * a few sorted runs of deliveries ("lanes") beside a binary min-heap. A delivery is appended to the
 * first lane whose last event it comes after (one comparison when it comes in order), and goes into
 * the heap when none fits; timers always go into the heap (few, and due far apart: one at a lane's
 * end would keep every delivery after it out of that lane). A pop takes the least of the lanes'
 * heads and the heap's top. Forwarding fills lanes in order: a node's events come out in key order
 * and the frames they send arrive one latency later at the next node in the same order, and the
 * frames a shard takes from a ring come in order too — into a second lane while the first holds
 * the hop after. In `bench chain` (a burst of 100 datagrams on every hop) the one heap held ≈ 800
 * events, ten levels of sift-down per pop; `before` was most of the shard's own time.
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

/** Sorted runs of deliveries beside the heap (see the header). */
const LANES = 4;
/** Popped events a lane keeps in front of its head before it drops them (takeHead). */
const LANE_COMPACT_AT = 1024;
/** The most slots an emptied lane keeps for its next events (its old slots point to events that ran, recycled or dropped). */
export const LANE_KEEP = 4096;

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
  /**
   * Sorted runs of deliveries (see the header): lane i holds its events at [heads[i], ends[i]); those
   * before heads[i] were popped. An emptied lane keeps its array (up to LANE_KEEP slots) and writes
   * over it: emptied by `length = 0`, it gave its storage back and grew it again on the next pushes,
   * which was most of what a hop allocated in `bench chain` (66 of 86 bytes a hop-forward).
   */
  private readonly lanes: QueuedEvent[][] = Array.from({ length: LANES }, () => []);
  private readonly heads: number[] = new Array<number>(LANES).fill(0);
  private readonly ends: number[] = new Array<number>(LANES).fill(0);
  /** Events that have run, for `add` to fill again. */
  private readonly spare: QueuedEvent[] = [];

  get size(): number {
    let size = this.heap.length;
    for (let i = 0; i < LANES; i++) size += this.ends[i]! - this.heads[i]!;
    return size;
  }

  /** Time of the earliest event, Infinity when empty. */
  nextTime(): number {
    let time = this.heap[0]?.time ?? Infinity;
    for (let i = 0; i < LANES; i++) {
      const at = this.heads[i]!;
      if (at === this.ends[i]) continue;
      const head = this.lanes[i]![at]!;
      if (head.time < time) time = head.time;
    }
    return time;
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

  /** A delivery goes to the first lane it comes after the end of (or that is empty), else to the heap, as a timer does. */
  push(event: QueuedEvent): void {
    if (event.cls === EventClass.Delivery) {
      for (let i = 0; i < LANES; i++) {
        const lane = this.lanes[i]!;
        const n = this.ends[i]!;
        if (n === this.heads[i] || !before(event, lane[n - 1]!)) {
          if (n < lane.length) lane[n] = event;
          else lane.push(event);
          this.ends[i] = n + 1;
          return;
        }
      }
    }
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

  /** Remove and return the earliest event if its time is before `until`: the least of the lanes' heads and the heap's top. */
  popBefore(until: number): QueuedEvent | undefined {
    const heap = this.heap;
    let first = heap[0];
    let lane = -1;
    for (let i = 0; i < LANES; i++) {
      const at = this.heads[i]!;
      if (at === this.ends[i]) continue;
      const head = this.lanes[i]![at]!;
      if (first === undefined || before(head, first)) {
        first = head;
        lane = i;
      }
    }
    if (first === undefined || first.time >= until) return undefined;
    if (lane >= 0) {
      this.takeHead(lane);
      return first;
    }
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
    return first;
  }

  /**
   * Step past a lane's head. Its popped prefix is dropped once the lane is empty, or once it is most
   * of a long lane (one that never empties, every hop busy, would otherwise only grow).
   */
  private takeHead(i: number): void {
    const head = this.heads[i]! + 1;
    const end = this.ends[i]!;
    if (head === end) {
      this.heads[i] = 0;
      this.ends[i] = 0;
      // A lane that grew past LANE_KEEP (a storm) gives its storage back, and with it the events its
      // old slots still point to: what an emptied queue holds stays bounded.
      const lane = this.lanes[i]!;
      if (lane.length > LANE_KEEP) lane.length = 0;
    } else if (head >= LANE_COMPACT_AT && 2 * head >= end) {
      // The rest moved to the front, in place (a loop: copyWithin on an array of objects is a
      // generic builtin that was most of the queue's time).
      const lane = this.lanes[i]!;
      for (let from = head, to = 0; from < end; from++, to++) lane[to] = lane[from]!;
      this.heads[i] = 0;
      this.ends[i] = end - head;
    } else this.heads[i] = head;
  }
}
