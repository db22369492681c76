/**
 * IPv6 addresses on devices (net/ipv6/addrconf.c): the per-device address list, the link-local
 * address a device gets when it becomes ready, duplicate address detection's timing, lifetimes,
 * and the routes an address brings (its prefix route in `main`, its `local` route in `local`).
 *
 * Follows, on Linux 6.18 with iproute2 6.1 (checked in namespaces, see addrconf.test.ts):
 * - addrconf_notify: NETDEV_UP or NETDEV_CHANGE with carrier makes the device ready
 *   (addrconf_link_ready): the `multicast ff00::/8` route in `local`, then for an Ethernet device
 *   with addr_gen_mode 0 (eui64) the link-local fe80::EUI-64/64 (addrconf_addr_gen, RFC 4291
 *   appendix A) and its fe80::/64 prefix route; mode 1 (none) adds neither. The loopback gets ::1/128
 *   (init_loopback, no prefix route, no DAD). NETDEV_DOWN removes every address and every route
 *   through the device (addrconf_ifdown with keep_addr_on_down 0, fib6_ifdown). Carrier loss keeps
 *   the addresses (the routes show `linkdown`).
 * - inet6_addr_add: the scope comes from the address (a `scope` given is ignored), the same address
 *   twice on a device is EEXIST "ipv6: address already assigned" whatever its prefix length; a
 *   finite valid_lft makes the address `dynamic` and its prefix route `expires`; preferred_lft 0
 *   makes it `deprecated` at once. The prefix route is added while the device is up unless
 *   `noprefixroute` (addrconf_prefix_route; one route per prefix). Deleting a permanent address
 *   deletes the route unless another address of the prefix keeps it (check_cleanup_prefix_route);
 *   a dynamic address's route stays until it expires.
 * - ipv6_link_dev_addr: the list is ordered by scope, widest first (global, site, link, host), the
 *   newest first within a scope.
 * - DAD (addrconf_dad_start/addrconf_dad_work): an address is `tentative` for dad_transmits ×
 *   retrans_time after the device is ready (or at once with `nodad`, on the loopback, with
 *   dad_transmits 0 or accept_dad off for both `all` and the device); its `local` route is added when
 *   DAD completes. Linux first waits a random 0–rtr_solicit_delay before the first probe: with a
 *   DAD prober registered (the node's ipv6/addrconf-probes.ts, which draws it from the node's PRNG
 *   and sends the probes) that delay is added; without one (a kernel on its own) it is 0. (Linux
 *   keeps an address tentative for that delay even with dad_transmits 0; here dad_transmits 0 skips
 *   DAD.) `dadfailed` comes from NDP (dadFailed()).
 * - inet6_fill_ifaddr / addrconf_verify: lifetimes count from the address's timestamp; the address
 *   is deprecated once its preferred lifetime passes and removed once its valid lifetime passes.
 *
 * Time: the kernel has no clock; whoever calls with the current time advances this module first
 * (`observe(now)`), which carries out, in order, what fell due since (DAD completions, expiries):
 * what any reader sees at `now` is what Linux's timers would have made of it.
 * IPv6 changes do not bump the IPv4 routing generation nor reach the IPv4 change listeners (an
 * IPv4 flow's cached route does not depend on them).
 * Bounded: at most MAX_ADDRESSES6_PER_DEVICE addresses per device (ENOBUFS beyond).
 * - Temporary addresses (RFC 8981; kernel/temporary-addresses.ts computes them): with use_tempaddr
 *   above 0, an address with `mngtmpaddr` (SLAAC's, or one `ip -6 addr add … mngtmpaddr` gives) gets a
 *   `temporary dynamic` address of its /64 with a random interface identifier from the node's PRNG
 *   (ipv6_create_tempaddr), through DAD; new lifetimes of the public address clamp its temporaries,
 *   and a device without any temporary gets one (manage_tempaddrs). REGEN_ADVANCE seconds before a
 *   temporary's preferred lifetime ends, a new one is made (addrconf_verify); the old one is
 *   deprecated, then expires. A temporary that fails DAD is deleted and another made; past
 *   regen_max_retry attempts the device's use_tempaddr becomes -1 (temporaries disabled, logged), as
 *   Linux does. Deleting a `mngtmpaddr` address, or dropping the flag, deletes its temporaries (Linux
 *   6.18's inet6_addr_del and inet6_addr_modify, seen in a namespace).
 * Leaves out SLAAC itself (ipv6/router-discovery.ts), stable-privacy and random addr_gen_modes, optimistic DAD, keep_addr_on_down, anycast routes of a forwarding device, and
 * the NDP messages of DAD themselves (ipv6/addrconf-probes.ts and neigh/ndisc.ts send them).
 */
