/**
 * Memory stays flat while a long `ping -i 0.01` runs in the TUI console (issue #11: RSS went from
 * 513 MB to 1.49 GB in five minutes). The ping is typed in the console and driven by the `.` key,
 * the path the real-time clock's ticks take, on the real engine (two-hosts, inline), with the
 * packet log subscribed, in steps of STEP_PACKETS probes. The heap is measured after a full
 * collection once every bounded structure has filled (console scrollback, packet log ring, the
 * command's kept output, ping's 65,536-entry sequence tables, ink's text caches), and again
 * PACKETS probes later; it must not grow with the packet count. Unbounded, the kept output alone
 * would add ~6 MB, and ink's unbounded text caches (tools/bound-ink-caches.mjs) ~4 MB.
 * Sized by the packet count in virtual time, never by wall time.
 */
import { setFlagsFromString } from 'node:v8';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Emulator } from '@netloom/runtime';
import { keys, renderTui } from './testing/render-tui.js';

/** Probes measured, one every 10 ms of virtual time. */
const PACKETS = 100_000;
/** Probes per `.` step (the step is STEP_PACKETS × 10 ms of virtual time). */
const STEP_PACKETS = 1_000;
/** Probes before the first measurement: past ping's 65,536 sequence numbers, which fills every bound. */
const WARM_UP_PACKETS = 70_000;
/** Allowed heap growth over PACKETS probes. */
const MAX_GROWTH_BYTES = 2 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterCollection(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const topology = resolve(import.meta.dirname, '../../../../topologies/two-hosts.yaml');
let emulator: Emulator | null = null;

afterAll(async () => {
  cleanup();
  await emulator?.close();
});

it(`a console ping of ${PACKETS} probes keeps the heap flat`, async () => {
  emulator = await Emulator.load(topology, { placement: 'inline' });
  await emulator.start();
  const tui = renderTui({ emulator, stepNs: STEP_PACKETS * 10_000_000 });
  await tui.type(keys.tab, keys.tab, keys.tab, 'ping -i 0.01 10.0.0.2', keys.enter, keys.escape);
  const step = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) await tui.type('.');
    // The test harness keeps every rendered frame; that is ink-testing-library's memory, not the UI's.
    tui.frames.length = 0;
  };
  await step(WARM_UP_PACKETS / STEP_PACKETS);
  expect(tui.lastFrame()).toMatch(/icmp_seq=\d+ ttl=64/);
  const before = heapAfterCollection();
  await step(PACKETS / STEP_PACKETS);
  const after = heapAfterCollection();
  process.stderr.write(`console-memory: heap ${(before / 1e6).toFixed(1)} MB after ${WARM_UP_PACKETS} probes, ${(after / 1e6).toFixed(1)} MB after ${WARM_UP_PACKETS + PACKETS}\n`);
  const { logStore } = tui.engine;
  expect(logStore.totalEvents).toBeGreaterThan(PACKETS * 4);
  expect(logStore.size).toBeLessThanOrEqual(logStore.capacity);
  expect(after - before, `heap ${Math.round(before / 1e6)} MB → ${Math.round(after / 1e6)} MB`).toBeLessThan(MAX_GROWTH_BYTES);
  // The ping is still the console's foreground command: Ctrl+C ends it with its statistics.
  await tui.type(keys.tab, keys.tab, keys.tab, '\u0003');
  const summary = /(\d+) packets transmitted, (\d+) received/.exec(tui.lastFrame() ?? '');
  expect(summary).not.toBeNull();
  expect(Number(summary![1])).toBeGreaterThanOrEqual(WARM_UP_PACKETS + PACKETS);
  // The same probes at every NETLOOM_TEST_SCALE: fewer than PACKETS would let the unbounded kept
  // output (~6 MB per 100,000) stay under MAX_GROWTH_BYTES, and the warm-up must pass ping's 65,536
  // sequence numbers. About 30 s here; 120 s is the hang guard.
}, 120_000);
