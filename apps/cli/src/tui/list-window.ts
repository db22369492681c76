/**
 * Which slice of a list a pane of `visible` rows shows so that the selected row stays in view:
 * the slice shown before (`previousStart`) while the selection is inside it, else moved just
 * enough (the selection on the last row once it passes the bottom, on the first above the top).
 */
export function listWindow(length: number, selected: number, visible: number, previousStart = 0): { start: number; end: number } {
  if (visible <= 0) return { start: 0, end: 0 };
  let start = Math.min(previousStart, Math.max(0, length - visible));
  if (selected < start) start = selected;
  else if (selected >= start + visible) start = selected - visible + 1;
  start = Math.max(0, start);
  return { start, end: Math.min(length, start + visible) };
}

/**
 * A list's heading when not every row fits: `NODE 3-6/10↑↓` (the rows shown, of how many, and
 * arrows for the directions with more); null when all fit.
 */
export function listHeading(name: string, window: { start: number; end: number }, length: number): string | null {
  if (window.start === 0 && window.end >= length) return null;
  const arrows = `${window.start > 0 ? '↑' : ''}${window.end < length ? '↓' : ''}`;
  return `${name} ${window.start + 1}-${window.end}/${length}${arrows}`;
}
