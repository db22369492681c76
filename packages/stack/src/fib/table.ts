/**
 * One routing table as Linux's fib_trie keeps it: routes ("aliases") ordered by key (destination,
 * ascending), then longest prefix first, then TOS descending and metric ascending; routes with the
 * same (prefix, TOS, metric) form an alias list whose order add/append/prepend/replace decide
 * (`fib_table_insert`, `fib_table_delete`, `fib_table_lookup` in net/ipv4/fib_trie.c).
 * Leaves out: nexthop validation and lookup policy (kernel.ts), the route cache (route-cache.ts).
 */
import { isInPrefix } from '@netloom/wire';
import type { Errno } from '../process.js';
import type { FibRoute } from './types.js';

/** Netlink request flags that decide insertion semantics. */
export interface InsertFlags {
  create: boolean;
  exclusive: boolean;
  replace: boolean;
  append: boolean;
}

export const ADD_FLAGS: InsertFlags = { create: true, exclusive: true, replace: false, append: false };
export const APPEND_FLAGS: InsertFlags = { create: true, exclusive: false, replace: false, append: true };
export const PREPEND_FLAGS: InsertFlags = { create: true, exclusive: false, replace: false, append: false };
export const REPLACE_FLAGS: InsertFlags = { create: true, exclusive: false, replace: true, append: false };
export const CHANGE_FLAGS: InsertFlags = { create: false, exclusive: false, replace: true, append: false };

/** Same fib_info (nexthops, prefsrc, protocol, scope, metrics) and type: a duplicate route. */
export function isSameRouteInfo(a: FibRoute, b: FibRoute): boolean {
  if (a.type !== b.type || a.protocol !== b.protocol || a.scope !== b.scope || a.prefsrc !== b.prefsrc) return false;
  if (a.priority !== b.priority || a.mtu !== b.mtu || a.mtuLock !== b.mtuLock) return false;
  if (a.nexthops.length !== b.nexthops.length) return false;
  return a.nexthops.every((nh, i) => {
    const other = b.nexthops[i]!;
    return nh.gateway === other.gateway && nh.dev === other.dev && nh.weight === other.weight && nh.onlink === other.onlink;
  });
}

/** Order of two routes in a table dump (ignoring the position among aliases of one key). */
function compareKey(a: FibRoute, b: FibRoute): number {
  if (a.dst !== b.dst) return a.dst < b.dst ? -1 : 1;
  if (a.prefixLength !== b.prefixLength) return b.prefixLength - a.prefixLength;
  return 0;
}

export class FibTable {
  readonly routes: FibRoute[] = [];
  constructor(readonly id: number) {}

  /** Number of /0 routes (tb_num_default). */
  get defaultCount(): number {
    return this.routes.filter((r) => r.prefixLength === 0).length;
  }

  /**
   * fib_table_insert. Returns null on success, or the errno (EEXIST, ENOENT). A replace that
   * finds the identical route first succeeds without change.
   */
  insert(route: FibRoute, flags: InsertFlags): { errno: Errno | 'EEXIST' | 'ENOENT' } | { replaced: FibRoute | null } {
    const group = this.routes.filter((r) => compareKey(r, route) === 0);
    // The first alias of the same TOS with priority >= ours (fib_find_alias).
    const sameSlen = group;
    let first = sameSlen.find((r) => r.tos < route.tos || (r.tos === route.tos && r.priority >= route.priority));
    if (first && first.tos === route.tos && first.priority === route.priority) {
      if (flags.exclusive) return { errno: 'EEXIST' };
      const aliases = sameSlen.filter((r) => r.tos === route.tos && r.priority === route.priority);
      const match = aliases.find((r) => isSameRouteInfo(r, route));
      if (flags.replace) {
        if (match) return match === aliases[0] ? { replaced: null } : { errno: 'EEXIST' };
        const index = this.routes.indexOf(aliases[0]!);
        const old = this.routes[index]!;
        this.routes[index] = route;
        return { replaced: old };
      }
      if (match) return { errno: 'EEXIST' };
      if (flags.append) {
        const last = aliases[aliases.length - 1]!;
        if (!flags.create) return { errno: 'ENOENT' };
        this.routes.splice(this.routes.indexOf(last) + 1, 0, route);
        return { replaced: null };
      }
      first = aliases[0]!;
    }
    if (!flags.create) return { errno: 'ENOENT' };
    if (first) {
      this.routes.splice(this.routes.indexOf(first), 0, route);
      return { replaced: null };
    }
    // After the last route that sorts before or with ours.
    let index = this.routes.length;
    for (let i = 0; i < this.routes.length; i++) {
      if (compareKey(this.routes[i]!, route) > 0) {
        index = i;
        break;
      }
    }
    this.routes.splice(index, 0, route);
    return { replaced: null };
  }

  remove(route: FibRoute): void {
    const index = this.routes.indexOf(route);
    if (index >= 0) this.routes.splice(index, 1);
  }

  /** Routes covering `dst`, longest prefix first, each prefix's aliases in list order. */
  *candidates(dst: number): Generator<FibRoute> {
    const matching = this.routes.filter((r) => isInPrefix(dst, r.dst, r.prefixLength));
    matching.sort((a, b) => b.prefixLength - a.prefixLength);
    yield* matching;
  }
}
