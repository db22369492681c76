/**
 * Router discovery on a host (RFC 4861 §6.3.4, RFC 4862 §5.5.3, RFC 4191 §2.2): what Linux 6.18's
 * ndisc_router_discovery and addrconf_prefix_rcv make of a router advertisement.
 *
 * Follows, as checked with radvd 2.19 in namespaces on Linux 6.18 (router-discovery.test.ts):
 * - ipv6_accept_ra: a device takes RAs when accept_ra is 1 and it does not forward, or accept_ra is
 *   2; otherwise only the sender's neighbour entry is learnt. The source must be link-local (else
 *   "RA: source address is not link-local", dropped), the hop limit 255 and code 0 (ndisc_rcv).
 * - The default router (accept_ra_defrtr): a route `default via SOURCE dev DEV proto ra metric
 *   ra_defrtr_metric expires LIFETIME pref PREF` (rt6_add_dflt_router), its expiry renewed by each RA,
 *   removed by a router lifetime of 0; the preference taken from the RA unless accept_ra_rtr_pref
 *   is 0 or the value is the reserved one (then medium). A lifetime under accept_ra_min_lft is
 *   ignored. The RA's current hop limit, when not 0 and at least accept_ra_min_hop_limit, becomes
 *   the device's hop_limit, and the MTU option (accept_ra_mtu, 1280 up to the device's MTU) its
 *   `mtu` (mtu6). Linux also puts both on the default route as metrics (`mtu 1400 hoplimit 64`
 *   after `expires`, in `ip -6 route get` through it too), and so does the model.
 * - The sender's neighbour entry: STALE with NTF_ROUTER (ndisc's routerAdvertised).
 * - Prefix information (accept_ra_pinfo): link-local and multicast prefixes and a preferred
 *   lifetime above the valid one are ignored. With L, the prefix route `PREFIX dev DEV proto kernel
 *   metric 256 expires VALID` (none for an infinite lifetime) is added or renewed, and removed by a
 *   valid lifetime of 0. With A and the device's autoconf, a /64 prefix gives the address PREFIX +
 *   EUI-64 of the device's MAC (addr_gen_mode 0; other modes generate nothing here), `dynamic
 *   mngtmpaddr`, through DAD like any other address; a later RA resets its preferred lifetime and
 *   its valid lifetime by RFC 4862 §5.5.3 e)'s two-hour rule (a valid lifetime under the time left
 *   is raised to min(time left, 2 h) unless ra_honor_pio_life), so a prefix is deprecated at once by
 *   a preferred lifetime of 0 and its address then loses source selection to a preferred one.
 *   The address carries `mngtmpaddr`, so kernel/addrconf.ts gives it temporary addresses when
 *   use_tempaddr is above 0 and clamps them at each RA (manage_tempaddrs).
 * Leaves out: route information options (RFC 4191 §2.3), RDNSS/DNSSL, the RA's reachable time and
 * retrans timer, stable-privacy and random interface ids,
 * optimistic DAD, the P flag (ra_honor_pio_pflag), and router solicitations (the host waits for
 * unsolicited RAs).
 */
import { eui64InterfaceId, ipv6FromBytes, isIpv6LinkLocal, isIpv6Multicast, ipv6Network } from '@netloom/wire';
import type { NdpOption, NdpRepr } from '@netloom/wire';
import type { Inet6AddressSpec, Inet6AddressState, Route6DeleteSpec, Route6Mode, Route6Spec } from '../kernel.js';
import type { Fib6Route, Route6Metrics, RouterPreference } from '../fib/fib6.js';
import type { KernelResult } from '../fib/errors.js';
import { RT_TABLE_MAIN, RTPROT_KERNEL } from '../fib/types.js';
import type { DropReason, Nanos } from '../node-host.js';
import type { DeviceView } from '../routing-api.js';

/** RTPROT_RA: routes from router advertisements. */
export const RTPROT_RA = 9;
/** IP6_RT_PRIO_ADDRCONF: the prefix routes' metric. */
const PREFIX_ROUTE_METRIC = 256;
/** MIN_VALID_LIFETIME: RFC 4862 §5.5.3 e)'s two hours. */
export const MIN_VALID_LIFETIME = 2 * 60 * 60;
const INFINITY_LIFE_TIME = 0xffffffff;
/** IPV6_MIN_MTU. */
const IPV6_MIN_MTU = 1280;
const NDISC_HOP_LIMIT = 255;
const SECOND = 1_000_000_000;

