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

  it('gives a short list only the rows it needs', () => {
    expect(screenLayout(120, 40, 4).listHeight).toBe(7);
  });
});
