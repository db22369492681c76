/**
 * IPv6 route exceptions from redirects (net/ipv6/route.c's rt6_exception bucket as rt6_do_redirect
 * fills it): for one destination, the first hop an ICMPv6 redirect named — another router (a
 * link-local gateway) or the destination itself on link. A lookup whose route goes through a
 * gateway on the device the redirect came in on uses the exception instead (rt6_find_cached_rt),
 * so `ip -6 route get DST` shows `DST from :: dev eth0 …` (on link) or `via TARGET`.
 * Bounded: at most MAX_EXCEPTIONS6 (FIFO beyond, as the kernel's bucket drops its oldest at
 * FIB6_MAX_DEPTH per route). Leaves out: PMTU exceptions, aging (fib6_age drops an on-link
 * exception unused for gc_timeout, a gateway one whose target is no longer a router), `ip -6 route
 * show cache` and flushing.
 */
import type { Ipv6Number } from '@netloom/wire';

export const MAX_EXCEPTIONS6 = 4096;

export interface Route6Exception {
  dev: string;
  dst: Ipv6Number;
  /** The new first hop: the destination itself when on link. */
  gateway: Ipv6Number;
  onLink: boolean;
}

export class Fib6Exceptions {
  private readonly byKey = new Map<string, Route6Exception>();

  /** rt6_insert_exception: the newest redirect for a destination on a device wins. */
  insert(exception: Route6Exception): void {
    const key = `${exception.dev}|${exception.dst}`;
    this.byKey.delete(key);
    if (this.byKey.size >= MAX_EXCEPTIONS6) this.byKey.delete(this.byKey.keys().next().value!);
    this.byKey.set(key, exception);
  }

  find(dev: string, dst: Ipv6Number): Route6Exception | undefined {
    return this.byKey.get(`${dev}|${dst}`);
  }

  /** A device went down or was renamed away: its exceptions go (rt6_sync_down_dev). */
  removeDevice(dev: string): void {
    for (const [key, exception] of this.byKey) if (exception.dev === dev) this.byKey.delete(key);
  }
}