export type RouterAdvertisement = Extract<NdpRepr, { kind: 'routerAdvertisement' }>;

/** An RA as the IPv6 layer hands it over (ndisc_rcv's view of the skb). */
export interface ReceivedRouterAdvertisement {
  dev: string;
  source: bigint;
  hopLimit: number;
  code: number;
  message: RouterAdvertisement;
}

/** What router discovery changes in the kernel (kernel.ts's Kernel, the node's control plane). */
export interface RouterDiscoveryKernel {
  device(name: string): DeviceView | undefined;
  /** net.ipv6.conf.SCOPE.KEY (SCOPE all, default or a device); a key that does not exist is a bug and throws. */
  conf6(scope: string, key: string): number;
  /** net.ipv6.conf.DEV.{hop_limit,mtu} set as the kernel sets them. */
  readonly sysctls: { set(name: string, value: number): unknown };
  addresses6Of(dev: string, now: Nanos): readonly Inet6AddressState[];
  addAddress6(dev: string, spec: Inet6AddressSpec, now: Nanos): KernelResult;
  modifyAddress6(dev: string, spec: Inet6AddressSpec, now: Nanos): KernelResult;
  routes6(table: number, now: Nanos): readonly Fib6Route[];
  modifyRoute6(spec: Route6Spec, mode: Route6Mode, now: Nanos): KernelResult;
  deleteRoute6(spec: Route6DeleteSpec, now: Nanos): KernelResult;
}

/** What router discovery needs from NDP and the node. */
export interface RouterDiscoveryHooks {
  /** ndisc's routerAdvertised: the sender becomes a STALE router neighbour. */
  routerAdvertised(dev: string, source: bigint, lladdr: Uint8Array | null, now: Nanos): void;
  drop(dev: string, reason: DropReason, detail: string): void;
}

type PrefixInformation = Extract<NdpOption, { kind: 'prefixInformation' }>;

export class RouterDiscovery {
  /** RAs processed, for tests and statistics. */
  advertisementsAccepted = 0;

  constructor(
    private readonly kernel: RouterDiscoveryKernel,
    private readonly hooks: RouterDiscoveryHooks,
  ) {}

  private conf(dev: string, key: string): number {
    return this.kernel.conf6(dev, key);
  }

  private setConf(dev: string, key: 'hop_limit' | 'mtu', value: number): void {
    this.kernel.sysctls.set(`net.ipv6.conf.${dev}.${key}`, value);
  }

  /** ipv6_accept_ra: accept_ra 1 on a device that does not forward, or 2. */
  acceptsAdvertisements(dev: string): boolean {
    const acceptRa = this.conf(dev, 'accept_ra');
    return this.conf(dev, 'forwarding') !== 0 ? acceptRa === 2 : acceptRa !== 0;
  }

  /** ndisc_router_discovery. */
  processRouterAdvertisement(received: ReceivedRouterAdvertisement, now: Nanos): void {
    const { dev, source, message } = received;
    if (!isIpv6LinkLocal(source)) {
      this.hooks.drop(dev, 'malformed', 'RA: source address is not link-local');
      return;
    }
    if (received.hopLimit !== NDISC_HOP_LIMIT || received.code !== 0) {
      this.hooks.drop(dev, 'malformed', received.hopLimit !== NDISC_HOP_LIMIT ? `NDISC: invalid hop-limit: ${received.hopLimit}` : `NDISC: invalid ICMPv6 code: ${received.code}`);
      return;
    }
    const device = this.kernel.device(dev);
    if (device === undefined) return;
    const lladdrOption = message.options.find((o) => o.kind === 'sourceLinkLayerAddress');
    const lladdr = lladdrOption?.kind === 'sourceLinkLayerAddress' && lladdrOption.address.length === 6 ? lladdrOption.address : null;
    const accepted = this.acceptsAdvertisements(dev);
    if (accepted) {
      this.advertisementsAccepted++;
      if (this.conf(dev, 'accept_ra_defrtr') !== 0) this.defaultRouter(dev, source, message, now);
      if (message.currentHopLimit !== 0 && this.conf(dev, 'accept_ra_min_hop_limit') <= message.currentHopLimit) this.setConf(dev, 'hop_limit', message.currentHopLimit);
    }
    this.hooks.routerAdvertised(dev, source, lladdr, now);
    if (!accepted) return;
    if (this.conf(dev, 'accept_ra_pinfo') !== 0) {
      for (const option of message.options) if (option.kind === 'prefixInformation') this.processPrefix(dev, option, now);
    }
    const mtuOption = message.options.find((o) => o.kind === 'mtu');
    if (mtuOption?.kind === 'mtu' && this.conf(dev, 'accept_ra_mtu') !== 0) {
      if (mtuOption.mtu < IPV6_MIN_MTU || mtuOption.mtu > device.mtu) this.hooks.drop(dev, 'malformed', `RA: invalid mtu: ${mtuOption.mtu}`);
      else if (this.conf(dev, 'mtu') !== mtuOption.mtu) this.setConf(dev, 'mtu', mtuOption.mtu);
    }
  }

