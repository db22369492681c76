/**
 * The IPv4 control plane of one node: devices (admin state, carrier, MTU, MAC), IPv4 addresses
 * (primary/secondary, labels, scope, promote_secondaries), the routes Linux derives from them
 * (fib_add_ifaddr / fib_del_ifaddr), routing tables and policy rules, route lookups for output and
 * input (ip_route_output_key, ip_route_input_slow, fib_validate_source), source selection
 * (inet_select_addr), default-gateway choice (fib_select_default), multipath, nexthop exceptions for
 * ICMP redirects and PMTU, a per-flow route cache, and the sysctl tree.
 *
 * Follows Linux 6.x (net/ipv4/devinet.c, fib_frontend.c, fib_semantics.c, fib_trie.c, route.c) as
 * recorded in linux-stack-facts.md §2–§5 and checked by the differential tests against the running
 * kernel. Deliberate choices:
 * - Route cache: modern Linux has no per-flow cache; here every lookup leaves an entry (what
 *   `route -C` lists, Linux 2.4's layout as in seed 004) and repeated lookups are served from it
 *   until `generation` changes (any route, address, link, rule or sysctl change — rt_cache_flush),
 *   an exception expires, or it idles for route.gc_timeout. Results of fib_select_default are never
 *   served from the cache (they depend on neighbour state and on the kernel's memory of its last
 *   choice). Redirect/PMTU exceptions live on the nexthop (fib_nh_exception) and go with their route
 *   or with `ip route flush cache`.
 * - Multipath uses a deterministic flow hash, not Linux's keyed jhash (fib/multipath.ts).
 * - Compat `static-routes-survive-down` (seed 002's patch): `proto static` routes stay in their table
 *   when their device goes down, shown `dead`, skipped by lookups, and live again when it comes up.
 *   Mainline (the default) flushes them.
 * Leaves out IPv6 routing (IPv6 addresses exist only for display: ::1 on lo and a link-local per
 * Ethernet device), VRFs, nexthop objects, multicast routing.
 */
import type { CompatSettings, Nanos } from './node-host.js';
import type { Errno } from './process.js';
import { createIpMib, type IpMib } from './ipv4/ip-mib.js';
import type {
  DeviceView,
  Flow4,
  KernelChange,
  NeighbourReachability,
  Route4,
  RouteOutcome,
  RouteType,
  RoutingApi,
} from './routing-api.js';
import { fail, OK, type KernelErrno, type KernelResult } from './fib/errors.js';
import {
  broadcastOf,
  inPrefix,
  isLimitedBroadcast,
  isLocalMulticast,
  isLoopback,
  isMulticast,
  isZeroNet,
  networkOf,
  prefixMask,
} from './fib/ipv4.js';
import { multipathHash, selectMultipath, upperBounds } from './fib/multipath.js';
import { defaultRulePriority, defaultRules, insertRule, isSameRule, ruleMatches, ruleMatchesDeleteSpec } from './fib/rules.js';
import type { RuleDeleteSpec, RuleFlow } from './fib/rules.js';
import { ADD_FLAGS, APPEND_FLAGS, CHANGE_FLAGS, FibTable, PREPEND_FLAGS, REPLACE_FLAGS, type InsertFlags } from './fib/table.js';
import {
  ROUTE_TYPE_PROPS,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_DEFAULT,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  RTPROT_KERNEL,
  RTPROT_STATIC,
  type FibNexthop,
  type FibRoute,
  type FibRule,
  type NexthopException,
} from './fib/types.js';
import { SysctlTree } from './sysctl/sysctl-tree.js';
import { chooseDeviceName, renamedLabels } from './device-name.js';

export type { KernelErrno, KernelResult } from './fib/errors.js';

const NANOS_PER_SECOND = 1_000_000_000;

/** One IPv4 address on a device (in_ifaddr). */
export interface IfAddress {
  address: number;
  prefixLength: number;
  /** Broadcast address as configured (0 when none was given). */
  broadcast: number;
  label: string;
  secondary: boolean;
  scope: number;
  noprefixroute: boolean;
  /** Metric of the prefix route (`ip addr add … metric N`). */
  metric: number;
  /** Order of addition across the node (the inet address hash finds the newest first). */
  sequence: number;
}

export interface AddressSpec {
  address: number;
  prefixLength: number;
  broadcast?: number;
  label?: string;
  scope?: number;
  noprefixroute?: boolean;
  metric?: number;
}

/** An IPv6 address shown by `ip addr` (display only). */
export interface Ipv6AddressView {
  address: string;
  prefixLength: number;
  scope: 'host' | 'link' | 'global';
}

interface DeviceState {
  name: string;
  ifindex: number;
  kind: 'loopback' | 'ether';
  mac: Uint8Array;
  mtu: number;
  adminUp: boolean;
  carrier: boolean;
  addresses: IfAddress[];
  /** IPv6 link-local configured (after the device was up with carrier). */
  linkLocal6: boolean;
  /** Brought up at least once (a never-opened device still has the `noop` qdisc). */
  everUp: boolean;
}

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


/** Route cache flags (RTCF_*), the ones `ip route get` and `route -C` show. */
export interface RouteFlags {
  local: boolean;
  broadcast: boolean;
  multicast: boolean;
  redirected: boolean;
  /** RTCF_DOREDIRECT: a forwarded packet would trigger an ICMP redirect. */
  doRedirect: boolean;
  /** RTCF_DIRECTSRC: the input packet's source is on-link via the input device. */
  directSrc: boolean;
}

/** A route decision with everything `ip route get` prints. */
export interface RouteDecision {
  type: RouteType;
  dst: number;
  /** Chosen source (output) or packet source (input). */
  src: number;
  dev: string;
  gateway: number;
  table: number;
  scope: number;
  mtu: number;
  /** The route's MTU metric when set (printed as `mtu N`), else 0. */
  mtuMetric: number;
  mtuLock: boolean;
  /** Learned path MTU (exception), 0 when none. */
  pmtu: number;
  /** TOS of the FIB entry used (what `ip route get` prints as `tos`), 0 when none. */
  tos: number;
  flags: RouteFlags;
  input: boolean;
  iif: string;
  forward: boolean;
  /** Absolute expiry of a redirect/PMTU exception used, or 0. */
  expiresAt: Nanos;
  /** Error of an input route that exists but drops (ip_error), e.g. unreachable forward. */
  error?: KernelErrno;
  /** Why an input packet is dropped by the route (martian, rp_filter). */
  dropReason?: 'martianSource' | 'martianDestination' | 'rpFilter' | 'noRoute';
  /** The FIB entry and nexthop used. */
  fib?: { route: FibRoute; nexthop: number };
}

export type DecisionOutcome = { ok: true; decision: RouteDecision } | { ok: false; errno: KernelErrno; dropReason?: RouteDecision['dropReason'] };

/** A per-flow route cache entry (what `route -C` lists). */
export interface RouteCacheEntry {
  key: string;
  src: number;
  dst: number;
  gateway: number;
  dev: string;
  flags: RouteFlags;
  input: boolean;
  use: number;
  generation: number;
  /** Made by fib_select_default: shown, but looked up again each time. */
  volatile: boolean;
  lastUsed: Nanos;
  decision: RouteDecision;
}

/** The query of `ip route get`: a flow, plus the uid for `uidrange` rules. */
export interface RouteQuery extends Flow4 {
  uid?: number;
}

interface FibResult {
  route: FibRoute;
  nexthop: number;
  table: FibTable;
  prefixLength: number;
  type: RouteType;
  scope: number;
}

type FibLookup = { ok: true; res: FibResult } | { ok: false; errno: KernelErrno };

interface LookupFlow extends RuleFlow {
  scope: number;
  ignoreLinkState: boolean;
}

const ERRNO_OF_TYPE: Partial<Record<RouteType, KernelErrno>> = {
  blackhole: 'EINVAL',
  unreachable: 'EHOSTUNREACH',
  prohibit: 'EACCES',
  throw: 'EAGAIN',
};

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

/** Per-device counters (rtnl_link_stats64) as `ip -s link` and `ifconfig` show them. */
export interface DeviceStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  rxMissed: number;
  rxMulticast: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
  txCarrier: number;
  txCollisions: number;
}

export const ZERO_DEVICE_STATS: DeviceStats = {
  rxBytes: 0,
  rxPackets: 0,
  rxErrors: 0,
  rxDropped: 0,
  rxMissed: 0,
  rxMulticast: 0,
  txBytes: 0,
  txPackets: 0,
  txErrors: 0,
  txDropped: 0,
  txCarrier: 0,
  txCollisions: 0,
};

export interface KernelOptions {
  hostname: string;
  compat?: CompatSettings;
}

