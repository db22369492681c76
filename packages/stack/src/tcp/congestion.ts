/**
 * TCP congestion control, pure: NewReno's window (RFC 5681 with RFC 6582's fast recovery) and an
 * RFC 6675 SACK scoreboard. The connection reports ACKs, duplicate ACKs, SACK blocks and timeouts;
 * these classes answer with the window and what to retransmit. No timers, no I/O, no segments.
 *
 * NewReno counts the window in segments, as Linux's snd_cwnd does. Linux's choices where they
 * differ from the RFCs' room: the initial window is 10 segments (RFC 6928, tcp_init_cwnd); slow
 * start and congestion avoidance are tcp_slow_start and tcp_cong_avoid_ai (a per-ACK credit
 * snd_cwnd_cnt: +1 segment per cwnd segments acknowledged, the credit left over from a larger window
 * applied first), neither grows a window the sender does not fill (tcp_is_cwnd_limited); ssthresh
 * after a loss is tcp_reno_ssthresh, max(cwnd / 2, 2) — cwnd, not RFC 5681's FlightSize; a timeout
 * (tcp_enter_loss) sets cwnd to 1 and recomputes ssthresh only when not already recovering from a
 * loss whose recovery point is still unacknowledged, so repeated back-offs keep it (RFC 5681 4.(4)'s
 * note); recovery ends with cwnd = ssthresh (tcp_end_cwnd_reduction, RFC 6582's second option).
 * Fast retransmit on the third duplicate ACK (tcp_reordering 3) unless the ACK is not past the
 * previous recovery point (RFC 6582 3.2 step 2's `recover` check, Linux's high_seq). In recovery
 * the window inflates by one segment per further duplicate ACK and deflates on a partial ACK by the
 * segments it acknowledged, plus one (RFC 6582 3.2 step 5); the caller retransmits the first
 * unacknowledged segment on the third duplicate ACK and on each partial ACK.
 * Leaves out: Linux's PRR (RFC 6937) pacing of the window inside recovery (this model inflates and
 * deflates instead; both leave recovery at ssthresh), undo of spurious retransmissions (F-RTO,
 * DSACK, Eifel), RACK-TLP, ECN, ABC's byte counting, CUBIC (Linux's default: see docs/tcp.md).
 *
 * The SACK scoreboard keeps the SACKed ranges above snd_una (RFC 6675 2, bounded to MAX_SACK_RANGES
 * ranges: beyond that the highest ones are forgotten, which only makes the sender retransmit more)
 * and answers RFC 6675's IsLost, SetPipe and NextSeg (rules 1 and 3; rule 2, new data, is the caller's).
 * Sequence numbers are 32-bit and wrap; segments are counted in MSS-sized steps from snd_una.
 */

/** Linux's initial window, TCP_INIT_CWND (RFC 6928). */
export const TCP_INIT_CWND = 10;
/** TCP_INFINITE_SSTHRESH: slow start until the first loss. */
export const TCP_INFINITE_SSTHRESH = 0x7fff_ffff;
/** tcp_reordering's default: duplicate ACKs (or SACKed segments) that mean a loss. */
export const DUP_THRESH = 3;
/** The SACK scoreboard's bound. */
export const MAX_SACK_RANGES = 256;

