/**
 * The IPv4 control plane of one node, as a small facade over the kernel modules in kernel/, each
 * following its own part of Linux 6.x (checked by the differential tests against the running
 * kernel, linux-stack-facts.md §2–§5):
 * - kernel/devices.ts — devices, carrier, MTU, MAC, the netdevice notifier chain (net/core/dev.c)
 * - kernel/addresses.ts — IPv4 addresses, promotion, source selection (devinet.c)
 * - kernel/fib-semantics.ts — routes, nexthops, the routes of addresses, fib_sync_up/down
 *   (fib_semantics.c, fib_frontend.c)
 * - kernel/fib-lookup.ts — tables, policy rules, fib_lookup (fib_trie.c, fib_rules.c)
 * - kernel/default-route.ts — fib_select_default and dead gateway detection
 * - kernel/nexthop-exceptions.ts — redirect and PMTU exceptions (fib_nh_exception), one
 *   implementation for the output and input paths
 * - kernel/output-route.ts — ip_route_output_key_hash
 * - kernel/input-route.ts — ip_route_input_slow, with a typed drop reason
 * - kernel/route-cache.ts — the per-flow route cache `route -C` lists (Linux 2.4's layout)
 * - kernel/change-notifier.ts — rt_genid and the change listeners
 * and IPv6, the second address family, on the same devices:
 * - kernel/addrconf.ts — IPv6 addresses, link-local, DAD timing, lifetimes (addrconf.c)
 * - kernel/kernel-log.ts — printk's ring buffer, read by `dmesg`
 * - fib/fib6.ts — IPv6 tables and routes (ip6_fib.c); the address arithmetic is @netloom/wire's
 * - kernel/ipv6-source-selection.ts, kernel/address-labels.ts — RFC 6724 source selection
 *   (ipv6_dev_get_saddr) and `ip addrlabel` (addrlabel.c)
 * The modules share no private state: each gets what it uses in its constructor, here. Only this
 * file and kernel/ itself may import kernel/ (npm run lint checks it); the rest of the stack, the
 * shell and the tests use this facade and its types.
 * Multipath hashes as Linux does when net.ipv4.fib_multipath_hash_seed is set (fib/multipath.ts). IPv6
 * is the second family on the same facade (kernel/addrconf.ts, kernel/ipv6-route.ts, fib/fib6.ts).
 * Leaves out VRFs, nexthop objects, multicast routing.
 */
import { DeviceKinds, type DeviceKind } from './device-kinds.js';
import type { CompatSettings, Nanos } from './node-host.js';
import type { Errno } from './process.js';
import { createIpMib, type IpMib } from './ipv4/ip-mib.js';
import { createTcpMib, type TcpMib } from './tcp/tcp-sockets.js';
import type { DeviceView, Flow4, KernelChange, NeighbourReachability, Route4, RouteOutcome, RouteType, RoutingApi } from './routing-api.js';
import { OK, type KernelErrno, type KernelError, type KernelResult } from './fib/errors.js';
import type { PolicyRules, RuleDeleteSpec } from './fib/rules.js';
import type { FibTable } from './fib/table.js';
import { RT_SCOPE_HOST, type FibNexthop, type FibRoute, type FibRule, type NexthopException } from './fib/types.js';
import { SysctlTree } from './sysctl/sysctl-tree.js';
import { InetAddresses, type AddressSpec, type IfAddress } from './kernel/addresses.js';
import { ChangeNotifier } from './kernel/change-notifier.js';
import { DefaultRouteSelector } from './kernel/default-route.js';
import { DeviceTable, ZERO_DEVICE_STATS, type DeviceState, type DeviceStats, type Ipv6AddressView } from './kernel/devices.js';
import { Fib } from './kernel/fib-lookup.js';
import { FibSemantics, type RouteDeleteSpec, type RouteModifyMode, type RouteSpec } from './kernel/fib-semantics.js';
import { InputRoute, type InputQuery } from './kernel/input-route.js';
import { NexthopExceptions } from './kernel/nexthop-exceptions.js';
import { OutputRoute } from './kernel/output-route.js';
import { RouteCache, type RouteCacheEntry } from './kernel/route-cache.js';
import type { DecisionOutcome, RouteDecision, RouteQuery } from './kernel/route-decision.js';
import { formatIpv6Number, type Ipv6Number } from '@netloom/wire';
import { AddressLabels } from './kernel/address-labels.js';
import type { RandomSource } from './kernel/temporary-addresses.js';
import { Prng } from './timers.js';
import { Addrconf, type DadProber, type Inet6AddressSpec, type Inet6AddressState, type Ipv6ConfReader } from './kernel/addrconf.js';
import { KernelLog } from './kernel/kernel-log.js';
import { Fib6, type Fib6Route } from './fib/fib6.js';
import { selectIpv6Source, type SourceCandidate, type SourcePreferences } from './kernel/ipv6-source-selection.js';
import type { Fib6Exceptions } from './fib/fib6-exceptions.js';
import { Ipv6Routing, type Route6DeleteSpec, type Route6Mode, type Route6Outcome, type Route6Query, type Route6Spec } from './kernel/ipv6-route.js';

