/**
 * FIB semantics: what a route is and how it lives. Validating a route and resolving its nexthops
 * when it is added, the kernel routes an address brings and takes, nexthops dying and reviving
 * with their devices, multipath weights, and adding, deleting and flushing routes.
 *
 * Follows net/ipv4/fib_semantics.c and fib_frontend.c: fib_create_info (type scopes, reject types
 * without nexthops, host scope), fib_check_nh (gateway resolved through the FIB with scope+1,
 * onlink, LINKDOWN on a device without carrier), fib_valid_prefsrc, fib_magic, fib_add_ifaddr,
 * fib_del_ifaddr (the LOCAL_OK / BRD_OK / BRD0_OK / BRD1_OK bookkeeping and fib_sync_down_addr),
 * fib_netdev_event (fib_sync_up, fib_sync_down_dev, fib_disable_ip, fib_flush), fib_rebalance,
 * fib_table_insert's modes (via fib/table.ts), fib_table_delete with fib_nh_match, and
 * ip_fib_check_default.
 * Compat `static-routes-survive-down` (seed 002's patch): `proto static` routes stay in their table
 * when their device goes down, shown `dead`, skipped by lookups, and live again when it comes up.
 * Mainline (the default) flushes them.
 * Leaves out nexthop objects (`nhid`), encapsulations, and IPv6 routes.
 */
import { broadcastOf, isInPrefix, isIpv4ZeroNet, networkOf, prefixMask } from '@netloom/wire';
import type { CompatSettings } from '../node-host.js';
import type { RouteType } from '../routing-api.js';
import { fail, OK, type KernelErrno, type KernelResult } from '../fib/errors.js';
import { upperBounds } from '../fib/multipath.js';
import { ADD_FLAGS, APPEND_FLAGS, CHANGE_FLAGS, PREPEND_FLAGS, REPLACE_FLAGS, type InsertFlags } from '../fib/table.js';
import {
  ROUTE_TYPE_PROPS,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  RTPROT_KERNEL,
  RTPROT_STATIC,
  type FibNexthop,
  type FibRoute,
} from '../fib/types.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import { primaryAddressFor, type AddressRouteSync, type IfAddress } from './addresses.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { DeviceState, DeviceTable, NetdevEvent, NetdevListener } from './devices.js';
import { lookupFlow, type Fib, type FibLookupOutcome } from './fib-lookup.js';

/** A nexthop as `ip route add` gives it. */
export interface NexthopSpec {
  gateway: number;
  dev: string;
  weight: number;
  onlink: boolean;
}

/** A route as `ip route add|change|replace|append|prepend` gives it (after iproute2's defaults). */
export interface RouteSpec {
  table: number;
  dst: number;
  prefixLength: number;
  tos: number;
  priority: number;
  type: RouteType;
  protocol: number;
  scope: number;
  prefsrc: number;
  nexthops: NexthopSpec[];
  multipath: boolean;
  mtu: number;
  mtuLock: boolean;
}

/** What `ip route del` gave; absent fields match anything. */
export interface RouteDeleteSpec {
  table: number;
  dst: number;
  prefixLength: number;
  tos: number;
  priority?: number;
  type?: RouteType;
  protocol?: number;
  scope?: number;
  prefsrc?: number;
  nexthops?: NexthopSpec[];
  gateway?: number;
  dev?: string;
}

export type RouteModifyMode = 'add' | 'append' | 'prepend' | 'replace' | 'change';

const MODE_FLAGS: Record<RouteModifyMode, InsertFlags> = {
  add: ADD_FLAGS,
  append: APPEND_FLAGS,
  prepend: PREPEND_FLAGS,
  replace: REPLACE_FLAGS,
  change: CHANGE_FLAGS,
};

export class FibSemantics implements AddressRouteSync, NetdevListener {
  constructor(
    private readonly devices: DeviceTable,
    private readonly fib: Fib,
    private readonly sysctls: SysctlTree,
    private readonly notifier: ChangeNotifier,
    private readonly compat: CompatSettings,
  ) {
    devices.registerNetdevListener(this);
  }

  // ---------------------------------------------------------------- route creation

