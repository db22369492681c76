import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventClass, EventQueue, SPARE_EVENTS, type QueuedEvent } from './event-queue.js';

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
});