export type { KernelErrno, KernelResult } from './fib/errors.js';
export type { AddressSpec, IfAddress } from './kernel/addresses.js';
export type { DeviceStats, Ipv6AddressView } from './kernel/devices.js';
export type { NexthopSpec, RouteDeleteSpec, RouteModifyMode, RouteSpec } from './kernel/fib-semantics.js';
export type { RouteCacheEntry } from './kernel/route-cache.js';
export type { DadProber, Inet6Address, Inet6AddressSpec, Inet6AddressState } from './kernel/addrconf.js';
export { INFINITY_LIFE_TIME } from './kernel/addrconf.js';
export type { RandomSource } from './kernel/temporary-addresses.js';
export type { AddressLabel } from './kernel/address-labels.js';
export type { Fib6Route } from './fib/fib6.js';
export type { SourcePreferences } from './kernel/ipv6-source-selection.js';
export type { Nexthop6Spec, Route6DeleteSpec, Route6Decision, Route6Mode, Route6Outcome, Route6Query, Route6Spec } from './kernel/ipv6-route.js';
export { isSibling as isRoute6Sibling } from './kernel/ipv6-route.js';
export type { DecisionOutcome, RouteDecision, RouteFlags, RouteQuery } from './kernel/route-decision.js';
export { ZERO_DEVICE_STATS };

/** rtnetlink errors that the routing seam's Errno can carry. */
function toErrno(errno: KernelErrno): Errno {
  switch (errno) {
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'EINVAL':
    case 'EACCES':
    case 'ENETDOWN':
    case 'ENODEV':
    case 'EADDRNOTAVAIL':
    case 'EPERM':
    case 'EAGAIN':
    case 'ENOBUFS':
    case 'EMSGSIZE':
    case 'EAFNOSUPPORT':
      return errno;
    case 'ESRCH':
      return 'ENETUNREACH';
    default:
      return 'EINVAL';
  }
}

/** Groups one device can be joined to by the node's users (Linux bounds them per socket, igmp_max_memberships 20). */
export const MAX_DEVICE_GROUPS = 256;

export interface KernelOptions {
  hostname: string;
  compat?: CompatSettings;
  /**
   * CONFIG_IPV6_MIP6 built in: source selection prefers home addresses (RFC 6724 rule 4), as a
   * Mobile IPv6 node's kernel does. Off by default, as in Debian's kernel (MIP6 is a module there).
   */
  mip6?: boolean;
  /** Where `ip -s link` and `ifconfig` read device counters (the datapath's); zeros without it. */
  deviceStats?: (dev: string) => DeviceStats;
  /** Where `netstat -s` reads the IP counters (/proc/net/snmp: the datapath's MIB); zeros without it. */
  ipStatistics?: () => IpMib;
  /** Where `netstat -s` reads the Tcp counters (TCP's MIB); zeros without it. */
  tcpStatistics?: () => TcpMib;
  /** The device kinds the node knows (device-kinds.ts); Linux's loopback, Ethernet ports and dummy without it. */
  deviceKinds?: DeviceKinds;
  /** get_random_bytes (temporary addresses' interface identifiers): the node's seeded PRNG; a Prng seeded 0 without it. */
  random?: RandomSource;
}

