/**
 * Nexthop exceptions: what a node learned about single destinations behind a nexthop — the gateway
 * an accepted ICMP redirect named, and a path MTU from "fragmentation needed" — each with its expiry,
 * and how a route uses them. One implementation for the output and the input (forwarding) path.
 *
 * Follows net/ipv4/route.c: update_or_create_fnhe (a redirect lives route.gc_timeout, a PMTU
 * route.mtu_expires, at least route.min_pmtu and only below the route's MTU), find_exception and
 * rt_bind_exception (an expired part is forgotten, an exception with nothing left goes; a live
 * redirect replaces the gateway and sets RTCF_REDIRECTED, a live PMTU replaces the MTU; the
 * decision expires with the earlier of the two), and `ip route flush cache` clearing them all.
 * Leaves out the fnhe hash's depth limit and genid, and IPv6's rt6_exception.
 */
import type { Nanos } from '../node-host.js';
import type { FibNexthop, FibRoute, NexthopException } from '../fib/types.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { Fib } from './fib-lookup.js';

const NANOS_PER_SECOND = 1_000_000_000;

/** What a nexthop's exception makes of a route to one destination (rt_bind_exception). */
export interface ExceptionEffect {
  gateway: number;
  mtu: number;
  /** The learned path MTU in use, 0 when none. */
  pmtu: number;
  redirected: boolean;
  /** Absolute expiry of the earliest exception part used, 0 when none. */
  expiresAt: Nanos;
}

export class NexthopExceptions {
  constructor(
    private readonly fib: Fib,
    private readonly sysctls: SysctlTree,
    private readonly notifier: ChangeNotifier,
  ) {}

  /** find_exception: the live exception for dst, forgetting expired parts. */
  find(nh: FibNexthop, dst: number, now: Nanos): NexthopException | undefined {
    const exc = nh.exceptions?.get(dst);
    if (!exc) return undefined;
    if (exc.redirectExpiresAt && now >= exc.redirectExpiresAt) {
      exc.gateway = 0;
      exc.redirectExpiresAt = 0;
    }
    if (exc.pmtuExpiresAt && now >= exc.pmtuExpiresAt) {
      exc.pmtu = 0;
      exc.pmtuExpiresAt = 0;
    }
    if (!exc.gateway && !exc.pmtu) {
      nh.exceptions?.delete(dst);
      return undefined;
    }
    return exc;
  }

  /** rt_bind_exception: the gateway and MTU a route to dst through nh uses, given the route's own. */
  apply(nh: FibNexthop, dst: number, now: Nanos, gateway: number, mtu: number): ExceptionEffect {
    const effect: ExceptionEffect = { gateway, mtu, pmtu: 0, redirected: false, expiresAt: 0 };
    const exc = this.find(nh, dst, now);
    if (!exc) return effect;
    if (exc.gateway) {
      effect.gateway = exc.gateway;
      effect.redirected = true;
      effect.expiresAt = exc.redirectExpiresAt;
    }
    if (exc.pmtu) {
      effect.mtu = exc.pmtu;
      effect.pmtu = exc.pmtu;
      if (!effect.expiresAt || exc.pmtuExpiresAt < effect.expiresAt) effect.expiresAt = exc.pmtuExpiresAt;
    }
    return effect;
  }

  private entry(nh: FibNexthop, dst: number): NexthopException {
    return nh.exceptions?.get(dst) ?? { dst, gateway: 0, redirectExpiresAt: 0, pmtu: 0, pmtuExpiresAt: 0 };
  }

  /** update_or_create_fnhe for an accepted ICMP redirect. */
  learnRedirect(nh: FibNexthop, dst: number, newGateway: number, now: Nanos): void {
    const exc = this.entry(nh, dst >>> 0);
    exc.gateway = newGateway >>> 0;
    exc.redirectExpiresAt = now + (this.sysctls.get('net.ipv4.route.gc_timeout') ?? 0) * NANOS_PER_SECOND;
    (nh.exceptions ??= new Map()).set(dst >>> 0, exc);
    this.notifier.bump();
  }

  /** __ip_rt_update_pmtu: at least min_pmtu, only below the route's MTU, expiring after mtu_expires. */
  learnPmtu(nh: FibNexthop, dst: number, mtu: number, routeMtu: number, now: Nanos): void {
    const pmtu = Math.max(mtu, this.sysctls.get('net.ipv4.route.min_pmtu') ?? 0);
    if (pmtu >= routeMtu) return;
    const exc = this.entry(nh, dst >>> 0);
    exc.pmtu = pmtu;
    exc.pmtuExpiresAt = now + (this.sysctls.get('net.ipv4.route.mtu_expires') ?? 0) * NANOS_PER_SECOND;
    (nh.exceptions ??= new Map()).set(dst >>> 0, exc);
    this.notifier.bump();
  }

  /** Live exceptions with the route and nexthop they hang on (`ip route show cache`), in dump order. */
  list(now: Nanos): { route: FibRoute; nexthop: FibNexthop; exception: NexthopException }[] {
    const out: { route: FibRoute; nexthop: FibNexthop; exception: NexthopException }[] = [];
    for (const table of this.fib.tablesInDumpOrder()) {
      for (const route of table.routes) {
        for (const nh of route.nexthops) {
          if (nh.exceptions === null) continue;
          for (const dst of [...nh.exceptions.keys()]) {
            const exception = this.find(nh, dst, now);
            if (exception) out.push({ route, nexthop: nh, exception });
          }
        }
      }
    }
    return out;
  }

  /** Every exception goes (`ip route flush cache`). */
  clear(): void {
    for (const table of this.fib.allTables()) for (const r of table.routes) for (const nh of r.nexthops) nh.exceptions?.clear();
  }
}
