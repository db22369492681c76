/**
 * The output route: where a locally generated packet for a flow goes, with the source address it
 * gets — what a socket's connect/sendmsg and `ip route get` ask.
 *
 * Follows net/ipv4/route.c ip_route_output_key_hash_rcu (a given source must be ours and not
 * multicast/broadcast/zeronet; an oif constraint with link-local multicast and limited broadcast
 * answered without the FIB; no destination means loopback; a FIB error with an oif still routes
 * on-link; `local` results go through lo), fib_select_path (multipath hash, fib_select_default,
 * fib_result_prefsrc), __mkroute_output (route_localnet, broadcast and multicast types and flags)
 * and rt_set_nexthop (gateway, route MTU metric, the nexthop exception), then the route cache.
 * Leaves out multicast routing (ip_mc_output's mroute lookup), VRF and l3mdev, IPv6.
 */
import { isIpv4LimitedBroadcast, isIpv4LocalMulticast, isIpv4Loopback, isIpv4Multicast, isIpv4ZeroNet } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { RouteType } from '../routing-api.js';
import type { KernelErrno } from '../fib/errors.js';
import { fibMultipathHash, selectMultipath } from '../fib/multipath.js';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, type FibNexthop } from '../fib/types.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import type { InetAddresses } from './addresses.js';
import type { DefaultRouteSelector } from './default-route.js';
import type { DeviceState, DeviceTable } from './devices.js';
import { lookupFlow, type Fib, type FibResult, type LookupFlow } from './fib-lookup.js';
import type { NexthopExceptions } from './nexthop-exceptions.js';
import type { RouteCache } from './route-cache.js';
import { noRouteFlags, type DecisionOutcome, type RouteDecision, type RouteFlags, type RouteQuery } from './route-decision.js';

/** What __mkroute_output is given. */
interface OutputCandidate {
  dst: number;
  src: number;
  devOut: DeviceState;
  type: RouteType;
  res: FibResult | null;
  flags: RouteFlags;
  /** False when the choice must not be served from the route cache (fib_select_default). */
  cacheable: boolean;
}

export class OutputRoute {
  constructor(
    private readonly devices: DeviceTable,
    private readonly addresses: InetAddresses,
    private readonly fib: Fib,
    private readonly defaultRoute: DefaultRouteSelector,
    private readonly exceptions: NexthopExceptions,
    private readonly cache: RouteCache,
    private readonly sysctls: SysctlTree,
  ) {}

  /** ip_route_output_key_hash_rcu with everything `ip route get` prints; cached unless `useCache` is false. */
  decide(query: RouteQuery, now: Nanos, useCache = true): DecisionOutcome {
    if (useCache) {
      const hit = this.cache.lookup(query, false, now);
      if (hit) return { ok: true, decision: hit };
    }
    const candidate = this.candidate(query);
    if ('errno' in candidate) return { ok: false, errno: candidate.errno };
    const outcome = this.makeOutput(candidate, now);
    if (outcome.ok && useCache) this.cache.remember(query, outcome.decision, candidate.cacheable, now);
    return outcome;
  }

  /** The nexthop the output route to dst uses now (where update_or_create_fnhe files an exception). */
  nexthopFor(dst: number, now: Nanos): { nexthop: FibNexthop; decision: RouteDecision } | null {
    const outcome = this.decide({ dst: dst >>> 0 }, now, false);
    if (!outcome.ok || !outcome.decision.fib) return null;
    const nexthop = outcome.decision.fib.route.nexthops[outcome.decision.fib.nexthop];
    return nexthop ? { nexthop, decision: outcome.decision } : null;
  }

  private candidate(query: RouteQuery): OutputCandidate | { errno: KernelErrno } {
    const dst = query.dst >>> 0;
    let src = (query.src ?? 0) >>> 0;
    let devOut: DeviceState | undefined;
    const flags = noRouteFlags();
    const oif = query.oif ?? '';
    const onLink = (dev: DeviceState, source: number): OutputCandidate => ({ dst, src: source, devOut: dev, type: 'unicast', res: null, flags, cacheable: true });
    if (src) {
      if (isIpv4Multicast(src) || isIpv4LimitedBroadcast(src) || isIpv4ZeroNet(src)) return { errno: 'EINVAL' };
      if (!oif && (isIpv4Multicast(dst) || isIpv4LimitedBroadcast(dst))) {
        devOut = this.addresses.deviceOfAddress(src);
        if (!devOut) return { errno: 'ENETUNREACH' };
        return onLink(devOut, src);
      }
      if (!this.addresses.deviceOfAddress(src)) return { errno: 'ENETUNREACH' };
    }
    if (oif) {
      devOut = this.devices.find(oif);
      if (!devOut) return { errno: 'ENODEV' };
      if (!devOut.adminUp) return { errno: 'ENETUNREACH' };
      if (isIpv4LocalMulticast(dst) || isIpv4LimitedBroadcast(dst)) {
        if (!src) src = this.addresses.selectSource(devOut.name, 0, RT_SCOPE_LINK);
        return onLink(devOut, src);
      }
      if (!src) {
        if (isIpv4Multicast(dst)) src = this.addresses.selectSource(devOut.name, 0, RT_SCOPE_UNIVERSE);
        else if (!dst) src = this.addresses.selectSource(devOut.name, 0, RT_SCOPE_HOST);
      }
    }
    if (!dst) {
      const d = src || 0x7f000001;
      flags.local = true;
      return { dst: d, src: src || d, devOut: this.devices.loopback, type: 'local', res: null, flags, cacheable: true };
    }
    const flow = lookupFlow({ dst, src, iif: this.devices.loopback.name, oif, tos: query.tos, mark: query.mark, proto: query.proto, sport: query.sport, dport: query.dport, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false });
    flow.uid = query.uid ?? 0;
    const lookup = this.fib.lookup(flow);
    if (!lookup.ok) {
      if (oif && devOut) {
        if (!src) src = this.addresses.selectSource(devOut.name, 0, RT_SCOPE_LINK);
        return onLink(devOut, src);
      }
      return { errno: lookup.errno === 'EAGAIN' ? 'ENETUNREACH' : lookup.errno };
    }
    let res = lookup.res;
    if (res.type === 'local') {
      if (!src) src = res.route.prefsrc || dst;
      flags.local = true;
      return { dst, src, devOut: this.devices.loopback, type: 'local', res, flags, cacheable: true };
    }
    const selected = this.selectPath(flow, res);
    res = selected.res;
    if (!src) src = selected.src;
    const nh = res.route.nexthops[res.nexthop]!;
    devOut = this.devices.find(nh.dev);
    if (!devOut) return { errno: 'ENODEV' };
    return { dst, src, devOut, type: res.type, res, flags, cacheable: selected.cacheable };
  }

