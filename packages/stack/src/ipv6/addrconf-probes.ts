/**
 * What addrconf puts on the wire for a device: duplicate address detection's neighbour
 * solicitations and a host's router solicitations (net/ipv6/addrconf.c, RFC 4862 §5.4, RFC 4861
 * §6.3.7, RFC 7559). kernel/addrconf.ts keeps the addresses and their states; it asks this module
 * for DAD's initial delay when an address starts DAD (`dadStarted`), and this module sends the
 * probes at the times that delay gives and starts router solicitation when a link-local address
 * finishes DAD.
 *
 * Follows Linux 6.18 (seen in namespaces, test/kernel-dad.test.ts):
 * - addrconf_dad_kick: the first probe waits a random 0 – rtr_solicit_delay (router_solicitation_delay,
 *   1 s) drawn in jiffies (HZ 250) from the node's seeded PRNG; then addrconf_dad_work sends
 *   dad_transmits NSs retrans_time apart — from ::, to the target's solicited-node group, hop limit
 *   255, no source link-layer option, with RFC 7527's nonce option when `all` or the device has
 *   enhanced_dad (6 bytes from the PRNG, drawn for each probe) — and the address completes DAD
 *   retrans_time after the last one
 *   (kernel/addrconf.ts counts the same end). A probe is sent only while the address is still there
 *   and tentative, and not `dadfailed`.
 * - addrconf_dad_completed: when a link-local address completes DAD on a device that takes RAs
 *   (ipv6_accept_ra) and router_solicitations is not 0, an RS goes to ff02::2 from that address with
 *   the source link-layer option at once, the next after rtr_solicit_interval (4 s) drawn as RFC 3315
 *   §14's initial backoff (×0.9–1.1), then each interval doubled (×1.9–2.1) up to
 *   router_solicitation_max_interval (3600 s; past it ×0.9–1.1 of it) while fewer than
 *   router_solicitations have gone (-1: no limit); addrconf_rs_timer stops once the device has had
 *   an RA (IF_RA_RCVD), no longer takes RAs, or is down.
 * A node that receives another's probe for an address it is still probing for (its own probe may not
 * have left yet) fails DAD and sends no probe: of two nodes adding the same address at once, the
 * later prober fails and the earlier keeps the address, as on Linux.
 * Leaves out: MLD reports (Linux sends them too), optimistic DAD, the nonce check of a looped-back
 * probe (a node never receives its own frames here), DAD retries (idgen_retries), and the stable
 * privacy address regenerated after a DAD failure.
 * Bounded: one router solicitation state per device the node has.
 */
import type { Nanos } from '../node-host.js';
import type { Prng, TimerHeap } from '../timers.js';
import { isIpv6LinkLocal } from '@netloom/wire';

const JIFFY = 4_000_000;
const HZ = 250;
const SECOND = 1_000_000_000;
const NONCE_LENGTH = 6;

/** What the probes need from the node: the address states, the settings, and NDP's output. */
export interface AddrconfProbeDependencies {
  timers: TimerHeap;
  prng: Prng;
  /** Is `address` on `dev` now, tentative and not dadfailed (DAD still running)? */
  isProbing(dev: string, address: bigint, now: Nanos): boolean;
  /** A usable (not tentative) link-local address of `dev`, if any (ipv6_get_lladdr). */
  linkLocalAddress(dev: string, now: Nanos): bigint | undefined;
  /** The device is up with carrier (IF_READY). */
  isReady(dev: string): boolean;
  /** net.ipv6.conf.DEV.KEY. */
  conf(dev: string, key: string): number;
  /** ndisc_send_ns from :: (a DAD probe). */
  sendDadProbe(dev: string, target: bigint, nonce: Uint8Array | undefined): void;
  /** ndisc_send_rs from `source` to ff02::2. */
  sendRouterSolicitation(dev: string, source: bigint): void;
}

interface RouterSolicitationState {
  /** Bumped when a new sequence starts: the timers of an older one do nothing. */
  generation: number;
  /** IF_RA_RCVD: an RA arrived after an RS was sent. */
  advertised: boolean;
  probes: number;
  interval: Nanos;
}

export class AddrconfProbes {
  /** Probes sent, for tests and statistics. */
  dadProbesSent = 0;
  routerSolicitationsSent = 0;
  private readonly solicitation = new Map<string, RouterSolicitationState>();

  constructor(private readonly deps: AddrconfProbeDependencies) {}

