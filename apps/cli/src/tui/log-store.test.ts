import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@netloom/runtime';
import { LogStore } from './log-store.js';
import { parsePacketFilter } from './packet-filter.js';

function events(count: number, from = 0): TraceEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    t: (from + i) * 1000,
    kind: (from + i) % 10 === 0 ? ('drop' as const) : ('tx' as const),
    node: (from + i) % 2 === 0 ? 'h1' : 'r1',
    ifname: 'eth0',
    link: 'h1:eth0--r1:eth0',
    summary: `IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq ${from + i}, length 64`,
  }));
}

describe('LogStore', () => {
  it('keeps only the newest `capacity` events but counts every one', () => {
    const store = new LogStore(100);
    store.append(events(250));
    expect(store.size).toBe(100);
    expect(store.totalEvents).toBe(250);
    expect(store.totalDrops).toBe(25);
    expect(store.window(null, 3).map((e) => e.t)).toEqual([247_000, 248_000, 249_000]);
  });

  it('windows the newest matches, oldest first, skipping the scrolled-back ones', () => {
    const store = new LogStore(100);
    store.append(events(50));
    const parsed = parsePacketFilter('node r1');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(store.window(parsed.filter, 2).map((e) => e.t)).toEqual([47_000, 49_000]);
    expect(store.window(parsed.filter, 2, 1).map((e) => e.t)).toEqual([45_000, 47_000]);
  });

  it('notifies throttled listeners once per interval however many appends happen', async () => {
    const store = new LogStore();
    let notified = 0;
    const unsubscribe = store.subscribeThrottled(() => notified++, 30);
    for (let i = 0; i < 1000; i++) store.append(events(10, i * 10));
    expect(notified).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(notified).toBe(1);
    unsubscribe();
  });

  it('takes 50,000 events quickly and stays bounded (benchmark)', () => {
    const store = new LogStore();
    const batches = Array.from({ length: 50 }, (_, i) => events(1000, i * 1000));
    const started = performance.now();
    for (const batch of batches) store.append(batch);
    const visible = store.window(null, 20);
    const elapsedMs = performance.now() - started;
    expect(store.size).toBe(5000);
    expect(store.totalEvents).toBe(50_000);
    expect(visible).toHaveLength(20);
    expect(visible[19]?.t).toBe(49_999_000);
    // 50k events in well under a second of wall time: far above the 10,000 events/s target.
    expect(elapsedMs).toBeLessThan(1000);
  });
});
