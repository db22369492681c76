/**
 * IPv6 route exceptions (net/ipv6/route.c's rt6_exception bucket): for one destination, a cached
 * clone of the route that redirects and packets too big change.
 * - rt6_do_redirect: the first hop an ICMPv6 redirect named — another router (a link-local gateway)
 *   or the destination itself on link. A lookup whose route goes through a gateway on the device
 *   the redirect came in on uses it instead (rt6_find_cached_rt), so `ip -6 route get DST` shows
 *   `DST from :: dev eth0 …` (on link) or `via TARGET`.
 * - __ip6_rt_update_pmtu / rt6_do_update_pmtu: a packet too big's MTU (RTAX_MTU of the clone) and
 *   RTF_EXPIRES net.ipv6.route.mtu_expires later; the route's own first hop is kept. A PMTU learnt
 *   for a destination that has a redirect exception lands on that clone (it then expires with it).
 *   A redirect makes a fresh clone, so it replaces a PMTU exception (rt6_insert_exception).
 * - An expired exception goes when a reader with the current time meets it (rt6_check_expired).
 * Bounded: at most MAX_EXCEPTIONS6 (FIFO beyond, as the kernel's bucket drops its oldest at
 * FIB6_MAX_DEPTH per route). Leaves out: aging of exceptions without an expiry (fib6_age drops an
 * on-link one unused for gc_timeout, a gateway one whose target is no longer a router), exceptions
 * hanging from one route (they are per device here, so they outlive a deleted route), and the
 * bucket hash's dump order (`ip -6 route show cache` lists them oldest first).
 */
import type { Ipv6Number } from '@netloom/wire';
import type { Nanos } from '../node-host.js';

export const MAX_EXCEPTIONS6 = 4096;

export interface Route6Exception {
  dev: string;
  dst: Ipv6Number;
  /** The first hop: a redirect's target (the destination itself when on link), else the route's gateway (0n on link). */
  gateway: Ipv6Number;
  onLink: boolean;
  /** Made by a redirect (its first hop replaces the route's), not by a packet too big alone. */
  redirected: boolean;
  /** RTAX_MTU from a packet too big (absent: none learnt). */
  mtu?: number;
  /** RTF_EXPIRES: when the clone goes, null when it does not. */
  expiresAt: Nanos | null;
}

export class Fib6Exceptions {
  /** Made with the first exception (a redirect or packet too big taken): most nodes never get one. */
  private byKey: Map<string, Route6Exception> | null = null;

  /** rt6_insert_exception: the newest clone for a destination on a device wins. */
  insert(exception: Route6Exception): void {
    const key = `${exception.dev}|${exception.dst}`;
    const byKey = (this.byKey ??= new Map());
    byKey.delete(key);
    if (byKey.size >= MAX_EXCEPTIONS6) byKey.delete(byKey.keys().next().value!);
    byKey.set(key, exception);
  }

  /** rt6_find_cached_rt: the live exception for `dst` on `dev` (an expired one is removed). */
  find(dev: string, dst: Ipv6Number, now: Nanos): Route6Exception | undefined {
    if (this.byKey === null) return undefined;
    const key = `${dev}|${dst}`;
    const exception = this.byKey.get(key);
    if (exception?.expiresAt != null && exception.expiresAt <= now) {
      this.byKey.delete(key);
      return undefined;
    }
    return exception;
  }

  /** The live exceptions, oldest first (`ip -6 route show cache`). */
  list(now: Nanos): Route6Exception[] {
    if (this.byKey === null) return [];
    return [...this.byKey.values()].filter((e) => this.find(e.dev, e.dst, now) !== undefined);
  }

  /** `ip -6 route flush cache`: the exceptions `select` picks go; returns how many. */
  remove(select: (exception: Route6Exception) => boolean): number {
    let removed = 0;
    if (this.byKey === null) return removed;
    for (const [key, exception] of this.byKey) {
      if (!select(exception)) continue;
      this.byKey.delete(key);
      removed++;
    }
    return removed;
  }

  /** A device went down or was renamed away: its exceptions go (rt6_sync_down_dev). */
  removeDevice(dev: string): void {
    this.remove((exception) => exception.dev === dev);
  }
}
