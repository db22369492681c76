import { describe, expect, it } from 'vitest';
import { LinkEgress } from './link-egress.js';

const frame = (length: number): Uint8Array => new Uint8Array(length);

describe('link egress', () => {
  it('delivers after the latency alone when bandwidth is unlimited', () => {
    const egress = new LinkEgress({ latencyNs: 1_000_000, bandwidthBps: null, loss: 0, mtu: 1500, queue: 1 }, 1);
    expect(egress.offer(frame(100), 5, true)).toBe(1_000_005);
    expect(egress.offer(frame(100), 5, true)).toBe(1_000_005);
  });

  it('adds serialization delay and queues behind the frame on the wire', () => {
    // 1000 bytes at 8 Mbit/s = 1 ms on the wire.
    const egress = new LinkEgress({ latencyNs: 100, bandwidthBps: 8e6, loss: 0, mtu: 1500, queue: 10 }, 1);
    expect(egress.offer(frame(1000), 0, true)).toBe(1_000_100);
    expect(egress.offer(frame(1000), 0, true)).toBe(2_000_100);
    expect(egress.queueDepth(0)).toBe(2);
    expect(egress.queueDepth(1_000_000)).toBe(1);
    // An idle serializer starts at once.
    expect(egress.offer(frame(1000), 5_000_000, true)).toBe(6_000_100);
  });

  it('rounds serialization up to whole nanoseconds', () => {
    const egress = new LinkEgress({ latencyNs: 1, bandwidthBps: 3e9, loss: 0, mtu: 1500, queue: 10 }, 1);
    // 64 bytes = 512 bits at 3 Gbit/s = 170.67 ns → 171.
    expect(egress.offer(frame(64), 0, true)).toBe(172);
  });

  it('drops with queueFull once `queue` frames wait (drop-tail)', () => {
    const egress = new LinkEgress({ latencyNs: 1, bandwidthBps: 8e6, loss: 0, mtu: 1500, queue: 2 }, 1);
    expect(typeof egress.offer(frame(1000), 0, true)).toBe('number');
    expect(typeof egress.offer(frame(1000), 0, true)).toBe('number');
    expect(egress.offer(frame(1000), 0, true)).toBe('queueFull');
    // When the first has left the wire there is room again, behind the second.
    expect(egress.offer(frame(1000), 1_000_000, true)).toBe(3_000_001);
  });

  it('drops frames longer than the MTU plus the Ethernet header, allowing a VLAN tag', () => {
    const egress = new LinkEgress({ latencyNs: 1, bandwidthBps: null, loss: 0, mtu: 1500, queue: 2 }, 1);
    expect(typeof egress.offer(frame(1514), 0, true)).toBe('number');
    expect(egress.offer(frame(1515), 0, true)).toBe('mtuExceeded');
    const tagged = frame(1518);
    tagged[12] = 0x81;
    expect(typeof egress.offer(tagged, 0, true)).toBe('number');
    expect(egress.offer(frame(60), 0, false)).toBe('linkDown');
  });

  it('loses frames at the configured rate, the same ones for the same seed', () => {
    const draw = (seed: number): string => {
      const egress = new LinkEgress({ latencyNs: 1, bandwidthBps: null, loss: 0.25, mtu: 1500, queue: 2 }, seed);
      return Array.from({ length: 4000 }, () => (egress.offer(frame(60), 0, true) === 'loss' ? 'x' : '.')).join('');
    };
    const a = draw(42);
    expect(draw(42)).toBe(a);
    expect(draw(43)).not.toBe(a);
    const lost = [...a].filter((c) => c === 'x').length;
    expect(lost).toBeGreaterThan(900);
    expect(lost).toBeLessThan(1100);
  });
});