export class Kernel implements RoutingApi {
  hostname: string;
  readonly compat: CompatSettings;
  private readonly mip6: boolean;
  readonly sysctls: SysctlTree;
  private readonly notifier = new ChangeNotifier();
  private readonly deviceTable: DeviceTable;
  private readonly fib: Fib;
  private readonly semantics: FibSemantics;
  private readonly addresses: InetAddresses;
  private readonly defaultRoute: DefaultRouteSelector;
  private readonly nexthopExceptions: NexthopExceptions;
  private readonly cache: RouteCache;
  private readonly output: OutputRoute;
  private readonly input: InputRoute;
  /** routeInput's outcome of each input decision (inputOutcomeOf), gone with the decision; made with the first. */
  private inputOutcomes: WeakMap<RouteDecision, RouteOutcome> | null = null;
  private readonly fib6 = new Fib6();
  private readonly addrconf: Addrconf;
  private readonly routing6: Ipv6Routing;
  /** printk's ring buffer (`dmesg`). */
  readonly log = new KernelLog();
  /** The IPv6 address label table (`ip addrlabel`). */
  readonly addressLabels = new AddressLabels();
  /** Where `ip -s link` and `ifconfig` read device counters (KernelOptions.deviceStats). */
  readonly deviceStats: (dev: string) => DeviceStats;
  /** Where `netstat -s` reads the IP counters (KernelOptions.ipStatistics). */
  readonly ipStatistics: () => IpMib;
  /** Where `netstat -s` reads the Tcp counters (KernelOptions.tcpStatistics). */
  readonly tcpStatistics: () => TcpMib;

  constructor(options: KernelOptions) {
    this.hostname = options.hostname;
    this.compat = options.compat ?? {};
    this.mip6 = options.mip6 ?? false;
    this.deviceStats = options.deviceStats ?? (() => ZERO_DEVICE_STATS);
    this.ipStatistics = options.ipStatistics ?? createIpMib;
    this.tcpStatistics = options.tcpStatistics ?? createTcpMib;
    // A write to route/flush is `ip route flush cache`; any other can change routing decisions.
    this.sysctls = new SysctlTree((name) => (name === 'net.ipv4.route.flush' ? this.flushCache() : this.notifier.bump()));
    const { sysctls, notifier } = this;
    this.deviceTable = new DeviceTable(sysctls, notifier, options.deviceKinds ?? DeviceKinds.linux());
    this.fib = new Fib(this.deviceTable, sysctls, notifier);
    this.semantics = new FibSemantics(this.deviceTable, this.fib, sysctls, notifier, this.compat);
    this.addresses = new InetAddresses(this.deviceTable, this.fib, sysctls, notifier, this.semantics);
    this.defaultRoute = new DefaultRouteSelector(this.deviceTable, this.fib, notifier);
    this.nexthopExceptions = new NexthopExceptions(this.fib, sysctls, notifier);
    this.cache = new RouteCache(this.fib, sysctls, notifier);
    this.output = new OutputRoute(this.deviceTable, this.addresses, this.fib, this.defaultRoute, this.nexthopExceptions, this.cache, sysctls);
    this.input = new InputRoute(this.deviceTable, this.addresses, this.fib, this.nexthopExceptions, this.cache, sysctls);
    this.addrconf = new Addrconf(this.deviceTable, this.fib6, this.ipv6Conf, options.random ?? new Prng(0), (dev, now) => {
      this.sysctls.set(`net.ipv6.conf.${dev}.use_tempaddr`, -1);
      this.log.record(now, 'IPv6: ipv6_create_tempaddr: regeneration time exceeded - disabled temporary address support');
    });
    this.routing6 = new Ipv6Routing(this.deviceTable, this.fib6, this.addrconf, (dst, dev, now) => this.selectSource6(dst, now, dev)?.address, () => this.notifier.routesChanged());
    this.addDevice('lo', 'loopback', new Uint8Array(6), 65536);
    this.setLinkUp('lo', true);
    this.addAddress('lo', { address: 0x7f000001, prefixLength: 8, scope: RT_SCOPE_HOST });
  }

