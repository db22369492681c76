// Reassembly as ip_defrag does it on Linux 6.18: memory accounted per queue, new fragments refused
// above ipfrag_high_thresh, duplicates and overlaps, timeouts, and the Reasm* counters. The figures
// (2504 bytes for a queue holding one 1020-byte fragment, the truesize steps) were read from
// /proc/net/sockstat's FRAG line in a namespace fed crafted fragments over veth.
import { describe, expect, it } from 'vitest';
import { buildIpv4Packet } from '@netloom/wire';
import { fragmentPacket, fragmentTruesize, IPQ_SIZE, Reassembler, type ReassemblyDrop, type ReassemblyLimits } from './fragmentation.js';
import { createIpMib, type IpMib } from './ip-mib.js';
import { Prng, TimerHeap } from '../timers.js';

const SECOND = 1e9;
const SOURCE = 0x0a4d0001;
const DESTINATION = 0x0a4d0002;

/** One fragment: `length` bytes of payload at byte `offset` of datagram `id`. */
function fragment(id: number, offset: number, length: number, more: boolean): Uint8Array {
  const payload = new Uint8Array(length).map((_, i) => (offset + i) & 0xff);
  return buildIpv4Packet({ source: SOURCE, destination: DESTINATION, protocol: 17, identification: id, moreFragments: more, fragmentOffset: offset }, payload);
}

interface Harness {
  reassembler: Reassembler;
  timers: TimerHeap;
  mib: IpMib;
  expired: (Uint8Array | null)[];
  drops: ReassemblyDrop[];
  limits: ReassemblyLimits;
}

function harness(limits: Partial<ReassemblyLimits> = {}): Harness {
  const timers = new TimerHeap();
  const mib = createIpMib();
  const expired: (Uint8Array | null)[] = [];
  const drops: ReassemblyDrop[] = [];
  const current: ReassemblyLimits = { highThresh: 4194304, timeSeconds: 30, ...limits };
  const reassembler = new Reassembler({ timers, mib, limits: () => current, expired: (first) => expired.push(first), dropped: (_, reason) => drops.push(reason) });
  return { reassembler, timers, mib, expired, drops, limits: current };
}

function reasm(mib: IpMib): Record<string, number> {
  return { reqds: mib.reasmReqds, oks: mib.reasmOKs, fails: mib.reasmFails, timeout: mib.reasmTimeout, overlaps: mib.reasmOverlaps };
}

describe('fragment memory (frag_mem_limit)', () => {
  it('charges the skb truesize the kernel charges, step by kmalloc bucket', () => {
    // IP length → truesize, measured on x86_64 6.18.
    const measured: [number, number][] = [[28, 832], [225, 832], [226, 1280], [673, 1280], [674, 2304], [1500, 2304], [1720, 4352], [3020, 4352], [5020, 8448]];
    expect(measured.map(([length]) => [length, fragmentTruesize(length)])).toEqual(measured);
  });

  it('holds a queue header plus each fragment, and gives it all back on completion', () => {
    const h = harness();
    expect(h.reassembler.add(fragment(1, 0, 1000, true), 0)).toBeNull();
    expect(h.reassembler.memory).toBe(IPQ_SIZE + 2304);
    expect(h.reassembler.memory).toBe(2504);
    expect(h.reassembler.add(fragment(1, 2000, 100, false), 0)).toBeNull();
    expect(h.reassembler.memory).toBe(2504 + 832);
    const whole = h.reassembler.add(fragment(1, 1000, 1000, true), 0);
    expect(whole?.length).toBe(20 + 2100);
    expect(Array.from(whole!.subarray(20, 2120)).every((b, i) => b === (i & 0xff))).toBe(true);
    expect(h.reassembler.memory).toBe(0);
    expect(h.reassembler.queueCount).toBe(0);
    expect(reasm(h.mib)).toEqual({ reqds: 3, oks: 1, fails: 0, timeout: 0, overlaps: 0 });
  });
});

