/**
 * Durations and virtual timestamps as the netloom apps print and accept them.
 *
 * `parseDuration` reads `1s`, `500ms`, `250us`, `10ns`, `2m`, `1.5` (seconds when no unit) into
 * integer nanoseconds, or null. `formatSeconds` prints virtual time as seconds with 3 decimals
 * (`12.000`), truncating below the millisecond, the timestamp udpsend and nc put first on a line.
 */

const UNITS: Record<string, number> = { ns: 1, us: 1_000, ms: 1_000_000, s: 1_000_000_000, m: 60_000_000_000, h: 3_600_000_000_000 };

export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?|\.\d+)(ns|us|ms|s|m|h)?$/.exec(text.trim());
  if (!m || m[1] === undefined) return null;
  const scale = UNITS[m[2] ?? 's'] ?? 1_000_000_000;
  return Math.round(Number(m[1]) * scale);
}

export function formatSeconds(ns: number): string {
  const ms = Math.floor(ns / 1_000_000);
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}
