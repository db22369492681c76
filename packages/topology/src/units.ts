/**
 * Quantities in topology files: durations (`1.5ms`, `300us`, `2s`, `1m`), bandwidths in bits per
 * second (`100Mbit`, `1Gbit`, `64kbit`, a plain number) and loss (`1%` or a fraction `0.01`).
 *
 * Parsing is exact decimal arithmetic (BigInt), so `1.1ms` is 1,100,000 ns and not a float
 * neighbour of it; values that are not a whole number of nanoseconds / bits per second, or beyond
 * Number.MAX_SAFE_INTEGER (2^53 - 1: about 104 days, about 9 Pbit/s), are rejected, and readDuration /
 * readBandwidth say which of the two it was. Unit names follow tc(8) (`kbit`, `mbit`, `gbit`, case
 * does not matter) except that `bps` here means bits per second, as the topology format says.
 * Leaves out tc's byte-based units and IEC (`kibit`) prefixes.
 */

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
};

/** The syntax of a non-negative duration; also published in the JSON Schema. */
export const DURATION_PATTERN = '^(0|[0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m))$';
const DURATION_RE = /^([0-9]+)(?:\.([0-9]+))?(ns|us|µs|ms|s|m)$/;

/** Why a quantity that has the right syntax is refused: not a whole number of the base unit, or too large. */
export type QuantityFault = 'fraction' | 'range';

/** Scales the decimal `int.frac` by `unit`: the safe whole number, or why there is none. */
function scaleExact(intText: string, fracText: string, unit: bigint): number | QuantityFault {
  // Bounded BigInt work whatever the length of the digits: 25 significant digits are past every limit.
  const int = intText.replace(/^0+(?=.)/, '');
  const frac = fracText.replace(/0+$/, '');
  if (int.length > 25) return 'range';
  if (frac.length > 25) return 'fraction';
  const scaled = BigInt(int + frac) * unit;
  const divisor = 10n ** BigInt(frac.length);
  if (scaled / divisor > BigInt(Number.MAX_SAFE_INTEGER)) return 'range';
  if (scaled % divisor !== 0n) return 'fraction';
  return Number(scaled / divisor);
}

/** A duration in ns, or why not: 'syntax' (no such form), 'fraction' (below 1 ns), 'range' (past 2^53 - 1 ns). */
export function readDuration(text: string): number | QuantityFault | 'syntax' {
  if (text === '0') return 0;
  const m = DURATION_RE.exec(text);
  const unit = DURATION_UNITS[m?.[3] ?? ''];
  if (!m || unit === undefined) return 'syntax';
  return scaleExact(m[1] ?? '', m[2] ?? '', unit);
}

/** `1.5ms` → 1500000 (ns). `0` is accepted without a unit. Null for anything else, negatives included. */
export function parseDuration(text: string): number | null {
  const value = readDuration(text);
  return typeof value === 'number' ? value : null;
}

/** Renders `value / unit` exactly, without trailing zeros: (1500, 1000) → "1.5". */
function exactQuotient(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value - whole * unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** 1500000000 → `1.5s`, 300000000 → `300ms`, 2500 → `2.5us`, 0 → `0s`. parseDuration reads it back. */
export function formatDuration(ns: number): string {
  const whole = Math.round(ns);
  if (whole < 0) return `-${formatDuration(-whole)}`;
  if (whole === 0) return '0s';
  for (const [unit, size] of [['s', 1e9], ['ms', 1e6], ['us', 1e3]] as const) {
    if (whole >= size) return `${exactQuotient(whole, size)}${unit}`;
  }
  return `${whole}ns`;
}

const BANDWIDTH_UNITS: Record<string, bigint> = {
  '': 1n,
  bit: 1n,
  bps: 1n,
  kbit: 1_000n,
  mbit: 1_000_000n,
  gbit: 1_000_000_000n,
  tbit: 1_000_000_000_000n,
};

/** The syntax of a bandwidth string; also published in the JSON Schema. */
export const BANDWIDTH_PATTERN = '^[0-9]+(\\.[0-9]+)?\\s*([bB][iI][tT]|[bB][pP][sS]|[kKmMgGtT][bB][iI][tT])?$';
const BANDWIDTH_RE = /^([0-9]+)(?:\.([0-9]+))?\s*([a-z]*)$/i;

/** `100Mbit` → 100000000 (bit/s); a plain number string is bit/s. Null when malformed or not a whole bit/s. */
export function parseBandwidth(text: string): number | null {
  const value = readBandwidth(text);
  return typeof value === 'number' ? value : null;
}

/** A bandwidth in bit/s, or why not: 'syntax', 'fraction' (below 1 bit/s), 'range' (past 2^53 - 1 bit/s). */
export function readBandwidth(text: string): number | QuantityFault | 'syntax' {
  const m = BANDWIDTH_RE.exec(text);
  const unit = BANDWIDTH_UNITS[(m?.[3] ?? '').toLowerCase()];
  if (!m || unit === undefined) return 'syntax';
  return scaleExact(m[1] ?? '', m[2] ?? '', unit);
}

/** 100000000 → `100Mbit`, 64000 → `64kbit`, 1500 → `1.5kbit`, 999 → `999bit`. */
export function formatBandwidth(bps: number): string {
  const whole = Math.round(bps);
  for (const [unit, size] of [['Gbit', 1e9], ['Mbit', 1e6], ['kbit', 1e3]] as const) {
    if (whole >= size) return `${exactQuotient(whole, size)}${unit}`;
  }
  return `${whole}bit`;
}

/** The syntax of a percentage loss; also published in the JSON Schema. */
export const PERCENT_PATTERN = '^[0-9]+(\\.[0-9]+)?%$';
const PERCENT_RE = /^([0-9]+(?:\.[0-9]+)?)%$/;

/** `1%` → 0.01, `0.25` (or the number 0.25) → 0.25. Null when malformed or outside 0..100% / 0..1. */
export function parseLoss(value: string | number): number | null {
  if (typeof value === 'number') return value >= 0 && value <= 1 ? value : null;
  const m = PERCENT_RE.exec(value);
  if (m) {
    const percent = Number(m[1]);
    return percent <= 100 ? percent / 100 : null;
  }
  const fraction = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : NaN;
  return fraction >= 0 && fraction <= 1 ? fraction : null;
}
