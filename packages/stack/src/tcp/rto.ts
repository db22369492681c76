/**
 * TCP's retransmission timeout (RFC 6298) as Linux computes it: a pure estimator the connection
 * feeds with round-trip samples and asks for the timer's length. No timers, no clock: times come in.
 *
 * Follows Linux's tcp_rtt_estimator and tcp_set_rto, in microseconds as Linux keeps them: srtt
 * scaled by 8, mdev by 4; the first sample sets srtt = R and mdev = 2R; later samples move srtt by
 * 1/8 of the error and mdev by 1/4 of it — by 1/32 when the sample is below srtt (Linux's Eifel-like
 * damping); rttvar follows the largest mdev of the current flight, never below TCP_RTO_MIN, and decays
 * towards it by 1/4 once per flight (when snd_una passes the snd_nxt of the flight's first sample).
 * RTO = srtt + rttvar, rounded up to a jiffy (HZ 1000: 1 ms), at most TCP_RTO_MAX (120 s); so never
 * below srtt + 200 ms. Before any sample the RTO is TCP_TIMEOUT_INIT (1 s); after a handshake without
 * a sample, 3 s (tcp_init_metrics' TCP_TIMEOUT_FALLBACK, RFC 6298 5.7). Karn's rule (tcp_ack_update_rtt):
 * the time of a retransmitted segment is not a sample unless it came from the timestamp echo. A timeout
 * doubles the RTO up to 120 s (tcp_retransmit_timer); only a valid sample undoes the back-off.
 *
 * `retransmitsTimedOut` is Linux's give-up rule (retransmits_timed_out with tcp_model_timeout): not a
 * count but the time since the first retransmission (retrans_stamp) against the time `boundary`
 * back-offs from a base would take — TCP_RTO_MIN (200 ms) for an established connection, the initial
 * RTO (1 s) in SYN-SENT/SYN-RECV — linear at TCP_RTO_MAX past the doubling. tcp_retries2 = 15 gives
 * 924.6 s, tcp_syn_retries = 6 gives 127 s. In SYN-SENT/SYN-RECV, Linux also gives up after
 * tcp_syn_retries (+ tcp_syn_linear_timeouts for SYN-SENT) retransmissions: `synRetriesExhausted`.
 * Since Linux 6.5 the first tcp_syn_linear_timeouts (4) SYN retransmissions do not double the RTO
 * (`synBackoffDoubles`): a SYN to a dead host goes at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s.
 *
 * Leaves out: per-route rto_min and TCP_USER_TIMEOUT, the thin-stream linear timeouts, the RACK/TLP
 * timers, HZ other than 1000.
 */
import type { Nanos } from '../node-host.js';

const NS_PER_US = 1_000;
const NS_PER_MS = 1_000_000;

/** TCP_RTO_MIN: 200 ms. */
export const TCP_RTO_MIN: Nanos = 200 * NS_PER_MS;
/** TCP_TIMEOUT_INIT: the RTO before any RTT sample, 1 s (RFC 6298 2.1). */
export const TCP_TIMEOUT_INIT: Nanos = 1_000 * NS_PER_MS;
/** TCP_TIMEOUT_FALLBACK: the RTO after a handshake that gave no sample, 3 s (RFC 6298 5.7). */
export const TCP_TIMEOUT_FALLBACK: Nanos = 3_000 * NS_PER_MS;
/** TCP_RTO_MAX: 120 s, the cap of the back-off. */
export const TCP_RTO_MAX: Nanos = 120_000 * NS_PER_MS;
/** net.ipv4.tcp_retries2's default. */
export const TCP_RETRIES2 = 15;
/** net.ipv4.tcp_syn_retries's default. */
export const TCP_SYN_RETRIES = 6;
/** net.ipv4.tcp_syn_linear_timeouts's default (Linux 6.5 and later). */
export const TCP_SYN_LINEAR_TIMEOUTS = 4;

/** One round-trip measurement, as tcp_ack_update_rtt receives it. */
export interface RttSample {
  /** The measured round-trip time. */
  rtt: Nanos;
  /** The acknowledged segment had been retransmitted: its time is ambiguous (Karn). */
  retransmitted: boolean;
  /** The time came from the timestamp option's echo (tsecr), valid even for a retransmission. */
  fromTimestamp: boolean;
  /** snd_una after this ACK and snd_nxt (32-bit sequence numbers): rttvar decays once per flight. */
  sndUna: number;
  sndNxt: number;
}