import { eui64InterfaceId, IPV6_LOOPBACK, ipv6AddressScope, ipv6Network, LINK_LOCAL_PREFIX, rtScopeOfIpv6, type Ipv6Number } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import { fail, OK, type KernelResult } from '../fib/errors.js';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, RTPROT_KERNEL } from '../fib/types.js';
import type { DeviceState, DeviceTable, NetdevEvent, NetdevListener } from './devices.js';
import type { Fib6 } from '../fib/fib6.js';
import { clampedTemporaryLifetimes, desyncFactor, randomTemporaryAddress, temporaryLifetimes, regenAdvance, type RandomSource, type TempaddrConf } from './temporary-addresses.js';

/** INFINITY_LIFE_TIME: `forever`. */
export const INFINITY_LIFE_TIME = 0xffffffff;
export const MAX_ADDRESSES6_PER_DEVICE = 4096;
/** IP6_RT_PRIO_ADDRCONF: the metric of the kernel's prefix routes. */
export const IP6_RT_PRIO_ADDRCONF = 256;
const SECOND = 1_000_000_000;

/** One IPv6 address on a device (inet6_ifaddr). */
export interface Inet6Address {
  address: Ipv6Number;
  prefixLength: number;
  /** rtnetlink scope shown by `ip` (0 global, 200 site, 253 link, 254 host). */
  scope: number;
  nodad: boolean;
  home: boolean;
  noprefixroute: boolean;
  mngtmpaddr: boolean;
  /** IFA_F_SECONDARY on IPv6: a temporary (privacy) address. */
  temporary: boolean;
  dadfailed: boolean;
  /** IFA_F_PERMANENT: valid forever (else `dynamic`). */
  permanent: boolean;
  /** Lifetimes in seconds as given (INFINITY_LIFE_TIME for forever). */
  validLft: number;
  preferredLft: number;
  /** ifa->tstamp: when the lifetimes started. */
  tstamp: Nanos;
  /** When DAD completes; Infinity while the device is not ready; null once done. */
  dadEndsAt: Nanos | null;
  /** Metric of the prefix route (`metric N`, else 256). */
  metric: number;
  /** ifpub: the public address a temporary was made for (null for any other address, or once it is gone). */
  publicAddress: Inet6Address | null;
  /** cstamp: when a temporary was created (its tstamp is its public address's). */
  cstamp: Nanos;
  /** regen_count: temporaries made from this public address since the last regeneration (or, on a temporary, 1 once it was regenerated). */
  regenCount: number;
  /** addrconf keeps a prefix route for it (not with noprefixroute, nor for the loopback's ::1). */
  prefixRoute: boolean;
}

/** What `ip -6 addr add` and the kernel's own callers give. */
export interface Inet6AddressSpec {
  address: Ipv6Number;
  prefixLength: number;
  nodad?: boolean;
  home?: boolean;
  noprefixroute?: boolean;
  mngtmpaddr?: boolean;
  temporary?: boolean;
  validLft?: number;
  preferredLft?: number;
  metric?: number;
  /** init_loopback's ::1: no prefix route, and no `noprefixroute` flag shown either. */
  loopbackAddress?: boolean;
  /** addrconf_prefix_rcv's SLAAC address: router discovery keeps the prefix route, not the address. */
  autoconf?: boolean;
}

/** An address as a reader sees it at a time: its derived states. */
export interface Inet6AddressState {
  address: Inet6Address;
  tentative: boolean;
  deprecated: boolean;
  /** Remaining lifetimes as `ip` shows them (inet6_fill_ifaddr), INFINITY_LIFE_TIME for forever. */
  validLeft: number;
  preferredLeft: number;
}

/** The per-device IPv6 settings addrconf reads (net.ipv6.conf.DEV.* and net.ipv6.neigh.DEV.retrans_time_ms). */
export type Ipv6ConfReader = (
  dev: string,
  name: 'addr_gen_mode' | 'dad_transmits' | 'accept_dad' | 'retrans_time_ms' | 'use_tempaddr' | 'temp_valid_lft' | 'temp_prefered_lft' | 'max_desync_factor' | 'regen_max_retry' | 'regen_min_advance',
) => number;