describe('ipfrag_high_thresh', () => {
  it('refuses every fragment while memory is above it, new queue or not, and evicts nothing', () => {
    // As on 6.18 with high_thresh 5000: two queues of 2504 fit (the check precedes the add), then
    // each fragment counts ReasmReqds and ReasmFails and is dropped.
    const h = harness({ highThresh: 5000 });
    h.reassembler.add(fragment(1, 0, 1000, true), 0);
    h.reassembler.add(fragment(2, 0, 1000, true), 0);
    expect(h.reassembler.memory).toBe(5008);
    expect(h.reassembler.add(fragment(3, 0, 1000, true), 0)).toBeNull();
    expect(h.reassembler.add(fragment(1, 1000, 8, false), 0)).toBeNull();
    expect(h.reassembler.memory).toBe(5008);
    expect(h.reassembler.queueCount).toBe(2);
    expect(h.drops).toEqual(['over ipfrag_high_thresh', 'over ipfrag_high_thresh']);
    expect(reasm(h.mib)).toEqual({ reqds: 4, oks: 0, fails: 2, timeout: 0, overlaps: 0 });
  });

  it('refuses everything when it is 0', () => {
    const h = harness({ highThresh: 0 });
    h.reassembler.add(fragment(1, 0, 8, true), 0);
    expect(h.reassembler.queueCount).toBe(0);
    expect(h.mib.reasmFails).toBe(1);
  });

  it('bounds memory under a lossy flood of 60000-byte datagrams (ping -s 60000 over 20% loss)', () => {
    // Sized by count, in virtual time: `datagrams` datagrams 1 ms apart, each fragment lost with
    // probability 1/5 (a seeded generator), timers run as time passes.
    const datagrams = 3000;
    const h = harness();
    const prng = new Prng(11);
    const whole = buildIpv4Packet({ source: SOURCE, destination: DESTINATION, protocol: 1, identification: 0 }, new Uint8Array(60008));
    const template = fragmentPacket(whole, 1500);
    // The most one add can push past the threshold: a new queue and its largest fragment.
    const overshoot = IPQ_SIZE + fragmentTruesize(1500);
    let peak = 0;
    let completed = 0;
    let delivered = 0;
    for (let n = 0; n < datagrams; n++) {
      const now = n * 1e6;
      h.timers.runDue(now);
      for (const piece of template) {
        if (prng.below(5) === 0) continue;
        delivered++;
        const copy = piece.slice();
        copy[4] = (n >>> 8) & 0xff;
        copy[5] = n & 0xff;
        if (h.reassembler.add(copy, now) !== null) completed++;
        peak = Math.max(peak, h.reassembler.memory);
      }
    }
    expect(peak).toBeGreaterThan(4194304);
    expect(peak).toBeLessThanOrEqual(4194304 + overshoot);
    expect(h.mib.reasmFails).toBeGreaterThan(0);
    expect(h.mib.reasmReqds).toBe(delivered);
    // Once every queue has timed out, nothing is held.
    h.timers.runDue(datagrams * 1e6 + 31 * SECOND);
    expect(h.reassembler.memory).toBe(0);
    expect(h.reassembler.queueCount).toBe(0);
    // Every fragment was asked for; every queue ended as reassembled, failed or timed out.
    expect(h.mib.reasmOKs).toBe(completed);
    expect(h.mib.reasmTimeout).toBe(h.expired.length);
    expect(h.mib.reasmFails).toBe(h.mib.reasmTimeout + h.drops.filter((d) => d === 'over ipfrag_high_thresh').length);
  });
});