/** `a` after `b` in 32-bit sequence space (Linux's after()). */
function seqAfter(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/**
 * The RTO estimator of one connection. `rto` is the timer to arm now (backed off by timeouts);
 * `srtt` and `rttvar` are RFC 6298's SRTT and RTTVAR (what `ss -i` prints as rtt:SRTT/RTTVAR).
 */
export class RtoEstimator {
  /** srtt_us: smoothed RTT in µs, scaled by 8; 0 before the first sample. */
  private srttUs8 = 0;
  /** mdev_us: mean deviation in µs, scaled by 4. */
  private mdevUs4 = 0;
  /** mdev_max_us: the largest mdev of the current flight. */
  private mdevMaxUs4 = 0;
  /** rttvar_us: what the RTO adds to srtt. */
  private rttvarUs = 0;
  /** rtt_seq: snd_nxt when the current flight's measurement began. */
  private rttSeq = 0;
  private current: Nanos = TCP_TIMEOUT_INIT;
  private backoffs = 0;

  constructor(private readonly rtoMin: Nanos = TCP_RTO_MIN) {}

  /** The retransmission timer's length now: the computed RTO doubled by each timeout since the last sample. */
  get rto(): Nanos {
    return this.current;
  }

  /** RFC 6298's SRTT (0 before the first sample). */
  get srtt(): Nanos {
    return (this.srttUs8 / 8) * NS_PER_US;
  }

  /** RFC 6298's RTTVAR as Linux keeps it (at least TCP_RTO_MIN once sampled; 0 before). */
  get rttvar(): Nanos {
    return this.rttvarUs * NS_PER_US;
  }

  /** Timeouts since the last valid sample (icsk_backoff). */
  get backoffCount(): number {
    return this.backoffs;
  }

  /** Whether a sample was ever taken (srtt_us != 0). */
  get hasSample(): boolean {
    return this.srttUs8 !== 0;
  }

  /**
   * Feeds one measurement (tcp_ack_update_rtt): refused — false — for a retransmitted segment timed
   * without timestamps, or a negative time. A taken sample recomputes the RTO and clears the back-off.
   */
  sample(s: RttSample): boolean {
    if (s.rtt < 0 || (s.retransmitted && !s.fromTimestamp)) return false;
    this.estimate(Math.floor(s.rtt / NS_PER_US), s.sndUna, s.sndNxt);
    this.current = this.computedRto();
    this.backoffs = 0;
    return true;
  }

  /** A retransmission timeout: the RTO doubles, at most TCP_RTO_MAX (tcp_retransmit_timer). */
  backoff(): void {
    this.backoffs++;
    this.current = Math.min(this.current * 2, TCP_RTO_MAX);
  }

  /**
   * tcp_ld_RTO_revert (RFC 6069): one back-off undone, the RTO computed again from the estimate (1 s
   * without a sample) and doubled for the back-offs left.
   */
  revertBackoff(): void {
    if (this.backoffs === 0) return;
    this.backoffs--;
    const base = this.hasSample ? this.computedRto() : TCP_TIMEOUT_INIT;
    this.current = Math.min(base * 2 ** this.backoffs, TCP_RTO_MAX);
  }

  /** Counts a timeout without doubling the RTO (a linear SYN timeout, see `synBackoffDoubles`). */
  backoffLinear(): void {
    this.backoffs++;
  }

  /** After the handshake: no sample was taken (the SYN or SYN-ACK was retransmitted), so RTO 3 s. */
  fallBackAfterHandshake(): void {
    if (this.hasSample) return;
    const fallbackUs = TCP_TIMEOUT_FALLBACK / NS_PER_US;
    this.rttvarUs = fallbackUs;
    this.mdevUs4 = fallbackUs;
    this.mdevMaxUs4 = fallbackUs;
    this.current = TCP_TIMEOUT_FALLBACK;
  }

  /** Forgets every sample and the back-off: the state of a new socket. */
  reset(): void {
    this.srttUs8 = 0;
    this.mdevUs4 = 0;
    this.mdevMaxUs4 = 0;
    this.rttvarUs = 0;
    this.rttSeq = 0;
    this.current = TCP_TIMEOUT_INIT;
    this.backoffs = 0;
  }

  /** tcp_rtt_estimator. */
  private estimate(mrttUs: number, sndUna: number, sndNxt: number): void {
    const rtoMinUs = this.rtoMin / NS_PER_US;
    let m = mrttUs;
    let srtt = this.srttUs8;
    if (srtt !== 0) {
      m -= srtt >> 3; // the error of the estimate
      srtt += m; // srtt = 7/8 srtt + 1/8 sample
      if (m < 0) {
        m = -m;
        m -= this.mdevUs4 >> 2;
        if (m > 0) m >>= 3; // a falling RTT moves mdev by 1/32 only
      } else {
        m -= this.mdevUs4 >> 2;
      }
      this.mdevUs4 += m; // mdev = 3/4 mdev + 1/4 |error|
      if (this.mdevUs4 > this.mdevMaxUs4) {
        this.mdevMaxUs4 = this.mdevUs4;
        if (this.mdevMaxUs4 > this.rttvarUs) this.rttvarUs = this.mdevMaxUs4;
      }
      if (seqAfter(sndUna, this.rttSeq)) {
        if (this.mdevMaxUs4 < this.rttvarUs) this.rttvarUs -= (this.rttvarUs - this.mdevMaxUs4) >> 2;
        this.rttSeq = sndNxt;
        this.mdevMaxUs4 = rtoMinUs;
      }
    } else {
      srtt = m << 3;
      this.mdevUs4 = m << 1; // rto = 3 * rtt at first
      this.rttvarUs = Math.max(this.mdevUs4, rtoMinUs);
      this.mdevMaxUs4 = this.rttvarUs;
      this.rttSeq = sndNxt;
    }
    this.srttUs8 = Math.max(1, srtt);
  }

  /** __tcp_set_rto and tcp_bound_rto: usecs_to_jiffies(srtt + rttvar) at HZ 1000, capped. */
  private computedRto(): Nanos {
    const us = (this.srttUs8 >> 3) + this.rttvarUs;
    return Math.min(Math.ceil(us / 1_000) * NS_PER_MS, TCP_RTO_MAX);
  }
}

/**
 * Whether the SYN retransmission after `timeouts` earlier timeouts doubles the RTO: since Linux 6.5,
 * the first tcp_syn_linear_timeouts timeouts of SYN-SENT keep it (tcp_retransmit_timer).
 */
export function synBackoffDoubles(timeouts: number, linearTimeouts: number = TCP_SYN_LINEAR_TIMEOUTS): boolean {
  return timeouts >= linearTimeouts;
}

/** tcp_model_timeout: how long `boundary` back-offs from `rtoBase` take, linear at TCP_RTO_MAX past the doubling. */
export function modelTimeout(boundary: number, rtoBase: Nanos): Nanos {
  const baseMs = Math.round(rtoBase / NS_PER_MS);
  const maxMs = TCP_RTO_MAX / NS_PER_MS;
  const linearBackoffThresh = Math.floor(Math.log2(Math.floor(maxMs / baseMs)));
  const timeoutMs =
    boundary <= linearBackoffThresh
      ? (2 ** (boundary + 1) - 1) * baseMs
      : (2 ** (linearBackoffThresh + 1) - 1) * baseMs + (boundary - linearBackoffThresh) * maxMs;
  return timeoutMs * NS_PER_MS;
}

/**
 * retransmits_timed_out: whether a connection retransmitting since `elapsed` ago (now − retrans_stamp)
 * has gone past `boundary` (tcp_retries2, or tcp_syn_retries in SYN-SENT/SYN-RECV). `rtoBase` is
 * TCP_RTO_MIN for an established connection, the initial RTO (TCP_TIMEOUT_INIT) in the SYN states.
 */
export function retransmitsTimedOut(boundary: number, rtoBase: Nanos, elapsed: Nanos): boolean {
  // Linux compares in milliseconds (tcp_time_stamp).
  return Math.floor(elapsed / NS_PER_MS) * NS_PER_MS >= modelTimeout(boundary, rtoBase);
}

/**
 * tcp_write_timeout's count rule of the SYN states: after `retransmissions` SYN (or SYN-ACK)
 * retransmissions the next timeout gives up — at tcp_syn_retries, plus tcp_syn_linear_timeouts in SYN-SENT.
 */
export function synRetriesExhausted(
  retransmissions: number,
  synSent: boolean,
  synRetries: number = TCP_SYN_RETRIES,
  linearTimeouts: number = TCP_SYN_LINEAR_TIMEOUTS,
): boolean {
  return retransmissions >= synRetries + (synSent ? linearTimeouts : 0);
}