/**
 * ipv6_create_tempaddr gave up on `dev` (regen_max_retry attempts): the kernel sets its use_tempaddr to
 * -1 and logs "regeneration time exceeded - disabled temporary address support".
 */
export type TempaddrDisabled = (dev: string, now: Nanos) => void;

/** Who sends DAD's probes (ipv6/addrconf-probes.ts): told when DAD begins, it answers the initial delay. */
export interface DadProber {
  dadStarted(dev: string, address: Ipv6Number, transmits: number, retrans: Nanos, now: Nanos): Nanos;
}

interface Inet6Device {
  /** IF_READY: configured (up with carrier) since the last NETDEV_DOWN. */
  ready: boolean;
  addresses: Inet6Address[];
  /** desync_factor for its temporaries (null until drawn). */
  desyncFactor: number | null;
}

/** Scope order of the address list (ipv6_link_dev_addr): widest first. */
function listRank(address: Ipv6Number): number {
  return -ipv6AddressScope(address);
}

export class Addrconf implements NetdevListener {
  private readonly state = new Map<DeviceState, Inet6Device>();
  /** The latest time a caller gave (netdevice events happen "now"). */
  private clock: Nanos = 0;
  private nextEventAt = Infinity;
  private prober: DadProber | undefined;

  constructor(
    private readonly devices: DeviceTable,
    private readonly fib: Fib6,
    private readonly conf: Ipv6ConfReader,
    private readonly random: RandomSource,
    private readonly tempaddrDisabled: TempaddrDisabled,
  ) {
    devices.registerNetdevListener(this);
  }

  /** The node's DAD prober (once): from now on DAD starts after its initial delay and its probes go out. */
  registerDadProber(prober: DadProber): void {
    if (this.prober !== undefined) throw new Error('addrconf already has a DAD prober');
    this.prober = prober;
  }

  // ------------------------------------------------------------------ time

  /** The latest time a caller gave. */
  get now(): Nanos {
    return this.clock;
  }

  /** Carry out what fell due up to `now` (DAD completions, deprecation is derived, expiry). */
  observe(now: Nanos): void {
    if (now > this.clock) this.clock = now;
    // A regeneration adds an address whose own events may already be due: go round until none is.
    while (now >= this.nextEventAt) this.carryOut(now);
  }

  private carryOut(now: Nanos): void {
    this.nextEventAt = Infinity;
    let next = Infinity;
    for (const [dev, idev] of this.state) {
      for (const ifa of [...idev.addresses]) {
        if (ifa.dadEndsAt !== null && ifa.dadEndsAt <= now) this.dadCompleted(dev, ifa);
        const expiresAt = this.expiresAt(ifa);
        if (expiresAt !== null && expiresAt <= now) {
          this.deleteIfaddr(dev, idev, ifa);
          continue;
        }
        const regenerateAt = this.regenerateAt(dev, ifa);
        if (regenerateAt !== null && regenerateAt <= now) this.regenerate(dev, idev, ifa, regenerateAt);
        else if (regenerateAt !== null && regenerateAt < next) next = regenerateAt;
        if (ifa.dadEndsAt !== null && ifa.dadEndsAt < next) next = ifa.dadEndsAt;
        if (expiresAt !== null && expiresAt < next) next = expiresAt;
      }
    }
    // schedule() has lowered nextEventAt for what the loop added.
    this.nextEventAt = Math.min(next, this.nextEventAt);
  }

  /**
   * addrconf_verify's temporary branch: REGEN_ADVANCE before a temporary's preferred lifetime ends
   * (once it passed DAD, not yet regenerated, its public address still there), null when never.
   */
  private regenerateAt(dev: DeviceState, ifa: Inet6Address): Nanos | null {
    if (!ifa.temporary || ifa.dadEndsAt !== null || ifa.regenCount !== 0 || ifa.publicAddress === null || ifa.preferredLft === INFINITY_LIFE_TIME) return null;
    return ifa.tstamp + (ifa.preferredLft - regenAdvance(this.tempaddrConf(dev.name))) * SECOND;
  }

  private regenerate(dev: DeviceState, idev: Inet6Device, ifa: Inet6Address, at: Nanos): void {
    const ifpub = ifa.publicAddress;
    if (ifpub === null) return;
    ifa.regenCount++;
    ifpub.regenCount = 0;
    this.createTemporary(dev, idev, ifpub, at);
  }

  private expiresAt(ifa: Inet6Address): Nanos | null {
    return ifa.permanent ? null : ifa.tstamp + ifa.validLft * SECOND;
  }

