/**
 * OverlayValues against the Map it stands for: the same reads, writes, copies and iteration order,
 * and the shared defaults never written.
 */
import { describe, expect, it } from 'vitest';
import { OverlayValues } from './overlay-values.js';

describe('OverlayValues', () => {
  const defaults: ReadonlyMap<string, number> = new Map([['forwarding', 0], ['mtu', 1500], ['rp_filter', 2]]);

  it('reads, writes and iterates as a Map built from the defaults, never writing the defaults', () => {
    const values = new OverlayValues(defaults);
    const map = new Map(defaults);
    for (const [key, value] of [['mtu', 9000], ['extra', 7], ['forwarding', 1], ['extra', 8], ['later', 0]] as const) {
      values.set(key, value);
      map.set(key, value);
      expect([...values]).toEqual([...map]);
    }
    expect(values.get('mtu')).toBe(9000);
    expect(values.get('later')).toBe(0);
    expect(values.get('none')).toBeUndefined();
    expect(values.has('extra') && values.has('rp_filter') && !values.has('none')).toBe(true);
    expect([...defaults]).toEqual([['forwarding', 0], ['mtu', 1500], ['rp_filter', 2]]);
  });

  it('values given the same writes stay independent, and behave as Maps past any number of distinct writes', () => {
    const a = new OverlayValues(defaults);
    const b = new OverlayValues(defaults);
    const map = new Map(defaults);
    for (let i = 0; i < 600; i++) {
      a.set('mtu', 1280 + i);
      b.set('mtu', 1280 + i);
      map.set('mtu', 1280 + i);
      a.set(`key${i % 7}`, i);
      map.set(`key${i % 7}`, i);
    }
    b.set('forwarding', 1);
    a.set('rp_filter', -0);
    map.set('rp_filter', -0);
    expect([...a]).toEqual([...map]);
    expect(Object.is(a.get('rp_filter'), -0)).toBe(true);
    expect([...b]).toEqual([['forwarding', 1], ['mtu', 1879], ['rp_filter', 2]]);
  });

  it('a copy takes the writes so far and none after, either way', () => {
    const values = new OverlayValues(defaults);
    values.set('mtu', 1280);
    const copy = values.copy();
    values.set('mtu', 1400);
    copy.set('forwarding', 1);
    expect(copy.get('mtu')).toBe(1280);
    expect(values.get('forwarding')).toBe(0);
    expect([...copy]).toEqual([['forwarding', 1], ['mtu', 1280], ['rp_filter', 2]]);
  });
});