  // ------------------------------------------------------------------ changes and sysctls

  get generation(): number {
    return this.notifier.generation;
  }

  onChange(listener: (change: KernelChange) => void): void {
    this.notifier.onChange(listener);
  }

  conf(dev: string, name: string): number {
    return this.sysctls.conf(dev, name);
  }

  /** A name the tree does not have is a bug in the caller: it throws instead of reading as 0. */
  sysctl(name: string): number {
    const value = this.sysctls.get(name);
    if (value === undefined) throw new RangeError(`sysctl: no such key ${name}`);
    return value;
  }

  // ------------------------------------------------------------------ devices (kernel/devices.ts)

  /** Device facts (the view is shared until the next change: do not mutate it). */
  device(name: string): DeviceView | undefined {
    return this.deviceTable.viewOf(name);
  }

  deviceByIndex(ifindex: number): DeviceView | undefined {
    const dev = this.deviceTable.byIndex(ifindex);
    return dev ? this.deviceTable.view(dev) : undefined;
  }

  devices(): readonly DeviceView[] {
    return this.deviceTable.all().map((d) => this.deviceTable.view(d));
  }

  /**
   * ip_mc_inc_group for a kernel user (IPVS's sync daemon): `dev` receives `group` until as many
   * leaveGroup calls. ENODEV for no such device, ENOBUFS past MAX_DEVICE_GROUPS groups on it.
   */
  joinGroup(dev: string, group: number): KernelResult {
    const state = this.deviceTable.find(dev);
    if (!state) return { ok: false, errno: 'ENODEV' };
    const groups = (state.multicastGroups ??= new Map());
    const held = groups.get(group >>> 0) ?? 0;
    if (held === 0 && groups.size >= MAX_DEVICE_GROUPS) return { ok: false, errno: 'ENOBUFS' };
    groups.set(group >>> 0, held + 1);
    return OK;
  }

  /** ip_mc_dec_group: one holder of `group` on `dev` lets go. */
  leaveGroup(dev: string, group: number): void {
    const state = this.deviceTable.find(dev);
    const groups = state?.multicastGroups;
    const held = groups?.get(group >>> 0);
    if (groups == null || held === undefined) return;
    if (held <= 1) groups.delete(group >>> 0);
    else groups.set(group >>> 0, held - 1);
  }

  qdisc(dev: string): string {
    return this.deviceTable.qdisc(dev);
  }

  /**
   * net.ipv6.conf.DEV.NAME (and net.ipv6.neigh.DEV.retrans_time_ms) as addrconf reads them, from the
   * net.ipv6 tree its owner registers (sysctl/addrconf-sysctls.ts); a key it lacks is a bug and throws.
   */
  private readonly ipv6Conf: Ipv6ConfReader = (dev, name) => (name === 'retrans_time_ms' ? this.sysctl(`net.ipv6.neigh.${dev}.${name}`) : this.conf6(dev, name));

  /**
   * net.ipv6.conf.SCOPE.KEY, what `sysctl` reads for that name, through the directory's accessor: no
   * dotted name built and parsed again per read (addrconf reads a dozen per address, NDP some per packet).
   */
  conf6(scope: string, key: string): number {
    const value = this.sysctls.conf6Raw(scope, key);
    if (value === undefined) throw new RangeError(`sysctl: no such key net.ipv6.conf.${scope}.${key}`);
    return value;
  }

  /** The IPv6 addresses `ifconfig` shows, at the latest time the kernel was given. */
  ipv6AddressesOf(dev: string): readonly Ipv6AddressView[] {
    return this.addrconf.of(dev, this.addrconf.now).map(({ address: a }) => ({
      address: formatIpv6Number(a.address),
      prefixLength: a.prefixLength,
      scope: a.scope === 254 ? 'host' : a.scope === 253 ? 'link' : a.scope === 200 ? 'site' : 'global',
    }));
  }

