/**
 * The router side of router discovery: what radvd 2.19 sends on an interface of its radvd.conf
 * (RFC 4861 §6.2), driven by a topology's `ra:` block (wire/ra-config.ts, radvd's defaults filled in).
 *
 * Follows radvd:
 * - Unsolicited RAs to ff02::1: the first when the advertiser starts, then each after a uniform
 *   draw between MinRtrAdvInterval and MaxRtrAdvInterval, the first MAX_INITIAL_RTR_ADVERTISEMENTS
 *   (3) intervals capped at MAX_INITIAL_RTR_ADVERT_INTERVAL (16 s). The draws come from the node's
 *   seeded Prng, so a seed gives the same times on every run.
 * - A router solicitation is answered by a multicast RA after a uniform 0–MAX_RA_DELAY_TIME
 *   (500 ms) delay, and never sooner than MIN_DELAY_BETWEEN_RAS (3 s) after the last multicast RA;
 *   the answer takes the place of the next unsolicited one when it comes first (process_rs).
 * - The RA (send.c's order): the header (AdvCurHopLimit, M, O, AdvDefaultPreference,
 *   AdvDefaultLifetime, AdvReachableTime, AdvRetransTimer), one prefix information option per
 *   prefix (L, A, valid and preferred lifetimes), the MTU option when AdvLinkMTU is set, and the
 *   source link-layer address; from the interface's link-local address with hop limit 255. No
 *   usable link-local address yet (DAD): the RA is not sent and the timer goes on, as radvd's
 *   sendmsg fails.
 * - `withdraw(ifname, prefix)` (the node command `ra withdraw DEV PREFIX`, netloom's own: radvd is
 *   told by editing radvd.conf and SIGHUP): the prefix advertised with preferred lifetime 0 from
 *   then on, so hosts deprecate their addresses of it; an RA goes out at once.
 * Leaves out: UnicastOnly, route information, RDNSS/DNSSL, AdvIntervalOpt/home agent options, the
 * final RAs with lifetime 0 radvd sends when it stops, and decrementing lifetimes.
 */
import { ipv6ToBytes, isIpv6LinkLocal, parseIpv6Number } from '@netloom/wire';
import type { NdpOption, NdpRepr } from '@netloom/wire';
import type { RaInterfaceConfig } from '@netloom/wire/ra-config';
import type { Nanos } from '../node-host.js';
import type { DeviceView } from '../routing-api.js';
import type { Prng, TimerHandle, TimerHeap } from '../timers.js';

/** ff02::1. */
const ALL_NODES = (0xff02n << 112n) | 1n;
const NDISC_HOP_LIMIT = 255;
const MS = 1_000_000;
const SECOND = 1_000_000_000;
/** radvd's defaults.h (RFC 4861 §10). */
export const MAX_INITIAL_RTR_ADVERTISEMENTS = 3;
export const MAX_INITIAL_RTR_ADVERT_INTERVAL = 16 * SECOND;
export const MAX_RA_DELAY_TIME = 500 * MS;
export const MIN_DELAY_BETWEEN_RAS = 3 * SECOND;

/** What the advertiser needs from the node. */
export interface RouterAdvertiserDependencies {
  timers: TimerHeap;
  prng: Prng;
  device(name: string): DeviceView | undefined;
  /** The device's usable (not tentative) link-local address, or undefined. */
  linkLocalAddress(dev: string, now: Nanos): bigint | undefined;
  /** ndisc_send_skb: an NDP message out of `dev` without a route lookup. */
  sendNdisc(dev: string, source: bigint, destination: bigint, hopLimit: number, message: NdpRepr, now: Nanos): void;
}

interface AdvertisedInterface {
  config: RaInterfaceConfig;
  /** Prefixes withdrawn: advertised with preferred lifetime 0. */
  withdrawn: Set<string>;
  initialLeft: number;
  lastMulticast: Nanos | null;
  next: { at: Nanos; timer: TimerHandle } | null;
  sent: number;
}

export class RouterAdvertiser {
  private readonly interfaces = new Map<string, AdvertisedInterface>();

  constructor(
    private readonly deps: RouterAdvertiserDependencies,
    configs: readonly RaInterfaceConfig[],
  ) {
    for (const config of configs) this.interfaces.set(config.ifname, { config, withdrawn: new Set(), initialLeft: MAX_INITIAL_RTR_ADVERTISEMENTS, lastMulticast: null, next: null, sent: 0 });
  }

  /** Start advertising: the first RA of each interface at `now`. */
  start(now: Nanos): void {
    for (const ifname of this.interfaces.keys()) this.scheduleAt(ifname, now);
  }

  /** The RAs sent on `ifname` so far. */
  sentOn(ifname: string): number {
    return this.interfaces.get(ifname)?.sent ?? 0;
  }

