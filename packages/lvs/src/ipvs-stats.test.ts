/**
 * The rate estimator against ip_vs_est.c's arithmetic worked by hand: every 2 s
 * avg += ((delta << 9) − avg) >> 2 for connections and packets, ((delta << 4) − avg) >> 2 for bytes,
 * read as (avg + 0x1FF) >> 10 and (avg + 0xF) >> 5; ticks on multiples of 2 s of virtual time,
 * computed lazily with the same result as ticking every 2 s.
 */
import { describe, expect, it } from 'vitest';
import { EstimatorClock, IpvsStats } from './ipvs-stats.js';

const S = 1e9;

describe('ip_vs_est', () => {
  it('folds 100 connections and 1 MB in the first 2 s into cps 12 and inbps 125000, then decays by a quarter per tick', () => {
    const stats = new IpvsStats();
    const clock = new EstimatorClock(() => [stats]);
    stats.conns = 100;
    stats.inbytes = 1_000_000;
    clock.catchUp(2 * S - 1);
    expect(stats.rates().cps).toBe(0);
    clock.catchUp(2 * S);
    // cps: 100 << 9 = 51200, avg 12800, (12800 + 511) >> 10 = 12; inbps: 1e6 << 4 = 16e6, avg 4e6, (4e6 + 15) >> 5 = 125000.
    expect(stats.rates()).toEqual({ cps: 12, inpps: 0, outpps: 0, inbps: 125000, outbps: 0 });
    clock.catchUp(4 * S);
    // avg 12800 − 3200 = 9600 → 9; 4e6 − 1e6 = 3e6 → 93750.
    expect(stats.rates()).toEqual({ cps: 9, inpps: 0, outpps: 0, inbps: 93750, outbps: 0 });
  });

  it('computed lazily gives what ticking every 2 s gives, and stops needing a timer once everything decayed', () => {
    const lazy = new IpvsStats();
    const eager = new IpvsStats();
    const lazyClock = new EstimatorClock(() => [lazy]);
    const eagerClock = new EstimatorClock(() => [eager]);
    for (const s of [lazy, eager]) {
      s.inpkts = 5000;
      s.outbytes = 77_777;
    }
    for (let t = 2; t <= 400; t += 2) eagerClock.catchUp(t * S);
    lazyClock.catchUp(400 * S);
    expect(lazy.rates()).toEqual(eager.rates());
    expect(lazy.rates()).toEqual({ cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 });
    expect(lazyClock.nextDeadline()).toBeUndefined();
    lazy.conns++;
    expect(lazyClock.nextDeadline()).toBe(402 * S);
  });

  it('zero clears counters and averages (ipvsadm -Z)', () => {
    const stats = new IpvsStats();
    const clock = new EstimatorClock(() => [stats]);
    stats.outpkts = 999;
    clock.catchUp(2 * S);
    expect(stats.rates().outpps).toBeGreaterThan(0);
    stats.zero();
    expect([stats.outpkts, stats.rates().outpps, stats.hasMotion]).toEqual([0, 0, false]);
  });
});
