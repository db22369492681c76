/**
 * IPv6 routes as rtnetlink changes them and route lookups find them (net/ipv6/route.c):
 * ip6_route_add / ip6_route_info_create / fib6_nh_init for `ip -6 route add|append|prepend|replace|
 * change`, ip6_route_del for `del`, and the output and input lookups `ip -6 route get` asks for
 * (ip6_route_output / ip6_route_input_lookup through the policy rules), with the source the kernel
 * picks for the answer (rt6_fill_node: the route's prefsrc, else ipv6_dev_get_saddr).
 *
 * Linux 6.18 behaviour kept (checked with iproute2 6.1 in namespaces, ipv6-route.test.ts):
 * - metric 0 means 1024 (IP6_RT_PRIO_USER); reject routes (unreachable, blackhole, prohibit, throw)
 *   point at `lo`; a table is created by the first route added to it.
 * - A gateway must be reachable through a route without a gateway (ip6_validate_gw: EHOSTUNREACH
 *   "No route to host"), unless `onlink` (which needs a device: "Nexthop device required for
 *   onlink"); a link-local gateway needs the device; a local address is no gateway ("Gateway can
 *   not be a local address"); the device must be up ("Nexthop device is not up"); a prefsrc must be
 *   one of ours ("Invalid source address").
 * - Gateway routes of one prefix, table and metric added with append/prepend (or `nexthop … nexthop`)
 *   are ECMP siblings, listed as one multipath route; `del` without a gateway takes the whole group.
 * - Lookups go through the IPv6 policy rules (fib/rules.ts; by default `0: from all lookup local`
 *   and `32766: from all lookup main`, `ip -6 rule` changes them, fib6_rule_action): a `throw` route
 *   or no route goes on to the next rule, a route no longer than a rule's suppress_prefixlength too;
 *   unreachable/blackhole/prohibit routes are EHOSTUNREACH/EINVAL/EACCES, the rules' reject actions
 *   ENETUNREACH/EINVAL/EACCES, no route at all ENETUNREACH. An output lookup with an oif only
 *   takes routes through it; its flow comes from `lo` (flowi6_iif = LOOPBACK_IFINDEX).
 * Leaves out the ECMP hash (the first usable
 * sibling is used), route metrics other than `mtu` and `hoplimit` (kept on the route, shown by
 * `ip -6 route`), `nhid`, the
 * per-cpu route cache, neighbour-reachability scoring (rt6_score_route), and source
 * routing (`from` subtrees). Route exceptions (fib/fib6-exceptions.ts) come from redirects
 * (learnRedirect) and packets too big (learnPmtu), and every lookup consults them.
 */
import { ipv6Network, isIpv6LinkLocal, type Ipv6Number } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { RouteType } from '../routing-api.js';
import { fail, OK, type KernelErrno, type KernelError, type KernelResult } from '../fib/errors.js';
import type { Fib6, Fib6Insert, Fib6Route, Route6Metrics, RouterPreference } from '../fib/fib6.js';
import { Fib6Exceptions, type Route6Exception } from '../fib/fib6-exceptions.js';
import { RT_TABLE_MAIN } from '../fib/types.js';
import { defaultRules6, IPV6_RULE_FAMILY, PolicyRules } from '../fib/rules.js';
import type { Addrconf } from './addrconf.js';
import type { DeviceTable } from './devices.js';

/** IP6_RT_PRIO_USER: the metric of a route added without one. */
export const IP6_RT_PRIO_USER = 1024;
const SECOND = 1_000_000_000;

export interface Nexthop6Spec {
  gateway: Ipv6Number;
  dev?: string;
  onlink?: boolean;
}

/** What `ip -6 route add|append|…` asks for. */
export interface Route6Spec {
  table: number;
  dst: Ipv6Number;
  prefixLength: number;
  type: RouteType;
  protocol: number;
  /** 0: IP6_RT_PRIO_USER. */
  metric: number;
  /** One nexthop, or several (`nexthop …`); none for a reject route. */
  nexthops: Nexthop6Spec[];
  prefsrc: Ipv6Number;
  pref: RouterPreference;
  /** `expires SECONDS`. */
  expires?: number;
  /** `mtu N`, `hoplimit N`. */
  metrics?: Route6Metrics;
}