  /** A device of a registered kind (device-kinds.ts): `loopback`, `ether`, `dummy`. */
  addDevice(name: string, kind: string, mac: Uint8Array, mtu: number): KernelResult {
    return this.deviceTable.add(name, kind, mac, mtu);
  }

  /** rtnl_link_register by a module when it loads (`ipip`); a kind registered twice is a bug. */
  registerDeviceKind(kind: DeviceKind): void {
    this.deviceTable.kinds.register(kind);
  }

  /** A registered device kind by name (rtnl_link_ops_get). */
  deviceKind(name: string): DeviceKind | undefined {
    return this.deviceTable.kinds.get(name);
  }

  /** `ip link add [NAME] type KIND` (rtnl_newlink) for a kind users may create (`dummy`): the new device's name. */
  createDevice(name: string | null, kind: string): { ok: true; name: string } | ({ ok: false } & KernelError) {
    return this.deviceTable.create(name, kind);
  }

  /** A port the runtime wires (the topology already refused duplicate names): failing is a bug. */
  addEthernet(name: string, mac: Uint8Array, mtu: number): void {
    const added = this.deviceTable.add(name, 'ether', mac, mtu);
    if (!added.ok) throw new Error(`cannot add Ethernet device ${name}: ${added.errno}`);
  }

  setMtu(name: string, mtu: number): KernelResult {
    return this.deviceTable.setMtu(name, mtu);
  }

  setMac(name: string, mac: Uint8Array): KernelResult {
    return this.deviceTable.setMac(name, mac);
  }

  /**
   * `ip link set DEV name NEW` (dev_change_name), up or down as Linux 6.18 allows. What names the
   * device follows it: routes' nexthops, the neighbour states of dead gateway detection, the
   * address labels (inetdev_changename), `net.ipv4.conf.DEV` and `net.ipv4.neigh.DEV`; the route
   * cache is flushed (its entries are keyed by device name). Policy rules keep the name they were
   * given, so `iif OLD` no longer matches (shown `[detached]`) and `iif NEW` starts to, as Linux's
   * fib_rules detach/attach on NETDEV_CHANGENAME. Listeners get a `rename` change.
   */
  renameDevice(name: string, wanted: string): KernelResult {
    const renamed = this.deviceTable.rename(name, wanted);
    if (!renamed.ok) return renamed;
    if (renamed.from === renamed.to) return OK;
    this.cache.clear();
    this.notifier.bump();
    this.notifier.emit({ type: 'rename', from: renamed.from, to: renamed.to });
    this.notifier.emit({ type: 'route' });
    return OK;
  }

  /** Link partner present (NETDEV_CHANGE). `now` times what IPv6 starts (DAD). */
  setCarrier(name: string, carrier: boolean, now?: Nanos): void {
    if (now !== undefined) this.addrconf.observe(now);
    this.deviceTable.setCarrier(name, carrier);
  }

  /** `ip link set DEV up|down` (NETDEV_UP / NETDEV_DOWN). `now` times what IPv6 starts (DAD). */
  setLinkUp(name: string, up: boolean, now?: Nanos): KernelResult {
    if (now !== undefined) this.addrconf.observe(now);
    return this.deviceTable.setUp(name, up);
  }

  // ------------------------------------------------------------------ addresses (kernel/addresses.ts)

  addressesOf(dev: string): readonly IfAddress[] {
    return this.addresses.of(dev);
  }

  addAddress(name: string, spec: AddressSpec): KernelResult {
    return this.addresses.add(name, spec);
  }

  deleteAddress(name: string, address: number, prefixLength?: number, label?: string): KernelResult {
    return this.addresses.delete(name, address, prefixLength, label);
  }

  flushAddresses(name: string, select: (ifa: IfAddress) => boolean): KernelResult {
    return this.addresses.flush(name, select);
  }

  selectSource(devName: string, dst: number, scope: number): number {
    return this.addresses.selectSource(devName, dst, scope);
  }

  isLocalAddress(addr: number): boolean {
    return this.addresses.isLocalAddress(addr);
  }