  private schedule(at: Nanos | null): void {
    if (at !== null && at < this.nextEventAt) this.nextEventAt = at;
  }

  // ------------------------------------------------------------------ reading

  private idev(dev: DeviceState): Inet6Device {
    let idev = this.state.get(dev);
    if (!idev) {
      idev = { ready: false, addresses: [], desyncFactor: null };
      this.state.set(dev, idev);
    }
    return idev;
  }

  /** The addresses of a device with their states at `now`, in list order. */
  of(name: string, now: Nanos): Inet6AddressState[] {
    this.observe(now);
    const dev = this.devices.find(name);
    if (!dev) return [];
    return (this.state.get(dev)?.addresses ?? []).map((a) => this.stateOf(a, now));
  }

  /** inet6_fill_ifaddr's lifetimes and the derived flags. */
  stateOf(ifa: Inet6Address, now: Nanos): Inet6AddressState {
    let validLeft = INFINITY_LIFE_TIME;
    let preferredLeft = INFINITY_LIFE_TIME;
    // A permanent address shows forever only while its preferred lifetime is (`valid_lft forever
    // preferred_lft 0` shows `preferred_lft 0sec`).
    if (!(ifa.permanent && ifa.preferredLft === INFINITY_LIFE_TIME)) {
      validLeft = ifa.validLft;
      preferredLeft = ifa.preferredLft;
      // As the kernel: the valid lifetime counts down only when the preferred one is finite.
      if (preferredLeft !== INFINITY_LIFE_TIME) {
        const age = Math.floor((now - ifa.tstamp) / SECOND);
        preferredLeft = Math.max(0, preferredLeft - age);
        if (validLeft !== INFINITY_LIFE_TIME) validLeft = Math.max(0, validLeft - age);
      }
    }
    const deprecated = ifa.preferredLft !== INFINITY_LIFE_TIME && now >= ifa.tstamp + ifa.preferredLft * SECOND;
    return { address: ifa, tentative: ifa.dadEndsAt !== null, deprecated, validLeft, preferredLeft };
  }

  /** Every address of every device at `now` with its device, in device then list order. */
  all(now: Nanos): { dev: DeviceState; state: Inet6AddressState }[] {
    this.observe(now);
    const out: { dev: DeviceState; state: Inet6AddressState }[] = [];
    for (const dev of this.devices.all()) for (const a of this.state.get(dev)?.addresses ?? []) out.push({ dev, state: this.stateOf(a, now) });
    return out;
  }

  /** ipv6_chk_addr: an address of this node that is not tentative. */
  isLocalAddress(address: Ipv6Number, now: Nanos): boolean {
    this.observe(now);
    for (const idev of this.state.values()) if (idev.addresses.some((a) => a.address === address && a.dadEndsAt === null && !a.dadfailed)) return true;
    return false;
  }

  // ------------------------------------------------------------------ changes

  /** inet6_addr_add. */
  add(name: string, spec: Inet6AddressSpec, now: Nanos): KernelResult {
    this.observe(now);
    if (spec.mngtmpaddr && spec.prefixLength !== 64) return fail('EINVAL', 'ipv6: address with "mngtmpaddr" flag must have a prefix length of 64');
    const dev = this.devices.find(name);
    if (!dev) return fail('ENODEV');
    const idev = this.idev(dev);
    if (idev.addresses.some((a) => a.address === spec.address)) return fail('EEXIST', 'ipv6: address already assigned');
    if (idev.addresses.length >= MAX_ADDRESSES6_PER_DEVICE) return fail('ENOBUFS');
    const validLft = spec.validLft ?? INFINITY_LIFE_TIME;
    const ifa: Inet6Address = {
      address: spec.address,
      prefixLength: spec.prefixLength,
      scope: rtScopeOfIpv6(spec.address),
      nodad: spec.nodad ?? false,
      home: spec.home ?? false,
      noprefixroute: spec.noprefixroute ?? false,
      mngtmpaddr: spec.mngtmpaddr ?? false,
      temporary: spec.temporary ?? false,
      dadfailed: false,
      permanent: validLft === INFINITY_LIFE_TIME,
      validLft,
      preferredLft: spec.preferredLft ?? INFINITY_LIFE_TIME,
      tstamp: now,
      dadEndsAt: null,
      metric: spec.metric || IP6_RT_PRIO_ADDRCONF,
      prefixRoute: !(spec.noprefixroute ?? false) && !(spec.loopbackAddress ?? false) && !(spec.autoconf ?? false) && !(spec.temporary ?? false),
      publicAddress: null,
      cstamp: now,
      regenCount: 0,
    };
    this.link(idev, ifa);
    if (dev.adminUp) this.addPrefixRoute(dev, ifa);
    this.startDad(dev, idev, ifa);
    this.schedule(this.expiresAt(ifa));
    if (ifa.mngtmpaddr) this.manageTemporaries(dev, idev, ifa, ifa.validLft, ifa.preferredLft, true, now);
    return OK;
  }