export type Route6Mode = 'add' | 'append' | 'prepend' | 'replace' | 'change';

/** What `ip -6 route del` matches (unset: any). */
export interface Route6DeleteSpec {
  table: number;
  dst: Ipv6Number;
  prefixLength: number;
  metric?: number;
  gateway?: Ipv6Number;
  dev?: string;
  protocol?: number;
  type?: RouteType;
}

/** The device a nexthop leaves by, or why it cannot be used. */
type NexthopDevice = { ok: true; dev: string } | ({ ok: false } & KernelError);

function refuse(errno: KernelErrno, message?: string): NexthopDevice {
  return message === undefined ? { ok: false, errno } : { ok: false, errno, message };
}

const REJECT_ERRNO: Partial<Record<RouteType, 'EHOSTUNREACH' | 'EINVAL' | 'EACCES'>> = {
  unreachable: 'EHOSTUNREACH',
  blackhole: 'EINVAL',
  prohibit: 'EACCES',
};

export interface Route6Query {
  dst: Ipv6Number;
  /** `from`: the flow's source (the answer's source is still the kernel's choice). */
  src?: Ipv6Number;
  oif?: string;
  /** Input lookup: the device the packet came in on. */
  iif?: string;
}

/** A route decision: the route used (its ECMP sibling), the device a packet leaves by, and the source. */
export interface Route6Decision {
  route: Fib6Route;
  /** `lo` for local delivery. */
  dev: string;
  src: Ipv6Number | null;
  input: boolean;
  /** The route exception (cached clone) the route was taken from, if any. */
  exception?: Route6Exception;
}

export type Route6Outcome = { ok: true; decision: Route6Decision } | { ok: false; errno: 'ENETUNREACH' | 'EHOSTUNREACH' | 'EINVAL' | 'EACCES' };

/**
 * Is `r` one ECMP group member of `with` (same table, prefix and metric, both through gateways)?
 * Routes from router advertisements (proto ra, RTF_ADDRCONF) never are (rt6_qualify_for_ecmp).
 */
export function isSibling(r: Fib6Route, other: Fib6Route): boolean {
  return r !== other && r.table === other.table && r.dst === other.dst && r.prefixLength === other.prefixLength && r.metric === other.metric && r.gateway !== 0n && other.gateway !== 0n && r.type === 'unicast' && other.type === 'unicast' && r.protocol !== 2 && r.protocol !== RTPROT_RA && other.protocol !== RTPROT_RA;
}

/** RTPROT_RA: routes router discovery adds. */
const RTPROT_RA = 9;
/** RTPROT_BOOT: what `ip -6 route get` reports for a redirect exception (and hides). */
const RTPROT_BOOT = 3;

export class Ipv6Routing {
  /** Redirect and PMTU exceptions (fib/fib6-exceptions.ts), consulted by every lookup. */
  readonly exceptions = new Fib6Exceptions();

  constructor(
    private readonly devices: DeviceTable,
    private readonly fib: Fib6,
    private readonly addrconf: Addrconf,
    private readonly selectSource: (dst: Ipv6Number, dev: string | undefined, now: Nanos) => Ipv6Number | undefined,
    routesChanged: () => void = () => {},
  ) {
    this.rules = new PolicyRules(IPV6_RULE_FAMILY, defaultRules6(), routesChanged);
  }

  /** The IPv6 policy rules (`ip -6 rule`), which every lookup goes through. */
  readonly rules: PolicyRules<Ipv6Number>;