  /** fib_select_path: multipath or default-route choice, then the source address. */
  private selectPath(flow: LookupFlow, res: FibResult): { res: FibResult; src: number; cacheable: boolean } {
    let result = res;
    let cacheable = true;
    if (!flow.oif) {
      const route = res.route;
      if (route.nexthops.length > 1) {
        const bounds = route.nexthops.map((nh) => nh.upperBound);
        const hash = fibMultipathHash(flow, this.sysctls);
        const index = selectMultipath(route.nexthops, bounds, hash, flow.src, (nh) => this.addresses.selectSource(nh.dev, nh.gateway, route.scope));
        result = { ...res, nexthop: index };
      } else if (res.prefixLength === 0 && res.type === 'unicast' && res.table.defaultCount > 1) {
        ({ res: result, cacheable } = this.defaultRoute.select(flow, res));
      }
    }
    const src = flow.src || this.resultPrefsrc(result);
    return { res: result, src, cacheable };
  }

  /** fib_result_prefsrc. */
  private resultPrefsrc(res: FibResult): number {
    if (res.route.prefsrc) return res.route.prefsrc;
    const nh = res.route.nexthops[res.nexthop];
    if (!nh) return 0;
    return this.addresses.selectSource(nh.dev, nh.gateway, res.route.scope);
  }

  /** __mkroute_output + rt_set_nexthop. */
  private makeOutput(p: OutputCandidate, now: Nanos): DecisionOutcome {
    const { dst, src, devOut, flags } = p;
    let type = p.type;
    let res = p.res;
    if (isIpv4Loopback(src) && devOut.kind !== 'loopback' && !this.sysctls.conf(devOut.name, 'route_localnet')) return { ok: false, errno: 'EINVAL' };
    if (isIpv4LimitedBroadcast(dst)) type = 'broadcast';
    else if (isIpv4Multicast(dst)) type = 'multicast';
    else if (isIpv4ZeroNet(dst)) return { ok: false, errno: 'EINVAL' };
    if (devOut.kind === 'loopback') flags.local = true;
    if (type === 'broadcast') {
      flags.broadcast = true;
      flags.local = true;
      res = res && res.type === 'broadcast' ? res : null;
    } else if (type === 'multicast') {
      flags.multicast = true;
      flags.local = false;
      if (res && res.prefixLength < 4) res = null;
    }
    let gateway = 0;
    let expiresAt = 0;
    let mtu = devOut.mtu;
    let mtuMetric = 0;
    let mtuLock = false;
    let pmtu = 0;
    if (res && type !== 'broadcast') {
      const nh = res.route.nexthops[res.nexthop];
      if (nh && nh.gateway && nh.scope === RT_SCOPE_LINK) gateway = nh.gateway;
      if (res.route.mtu) {
        mtu = res.route.mtu;
        mtuMetric = res.route.mtu;
        mtuLock = res.route.mtuLock;
      }
      if (nh) {
        const effect = this.exceptions.apply(nh, dst, now, gateway, mtu);
        ({ gateway, mtu, pmtu, expiresAt } = effect);
        if (effect.redirected) flags.redirected = true;
      }
    }
    const decision: RouteDecision = {
      type,
      dst,
      src,
      dev: devOut.name,
      gateway,
      table: p.res ? p.res.table.id : RT_TABLE_MAIN,
      scope: p.res ? p.res.scope : RT_SCOPE_UNIVERSE,
      mtu,
      mtuMetric,
      mtuLock,
      pmtu,
      tos: p.res ? p.res.route.tos : 0,
      flags,
      input: false,
      iif: '',
      forward: false,
      expiresAt,
      ...(p.res ? { fib: { route: p.res.route, nexthop: p.res.nexthop } } : {}),
    };
    return { ok: true, decision };
  }
}