  /** ipv6_link_dev_addr. */
  private link(idev: Inet6Device, ifa: Inet6Address): void {
    const rank = listRank(ifa.address);
    let index = idev.addresses.findIndex((a) => listRank(a.address) >= rank);
    if (index < 0) index = idev.addresses.length;
    idev.addresses.splice(index, 0, ifa);
  }

  /** inet6_addr_modify (`ip -6 addr change|replace` of an existing address): lifetimes and flags. */
  modify(name: string, spec: Inet6AddressSpec, now: Nanos): KernelResult {
    this.observe(now);
    const dev = this.devices.find(name);
    const ifa = dev && this.state.get(dev)?.addresses.find((a) => a.address === spec.address);
    if (!dev || !ifa) return fail('ENOENT');
    const hadRoute = ifa.prefixRoute;
    const wasManaging = ifa.mngtmpaddr;
    ifa.validLft = spec.validLft ?? INFINITY_LIFE_TIME;
    ifa.preferredLft = spec.preferredLft ?? INFINITY_LIFE_TIME;
    ifa.permanent = ifa.validLft === INFINITY_LIFE_TIME;
    ifa.tstamp = now;
    ifa.home = spec.home ?? false;
    ifa.nodad = spec.nodad ?? false;
    ifa.mngtmpaddr = spec.mngtmpaddr ?? false;
    ifa.noprefixroute = spec.noprefixroute ?? false;
    ifa.prefixRoute = !ifa.noprefixroute && ifa.address !== IPV6_LOOPBACK && !(spec.autoconf ?? false);
    if (spec.metric) ifa.metric = spec.metric;
    if (hadRoute && !ifa.prefixRoute) this.removePrefixRoute(dev, ifa);
    if (dev.adminUp) this.addPrefixRoute(dev, ifa, true);
    this.schedule(this.expiresAt(ifa));
    const idev = this.idev(dev);
    // inet6_addr_modify: dropping mngtmpaddr deletes the temporaries (6.18), adding it makes one.
    if (wasManaging && !ifa.mngtmpaddr) this.deleteTemporariesOf(dev, idev, ifa);
    else if (ifa.mngtmpaddr) this.manageTemporaries(dev, idev, ifa, ifa.validLft, ifa.preferredLft, !wasManaging, now);
    return OK;
  }

  /** inet6_addr_del: address and prefix length must both match. */
  delete(name: string, address: Ipv6Number, prefixLength: number, now: Nanos): KernelResult {
    this.observe(now);
    const dev = this.devices.find(name);
    if (!dev) return fail('ENODEV');
    const idev = this.state.get(dev);
    const ifa = idev?.addresses.find((a) => a.address === address && a.prefixLength === prefixLength);
    if (!idev || !ifa) return fail('EADDRNOTAVAIL', 'ipv6: address not found');
    this.deleteAddress(dev, idev, ifa);
    return OK;
  }

  /** `ip -6 addr flush`: every address `select` picks, in list order. */
  flush(name: string, select: (state: Inet6AddressState) => boolean, now: Nanos): KernelResult {
    this.observe(now);
    const dev = this.devices.find(name);
    if (!dev) return fail('ENODEV');
    const idev = this.state.get(dev);
    if (!idev) return OK;
    for (const ifa of [...idev.addresses]) if (idev.addresses.includes(ifa) && select(this.stateOf(ifa, now))) this.deleteAddress(dev, idev, ifa);
    return OK;
  }

  /** inet6_addr_del: a public `mngtmpaddr` address takes its temporaries with it (Linux 6.18). */
  private deleteAddress(dev: DeviceState, idev: Inet6Device, ifa: Inet6Address): void {
    if (!ifa.temporary && ifa.mngtmpaddr) this.deleteTemporariesOf(dev, idev, ifa);
    this.deleteIfaddr(dev, idev, ifa);
  }

