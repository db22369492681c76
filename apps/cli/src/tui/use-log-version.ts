/**
 * Re-renders the packet log when new events arrive, but at most once per `intervalMs`
 * (default 80 ms, ~12 renders/s) however many events the emulator emits: the batching that keeps
 * the UI responsive under 10,000+ events/s. Returns a counter that changes on each batch.
 */
import { useEffect, useState } from 'react';
import type { LogStore } from './log-store.js';

export const LOG_RENDER_INTERVAL_MS = 80;

export function useLogVersion(store: LogStore, intervalMs: number = LOG_RENDER_INTERVAL_MS): number {
  const [version, setVersion] = useState(0);
  useEffect(() => store.subscribeThrottled(() => setVersion((v) => v + 1), intervalMs), [store, intervalMs]);
  return version;
}