export class Kernel implements RoutingApi {
  hostname: string;
  readonly compat: CompatSettings;
  readonly sysctls = new SysctlTree();
  private generationCounter = 0;
  private readonly deviceList: DeviceState[] = [];
  private nextIfindex = 1;
  private addressSequence = 0;
  private readonly tableMap = new Map<number, FibTable>();
  private readonly tableCreation = new Map<number, number>();
  private tableSequence = 0;
  private readonly ruleList: FibRule[] = defaultRules();
  /** fib_has_custom_rules: once a rule was added, local and main are looked up separately. */
  private customRules = false;
  private readonly listeners: ((change: KernelChange) => void)[] = [];
  private readonly neighbourStates = new Map<string, NeighbourReachability>();
  private readonly cache = new Map<string, RouteCacheEntry>();
  /** Set while a lookup used something the route cache must not remember (fib_select_default). */
  private lookupIsVolatile = false;
  /** Where `ip -s link` and `ifconfig` read device counters (the datapath sets it); zeros by default. */
  deviceStats: (dev: string) => DeviceStats = () => ZERO_DEVICE_STATS;
  /** Where `netstat -s` reads the IP counters (/proc/net/snmp; the datapath sets it); zeros by default. */
  ipStatistics: () => IpMib = createIpMib;
  /** Names from /etc/iproute2/rt_tables (plus user additions). */
  readonly tableNames = new Map<number, string>([
    [RT_TABLE_LOCAL, 'local'],
    [RT_TABLE_MAIN, 'main'],
    [RT_TABLE_DEFAULT, 'default'],
    [0, 'unspec'],
  ]);

  constructor(options: KernelOptions) {
    this.hostname = options.hostname;
    this.compat = options.compat ?? {};
    this.sysctls.onWrite = (name) => {
      if (name === 'net.ipv4.route.flush') this.flushCache();
      else this.bump();
    };
    this.ensureTable(RT_TABLE_MAIN);
    this.ensureTable(RT_TABLE_LOCAL);
    this.addDevice('lo', 'loopback', new Uint8Array(6), 65536);
    this.setLinkUp('lo', true);
    this.addAddress('lo', { address: 0x7f000001, prefixLength: 8, scope: RT_SCOPE_HOST });
  }

  // ------------------------------------------------------------------ RoutingApi basics

  get generation(): number {
    return this.generationCounter;
  }

  onChange(listener: (change: KernelChange) => void): void {
    this.listeners.push(listener);
  }

  private emit(change: KernelChange): void {
    this.views.clear();
    for (const listener of this.listeners) listener(change);
  }

  /** rt_cache_flush: every cached route becomes stale (and so do the device views). */
  private bump(): void {
    this.generationCounter++;
    this.views.clear();
  }

  private routesChanged(): void {
    this.bump();
    this.emit({ type: 'route' });
  }

  conf(dev: string, name: string): number {
    return this.sysctls.conf(dev, name);
  }

  sysctl(name: string): number {
    return this.sysctls.get(name) ?? 0;
  }

  // ------------------------------------------------------------------ devices

  /** Device facts (the view is shared until the next change: do not mutate it). */
  device(name: string): DeviceView | undefined {
    const dev = this.findDevice(name);
    return dev ? this.view(dev) : undefined;
  }

  deviceByIndex(ifindex: number): DeviceView | undefined {
    const dev = this.deviceList.find((d) => d.ifindex === ifindex);
    return dev ? this.view(dev) : undefined;
  }

  devices(): readonly DeviceView[] {
    return this.deviceList.map((d) => this.view(d));
  }

  /** Device views handed out until the next change (the datapath asks for them per packet). */
  private readonly views = new Map<string, DeviceView>();

  private view(dev: DeviceState): DeviceView {
    const cached = this.views.get(dev.name);
    if (cached) return cached;
    const view = this.makeView(dev);
    this.views.set(dev.name, view);
    return view;
  }

  private makeView(dev: DeviceState): DeviceView {
    return {
      name: dev.name,
      ifindex: dev.ifindex,
      kind: dev.kind,
      mac: dev.mac,
      mtu: dev.mtu,
      adminUp: dev.adminUp,
      carrier: dev.carrier,
      addresses: dev.addresses.map((a) => ({
        address: a.address,
        prefixLength: a.prefixLength,
        broadcast: a.broadcast,
        label: a.label,
        secondary: a.secondary,
        scope: a.scope,
      })),
    };
  }

  private findDevice(name: string): DeviceState | undefined {
    return this.deviceList.find((d) => d.name === name);
  }

  /** The qdisc `ip link` shows: `noop` until the device was first opened, then `noqueue` (as veth). */
  qdisc(dev: string): string {
    return this.findDevice(dev)?.everUp ? 'noqueue' : 'noop';
  }

  /** Full address records of a device (primary first, as `ip addr` lists them). */
  addressesOf(dev: string): readonly IfAddress[] {
    return this.findDevice(dev)?.addresses ?? [];
  }

  /** IPv6 addresses shown by `ip addr` (display only). */
  ipv6AddressesOf(dev: string): readonly Ipv6AddressView[] {
    const d = this.findDevice(dev);
    if (!d) return [];
    if (d.kind === 'loopback') return d.adminUp ? [{ address: '::1', prefixLength: 128, scope: 'host' }] : [];
    if (!d.linkLocal6) return [];
    return [{ address: linkLocalFromMac(d.mac), prefixLength: 64, scope: 'link' }];
  }

  /** Register a device (the loopback exists from the start). */
  addDevice(name: string, kind: 'loopback' | 'ether', mac: Uint8Array, mtu: number): KernelResult {
    if (this.findDevice(name)) return fail('EEXIST');
    this.deviceList.push({
      name,
      ifindex: this.nextIfindex++,
      kind,
      mac: new Uint8Array(mac),
      mtu,
      adminUp: false,
      carrier: kind === 'loopback',
      addresses: [],
      linkLocal6: false,
      everUp: false,
    });
    this.sysctls.addDevice(name, kind === 'loopback');
    this.bump();
    return OK;
  }

  setMtu(name: string, mtu: number): KernelResult {
    const dev = this.findDevice(name);
    if (!dev) return fail('ENODEV');
    if (mtu < 68) return fail('EINVAL', 'mtu less than device minimum');
    if (mtu > 65535 && dev.kind === 'ether') return fail('EINVAL', 'mtu greater than device maximum');
    dev.mtu = mtu;
    this.bump();
    this.emit({ type: 'link', dev: name, adminUp: dev.adminUp, carrier: dev.carrier });
    return OK;
  }

  setMac(name: string, mac: Uint8Array): KernelResult {
    const dev = this.findDevice(name);
    if (!dev) return fail('ENODEV');
    // eth_prepare_mac_addr_change: is_valid_ether_addr refuses multicast (and broadcast) and zero.
    if ((mac[0]! & 1) !== 0 || mac.every((b) => b === 0)) return fail('EADDRNOTAVAIL');
    dev.mac = new Uint8Array(mac);
    this.views.delete(name);
    this.emit({ type: 'link', dev: name, adminUp: dev.adminUp, carrier: dev.carrier });
    return OK;
  }

  /** Link partner present (NETDEV_CHANGE). */
  setCarrier(name: string, carrier: boolean): void {
    const dev = this.findDevice(name);
    if (!dev || dev.carrier === carrier || dev.kind === 'loopback') return;
    dev.carrier = carrier;
    if (dev.adminUp) {
      if (carrier) {
        dev.linkLocal6 = true;
        this.syncUp(dev, 'linkdown');
      } else this.syncDown(dev, 'change');
    }
    this.routesChanged();
    this.emit({ type: 'link', dev: name, adminUp: dev.adminUp, carrier });
  }

  /** `ip link set DEV up|down` (NETDEV_UP / NETDEV_DOWN). */
  setLinkUp(name: string, up: boolean): KernelResult {
    const dev = this.findDevice(name);
    if (!dev) return fail('ENODEV');
    if (dev.adminUp === up) return OK;
    dev.adminUp = up;
    if (up) {
      dev.everUp = true;
      if (dev.carrier) dev.linkLocal6 = true;
      for (const ifa of [...dev.addresses]) this.fibAddIfaddr(dev, ifa);
      this.syncUp(dev, 'dead');
    } else {
      dev.linkLocal6 = false;
      this.disableIp(dev, false);
    }
    this.routesChanged();
    this.emit({ type: 'link', dev: name, adminUp: up, carrier: dev.carrier });
    return OK;
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
    const dev = this.findDevice(name);
    if (!dev) return fail('ENODEV');
    if (wanted === name) return OK;
    const chosen = chooseDeviceName(wanted, (n) => this.findDevice(n) !== undefined);
    if ('errno' in chosen) return fail(chosen.errno);
    const to = chosen.name;
    dev.name = to;
    const labels = renamedLabels(dev.addresses.map((a) => a.label), to);
    dev.addresses.forEach((a, i) => {
      a.label = labels[i]!;
    });
    for (const table of this.tableMap.values()) {
      for (const route of table.routes) for (const nh of route.nexthops) if (nh.dev === name) nh.dev = to;
    }
    for (const [key, state] of [...this.neighbourStates]) {
      const slash = key.lastIndexOf('/');
      if (key.slice(0, slash) !== name) continue;
      this.neighbourStates.delete(key);
      this.neighbourStates.set(`${to}${key.slice(slash)}`, state);
    }
    this.sysctls.renameDevice(name, to);
    this.cache.clear();
    this.bump();
    this.emit({ type: 'rename', from: name, to });
    this.emit({ type: 'route' });
    return OK;
  }