/** `a` − `b` in 32-bit sequence space, signed. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** `a` after `b` in 32-bit sequence space (Linux's after()). */
export function seqAfter(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/** Where NewReno stands: Linux's icsk_ca_state Open, Recovery (fast recovery) and Loss (after a timeout). */
export type CongestionPhase = 'open' | 'recovery' | 'loss';

/** What an ACK that advanced snd_una meant. */
export type AckOutcome =
  /** No recovery in progress, or a loss recovery still short of its point: the window grew (or not). */
  | 'ack'
  /** Fast recovery, the ACK short of the recovery point: retransmit the first unacknowledged segment. */
  | 'partialAck'
  /** The recovery point is acknowledged: recovery is over, cwnd = ssthresh (or loss recovery ended). */
  | 'recoveryEnd';

export interface NewRenoOptions {
  /** Initial window in segments (10). */
  initialWindow?: number;
  /** snd_cwnd_clamp: the window never grows past it. */
  clamp?: number;
}

/** NewReno's congestion window and recovery state for one connection. */
export class NewReno {
  private window: number;
  private threshold = TCP_INFINITE_SSTHRESH;
  /** snd_cwnd_cnt: segments acknowledged towards the next +1 in congestion avoidance. */
  private credit = 0;
  private dupAcks = 0;
  private state: CongestionPhase = 'open';
  /** RFC 6582's `recover`, Linux's high_seq: snd_nxt when the last recovery began; null before any. */
  private recover: number | null = null;
  readonly clamp: number;

  constructor(options: NewRenoOptions = {}) {
    this.clamp = options.clamp ?? TCP_INFINITE_SSTHRESH;
    this.window = Math.min(options.initialWindow ?? TCP_INIT_CWND, this.clamp);
  }

  /** The congestion window in segments (snd_cwnd). */
  get cwnd(): number {
    return this.window;
  }

  /** The slow start threshold in segments (snd_ssthresh). */
  get ssthresh(): number {
    return this.threshold;
  }

  get phase(): CongestionPhase {
    return this.state;
  }

  /** In fast recovery (RFC 6582), entered by the third duplicate ACK. */
  get inRecovery(): boolean {
    return this.state === 'recovery';
  }

  /** The recovery point (snd_nxt when the current or last recovery began), null before any. */
  get recoveryPoint(): number | null {
    return this.recover;
  }

  /** Duplicate ACKs since the last ACK that advanced snd_una. */
  get duplicateAcks(): number {
    return this.dupAcks;
  }

  /** The window after a handshake whose SYN or SYN-ACK was retransmitted more than once (tcp_init_transfer). */
  restartFromOne(): void {
    this.window = 1;
    this.credit = 0;
  }

  /**
   * An ACK that advanced snd_una to `ackNumber`, newly acknowledging `acked` segments (≥ 1).
   * `cwndLimited`: the sender had filled the window (tcp_is_cwnd_limited); an application-limited
   * sender's window does not grow.
   */
  onAck(acked: number, ackNumber: number, cwndLimited = true): AckOutcome {
    this.dupAcks = 0;
    if (this.state === 'recovery') {
      if (this.recover !== null && seqAfter(this.recover, ackNumber)) {
        // RFC 6582 3.2 (5): deflate by what was acknowledged, add back one segment.
        this.window = Math.max(this.window - acked + (acked >= 1 ? 1 : 0), 1);
        return 'partialAck';
      }
      this.window = Math.min(Math.max(this.threshold, 1), this.clamp);
      this.credit = 0;
      this.state = 'open';
      return 'recoveryEnd';
    }
    let outcome: AckOutcome = 'ack';
    if (this.state === 'loss' && this.recover !== null && !seqAfter(this.recover, ackNumber)) {
      this.state = 'open';
      outcome = 'recoveryEnd';
    }
    if (cwndLimited) this.grow(acked);
    return outcome;
  }

  /**
   * A duplicate ACK (same ackNumber, no data, window unchanged). On the third, outside recovery and
   * past the last recovery point, fast retransmit begins: the return value says to retransmit the
   * first unacknowledged segment now. `sndNxt` becomes the recovery point.
   */
  onDupAck(ackNumber: number, sndNxt: number): 'fastRetransmit' | 'none' {
    this.dupAcks++;
    if (this.state === 'recovery') {
      this.window = Math.min(this.window + 1, this.clamp);
      return 'none';
    }
    if (this.dupAcks !== DUP_THRESH || this.state === 'loss') return 'none';
    // RFC 6582 3.2 (2): a third duplicate ACK not covering `recover` starts no new recovery.
    if (this.recover !== null && !seqAfter(ackNumber, this.recover)) return 'none';
    this.enterRecovery(sndNxt);
    return 'fastRetransmit';
  }

  /**
   * Fast recovery entered by other evidence of a loss (the SACK scoreboard's IsLost): ssthresh
   * halves, cwnd = ssthresh + 3 (RFC 6582 3.2 step 3).
   */
  enterRecovery(sndNxt: number): void {
    this.threshold = this.halved();
    this.window = Math.min(this.threshold + DUP_THRESH, this.clamp);
    this.credit = 0;
    this.recover = sndNxt;
    this.state = 'recovery';
  }

  /**
   * A retransmission timeout (tcp_enter_loss): cwnd 1; ssthresh halves unless a recovery whose point
   * `sndUna` has not reached was already under way. `sndNxt` becomes the recovery point.
   */
  onRto(sndUna: number, sndNxt: number): void {
    const recovering = this.state !== 'open' && this.recover !== null && seqAfter(this.recover, sndUna);
    if (!recovering) this.threshold = this.halved();
    this.window = 1;
    this.credit = 0;
    this.dupAcks = 0;
    this.recover = sndNxt;
    this.state = 'loss';
  }

  /** tcp_reno_ssthresh. */
  private halved(): number {
    return Math.max(this.window >> 1, 2);
  }

  /** tcp_reno_cong_avoid: tcp_slow_start, then tcp_cong_avoid_ai with what slow start left. */
  private grow(acked: number): void {
    let left = acked;
    if (this.window < this.threshold) {
      const next = Math.min(this.window + left, this.threshold);
      left -= next - this.window;
      this.window = Math.min(next, this.clamp);
      if (left <= 0) return;
    }
    const w = this.window;
    if (this.credit >= w) {
      this.credit = 0;
      this.window++;
    }
    this.credit += left;
    if (this.credit >= w) {
      const delta = Math.floor(this.credit / w);
      this.credit -= delta * w;
      this.window += delta;
    }
    this.window = Math.min(this.window, this.clamp);
  }
}

/** A SACK block as the option carries it: [left, right) in sequence space. */
export interface SackBlock {
  left: number;
  right: number;
}

/** A segment to retransmit: [start, end) in sequence space. */
export interface SegmentRange {
  start: number;
  end: number;
}

/** RFC 6675's scoreboard of one connection's SACKed data above snd_una. */
export class SackScoreboard {
  /** Disjoint, sorted SACKed ranges as offsets from `base` (snd_una). */
  private ranges: { start: number; end: number }[] = [];
  private base = 0;
  /** Ranges forgotten because the scoreboard was full. */
  rangesDropped = 0;

  constructor(
    private readonly mss: number,
    private readonly maxRanges: number = MAX_SACK_RANGES,
    private readonly dupThresh: number = DUP_THRESH,
  ) {
    if (!(mss >= 1)) throw new RangeError(`SackScoreboard: mss ${mss} below 1`);
  }

  /** snd_una: the scoreboard's lower edge. */
  get sndUna(): number {
    return this.base;
  }

  /** The SACKed ranges, lowest first, in sequence space. */
  get sacked(): SegmentRange[] {
    return this.ranges.map((r) => ({ start: (this.base + r.start) >>> 0, end: (this.base + r.end) >>> 0 }));
  }

  /** SACKed bytes above snd_una. */
  get sackedBytes(): number {
    return this.ranges.reduce((sum, r) => sum + r.end - r.start, 0);
  }

  /** The highest SACKed sequence number + 1 (RFC 6675's HighSACK + 1), or snd_una when nothing is SACKed. */
  get highSacked(): number {
    const last = this.ranges[this.ranges.length - 1];
    return ((this.base + (last?.end ?? 0)) >>> 0);
  }

  /** Starts the scoreboard at the connection's snd_una (the ISN + 1). */
  reset(sndUna: number): void {
    this.base = sndUna >>> 0;
    this.ranges = [];
  }

  /** A cumulative ACK: everything below `ackNumber` is forgotten. An old ACK changes nothing. */
  onCumulativeAck(ackNumber: number): void {
    const delta = seqDiff(ackNumber, this.base);
    if (delta <= 0) return;
    this.base = ackNumber >>> 0;
    const kept: { start: number; end: number }[] = [];
    for (const r of this.ranges) {
      if (r.end <= delta) continue;
      kept.push({ start: Math.max(r.start - delta, 0), end: r.end - delta });
    }
    this.ranges = kept;
  }

  /**
   * The SACK blocks of an ACK. Blocks at or below snd_una (D-SACKs) and past `sndNxt` or inverted
   * (invalid, tcp_is_sackblock_valid) are ignored; returns how many were taken.
   */
  addBlocks(blocks: readonly SackBlock[], sndNxt: number): number {
    const limit = seqDiff(sndNxt, this.base);
    let taken = 0;
    for (const block of blocks) {
      const start = seqDiff(block.left, this.base);
      const end = seqDiff(block.right, this.base);
      if (start < 0 || end <= start || end > limit) continue;
      this.insert(start, end);
      taken++;
    }
    return taken;
  }

  /** Whether every byte of [seq, seq + length) is SACKed. */
  isSacked(seq: number, length = 1): boolean {
    const start = seqDiff(seq, this.base);
    const end = start + length;
    return this.ranges.some((r) => r.start <= start && end <= r.end);
  }

  /**
   * RFC 6675 IsLost(seq): DupThresh discontiguous SACKed ranges above the segment at `seq`, or more
   * than (DupThresh − 1) × SMSS SACKed bytes above it.
   */
  isLost(seq: number): boolean {
    const offset = seqDiff(seq, this.base);
    let bytes = 0;
    let count = 0;
    for (const r of this.ranges) {
      if (r.end <= offset) continue;
      count++;
      bytes += r.end - Math.max(r.start, offset + 1);
    }
    return count >= this.dupThresh || bytes > (this.dupThresh - 1) * this.mss;
  }

  /**
   * RFC 6675 SetPipe: the segments in flight between snd_una and `sndNxt` — each not SACKed
   * counts once unless lost, and once more if retransmitted (below `highRxt`, the highest
   * retransmitted sequence number + 1).
   */
  pipe(sndNxt: number, highRxt: number): number {
    const end = seqDiff(sndNxt, this.base);
    const rxt = seqDiff(highRxt, this.base);
    let pipe = 0;
    for (let off = 0; off < end; off += this.mss) {
      const seq = (this.base + off) >>> 0;
      const length = Math.min(this.mss, end - off);
      if (this.isSacked(seq, length)) continue;
      if (!this.isLost(seq)) pipe++;
      if (off < rxt) pipe++;
    }
    return pipe;
  }

  /**
   * RFC 6675 NextSeg rules 1 and 3: the lowest unSACKed segment above `highRxt` and below HighSACK
   * that IsLost (rule 1); with `rescue` (rule 3, when there is no new data to send) the lowest such
   * segment even if not lost. The range stops at the next SACKed byte and is at most one MSS. Null
   * when there is none.
   */
  nextSegment(highRxt: number, rescue = false): (SegmentRange & { rule: 1 | 3 }) | null {
    const from = Math.max(seqDiff(highRxt, this.base), 0);
    const highSack = this.ranges[this.ranges.length - 1]?.end ?? 0;
    let candidate: SegmentRange | null = null;
    for (let off = from; off < highSack; ) {
      const covering = this.ranges.find((r) => r.start <= off && off < r.end);
      if (covering !== undefined) {
        off = covering.end;
        continue;
      }
      const nextSacked = this.ranges.find((r) => r.start > off)?.start ?? highSack;
      const end = Math.min(off + this.mss, nextSacked);
      const seq = (this.base + off) >>> 0;
      const range = { start: seq, end: (this.base + end) >>> 0 };
      if (this.isLost(seq)) return { ...range, rule: 1 };
      // IsLost only falls with the sequence number: no later hole is lost either.
      candidate = range;
      break;
    }
    return rescue && candidate !== null ? { ...candidate, rule: 3 } : null;
  }

  private insert(start: number, end: number): void {
    let s = start;
    let e = end;
    const kept: { start: number; end: number }[] = [];
    for (const r of this.ranges) {
      if (r.end < s || r.start > e) kept.push(r);
      else {
        s = Math.min(s, r.start);
        e = Math.max(e, r.end);
      }
    }
    kept.push({ start: s, end: e });
    kept.sort((a, b) => a.start - b.start);
    while (kept.length > this.maxRanges) {
      kept.pop();
      this.rangesDropped++;
    }
    this.ranges = kept;
  }
}
