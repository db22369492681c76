/**
 * Real-time mode: while not paused, every `tickMs` of wall time the UI asks the emulator to
 * advance `tickMs × speed` of virtual time; console commands run alongside it (they are spawned,
 * so a long ping moves only as fast as this clock). A tick is skipped while the previous operation
 * is still running (the engine is slower than asked), so virtual time lags rather than queues up;
 * such a tick only refreshes the display (time, counters). Pausing stops the advances, so virtual
 * time stands still; stepping is done by the actions. A failed advance (a node or shard died) is
 * reported once and the clock stops: onError pauses.
 * This is the only wall-clock use in netloom's UI; the engine itself never reads a clock.
 */
import { useEffect, useRef } from 'react';
import type { TuiEngine } from './tui-context.js';

const NS_PER_MS = 1_000_000;

export function useRealtimeClock(engine: TuiEngine, paused: boolean, speed: number, onAdvanced: () => void, onError: (error: unknown) => void): void {
  const callbacks = useRef({ onAdvanced, onError });
  callbacks.current = { onAdvanced, onError };
  useEffect(() => {
    const virtualPerTick = Math.max(1, Math.round(engine.tickMs * NS_PER_MS * speed));
    const timer = setInterval(() => {
      if (engine.queue.isBusy) {
        callbacks.current.onAdvanced();
        return;
      }
      if (paused) return;
      engine.queue.run(() => engine.emulator.advance(virtualPerTick)).then(
        () => callbacks.current.onAdvanced(),
        (error: unknown) => callbacks.current.onError(error),
      );
    }, engine.tickMs);
    return () => clearInterval(timer);
  }, [engine, paused, speed]);
}