  /** The default router part of ndisc_router_discovery: add, renew or remove `default via SOURCE`. */
  private defaultRouter(dev: string, source: bigint, message: RouterAdvertisement, now: Nanos): void {
    const lifetime = message.routerLifetime;
    if (lifetime !== 0 && lifetime < this.conf(dev, 'accept_ra_min_lft')) return;
    const pref: RouterPreference = message.preference === 'reserved' || this.conf(dev, 'accept_ra_rtr_pref') === 0 ? 'medium' : message.preference;
    const existing = this.kernel.routes6(RT_TABLE_MAIN, now).find((r) => r.prefixLength === 0 && r.protocol === RTPROT_RA && r.gateway === source && r.dev === dev);
    if (existing !== undefined && (lifetime === 0 || existing.pref !== pref)) {
      this.kernel.deleteRoute6({ table: RT_TABLE_MAIN, dst: 0n, prefixLength: 0, metric: existing.metric, gateway: source, dev, protocol: RTPROT_RA }, now);
    }
    if (lifetime === 0) return;
    const metrics = this.defaultRouteMetrics(dev, message);
    const spec: Route6Spec = {
      table: RT_TABLE_MAIN,
      dst: 0n,
      prefixLength: 0,
      type: 'unicast',
      protocol: RTPROT_RA,
      metric: this.conf(dev, 'ra_defrtr_metric'),
      nexthops: [{ gateway: source, dev }],
      prefsrc: 0n,
      pref,
      expires: lifetime,
      metrics,
    };
    // A route already there takes the new expiry (fib6_set_expires through rt6_duplicate_nexthop)
    // and the RA's metrics (fib6_metric_set).
    this.kernel.modifyRoute6(spec, 'append', now);
    const route = this.kernel.routes6(RT_TABLE_MAIN, now).find((r) => r.prefixLength === 0 && r.protocol === RTPROT_RA && r.gateway === source && r.dev === dev);
    if (route !== undefined) route.metrics = { ...route.metrics, ...metrics };
  }

  /**
   * ndisc_router_discovery's fib6_metric_set on the default route: RTAX_HOPLIMIT from the RA's
   * current hop limit (when not 0 and at least accept_ra_min_hop_limit), RTAX_MTU from its MTU
   * option (accept_ra_mtu, 1280 up to the device's MTU) — `mtu 1400 hoplimit 64` in `ip -6 route`.
   */
  private defaultRouteMetrics(dev: string, message: RouterAdvertisement): Route6Metrics {
    const metrics: Route6Metrics = {};
    const mtuOption = message.options.find((o) => o.kind === 'mtu');
    const deviceMtu = this.kernel.device(dev)?.mtu ?? IPV6_MIN_MTU;
    if (mtuOption?.kind === 'mtu' && this.conf(dev, 'accept_ra_mtu') !== 0 && mtuOption.mtu >= IPV6_MIN_MTU && mtuOption.mtu <= deviceMtu) metrics.mtu = mtuOption.mtu;
    if (message.currentHopLimit !== 0 && this.conf(dev, 'accept_ra_min_hop_limit') <= message.currentHopLimit) metrics.hoplimit = message.currentHopLimit;
    return metrics;
  }

