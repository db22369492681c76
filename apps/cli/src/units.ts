/**
 * Printing the quantities users read: virtual times, link latencies, bandwidths, loss rates, in
 * the topology file's own notation (`2ms`, `100Mbit`, `1%`) so that what `netloom graph` or the
 * console's `links` shows can be pasted back into a file. Durations and bandwidths are
 * @netloom/topology's own formatters; this module adds times, `unlimited` and loss.
 */

import { formatBandwidth as formatBitRate, formatDuration as formatTopologyDuration } from '@netloom/topology';

const NS_PER_S = 1_000_000_000;

/** `3.000s`: a virtual time with millisecond precision (expectation lines). */
export function formatSeconds(ns: number): string {
  return `${(ns / NS_PER_S).toFixed(3)}s`;
}

/** `3.000000123s`: a virtual time to the nanosecond (the console's `time`). */
export function formatExactSeconds(ns: number): string {
  const whole = Math.floor(ns / NS_PER_S);
  const frac = String(ns - whole * NS_PER_S).padStart(9, '0');
  return `${whole}.${frac}s`;
}

/** `2ms`, `1.5ms`, `300us`, `2s`. */
export function formatDuration(ns: number): string {
  return formatTopologyDuration(ns);
}

/** `100Mbit`, `1.5Gbit`, `unlimited`. */
export function formatBandwidth(bps: number | null): string {
  return bps === null ? 'unlimited' : formatBitRate(bps);
}

/** `1%`, `0.5%`, `0%` from a fraction 0..1. */
export function formatLoss(fraction: number): string {
  return `${Number((fraction * 100).toFixed(4))}%`;
}

/** A positive integer (mtu, queue length), or undefined. */
export function parsePositiveInteger(text: string): number | undefined {
  return /^[1-9]\d*$/.test(text) && Number(text) <= 0x7fffffff ? Number(text) : undefined;
}