  // ------------------------------------------------------------------ IPv6 addresses (ipv6/addrconf.ts)

  /** The IPv6 addresses of a device at `now`, in `ip -6 addr` order. */
  addresses6Of(dev: string, now: Nanos): Inet6AddressState[] {
    return this.addrconf.of(dev, now);
  }

  addAddress6(dev: string, spec: Inet6AddressSpec, now: Nanos): KernelResult {
    return this.addrconf.add(dev, spec, now);
  }

  modifyAddress6(dev: string, spec: Inet6AddressSpec, now: Nanos): KernelResult {
    return this.addrconf.modify(dev, spec, now);
  }

  deleteAddress6(dev: string, address: Ipv6Number, prefixLength: number, now: Nanos): KernelResult {
    return this.addrconf.delete(dev, address, prefixLength, now);
  }

  flushAddresses6(dev: string, select: (state: Inet6AddressState) => boolean, now: Nanos): KernelResult {
    return this.addrconf.flush(dev, select, now);
  }

  /**
   * NDP saw an NS or NA for a tentative address of ours (addrconf_dad_failure) from the link-layer
   * address `from`: the address is `dadfailed` and the kernel logs it.
   */
  ipv6DadFailed(dev: string, address: Ipv6Number, now: Nanos, from: Uint8Array = new Uint8Array(6)): void {
    if (!this.addrconf.dadFailed(dev, address, now)) return;
    const mac = [...from.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
    this.log.record(now, `IPv6: ${dev}: IPv6 duplicate address ${formatIpv6Number(address)} used by ${mac} detected!`);
  }

  /** The node's DAD prober (ipv6/addrconf-probes.ts): DAD's initial delay and probes from now on. */
  registerDadProber(prober: DadProber): void {
    this.addrconf.registerDadProber(prober);
  }

  isLocalAddress6(address: Ipv6Number, now: Nanos): boolean {
    return this.addrconf.isLocalAddress(address, now);
  }

  /**
   * ipv6_dev_get_saddr: the source for `dst` leaving through `dev` (undefined: any device), or
   * undefined when there is none (EADDRNOTAVAIL).
   */
  selectSource6(dst: Ipv6Number, now: Nanos, dev?: string, prefs?: SourcePreferences): { address: Ipv6Number; dev: string } | undefined {
    const outgoing: DeviceState | undefined = dev === undefined ? undefined : this.deviceTable.find(dev);
    const candidates: SourceCandidate[] = this.addrconf.all(now);
    const chosen = selectIpv6Source({ dst, ...(outgoing ? { dev: outgoing } : {}), ...(prefs ? { prefs } : {}) }, candidates, this.addressLabels, (d) => this.ipv6Conf(d.name, 'use_tempaddr'), this.mip6);
    return chosen ? { address: chosen.state.address.address, dev: chosen.dev.name } : undefined;
  }

  // ------------------------------------------------------------------ IPv6 routes (ipv6/fib6.ts)

  /** IPv6 table ids in dump order. */
  tables6(): number[] {
    return this.fib6.tableIds();
  }

  /** Live routes of an IPv6 table in dump order. */
  routes6(table: number, now: Nanos): readonly Fib6Route[] {
    this.addrconf.observe(now);
    return this.fib6.routes(table, now);
  }

  /** `ip -6 route add|append|prepend|replace|change` (ip6_route_add). */
  modifyRoute6(spec: Route6Spec, mode: Route6Mode, now: Nanos): KernelResult {
    return this.routing6.modify(spec, mode, now);
  }

  /** `ip -6 route del` (ip6_route_del). */
  deleteRoute6(spec: Route6DeleteSpec, now: Nanos): KernelResult {
    return this.routing6.delete(spec, now);
  }

  /** `ip -6 route flush`: the routes `select` picks go. */
  flushRoutes6(select: (route: Fib6Route) => boolean, now: Nanos): number {
    this.addrconf.observe(now);
    return this.fib6.remove(select);
  }

  /** An ICMPv6 redirect from `from` for `dst` names `target` (rt6_do_redirect): whether it was taken. */
  learnRedirect6(dev: string, from: Ipv6Number, dst: Ipv6Number, target: Ipv6Number, now: Nanos): boolean {
    return this.routing6.learnRedirect(dev, from, dst, target, now);
  }

  /** A packet too big's path MTU for `dst` out of `dev` (__ip6_rt_update_pmtu), expiring after net.ipv6.route.mtu_expires. */
  learnPmtu6(dev: string, dst: Ipv6Number, mtu: number, now: Nanos): void {
    this.routing6.learnPmtu(dev, dst, mtu, this.sysctl('net.ipv6.route.mtu_expires'), now);
  }

  /** IPv6 route exceptions (`ip -6 route show|flush cache`). */
  get exceptions6(): Fib6Exceptions {
    return this.routing6.exceptions;
  }

  /** An IPv6 route lookup through the rules (ip6_route_output, or ip6_route_input_lookup with iif). */
  lookupRoute6(query: Route6Query, now: Nanos): Route6Outcome {
    return this.routing6.lookup(query, now);
  }

  // ------------------------------------------------------------------ tables and rules (kernel/fib-lookup.ts)

  get tableNames(): Map<number, string> {
    return this.fib.tableNames;
  }

  ensureTable(id: number): FibTable {
    return this.fib.ensureTable(id);
  }

  table(id: number): FibTable | undefined {
    return this.fib.table(id);
  }

  /** Tables in the order a full dump visits them. */
  tables(): FibTable[] {
    return this.fib.tablesInDumpOrder();
  }

  tableName(id: number): string {
    return this.fib.tableName(id);
  }

  tableIdByName(name: string): number | null {
    return this.fib.tableIdByName(name);
  }

  addressType(addr: number, tableId = 0, dev?: string): RouteType {
    return this.fib.addressType(addr, tableId, dev);
  }

  rules(): readonly FibRule[] {
    return this.fib.rules();
  }

  addRule(rule: FibRule, priorityGiven: boolean): KernelResult {
    return this.fib.addRule(rule, priorityGiven);
  }

  deleteRule(spec: RuleDeleteSpec): KernelResult {
    return this.fib.deleteRule(spec);
  }

  flushRules(): void {
    this.fib.flushRules();
  }

  /** The IPv6 policy rules (`ip -6 rule`: fib6_rules), their own list with their own defaults. */
  get rules6(): PolicyRules<Ipv6Number> {
    return this.routing6.rules;
  }

  // ------------------------------------------------------------------ routes (kernel/fib-semantics.ts)

  modifyRoute(spec: RouteSpec, mode: RouteModifyMode): KernelResult {
    return this.semantics.modifyRoute(spec, mode);
  }

  deleteRoute(spec: RouteDeleteSpec): KernelResult {
    return this.semantics.deleteRoute(spec);
  }

  flushRoutes(select: (r: FibRoute) => boolean): number {
    return this.semantics.flushRoutes(select);
  }

  isGatewayOnDevice(dev: string, gateway: number): boolean {
    return this.semantics.isGatewayOnDevice(dev, gateway);
  }

  // ------------------------------------------------------------------ dead gateway detection (kernel/default-route.ts)

  setNeighbourReachability(dev: string, addr: number, state: NeighbourReachability): void {
    this.defaultRoute.setNeighbourReachability(dev, addr, state);
  }

  // ------------------------------------------------------------------ exceptions (kernel/nexthop-exceptions.ts)

  /** Record an accepted ICMP redirect on the nexthop currently used for dst, if it is on `dev`. */
  learnRedirect(dst: number, newGateway: number, dev: string, now: Nanos): void {
    const used = this.output.nexthopFor(dst, now);
    if (!used || used.nexthop.dev !== dev) return;
    this.nexthopExceptions.learnRedirect(used.nexthop, dst, newGateway, now);
  }

  /** Record a learned path MTU for dst on the nexthop currently used for it. */
  learnPmtu(dst: number, mtu: number, now: Nanos): void {
    const used = this.output.nexthopFor(dst, now);
    if (!used) return;
    this.nexthopExceptions.learnPmtu(used.nexthop, dst, mtu, used.decision.mtu, now);
  }

  /** Live exceptions with the route and nexthop they hang on (`ip route show cache`). */
  exceptions(now: Nanos): { route: FibRoute; nexthop: FibNexthop; exception: NexthopException }[] {
    return this.nexthopExceptions.list(now);
  }

  /** `ip route flush cache` (route/flush): cached routes and exceptions go. */
  flushCache(): void {
    this.nexthopExceptions.clear();
    this.cache.clear();
    this.notifier.bump();
    this.notifier.emit({ type: 'flushCache' });
  }

  /** Live per-flow cache entries (what `route -C` lists), oldest first. */
  cacheEntries(now: Nanos): RouteCacheEntry[] {
    return this.cache.entries(now);
  }

  // ------------------------------------------------------------------ route decisions (output-route.ts, input-route.ts)

  outputDecision(query: RouteQuery, now: Nanos, useCache = true): DecisionOutcome {
    return this.output.decide(query, now, useCache);
  }

  inputDecision(query: InputQuery, now: Nanos, useCache = true): DecisionOutcome {
    return this.input.decide(query, now, useCache);
  }

  routeOutput(flow: Flow4, now: Nanos): RouteOutcome {
    const outcome = this.output.decide(flowToQuery(flow), now);
    if (!outcome.ok) return { ok: false, errno: toErrno(outcome.errno) };
    return { ok: true, route: toRoute4(outcome.decision) };
  }

  /** The flow is the query: the input route and the route cache read it and keep none of it. */
  routeInput(flow: Flow4 & { iif: string; src: number }, now: Nanos): RouteOutcome {
    const hit = this.input.cachedDecision(flow, now);
    if (hit !== null) return this.inputOutcomeOf(hit);
    const outcome = this.input.decide(flow, now);
    if (!outcome.ok) {
      const errno = toErrno(outcome.errno);
      return outcome.dropReason ? { ok: false, errno, dropReason: outcome.dropReason } : { ok: false, errno };
    }
    return this.inputOutcomeOf(outcome.decision);
  }

  /**
   * What routeInput answers for an input decision, made once per decision and frozen: the packets
   * of a flow the route cache serves all get its one outcome, with no Route4 built per packet.
   */
  private inputOutcomeOf(decision: RouteDecision): RouteOutcome {
    const outcomes = (this.inputOutcomes ??= new WeakMap());
    let outcome = outcomes.get(decision);
    if (outcome === undefined) {
      // An input route that exists but drops (ip_error): the datapath picks the reason from the errno.
      outcome = Object.freeze(decision.error ? { ok: false, errno: toErrno(decision.error) } : { ok: true, route: Object.freeze(toRoute4(decision)) });
      outcomes.set(decision, outcome);
    }
    return outcome;
  }
}

function toRoute4(decision: RouteDecision): Route4 {
  const route: Route4 = {
    type: decision.type,
    dev: decision.dev,
    src: decision.src,
    table: decision.table,
    scope: decision.scope,
    mtu: decision.mtu,
  };
  if (decision.gateway) route.gateway = decision.gateway;
  if (decision.flags.redirected || decision.expiresAt) {
    route.cached = { redirected: decision.flags.redirected, ...(decision.expiresAt ? { expiresAt: decision.expiresAt } : {}) };
  }
  if (decision.input) route.forward = decision.forward;
  return route;
}

function flowToQuery(flow: Flow4): RouteQuery {
  const q: RouteQuery = { dst: flow.dst };
  if (flow.src !== undefined) q.src = flow.src;
  if (flow.iif !== undefined) q.iif = flow.iif;
  if (flow.oif !== undefined) q.oif = flow.oif;
  if (flow.tos !== undefined) q.tos = flow.tos;
  if (flow.mark !== undefined) q.mark = flow.mark;
  if (flow.proto !== undefined) q.proto = flow.proto;
  if (flow.sport !== undefined) q.sport = flow.sport;
  if (flow.dport !== undefined) q.dport = flow.dport;
  return q;
}