  private deleteTemporariesOf(dev: DeviceState, idev: Inet6Device, ifpub: Inet6Address): void {
    for (const ift of idev.addresses.filter((a) => a.publicAddress === ifpub)) this.deleteIfaddr(dev, idev, ift);
  }

  // ------------------------------------------------------------------ temporary addresses (RFC 8981)

  private tempaddrConf(dev: string): TempaddrConf {
    return {
      tempValidLft: this.conf(dev, 'temp_valid_lft'),
      tempPreferedLft: this.conf(dev, 'temp_prefered_lft'),
      maxDesyncFactor: this.conf(dev, 'max_desync_factor'),
      regenMaxRetry: this.conf(dev, 'regen_max_retry'),
      regenMinAdvance: this.conf(dev, 'regen_min_advance'),
      dadTransmits: this.conf(dev, 'dad_transmits'),
      retransTimeMs: this.conf(dev, 'retrans_time_ms'),
    };
  }

  /**
   * manage_tempaddrs: the public address's new lifetimes clamp its temporaries (each at most what is
   * left of temp_valid_lft / temp_prefered_lft − desync since it was made); a new temporary when
   * asked (`create`), or when the device has none and the lifetimes are not both 0.
   */
  private manageTemporaries(dev: DeviceState, idev: Inet6Device, ifpub: Inet6Address, validLft: number, preferredLft: number, create: boolean, now: Nanos): void {
    const conf = this.tempaddrConf(dev.name);
    let lifetimes = { validLft, preferredLft };
    for (const ift of idev.addresses) {
      if (ift.publicAddress !== ifpub) continue;
      lifetimes = clampedTemporaryLifetimes(lifetimes, Math.floor((now - ift.cstamp) / SECOND), idev.desyncFactor ?? 0, conf);
      ift.validLft = lifetimes.validLft;
      ift.preferredLft = lifetimes.preferredLft;
      ift.tstamp = now;
      this.schedule(this.expiresAt(ift));
    }
    const anyTemporary = idev.addresses.some((a) => a.temporary);
    if (!anyTemporary && (validLft !== 0 || preferredLft !== 0)) create = true;
    if (create && this.conf(dev.name, 'use_tempaddr') > 0) this.createTemporary(dev, idev, ifpub, now);
  }

  /** ipv6_create_tempaddr: a temporary address for `ifpub` at `now`, through DAD. */
  private createTemporary(dev: DeviceState, idev: Inet6Device, ifpub: Inet6Address, now: Nanos): void {
    for (;;) {
      if (this.conf(dev.name, 'use_tempaddr') <= 0) return;
      const conf = this.tempaddrConf(dev.name);
      if (ifpub.regenCount++ >= conf.regenMaxRetry) {
        this.tempaddrDisabled(dev.name, now);
        return;
      }
      const address = randomTemporaryAddress(ifpub.address, this.random);
      const age = Math.floor((now - ifpub.tstamp) / SECOND);
      idev.desyncFactor = desyncFactor(idev.desyncFactor, conf, this.random);
      const lifetimes = temporaryLifetimes(ifpub, age, idev.desyncFactor, conf);
      if (lifetimes === null) return;
      // ipv6_add_addr refuses an address the device has: draw again.
      if (idev.addresses.some((a) => a.address === address) || idev.addresses.length >= MAX_ADDRESSES6_PER_DEVICE) continue;
      const ift: Inet6Address = {
        address,
        prefixLength: ifpub.prefixLength,
        scope: rtScopeOfIpv6(address),
        nodad: false,
        home: false,
        noprefixroute: false,
        mngtmpaddr: false,
        temporary: true,
        dadfailed: false,
        permanent: false,
        validLft: lifetimes.validLft,
        preferredLft: lifetimes.preferredLft,
        tstamp: ifpub.tstamp,
        dadEndsAt: null,
        metric: IP6_RT_PRIO_ADDRCONF,
        prefixRoute: false,
        publicAddress: ifpub,
        cstamp: now,
        regenCount: 0,
      };
      this.link(idev, ift);
      this.startDad(dev, idev, ift, now);
      this.schedule(this.expiresAt(ift));
      this.schedule(this.regenerateAt(dev, ift));
      return;
    }
  }