  /** ip6_route_add for each nexthop (the first with the mode's flags, the rest appended as siblings). */
  modify(spec: Route6Spec, mode: Route6Mode, now: Nanos): KernelResult {
    this.addrconf.observe(now);
    // ip6_route_info_create makes the table (fib6_new_table) before it checks the nexthop: a route
    // refused later still leaves its table behind.
    this.fib.ensureTable(spec.table);
    const metric = spec.metric || IP6_RT_PRIO_USER;
    const reject = spec.type === 'unreachable' || spec.type === 'blackhole' || spec.type === 'prohibit' || spec.type === 'throw';
    if (spec.prefsrc !== 0n && !this.addrconf.isLocalAddress(spec.prefsrc, now)) return fail('EINVAL', 'Invalid source address');
    const built: Omit<Fib6Route, 'sequence'>[] = [];
    const nexthops = reject ? [{ gateway: 0n }] : spec.nexthops;
    if (nexthops.length === 0) return fail('ENODEV');
    for (const nh of nexthops) {
      const dev: NexthopDevice = reject ? { ok: true, dev: 'lo' } : this.resolveNexthop(nh, spec.table, now);
      if (!dev.ok) return dev;
      built.push({
        table: spec.table,
        dst: ipv6Network(spec.dst, spec.prefixLength),
        prefixLength: spec.prefixLength,
        type: spec.type,
        protocol: spec.protocol,
        metric,
        dev: dev.dev,
        gateway: reject ? 0n : nh.gateway,
        prefsrc: spec.prefsrc,
        pref: spec.pref,
        expiresAt: spec.expires !== undefined ? now + spec.expires * SECOND : null,
        onlink: !reject && (nh.onlink ?? false),
        ...(spec.metrics !== undefined && (spec.metrics.mtu !== undefined || spec.metrics.hoplimit !== undefined) ? { metrics: { ...spec.metrics } } : {}),
      });
    }
    const first = built[0]!;
    if (mode === 'change' || mode === 'replace') {
      const existing = this.fib.routes(spec.table, now).filter((r) => r.dst === first.dst && r.prefixLength === first.prefixLength && r.metric === metric);
      if (existing.length === 0 && mode === 'change') {
        // Without NLM_F_CREATE: fib6_add_1 refuses to make the prefix's node ("no match found"); a
        // node that is there already (the tree's root ::/0, or a route of the prefix with another
        // metric) gets fib6_add_rt2's plain ENOENT. The model keeps no intermediate nodes: a prefix
        // where two longer ones branch (2000::/3 over 2001:db8::/32 and 3ffe::/16) has one on Linux
        // and gets the plain ENOENT there, the extack here.
        const nodeExists = first.prefixLength === 0 || this.fib.routes(spec.table, now).some((r) => r.dst === first.dst && r.prefixLength === first.prefixLength);
        return nodeExists ? fail('ENOENT') : fail('ENOENT', 'Can not replace route - no match found');
      }
      // A replaced ECMP group goes whole.
      this.fib.remove((r) => existing.includes(r), spec.table);
    }
    const firstMode: Fib6Insert = mode === 'add' ? 'exclusive' : 'append';
    const inserted = this.fib.insert(first, firstMode, now);
    if (!inserted.ok) return inserted;
    for (const more of built.slice(1)) {
      const result = this.fib.insert(more, 'append', now);
      if (!result.ok) {
        // ip6_route_multipath_add: a nexthop that fails takes back the ones this request added.
        const added = built.slice(0, built.indexOf(more));
        this.fib.remove((r) => added.some((a) => r.dst === a.dst && r.prefixLength === a.prefixLength && r.metric === a.metric && r.gateway === a.gateway && r.dev === a.dev && r.type === a.type), spec.table);
        return result;
      }
    }
    return OK;
  }

  /** fib6_nh_init / ip6_validate_gw: the device a nexthop leaves by, or why it cannot be used. */
  private resolveNexthop(nh: Nexthop6Spec, table: number, now: Nanos): NexthopDevice {
    if (nh.dev !== undefined && !this.devices.find(nh.dev)) return refuse('ENODEV');
    if (nh.onlink && nh.dev === undefined) return refuse('EINVAL', 'Nexthop device required for onlink');
    if (nh.gateway !== 0n) {
      if (this.addrconf.isLocalAddress(nh.gateway, now)) return refuse('EINVAL', 'Gateway can not be a local address');
      if (isIpv6LinkLocal(nh.gateway)) {
        if (nh.dev === undefined) return refuse('EINVAL', 'Nexthop has invalid gateway or device mismatch');
      } else if (!nh.onlink) {
        const via = this.gatewayRoute(nh.gateway, table, nh.dev, now);
        if (!via) return refuse('EHOSTUNREACH');
        if (nh.dev === undefined) return this.deviceUp(via.dev);
      }
    }
    if (nh.dev === undefined) return refuse('ENODEV');
    return this.deviceUp(nh.dev);
  }

