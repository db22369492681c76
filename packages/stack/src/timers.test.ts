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

  it('a pass that never runs out of timers due at its instant throws; a long but finite one does not', () => {
    const heap = new TimerHeap(1000);
    let ran = 0;
    const again = (): void => {
      ran++;
      heap.schedule(5, again);
    };
    heap.schedule(5, again);
    expect(() => heap.runDue(5)).toThrow('livelock: 1000 timers ran at 5 ns and more are due there: virtual time cannot move on');
    expect(ran).toBe(1000);
    // 1000 timers at one instant, then each arming the next a nanosecond later: no livelock.
    const finite = new TimerHeap(1000);
    for (let i = 0; i < 1000; i++) finite.schedule(5, () => {});
    finite.runDue(5);
    let later = 0;
    const step = (now: number): void => {
      if (++later < 5000) finite.schedule(now + 1, step);
    };
    finite.schedule(6, step);
    finite.runDue(6);
    expect(later).toBe(1);
    for (let t = 7; t < 5006; t++) finite.runDue(t);
    expect(later).toBe(5000);
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
