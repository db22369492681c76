/**
 * Default-route selection with dead gateway detection: among default routes of equal metric, the
 * gateway whose neighbour entry looks alive, remembering the last choice on the first alias; the
 * neighbour states it judges by, as the datapath reports them.
 *
 * Follows net/ipv4/fib_semantics.c: fib_select_default (walk the aliases of the table's default
 * routes in order, stop at a higher metric, skip dead, non-unicast, scope-mismatched and
 * gateway-less ones) and fib_detect_death (a gateway without a neighbour entry or REACHABLE is
 * alive; a NUD_VALID one is alive only if it was the last choice; otherwise the last-resort
 * candidate is remembered), with fa_default as `lastDefault` on the route.
 * A choice made here depends on neighbour states and on the remembered index, so the caller must
 * not serve it from a route cache (select() says so in its result's `cacheable`).
 * Leaves out the per-namespace fib_default_rt lock and IPv6's rt6_select.
 */
import type { NeighbourReachability } from '../routing-api.js';
import { RT_SCOPE_LINK, type FibRoute } from '../fib/types.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { DeviceState, DeviceTable, NetdevEvent, NetdevListener } from './devices.js';
import type { Fib, FibResult, LookupFlow } from './fib-lookup.js';

export class DefaultRouteSelector implements NetdevListener {
  /** Neighbour reachability of gateways, by `dev/address`. */
  /** Made with the first state the datapath reports. */
  private neighbourStates: Map<string, NeighbourReachability> | null = null;

  constructor(
    devices: DeviceTable,
    private readonly fib: Fib,
    private readonly notifier: ChangeNotifier,
  ) {
    devices.registerNetdevListener(this);
  }

  /** On NETDEV_CHANGENAME the states of the device's gateways follow it. */
  netdevEvent(event: NetdevEvent, dev: DeviceState): void {
    if (event.type !== 'changename' || this.neighbourStates === null) return;
    for (const [key, state] of [...this.neighbourStates]) {
      const slash = key.lastIndexOf('/');
      if (key.slice(0, slash) !== event.from) continue;
      this.neighbourStates.delete(key);
      this.neighbourStates.set(`${dev.name}${key.slice(slash)}`, state);
    }
  }

  /** The datapath reports a gateway's neighbour state; a change for a default gateway flushes cached routes. */
  setNeighbourReachability(dev: string, addr: number, state: NeighbourReachability): void {
    const key = `${dev}/${addr >>> 0}`;
    const before = this.neighbourStates?.get(key) ?? 'unknown';
    if (state === 'unknown') this.neighbourStates?.delete(key);
    else (this.neighbourStates ??= new Map()).set(key, state);
    if (before !== state && this.isDefaultGateway(dev, addr >>> 0)) this.notifier.bump();
  }

  private isDefaultGateway(dev: string, addr: number): boolean {
    for (const table of this.fib.allTables()) {
      for (const r of table.routes) if (r.prefixLength === 0 && r.nexthops.some((nh) => nh.dev === dev && nh.gateway === addr)) return true;
    }
    return false;
  }

  /** fib_detect_death: true when the gateway counts as dead. */
  private detectDeath(route: FibRoute, order: number, memory: { lastResort: FibRoute | null; lastIndex: number }, dflt: number): boolean {
    const nh = route.nexthops[0]!;
    const state = this.neighbourStates?.get(`${nh.dev}/${nh.gateway}`) ?? 'unknown';
    if (state === 'unknown') return false;
    if (state === 'reachable') return false;
    const valid = state === 'valid';
    if (valid && order !== dflt) return false;
    if (valid || (memory.lastIndex < 0 && order > dflt && state !== 'incomplete')) {
      memory.lastResort = route;
      memory.lastIndex = order;
    }
    return true;
  }

  /**
   * fib_select_default: alternative default routes of equal metric, with the last choice remembered.
   * Never cacheable: the choice depends on neighbour states and on the memory of the last choice.
   */
  select(flow: LookupFlow, res: FibResult): { res: FibResult; cacheable: false } {
    return { res: this.choose(flow, res), cacheable: false };
  }

  private choose(flow: LookupFlow, res: FibResult): FibResult {
    const aliases = res.table.routes.filter((r) => r.prefixLength === 0 && r.table === res.table.id);
    let fi: FibRoute | null = null;
    let fa1: FibRoute | null = null;
    let order = -1;
    const memory = { lastResort: null as FibRoute | null, lastIndex: -1 };
    let lastPriority = res.route.priority;
    let lastTos = 0;
    const assign = (route: FibRoute): FibResult => ({ ...res, route, nexthop: 0 });
    for (const fa of aliases) {
      if (fa.tos && fa.tos !== flow.tos) continue;
      if (fa.priority > lastPriority && fa.tos === lastTos) {
        if (lastTos) continue;
        break;
      }
      if (fa.dead) continue;
      lastTos = fa.tos;
      lastPriority = fa.priority;
      if (fa.scope !== res.scope || fa.type !== 'unicast') continue;
      const nh = fa.nexthops[0];
      if (!nh || !nh.gateway || nh.scope !== RT_SCOPE_LINK) continue;
      if (!fi) {
        if (fa !== res.route) break;
        fa1 = fa;
      } else if (!this.detectDeath(fi, order, memory, fa1!.lastDefault)) {
        fa1!.lastDefault = order;
        return assign(fi);
      }
      fi = fa;
      order++;
    }
    if (order <= 0 || !fi) {
      if (fa1) fa1.lastDefault = -1;
      return res;
    }
    if (!this.detectDeath(fi, order, memory, fa1!.lastDefault)) {
      fa1!.lastDefault = order;
      return assign(fi);
    }
    fa1!.lastDefault = memory.lastIndex;
    if (memory.lastIndex >= 0 && memory.lastResort) return assign(memory.lastResort);
    return res;
  }
}
