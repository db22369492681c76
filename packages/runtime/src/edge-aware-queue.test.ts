/**
 * EdgeAwareQueue: the same order as EventQueue, and edgeTime() always the earliest pending event of
 * an edge node, against a plain list of what is pending.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdgeAwareQueue } from './edge-aware-queue.js';
import { EventClass, EventQueue, type QueuedEvent } from './event-queue.js';

const EDGE = [false, true, false, true, false];

describe('EdgeAwareQueue', () => {
  it('pops what an EventQueue pops and knows the earliest pending edge event, whatever is added and popped', () => {
    // An op adds an event (time ahead of now, a node), pops everything before a time, or pops one
    // event and pushes it back at another node (a carrier signal moving on to its next port).
    const add = fc.tuple(fc.constant('add' as const), fc.nat(30), fc.nat(EDGE.length - 1), fc.boolean());
    const pop = fc.tuple(fc.constant('pop' as const), fc.nat(40));
    const move = fc.tuple(fc.constant('move' as const), fc.nat(EDGE.length - 1));
    fc.assert(
      fc.property(fc.array(fc.oneof({ arbitrary: add, weight: 4 }, { arbitrary: pop, weight: 2 }, { arbitrary: move, weight: 1 }), { maxLength: 300 }), (ops) => {
        const queue = new EdgeAwareQueue(EDGE);
        const plain = new EventQueue();
        let pending: QueuedEvent[] = [];
        let now = 0;
        let seq = 0;
        const edgeTime = (): number => Math.min(Infinity, ...pending.filter((e) => EDGE[e.node]).map((e) => e.time));
        const popped = (event: QueuedEvent | undefined, other: QueuedEvent | undefined): void => {
          expect(event === undefined).toBe(other === undefined);
          if (event === undefined || other === undefined) return;
          expect([event.time, event.node, event.seq]).toEqual([other.time, other.node, other.seq]);
          pending = pending.filter((e) => e.seq !== event.seq);
          now = event.time;
        };
        for (const op of ops) {
          if (op[0] === 'add') {
            const [, ahead, node, timer] = op;
            const cls = timer ? EventClass.Timer : EventClass.Delivery;
            seq++;
            queue.add(now + ahead, node, cls, 0, seq, 1, 0, null, undefined);
            plain.add(now + ahead, node, cls, 0, seq, 1, 0, null, undefined);
            pending.push({ time: now + ahead, node, cls, port: 0, seq, dst: 1, link: 0, bytes: null, adminUp: undefined, fan: -1 });
          } else if (op[0] === 'pop') {
            const until = now + op[1];
            for (;;) {
              const event = queue.popBefore(until);
              popped(event, plain.popBefore(until));
              if (event === undefined) break;
            }
          } else {
            const event = queue.popBefore(Infinity);
            const other = plain.popBefore(Infinity);
            popped(event, other);
            if (event !== undefined && other !== undefined) {
              // Back in at a later port's node, the same instant (its key comes after the one just run).
              event.node = other.node = Math.max(event.node, op[1]);
              event.seq = other.seq = ++seq;
              queue.push(event);
              plain.push(other);
              pending.push({ ...event });
            }
          }
          expect(queue.edgeTime()).toBe(edgeTime());
          expect(queue.nextTime()).toBe(plain.nextTime());
        }
      }),
    );
  });

  it('tells edge nodes from the others', () => {
    const queue = new EdgeAwareQueue(EDGE);
    expect([0, 1, 2, 3, 4, 5].map((node) => queue.atEdge(node))).toEqual([false, true, false, true, false, false]);
    expect(queue.edgeTime()).toBe(Infinity);
  });
});