  /**
   * ip6_route_check_nh: the gateway's best route in the new route's own table, else through the
   * rules (fib6_lookup), strict about `dev` when one is named, must be a route without a gateway —
   * not one through another gateway, not a reject route (Linux does not look past them to a shorter
   * prefix).
   */
  private gatewayRoute(gateway: Ipv6Number, table: number, dev: string | undefined, now: Nanos): Fib6Route | undefined {
    const usable = (r: Fib6Route): boolean => {
      if (r.type === 'unreachable' || r.type === 'blackhole' || r.type === 'prohibit' || r.type === 'throw') return dev === undefined;
      const out = this.devices.find(r.dev);
      return !!out && out.adminUp && (dev === undefined || r.dev === dev);
    };
    const direct = (r: Fib6Route | undefined): r is Fib6Route => r !== undefined && r.type === 'unicast' && r.gateway === 0n && (dev === undefined || r.dev === dev);
    const own = this.fib.hasTable(table) ? this.fib.lookup(table, gateway, now, usable) : undefined;
    if (direct(own)) return own;
    const outcome = this.lookup({ dst: gateway, ...(dev !== undefined ? { oif: dev } : {}) }, now);
    return outcome.ok && direct(outcome.decision.route) ? outcome.decision.route : undefined;
  }

  private deviceUp(name: string): NexthopDevice {
    const dev = this.devices.find(name);
    if (!dev) return refuse('ENODEV');
    if (!dev.adminUp) return refuse('ENETDOWN', 'Nexthop device is not up');
    return { ok: true, dev: dev.name };
  }

  /** ip6_route_del: the first matching route, with its ECMP group unless a gateway was named. */
  delete(spec: Route6DeleteSpec, now: Nanos): KernelResult {
    this.addrconf.observe(now);
    if (!this.fib.hasTable(spec.table)) return fail('ESRCH', 'FIB table does not exist');
    const network = ipv6Network(spec.dst, spec.prefixLength);
    const routes = this.fib.routes(spec.table, now);
    const match = routes.find(
      (r) =>
        r.dst === network &&
        r.prefixLength === spec.prefixLength &&
        (spec.metric === undefined || spec.metric === 0 || r.metric === spec.metric) &&
        (spec.gateway === undefined || r.gateway === spec.gateway) &&
        (spec.dev === undefined || r.dev === spec.dev) &&
        // ip6_route_del matches no route type: `del throw P` deletes `blackhole P`.
        (spec.protocol === undefined || r.protocol === spec.protocol),
    );
    if (!match) return fail('ESRCH');
    const group = spec.gateway === undefined ? routes.filter((r) => r === match || isSibling(r, match)) : [match];
    this.fib.remove((r) => group.includes(r), spec.table);
    return OK;
  }

  /**
   * rt6_do_redirect after __ip6_route_redirect: taken only from the first hop the route to `dst`
   * uses now (`from` its gateway, on `dev`); `target` equal to `dst` means on link.
   */
  learnRedirect(dev: string, from: Ipv6Number, dst: Ipv6Number, target: Ipv6Number, now: Nanos): boolean {
    const current = this.lookup({ dst, oif: dev }, now);
    if (!current.ok || current.decision.route.gateway !== from || current.decision.route.dev !== dev) return false;
    this.exceptions.insert({ dev, dst, gateway: target, onLink: target === dst, redirected: true, expiresAt: null });
    return true;
  }

