/**
 * One tcpdump-like line per trace event for the packet log: virtual time in seconds with
 * microseconds (tcpdump -tt style, shortened to fit 80 columns), the link, the node, the event verb
 * in the words `netloom run --trace` uses (tx, rx, drop(reason), forward(…), deliver(…)), then the
 * frame summary the runtime produced (addresses, protocol, details). It formats only; colouring
 * is the log pane's job. No frame parsing happens here: the summary string from the runtime
 * (wire.describeFrame) is the single source of packet detail.
 */
import { traceVerb, type TimelineEvent, type TraceEvent } from '@netloom/runtime';

const NS_PER_SECOND = 1_000_000_000;
const NS_PER_MICROSECOND = 1_000;

/** `12.345678`: seconds and microseconds of virtual time. */
export function formatVirtualTime(ns: number): string {
  const seconds = Math.floor(ns / NS_PER_SECOND);
  const micros = Math.floor((ns % NS_PER_SECOND) / NS_PER_MICROSECOND);
  return `${seconds}.${String(micros).padStart(6, '0')}`;
}

/** The link column: the link id, or `node:ifname` / `node` when the event has no link. */
export function traceLocation(event: TraceEvent): string {
  if (event.link !== null) return event.link;
  return event.ifname === null ? event.node : `${event.node}:${event.ifname}`;
}

/**
 * The whole log line, e.g.
 * `0.551000 r1:eth1--r2:eth0 r1 drop(linkDown) IP 10.0.0.1 > 10.0.8.2: ICMP echo request, id 1, seq 1, length 64`.
 */
export function formatTraceLine(event: TraceEvent): string {
  const summary = event.summary === '' ? '' : ` ${event.summary}`;
  return `${formatVirtualTime(event.t)} ${traceLocation(event)} ${event.node} ${traceVerb(event)}${summary}`;
}

/** A timeline event's log line: `1.000000 ⚑ event: link r1:eth1--r2:eth0 down`. */
export function formatTimelineLine(event: TimelineEvent): string {
  return `${formatVirtualTime(event.t)} ⚑ event: ${event.description}`;
}
