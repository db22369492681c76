/**
 * The input route: what happens to a received packet — local delivery, broadcast, forwarding to a
 * nexthop, or a drop with its typed reason (martian source, martian destination, rp_filter, no
 * route) — what ip_rcv asks and `ip route get … iif DEV` prints.
 *
 * Follows net/ipv4/route.c ip_route_input_slow (martian checks in Linux's order: multicast or
 * limited-broadcast source, 0/0 and limited broadcast as broadcast input, zeronet source and
 * destination, loopback addresses without route_localnet; then the FIB: broadcast (bc_forwarding),
 * local with fib_validate_source, forwarding disabled as EHOSTUNREACH, non-unicast as martian
 * destination), ip_mkroute_input / __mkroute_input (multipath hash, fib_validate_source against the
 * output device with rp_filter answering EXDEV, RTCF_DOREDIRECT, the nexthop exception — the same
 * one the output path uses, so an expired PMTU is not used here either) and
 * net/ipv4/fib_frontend.c fib_validate_source / __fib_validate_source (accept_local, src_valid_mark,
 * strict and loose rp_filter, the no-address device), with RTCF_DIRECTSRC as Linux 2.x set it.
 * Multicast destinations follow ip_route_input_rcu's multicast branch and ip_route_input_mc /
 * ip_mc_validate_source: the input device must have joined the group (ip_check_mc_rcu; a node's
 * devices join 224.0.0.1 while up, as ip_mc_up does, and the groups kernel users join with
 * Kernel.joinGroup, as IPVS's sync daemon does — no sockets join groups, no IGMP reports are sent and
 * there is no multicast routing, mc_forwarding 0), otherwise EINVAL; a multicast or limited-broadcast source,
 * a loopback source without route_localnet, a 0.0.0.0/8 source for a group outside 224.0.0.0/24
 * (unless IGMP) and a source fib_validate_source refuses are EINVAL too (EXDEV for rp_filter); what
 * passes is a `multicast` route to lo flagged local and mc, never cached (Linux allocates one per
 * packet). Checked against Linux in kernel/multicast-input.test.ts (fixture
 * kernel/fixtures/multicast-input-route.json).
 * Leaves out IGMP source filters, multicast forwarding (ip_mr_input), in_martians counting and
 * martian logging, IPv6.
 */
import { isIpv4LimitedBroadcast, isIpv4LocalMulticast, isIpv4Loopback, isIpv4Multicast, isIpv4ZeroNet } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { RouteInputDropReason, RouteType } from '../routing-api.js';
import type { KernelErrno } from '../fib/errors.js';
import { fibMultipathHash, selectMultipath } from '../fib/multipath.js';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN } from '../fib/types.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import { isOnlink, type InetAddresses } from './addresses.js';
import type { DeviceState, DeviceTable } from './devices.js';
import { lookupFlow, type Fib, type FibResult, type LookupFlow } from './fib-lookup.js';
import type { NexthopExceptions } from './nexthop-exceptions.js';
import type { RouteCache } from './route-cache.js';
import { noRouteFlags, type DecisionOutcome, type RouteDecision, type RouteFlags, type RouteQuery } from './route-decision.js';

/** IGMP_ALL_HOSTS, 224.0.0.1. */
const ALL_HOSTS_GROUP = 0xe0000001;
const IPPROTO_IGMP = 2;

/** An input query: the flow of a received packet, with its input device and source. */
export type InputQuery = RouteQuery & { iif: string; src: number };

export class InputRoute {
  constructor(
    private readonly devices: DeviceTable,
    private readonly addresses: InetAddresses,
    private readonly fib: Fib,
    private readonly exceptions: NexthopExceptions,
    private readonly cache: RouteCache,
    private readonly sysctls: SysctlTree,
  ) {}

