/**
 * The packet log's memory: a ring buffer holding the newest `capacity` trace events (older ones
 * are forgotten, so a flood of 10,000+ events/s costs bounded memory), counters of everything
 * seen, and a windowed read of the newest events that pass a filter — the pane asks only for the
 * lines it can show. Listeners hear about appends through a throttle (at most one notification
 * per `intervalMs`), so re-rendering is batched however fast events arrive.
 * It stores events as the runtime gave them; formatting happens only for visible lines. Timeline
 * events (the file's `events:` as they happen) are kept in the same ring, in order, and shown
 * whatever the filter (they are the context of the packets around them); they are not counted as
 * packet events.
 */
import type { TimelineEvent, TraceEvent } from '@netloom/runtime';
import { matchesPacketFilter, type PacketFilter } from './packet-filter.js';

export const DEFAULT_LOG_CAPACITY = 5_000;

/** One line of the packet log: a frame's trace event, or a timeline event. */
export type LogEntry = TraceEvent | TimelineEvent;

export function isTimelineEntry(entry: LogEntry): entry is TimelineEvent {
  return entry.kind === 'exec' || entry.kind === 'link' || entry.kind === 'node';
}

export class LogStore {
  readonly capacity: number;
  private readonly ring: (LogEntry | undefined)[];
  /** Index where the next event goes. */
  private head = 0;
  private count = 0;
  private eventsSeen = 0;
  private dropsSeen = 0;
  private readonly listeners = new Set<() => void>();

  constructor(capacity: number = DEFAULT_LOG_CAPACITY) {
    this.capacity = capacity;
    this.ring = new Array<LogEntry | undefined>(capacity);
  }

  /** Events currently held (≤ capacity). */
  get size(): number {
    return this.count;
  }

  /** Every event ever appended, including the forgotten ones. */
  get totalEvents(): number {
    return this.eventsSeen;
  }

  get totalDrops(): number {
    return this.dropsSeen;
  }

  append(events: readonly LogEntry[]): void {
    if (events.length === 0) return;
    for (const event of events) {
      this.ring[this.head] = event;
      this.head = (this.head + 1) % this.capacity;
      if (this.count < this.capacity) this.count++;
      if (isTimelineEntry(event)) continue;
      this.eventsSeen++;
      if (event.kind === 'drop') this.dropsSeen++;
    }
    for (const listener of this.listeners) listener();
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
    for (const listener of this.listeners) listener();
  }

  /** The i-th newest event held (0 = newest). */
  private newest(i: number): LogEntry | undefined {
    if (i >= this.count) return undefined;
    return this.ring[(this.head - 1 - i + this.capacity * 2) % this.capacity];
  }

  /**
   * Up to `limit` events passing `filter`, oldest first, ending `skip` matches before the newest
   * (skip = how far the user scrolled back).
   */
  window(filter: PacketFilter | null, limit: number, skip = 0): LogEntry[] {
    const picked: LogEntry[] = [];
    let skipped = 0;
    for (let i = 0; i < this.count && picked.length < limit; i++) {
      const event = this.newest(i);
      if (event === undefined || (!isTimelineEntry(event) && !matchesPacketFilter(filter, event))) continue;
      if (skipped < skip) {
        skipped++;
        continue;
      }
      picked.push(event);
    }
    return picked.reverse();
  }

  /** Raw subscription: called synchronously on every append. Prefer `subscribeThrottled`. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * At most one call of `listener` per `intervalMs` however many appends happen (trailing edge:
   * the last burst is always reported).
   */
  subscribeThrottled(listener: () => void, intervalMs: number, timers: Timers = globalTimers): () => void {
    let pending: unknown = null;
    const unsubscribe = this.subscribe(() => {
      if (pending !== null) return;
      pending = timers.setTimeout(() => {
        pending = null;
        listener();
      }, intervalMs);
    });
    return () => {
      unsubscribe();
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
    };
  }
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