  /**
   * fib_create_info: validate a route and resolve its nexthops. `kernel` routes (fib_magic) skip
   * the prefsrc check but cannot fail in practice.
   */
  private buildRoute(spec: RouteSpec, kernelRoute: boolean): { route: FibRoute } | { error: KernelResult } {
    const props = ROUTE_TYPE_PROPS[spec.type];
    if (props.scope > spec.scope) return { error: fail('EINVAL', 'Invalid scope') };
    const nexthops: FibNexthop[] = spec.nexthops.map((nh) => ({
      gateway: nh.gateway >>> 0,
      dev: nh.dev,
      weight: nh.weight,
      onlink: nh.onlink,
      dead: false,
      linkdown: false,
      scope: RT_SCOPE_NOWHERE,
      upperBound: 0,
      exceptions: null,
    }));
    for (const nh of nexthops) if (nh.dev && !this.devices.find(nh.dev)) return { error: fail('ENODEV') };
    const route: FibRoute = {
      table: spec.table,
      dst: spec.dst >>> 0,
      prefixLength: spec.prefixLength,
      tos: spec.tos,
      priority: spec.priority,
      type: spec.type,
      protocol: spec.protocol,
      scope: spec.scope,
      prefsrc: spec.prefsrc >>> 0,
      nexthops,
      multipath: spec.multipath,
      mtu: spec.mtu,
      mtuLock: spec.mtuLock,
      dead: false,
      keptDead: false,
      lastDefault: -1,
    };
    if (props.error) {
      if (nexthops.some((nh) => nh.gateway || nh.dev) || spec.multipath) {
        return { error: fail('EINVAL', 'Gateway, device and multipath can not be specified for this route type') };
      }
      route.nexthops = [];
      return { route };
    }
    if (spec.scope > RT_SCOPE_HOST) return { error: fail('EINVAL', 'Invalid scope') };
    if (nexthops.length === 0) return { error: fail('ENODEV') };
    if (spec.scope === RT_SCOPE_HOST) {
      if (nexthops.length !== 1) return { error: fail('EINVAL', 'Route with host scope can not have multiple nexthops') };
      const nh = nexthops[0]!;
      if (nh.gateway) return { error: fail('EINVAL', 'Route with host scope can not have a gateway') };
      if (!nh.dev) return { error: fail('ENODEV') };
      // Host-scope nexthops (local addresses) never get LINKDOWN.
      nh.scope = RT_SCOPE_NOWHERE;
    } else {
      for (const nh of nexthops) {
        const error = this.checkNexthop(nh, spec.table, spec.scope);
        if (error) return { error };
      }
    }
    if (route.prefsrc && !kernelRoute && !this.isValidPrefsrc(spec)) return { error: fail('EINVAL', 'Invalid prefsrc address') };
    this.rebalance(route);
    return { route };
  }

  /** fib_valid_prefsrc. */
  private isValidPrefsrc(spec: RouteSpec): boolean {
    if (spec.type === 'local' && spec.dst && spec.prefsrc === spec.dst) return true;
    const tableId = spec.table === RT_TABLE_MAIN ? RT_TABLE_LOCAL : spec.table;
    if (this.fib.addressType(spec.prefsrc, tableId) === 'local') return true;
    return tableId !== RT_TABLE_LOCAL && this.fib.addressType(spec.prefsrc, RT_TABLE_LOCAL) === 'local';
  }