  /** ip_route_input_slow with everything `ip route get … iif` prints; cached unless `useCache` is false. */
  decide(query: InputQuery, now: Nanos, useCache = true): DecisionOutcome {
    if (isIpv4Multicast(query.dst >>> 0)) return this.multicast(query);
    if (useCache) {
      const hit = this.cachedDecision(query, now);
      if (hit) return { ok: true, decision: hit };
    }
    const outcome = this.route(query, now);
    // Input decisions never depend on fib_select_default: each one may be served from the cache.
    if (outcome.ok && useCache) this.cache.remember(query, outcome.decision, true, now);
    return outcome;
  }

  /** A repeated flow's decision, served by the route cache (multicast input routes are never cached), or null. */
  cachedDecision(query: InputQuery, now: Nanos): RouteDecision | null {
    return isIpv4Multicast(query.dst >>> 0) ? null : this.cache.lookup(query, true, now);
  }

  private route(query: InputQuery, now: Nanos): DecisionOutcome {
    const dev = this.devices.find(query.iif);
    if (!dev) return { ok: false, errno: 'ENODEV' };
    const dst = query.dst >>> 0;
    const src = query.src >>> 0;
    const tos = query.tos ?? 0;
    const mark = query.mark ?? 0;
    const flags = noRouteFlags();
    const drop = (dropReason: RouteInputDropReason): DecisionOutcome => ({ ok: false, errno: 'EINVAL', dropReason });
    const forwarding = this.sysctls.conf(dev.name, 'forwarding') !== 0;
    const localInput = (type: RouteType, res: FibResult | null, error?: KernelErrno): DecisionOutcome => {
      if (type !== 'unreachable') flags.local = true;
      const decision: RouteDecision = {
        ...this.toLoopback(dev, dst, src, type, flags),
        tos: res ? res.route.tos : 0,
        table: res ? res.table.id : RT_TABLE_MAIN,
        scope: res ? res.scope : RT_SCOPE_UNIVERSE,
        ...(error ? { error, dropReason: 'noRoute' as const } : {}),
        ...(res ? { fib: { route: res.route, nexthop: res.nexthop } } : {}),
      };
      return { ok: true, decision };
    };
    if (isIpv4Multicast(src) || isIpv4LimitedBroadcast(src)) return drop('martianSource');
    const brdInput = (res: FibResult | null): DecisionOutcome => {
      if (!isIpv4ZeroNet(src)) {
        const v = this.validateSource(src, 0, tos, '', dev, mark);
        if (v.errno) return drop('martianSource');
        if (v.value > 0) flags.directSrc = true;
      }
      flags.broadcast = true;
      return localInput('broadcast', res);
    };
    if (isIpv4LimitedBroadcast(dst) || (src === 0 && dst === 0)) return brdInput(null);
    if (isIpv4ZeroNet(src)) return drop('martianSource');
    if (isIpv4ZeroNet(dst)) return drop('martianDestination');
    const localnet = this.sysctls.conf(dev.name, 'route_localnet') !== 0;
    if (isIpv4Loopback(dst)) {
      if (!localnet) return drop('martianDestination');
    } else if (isIpv4Loopback(src)) {
      if (!localnet) return drop('martianSource');
    }
    const flow = lookupFlow({ dst, src, iif: dev.name, tos, mark: query.mark, proto: query.proto, sport: query.sport, dport: query.dport, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false });
    const lookup = this.fib.lookup(flow);
    if (!lookup.ok) {
      const errno: KernelErrno = !forwarding ? 'EHOSTUNREACH' : lookup.errno === 'EAGAIN' ? 'ENETUNREACH' : lookup.errno;
      return localInput('unreachable', null, errno);
    }
    const res = lookup.res;
    if (res.type === 'broadcast') {
      if (this.sysctls.conf(dev.name, 'bc_forwarding')) return this.makeForward(dev, res, flow, mark, flags, now);
      return brdInput(res);
    }
    if (res.type === 'local') {
      const v = this.validateSource(src, dst, tos, '', dev, mark);
      if (v.errno) return drop('martianSource');
      if (v.value > 0 || this.isDirectSource(src, dev)) flags.directSrc = true;
      return localInput('local', res);
    }
    if (!forwarding) return localInput('unreachable', null, 'EHOSTUNREACH');
    if (res.type !== 'unicast') return drop('martianDestination');
    return this.makeForward(dev, res, flow, mark, flags, now);
  }

