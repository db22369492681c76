import { describe, expect, it } from 'vitest';
import { SwitchTable } from './switch-table.js';

function frame(dst: number, src: number): Uint8Array {
  const bytes = new Uint8Array(60);
  bytes.set([2, 0, 0, 0, 0, dst], 0);
  bytes.set([2, 0, 0, 0, 0, src], 6);
  if (dst === 0xff) bytes.fill(0xff, 0, 6);
  return bytes;
}

describe('MAC-learning switch', () => {
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
});