  /** addrconf_prefix_rcv. */
  private processPrefix(dev: string, option: PrefixInformation, now: Nanos): void {
    if (option.prefix.length !== 16 || option.prefixLength > 128) {
      this.hooks.drop(dev, 'malformed', 'addrconf: prefix option too short');
      return;
    }
    const prefix = ipv6Network(ipv6FromBytes(option.prefix), option.prefixLength);
    if (isIpv6Multicast(prefix) || isIpv6LinkLocal(prefix)) return;
    const { validLifetime, preferredLifetime } = option;
    if (preferredLifetime > validLifetime) {
      this.hooks.drop(dev, 'malformed', 'addrconf: prefix option has invalid lifetime');
      return;
    }
    if (option.onLink) this.prefixRoute(dev, prefix, option.prefixLength, validLifetime, now);
    if (!option.autonomous || this.conf(dev, 'autoconf') === 0) return;
    if (option.prefixLength !== 64) return;
    if (validLifetime !== 0 && validLifetime < this.conf(dev, 'accept_ra_min_lft')) return;
    const device = this.kernel.device(dev);
    if (device === undefined || this.conf(dev, 'addr_gen_mode') !== 0) return;
    this.autoconfAddress(dev, prefix | eui64InterfaceId(device.mac), validLifetime, preferredLifetime, now);
  }

  /** The on-link part of addrconf_prefix_rcv: the prefix route added, renewed or removed. */
  private prefixRoute(dev: string, prefix: bigint, prefixLength: number, validLifetime: number, now: Nanos): void {
    const existing = this.kernel.routes6(RT_TABLE_MAIN, now).find((r) => r.dst === prefix && r.prefixLength === prefixLength && r.dev === dev && r.gateway === 0n && r.protocol === RTPROT_KERNEL && r.type === 'unicast');
    if (validLifetime === 0) {
      if (existing !== undefined) this.kernel.deleteRoute6({ table: RT_TABLE_MAIN, dst: prefix, prefixLength, metric: existing.metric, dev, protocol: RTPROT_KERNEL }, now);
      return;
    }
    const spec: Route6Spec = {
      table: RT_TABLE_MAIN,
      dst: prefix,
      prefixLength,
      type: 'unicast',
      protocol: RTPROT_KERNEL,
      metric: existing?.metric ?? PREFIX_ROUTE_METRIC,
      nexthops: [{ gateway: 0n, dev }],
      prefsrc: 0n,
      pref: 'medium',
      ...(validLifetime !== INFINITY_LIFE_TIME ? { expires: validLifetime } : {}),
    };
    this.kernel.modifyRoute6(spec, 'append', now);
  }

  /** addrconf_prefix_rcv_add_addr: the SLAAC address created, or its lifetimes updated (RFC 4862 §5.5.3 d, e). */
  private autoconfAddress(dev: string, address: bigint, validLifetime: number, preferredLifetime: number, now: Nanos): void {
    const existing = this.kernel.addresses6Of(dev, now).find((s) => s.address.address === address);
    // autoconf: the prefix route is the one processPrefix keeps, not the address's own.
    const spec: Inet6AddressSpec = { address, prefixLength: 64, mngtmpaddr: true, autoconf: true, validLft: validLifetime, preferredLft: preferredLifetime };
    if (existing === undefined) {
      if (validLifetime !== 0) this.kernel.addAddress6(dev, spec, now);
      return;
    }
    const ifa = existing.address;
    const age = Math.floor((now - ifa.tstamp) / SECOND);
    const storedLifetime = ifa.permanent ? INFINITY_LIFE_TIME : Math.max(0, ifa.validLft - age);
    if (storedLifetime === 0) return;
    let valid = validLifetime;
    if (this.conf(dev, 'ra_honor_pio_life') === 0) valid = Math.max(valid, Math.min(storedLifetime, MIN_VALID_LIFETIME));
    this.kernel.modifyAddress6(dev, { ...spec, validLft: valid, nodad: ifa.nodad, home: ifa.home, noprefixroute: ifa.noprefixroute }, now);
  }
}