  /** addrconf_dad_failure: an NS or NA for a tentative address arrived (NDP tells). True when it failed DAD now. */
  dadFailed(name: string, address: Ipv6Number, now: Nanos): boolean {
    this.observe(now);
    const dev = this.devices.find(name);
    const ifa = dev && this.state.get(dev)?.addresses.find((a) => a.address === address && a.dadEndsAt !== null);
    if (!ifa || ifa.dadfailed) return false;
    if (ifa.temporary && dev) {
      // addrconf_dad_stop: a temporary that failed DAD goes, and another is made for its public address.
      const idev = this.idev(dev);
      const ifpub = ifa.publicAddress;
      if (ifpub !== null && idev.addresses.includes(ifpub)) this.createTemporary(dev, idev, ifpub, now);
      this.deleteIfaddr(dev, idev, ifa);
      return true;
    }
    ifa.dadfailed = true;
    // The address stays tentative for good: DAD does not complete.
    ifa.dadEndsAt = Infinity;
    return true;
  }

  // ------------------------------------------------------------------ netdevice events

  netdevEvent(event: NetdevEvent, dev: DeviceState): void {
    if (event.type === 'changename') {
      this.fib.renameDevice(event.from, dev.name);
      return;
    }
    const idev = this.idev(dev);
    if (event.type === 'down') {
      this.ifdown(dev, idev);
      return;
    }
    if (event.type === 'up') {
      // addrconf_permanent_addr: the prefix routes of addresses given while down.
      for (const ifa of idev.addresses) this.addPrefixRoute(dev, ifa);
    }
    if (!dev.adminUp || !dev.carrier || idev.ready) return;
    idev.ready = true;
    this.devConfig(dev, idev);
    // addrconf_dad_run: DAD of addresses that waited for the link.
    for (const ifa of idev.addresses) if (ifa.dadEndsAt === Infinity && !ifa.dadfailed) this.startDad(dev, idev, ifa);
  }

  /** addrconf_dev_config / init_loopback. */
  private devConfig(dev: DeviceState, idev: Inet6Device): void {
    const now = this.clock;
    if (dev.kind === 'loopback') {
      if (!idev.addresses.some((a) => a.address === IPV6_LOOPBACK)) this.add(dev.name, { address: IPV6_LOOPBACK, prefixLength: 128, loopbackAddress: true }, now);
      return;
    }
    this.fib.insert(
      { table: RT_TABLE_LOCAL, dst: 0xffn << 120n, prefixLength: 8, type: 'multicast', protocol: RTPROT_KERNEL, metric: IP6_RT_PRIO_ADDRCONF, dev: dev.name, gateway: 0n, prefsrc: 0n, pref: 'medium', expiresAt: null, onlink: false },
      'append',
      now,
    );
    if (this.conf(dev.name, 'addr_gen_mode') !== 0) return;
    const linkLocal = LINK_LOCAL_PREFIX | eui64InterfaceId(dev.mac);
    if (!this.idev(dev).addresses.some((a) => a.address === linkLocal)) this.add(dev.name, { address: linkLocal, prefixLength: 64 }, now);
  }

  /** addrconf_ifdown (keep_addr_on_down 0) and fib6_ifdown for NETDEV_DOWN. */
  private ifdown(dev: DeviceState, idev: Inet6Device): void {
    idev.ready = false;
    idev.addresses.length = 0;
    this.fib.remove((r) => r.dev === dev.name);
  }

  // ------------------------------------------------------------------ DAD

  private startDad(dev: DeviceState, idev: Inet6Device, ifa: Inet6Address, now: Nanos = this.clock): void {
    const noDad =
      dev.kind === 'loopback' ||
      ifa.nodad ||
      this.conf(dev.name, 'dad_transmits') === 0 ||
      (this.conf('all', 'accept_dad') < 1 && this.conf(dev.name, 'accept_dad') < 1);
    if (noDad) {
      ifa.dadEndsAt = null;
      this.addLocalRoute(dev, ifa);
      return;
    }
    if (!idev.ready) {
      ifa.dadEndsAt = Infinity;
      return;
    }
    const transmits = this.conf(dev.name, 'dad_transmits');
    const retrans = this.conf(dev.name, 'retrans_time_ms') * 1_000_000;
    const delay = this.prober?.dadStarted(dev.name, ifa.address, transmits, retrans, now) ?? 0;
    ifa.dadEndsAt = now + delay + transmits * retrans;
    this.schedule(ifa.dadEndsAt);
  }

  /** addrconf_dad_completed: the address is usable and its local route goes in. */
  private dadCompleted(dev: DeviceState, ifa: Inet6Address): void {
    ifa.dadEndsAt = null;
    this.addLocalRoute(dev, ifa);
  }