  /** An RS arrived on `dev` (radvd's process_rs). */
  processRouterSolicitation(dev: string, now: Nanos): void {
    const advertised = this.interfaces.get(dev);
    if (advertised === undefined) return;
    let at = now + this.deps.prng.below(MAX_RA_DELAY_TIME);
    if (advertised.lastMulticast !== null && at < advertised.lastMulticast + MIN_DELAY_BETWEEN_RAS) at = advertised.lastMulticast + MIN_DELAY_BETWEEN_RAS;
    if (advertised.next !== null && advertised.next.at <= at) return;
    this.scheduleAt(dev, at);
  }

  /**
   * Advertise `prefix` (as written in the config) with preferred lifetime 0 from now on, announced
   * as radvd announces a reloaded configuration: an RA at once (not sooner than 3 s after the last)
   * and the initial intervals again.
   */
  withdraw(ifname: string, prefix: string, now: Nanos): boolean {
    const advertised = this.interfaces.get(ifname);
    const wanted = parseIpv6Number(prefix);
    const known = advertised?.config.prefixes.find((p) => parseIpv6Number(p.prefix) === wanted);
    if (advertised === undefined || known === undefined) return false;
    advertised.withdrawn.add(known.prefix);
    advertised.initialLeft = MAX_INITIAL_RTR_ADVERTISEMENTS;
    const at = advertised.lastMulticast !== null ? Math.max(now, advertised.lastMulticast + MIN_DELAY_BETWEEN_RAS) : now;
    this.scheduleAt(ifname, at);
    return true;
  }

  /** The RA radvd builds for the interface now. */
  advertisement(ifname: string): NdpRepr | undefined {
    const advertised = this.interfaces.get(ifname);
    const device = this.deps.device(ifname);
    if (advertised === undefined || device === undefined) return undefined;
    const { config } = advertised;
    const options: NdpOption[] = config.prefixes.map((p) => ({
      kind: 'prefixInformation',
      prefixLength: p.prefixLength,
      onLink: p.onLink,
      autonomous: p.autonomous,
      routerAddress: false,
      validLifetime: p.validLifetime,
      preferredLifetime: advertised.withdrawn.has(p.prefix) ? 0 : p.preferredLifetime,
      prefix: ipv6ToBytes(parseIpv6Number(p.prefix) ?? 0n),
    }));
    if (config.mtu !== 0) options.push({ kind: 'mtu', mtu: config.mtu });
    options.push({ kind: 'sourceLinkLayerAddress', address: device.mac.slice(0, 6) });
    return {
      kind: 'routerAdvertisement',
      currentHopLimit: config.hopLimit,
      managed: config.managed,
      otherConfiguration: config.otherConfig,
      homeAgent: false,
      preference: config.routerPreference,
      proxy: false,
      routerLifetime: config.routerLifetime,
      reachableTime: config.reachableTimeMs,
      retransmitTimer: config.retransTimerMs,
      options,
    };
  }

  private scheduleAt(ifname: string, at: Nanos): void {
    const advertised = this.interfaces.get(ifname);
    if (advertised === undefined) return;
    advertised.next?.timer.cancel();
    advertised.next = { at, timer: this.deps.timers.schedule(at, (now) => this.advertise(ifname, now)) };
  }

  /** Send the RA (when the device can) and draw the next time. */
  private advertise(ifname: string, now: Nanos): void {
    const advertised = this.interfaces.get(ifname);
    if (advertised === undefined) return;
    advertised.next = null;
    const device = this.deps.device(ifname);
    const source = this.deps.linkLocalAddress(ifname, now);
    const message = this.advertisement(ifname);
    if (device !== undefined && device.adminUp && source !== undefined && isIpv6LinkLocal(source) && message !== undefined) {
      this.deps.sendNdisc(ifname, source, ALL_NODES, NDISC_HOP_LIMIT, message, now);
      advertised.sent++;
      advertised.lastMulticast = now;
    }
    const { minIntervalNs, maxIntervalNs } = advertised.config;
    let interval = minIntervalNs + this.deps.prng.below(Math.max(0, maxIntervalNs - minIntervalNs) + 1);
    if (advertised.initialLeft > 0) {
      advertised.initialLeft--;
      interval = Math.min(interval, MAX_INITIAL_RTR_ADVERT_INTERVAL);
    }
    this.scheduleAt(ifname, now + interval);
  }
}

/** netloom's `ra withdraw DEV PREFIX[/LEN]` on a node with an `ra:` block: radvd.conf edited and reloaded. */
export function runRaCommand(argv: readonly string[], advertiser: RouterAdvertiser | undefined, now: Nanos): { stdout: string; stderr: string; status: number } {
  const usage = 'Usage: ra withdraw DEV PREFIX\n';
  if (argv[1] !== 'withdraw' || argv.length !== 4) return { stdout: '', stderr: usage, status: 1 };
  if (advertiser === undefined) return { stdout: '', stderr: 'ra: this node has no ra: block\n', status: 1 };
  const [dev, prefixText] = [argv[2]!, argv[3]!];
  if (!advertiser.withdraw(dev, prefixText.replace(/\/\d+$/, ''), now)) return { stdout: '', stderr: `ra: ${dev} does not advertise ${prefixText}\n`, status: 1 };
  return { stdout: '', stderr: '', status: 0 };
}
