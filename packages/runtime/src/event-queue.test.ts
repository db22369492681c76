import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventClass, EventQueue, LANE_KEEP, SPARE_EVENTS, type QueuedEvent } from './event-queue.js';

function event(time: number, node: number, cls: EventClass, port: number, seq: number, dst = 0): QueuedEvent {
  return { time, node, cls, port, seq, dst, link: 0, bytes: null, adminUp: undefined, fan: -1 };
}

describe('event queue', () => {
  it('orders by time, then node, class, sending port, seq and receiving port', () => {
    const queue = new EventQueue();
    const events = [
      event(5, 1, EventClass.Timer, -1, 0),
      event(5, 1, EventClass.Delivery, 3, 1),
      event(5, 1, EventClass.Delivery, 3, 0, 7),
      event(5, 1, EventClass.Delivery, 3, 0, 6),
      event(5, 0, EventClass.Timer, -1, 0),
      event(5, 1, EventClass.Delivery, 2, 9),
      event(4, 9, EventClass.Timer, -1, 0),
    ];
    for (const e of events) queue.push(e);
    const order: string[] = [];
    for (let e = queue.popBefore(10); e !== undefined; e = queue.popBefore(10)) order.push(`${e.time}/${e.node}/${e.cls}/${e.port}/${e.seq}/${e.dst}`);
    expect(order).toEqual(['4/9/1/-1/0/0', '5/0/1/-1/0/0', '5/1/0/2/9/0', '5/1/0/3/0/6', '5/1/0/3/0/7', '5/1/0/3/1/0', '5/1/1/-1/0/0']);
  });

  it('pops only events before the window end, and the order never depends on insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(50), fc.nat(5), fc.nat(3), fc.nat(3)), { maxLength: 60, size: 'max' }), (tuples) => {
        const unique = [...new Map(tuples.map((t) => [t.join(','), t])).values()];
        const drain = (list: typeof unique): string[] => {
          const queue = new EventQueue();
          for (const [time, node, port, seq] of list) queue.push(event(time, node, EventClass.Delivery, port, seq));
          const out: string[] = [];
          for (let e = queue.popBefore(25); e !== undefined; e = queue.popBefore(25)) out.push(`${e.time},${e.node},${e.port},${e.seq}`);
          expect(queue.nextTime()).toBe(Math.min(Infinity, ...list.filter((t) => t[0] >= 25).map((t) => t[0])));
          return out;
        };
        const forward = drain(unique);
        expect(drain([...unique].reverse())).toEqual(forward);
        expect(forward.every((line) => Number(line.split(',')[0]) < 25)).toBe(true);
      }),
    );
  });

  it('reuses the objects of events that ran, and keeps the same order as fresh ones', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(50), fc.nat(5), fc.nat(3), fc.nat(3)), { maxLength: 60, size: 'max' }), (tuples) => {
        const unique = [...new Map(tuples.map((t) => [t.join(','), t])).values()];
        const fresh = new EventQueue();
        const reused = new EventQueue();
        // Fill the spare list with events of other fields first, so every `add` below may take one.
        for (let i = 0; i < unique.length; i++) reused.add(99 - i, 9, EventClass.Timer, -1, i, -1, 7, new Uint8Array(1), true);
        for (let e = reused.popBefore(Infinity); e !== undefined; e = reused.popBefore(Infinity)) reused.recycle(e);
        expect(reused.spareCount).toBe(unique.length);
        for (const [time, node, port, seq] of unique) {
          fresh.push(event(time, node, EventClass.Delivery, port, seq));
          reused.add(time, node, EventClass.Delivery, port, seq, 0, 0, null, undefined);
        }
        expect(reused.spareCount).toBe(0);
        const drain = (queue: EventQueue): QueuedEvent[] => {
          const out: QueuedEvent[] = [];
          for (let e = queue.popBefore(Infinity); e !== undefined; e = queue.popBefore(Infinity)) out.push({ ...e });
          return out;
        };
        expect(drain(reused)).toEqual(drain(fresh));
      }),
    );
  });

  it('pops interleaved with pushes in the order of a sorted reference (the lanes beside the heap)', () => {
    const key = (e: QueuedEvent): number[] => [e.time, e.node, e.cls, e.port, e.seq, e.dst];
    const compare = (a: QueuedEvent, b: QueuedEvent): number => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
      return 0;
    };
    const push = fc.tuple(fc.constant('push' as const), fc.nat(40), fc.nat(4), fc.nat(3), fc.nat(20), fc.boolean());
    const pop = fc.tuple(fc.constant('pop' as const), fc.nat(45));
    fc.assert(
      fc.property(fc.array(fc.oneof({ arbitrary: push, weight: 3 }, { arbitrary: pop, weight: 1 }), { maxLength: 200 }), (ops) => {
        const queue = new EventQueue();
        let reference: QueuedEvent[] = [];
        const keys = new Set<string>();
        // Pushes are made mostly in key order (as forwarding makes them), with some out of order.
        let clock = 0;
        for (const op of ops) {
          if (op[0] === 'push') {
            const [, jump, node, port, seq, timer] = op;
            const time = jump % 4 === 0 ? jump : clock + (jump % 3);
            clock = Math.max(clock, time);
            const e = timer && seq % 4 === 0 ? event(time, node, EventClass.Timer, -1, 0, -1) : event(time, node, EventClass.Delivery, port, seq);
            if (keys.has(key(e).join())) continue;
            keys.add(key(e).join());
            queue.push(e);
            reference.push(e);
            reference.sort(compare);
          } else {
            const until = op[1];
            for (let e = queue.popBefore(until); e !== undefined; e = queue.popBefore(until)) {
              expect(key(e)).toEqual(key(reference[0]!));
              reference = reference.slice(1);
            }
            expect(reference.length === 0 || reference[0]!.time >= until).toBe(true);
          }
          expect(queue.size).toBe(reference.length);
          expect(queue.nextTime()).toBe(reference[0]?.time ?? Infinity);
        }
      }),
    );
  });

  it('keeps its order over a long run that never empties (a busy chain: it drops what was popped)', () => {
    const queue = new EventQueue();
    const popped: number[] = [];
    // Each popped event at hop h sends one to hop h + 1, one latency later, as routers in a chain do.
    for (let seq = 0; seq < 100; seq++) queue.add(0, 0, EventClass.Delivery, 0, seq, 0, 0, null, undefined);
    while (popped.length < 5000) {
      const e = queue.popBefore(Infinity)!;
      popped.push(e.time * 1e6 + e.node * 1e3 + e.seq);
      if (e.node < 60) queue.add(e.time + 10, e.node + 1, EventClass.Delivery, 0, e.seq, 0, 0, null, undefined);
      queue.recycle(e);
    }
    expect(popped.length).toBe(5000);
    expect(popped.every((k, i) => i === 0 || k > popped[i - 1]!)).toBe(true);
    expect(queue.size).toBe(100);
  });

  it('lets go of a recycled event\'s frame and keeps at most SPARE_EVENTS spare objects', () => {
    const queue = new EventQueue();
    const frame = new Uint8Array(60);
    for (let i = 0; i < SPARE_EVENTS + 10; i++) queue.add(i, 0, EventClass.Delivery, 0, i, 1, 0, frame, undefined);
    const popped: QueuedEvent[] = [];
    for (let e = queue.popBefore(Infinity); e !== undefined; e = queue.popBefore(Infinity)) popped.push(e);
    for (const e of popped) queue.recycle(e);
    expect(queue.spareCount).toBe(SPARE_EVENTS);
    expect(popped.every((e) => e.bytes === null)).toBe(true);
  });

  it('keeps an emptied lane\'s storage for its next events, up to LANE_KEEP slots', () => {
    const queue = new EventQueue();
    const lanes = (queue as unknown as { lanes: QueuedEvent[][] }).lanes;
    const fillAndDrain = (count: number, time: number): void => {
      for (let seq = 0; seq < count; seq++) queue.add(time, 0, EventClass.Delivery, 0, seq, 1, 0, null, undefined);
      for (let e = queue.popBefore(Infinity); e !== undefined; e = queue.popBefore(Infinity)) queue.recycle(e);
    };
    fillAndDrain(300, 0);
    const storage = lanes[0]!;
    // Emptied, the lane still has its 300 slots: the next 300 events are written over them, no array grows.
    expect(queue.size).toBe(0);
    expect(storage.length).toBe(300);
    fillAndDrain(300, 10);
    expect(lanes[0]).toBe(storage);
    expect(storage.length).toBe(300);
    // A storm's lane lets its storage go once it empties.
    fillAndDrain(LANE_KEEP + 1, 20);
    expect(lanes[0]!.length).toBe(0);
    fillAndDrain(5, 30);
    expect(lanes[0]!.length).toBe(5);
  });
});