  // ------------------------------------------------------------------ the routes of an address

  private addLocalRoute(dev: DeviceState, ifa: Inet6Address): void {
    this.fib.insert(
      { table: RT_TABLE_LOCAL, dst: ifa.address, prefixLength: 128, type: 'local', protocol: RTPROT_KERNEL, metric: 0, dev: dev.name, gateway: 0n, prefsrc: 0n, pref: 'medium', expiresAt: null, onlink: false },
      'append',
      this.clock,
    );
  }

  /**
   * addrconf_prefix_route: a route the prefix already has stays as it is (fib6_add_rt2 refuses the
   * duplicate nexthop); `replace` (inet6_addr_modify's modify_prefix_route) puts the new expiry on it.
   */
  private addPrefixRoute(dev: DeviceState, ifa: Inet6Address, replace = false): void {
    if (!ifa.prefixRoute) return;
    const network = ipv6Network(ifa.address, ifa.prefixLength);
    if (replace) this.fib.remove((r) => this.isPrefixRouteOf(r, dev, network, ifa), RT_TABLE_MAIN);
    this.fib.insert(
      { table: RT_TABLE_MAIN, dst: network, prefixLength: ifa.prefixLength, type: 'unicast', protocol: RTPROT_KERNEL, metric: ifa.metric, dev: dev.name, gateway: 0n, prefsrc: 0n, pref: 'medium', expiresAt: this.expiresAt(ifa), onlink: false },
      'append',
      this.clock,
    );
  }

  private isPrefixRouteOf(r: { dst: Ipv6Number; prefixLength: number; dev: string; protocol: number; metric: number; gateway: Ipv6Number }, dev: DeviceState, network: Ipv6Number, ifa: Inet6Address): boolean {
    return r.dev === dev.name && r.dst === network && r.prefixLength === ifa.prefixLength && r.protocol === RTPROT_KERNEL && r.metric === ifa.metric && r.gateway === 0n;
  }

  /** The prefix route of `ifa` goes (cleanup_prefix_route with del). */
  private removePrefixRoute(dev: DeviceState, ifa: Inet6Address): void {
    const network = ipv6Network(ifa.address, ifa.prefixLength);
    this.fib.remove((r) => this.isPrefixRouteOf(r, dev, network, ifa), RT_TABLE_MAIN);
  }

  /**
   * ipv6_del_addr's check_cleanup_prefix_route, for a permanent address only (a dynamic one leaves
   * its prefix route to expire): another permanent or noprefixroute address of the prefix keeps the
   * route as it is, dynamic ones make it expire with the last of them, none deletes it.
   */
  private cleanupPrefixRoute(dev: DeviceState, idev: Inet6Device, ifa: Inet6Address): void {
    if (!ifa.permanent || ifa.noprefixroute) return;
    const network = ipv6Network(ifa.address, ifa.prefixLength);
    const others = idev.addresses.filter((a) => a !== ifa && a.prefixLength === ifa.prefixLength && ipv6Network(a.address, a.prefixLength) === network);
    if (others.some((a) => a.permanent || a.noprefixroute)) return;
    if (others.length === 0) {
      this.removePrefixRoute(dev, ifa);
      return;
    }
    const expiresAt = Math.max(...others.map((a) => this.expiresAt(a) ?? 0));
    for (const r of this.fib.routes(RT_TABLE_MAIN, this.clock)) if (this.isPrefixRouteOf(r, dev, network, ifa)) r.expiresAt = expiresAt;
  }

  /** ipv6_del_addr. */
  private deleteIfaddr(dev: DeviceState, idev: Inet6Device, ifa: Inet6Address): void {
    idev.addresses.splice(idev.addresses.indexOf(ifa), 1);
    for (const ift of idev.addresses) if (ift.publicAddress === ifa) ift.publicAddress = null;
    this.cleanupPrefixRoute(dev, idev, ifa);
    this.fib.remove((r) => r.type === 'local' && r.dst === ifa.address && r.prefixLength === 128 && r.dev === dev.name, RT_TABLE_LOCAL);
    // rt6_remove_prefsrc: routes that named the address as their source lose it once no device has it
    // (fib6_remove_prefsrc's ipv6_chk_addr).
    if (!this.isLocalAddress(ifa.address, this.clock)) for (const r of this.fib.allRoutes(this.clock)) if (r.prefsrc === ifa.address) r.prefsrc = 0n;
  }
}
