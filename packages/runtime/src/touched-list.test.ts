import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TouchedList } from './touched-list.js';

describe('TouchedList', () => {
  it('lists each item once, in the order first touched, as a Set would', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(20), { maxLength: 60 }), { maxLength: 5 }), (rounds) => {
        const items = Array.from({ length: 21 }, (_, id) => ({ id, touched: false }));
        const list = new TouchedList<(typeof items)[number]>();
        for (const touches of rounds) {
          const set = new Set<number>();
          for (const id of touches) {
            list.add(items[id]!);
            set.add(id);
          }
          expect(list.size).toBe(set.size);
          expect(list.take().map((item) => item.id)).toEqual([...set]);
          expect(list.size).toBe(0);
          expect(items.every((item) => !item.touched)).toBe(true);
        }
      }),
    );
  });

  it('takes an item again once touched after a take', () => {
    const item = { touched: false };
    const list = new TouchedList<typeof item>();
    list.add(item);
    expect(list.take()).toEqual([item]);
    list.add(item);
    list.add(item);
    expect(list.take()).toEqual([item]);
  });
});
