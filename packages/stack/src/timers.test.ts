import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prng, TimerHeap } from './timers.js';

describe('TimerHeap', () => {
  it('runs timers in (time, arming order) whatever the arming order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60, size: 'max' }), fc.array(fc.boolean(), { maxLength: 60, size: 'max' }), (times, cancels) => {
        const heap = new TimerHeap();
        const ran: { at: number; index: number }[] = [];
        const handles = times.map((at, index) => heap.schedule(at, () => ran.push({ at, index })));
        handles.forEach((h, i) => {
          if (cancels[i] === true) h.cancel();
        });
        heap.runDue(100);
        const want = times
          .map((at, index) => ({ at, index }))
          .filter((t) => cancels[t.index] !== true)
          .sort((a, b) => a.at - b.at || a.index - b.index);
        expect(ran).toEqual(want);
        expect(heap.nextDeadline()).toBe(Infinity);
      }),
    );
  });

  it('runs timers armed by a callback in the same pass when they are due', () => {
    const heap = new TimerHeap();
    const order: string[] = [];
    heap.schedule(5, (now) => {
      order.push(`a@${now}`);
      heap.schedule(5, () => order.push('b'));
      heap.schedule(7, () => order.push('c'));
    });
    heap.runDue(6);
    expect(order).toEqual(['a@6', 'b']);
    expect(heap.nextDeadline()).toBe(7);
  });
});

describe('Prng', () => {
  it('gives the same sequence for the same seed and stays in range', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const draws = Array.from({ length: 5 }, () => a.below(30_000_000_000));
    expect(Array.from({ length: 5 }, () => b.below(30_000_000_000))).toEqual(draws);
    expect(draws.every((d) => d >= 0 && d < 30_000_000_000 && Number.isInteger(d))).toBe(true);
    expect(new Prng(43).nextUint32()).not.toBe(new Prng(42).nextUint32());
  });
});