  /**
   * addrconf_dad_kick for `address` on `dev`, which DAD begins at `now` with `transmits` probes
   * `retrans` apart: the probes are scheduled and the initial delay returned (addrconf adds it to the
   * time the address stays tentative).
   */
  dadStarted(dev: string, address: bigint, transmits: number, retrans: Nanos, now: Nanos): Nanos {
    const delayJiffies = Math.max(1, this.deps.conf(dev, 'router_solicitation_delay') * HZ);
    const delay = this.deps.prng.below(delayJiffies) * JIFFY;
    for (let probe = 0; probe < transmits; probe++) {
      this.deps.timers.schedule(now + delay + probe * retrans, (at) => {
        if (!this.deps.isProbing(dev, address, at)) return;
        this.dadProbesSent++;
        this.deps.sendDadProbe(dev, address, this.nonce(dev));
      });
    }
    if (isIpv6LinkLocal(address)) this.deps.timers.schedule(now + delay + transmits * retrans, (at) => this.dadCompleted(dev, address, at));
    return delay;
  }

  /** ndisc_router_discovery's IF_RA_RCVD: an RA came in on `dev`. */
  advertisementReceived(dev: string): void {
    const state = this.solicitation.get(dev);
    if (state !== undefined) state.advertised = true;
  }

  /** The device went away or was renamed: its state follows. */
  renamed(from: string, to: string): void {
    const state = this.solicitation.get(from);
    this.solicitation.delete(from);
    if (state !== undefined) this.solicitation.set(to, state);
  }

  /** addrconf_dad_completed's send_rs for a link-local address that finished DAD. */
  private dadCompleted(dev: string, address: bigint, now: Nanos): void {
    if (this.deps.isProbing(dev, address, now) || this.deps.linkLocalAddress(dev, now) !== address) return;
    if (!this.acceptsAdvertisements(dev) || this.deps.conf(dev, 'router_solicitations') === 0) return;
    const previous = this.solicitation.get(dev);
    const state: RouterSolicitationState = { generation: (previous?.generation ?? 0) + 1, advertised: false, probes: 1, interval: this.backoffInit(this.deps.conf(dev, 'router_solicitation_interval') * SECOND) };
    this.solicitation.set(dev, state);
    this.routerSolicitationsSent++;
    this.deps.sendRouterSolicitation(dev, address);
    this.scheduleSolicitation(dev, state, now + state.interval);
  }

  private scheduleSolicitation(dev: string, state: RouterSolicitationState, at: Nanos): void {
    const generation = state.generation;
    this.deps.timers.schedule(at, (now) => {
      if (this.solicitation.get(dev) !== state || state.generation !== generation) return;
      this.solicitationTimer(dev, state, now);
    });
  }

  /** addrconf_rs_timer. */
  private solicitationTimer(dev: string, state: RouterSolicitationState, now: Nanos): void {
    if (!this.deps.isReady(dev) || !this.acceptsAdvertisements(dev) || state.advertised) return;
    const limit = this.deps.conf(dev, 'router_solicitations');
    if (limit >= 0 && state.probes >= limit) return;
    state.probes++;
    const source = this.deps.linkLocalAddress(dev, now);
    if (source === undefined) return;
    this.routerSolicitationsSent++;
    this.deps.sendRouterSolicitation(dev, source);
    state.interval = this.backoffUpdate(state.interval, this.deps.conf(dev, 'router_solicitation_max_interval') * SECOND);
    // The wait after the last probe can be shorter.
    const wait = state.probes === limit ? this.deps.conf(dev, 'router_solicitation_delay') * SECOND : state.interval;
    this.scheduleSolicitation(dev, state, now + wait);
  }

  /** addrconf_dad_work's nonce for each probe: six random bytes, not all zero, when all or the device has enhanced_dad. */
  private nonce(dev: string): Uint8Array | undefined {
    if (this.deps.conf('all', 'enhanced_dad') === 0 && this.deps.conf(dev, 'enhanced_dad') === 0) return undefined;
    const nonce = new Uint8Array(NONCE_LENGTH);
    do for (let i = 0; i < NONCE_LENGTH; i++) nonce[i] = this.deps.prng.below(256);
    while (nonce.every((b) => b === 0));
    return nonce;
  }

  /** ipv6_accept_ra: accept_ra 1 on a device that does not forward, or 2. */
  private acceptsAdvertisements(dev: string): boolean {
    const acceptRa = this.deps.conf(dev, 'accept_ra');
    return this.deps.conf(dev, 'forwarding') !== 0 ? acceptRa === 2 : acceptRa !== 0;
  }

  /** rfc3315_s14_backoff_init: irt × (0.9 … 1.1), in jiffies. */
  private backoffInit(initial: Nanos): Nanos {
    return this.jiffies((initial / JIFFY) * (900_000 + this.deps.prng.below(200_001)) / 1_000_000);
  }

  /** rfc3315_s14_backoff_update: rt × (1.9 … 2.1), past mrt mrt × (0.9 … 1.1). */
  private backoffUpdate(current: Nanos, maximum: Nanos): Nanos {
    const next = this.jiffies((current / JIFFY) * (1_900_000 + this.deps.prng.below(200_001)) / 1_000_000);
    return next > maximum ? this.backoffInit(maximum) : next;
  }

  private jiffies(count: number): Nanos {
    return Math.floor(count) * JIFFY;
  }
}