  /**
   * __ip6_rt_update_pmtu after ip6_update_pmtu's output lookup, for a path MTU the IPv6 layer checked
   * (at least IPV6_MIN_MTU, below the route's): the destination's clone takes the MTU and expires
   * `mtuExpires` seconds later (rt6_do_update_pmtu); without one, a clone of the route is made.
   */
  learnPmtu(dev: string, dst: Ipv6Number, mtu: number, mtuExpires: number, now: Nanos): void {
    const expiresAt = now + mtuExpires * SECOND;
    const existing = this.exceptions.find(dev, dst, now);
    if (existing !== undefined) {
      existing.mtu = mtu;
      existing.expiresAt = expiresAt;
      return;
    }
    const current = this.lookup({ dst, oif: dev }, now);
    if (!current.ok || current.decision.route.type !== 'unicast') return;
    const gateway = current.decision.route.gateway;
    this.exceptions.insert({ dev, dst, gateway, onLink: gateway === 0n, redirected: false, mtu, expiresAt });
  }

  /** ip6_route_output / ip6_route_input_lookup through the default rules. */
  lookup(query: Route6Query, now: Nanos): Route6Outcome {
    this.addrconf.observe(now);
    const usable = (r: Fib6Route): boolean => {
      if (r.type === 'unreachable' || r.type === 'blackhole' || r.type === 'prohibit' || r.type === 'throw') return query.oif === undefined;
      const dev = this.devices.find(r.dev);
      if (!dev || !dev.adminUp) return false;
      return query.oif === undefined || r.dev === query.oif;
    };
    const flow = { src: query.src ?? 0n, noSource: query.src === undefined, dst: query.dst, iif: query.iif ?? 'lo', oif: query.oif ?? '', tos: 0, mark: 0, proto: 0, sport: 0, dport: 0, uid: 0 };
    const verdict = this.rules.walk<Route6Outcome>(flow, (rule) => {
      let route = this.fib.lookup(rule.table, query.dst, now, usable);
      if (!route || route.type === 'throw') return null;
      const errno = REJECT_ERRNO[route.type];
      if (errno) return { answer: { ok: false, errno } };
      if (route.prefixLength <= rule.suppressPrefixLength) return null;
      const input = query.iif !== undefined;
      // rt6_find_cached_rt: a redirect or a learnt path MTU for this destination. Linux 6.18 shows the
      // clone without the route's protocol; a redirect's with pref medium, a PMTU's with the route's
      // (`… metric 1024 expires 599sec mtu 1400 pref high` under a `proto static … pref high` route).
      const found = route.type === 'unicast' ? this.exceptions.find(route.dev, query.dst, now) : undefined;
      const exception = found !== undefined && (!found.redirected || route.gateway !== 0n) ? found : undefined;
      if (exception !== undefined) {
        // Its metrics: the route's hop limit, and the learnt MTU only (Linux 6.18 with an RA's `mtu 1400
        // hoplimit 64` default route shows a redirect's clone as `… metric 1024 hoplimit 64 pref medium`).
        const metrics = { ...(exception.mtu !== undefined ? { mtu: exception.mtu } : {}), ...(route.metrics?.hoplimit !== undefined ? { hoplimit: route.metrics.hoplimit } : {}) };
        const { metrics: _routeMetrics, ...rest } = route;
        void _routeMetrics;
        route = {
          ...rest,
          dst: query.dst,
          prefixLength: 128,
          gateway: exception.onLink ? 0n : exception.gateway,
          protocol: RTPROT_BOOT,
          pref: exception.redirected ? 'medium' : route.pref,
          expiresAt: exception.expiresAt,
          ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
        };
      }
      const dev = route.type === 'local' || route.type === 'anycast' ? 'lo' : route.dev;
      let src: Ipv6Number | null = null;
      if (!input) src = route.prefsrc !== 0n ? route.prefsrc : this.selectSource(query.dst, route.type === 'local' ? undefined : route.dev, now) ?? null;
      return { answer: { ok: true, decision: { route, dev, src, input, ...(exception !== undefined ? { exception } : {}) } } };
    });
    if (verdict && 'answer' in verdict) return verdict.answer;
    return { ok: false, errno: verdict ? verdict.reject : 'ENETUNREACH' };
  }
}
