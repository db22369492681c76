/**
 * The route cache serves a decision only to the flow it was made for: a query that differs in any
 * field of the key (direction, destination, source, input or output device, TOS, mark, uid) misses,
 * and an equal one hits; entries are listed in the order their flows were first cached, and go
 * with the generation. The cache is bounded (ip_rt_max_size, or route.max_size when lower): a run
 * past the bound, sized by a count, shows the oldest flows making room.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { SysctlTree } from '../sysctl/sysctl-tree.js';
import { ChangeNotifier } from './change-notifier.js';
import { DeviceTable } from './devices.js';
import { Fib } from './fib-lookup.js';
import { RouteCache, RT_MAX_SIZE } from './route-cache.js';
import { noRouteFlags, type RouteDecision, type RouteQuery } from './route-decision.js';

function cache() {
  const sysctls = new SysctlTree();
  const notifier = new ChangeNotifier();
  const fib = new Fib(new DeviceTable(sysctls, notifier), sysctls, notifier);
  return { cache: new RouteCache(fib, sysctls, notifier), notifier, sysctls };
}

function decision(dst: number, input: boolean, dev: string): RouteDecision {
  return {
    type: 'unicast', dst, src: 0, dev, gateway: 0, table: 254, scope: 0, mtu: 1500, mtuMetric: 0, mtuLock: false, pmtu: 0, tos: 0,
    flags: noRouteFlags(), input, iif: '', forward: input, expiresAt: 0,
  };
}

/** Few values per field, so that generated queries often agree on most of them. */
const query: fc.Arbitrary<{ q: RouteQuery; input: boolean }> = fc.record({
  input: fc.boolean(),
  dst: fc.constantFrom(0x0a000001, 0xc0a80101, 0xfffffffe),
  src: fc.option(fc.constantFrom(0, 0x0a000002, 0xc0a80102), { nil: undefined }),
  iif: fc.option(fc.constantFrom('', 'eth0', 'eth1'), { nil: undefined }),
  oif: fc.option(fc.constantFrom('', 'eth0', 'eth1'), { nil: undefined }),
  tos: fc.option(fc.constantFrom(0, 0x10), { nil: undefined }),
  mark: fc.option(fc.constantFrom(0, 7), { nil: undefined }),
  uid: fc.option(fc.constantFrom(0, 1000), { nil: undefined }),
}).map(({ input, ...q }) => ({ q, input }));

const keyOf = ({ q, input }: { q: RouteQuery; input: boolean }): string =>
  [input, q.dst >>> 0, (q.src ?? 0) >>> 0, q.iif ?? '', q.oif ?? '', q.tos ?? 0, q.mark ?? 0, q.uid ?? 0].join('|');

describe('route cache', () => {
  test('a cached decision is served to an equal flow and to no other (property)', () => {
    fc.assert(
      fc.property(fc.array(query, { minLength: 1, maxLength: 6 }), query, (stored, asked) => {
        const { cache: c } = cache();
        const byKey = new Map<string, RouteDecision>();
        stored.forEach((s, i) => {
          const d = decision(s.q.dst, s.input, `d${i}`);
          c.remember(s.q, d, true, 0);
          byKey.set(keyOf(s), d);
        });
        expect(c.lookup(asked.q, asked.input, 1)).toBe(byKey.get(keyOf(asked)) ?? null);
        expect(c.entries(1)).toHaveLength(byKey.size);
      }),
      { numRuns: scaled(500) },
    );
  });

  test('entries are listed in the order their flows were first cached; a new generation empties the list', () => {
    const { cache: c, notifier } = cache();
    c.remember({ dst: 1 }, decision(1, false, 'a'), true, 0);
    c.remember({ dst: 2 }, decision(2, false, 'b'), true, 0);
    c.remember({ dst: 1 }, decision(1, false, 'c'), true, 0);
    expect(c.entries(0).map((e) => `${e.dev} ${e.use}`)).toEqual(['c 2', 'b 1']);
    notifier.bump();
    expect(c.lookup({ dst: 1 }, false, 0)).toBeNull();
    expect(c.entries(0)).toEqual([]);
    c.remember({ dst: 1 }, decision(1, false, 'd'), true, 0);
    expect(c.entries(0).map((e) => `${e.dev} ${e.use}`)).toEqual(['d 1']);
  });

  test('a decision remembered as not cacheable is listed but never served', () => {
    const { cache: c } = cache();
    c.remember({ dst: 1 }, decision(1, false, 'a'), false, 0);
    expect(c.lookup({ dst: 1 }, false, 0)).toBeNull();
    expect(c.entries(0).map((e) => e.volatile)).toEqual([true]);
  });

  test('the cache holds at most ip_rt_max_size (65,536) entries: past it, the flows cached first make room', () => {
    const { cache: c } = cache();
    const extra = 100;
    for (let i = 0; i < RT_MAX_SIZE + extra; i++) c.remember({ dst: i }, decision(i, false, 'a'), true, 0);
    expect(c.size).toBe(RT_MAX_SIZE);
    expect(c.entries(0)).toHaveLength(RT_MAX_SIZE);
    for (const gone of [0, 1, extra - 1]) expect(c.lookup({ dst: gone }, false, 0), `dst ${gone}`).toBeNull();
    for (const kept of [extra, RT_MAX_SIZE, RT_MAX_SIZE + extra - 1]) expect(c.lookup({ dst: kept }, false, 0), `dst ${kept}`).not.toBeNull();
    // A flow already cached takes no new room.
    c.remember({ dst: extra }, decision(extra, false, 'b'), true, 0);
    expect(c.size).toBe(RT_MAX_SIZE);
    expect(c.lookup({ dst: extra + 1 }, false, 0)).not.toBeNull();
  });

  test('net.ipv4.route.max_size lowers the bound; the entries that go are the oldest, also for the same destination', () => {
    const { cache: c, sysctls, notifier } = cache();
    expect(sysctls.set('net.ipv4.route.max_size', 3)).toBe('ok');
    notifier.bump();
    const flows: RouteQuery[] = [{ dst: 1 }, { dst: 1, src: 2 }, { dst: 2 }, { dst: 1, tos: 0x10 }, { dst: 3 }];
    flows.forEach((q, i) => c.remember(q, decision(q.dst, false, `d${i}`), true, 0));
    expect(c.entries(0).map((e) => e.dev)).toEqual(['d2', 'd3', 'd4']);
    expect(c.lookup({ dst: 1 }, false, 0)).toBeNull();
    expect(c.lookup({ dst: 1, tos: 0x10 }, false, 0)?.dev).toBe('d3');
  });
});

