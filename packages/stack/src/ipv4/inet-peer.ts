/**
 * Per-remote-host memory (Linux's inet_peer) used to limit ICMP errors and ICMP redirects.
 *
 * Covers: the ICMP error token bucket (`inet_peer_xrlim_allow`: one token per elapsed ns, burst
 * 6 × icmp_ratelimit, cost icmp_ratelimit — 1 s by default, so a burst of 6 then 1/s; a new peer
 * starts full) applied only to the types in icmp_ratemask (0x1818: destination unreachable except
 * frag-needed, source quench, time exceeded, parameter problem) and never towards ourselves; and the
 * redirect back-off of `ip_rt_send_redirect` (first redirect at once, the next after
 * redirect_load << n, at most redirect_number, reset after redirect_silence without a
 * redirect-worthy packet). Both share `rateLast`, as the kernel's peer does.
 * Leaves out: the global ICMP budget (icmp_msgs_per_sec), inet_peer garbage collection.
 */
import type { Nanos } from '../node-host.js';
import { NS_PER_MS } from '../timers.js';

interface InetPeer {
  rateTokens: number;
  rateLast: Nanos;
  redirects: number;
}

/** Linux defaults in ns (HZ-independent): icmp_ratelimit 1000 ms, redirect_load 20 ms, silence 20.48 s. */
export const ICMP_RATELIMIT_DEFAULT = 1000 * NS_PER_MS;
export const ICMP_RATEMASK_DEFAULT = 0x1818;
export const REDIRECT_LOAD = 20 * NS_PER_MS;
export const REDIRECT_NUMBER = 9;
export const REDIRECT_SILENCE = REDIRECT_LOAD * 1024;

const XRLIM_BURST_FACTOR = 6;
/** A new peer's rate_last is 60 s in the past, so its bucket starts full. */
const NEW_PEER_AGE = 60_000 * NS_PER_MS;

export type RedirectDecision = 'send' | 'backoff' | 'exhausted';

export class InetPeers {
  private readonly peers = new Map<number, InetPeer>();

  private peer(address: number, now: Nanos): InetPeer {
    let peer = this.peers.get(address >>> 0);
    if (peer === undefined) {
      peer = { rateTokens: 0, rateLast: now - NEW_PEER_AGE, redirects: 0 };
      this.peers.set(address >>> 0, peer);
    }
    return peer;
  }

  /** icmpv4_xrlim_allow for an ICMP error of `type`/`code` to `destination`. */
  allowIcmp(destination: number, type: number, code: number, now: Nanos, ratelimit = ICMP_RATELIMIT_DEFAULT, ratemask = ICMP_RATEMASK_DEFAULT): boolean {
    if (type > 18) return true;
    if (type === 3 && code === 4) return true;
    if (((1 << type) & ratemask) === 0) return true;
    const peer = this.peer(destination, now);
    let tokens = peer.rateTokens + (now - peer.rateLast);
    peer.rateLast = now;
    if (tokens > XRLIM_BURST_FACTOR * ratelimit) tokens = XRLIM_BURST_FACTOR * ratelimit;
    let allowed = false;
    if (tokens >= ratelimit) {
      tokens -= ratelimit;
      allowed = true;
    }
    peer.rateTokens = tokens;
    return allowed;
  }

  /** ip_rt_send_redirect's back-off for redirects to `source`; counts a sent redirect. */
  redirect(source: number, now: Nanos, load = REDIRECT_LOAD, number = REDIRECT_NUMBER, silence = REDIRECT_SILENCE): RedirectDecision {
    const peer = this.peer(source, now);
    if (now > peer.rateLast + silence) {
      peer.rateTokens = 0;
      peer.redirects = 0;
    }
    if (peer.redirects >= number) {
      peer.rateLast = now;
      return 'exhausted';
    }
    if (peer.redirects === 0 || now > peer.rateLast + load * 2 ** peer.redirects) {
      peer.rateLast = now;
      peer.redirects++;
      return 'send';
    }
    return 'backoff';
  }
}
