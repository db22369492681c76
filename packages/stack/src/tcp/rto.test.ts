import { describe, expect, it } from 'vitest';
import {
  modelTimeout,
  retransmitsTimedOut,
  RtoEstimator,
  synBackoffDoubles,
  synRetriesExhausted,
  TCP_RTO_MIN,
  TCP_TIMEOUT_INIT,
  type RttSample,
} from './rto.js';

const MS = 1_000_000;
const S = 1_000 * MS;

function fresh(rtt: number, sndUna = 0, sndNxt = 1000): RttSample {
  return { rtt, retransmitted: false, fromTimestamp: false, sndUna, sndNxt };
}

describe('RtoEstimator', () => {
  it('starts at TCP_TIMEOUT_INIT (1 s) with no srtt', () => {
    const est = new RtoEstimator();
    expect(est.rto).toBe(TCP_TIMEOUT_INIT);
    expect(est.srtt).toBe(0);
    expect(est.hasSample).toBe(false);
  });

  it('takes the first sample as srtt with mdev 2R, rttvar at least TCP_RTO_MIN', () => {
    const a = new RtoEstimator();
    a.sample(fresh(100 * MS));
    expect(a.srtt).toBe(100 * MS);
    expect(a.rttvar).toBe(200 * MS);
    expect(a.rto).toBe(300 * MS);

    const b = new RtoEstimator();
    b.sample(fresh(10 * MS)); // 3R = 30 ms, but rttvar is never below 200 ms
    expect(b.rttvar).toBe(TCP_RTO_MIN);
    expect(b.rto).toBe(210 * MS);

    const c = new RtoEstimator();
    c.sample(fresh(500 * MS));
    expect(c.rto).toBe(1_500 * MS);
  });

  it('moves mdev by only 1/32 of the error when the RTT falls (tcp_rtt_estimator)', () => {
    const est = new RtoEstimator();
    est.sample(fresh(100 * MS, 0, 1000));
    est.sample(fresh(20 * MS, 500, 1000));
    // srtt 100 → 90 ms; |error| 80 ms − mdev/4 50 ms = 30 ms, >>3 → 3.75 ms: mdev 203.75 ms
    // (RFC 6298's plain 1/4 would give 230 ms and an RTO of 320 ms).
    expect(est.srtt).toBe(90 * MS);
    expect(est.rttvar).toBe(203.75 * MS);
    expect(est.rto).toBe(294 * MS); // 293.75 ms rounded up to the jiffy
  });

  it('lets rttvar decay towards the flight\'s largest mdev only once per flight', () => {
    const est = new RtoEstimator();
    est.sample(fresh(100 * MS, 0, 1000));
    est.sample(fresh(300 * MS, 500, 1000)); // srtt 125 ms, mdev 350 ms raises rttvar
    expect(est.rto).toBe(475 * MS);
    est.sample(fresh(125 * MS, 1500, 3000)); // new flight: mdev_max 350 = rttvar, no decay
    expect(est.rto).toBe(475 * MS);
    est.sample(fresh(125 * MS, 2000, 3000)); // same flight: rttvar unchanged
    expect(est.rttvar).toBe(350 * MS);
    est.sample(fresh(125 * MS, 3500, 5000)); // new flight: rttvar −= (350 − 200) / 4
    expect(est.rttvar).toBe(312.5 * MS);
    expect(est.rto).toBe(438 * MS);
  });

  it('compares sequence numbers across the 32-bit wrap', () => {
    const est = new RtoEstimator();
    est.sample(fresh(100 * MS, 0xffff_ff00, 0xffff_fff0));
    est.sample(fresh(300 * MS, 0xffff_ff80, 0xffff_fff0));
    est.sample(fresh(125 * MS, 0x10, 0x2000)); // after 0xfffffff0 across the wrap
    est.sample(fresh(125 * MS, 0x2010, 0x3000));
    expect(est.rttvar).toBe(312.5 * MS);
  });

  it('never goes below srtt + 200 ms however steady the RTT', () => {
    const est = new RtoEstimator();
    for (let i = 0; i < 200; i++) est.sample(fresh(1 * MS, i * 100 + 50, i * 100 + 100));
    expect(est.srtt).toBe(1 * MS);
    expect(est.rto).toBe(201 * MS);
  });

  it('follows Karn\'s rule: a retransmitted segment is a sample only through timestamps', () => {
    const est = new RtoEstimator();
    expect(est.sample({ ...fresh(100 * MS), retransmitted: true })).toBe(false);
    expect(est.hasSample).toBe(false);
    expect(est.rto).toBe(TCP_TIMEOUT_INIT);
    expect(est.sample({ ...fresh(100 * MS), retransmitted: true, fromTimestamp: true })).toBe(true);
    expect(est.rto).toBe(300 * MS);
  });

  it('doubles on each timeout up to 120 s, and a valid sample undoes the back-off', () => {
    const est = new RtoEstimator();
    const seen: number[] = [];
    for (let i = 0; i < 9; i++) {
      est.backoff();
      seen.push(est.rto / S);
    }
    expect(seen).toEqual([2, 4, 8, 16, 32, 64, 120, 120, 120]);
    expect(est.backoffCount).toBe(9);
    // An ACK of a retransmitted segment is no sample: the back-off stays.
    est.sample({ ...fresh(100 * MS), retransmitted: true });
    expect(est.rto).toBe(120 * S);
    est.sample(fresh(100 * MS));
    expect(est.rto).toBe(300 * MS);
    expect(est.backoffCount).toBe(0);
  });

  it('falls back to 3 s after a handshake without a sample, and not after one with a sample', () => {
    const none = new RtoEstimator();
    none.backoff();
    none.fallBackAfterHandshake();
    expect(none.rto).toBe(3 * S);
    none.sample(fresh(100 * MS));
    // rttvar starts again from the sample: the fallback only covered the time without one.
    expect(none.rto).toBe(300 * MS);

    const some = new RtoEstimator();
    some.sample(fresh(50 * MS));
    some.fallBackAfterHandshake();
    expect(some.rto).toBe(250 * MS);
  });

  it('caps a computed RTO at 120 s', () => {
    const est = new RtoEstimator();
    est.sample(fresh(100 * S));
    expect(est.rto).toBe(120 * S);
  });

  it('forgets everything on reset', () => {
    const est = new RtoEstimator();
    est.sample(fresh(100 * MS));
    est.backoff();
    est.reset();
    expect(est.rto).toBe(TCP_TIMEOUT_INIT);
    expect(est.hasSample).toBe(false);
    expect(est.backoffCount).toBe(0);
  });
});