  /** fib_check_nh (v4 gateway and on-link forms). */
  private checkNexthop(nh: FibNexthop, tableId: number, scope: number): KernelResult | null {
    if (nh.gateway) {
      if (nh.onlink) {
        if (scope >= RT_SCOPE_LINK) return fail('EINVAL', 'Nexthop has invalid scope');
        const dev = nh.dev ? this.devices.find(nh.dev) : undefined;
        if (!dev) return fail('ENODEV', 'Nexthop device required for onlink');
        if (!dev.adminUp) return fail('ENETDOWN', 'Nexthop device is not up');
        if (this.fib.addressType(nh.gateway, RT_TABLE_LOCAL) !== 'unicast') return fail('EINVAL', 'Nexthop has invalid gateway');
        if (!dev.carrier && dev.kind !== 'loopback') nh.linkdown = true;
        nh.scope = RT_SCOPE_LINK;
        return null;
      }
      const flow = lookupFlow({ dst: nh.gateway, src: 0, iif: this.devices.loopback.name, oif: nh.dev, scope: Math.max(scope + 1, RT_SCOPE_LINK), ignoreLinkState: true });
      let result: FibLookupOutcome | null = null;
      if (tableId && tableId !== RT_TABLE_MAIN) {
        const table = this.fib.table(tableId);
        if (table) {
          const r = this.fib.tableLookup([table], table, flow);
          if (r && r.ok) result = r;
        }
      }
      if (!result) result = this.fib.lookup(flow);
      if (!result.ok) return fail(result.errno === 'EAGAIN' ? 'ENETUNREACH' : result.errno, 'Nexthop has invalid gateway');
      const res = result.res;
      if (res.type !== 'unicast' && res.type !== 'local') return fail('EINVAL', 'Nexthop has invalid gateway');
      const resNh = res.route.nexthops[res.nexthop];
      nh.scope = res.scope;
      nh.dev = resNh?.dev ?? '';
      const dev = this.devices.find(nh.dev);
      if (!dev) return fail('EINVAL', 'No egress device for nexthop gateway');
      if (!dev.carrier && dev.kind !== 'loopback') nh.linkdown = true;
      return dev.adminUp ? null : fail('ENETDOWN');
    }
    if (nh.onlink) return fail('EINVAL', 'Invalid flags for nexthop - PERVASIVE and ONLINK can not be set');
    const dev = nh.dev ? this.devices.find(nh.dev) : undefined;
    if (!dev) return fail('ENODEV');
    if (!dev.adminUp) return fail('ENETDOWN', 'Device for nexthop is not up');
    nh.scope = RT_SCOPE_HOST;
    if (!dev.carrier && dev.kind !== 'loopback') nh.linkdown = true;
    return null;
  }

  // ---------------------------------------------------------------- ip route add/del/flush

  /** `ip route add|append|prepend|replace|change`. */
  modifyRoute(spec: RouteSpec, mode: RouteModifyMode): KernelResult {
    // inet_rtm_newroute creates the table before fib_table_insert validates anything.
    this.fib.ensureTable(spec.table);
    if (spec.prefixLength < 32 && (spec.dst & ~prefixMask(spec.prefixLength)) !== 0) {
      return fail('EINVAL', 'Invalid prefix for given prefix length');
    }
    const built = this.buildRoute(spec, false);
    if ('error' in built) return built.error;
    const table = this.fib.ensureTable(spec.table);
    const outcome = table.insert(built.route, MODE_FLAGS[mode]);
    if ('errno' in outcome) return fail(outcome.errno as KernelErrno);
    if (spec.type === 'local' && spec.protocol !== RTPROT_KERNEL) this.fib.noteCustomLocalRoute();
    this.notifier.routesChanged();
    return OK;
  }

  /** `ip route del` (fib_table_delete): the first alias matching every attribute given. */
  deleteRoute(spec: RouteDeleteSpec): KernelResult {
    if (spec.prefixLength < 32 && (spec.dst & ~prefixMask(spec.prefixLength)) !== 0) {
      return fail('EINVAL', 'Invalid prefix for given prefix length');
    }
    const table = this.fib.table(spec.table);
    if (!table) return fail('ESRCH', 'FIB table does not exist');
    const candidates = table.routes.filter((r) => r.dst === spec.dst >>> 0 && r.prefixLength === spec.prefixLength && r.tos === spec.tos);
    const victim = candidates.find((r) => matchesDelete(r, spec));
    if (!victim) return fail('ESRCH');
    table.remove(victim);
    this.notifier.routesChanged();
    return OK;
  }

  /** Remove every route `select` picks (ip route flush); returns how many went. */
  flushRoutes(select: (r: FibRoute) => boolean): number {
    const count = this.fib.removeRoutesWhere(select);
    if (count) this.notifier.routesChanged();
    return count;
  }

  /** ip_fib_check_default: is `gateway` the gateway of some route through `dev` (secure_redirects)? */
  isGatewayOnDevice(dev: string, gateway: number): boolean {
    const wanted = gateway >>> 0;
    return this.fib.tablesInDumpOrder().some((table) => table.routes.some((route) => route.nexthops.some((nh) => nh.dev === dev && nh.gateway === wanted)));
  }

