import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LEARNED, SwitchTable } from './switch-table.js';

/** Station `n`'s address: 06:00:xx:xx:xx:xx (locally administered, apart from frame()'s). */
function station(n: number): number[] {
  return [6, 0, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** A frame from station `from` to station `to`, or broadcast. */
function frameFrom(from: number, to?: number): Uint8Array {
  const bytes = new Uint8Array(60);
  bytes.set(to === undefined ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] : station(to), 0);
  bytes.set(station(from), 6);
  return bytes;
}

function frame(dst: number, src: number): Uint8Array {
  const bytes = new Uint8Array(60);
  bytes.set([2, 0, 0, 0, 0, dst], 0);
  bytes.set([2, 0, 0, 0, 0, src], 6);
  if (dst === 0xff) bytes.fill(0xff, 0, 6);
  return bytes;
}

describe('MAC-learning switch', () => {
  it('a port whose member lost carrier is disabled and forgets its MACs: frames for them are flooded (br_port_carrier_check)', () => {
    const table = new SwitchTable();
    // A on port 0, B on port 1, C on port 2 are learned.
    table.process(frame(0xff, 0xa), 0, 1, 0);
    table.process(frame(0xff, 0xb), 1, 0, 0);
    table.process(frame(0xff, 0xc), 2, 0, 0);
    expect(table.process(frame(0xb, 0xa), 0, 2, 10)).toBe(false);
    expect(table.size).toBe(3);
    // B's device goes down: port 1 is disabled and B's entry deleted.
    table.setPortCarrier(1, false, 20);
    expect(table.size).toBe(2);
    // A → B is unknown now: flooded to port 2, and nothing goes out of the disabled port 1.
    expect(table.process(frame(0xb, 0xa), 0, 2, 30)).toBe(true);
    expect(table.process(frame(0xb, 0xa), 0, 1, 30)).toBe(false);
    // Other ports' entries stay: A → C still goes to port 2 only.
    expect(table.process(frame(0xc, 0xa), 0, 1, 30)).toBe(false);
    // While port 1 is disabled its replica still learns from the others: D appears on port 2.
    expect(table.process(frame(0xff, 0xd), 2, 1, 35)).toBe(false);
    // Back up: the port forwards again (A -> D known, not flooded to it), and B is learned from its next frame.
    table.setPortCarrier(1, true, 40);
    expect(table.process(frame(0xd, 0xa), 0, 1, 45)).toBe(false);
    expect(table.process(frame(0xb, 0xa), 0, 1, 50)).toBe(true);
    table.process(frame(0xa, 0xb), 1, 0, 60);
    expect(table.process(frame(0xb, 0xa), 0, 2, 70)).toBe(false);
  });

  it('floods unknown unicast and broadcast, then forwards learned unicast to its port only', () => {
    const table = new SwitchTable();
    // A (port 0) sends to unknown B: flooded to ports 1 and 2.
    expect(table.process(frame(0xb, 0xa), 0, 1, 0)).toBe(true);
    expect(table.process(frame(0xb, 0xa), 0, 2, 0)).toBe(true);
    // B (port 1) answers A: A was learned on port 0.
    expect(table.process(frame(0xa, 0xb), 1, 0, 10)).toBe(true);
    expect(table.process(frame(0xa, 0xb), 1, 2, 10)).toBe(false);
    // Now A → B goes only to port 1.
    expect(table.process(frame(0xb, 0xa), 0, 2, 20)).toBe(false);
    expect(table.process(frame(0xb, 0xa), 0, 1, 20)).toBe(true);
    // Broadcast always floods, never back out of the ingress port.
    expect(table.process(frame(0xff, 0xb), 1, 2, 30)).toBe(true);
    expect(table.process(frame(0xff, 0xb), 1, 1, 30)).toBe(false);
  });

  it('forgets entries after 300 s (bridge ageing time)', () => {
    const table = new SwitchTable();
    table.process(frame(0xff, 0xa), 0, 1, 0);
    expect(table.process(frame(0xa, 0xb), 1, 2, 300e9)).toBe(false);
    expect(table.process(frame(0xa, 0xb), 1, 2, 300e9 + 1)).toBe(true);
  });

  it('follows a station that moves to another port', () => {
    const table = new SwitchTable();
    table.process(frame(0xff, 0xa), 0, 1, 0);
    table.process(frame(0xff, 0xa), 2, 1, 5);
    expect(table.process(frame(0xa, 0xb), 1, 2, 6)).toBe(true);
    expect(table.process(frame(0xa, 0xb), 1, 0, 6)).toBe(false);
  });

  it('deletes aged entries as virtual time passes, so the table shrinks back', () => {
    const table = new SwitchTable();
    for (let n = 0; n < 100; n++) table.process(frameFrom(n), n % 4, 0, n);
    expect(table.size).toBe(100);
    // Station 7 keeps talking; the others fall silent.
    table.process(frameFrom(7), 3, 0, 200e9);
    table.process(frameFrom(1000), 0, 1, 300e9 + 100);
    expect(table.size).toBe(2);
    expect(table.process(frame(0xa, 0xb), 1, 2, 300e9 + 100)).toBe(true);
  });

  it('takes an ageing time and a cap', () => {
    const table = new SwitchTable({ ageingTime: 10e9, maxLearned: 2 });
    table.process(frameFrom(1), 0, 1, 0);
    table.process(frameFrom(2), 1, 0, 0);
    table.process(frameFrom(3), 2, 0, 0);
    expect([table.size, table.learningRefused]).toEqual([2, 1]);
    table.process(frameFrom(3), 2, 0, 10e9 + 1);
    expect([table.size, table.learningRefused]).toEqual([1, 1]);
  });

  it('stays within its cap under a flood of a million source addresses, counting what it refused', () => {
    // Sized by count: `stations` distinct sources, one frame each, 1 µs apart (1 s in all, well
    // inside ageing_time, so nothing ages out and the cap alone bounds the table).
    const stations = 1_000_000;
    const table = new SwitchTable();
    let peak = 0;
    for (let n = 0; n < stations; n++) {
      table.process(frameFrom(n), n % 8, 8, n * 1000);
      if (table.size > peak) peak = table.size;
    }
    expect(peak).toBe(DEFAULT_MAX_LEARNED);
    expect(table.learningRefused).toBe(stations - DEFAULT_MAX_LEARNED);
    const now = stations * 1000;
    // A station learned before the table filled (5, on port 5) is still switched to its port only ...
    expect(table.process(frameFrom(1, 5), 1, 5, now)).toBe(true);
    expect(table.process(frameFrom(1, 5), 1, 6, now)).toBe(false);
    // ... and one that was refused (the last, on port 7) is flooded.
    expect(table.process(frameFrom(1, stations - 1), 1, 7, now)).toBe(true);
    expect(table.process(frameFrom(1, stations - 1), 1, 2, now)).toBe(true);
  });
});