  /** ip_route_input_rcu's multicast branch: ip_check_mc_rcu, then ip_route_input_mc (ip_mc_validate_source). */
  private multicast(query: InputQuery): DecisionOutcome {
    const dev = this.devices.find(query.iif);
    if (!dev) return { ok: false, errno: 'ENODEV' };
    const dst = query.dst >>> 0;
    const src = query.src >>> 0;
    const tos = query.tos ?? 0;
    // ip_check_mc_rcu: all-hosts, joined by ip_mc_up while the device is up, and the groups joined on it (ip_mc_inc_group).
    const our = dev.adminUp && (dst === ALL_HOSTS_GROUP || dev.multicastGroups?.has(dst) === true);
    if (!our) return { ok: false, errno: 'EINVAL', dropReason: 'martianDestination' };
    const martianSource: DecisionOutcome = { ok: false, errno: 'EINVAL', dropReason: 'martianSource' };
    if (isIpv4Multicast(src) || isIpv4LimitedBroadcast(src)) return martianSource;
    if (isIpv4Loopback(src) && this.sysctls.conf(dev.name, 'route_localnet') === 0) return martianSource;
    if (isIpv4ZeroNet(src)) {
      if (!isIpv4LocalMulticast(dst) && query.proto !== IPPROTO_IGMP) return martianSource;
    } else {
      const v = this.validateSource(src, 0, tos, '', dev, query.mark ?? 0);
      if (v.errno) return { ok: false, errno: v.errno, dropReason: v.errno === 'EXDEV' ? 'rpFilter' : 'martianSource' };
    }
    const flags = noRouteFlags();
    flags.multicast = true;
    flags.local = our;
    // rt_dst_alloc without a FIB result: getroute reports table 0.
    return { ok: true, decision: { ...this.toLoopback(dev, dst, src, 'multicast', flags), tos: 0, table: 0, scope: RT_SCOPE_UNIVERSE } };
  }

  /** An input route delivered through lo (rt_dst_alloc(loopback_dev, …)): what every such route shares. */
  private toLoopback(dev: DeviceState, dst: number, src: number, type: RouteType, flags: RouteFlags): Omit<RouteDecision, 'tos' | 'table' | 'scope'> {
    return {
      dst,
      src,
      iif: dev.name,
      input: true,
      expiresAt: 0,
      mtuMetric: 0,
      mtuLock: false,
      pmtu: 0,
      flags,
      type,
      dev: this.devices.loopback.name,
      gateway: 0,
      mtu: this.devices.loopback.mtu,
      forward: false,
    };
  }

  /** ip_mkroute_input / __mkroute_input. */
  private makeForward(inDev: DeviceState, fibRes: FibResult, flow: LookupFlow, mark: number, flags: RouteFlags, now: Nanos): DecisionOutcome {
    let res = fibRes;
    if (res.route.nexthops.length > 1) {
      const bounds = res.route.nexthops.map((nh) => nh.upperBound);
      const hash = fibMultipathHash(flow, this.sysctls);
      res = { ...res, nexthop: selectMultipath(res.route.nexthops, bounds, hash, 0, () => 0) };
    }
    const nh = res.route.nexthops[res.nexthop]!;
    const outDev = this.devices.find(nh.dev);
    if (!outDev) return { ok: false, errno: 'EINVAL' };
    const v = this.validateSource(flow.src, flow.dst, flow.tos, outDev.name, inDev, mark);
    if (v.errno) return { ok: false, errno: v.errno, dropReason: v.errno === 'EXDEV' ? 'rpFilter' : 'martianSource' };
    if (v.value > 0) flags.directSrc = true;
    const routeGateway = nh.gateway && nh.scope === RT_SCOPE_LINK ? nh.gateway : 0;
    if (outDev === inDev && v.value > 0 && this.sysctls.conf(outDev.name, 'send_redirects')) {
      if (this.sysctls.conf(outDev.name, 'shared_media') || isOnlink(outDev, flow.src, routeGateway)) flags.doRedirect = true;
    }
    const effect = this.exceptions.apply(nh, flow.dst, now, routeGateway, res.route.mtu || outDev.mtu);
    if (effect.redirected) flags.redirected = true;
    const decision: RouteDecision = {
      type: 'unicast',
      dst: flow.dst,
      src: flow.src,
      dev: outDev.name,
      gateway: effect.gateway,
      table: res.table.id,
      scope: res.scope,
      mtu: effect.mtu,
      mtuMetric: res.route.mtu,
      mtuLock: res.route.mtuLock,
      pmtu: effect.pmtu,
      tos: res.route.tos,
      flags,
      input: true,
      iif: inDev.name,
      forward: true,
      expiresAt: effect.expiresAt,
      fib: { route: res.route, nexthop: res.nexthop },
    };
    return { ok: true, decision };
  }