  // ---------------------------------------------------------------- routes of addresses

  /** fib_magic: add or delete a kernel route. */
  private fibMagic(add: boolean, type: RouteType, dst: number, prefixLength: number, prim: IfAddress, dev: DeviceState, metric: number): void {
    const tableId = type === 'unicast' ? RT_TABLE_MAIN : RT_TABLE_LOCAL;
    const scope = type === 'local' ? RT_SCOPE_HOST : RT_SCOPE_LINK;
    if (add) {
      const route = this.buildRoute(
        {
          table: tableId,
          dst: dst >>> 0,
          prefixLength,
          tos: 0,
          priority: metric,
          type,
          protocol: RTPROT_KERNEL,
          scope,
          prefsrc: prim.address,
          nexthops: [{ gateway: 0, dev: dev.name, weight: 1, onlink: false }],
          multipath: false,
          mtu: 0,
          mtuLock: false,
        },
        true,
      );
      if ('route' in route) this.fib.ensureTable(tableId).insert(route.route, APPEND_FLAGS);
      return;
    }
    const table = this.fib.table(tableId);
    if (!table) return;
    const victim = table.routes.find(
      (r) =>
        r.dst === dst >>> 0 &&
        r.prefixLength === prefixLength &&
        r.tos === 0 &&
        r.type === type &&
        r.prefsrc === prim.address &&
        r.nexthops[0]?.dev === dev.name &&
        r.protocol === RTPROT_KERNEL,
    );
    if (victim) table.remove(victim);
  }

  /** fib_add_ifaddr. */
  addressRoutesUp(dev: DeviceState, ifa: IfAddress): void {
    const prefix = networkOf(ifa.address, ifa.prefixLength);
    let prim: IfAddress | undefined = ifa;
    if (ifa.secondary) {
      prim = primaryAddressFor(dev, prefix, ifa.prefixLength);
      if (!prim) return;
    }
    this.fibMagic(true, 'local', ifa.address, 32, prim, dev, 0);
    if (!dev.adminUp) return;
    if (ifa.broadcast && ifa.broadcast !== 0xffffffff) this.fibMagic(true, 'broadcast', ifa.broadcast, 32, prim, dev, 0);
    if (!isIpv4ZeroNet(prefix) && !ifa.secondary && (prefix !== ifa.address || ifa.prefixLength < 32)) {
      if (!ifa.noprefixroute) {
        this.fibMagic(true, dev.kind === 'loopback' ? 'local' : 'unicast', prefix, ifa.prefixLength, prim, dev, ifa.metric);
      }
      if (ifa.prefixLength < 31) this.fibMagic(true, 'broadcast', broadcastOf(prefix, ifa.prefixLength), 32, prim, dev, 0);
    }
  }

