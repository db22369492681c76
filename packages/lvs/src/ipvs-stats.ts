/**
 * IPVS statistics and rate estimation (struct ip_vs_stats, ip_vs_est.c). Counters — connections
 * scheduled, packets and bytes in (client to real server) and out (real server to client) — are kept
 * per real server, per virtual service and in total (/proc/net/ip_vs_stats), as ip_vs_in_stats,
 * ip_vs_out_stats and ip_vs_conn_stats add them.
 *
 * Rates follow the kernel's estimator: every 2 s each estimator takes the counters' growth and
 * folds it into exponentially weighted averages with weight 1/4 —
 *   cps/inpps/outpps: rate = delta << 9 (×2^10, per 2 s), avg += (rate − avg) >> 2
 *   inbps/outbps:     rate = delta << 4 (×2^5, per 2 s),  avg += (rate − avg) >> 2
 * and readers see (avg + 0x1FF) >> 10 resp. (avg + 0xF) >> 5 (ip_vs_read_estimator). The 2 s ticks
 * fall on multiples of 2 s of virtual time since the node started; they are computed lazily — `catchUp(now)`
 * runs every tick up to `now` before any counter changes — so the result does not depend on when the
 * datapath happens to call in, and an idle director needs no timer (`hasMotion`). Zeroing (`ipvsadm -Z`,
 * ip_vs_zero_stats) clears counters and averages.
 * Leaves out the per-CPU counters and the estimation kthreads of 6.2+, whose tick phase differs per
 * estimator: one phase for all here.
 */

/** The estimator period, 2 s, in nanoseconds. */
export const ESTIMATOR_PERIOD_NS = 2_000_000_000;

export interface IpvsCounters {
  conns: number;
  inpkts: number;
  outpkts: number;
  inbytes: number;
  outbytes: number;
}

export interface IpvsRates {
  cps: number;
  inpps: number;
  outpps: number;
  inbps: number;
  outbps: number;
}

/** Counters and their estimator (struct ip_vs_stats with its struct ip_vs_estimator). */
export class IpvsStats implements IpvsCounters {
  conns = 0;
  inpkts = 0;
  outpkts = 0;
  inbytes = 0;
  outbytes = 0;
  // The estimator: last counters seen at a tick and the scaled averages.
  private lastConns = 0;
  private lastInpkts = 0;
  private lastOutpkts = 0;
  private lastInbytes = 0;
  private lastOutbytes = 0;
  private avgCps = 0;
  private avgInpps = 0;
  private avgOutpps = 0;
  private avgInbps = 0;
  private avgOutbps = 0;

  /** One 2 s estimation step (estimation_timer / ip_vs_chain_estimation for this estimator). */
  estimate(): void {
    this.avgCps = step(this.avgCps, (this.conns - this.lastConns) * 512);
    this.avgInpps = step(this.avgInpps, (this.inpkts - this.lastInpkts) * 512);
    this.avgOutpps = step(this.avgOutpps, (this.outpkts - this.lastOutpkts) * 512);
    this.avgInbps = step(this.avgInbps, (this.inbytes - this.lastInbytes) * 16);
    this.avgOutbps = step(this.avgOutbps, (this.outbytes - this.lastOutbytes) * 16);
    this.lastConns = this.conns;
    this.lastInpkts = this.inpkts;
    this.lastOutpkts = this.outpkts;
    this.lastInbytes = this.inbytes;
    this.lastOutbytes = this.outbytes;
  }

  /** Whether another tick would change anything (a counter moved or an average is not zero yet). */
  get hasMotion(): boolean {
    return (
      this.conns !== this.lastConns ||
      this.inpkts !== this.lastInpkts ||
      this.outpkts !== this.lastOutpkts ||
      this.inbytes !== this.lastInbytes ||
      this.outbytes !== this.lastOutbytes ||
      this.avgCps !== 0 ||
      this.avgInpps !== 0 ||
      this.avgOutpps !== 0 ||
      this.avgInbps !== 0 ||
      this.avgOutbps !== 0
    );
  }

  /** The rates as ipvsadm --rate and /proc/net/ip_vs_stats show them (ip_vs_read_estimator). */
  rates(): IpvsRates {
    return {
      cps: shiftRound(this.avgCps, 0x1ff, 1024),
      inpps: shiftRound(this.avgInpps, 0x1ff, 1024),
      outpps: shiftRound(this.avgOutpps, 0x1ff, 1024),
      inbps: shiftRound(this.avgInbps, 0xf, 32),
      outbps: shiftRound(this.avgOutbps, 0xf, 32),
    };
  }

  /** ip_vs_zero_stats: counters and estimator back to zero. */
  zero(): void {
    this.conns = this.inpkts = this.outpkts = this.inbytes = this.outbytes = 0;
    this.lastConns = this.lastInpkts = this.lastOutpkts = this.lastInbytes = this.lastOutbytes = 0;
    this.avgCps = this.avgInpps = this.avgOutpps = this.avgInbps = this.avgOutbps = 0;
  }
}

/** avg += (rate - avg) >> 2, with the kernel's arithmetic (signed) shift. */
function step(average: number, rate: number): number {
  return average + Math.floor((rate - average) / 4);
}

/** (value + round) >> shift for a non-negative average, as the kernel's u64 shift. */
function shiftRound(average: number, round: number, divisor: number): number {
  return Math.floor((Math.max(average, 0) + round) / divisor);
}

/**
 * The estimator clock of one node: ticks at every multiple of 2 s of virtual time. `catchUp(now)`
 * runs the ticks due up to `now` on every registered stats block; ticks in a row with no motion are
 * skipped once nothing moves (the averages have reached zero), so a long idle gap costs little.
 */
export class EstimatorClock {
  /** The next tick that has not run yet. */
  private nextTick = ESTIMATOR_PERIOD_NS;

  constructor(private readonly statsBlocks: () => Iterable<IpvsStats>) {}

  catchUp(now: number): void {
    while (this.nextTick <= now) {
      let moving = false;
      for (const stats of this.statsBlocks()) {
        if (!stats.hasMotion) continue;
        stats.estimate();
        moving = true;
      }
      if (!moving) {
        // Every estimate from here to `now` would change nothing: jump to the first tick after now.
        this.nextTick += Math.ceil((now - this.nextTick + 1) / ESTIMATOR_PERIOD_NS) * ESTIMATOR_PERIOD_NS;
        break;
      }
      this.nextTick += ESTIMATOR_PERIOD_NS;
    }
  }

  /** When the next tick is due if anything still moves, else undefined (no timer needed). */
  nextDeadline(): number | undefined {
    for (const stats of this.statsBlocks()) if (stats.hasMotion) return this.nextTick;
    return undefined;
  }
}
