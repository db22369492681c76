/**
 * IPv6 routing tables (net/ipv6/ip6_fib.c and route.c, as far as the control plane needs them):
 * routes by prefix in tables `main` (254) and `local` (255) and any numbered table, kept in the
 * order fib6_walk dumps them, inserted as fib6_add_rt2 does, found by longest prefix.
 *
 * - Dump order: fib6's radix tree walked left, right, then the node itself, so disjoint prefixes
 *   come in address order and a prefix after every more specific prefix inside it (`default` last);
 *   the routes of one prefix by metric, then in insertion order.
 * - Insertion (fib6_add_rt2): `ip -6 route add` (NLM_F_EXCL) refuses a second route of the same
 *   prefix and metric (EEXIST); a route added without EXCL (`append`, the kernel's own prefix and
 *   local routes) is refused only when it duplicates the nexthop (rt6_duplicate_nexthop: an
 *   expiring duplicate then takes the newcomer's expiry, or none) and goes after the others of its
 *   metric; `replace` takes the place of the first one of the metric.
 * - Lookup (fib6_node_lookup + rt6_select, simplified): the longest matching prefix whose route is
 *   usable (device up, not expired), lowest metric first, then among routes of that metric the
 *   highest router preference (rt6_score_route's IPV6_DECODE_PREF with CONFIG_IPV6_ROUTER_PREF, as
 *   Debian builds it: high over medium over low), then the oldest; falls back to shorter prefixes
 *   (fib6_backtrack).
 * - `expires`: a route with an expiry time is gone once it passes (fib6_age), checked lazily by
 *   whoever reads the table with the current time.
 * Bounded: at most MAX_ROUTES6 routes per table (net.ipv6.route.max_size is 2^31 on 6.x; a model
 * node does not need more), beyond it ENOBUFS as fib6_add's allocation failure.
 * Leaves out source-specific (subtree) routes, nexthop objects, the route cache and exceptions
 * (PMTU, redirects), and rt6_select's neighbour-reachability scoring (router reachability probing).
 */
import { isInIpv6Prefix, type Ipv6Number } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { RouteType } from '../routing-api.js';
import { fail, OK, type KernelResult } from './errors.js';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN } from './types.js';

export const MAX_ROUTES6 = 65536;

/** RFC 4191 router preference as `ip -6 route` prints it. */
export type RouterPreference = 'low' | 'medium' | 'high';

/** A route in an IPv6 table (fib6_info with its one nexthop). */
export interface Fib6Route {
  table: number;
  dst: Ipv6Number;
  prefixLength: number;
  type: RouteType;
  protocol: number;
  metric: number;
  /** Output device (for reject routes, `lo`, as Linux points them at the loopback). */
  dev: string;
  /** Gateway, 0n when on-link. */
  gateway: Ipv6Number;
  /** Preferred source (RTA_PREFSRC), 0n when unset. */
  prefsrc: Ipv6Number;
  pref: RouterPreference;
  /** RTF_EXPIRES: when the route goes, null when it does not. */
  expiresAt: Nanos | null;
  /** RTNH_F_ONLINK given with the route. */
  onlink: boolean;
  /** RTA_METRICS: `mtu N`, `hoplimit N` (absent: none set). */
  metrics?: Route6Metrics;
  /** Insertion order (ties in the dump and in lookup). */
  sequence: number;
}

/** The route metrics `ip -6 route` takes and shows (RTAX_MTU, RTAX_HOPLIMIT). */
export interface Route6Metrics {
  mtu?: number;
  hoplimit?: number;
}

export type Fib6Insert = 'exclusive' | 'append' | 'replace';

/** IPV6_DECODE_PREF: the score rt6_score_route gives a router preference. */
const PREFERENCE_SCORE: Readonly<Record<RouterPreference, number>> = { low: 1, medium: 2, high: 3 };

/**
 * The route as a table holds it: the caller's fields in their order, then `sequence`, as
 * `{ ...route, sequence }` gives them, but built field by field: V8 made each spread copy a
 * dictionary-mode object with a hidden class of its own (~5 per node, ~0.6 KB each).
 */
function placedRoute(route: Omit<Fib6Route, 'sequence'>, sequence: number): Fib6Route {
  const { table, dst, prefixLength, type, protocol, metric, dev, gateway, prefsrc, pref, expiresAt, onlink, metrics } = route;
  return metrics === undefined
    ? { table, dst, prefixLength, type, protocol, metric, dev, gateway, prefsrc, pref, expiresAt, onlink, sequence }
    : { table, dst, prefixLength, type, protocol, metric, dev, gateway, prefsrc, pref, expiresAt, onlink, metrics, sequence };
}

/** Whether lookup takes `r` over `best`, both matching: longer prefix, lower metric, higher preference, older. */
function betterRoute(r: Fib6Route, best: Fib6Route): boolean {
  if (r.prefixLength !== best.prefixLength) return r.prefixLength > best.prefixLength;
  if (r.metric !== best.metric) return r.metric < best.metric;
  const preference = PREFERENCE_SCORE[r.pref] - PREFERENCE_SCORE[best.pref];
  return preference !== 0 ? preference > 0 : r.sequence < best.sequence;
}