  /** fib_del_ifaddr: remove the routes of an address that no other address still needs. */
  addressRoutesDown(dev: DeviceState, ifa: IfAddress, iprim?: IfAddress): void {
    const brd = broadcastOf(ifa.address, ifa.prefixLength);
    const any = networkOf(ifa.address, ifa.prefixLength);
    const LOCAL_OK = 1;
    const BRD_OK = 2;
    const BRD0_OK = 4;
    const BRD1_OK = 8;
    let ok = 0;
    let subnet = false;
    let gone = true;
    let samePrefsrc = false;
    let prim: IfAddress | undefined = ifa;
    let prim1: IfAddress | undefined;
    if (ifa.secondary) {
      prim = primaryAddressFor(dev, any, ifa.prefixLength);
      if (!prim) return;
      if (iprim && iprim !== prim) return;
    } else if (!isIpv4ZeroNet(any) && (any !== ifa.address || ifa.prefixLength < 32)) {
      if (!ifa.noprefixroute) this.fibMagic(false, dev.kind === 'loopback' ? 'local' : 'unicast', any, ifa.prefixLength, prim, dev, 0);
      subnet = true;
    }
    const match = (a: IfAddress, p: IfAddress): boolean => a.prefixLength === p.prefixLength && isInPrefix(a.address, p.address, p.prefixLength);
    for (const ifa1 of dev.addresses) {
      if (ifa1 === ifa) {
        gone = false;
        continue;
      }
      if (iprim && match(ifa1, iprim)) continue;
      if (ifa1.secondary) {
        if (match(ifa1, prim)) prim1 = prim;
        else {
          if (!samePrefsrc) continue;
          if (!prim1 || !match(ifa1, prim1)) prim1 = primaryAddressFor(dev, networkOf(ifa1.address, ifa1.prefixLength), ifa1.prefixLength);
          if (!prim1) continue;
          if (prim1.address !== prim.address) continue;
        }
      } else {
        if (prim.address !== ifa1.address) continue;
        prim1 = ifa1;
        if (prim !== prim1) samePrefsrc = true;
      }
      if (ifa.address === ifa1.address) ok |= LOCAL_OK;
      if (ifa.broadcast === ifa1.broadcast) ok |= BRD_OK;
      if (brd === ifa1.broadcast) ok |= BRD1_OK;
      if (any === ifa1.broadcast) ok |= BRD0_OK;
      if (prim1 === ifa1 && ifa1.prefixLength < 31) {
        const brd1 = broadcastOf(ifa1.address, ifa1.prefixLength);
        const any1 = networkOf(ifa1.address, ifa1.prefixLength);
        if (!isIpv4ZeroNet(any1)) {
          if (ifa.broadcast === brd1 || ifa.broadcast === any1) ok |= BRD_OK;
          if (brd === brd1 || brd === any1) ok |= BRD1_OK;
          if (any === brd1 || any === any1) ok |= BRD0_OK;
        }
      }
    }
    if (!(ok & BRD_OK)) this.fibMagic(false, 'broadcast', ifa.broadcast, 32, prim, dev, 0);
    if (subnet && ifa.prefixLength < 31) {
      if (!(ok & BRD1_OK)) this.fibMagic(false, 'broadcast', brd, 32, prim, dev, 0);
      if (!(ok & BRD0_OK)) this.fibMagic(false, 'broadcast', any, 32, prim, dev, 0);
    }
    if (!(ok & LOCAL_OK)) {
      this.fibMagic(false, 'local', ifa.address, 32, prim, dev, 0);
      // inet_addr_type_dev_table; the differential test shows 6.18 accepting a local route on another device.
      if (gone && this.fib.addressType(ifa.address, RT_TABLE_LOCAL) !== 'local') {
        // fib_sync_down_addr: routes using this address as prefsrc die.
        this.fib.removeRoutesWhere((r) => r.table === RT_TABLE_MAIN && r.prefsrc === ifa.address);
      }
    }
  }

  /** fib_inetaddr_event NETDEV_UP: fib_sync_up after an address came. */
  reviveRoutes(dev: DeviceState): void {
    this.syncUp(dev, 'dead');
  }

  /** fib_inetaddr_event NETDEV_DOWN with no address left: fib_disable_ip(dev, force). */
  lastAddressGone(dev: DeviceState): void {
    this.disableIp(dev, true);
  }

  // ---------------------------------------------------------------- device events

  /**
   * fib_netdev_event. On NETDEV_CHANGENAME the nexthops follow the device (Linux's hold a pointer
   * to it; here they name it).
   */
  netdevEvent(event: NetdevEvent, dev: DeviceState): void {
    switch (event.type) {
      case 'up':
        for (const ifa of [...dev.addresses]) this.addressRoutesUp(dev, ifa);
        this.syncUp(dev, 'dead');
        return;
      case 'down':
        this.disableIp(dev, false);
        return;
      case 'carrier':
        if (dev.carrier) this.syncUp(dev, 'linkdown');
        else this.syncDown(dev, 'change');
        return;
      case 'changename':
        for (const table of this.fib.allTables()) {
          for (const route of table.routes) for (const nh of route.nexthops) if (nh.dev === event.from) nh.dev = dev.name;
        }
    }
  }

  /** fib_disable_ip: device down (force = last address removed). */
  private disableIp(dev: DeviceState, force: boolean): void {
    this.syncDown(dev, force ? 'unregister' : 'down');
    // fib_flush: remove routes whose every nexthop is dead (except static ones kept by the compat setting).
    this.fib.removeRoutesWhere((r) => r.dead && !r.keptDead);
  }