  /** fib_validate_source: an error, or 0 ok, 1 ok and the source is on-link via this device. */
  private validateSource(src: number, dst: number, tos: number, oif: string, dev: DeviceState, mark: number): { errno?: KernelErrno; value: number } {
    const rpf = this.sysctls.conf(dev.name, 'rp_filter');
    const txRedirects = this.sysctls.conf(dev.name, 'send_redirects') !== 0;
    if (!rpf && (dev.name !== oif || !txRedirects)) {
      if (this.sysctls.conf(dev.name, 'accept_local')) return { value: 0 };
      if (!this.fib.hasCustomLocalRoutes && !this.fib.hasCustomRules) {
        if (this.addresses.isLocalAddress(src)) return { errno: 'EINVAL', value: -1 };
        return { value: 0 };
      }
    }
    const flow = lookupFlow({
      dst: src,
      src: dst,
      iif: oif || this.devices.loopback.name,
      tos,
      mark: this.sysctls.conf(dev.name, 'src_valid_mark') ? mark : 0,
      scope: RT_SCOPE_UNIVERSE,
      ignoreLinkState: false,
    });
    const noAddr = dev.addresses.length === 0;
    const lookup = this.fib.lookup(flow);
    if (!lookup.ok) {
      if (rpf) return { errno: 'EXDEV', value: -1 };
      return { value: 0 };
    }
    const res = lookup.res;
    if (res.type !== 'unicast' && (res.type !== 'local' || !this.sysctls.conf(dev.name, 'accept_local'))) return { errno: 'EINVAL', value: -1 };
    const devMatch = res.route.nexthops.some((nh) => nh.dev === dev.name) || (res.type === 'local' && dev.kind === 'loopback');
    if (devMatch) {
      const nh = res.route.nexthops[res.nexthop]!;
      return { value: nh.scope >= RT_SCOPE_HOST ? 1 : 0 };
    }
    if (noAddr) {
      if (rpf) return { errno: 'EXDEV', value: -1 };
      return { value: 0 };
    }
    if (rpf === 1) return { errno: 'EXDEV', value: -1 };
    const second = this.fib.lookup({ ...flow, oif: dev.name, ignoreLinkState: true });
    if (second.ok && second.res.type === 'unicast') {
      const nh = second.res.route.nexthops[second.res.nexthop]!;
      return { value: nh.scope >= RT_SCOPE_HOST ? 1 : 0 };
    }
    return { value: 0 };
  }

  /**
   * RTCF_DIRECTSRC as Linux 2.x set it on input routes (shown by `route -C` as `i`): the source is
   * reached directly (no gateway) through the input device. Modern kernels skip this check.
   */
  private isDirectSource(src: number, dev: DeviceState): boolean {
    const lookup = this.fib.lookup(lookupFlow({ dst: src, src: 0, iif: this.devices.loopback.name, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false }));
    if (!lookup.ok || lookup.res.type !== 'unicast') return false;
    const nh = lookup.res.route.nexthops[lookup.res.nexthop];
    return nh !== undefined && nh.dev === dev.name && nh.scope >= RT_SCOPE_HOST;
  }
}
