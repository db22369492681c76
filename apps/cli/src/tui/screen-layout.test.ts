import { describe, expect, it } from 'vitest';
import { screenLayout } from './App.js';

describe('screenLayout', () => {
  it.each([
    [80, 24, 4],
    [80, 24, 30],
    [120, 40, 10],
    [200, 60, 30],
  ])('fills %ix%i (%i nodes) with one row to spare and panes side by side across the width', (columns, rows, listed) => {
    const layout = screenLayout(columns, rows, listed);
    expect(1 + layout.listHeight + layout.logHeight + layout.consoleHeight + 1).toBe(rows - 1);
    expect(layout.nodeWidth + layout.linkWidth).toBe(columns);
    expect(layout.nodeWidth).toBeGreaterThanOrEqual(39);
    expect(layout.listHeight).toBeLessThanOrEqual(listed + 3);
    expect(layout.logHeight).toBeGreaterThanOrEqual(5);
  });

  it("keeps 80 columns as they were and gives a wider terminal's width to the node pane, for its addresses", () => {
    expect(screenLayout(80, 24, 10)).toMatchObject({ nodeWidth: 39, linkWidth: 41 });
    // 120 columns: 75 for the nodes, 37 of them for `10.0.0.2/24 2001::2/64 fec0::2/64`-like addresses.
    expect(screenLayout(120, 30, 10)).toMatchObject({ nodeWidth: 75, linkWidth: 45 });
  });

  it('gives a short list only the rows it needs', () => {
    expect(screenLayout(120, 40, 4).listHeight).toBe(7);
  });
});