  /** The loopback's current name (flowi4_iif of local output is LOOPBACK_IFINDEX, whatever its name). */
  private get loopbackName(): string {
    return this.deviceList[0]!.name;
  }

  // ------------------------------------------------------------------ addresses

  /** `ip addr add` (__inet_insert_ifa + fib_add_ifaddr). */
  addAddress(name: string, spec: AddressSpec): KernelResult {
    const dev = this.findDevice(name);
    if (!dev) return fail('ENODEV');
    const ifa: IfAddress = {
      address: spec.address >>> 0,
      prefixLength: spec.prefixLength,
      broadcast: (spec.broadcast ?? 0) >>> 0,
      label: spec.label ?? name,
      secondary: false,
      scope: spec.scope ?? RT_SCOPE_UNIVERSE,
      noprefixroute: spec.noprefixroute ?? false,
      metric: spec.metric ?? 0,
      sequence: this.addressSequence++,
    };
    const mask = prefixMask(ifa.prefixLength);
    // find_matching_ifa: same mask, same subnet, same local address.
    if (dev.addresses.some((a) => a.prefixLength === ifa.prefixLength && a.address === ifa.address)) {
      return fail('EEXIST', 'ipv4: Address already assigned');
    }
    let lastPrimary = 0;
    for (let i = 0; i < dev.addresses.length; i++) {
      const a = dev.addresses[i]!;
      if (!a.secondary && ifa.scope <= a.scope) lastPrimary = i + 1;
      if (a.prefixLength === ifa.prefixLength && ((a.address ^ ifa.address) & mask) === 0) {
        if (a.scope !== ifa.scope) return fail('EINVAL', 'ipv4: Invalid scope value');
        ifa.secondary = true;
      }
    }
    if (ifa.secondary) dev.addresses.push(ifa);
    else dev.addresses.splice(lastPrimary, 0, ifa);
    this.sysctls.lockDefaults(name);
    // inetaddr NETDEV_UP: fib_add_ifaddr, fib_sync_up, rt_cache_flush.
    this.fibAddIfaddr(dev, ifa);
    this.syncUp(dev, 'dead');
    this.routesChanged();
    this.emit({ type: 'address', dev: name, address: ifa.address, added: true });
    return OK;
  }

  /**
   * `ip addr del` (inet_rtm_deladdr: match local, then prefix length and label if given) and
   * __inet_del_ifa with promotion.
   */
  deleteAddress(name: string, address: number, prefixLength?: number, label?: string): KernelResult {
    const dev = this.findDevice(name);
    if (!dev) return fail('ENODEV');
    const ifa = dev.addresses.find(
      (a) =>
        a.address === address >>> 0 &&
        (prefixLength === undefined || a.prefixLength === prefixLength) &&
        (label === undefined || a.label === label),
    );
    if (!ifa) return fail('EADDRNOTAVAIL', 'ipv4: Address not found');
    this.deleteIfaddr(dev, ifa);
    this.routesChanged();
    return OK;
  }

  /** Delete every address of the device that `select` picks (ip addr flush), primaries last. */
  flushAddresses(name: string, select: (ifa: IfAddress) => boolean): KernelResult {
    const dev = this.findDevice(name);
    if (!dev) return fail('ENODEV');
    for (;;) {
      const victim = [...dev.addresses].reverse().find(select);
      if (!victim) break;
      this.deleteIfaddr(dev, victim);
    }
    this.routesChanged();
    return OK;
  }

  private deleteIfaddr(dev: DeviceState, ifa1: IfAddress): void {
    const promote = this.sysctls.conf(dev.name, 'promote_secondaries') !== 0;
    const sameSubnet = (a: IfAddress): boolean =>
      a.prefixLength === ifa1.prefixLength && inPrefix(a.address, ifa1.address, ifa1.prefixLength);
    let promoted: IfAddress | undefined;
    if (!ifa1.secondary) {
      const secondaries = dev.addresses.filter((a) => a !== ifa1 && a.secondary && sameSubnet(a));
      if (!promote) {
        for (const sec of secondaries) {
          dev.addresses.splice(dev.addresses.indexOf(sec), 1);
          this.addressGone(dev, sec);
        }
      } else promoted = secondaries[0];
    }
    if (promoted) {
      // Remove the routes of every secondary of the subnet; they come back with the new prefsrc.
      const index = dev.addresses.indexOf(promoted);
      for (const sec of dev.addresses.slice(index)) if (sameSubnet(sec)) this.fibDelIfaddr(dev, sec, ifa1);
    }
    dev.addresses.splice(dev.addresses.indexOf(ifa1), 1);
    this.addressGone(dev, ifa1);
    if (promoted) {
      const promotedIndex = dev.addresses.indexOf(promoted);
      dev.addresses.splice(promotedIndex, 1);
      // Move after the last primary whose scope >= ifa1's scope.
      let lastPrimary = 0;
      for (let i = 0; i < dev.addresses.length; i++) {
        const a = dev.addresses[i]!;
        if (!a.secondary && ifa1.scope <= a.scope) lastPrimary = i + 1;
      }
      promoted.secondary = false;
      dev.addresses.splice(lastPrimary, 0, promoted);
      this.fibAddIfaddr(dev, promoted);
      this.syncUp(dev, 'dead');
      for (const sec of dev.addresses.slice(dev.addresses.indexOf(promoted) + 1)) {
        if (sec.secondary && sameSubnet(sec)) this.fibAddIfaddr(dev, sec);
      }
      this.emit({ type: 'address', dev: dev.name, address: promoted.address, added: true });
    }
  }

  /** inetaddr NETDEV_DOWN for an address already unlinked. */
  private addressGone(dev: DeviceState, ifa: IfAddress): void {
    this.fibDelIfaddr(dev, ifa, undefined);
    if (dev.addresses.length === 0) this.disableIp(dev, true);
    this.emit({ type: 'address', dev: dev.name, address: ifa.address, added: false });
  }