/** Dump order of two prefixes: address order for disjoint prefixes, the more specific first when nested. */
export function comparePrefixes(a: { dst: Ipv6Number; prefixLength: number }, b: { dst: Ipv6Number; prefixLength: number }): number {
  const common = Math.min(a.prefixLength, b.prefixLength);
  const shift = BigInt(128 - common);
  const ha = a.dst >> shift;
  const hb = b.dst >> shift;
  if (ha !== hb) return ha < hb ? -1 : 1;
  return b.prefixLength - a.prefixLength;
}

function compareRoutes(a: Fib6Route, b: Fib6Route): number {
  return comparePrefixes(a, b) || a.metric - b.metric || a.sequence - b.sequence;
}

export class Fib6 {
  private readonly tableMap = new Map<number, Fib6Route[]>([
    [RT_TABLE_MAIN, []],
    [RT_TABLE_LOCAL, []],
  ]);
  private sequence = 0;

  /**
   * Table ids in the order a full dump visits them: fib6_table_hash's buckets in order (id & 255),
   * the newest table first within a bucket (fib6_link_table adds at the head).
   */
  tableIds(): number[] {
    const created = [...this.tableMap.keys()];
    return created.map((id, order) => ({ id, order })).sort((a, b) => (a.id & 255) - (b.id & 255) || b.order - a.order).map((t) => t.id);
  }

  /** fib6_new_table. */
  ensureTable(id: number): void {
    if (!this.tableMap.has(id)) this.tableMap.set(id, []);
  }

  hasTable(id: number): boolean {
    return this.tableMap.has(id);
  }

  /** Live routes of a table in dump order (expired ones are removed first). */
  routes(table: number, now: Nanos): readonly Fib6Route[] {
    const list = this.tableMap.get(table);
    if (!list) return [];
    this.age(list, now);
    return list;
  }

  /** Every live route of every table. */
  allRoutes(now: Nanos): Fib6Route[] {
    return this.tableIds().flatMap((id) => [...this.routes(id, now)]);
  }

  /** fib6_add: place a route (its `sequence` is assigned here). */
  insert(route: Omit<Fib6Route, 'sequence'>, mode: Fib6Insert, now: Nanos): KernelResult {
    let list = this.tableMap.get(route.table);
    if (!list) {
      list = [];
      this.tableMap.set(route.table, list);
    }
    this.age(list, now);
    const samePrefix = list.filter((r) => r.prefixLength === route.prefixLength && r.dst === route.dst);
    const sameMetric = samePrefix.filter((r) => r.metric === route.metric);
    if (mode === 'replace' && sameMetric.length > 0) {
      const old = sameMetric[0]!;
      const replaced = placedRoute(route, old.sequence);
      list.splice(list.indexOf(old), 1, replaced);
      return OK;
    }
    if (mode === 'exclusive' && sameMetric.length > 0) return fail('EEXIST');
    const duplicate = sameMetric.find((r) => r.dev === route.dev && r.gateway === route.gateway && r.type === route.type);
    if (duplicate) {
      // rt6_duplicate_nexthop: an expiring route takes the newcomer's expiry (none clears it).
      if (duplicate.expiresAt !== null) duplicate.expiresAt = route.expiresAt;
      return fail('EEXIST');
    }
    if (list.length >= MAX_ROUTES6) return fail('ENOBUFS');
    const placed = placedRoute(route, this.sequence++);
    let index = list.findIndex((r) => compareRoutes(placed, r) < 0);
    if (index < 0) index = list.length;
    list.splice(index, 0, placed);
    return OK;
  }

  /** Remove the routes `select` picks from every table (or one); returns how many went. */
  remove(select: (route: Fib6Route) => boolean, table?: number): number {
    let removed = 0;
    for (const [id, list] of this.tableMap) {
      if (table !== undefined && id !== table) continue;
      for (let i = list.length - 1; i >= 0; i--) {
        if (select(list[i]!)) {
          list.splice(i, 1);
          removed++;
        }
      }
    }
    return removed;
  }

  /** A device was renamed: routes follow it. */
  renameDevice(from: string, to: string): void {
    for (const list of this.tableMap.values()) for (const r of list) if (r.dev === from) r.dev = to;
  }

  /**
   * fib6_lookup in one table: the longest matching prefix with a usable route (lowest metric, then
   * the highest router preference, then the oldest), falling back to shorter prefixes.
   */
  lookup(table: number, dst: Ipv6Number, now: Nanos, usable: (route: Fib6Route) => boolean): Fib6Route | undefined {
    const list = this.tableMap.get(table);
    if (!list) return undefined;
    this.age(list, now);
    let best: Fib6Route | undefined;
    for (const r of list) {
      if (!isInIpv6Prefix(dst, r.dst, r.prefixLength) || !usable(r)) continue;
      if (best === undefined || betterRoute(r, best)) best = r;
    }
    return best;
  }

  private age(list: Fib6Route[], now: Nanos): void {
    for (let i = list.length - 1; i >= 0; i--) {
      const expiresAt = list[i]!.expiresAt;
      if (expiresAt !== null && expiresAt <= now) list.splice(i, 1);
    }
  }
}
