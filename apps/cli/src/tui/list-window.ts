/**
 * Which slice of a list a pane of `visible` rows shows so that the selected row stays in view
 * (the selection sits on the last row once it passes the bottom).
 */
export function listWindow(length: number, selected: number, visible: number): { start: number; end: number } {
  if (visible <= 0) return { start: 0, end: 0 };
  const start = Math.max(0, selected - visible + 1);
  return { start, end: Math.min(length, start + visible) };
}