  /** Primary address of the subnet (inet_ifa_byprefix). */
  private primaryFor(dev: DeviceState, network: number, prefixLength: number): IfAddress | undefined {
    return dev.addresses.find(
      (a) => !a.secondary && a.prefixLength === prefixLength && networkOf(a.address, prefixLength) === network,
    );
  }

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
      if ('route' in route) this.ensureTable(tableId).insert(route.route, APPEND_FLAGS);
      return;
    }
    const table = this.tableMap.get(tableId);
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
  private fibAddIfaddr(dev: DeviceState, ifa: IfAddress): void {
    const prefix = networkOf(ifa.address, ifa.prefixLength);
    let prim: IfAddress | undefined = ifa;
    if (ifa.secondary) {
      prim = this.primaryFor(dev, prefix, ifa.prefixLength);
      if (!prim) return;
    }
    this.fibMagic(true, 'local', ifa.address, 32, prim, dev, 0);
    if (!dev.adminUp) return;
    if (ifa.broadcast && ifa.broadcast !== 0xffffffff) this.fibMagic(true, 'broadcast', ifa.broadcast, 32, prim, dev, 0);
    if (!isZeroNet(prefix) && !ifa.secondary && (prefix !== ifa.address || ifa.prefixLength < 32)) {
      if (!ifa.noprefixroute) {
        this.fibMagic(true, dev.kind === 'loopback' ? 'local' : 'unicast', prefix, ifa.prefixLength, prim, dev, ifa.metric);
      }
      if (ifa.prefixLength < 31) this.fibMagic(true, 'broadcast', broadcastOf(prefix, ifa.prefixLength), 32, prim, dev, 0);
    }
  }

  /** fib_del_ifaddr: remove the routes of an address that no other address still needs. */
  private fibDelIfaddr(dev: DeviceState, ifa: IfAddress, iprim: IfAddress | undefined): void {
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
      prim = this.primaryFor(dev, any, ifa.prefixLength);
      if (!prim) return;
      if (iprim && iprim !== prim) return;
    } else if (!isZeroNet(any) && (any !== ifa.address || ifa.prefixLength < 32)) {
      if (!ifa.noprefixroute) this.fibMagic(false, dev.kind === 'loopback' ? 'local' : 'unicast', any, ifa.prefixLength, prim, dev, 0);
      subnet = true;
    }
    const match = (a: IfAddress, p: IfAddress): boolean => a.prefixLength === p.prefixLength && inPrefix(a.address, p.address, p.prefixLength);
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
          if (!prim1 || !match(ifa1, prim1)) prim1 = this.primaryFor(dev, networkOf(ifa1.address, ifa1.prefixLength), ifa1.prefixLength);
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
        if (!isZeroNet(any1)) {
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
      if (gone && this.addressType(ifa.address, RT_TABLE_LOCAL) !== 'local') {
        // fib_sync_down_addr: routes using this address as prefsrc die.
        this.flushRoutesWhere((r) => r.table === RT_TABLE_MAIN && r.prefsrc === ifa.address);
      }
    }
  }

  private flushRoutesWhere(predicate: (r: FibRoute) => boolean): void {
    for (const table of this.tableMap.values()) {
      for (const r of [...table.routes]) if (predicate(r)) table.remove(r);
    }
  }

  /** fib_disable_ip: device down (force = last address removed). */
  private disableIp(dev: DeviceState, force: boolean): void {
    this.syncDown(dev, force ? 'unregister' : 'down');
    this.flushDead();
  }

  /** fib_sync_down_dev. */
  private syncDown(dev: DeviceState, event: 'down' | 'change' | 'unregister'): void {
    const scopeLimit = event === 'unregister' ? -1 : RT_SCOPE_NOWHERE;
    const keepStatic = event === 'down' && this.compat['static-routes-survive-down'] === true;
    for (const table of this.tableMap.values()) {
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
    for (const table of this.tableMap.values()) {
      for (const route of table.routes) {
        if (!route.nexthops.some((nh) => nh.dev === dev.name)) continue;
        let alive = 0;
        for (const nh of route.nexthops) {
          const flagged = what === 'dead' ? nh.dead || (dev.carrier && nh.linkdown && nh.dev === dev.name) : nh.linkdown;
          if (!flagged) {
            alive++;
            continue;
          }
          const nhDev = this.findDevice(nh.dev);
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
    const bounds = upperBounds(route.nexthops, (nh) => !nh.dead && !(nh.linkdown && this.ignoresLinkdown(nh.dev)));
    route.nexthops.forEach((nh, i) => {
      nh.upperBound = bounds[i]!;
    });
  }

  /** fib_flush: remove routes whose every nexthop is dead (except static ones kept by the compat setting). */
  private flushDead(): void {
    this.flushRoutesWhere((r) => r.dead && !r.keptDead);
  }

  // ------------------------------------------------------------------ tables

  /** fib_new_table. */
  ensureTable(id: number): FibTable {
    let table = this.tableMap.get(id);
    if (!table) {
      table = new FibTable(id);
      this.tableMap.set(id, table);
      this.tableCreation.set(id, this.tableSequence++);
    }
    return table;
  }

  table(id: number): FibTable | undefined {
    return this.tableMap.get(id);
  }

  /** Tables in the order a full dump visits them (hash bucket id & 255, newest first within one). */
  tables(): FibTable[] {
    return [...this.tableMap.values()].sort((a, b) => {
      const bucket = (a.id & 255) - (b.id & 255);
      if (bucket !== 0) return bucket;
      return this.tableCreation.get(b.id)! - this.tableCreation.get(a.id)!;
    });
  }

  tableName(id: number): string {
    return this.tableNames.get(id) ?? String(id);
  }

  tableIdByName(name: string): number | null {
    for (const [id, n] of this.tableNames) if (n === name) return id;
    return null;
  }

  // ------------------------------------------------------------------ routes

  /**
   * fib_create_info: validate a route and resolve its nexthops. `kernel` routes (fib_magic) skip
   * nothing but cannot fail in practice.
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
      exceptions: new Map(),
    }));
    for (const nh of nexthops) if (nh.dev && !this.findDevice(nh.dev)) return { error: fail('ENODEV') };
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
    if (this.addressType(spec.prefsrc, tableId) === 'local') return true;
    return tableId !== RT_TABLE_LOCAL && this.addressType(spec.prefsrc, RT_TABLE_LOCAL) === 'local';
  }

  /** fib_check_nh (v4 gateway and on-link forms). */
  private checkNexthop(nh: FibNexthop, tableId: number, scope: number): KernelResult | null {
    if (nh.gateway) {
      if (nh.onlink) {
        if (scope >= RT_SCOPE_LINK) return fail('EINVAL', 'Nexthop has invalid scope');
        const dev = nh.dev ? this.findDevice(nh.dev) : undefined;
        if (!dev) return fail('ENODEV', 'Nexthop device required for onlink');
        if (!dev.adminUp) return fail('ENETDOWN', 'Nexthop device is not up');
        if (this.addressType(nh.gateway, RT_TABLE_LOCAL) !== 'unicast') return fail('EINVAL', 'Nexthop has invalid gateway');
        if (!dev.carrier && dev.kind !== 'loopback') nh.linkdown = true;
        nh.scope = RT_SCOPE_LINK;
        return null;
      }
      const flow = this.lookupFlow({ dst: nh.gateway, src: 0, iif: this.loopbackName, oif: nh.dev, scope: Math.max(scope + 1, RT_SCOPE_LINK), ignoreLinkState: true });
      let result: FibLookup | null = null;
      if (tableId && tableId !== RT_TABLE_MAIN) {
        const table = this.tableMap.get(tableId);
        if (table) {
          const r = this.tableLookup([table], table, flow);
          if (r && r.ok) result = r;
        }
      }
      if (!result) result = this.fibLookup(flow);
      if (!result.ok) return fail(result.errno === 'EAGAIN' ? 'ENETUNREACH' : result.errno, 'Nexthop has invalid gateway');
      const res = result.res;
      if (res.type !== 'unicast' && res.type !== 'local') return fail('EINVAL', 'Nexthop has invalid gateway');
      const resNh = res.route.nexthops[res.nexthop];
      nh.scope = res.scope;
      nh.dev = resNh?.dev ?? '';
      const dev = this.findDevice(nh.dev);
      if (!dev) return fail('EINVAL', 'No egress device for nexthop gateway');
      if (!dev.carrier && dev.kind !== 'loopback') nh.linkdown = true;
      return dev.adminUp ? null : fail('ENETDOWN');
    }
    if (nh.onlink) return fail('EINVAL', 'Invalid flags for nexthop - PERVASIVE and ONLINK can not be set');
    const dev = nh.dev ? this.findDevice(nh.dev) : undefined;
    if (!dev) return fail('ENODEV');
    if (!dev.adminUp) return fail('ENETDOWN', 'Device for nexthop is not up');
    nh.scope = RT_SCOPE_HOST;
    if (!dev.carrier && dev.kind !== 'loopback') nh.linkdown = true;
    return null;
  }

  /**
   * __inet_dev_addr_type: the type of the best route for `addr` in a table (0 = main), `unicast` when
   * nothing (or a reject route) matches, or when `dev` is given and the route's first nexthop is on
   * another device. While no custom rule exists, local and main are one trie (fib_unmerge), so a
   * lookup in either sees both.
   */
  addressType(addr: number, tableId = 0, dev?: string): RouteType {
    const a = addr >>> 0;
    if (isZeroNet(a) || isLimitedBroadcast(a)) return 'broadcast';
    if (isMulticast(a)) return 'multicast';
    const id = tableId || RT_TABLE_MAIN;
    const table = this.tableMap.get(id);
    if (!table) return 'unicast';
    const merged = (id === RT_TABLE_MAIN || id === RT_TABLE_LOCAL) && !this.customRules;
    const tables = merged ? [this.tableMap.get(RT_TABLE_LOCAL)!, this.tableMap.get(RT_TABLE_MAIN)!] : [table];
    const flow = this.lookupFlow({ dst: a, src: 0, iif: this.loopbackName, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false });
    const result = this.tableLookup(tables, table, flow);
    if (!result || !result.ok) return 'unicast';
    if (dev !== undefined && result.res.route.nexthops[0]?.dev !== dev) return 'unicast';
    return result.res.type;
  }

  /** `ip route add|append|prepend|replace|change`. */
  modifyRoute(spec: RouteSpec, mode: RouteModifyMode): KernelResult {
    // inet_rtm_newroute creates the table before fib_table_insert validates anything.
    this.ensureTable(spec.table);
    if (spec.prefixLength < 32 && (spec.dst & ~prefixMask(spec.prefixLength)) !== 0) {
      return fail('EINVAL', 'Invalid prefix for given prefix length');
    }
    const built = this.buildRoute(spec, false);
    if ('error' in built) return built.error;
    const table = this.ensureTable(spec.table);
    const outcome = table.insert(built.route, MODE_FLAGS[mode]);
    if ('errno' in outcome) return fail(outcome.errno as KernelErrno);
    if (spec.type === 'local' && spec.protocol !== RTPROT_KERNEL) this.customLocalRoutes = true;
    this.routesChanged();
    return OK;
  }

  /** fib_has_custom_local_routes. */
  private customLocalRoutes = false;

  /** `ip route del` (fib_table_delete): the first alias matching every attribute given. */
  deleteRoute(spec: RouteDeleteSpec): KernelResult {
    if (spec.prefixLength < 32 && (spec.dst & ~prefixMask(spec.prefixLength)) !== 0) {
      return fail('EINVAL', 'Invalid prefix for given prefix length');
    }
    const table = this.tableMap.get(spec.table);
    if (!table) return fail('ESRCH', 'FIB table does not exist');
    const candidates = table.routes.filter((r) => r.dst === spec.dst >>> 0 && r.prefixLength === spec.prefixLength && r.tos === spec.tos);
    const victim = candidates.find((r) => this.matchesDelete(r, spec));
    if (!victim) return fail('ESRCH');
    table.remove(victim);
    this.routesChanged();
    return OK;
  }

  private matchesDelete(r: FibRoute, spec: RouteDeleteSpec): boolean {
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

  /** Remove every route `select` picks (ip route flush); returns how many went. */
  flushRoutes(select: (r: FibRoute) => boolean): number {
    let count = 0;
    for (const table of this.tableMap.values()) {
      for (const r of [...table.routes]) {
        if (select(r)) {
          table.remove(r);
          count++;
        }
      }
    }
    if (count) this.routesChanged();
    return count;
  }

  // ------------------------------------------------------------------ rules

  rules(): readonly FibRule[] {
    return this.ruleList;
  }

  /** `ip rule add` (fib_nl_newrule). `priority` undefined = automatic. */
  addRule(rule: FibRule, priorityGiven: boolean): KernelResult {
    const r = { ...rule };
    if (!priorityGiven) r.priority = defaultRulePriority(this.ruleList);
    if (r.action === 'goto' && r.gotoTarget <= r.priority) return fail('EINVAL', 'Backward goto not supported');
    if (this.ruleList.some((x) => isSameRule(x, r))) return fail('EEXIST');
    insertRule(this.ruleList, r);
    this.customRules = true;
    this.routesChanged();
    return OK;
  }

  /** `ip rule del`: the first rule matching the attributes given. */
  deleteRule(spec: RuleDeleteSpec): KernelResult {
    const index = this.ruleList.findIndex((r) => ruleMatchesDeleteSpec(r, spec));
    if (index < 0) return fail('ENOENT');
    this.ruleList.splice(index, 1);
    this.routesChanged();
    return OK;
  }

  /** `ip rule flush`: every rule but priority 0 goes (the main and default rules too). */
  flushRules(): void {
    for (let i = this.ruleList.length - 1; i >= 0; i--) if (this.ruleList[i]!.priority !== 0) this.ruleList.splice(i, 1);
    this.customRules = true;
    this.routesChanged();
  }

  // ------------------------------------------------------------------ FIB lookup

  private lookupFlow(f: { dst: number; src: number; iif: string; oif?: string; tos?: number; mark?: number; proto?: number; sport?: number; dport?: number; scope: number; ignoreLinkState: boolean }): LookupFlow {
    return {
      dst: f.dst >>> 0,
      src: f.src >>> 0,
      iif: f.iif,
      oif: f.oif ?? '',
      tos: f.tos ?? 0,
      mark: f.mark ?? 0,
      proto: f.proto ?? 0,
      sport: f.sport ?? 0,
      dport: f.dport ?? 0,
      uid: 0,
      scope: f.scope,
      ignoreLinkState: f.ignoreLinkState,
    };
  }

  private ignoresLinkdown(dev: string): boolean {
    return this.sysctls.conf(dev, 'ignore_routes_with_linkdown') !== 0;
  }

  /**
   * fib_table_lookup over one table (or main merged with local): null = no match (EAGAIN),
   * otherwise the result or the reject type's error.
   */
  private tableLookup(tables: FibTable[], resultTable: FibTable, flow: LookupFlow): FibLookup | null {
    const candidates: FibRoute[] = [];
    for (const t of tables) for (const r of t.candidates(flow.dst)) candidates.push(r);
    if (tables.length > 1) {
      candidates.sort((a, b) => b.prefixLength - a.prefixLength || b.table - a.table);
    }
    for (const route of candidates) {
      if (route.tos && route.tos !== flow.tos) continue;
      if (route.dead) continue;
      if (route.scope < flow.scope) continue;
      const error = ERRNO_OF_TYPE[route.type];
      if (error) {
        if (error === 'EAGAIN') return { ok: false, errno: 'EAGAIN' };
        return { ok: false, errno: error };
      }
      for (let i = 0; i < route.nexthops.length; i++) {
        const nh = route.nexthops[i]!;
        if (nh.dead) continue;
        if (!flow.ignoreLinkState && nh.linkdown && this.ignoresLinkdown(nh.dev)) continue;
        if (flow.oif && flow.oif !== nh.dev) continue;
        return { ok: true, res: { route, nexthop: i, table: resultTable, prefixLength: route.prefixLength, type: route.type, scope: route.scope } };
      }
    }
    return null;
  }

  /** fib_lookup: the rules (or, without custom rules, main merged with local, then default). */
  private fibLookup(flow: LookupFlow): FibLookup {
    if (!this.customRules) {
      const main = this.tableMap.get(RT_TABLE_MAIN)!;
      const local = this.tableMap.get(RT_TABLE_LOCAL)!;
      const first = this.tableLookup([local, main], main, flow);
      if (first && (first.ok || first.errno !== 'EAGAIN')) return first;
      const dflt = this.tableMap.get(RT_TABLE_DEFAULT);
      if (dflt) {
        const second = this.tableLookup([dflt], dflt, flow);
        if (second && (second.ok || second.errno !== 'EAGAIN')) return second;
      }
      return { ok: false, errno: 'ENETUNREACH' };
    }
    for (let i = 0; i < this.ruleList.length; i++) {
      let rule = this.ruleList[i]!;
      if (!ruleMatches(rule, flow)) continue;
      let jumped = 0;
      while (rule.action === 'goto' && jumped++ < this.ruleList.length) {
        const targetIndex = this.ruleList.findIndex((r) => r.priority === rule.gotoTarget);
        if (targetIndex < 0) break;
        i = targetIndex;
        rule = this.ruleList[i]!;
        if (!ruleMatches(rule, flow)) break;
      }
      if (!ruleMatches(rule, flow) || rule.action === 'goto' || rule.action === 'nop') continue;
      let outcome: FibLookup | null;
      switch (rule.action) {
        case 'unreachable':
          return { ok: false, errno: 'ENETUNREACH' };
        case 'prohibit':
          return { ok: false, errno: 'EACCES' };
        case 'blackhole':
          return { ok: false, errno: 'EINVAL' };
        default: {
          const table = this.tableMap.get(rule.table);
          outcome = table ? this.tableLookup([table], table, flow) : null;
        }
      }
      if (!outcome) continue;
      if (outcome.ok && outcome.res.prefixLength <= rule.suppressPrefixLength) continue;
      if (!outcome.ok && outcome.errno === 'EAGAIN') continue;
      return outcome;
    }
    return { ok: false, errno: 'ENETUNREACH' };
  }

  // ------------------------------------------------------------------ source selection

  /** inet_select_addr. */
  selectSource(devName: string, dst: number, scope: number): number {
    const dev = this.findDevice(devName);
    const localnetScope = dev && this.sysctls.conf(dev.name, 'route_localnet') ? RT_SCOPE_LINK : RT_SCOPE_HOST;
    let addr = 0;
    if (dev) {
      for (const ifa of dev.addresses) {
        if (ifa.secondary) continue;
        if (Math.min(ifa.scope, localnetScope) > scope) continue;
        if (!dst || inPrefix(dst, ifa.address, ifa.prefixLength)) return ifa.address;
        if (!addr) addr = ifa.address;
      }
      if (addr) return addr;
    }
    for (const other of this.deviceList) {
      for (const ifa of other.addresses) {
        if (ifa.secondary) continue;
        if (ifa.scope !== RT_SCOPE_LINK && ifa.scope <= scope) return ifa.address;
      }
    }
    return 0;
  }

  /** fib_result_prefsrc. */
  private resultPrefsrc(res: FibResult): number {
    if (res.route.prefsrc) return res.route.prefsrc;
    const nh = res.route.nexthops[res.nexthop];
    if (!nh) return 0;
    return this.selectSource(nh.dev, nh.gateway, res.route.scope);
  }

  isLocalAddress(addr: number): boolean {
    const a = addr >>> 0;
    return this.deviceList.some((d) => d.addresses.some((ifa) => ifa.address === a));
  }

  /**
   * __ip_dev_find: the device holding a local address, falling back to a `local` route of the local
   * table (merged with main while there are no custom rules), so 127.0.0.5 counts as ours.
   */
  private deviceOfAddress(addr: number): DeviceState | undefined {
    const a = addr >>> 0;
    let owner: DeviceState | undefined;
    let newest = -1;
    for (const d of this.deviceList) {
      for (const ifa of d.addresses) {
        if (ifa.address === a && ifa.sequence > newest) {
          newest = ifa.sequence;
          owner = d;
        }
      }
    }
    if (owner) return owner;
    const local = this.tableMap.get(RT_TABLE_LOCAL)!;
    const tables = this.customRules ? [local] : [local, this.tableMap.get(RT_TABLE_MAIN)!];
    const result = this.tableLookup(tables, local, this.lookupFlow({ dst: a, src: 0, iif: this.loopbackName, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false }));
    if (!result || !result.ok || result.res.type !== 'local') return undefined;
    return this.findDevice(result.res.route.nexthops[result.res.nexthop]?.dev ?? '');
  }

  // ------------------------------------------------------------------ neighbour reachability

  /** ip_fib_check_default: is `gateway` the gateway of some route through `dev` (secure_redirects)? */
  isGatewayOnDevice(dev: string, gateway: number): boolean {
    const wanted = gateway >>> 0;
    return this.tables().some((table) => table.routes.some((route) => route.nexthops.some((nh) => nh.dev === dev && nh.gateway === wanted)));
  }

  setNeighbourReachability(dev: string, addr: number, state: NeighbourReachability): void {
    const key = `${dev}/${addr >>> 0}`;
    const before = this.neighbourStates.get(key) ?? 'unknown';
    if (state === 'unknown') this.neighbourStates.delete(key);
    else this.neighbourStates.set(key, state);
    if (before !== state && this.isDefaultGateway(dev, addr >>> 0)) this.bump();
  }

  private isDefaultGateway(dev: string, addr: number): boolean {
    for (const table of this.tableMap.values()) {
      for (const r of table.routes) if (r.prefixLength === 0 && r.nexthops.some((nh) => nh.dev === dev && nh.gateway === addr)) return true;
    }
    return false;
  }

  /** fib_detect_death: true when the gateway counts as dead. */
  private detectDeath(route: FibRoute, order: number, memory: { lastResort: FibRoute | null; lastIndex: number }, dflt: number): boolean {
    const nh = route.nexthops[0]!;
    const state = this.neighbourStates.get(`${nh.dev}/${nh.gateway}`) ?? 'unknown';
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

  /** fib_select_default: alternative default routes of equal metric, with the last choice remembered. */
  private selectDefault(flow: LookupFlow, res: FibResult): FibResult {
    // The choice depends on neighbour states and on the memory of the last choice: never served from the cache.
    this.lookupIsVolatile = true;
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

  /** fib_select_path: multipath or default-route choice, then the source address. */
  private selectPath(flow: LookupFlow, res: FibResult): { res: FibResult; src: number } {
    let result = res;
    if (!flow.oif) {
      const route = res.route;
      if (route.nexthops.length > 1) {
        const bounds = route.nexthops.map((nh) => nh.upperBound);
        const policy = this.sysctl('net.ipv4.fib_multipath_hash_policy');
        const hash = multipathHash(flow, policy);
        const index = selectMultipath(route.nexthops, bounds, hash, flow.src, (nh) => this.selectSource(nh.dev, nh.gateway, route.scope));
        result = { ...res, nexthop: index };
      } else if (res.prefixLength === 0 && res.type === 'unicast' && res.table.defaultCount > 1) {
        result = this.selectDefault(flow, res);
      }
    }
    const src = flow.src || this.resultPrefsrc(result);
    return { res: result, src };
  }

  // ------------------------------------------------------------------ exceptions (redirects, PMTU)

  private findException(nh: FibNexthop, dst: number, now: Nanos): NexthopException | undefined {
    const exc = nh.exceptions.get(dst);
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
      nh.exceptions.delete(dst);
      return undefined;
    }
    return exc;
  }

  /** Record an accepted ICMP redirect on the nexthop currently used for dst (update_or_create_fnhe). */
  learnRedirect(dst: number, newGateway: number, dev: string, now: Nanos): void {
    const outcome = this.outputDecision({ dst: dst >>> 0 }, now, false);
    if (!outcome.ok || !outcome.decision.fib) return;
    const nh = outcome.decision.fib.route.nexthops[outcome.decision.fib.nexthop];
    if (!nh || nh.dev !== dev) return;
    const exc = nh.exceptions.get(dst >>> 0) ?? { dst: dst >>> 0, gateway: 0, redirectExpiresAt: 0, pmtu: 0, pmtuExpiresAt: 0 };
    exc.gateway = newGateway >>> 0;
    exc.redirectExpiresAt = now + this.sysctl('net.ipv4.route.gc_timeout') * NANOS_PER_SECOND;
    nh.exceptions.set(dst >>> 0, exc);
    this.bump();
  }

  /** Record a learned path MTU for dst (__ip_rt_update_pmtu): at least min_pmtu, expiring after mtu_expires. */
  learnPmtu(dst: number, mtu: number, now: Nanos): void {
    const outcome = this.outputDecision({ dst: dst >>> 0 }, now, false);
    if (!outcome.ok || !outcome.decision.fib) return;
    const nh = outcome.decision.fib.route.nexthops[outcome.decision.fib.nexthop];
    if (!nh) return;
    const pmtu = Math.max(mtu, this.sysctl('net.ipv4.route.min_pmtu'));
    if (pmtu >= outcome.decision.mtu) return;
    const exc = nh.exceptions.get(dst >>> 0) ?? { dst: dst >>> 0, gateway: 0, redirectExpiresAt: 0, pmtu: 0, pmtuExpiresAt: 0 };
    exc.pmtu = pmtu;
    exc.pmtuExpiresAt = now + this.sysctl('net.ipv4.route.mtu_expires') * NANOS_PER_SECOND;
    nh.exceptions.set(dst >>> 0, exc);
    this.bump();
  }

  /** Live exceptions with the route and nexthop they hang on (`ip route show cache`). */
  exceptions(now: Nanos): { route: FibRoute; nexthop: FibNexthop; exception: NexthopException }[] {
    const out: { route: FibRoute; nexthop: FibNexthop; exception: NexthopException }[] = [];
    for (const table of this.tables()) {
      for (const route of table.routes) {
        for (const nh of route.nexthops) {
          for (const dst of [...nh.exceptions.keys()]) {
            const exception = this.findException(nh, dst, now);
            if (exception) out.push({ route, nexthop: nh, exception });
          }
        }
      }
    }
    return out;
  }

  /** `ip route flush cache` (route/flush): cached routes and exceptions go. */
  flushCache(): void {
    for (const table of this.tableMap.values()) for (const r of table.routes) for (const nh of r.nexthops) nh.exceptions.clear();
    this.cache.clear();
    this.bump();
    this.emit({ type: 'flushCache' });
  }

  // ------------------------------------------------------------------ output route

  /** A still valid cached decision for this flow, counted as used. */
  private cached(query: RouteQuery, input: boolean, now: Nanos): RouteDecision | null {
    if (this.portsMatter()) return null;
    const entry = this.cache.get(this.cacheKey(query, input));
    if (!entry || entry.volatile || entry.generation !== this.generationCounter) return null;
    if (entry.decision.expiresAt && now >= entry.decision.expiresAt) return null;
    if (now - entry.lastUsed > this.sysctl('net.ipv4.route.gc_timeout') * NANOS_PER_SECOND) return null;
    entry.use++;
    entry.lastUsed = now;
    return entry.decision;
  }

  /** Lookups depend on protocol and ports (L4 multipath hash, or rules with ipproto/sport/dport). */
  private portsMatter(): boolean {
    return this.sysctl('net.ipv4.fib_multipath_hash_policy') % 2 === 1 || (this.customRules && this.ruleList.some((r) => r.ipproto || r.sport || r.dport));
  }

  /** ip_route_output_key_hash_rcu with everything `ip route get` prints. */
  outputDecision(query: RouteQuery, now: Nanos, useCache = true): DecisionOutcome {
    if (useCache) {
      const hit = this.cached(query, false, now);
      if (hit) return { ok: true, decision: hit };
    }
    this.lookupIsVolatile = false;
    const dst = query.dst >>> 0;
    let src = (query.src ?? 0) >>> 0;
    let devOut: DeviceState | undefined;
    const flags: RouteFlags = { local: false, broadcast: false, multicast: false, redirected: false, doRedirect: false, directSrc: false };
    const oif = query.oif ?? '';
    let res: FibResult | null = null;
    if (src) {
      if (isMulticast(src) || isLimitedBroadcast(src) || isZeroNet(src)) return { ok: false, errno: 'EINVAL' };
      if (!oif && (isMulticast(dst) || isLimitedBroadcast(dst))) {
        devOut = this.deviceOfAddress(src);
        if (!devOut) return { ok: false, errno: 'ENETUNREACH' };
        return this.makeOutput(query, { dst, src, devOut, type: 'unicast', res: null, flags }, now, useCache);
      }
      if (!this.deviceOfAddress(src)) return { ok: false, errno: 'ENETUNREACH' };
    }
    if (oif) {
      devOut = this.findDevice(oif);
      if (!devOut) return { ok: false, errno: 'ENODEV' };
      if (!devOut.adminUp) return { ok: false, errno: 'ENETUNREACH' };
      if (isLocalMulticast(dst) || isLimitedBroadcast(dst)) {
        if (!src) src = this.selectSource(devOut.name, 0, RT_SCOPE_LINK);
        return this.makeOutput(query, { dst, src, devOut, type: 'unicast', res: null, flags }, now, useCache);
      }
      if (!src) {
        if (isMulticast(dst)) src = this.selectSource(devOut.name, 0, RT_SCOPE_UNIVERSE);
        else if (!dst) src = this.selectSource(devOut.name, 0, RT_SCOPE_HOST);
      }
    }
    if (!dst) {
      const d = src || 0x7f000001;
      const lo = this.deviceList[0]!;
      flags.local = true;
      return this.makeOutput(query, { dst: d, src: src || d, devOut: lo, type: 'local', res: null, flags }, now, useCache);
    }
    const flow = this.lookupFlow({ dst, src, iif: this.loopbackName, oif, tos: query.tos, mark: query.mark, proto: query.proto, sport: query.sport, dport: query.dport, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false });
    flow.uid = query.uid ?? 0;
    const lookup = this.fibLookup(flow);
    if (!lookup.ok) {
      if (oif && devOut) {
        if (!src) src = this.selectSource(devOut.name, 0, RT_SCOPE_LINK);
        return this.makeOutput(query, { dst, src, devOut, type: 'unicast', res: null, flags }, now, useCache);
      }
      return { ok: false, errno: lookup.errno === 'EAGAIN' ? 'ENETUNREACH' : lookup.errno };
    }
    res = lookup.res;
    if (res.type === 'local') {
      if (!src) src = res.route.prefsrc || dst;
      const lo = this.deviceList[0]!;
      flags.local = true;
      return this.makeOutput(query, { dst, src, devOut: lo, type: 'local', res, flags }, now, useCache);
    }
    const selected = this.selectPath(flow, res);
    res = selected.res;
    if (!src) src = selected.src;
    const nh = res.route.nexthops[res.nexthop]!;
    devOut = this.findDevice(nh.dev);
    if (!devOut) return { ok: false, errno: 'ENODEV' };
    return this.makeOutput(query, { dst, src, devOut, type: res.type, res, flags }, now, useCache);
  }

  /** __mkroute_output + rt_set_nexthop. */
  private makeOutput(
    query: RouteQuery,
    p: { dst: number; src: number; devOut: DeviceState; type: RouteType; res: FibResult | null; flags: RouteFlags },
    now: Nanos,
    useCache: boolean,
  ): DecisionOutcome {
    const { dst, src, devOut, flags } = p;
    let type = p.type;
    let res = p.res;
    if (isLoopback(src) && devOut.kind !== 'loopback' && !this.sysctls.conf(devOut.name, 'route_localnet')) return { ok: false, errno: 'EINVAL' };
    if (isLimitedBroadcast(dst)) type = 'broadcast';
    else if (isMulticast(dst)) type = 'multicast';
    else if (isZeroNet(dst)) return { ok: false, errno: 'EINVAL' };
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
        const exc = this.findException(nh, dst, now);
        if (exc) {
          if (exc.gateway) {
            gateway = exc.gateway;
            flags.redirected = true;
            expiresAt = exc.redirectExpiresAt;
          }
          if (exc.pmtu) {
            mtu = exc.pmtu;
            pmtu = exc.pmtu;
            if (!expiresAt || exc.pmtuExpiresAt < expiresAt) expiresAt = exc.pmtuExpiresAt;
          }
        }
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
    if (useCache) this.remember(query, decision, now);
    return { ok: true, decision };
  }

  // ------------------------------------------------------------------ input route

  /** fib_validate_source: <0 error, 0 ok, 1 ok and the source is on-link via this device. */
  private validateSource(src: number, dst: number, tos: number, oif: string, dev: DeviceState, mark: number): { errno?: KernelErrno; value: number } {
    const rpf = this.sysctls.conf(dev.name, 'rp_filter');
    const txRedirects = this.sysctls.conf(dev.name, 'send_redirects') !== 0;
    if (!rpf && (dev.name !== oif || !txRedirects)) {
      if (this.sysctls.conf(dev.name, 'accept_local')) return { value: 0 };
      if (!this.customLocalRoutes && !this.customRules) {
        if (this.isLocalAddress(src)) return { errno: 'EINVAL', value: -1 };
        return { value: 0 };
      }
    }
    const flow = this.lookupFlow({
      dst: src,
      src: dst,
      iif: oif || this.loopbackName,
      tos,
      mark: this.sysctls.conf(dev.name, 'src_valid_mark') ? mark : 0,
      scope: RT_SCOPE_UNIVERSE,
      ignoreLinkState: false,
    });
    const noAddr = dev.addresses.length === 0;
    const lookup = this.fibLookup(flow);
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
    const second = this.fibLookup({ ...flow, oif: dev.name, ignoreLinkState: true });
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
    const lookup = this.fibLookup(this.lookupFlow({ dst: src, src: 0, iif: this.loopbackName, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false }));
    if (!lookup.ok || lookup.res.type !== 'unicast') return false;
    const nh = lookup.res.route.nexthops[lookup.res.nexthop];
    return nh !== undefined && nh.dev === dev.name && nh.scope >= RT_SCOPE_HOST;
  }

  /** ip_route_input_slow with everything `ip route get … iif` prints. */
  inputDecision(query: RouteQuery & { iif: string; src: number }, now: Nanos, useCache = true): DecisionOutcome {
    if (useCache) {
      const hit = this.cached(query, true, now);
      if (hit) return { ok: true, decision: hit };
    }
    this.lookupIsVolatile = false;
    const dev = this.findDevice(query.iif);
    if (!dev) return { ok: false, errno: 'ENODEV' };
    const dst = query.dst >>> 0;
    const src = query.src >>> 0;
    const tos = query.tos ?? 0;
    const flags: RouteFlags = { local: false, broadcast: false, multicast: false, redirected: false, doRedirect: false, directSrc: false };
    const martianSource = (): DecisionOutcome => ({ ok: false, errno: 'EINVAL', dropReason: 'martianSource' });
    const martianDestination = (): DecisionOutcome => ({ ok: false, errno: 'EINVAL', dropReason: 'martianDestination' });
    const forwarding = this.sysctls.conf(dev.name, 'forwarding') !== 0;
    const base = { dst, src, iif: dev.name, input: true, expiresAt: 0, mtuMetric: 0, mtuLock: false, pmtu: 0, flags };
    const localInput = (type: RouteType, res: FibResult | null, error?: KernelErrno, dropReason?: RouteDecision['dropReason']): DecisionOutcome => {
      if (type !== 'unreachable') flags.local = true;
      const decision: RouteDecision = {
        ...base,
        tos: res ? res.route.tos : 0,
        type,
        dev: this.loopbackName,
        gateway: 0,
        table: res ? res.table.id : RT_TABLE_MAIN,
        scope: res ? res.scope : RT_SCOPE_UNIVERSE,
        mtu: this.deviceList[0]!.mtu,
        forward: false,
        ...(error ? { error } : {}),
        ...(dropReason ? { dropReason } : {}),
        ...(res ? { fib: { route: res.route, nexthop: res.nexthop } } : {}),
      };
      if (useCache) this.remember(query, decision, now);
      return { ok: true, decision };
    };
    if (isMulticast(src) || isLimitedBroadcast(src)) return martianSource();
    const brdInput = (res: FibResult | null): DecisionOutcome => {
      if (!isZeroNet(src)) {
        const v = this.validateSource(src, 0, tos, '', dev, query.mark ?? 0);
        if (v.errno) return martianSource();
        if (v.value > 0) flags.directSrc = true;
      }
      flags.broadcast = true;
      return localInput('broadcast', res);
    };
    if (isLimitedBroadcast(dst) || (src === 0 && dst === 0)) return brdInput(null);
    if (isZeroNet(src)) return martianSource();
    if (isZeroNet(dst)) return martianDestination();
    const localnet = this.sysctls.conf(dev.name, 'route_localnet') !== 0;
    if (isLoopback(dst)) {
      if (!localnet) return martianDestination();
    } else if (isLoopback(src)) {
      if (!localnet) return martianSource();
    }
    const flow = this.lookupFlow({ dst, src, iif: dev.name, tos, mark: query.mark, proto: query.proto, sport: query.sport, dport: query.dport, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false });
    const lookup = this.fibLookup(flow);
    if (!lookup.ok) {
      const errno: KernelErrno = !forwarding ? 'EHOSTUNREACH' : lookup.errno === 'EAGAIN' ? 'ENETUNREACH' : lookup.errno;
      return localInput('unreachable', null, errno, 'noRoute');
    }
    const res = lookup.res;
    if (res.type === 'broadcast') {
      if (this.sysctls.conf(dev.name, 'bc_forwarding')) return this.makeInputForward(query, dev, res, flow, flags, now, useCache);
      return brdInput(res);
    }
    if (res.type === 'local') {
      const v = this.validateSource(src, dst, tos, '', dev, query.mark ?? 0);
      if (v.errno) return martianSource();
      if (v.value > 0 || this.isDirectSource(src, dev)) flags.directSrc = true;
      return localInput('local', res);
    }
    if (!forwarding) return localInput('unreachable', null, 'EHOSTUNREACH', 'noRoute');
    if (res.type !== 'unicast') return martianDestination();
    return this.makeInputForward(query, dev, res, flow, flags, now, useCache);
  }

  /** ip_mkroute_input / __mkroute_input. */
  private makeInputForward(
    query: RouteQuery & { iif: string; src: number },
    inDev: DeviceState,
    fibRes: FibResult,
    flow: LookupFlow,
    flags: RouteFlags,
    now: Nanos,
    useCache: boolean,
  ): DecisionOutcome {
    let res = fibRes;
    if (res.route.nexthops.length > 1) {
      const bounds = res.route.nexthops.map((nh) => nh.upperBound);
      const hash = multipathHash(flow, this.sysctl('net.ipv4.fib_multipath_hash_policy'));
      res = { ...res, nexthop: selectMultipath(res.route.nexthops, bounds, hash, 0, () => 0) };
    }
    const nh = res.route.nexthops[res.nexthop]!;
    const outDev = this.findDevice(nh.dev);
    if (!outDev) return { ok: false, errno: 'EINVAL' };
    const v = this.validateSource(flow.src, flow.dst, flow.tos, outDev.name, inDev, query.mark ?? 0);
    if (v.errno) return { ok: false, errno: v.errno, dropReason: v.errno === 'EXDEV' ? 'rpFilter' : 'martianSource' };
    if (v.value > 0) flags.directSrc = true;
    let gateway = nh.gateway && nh.scope === RT_SCOPE_LINK ? nh.gateway : 0;
    if (outDev === inDev && v.value > 0 && this.sysctls.conf(outDev.name, 'send_redirects')) {
      if (this.sysctls.conf(outDev.name, 'shared_media') || this.isOnlink(outDev, flow.src, gateway)) flags.doRedirect = true;
    }
    let mtu = res.route.mtu || outDev.mtu;
    let expiresAt = 0;
    let pmtu = 0;
    const exc = this.findException(nh, flow.dst, now);
    if (exc) {
      if (exc.gateway) {
        gateway = exc.gateway;
        flags.redirected = true;
        expiresAt = exc.redirectExpiresAt;
      }
      if (exc.pmtu) {
        mtu = exc.pmtu;
        pmtu = exc.pmtu;
      }
    }
    const decision: RouteDecision = {
      type: 'unicast',
      dst: flow.dst,
      src: flow.src,
      dev: outDev.name,
      gateway,
      table: res.table.id,
      scope: res.scope,
      mtu,
      mtuMetric: res.route.mtu,
      mtuLock: res.route.mtuLock,
      pmtu,
      tos: res.route.tos,
      flags,
      input: true,
      iif: inDev.name,
      forward: true,
      expiresAt,
      fib: { route: res.route, nexthop: res.nexthop },
    };
    if (useCache) this.remember(query, decision, now);
    return { ok: true, decision };
  }

  /** inet_addr_onlink: both addresses in a subnet of the device (gateway 0 counts as on-link). */
  private isOnlink(dev: DeviceState, a: number, b: number): boolean {
    return dev.addresses.some((ifa) => inPrefix(a, ifa.address, ifa.prefixLength) && (!b || inPrefix(b, ifa.address, ifa.prefixLength)));
  }

  // ------------------------------------------------------------------ route cache

  private cacheKey(query: RouteQuery, input: boolean): string {
    return `${input ? 'i' : 'o'}|${query.dst >>> 0}|${(query.src ?? 0) >>> 0}|${query.iif ?? ''}|${query.oif ?? ''}|${query.tos ?? 0}|${query.mark ?? 0}|${query.uid ?? 0}`;
  }

  private remember(query: RouteQuery, decision: RouteDecision, now: Nanos): void {
    const key = this.cacheKey(query, decision.input);
    const existing = this.cache.get(key);
    const entry: RouteCacheEntry = {
      key,
      src: decision.src,
      dst: decision.dst,
      gateway: decision.gateway || (decision.flags.local && decision.input ? decision.dst : decision.dst),
      dev: decision.dev,
      flags: { ...decision.flags },
      input: decision.input,
      use: (existing?.use ?? 0) + 1,
      generation: this.generationCounter,
      volatile: this.lookupIsVolatile,
      lastUsed: now,
      decision,
    };
    this.cache.set(key, entry);
  }

  /** Live per-flow cache entries (what `route -C` lists), oldest first. */
  cacheEntries(now: Nanos): RouteCacheEntry[] {
    const timeout = this.sysctl('net.ipv4.route.gc_timeout') * NANOS_PER_SECOND;
    const out: RouteCacheEntry[] = [];
    for (const [key, entry] of this.cache) {
      if (entry.generation !== this.generationCounter || now - entry.lastUsed > timeout) {
        this.cache.delete(key);
        continue;
      }
      out.push(entry);
    }
    return out;
  }

  // ------------------------------------------------------------------ the routing seam

  private toRoute4(decision: RouteDecision): Route4 {
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

  routeOutput(flow: Flow4, now: Nanos): RouteOutcome {
    const outcome = this.outputDecision(flowToQuery(flow), now);
    if (!outcome.ok) return { ok: false, errno: toErrno(outcome.errno) };
    return { ok: true, route: this.toRoute4(outcome.decision) };
  }

  routeInput(flow: Flow4 & { iif: string; src: number }, now: Nanos): RouteOutcome {
    const outcome = this.inputDecision({ ...flowToQuery(flow), iif: flow.iif, src: flow.src }, now);
    if (!outcome.ok) return { ok: false, errno: toErrno(outcome.errno) };
    if (outcome.decision.error) return { ok: false, errno: toErrno(outcome.decision.error) };
    return { ok: true, route: this.toRoute4(outcome.decision) };
  }

  /**
   * Input route with the drop reason for the datapath's trace (martian source/destination,
   * rp_filter, no route) — routeInput's richer twin.
   */
  routeInputDetailed(flow: Flow4 & { iif: string; src: number }, now: Nanos): DecisionOutcome {
    return this.inputDecision({ ...flowToQuery(flow), iif: flow.iif, src: flow.src }, now);
  }
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

/** EUI-64 link-local address (fe80::/64) from a MAC, as addrconf makes it, in RFC 5952 text. */
export function linkLocalFromMac(mac: Uint8Array): string {
  const b = [...mac];
  while (b.length < 6) b.push(0);
  const words = [0xfe80, 0, 0, 0, ((b[0]! ^ 2) << 8) | b[1]!, (b[2]! << 8) | 0xff, 0xfe00 | b[3]!, (b[4]! << 8) | b[5]!];
  return formatIpv6Words(words);
}

/** RFC 5952: the longest run (2+) of zero words becomes `::`, hex in lower case. */
export function formatIpv6Words(words: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < words.length; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < words.length && words[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