  /** fib_sync_down_dev. */
  private syncDown(dev: DeviceState, event: 'down' | 'change' | 'unregister'): void {
    const scopeLimit = event === 'unregister' ? -1 : RT_SCOPE_NOWHERE;
    const keepStatic = event === 'down' && this.compat['static-routes-survive-down'] === true;
    for (const table of this.fib.allTables()) {
      for (const route of table.routes) {
        if (!route.nexthops.some((nh) => nh.dev === dev.name)) continue;
        let dead = 0;
        for (const nh of route.nexthops) {
          if (nh.dead) dead++;
          else if (nh.dev === dev.name && nh.scope !== scopeLimit) {
            if (event !== 'change') nh.dead = true;
            nh.linkdown = true;
            dead++;
          }
        }
        if (dead === route.nexthops.length && event !== 'change') {
          route.dead = true;
          if (keepStatic && route.protocol === RTPROT_STATIC) route.keptDead = true;
        }
        this.rebalance(route);
      }
    }
  }

  /** fib_sync_up: revive nexthops on a device that came up (or got its carrier back). */
  private syncUp(dev: DeviceState, what: 'dead' | 'linkdown'): void {
    if (!dev.adminUp) return;
    for (const table of this.fib.allTables()) {
      for (const route of table.routes) {
        if (!route.nexthops.some((nh) => nh.dev === dev.name)) continue;
        let alive = 0;
        for (const nh of route.nexthops) {
          const flagged = what === 'dead' ? nh.dead || (dev.carrier && nh.linkdown && nh.dev === dev.name) : nh.linkdown;
          if (!flagged) {
            alive++;
            continue;
          }
          const nhDev = this.devices.find(nh.dev);
          if (!nhDev || !nhDev.adminUp || nh.dev !== dev.name) continue;
          alive++;
          if (what === 'dead') {
            nh.dead = false;
            if (dev.carrier) nh.linkdown = false;
          } else nh.linkdown = false;
        }
        if (alive > 0) {
          route.dead = false;
          route.keptDead = false;
        }
        this.rebalance(route);
      }
    }
  }

  /**
   * fib_rebalance: multipath bounds are computed when a route is created or its nexthops change
   * state (not when ignore_routes_with_linkdown is written later, as in Linux).
   */
  private rebalance(route: FibRoute): void {
    if (route.nexthops.length < 2) return;
    const bounds = upperBounds(route.nexthops, (nh) => !nh.dead && !(nh.linkdown && this.sysctls.conf(nh.dev, 'ignore_routes_with_linkdown') !== 0));
    route.nexthops.forEach((nh, i) => {
      nh.upperBound = bounds[i]!;
    });
  }
}

/** fib_table_delete's match of one alias against what `ip route del` gave (with fib_nh_match). */
function matchesDelete(r: FibRoute, spec: RouteDeleteSpec): boolean {
  if (spec.type && r.type !== spec.type) return false;
  if (spec.scope !== undefined && spec.scope !== RT_SCOPE_NOWHERE && r.scope !== spec.scope) return false;
  if (spec.prefsrc && r.prefsrc !== spec.prefsrc >>> 0) return false;
  if (spec.protocol && r.protocol !== spec.protocol) return false;
  if (spec.priority !== undefined && spec.priority !== 0 && r.priority !== spec.priority) return false;
  const first = r.nexthops[0];
  if (spec.dev) {
    if (!first || first.dev !== spec.dev) return false;
  }
  if (spec.gateway) {
    if (!first || first.gateway !== spec.gateway >>> 0) return false;
  }
  if (spec.nexthops && spec.nexthops.length > 0 && !spec.dev && !spec.gateway) {
    // fib_nh_match walks the route's nexthops against the given ones (weights are not compared).
    // A reject route still has one (empty) nexthop in its fib_info.
    const have: readonly { dev: string; gateway: number }[] = r.nexthops.length ? r.nexthops : [{ dev: '', gateway: 0 }];
    if (have.length > spec.nexthops.length) return false;
    for (let i = 0; i < have.length; i++) {
      const want = spec.nexthops[i]!;
      const nh = have[i]!;
      if (want.dev && want.dev !== nh.dev) return false;
      if (want.gateway && want.gateway >>> 0 !== nh.gateway) return false;
    }
  }
  return true;
}
