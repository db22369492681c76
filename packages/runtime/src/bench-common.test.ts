/**
 * advanceReporting: one advance, its progress read on a timer. Fake timers and a fake emulator:
 * nothing here reads or waits for wall time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { advanceReporting, PROGRESS_EVERY_MS } from './bench-common.js';
import type { Emulator } from './emulator.js';

/** An emulator whose clock the test moves and whose one advance ends when the test says. */
function fakeEmulator(start: number): { emulator: Emulator; advances: number[]; setNow(t: number): void; finish(error?: Error): void } {
  let now = start;
  let settle: ((error?: Error) => void) | null = null;
  const advances: number[] = [];
  const emulator = {
    now: () => now,
    advance: (ns: number) => {
      advances.push(ns);
      return new Promise<void>((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error));
      });
    },
  } as unknown as Emulator;
  return { emulator, advances, setNow: (t) => (now = t), finish: (error) => settle?.(error) };
}

describe('advanceReporting', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('advances once and reports the virtual time gone by while it runs, then the end, then nothing', async () => {
    vi.useFakeTimers();
    const fake = fakeEmulator(5_000);
    const reports: [number, number][] = [];
    const progress = { done: 100, total: 1_100, report: (done: number, total: number) => reports.push([done, total]) };
    const running = advanceReporting(fake.emulator, 1_000, progress);
    expect(fake.advances).toEqual([1_000]);
    fake.setNow(5_300);
    await vi.advanceTimersByTimeAsync(PROGRESS_EVERY_MS);
    fake.setNow(5_700);
    await vi.advanceTimersByTimeAsync(PROGRESS_EVERY_MS);
    fake.setNow(6_000);
    fake.finish();
    await running;
    expect(reports).toEqual([
      [400, 1_100],
      [800, 1_100],
      [1_100, 1_100],
    ]);
    expect(progress.done).toBe(1_100);
    await vi.advanceTimersByTimeAsync(10 * PROGRESS_EVERY_MS);
    expect(reports).toHaveLength(3);
  });

  it('stops reporting when the advance fails, and passes the failure on', async () => {
    vi.useFakeTimers();
    const fake = fakeEmulator(0);
    const reports: number[] = [];
    const running = advanceReporting(fake.emulator, 50, { done: 0, total: 50, report: (done) => reports.push(done) });
    const failed = expect(running).rejects.toThrow('a node failed');
    fake.finish(new Error('a node failed'));
    await failed;
    await vi.advanceTimersByTimeAsync(10 * PROGRESS_EVERY_MS);
    expect(reports).toEqual([]);
  });
});
