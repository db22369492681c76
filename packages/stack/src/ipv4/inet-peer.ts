/**
 * Per-remote-host memory (Linux's inet_peer) used to limit ICMP errors and ICMP redirects.
 *
 * Covers: the ICMP error token bucket (`inet_peer_xrlim_allow`: one token per elapsed jiffy, burst
 * 6 × icmp_ratelimit, cost icmp_ratelimit — 1 s by default, so a burst of 6 then 1/s; a new peer
 * starts full) applied only to the types in icmp_ratemask (0x1818: destination unreachable except
 * frag-needed, source quench, time exceeded, parameter problem) and never towards ourselves;
 * `ip_error`'s own bucket on the same tokens (route/error_cost, burst route/error_burst: 1 s and
 * 5 s), charged for a packet with no route before icmp_send charges the ICMP budget — so a burst of
 * no-route packets draws 2 net unreachables with the default ratemask (5 with ratemask 0), as
 * measured on Linux 6.18 (test/kernel/multinode/cases/no-route-ratelimit); and the
 * redirect back-off of `ip_rt_send_redirect` (first redirect at once, the next after
 * redirect_load << n, at most redirect_number, reset after redirect_silence without a
 * redirect-worthy packet). Both share `rateLast`, as the kernel's peer does: a time exceeded sent
 * to a host holds back the next redirect to it (verified on a real kernel, kernel-comparison.test.ts).
 *
 * Time is counted in jiffies of a HZ=250 kernel (4 ms), the kernel the reference measurements came
 * from, because these comparisons are made in jiffies: an ICMP error exactly 1 s after the previous
 * one finds a full token even when it is a few hundred microseconds early.
 * Leaves out: the global ICMP budget (icmp_msgs_per_sec), inet_peer garbage collection.
 */
import type { Nanos } from '../node-host.js';

/** One jiffy of a HZ=250 kernel, in ns. */
export const JIFFY = 4_000_000;
export const HZ = 250;

interface InetPeer {
  /** In jiffies. */
  rateTokens: number;
  /** Jiffies. */
  rateLast: number;
  redirects: number;
}

/** Linux defaults: icmp_ratelimit 1000 ms; route/redirect_load HZ/50, redirect_number 9, redirect_silence (HZ/50) << 10. */
export const ICMP_RATELIMIT_MS = 1000;
export const ICMP_RATEMASK_DEFAULT = 0x1818;
export const REDIRECT_LOAD_JIFFIES = HZ / 50;
export const REDIRECT_NUMBER = 9;
export const REDIRECT_SILENCE_JIFFIES = (HZ / 50) << 10;
/** ip_rt_error_cost and ip_rt_error_burst (route/error_cost, route/error_burst): HZ and 5 × HZ. */
export const ERROR_COST_JIFFIES = HZ;
export const ERROR_BURST_JIFFIES = 5 * HZ;

const XRLIM_BURST_FACTOR = 6;
/** A new peer's rate_last is 60 s in the past, so its bucket starts full. */
const NEW_PEER_AGE = 60 * HZ;

export type RedirectDecision = 'send' | 'backoff' | 'exhausted';

export interface RedirectLimits {
  load: number;
  number: number;
  silence: number;
}

export function jiffiesOf(now: Nanos): number {
  return Math.floor(now / JIFFY);
}

export class InetPeers {
  /** Made with the first peer a limit is kept for (the first ICMP error or redirect sent). */
  private peers: Map<number, InetPeer> | null = null;

  private peer(address: number, jiffies: number): InetPeer {
    const peers = (this.peers ??= new Map());
    let peer = peers.get(address >>> 0);
    if (peer === undefined) {
      peer = { rateTokens: 0, rateLast: jiffies - NEW_PEER_AGE, redirects: 0 };
      peers.set(address >>> 0, peer);
    }
    return peer;
  }

  /** icmpv4_xrlim_allow for an ICMP error of `type`/`code` to `destination`. */
  allowIcmp(destination: number, type: number, code: number, now: Nanos, ratelimitMs = ICMP_RATELIMIT_MS, ratemask = ICMP_RATEMASK_DEFAULT): boolean {
    if (type > 18) return true;
    if (type === 3 && code === 4) return true;
    if (((1 << type) & ratemask) === 0) return true;
    const timeout = Math.ceil((ratelimitMs * HZ) / 1000);
    return this.take(destination, now, timeout, XRLIM_BURST_FACTOR * timeout);
  }

  /** ip_error's own limit on the no-route ICMP to `source` (route/error_cost and error_burst, in jiffies). */
  allowRouteError(source: number, now: Nanos, cost = ERROR_COST_JIFFIES, burst = ERROR_BURST_JIFFIES): boolean {
    return this.take(source, now, cost, burst);
  }

  /** One token bucket step on the peer's shared rate_tokens/rate_last: refill by the jiffies elapsed, cap at `burst`, take `cost`. */
  private take(address: number, now: Nanos, cost: number, burst: number): boolean {
    const jiffies = jiffiesOf(now);
    const peer = this.peer(address, jiffies);
    let tokens = peer.rateTokens + (jiffies - peer.rateLast);
    peer.rateLast = jiffies;
    if (tokens > burst) tokens = burst;
    let allowed = false;
    if (tokens >= cost) {
      tokens -= cost;
      allowed = true;
    }
    peer.rateTokens = tokens;
    return allowed;
  }

  /** ip_rt_send_redirect's back-off for redirects to `source`; counts a sent redirect. */
  redirect(source: number, now: Nanos, limits: RedirectLimits = { load: REDIRECT_LOAD_JIFFIES, number: REDIRECT_NUMBER, silence: REDIRECT_SILENCE_JIFFIES }): RedirectDecision {
    const jiffies = jiffiesOf(now);
    const peer = this.peer(source, jiffies);
    if (jiffies > peer.rateLast + limits.silence) {
      peer.rateTokens = 0;
      peer.redirects = 0;
    }
    if (peer.redirects >= limits.number) {
      peer.rateLast = jiffies;
      return 'exhausted';
    }
    if (peer.redirects === 0 || jiffies > peer.rateLast + limits.load * 2 ** peer.redirects) {
      peer.rateLast = jiffies;
      peer.redirects++;
      return 'send';
    }
    return 'backoff';
  }
}