describe('timeouts (ip_expire)', () => {
  it('expires a queue after ipfrag_time, quoting the first fragment only when it had arrived', () => {
    const h = harness({ timeSeconds: 30 });
    h.reassembler.add(fragment(1, 0, 1000, true), 0);
    h.reassembler.add(fragment(2, 1000, 1000, true), SECOND);
    h.timers.runDue(30 * SECOND - 1);
    expect(h.expired).toEqual([]);
    h.timers.runDue(31 * SECOND);
    expect(h.expired.map((first) => first?.length ?? null)).toEqual([1020, null]);
    expect(reasm(h.mib)).toEqual({ reqds: 2, oks: 0, fails: 2, timeout: 2, overlaps: 0 });
    expect(h.reassembler.memory).toBe(0);
  });

  it('reads ipfrag_time when a queue is created', () => {
    const h = harness({ timeSeconds: 5 });
    h.reassembler.add(fragment(1, 0, 8, true), 0);
    h.limits.timeSeconds = 60;
    h.timers.runDue(5 * SECOND);
    expect(h.mib.reasmTimeout).toBe(1);
  });
});

describe('duplicates and overlaps (RFC 5722, inet_frag_queue_insert)', () => {
  it('drops an exact duplicate and keeps the queue', () => {
    const h = harness();
    h.reassembler.add(fragment(1, 0, 1000, true), 0);
    h.reassembler.add(fragment(1, 0, 1000, true), 0);
    expect(h.drops).toEqual(['duplicate fragment']);
    expect(h.reassembler.memory).toBe(2504);
    expect(h.reassembler.add(fragment(1, 1000, 8, false), 0)?.length).toBe(1028);
    expect(reasm(h.mib)).toEqual({ reqds: 3, oks: 1, fails: 0, timeout: 0, overlaps: 0 });
  });

  it('discards the whole queue on an overlap', () => {
    const h = harness();
    h.reassembler.add(fragment(1, 0, 1000, true), 0);
    h.reassembler.add(fragment(1, 8, 1000, true), 0);
    expect(h.drops).toEqual(['overlapping fragment']);
    expect(h.reassembler.queueCount).toBe(0);
    expect(h.reassembler.memory).toBe(0);
    expect(reasm(h.mib)).toEqual({ reqds: 2, oks: 0, fails: 1, timeout: 0, overlaps: 1 });
  });

  it('treats a fragment inside a run as a duplicate and one spanning two runs as an overlap', () => {
    const h = harness();
    h.reassembler.add(fragment(1, 0, 800, true), 0);
    h.reassembler.add(fragment(1, 800, 800, true), 0); // extends the run to [0, 1600)
    h.reassembler.add(fragment(1, 400, 800, true), 0); // inside it
    expect(h.drops).toEqual(['duplicate fragment']);
    h.reassembler.add(fragment(1, 3200, 800, true), 0); // a second run
    h.reassembler.add(fragment(1, 2400, 400, true), 0); // a run between them
    h.reassembler.add(fragment(1, 1600, 1200, true), 0); // touches [2400, 2800): overlap
    expect(h.drops).toEqual(['duplicate fragment', 'overlapping fragment']);
    expect(h.mib.reasmOverlaps).toBe(1);
  });

  it('discards a queue whose last fragment disagrees with the data already there', () => {
    const h = harness();
    h.reassembler.add(fragment(1, 1000, 1000, true), 0);
    h.reassembler.add(fragment(1, 0, 800, false), 0);
    expect(h.drops).toEqual(['bad fragment length']);
    expect(h.mib.reasmFails).toBe(1);
  });

  it('fails a datagram that would be longer than 65535 bytes', () => {
    const h = harness();
    h.reassembler.add(fragment(1, 0, 65000, true), 0);
    expect(h.reassembler.add(fragment(1, 65000, 1000, false), 0)).toBeNull();
    expect(h.drops).toEqual(['oversized datagram']);
    expect(h.reassembler.memory).toBe(0);
    expect(reasm(h.mib)).toEqual({ reqds: 2, oks: 0, fails: 1, timeout: 0, overlaps: 0 });
  });
});
