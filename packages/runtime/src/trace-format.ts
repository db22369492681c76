/**
 * One tcpdump-like text line per trace event, as `netloom run --trace` prints them:
 *
 *   0.002000000 r1:eth0 rx IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq 1, length 64
 *   0.003000000 r2:eth1 drop(noRoute) IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq 1, length 64
 *   0.003000000 r1:eth0 forward(eth1) IP …      (input interface, then the output one)
 *   0.004000000 h2:eth0 deliver(icmp) IP …
 *   12.001000000 director log Keepalived_healthcheckers: Removing service [10.1.1.3]:udp:53 from VS …
 *
 * Time is virtual seconds with nanosecond digits (tcpdump -tt style but to the ns).
 */
import type { TraceEvent } from './emulator-types.js';

export function formatVirtualTime(ns: number): string {
  const seconds = Math.floor(ns / 1e9);
  const rest = ns - seconds * 1e9;
  return `${seconds}.${String(rest).padStart(9, '0')}`;
}

/** The event verb: tx, rx, drop(reason), forward(out), deliver(proto). */
export function traceVerb(event: TraceEvent): string {
  if (event.kind === 'drop') return `drop(${event.reason ?? 'unknown'})`;
  if ((event.kind === 'forward' || event.kind === 'deliver') && event.detail !== undefined) return `${event.kind}(${event.detail})`;
  return event.kind;
}

export function formatTrace(event: TraceEvent): string {
  const where = event.ifname === null ? event.node : `${event.node}:${event.ifname}`;
  const summary = event.summary === '' ? '' : ` ${event.summary}`;
  return `${formatVirtualTime(event.t)} ${where} ${traceVerb(event)}${summary}`;
}