describe('retransmitsTimedOut (tcp_model_timeout)', () => {
  it('gives tcp_retries2 = 15 from 200 ms 924.6 s, doubling to 120 s then linear', () => {
    expect(modelTimeout(15, TCP_RTO_MIN)).toBe(924_600 * MS);
    expect(retransmitsTimedOut(15, TCP_RTO_MIN, 924_599 * MS)).toBe(false);
    expect(retransmitsTimedOut(15, TCP_RTO_MIN, 924_600 * MS)).toBe(true);
  });

  it('gives tcp_syn_retries = 6 from the 1 s initial RTO 127 s', () => {
    expect(modelTimeout(6, TCP_TIMEOUT_INIT)).toBe(127 * S);
    expect(retransmitsTimedOut(6, TCP_TIMEOUT_INIT, 126_999 * MS)).toBe(false);
    expect(retransmitsTimedOut(6, TCP_TIMEOUT_INIT, 127 * S + 500_000)).toBe(true);
  });

  it('counts the doubling up to ilog2(120 s / base) back-offs, then 120 s each', () => {
    expect(modelTimeout(3, TCP_RTO_MIN)).toBe(3_000 * MS); // 200+400+800+1600
    expect(modelTimeout(9, TCP_RTO_MIN)).toBe(204_600 * MS); // (2^10 − 1) × 200 ms
    expect(modelTimeout(10, TCP_RTO_MIN)).toBe(324_600 * MS);
    expect(modelTimeout(8, TCP_TIMEOUT_INIT)).toBe(127 * S + 240 * S);
  });

  it('compares in whole milliseconds as tcp_time_stamp does', () => {
    expect(retransmitsTimedOut(3, TCP_RTO_MIN, 3_000 * MS - 1)).toBe(false);
  });
});

describe('the SYN states', () => {
  it('keep the RTO for the first tcp_syn_linear_timeouts timeouts, then double', () => {
    const est = new RtoEstimator();
    const sentAt: number[] = [0];
    let t = 0;
    for (let timeouts = 0; timeouts < 10; timeouts++) {
      t += est.rto;
      sentAt.push(t / S);
      if (synBackoffDoubles(timeouts)) est.backoff();
      else est.backoffLinear();
    }
    expect(sentAt).toEqual([0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
  });

  it('give up on a dead path where Linux 6.18 does: SYNs at 0…67 s, ETIMEDOUT at 131 s', () => {
    // Recorded in namespaces (python3 connect() to an address whose frames nobody takes): SYNs at
    // 0, 1.023, 2.047, 3.071, 4.095, 5.119, 7.135, 11.231, 19.423, 35.551, 69.343 s and ETIMEDOUT at
    // 134.879 s — the nominal times plus the timer wheel's slack. tcp_write_timeout runs at each timeout.
    const est = new RtoEstimator();
    const sentAt: number[] = [0];
    let t = 0;
    let retransmissions = 0;
    let gaveUpAt = -1;
    while (gaveUpAt < 0 && retransmissions < 100) {
      t += est.rto;
      if (synRetriesExhausted(retransmissions, true) || retransmitsTimedOut(6, TCP_TIMEOUT_INIT, t)) {
        gaveUpAt = t;
        break;
      }
      sentAt.push(t / S);
      if (synBackoffDoubles(retransmissions)) est.backoff();
      else est.backoffLinear();
      retransmissions++;
    }
    expect(sentAt).toEqual([0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
    expect(gaveUpAt).toBe(131 * S);
  });

  it('give up after tcp_syn_retries (+ the linear timeouts in SYN-SENT) retransmissions', () => {
    expect(synRetriesExhausted(9, true)).toBe(false);
    expect(synRetriesExhausted(10, true)).toBe(true);
    expect(synRetriesExhausted(5, false)).toBe(false);
    expect(synRetriesExhausted(6, false)).toBe(true);
  });
});
