/**
 * One tcpdump-like line per trace event for the packet log: virtual time in seconds with
 * microseconds (as `tcpdump -ttt` style absolute stamps do), the link, the event kind and node,
 * then the frame summary the runtime produced (addresses, protocol, details) and, for drops, the
 * reason. It formats only; colouring is the log pane's job. No frame parsing happens here: the
 * summary string from the runtime (wire.describeFrame) is the single source of packet detail.
 */
import type { TraceEvent, TraceKind } from '@netloom/runtime';

const NS_PER_SECOND = 1_000_000_000;
const NS_PER_MICROSECOND = 1_000;

/** `12.345678`: seconds and microseconds of virtual time. */
export function formatVirtualTime(ns: number): string {
  const seconds = Math.floor(ns / NS_PER_SECOND);
  const micros = Math.floor((ns % NS_PER_SECOND) / NS_PER_MICROSECOND);
  return `${seconds}.${String(micros).padStart(6, '0')}`;
}

const kindLabels: Record<TraceKind, string> = {
  tx: 'Out',
  rx: 'In ',
  forward: 'Fwd',
  deliver: 'Dlv',
  drop: 'DROP',
};

/** The link column: the link id, or `node:ifname` / `node` when the event has no link. */
export function traceLocation(event: TraceEvent): string {
  if (event.link !== null) return event.link;
  return event.ifname === null ? event.node : `${event.node}:${event.ifname}`;
}

/** The whole log line, e.g. `0.010000 h1:eth0--r1:eth0 Out h1 IP 10.0.1.1 > 10.0.9.2: ICMP echo request`. */
export function formatTraceLine(event: TraceEvent): string {
  const head = `${formatVirtualTime(event.t)} ${traceLocation(event)} ${kindLabels[event.kind]} ${event.node}`;
  if (event.kind === 'drop') {
    return `${head} [${event.reason ?? 'unknown'}] ${event.summary}`;
  }
  return `${head} ${event.summary}`;
}
