import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NewReno, SackScoreboard, seqAfter, TCP_INFINITE_SSTHRESH } from './congestion.js';

/** A NewReno after one fast recovery from cwnd 10: ssthresh 5, cwnd 5, in congestion avoidance. */
function afterOneRecovery(): NewReno {
  const cc = new NewReno();
  for (let i = 0; i < 3; i++) cc.onDupAck(1000, 11_000);
  cc.onAck(10, 11_000);
  return cc;
}

describe('NewReno', () => {
  it('starts with Linux\'s 10-segment window in slow start', () => {
    const cc = new NewReno();
    expect(cc.cwnd).toBe(10);
    expect(cc.ssthresh).toBe(TCP_INFINITE_SSTHRESH);
    expect(cc.phase).toBe('open');
  });

  it('grows by each acknowledged segment in slow start', () => {
    const cc = new NewReno();
    for (let i = 1; i <= 5; i++) expect(cc.onAck(1, i * 1000)).toBe('ack');
    expect(cc.cwnd).toBe(15);
    cc.onAck(4, 9000); // a stretch ACK counts all it acknowledges
    expect(cc.cwnd).toBe(19);
  });

  it('grows by one segment per window of acknowledged segments in congestion avoidance', () => {
    const cc = afterOneRecovery();
    expect([cc.cwnd, cc.ssthresh]).toEqual([5, 5]);
    for (let i = 0; i < 4; i++) cc.onAck(1, 12_000 + i);
    expect(cc.cwnd).toBe(5);
    cc.onAck(1, 12_010);
    expect(cc.cwnd).toBe(6);
    cc.onAck(13, 12_020); // credit 13 at w 6: +2, 1 left over
    expect(cc.cwnd).toBe(8);
    for (let i = 0; i < 6; i++) cc.onAck(1, 12_030 + i);
    expect(cc.cwnd).toBe(8);
    cc.onAck(1, 12_040);
    expect(cc.cwnd).toBe(9);
  });

  it('carries what slow start leaves past ssthresh into congestion avoidance (tcp_slow_start)', () => {
    const cc = new NewReno();
    cc.onRto(0, 10_000); // ssthresh 5, cwnd 1
    cc.onAck(1, 1000);
    cc.onAck(1, 2000);
    expect(cc.cwnd).toBe(3);
    cc.onAck(7, 10_000); // +2 to ssthresh 5, 5 left: one more segment of credit at w 5
    expect(cc.cwnd).toBe(6);
    expect(cc.phase).toBe('open');
  });

  it('does not grow a window the sender did not fill', () => {
    const cc = new NewReno();
    cc.onAck(5, 5000, false);
    expect(cc.cwnd).toBe(10);
  });

  it('fast-retransmits on the third duplicate ACK: ssthresh cwnd/2, cwnd ssthresh + 3', () => {
    const cc = new NewReno();
    expect(cc.onDupAck(1000, 11_000)).toBe('none');
    expect(cc.onDupAck(1000, 11_000)).toBe('none');
    expect(cc.onDupAck(1000, 11_000)).toBe('fastRetransmit');
    expect([cc.ssthresh, cc.cwnd, cc.inRecovery, cc.recoveryPoint]).toEqual([5, 8, true, 11_000]);
    expect(cc.onDupAck(1000, 11_000)).toBe('none');
    expect(cc.cwnd).toBe(9); // inflated by each further duplicate
  });

  it('deflates on a partial ACK and leaves recovery at ssthresh once the recovery point is acknowledged', () => {
    const cc = new NewReno();
    for (let i = 0; i < 4; i++) cc.onDupAck(1000, 11_000);
    expect(cc.onAck(3, 4000)).toBe('partialAck');
    expect(cc.cwnd).toBe(7); // 9 − 3 + 1
    expect(cc.inRecovery).toBe(true);
    expect(cc.onAck(7, 11_000)).toBe('recoveryEnd');
    expect([cc.cwnd, cc.phase]).toEqual([5, 'open']);
  });

  it('never deflates below one segment, however much a partial ACK acknowledges', () => {
    const cc = new NewReno();
    for (let i = 0; i < 3; i++) cc.onDupAck(0, 10_000);
    expect(cc.onAck(9, 9000)).toBe('partialAck'); // 8 − 9 + 1 = 0
    expect(cc.cwnd).toBe(1);
  });

  it('starts no second recovery from duplicates of an ACK below the last recovery point (RFC 6582 3.2)', () => {
    const cc = afterOneRecovery(); // recovery point 11000
    for (let i = 0; i < 2; i++) cc.onDupAck(11_000, 20_000);
    expect(cc.onDupAck(11_000, 20_000)).toBe('none');
    expect(cc.inRecovery).toBe(false);
    cc.onAck(1, 12_000);
    for (let i = 0; i < 2; i++) cc.onDupAck(12_000, 20_000);
    expect(cc.onDupAck(12_000, 20_000)).toBe('fastRetransmit');
  });

  it('drops to one segment on a timeout and keeps ssthresh through repeated back-offs', () => {
    const cc = new NewReno();
    cc.onAck(10, 10_000); // cwnd 20
    cc.onRto(10_000, 30_000);
    expect([cc.cwnd, cc.ssthresh, cc.phase]).toEqual([1, 10, 'loss']);
    cc.onRto(10_000, 30_000);
    expect([cc.cwnd, cc.ssthresh]).toEqual([1, 10]);
    // Three duplicates in loss recovery are no fast retransmit.
    for (let i = 0; i < 2; i++) cc.onDupAck(10_000, 30_000);
    expect(cc.onDupAck(10_000, 30_000)).toBe('none');
    expect(cc.onAck(1, 11_000)).toBe('ack');
    expect(cc.cwnd).toBe(2);
    expect(cc.onAck(19, 30_000)).toBe('recoveryEnd');
    expect(cc.phase).toBe('open');
    // The next timeout after the recovery point halves again: cwnd was 10 (2 + 8 to ssthresh, +1 credit).
    expect(cc.cwnd).toBe(11);
    cc.onRto(30_000, 40_000);
    expect(cc.ssthresh).toBe(5);
  });

  it('keeps the ssthresh of a fast recovery that a timeout interrupts (tcp_enter_loss)', () => {
    const cc = new NewReno();
    cc.onAck(10, 10_000); // cwnd 20
    for (let i = 0; i < 3; i++) cc.onDupAck(10_000, 30_000);
    expect(cc.ssthresh).toBe(10);
    cc.onRto(10_000, 30_000);
    expect([cc.cwnd, cc.ssthresh, cc.phase]).toEqual([1, 10, 'loss']);
  });

  it('compares recovery points across the 32-bit wrap', () => {
    const cc = new NewReno();
    const una = 0xffff_f000;
    for (let i = 0; i < 3; i++) cc.onDupAck(una, 0x0000_2000);
    expect(cc.onAck(1, 0xffff_f800)).toBe('partialAck');
    expect(cc.onAck(1, 0x0000_1000)).toBe('partialAck');
    expect(cc.onAck(1, 0x0000_2000)).toBe('recoveryEnd');
  });

  it('never grows past its clamp', () => {
    const cc = new NewReno({ clamp: 12 });
    cc.onAck(100, 100_000);
    expect(cc.cwnd).toBe(12);
  });

  it('keeps 1 ≤ cwnd ≤ clamp and ssthresh ≥ 2, and leaves recovery once its point is acknowledged (property)', () => {
    const MSS = 1000;
    type Step = { kind: 'send'; n: number } | { kind: 'ack'; n: number } | { kind: 'dup' } | { kind: 'rto' } | { kind: 'idleAck'; n: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('send' as const), n: fc.integer({ min: 1, max: 40 }) }),
      // ACKs acknowledge a share (per cent) of the flight, so that partial ACKs of any size occur.
      fc.record({ kind: fc.constant('ack' as const), n: fc.integer({ min: 1, max: 100 }) }),
      fc.record({ kind: fc.constant('idleAck' as const), n: fc.integer({ min: 1, max: 100 }) }),
      fc.record({ kind: fc.constant('dup' as const) }),
      fc.record({ kind: fc.constant('dup' as const) }),
      fc.record({ kind: fc.constant('rto' as const) }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 200, size: 'max' }), fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 2, max: 200 }), (steps, isn, clamp) => {
        const cc = new NewReno({ clamp });
        let una = isn >>> 0;
        let nxt = una;
        const flight = () => ((nxt - una) >>> 0) / MSS;
        for (const s of steps) {
          if (s.kind === 'send') {
            // The sender keeps within the window, as it must.
            const room = Math.max(cc.cwnd - flight(), 0);
            nxt = (nxt + Math.min(s.n, room) * MSS) >>> 0;
          } else if (s.kind === 'ack' || s.kind === 'idleAck') {
            if (flight() === 0) continue;
            const n = Math.max(1, Math.floor((flight() * s.n) / 100));
            una = (una + n * MSS) >>> 0;
            const point = cc.recoveryPoint;
            cc.onAck(n, una, s.kind === 'ack');
            if (point !== null && !seqAfter(point, una)) expect(cc.phase).toBe('open');
          } else if (s.kind === 'dup') {
            if (flight() === 0) continue;
            cc.onDupAck(una, nxt);
          } else {
            cc.onRto(una, nxt);
          }
          expect(cc.cwnd).toBeGreaterThanOrEqual(1);
          expect(cc.cwnd).toBeLessThanOrEqual(clamp);
          expect(Number.isInteger(cc.cwnd)).toBe(true);
          expect(cc.ssthresh).toBeGreaterThanOrEqual(2);
          if (cc.phase !== 'open') expect(cc.recoveryPoint).not.toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('SackScoreboard', () => {
  const MSS = 100;

  /** snd_una 0, snd_nxt 1000, SACKed: segments 1, 3 and 5. */
  function threeHoles(): SackScoreboard {
    const sb = new SackScoreboard(MSS);
    sb.reset(0);
    sb.addBlocks(
      [
        { left: 100, right: 200 },
        { left: 300, right: 400 },
        { left: 500, right: 600 },
      ],
      1000,
    );
    return sb;
  }

  it('merges blocks and ignores D-SACKs, blocks past snd_nxt and inverted blocks', () => {
    const sb = new SackScoreboard(MSS);
    sb.reset(1000);
    expect(
      sb.addBlocks(
        [
          { left: 1200, right: 1300 },
          { left: 1300, right: 1400 }, // adjacent: one range
          { left: 900, right: 1000 }, // D-SACK below snd_una
          { left: 1500, right: 2100 }, // past snd_nxt 2000
          { left: 1800, right: 1700 },
        ],
        2000,
      ),
    ).toBe(2);
    expect(sb.sacked).toEqual([{ start: 1200, end: 1400 }]);
    sb.addBlocks([{ left: 1100, right: 1250 }], 2000);
    expect(sb.sacked).toEqual([{ start: 1100, end: 1400 }]);
    expect(sb.sackedBytes).toBe(300);
    expect(sb.highSacked).toBe(1400);
  });

  it('forgets what a cumulative ACK covers, and ignores an old one', () => {
    const sb = threeHoles();
    sb.onCumulativeAck(350);
    expect(sb.sacked).toEqual([
      { start: 350, end: 400 },
      { start: 500, end: 600 },
    ]);
    sb.onCumulativeAck(200);
    expect(sb.sndUna).toBe(350);
  });

  it('calls a segment lost with DupThresh SACKed ranges or more than 2 MSS SACKed above it (IsLost)', () => {
    const sb = threeHoles();
    expect(sb.isLost(0)).toBe(true); // three ranges above
    expect(sb.isLost(200)).toBe(false); // two ranges, 200 bytes
    sb.addBlocks([{ left: 600, right: 610 }], 1000); // merges with 500–600: still two ranges, 210 bytes
    expect(sb.isLost(200)).toBe(true);
  });

  it('finds the next segment to retransmit by rule 1, or rule 3 when asked (NextSeg)', () => {
    const sb = threeHoles();
    expect(sb.nextSegment(0)).toEqual({ start: 0, end: 100, rule: 1 });
    expect(sb.nextSegment(100)).toBeNull();
    expect(sb.nextSegment(100, true)).toEqual({ start: 200, end: 300, rule: 3 });
    expect(sb.nextSegment(600, true)).toBeNull(); // nothing unSACKed below HighSACK
  });

  it('stops a retransmission at the next SACKed byte', () => {
    const sb = new SackScoreboard(MSS);
    sb.reset(0);
    sb.addBlocks([{ left: 50, right: 400 }], 1000);
    expect(sb.nextSegment(0)).toEqual({ start: 0, end: 50, rule: 1 });
  });

  it('counts the pipe as RFC 6675 SetPipe does', () => {
    const sb = threeHoles();
    // Holes 0 (lost), 2 and 4 (not lost), 6–9 (unSACKed, not lost).
    expect(sb.pipe(1000, 0)).toBe(6);
    expect(sb.pipe(1000, 100)).toBe(7); // segment 0 retransmitted
  });

  it('holds at most its bound of ranges, forgetting the highest', () => {
    const sb = new SackScoreboard(MSS, 4);
    sb.reset(0);
    sb.addBlocks(
      Array.from({ length: 6 }, (_, i) => ({ left: 100 + i * 200, right: 200 + i * 200 })),
      5000,
    );
    expect(sb.sacked.map((r) => r.start)).toEqual([100, 300, 500, 700]);
    expect(sb.rangesDropped).toBe(2);
  });

  it('works across the 32-bit wrap', () => {
    const sb = new SackScoreboard(MSS);
    sb.reset(0xffff_ff00);
    sb.addBlocks([{ left: 0xffff_ffa0, right: 0x20 }], 0x1000);
    expect(sb.sacked).toEqual([{ start: 0xffff_ffa0, end: 0x20 }]);
    expect(sb.isSacked(0x10)).toBe(true);
    sb.onCumulativeAck(0x10);
    expect(sb.sacked).toEqual([{ start: 0x10, end: 0x20 }]);
  });
});
