import { describe, expect, it } from 'vitest';
import { NeighbourIndex, type NeighbourKey } from './neighbour-index.js';

const entry = (dev: string, key: NeighbourKey, tag = '') => ({ dev, key, tag });

describe('NeighbourIndex', () => {
  it('finds an entry by device and key, numbers (IPv4) and bigints (IPv6) by value', () => {
    const index = new NeighbourIndex<ReturnType<typeof entry>>();
    const gateway = entry('eth0', 0xc0a80001);
    const gateway6 = entry('eth0', (0xfe80n << 112n) | 1n);
    index.set(gateway);
    index.set(entry('eth1', 0xc0a80001));
    index.set(gateway6);
    expect(index.get('eth0', 0xc0a80001)).toBe(gateway);
    expect(index.get('eth0', (0xfe80n << 112n) | 1n)).toBe(gateway6);
    expect(index.get('eth0', BigInt(0xc0a80001))).toBeUndefined();
    expect(index.get('eth2', 0xc0a80001)).toBeUndefined();
    expect(index.get('eth0', 0xc0a80002)).toBeUndefined();
    expect(index.size).toBe(3);
  });

  it('lists in the order entries were first added, a replaced one keeping its place', () => {
    const index = new NeighbourIndex<ReturnType<typeof entry>>();
    for (const [dev, key] of [['eth0', 3], ['eth1', 1], ['eth0', 2]] as const) index.set(entry(dev, key));
    index.set(entry('eth1', 1, 'replaced'));
    expect([...index.values()].map((e) => `${e.dev} ${e.key}${e.tag}`)).toEqual(['eth0 3', 'eth1 1replaced', 'eth0 2']);
  });

  it('forgets a deleted entry, and everything on clear', () => {
    const index = new NeighbourIndex<ReturnType<typeof entry>>();
    index.set(entry('eth0', 1));
    index.set(entry('eth0', 2));
    expect(index.delete('eth0', 1)).toBe(true);
    expect(index.delete('eth0', 1)).toBe(false);
    expect(index.get('eth0', 1)).toBeUndefined();
    expect([...index.values()].map((e) => e.key)).toEqual([2]);
    index.set(entry('eth0', 1));
    expect([...index.values()].map((e) => e.key)).toEqual([2, 1]);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get('eth0', 2)).toBeUndefined();
  });
});
