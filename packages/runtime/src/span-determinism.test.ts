/**
 * Spans and promises (neighbour synchronisation, shard.ts's runSpan) against global windows on
 * every topology of topologies/: the whole run (timeline, expectations) traced with packed 3 workers
 * and, up to 16 nodes, per-node, each under `sync: 'neighbour'` (a span whenever nothing depends on
 * where windows end), gives the trace of global windows line for line. NETLOOM_TEST_SCALE ≥ 2 adds
 * packed 2 workers and a second per-node run.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { loadTopologyFile, parseTopology } from '@netloom/topology';
import { Emulator } from './emulator.js';
import type { EmulatorOptions } from './emulator-types.js';
import { formatTrace } from './trace-format.js';

const TOPOLOGIES = new URL('../../../topologies/', import.meta.url).pathname;
const FILES = readdirSync(TOPOLOGIES)
  .filter((file) => file.endsWith('.yaml'))
  .sort();

async function tracedRun(file: string, options: EmulatorOptions): Promise<{ trace: string; passed: boolean; spans: number }> {
  const emulator = await Emulator.load(TOPOLOGIES + file, options);
  const lines: string[] = [];
  emulator.onTrace((events) => {
    for (const event of events) lines.push(formatTrace(event));
  });
  try {
    const report = await emulator.run();
    return { trace: lines.join('\n'), passed: report.passed, spans: emulator.synchronisation().spans };
  } finally {
    await emulator.close();
  }
}

describe('the sync option', () => {
  it('refuses a synchronisation it does not know, from the option or NETLOOM_SYNC, and a ring size that is no power of two', async () => {
    const file = TOPOLOGIES + 'two-hosts.yaml';
    await expect(Emulator.load(file, { sync: 'nearby' as never })).rejects.toThrow('sync must be auto, neighbour or global, got "nearby"');
    const saved = process.env['NETLOOM_SYNC'];
    process.env['NETLOOM_SYNC'] = 'fast';
    try {
      await expect(Emulator.load(file)).rejects.toThrow('sync must be auto, neighbour or global, got "fast" (NETLOOM_SYNC)');
      const chosen = await Emulator.load(file, { sync: 'global' });
      expect(chosen.sync).toBe('global');
    } finally {
      if (saved === undefined) delete process.env['NETLOOM_SYNC'];
      else process.env['NETLOOM_SYNC'] = saved;
    }
    await expect(Emulator.load(file, { placement: 'packed', workers: 2, ringBytes: 3000 })).rejects.toThrow('ringBytes must be a power of two ≥ 1024, got 3000');
  });

  it('inline runs the timeline of router-chain in spans, with no window after the startup commands', async () => {
    const emulator = await Emulator.load(TOPOLOGIES + 'router-chain.yaml', { placement: 'inline' });
    try {
      expect(emulator.sync).toBe('auto');
      await emulator.start();
      const started = emulator.synchronisation();
      await emulator.advance(5e9);
      const after = emulator.synchronisation();
      expect(after.windows).toBe(started.windows);
      expect(after.spans).toBeGreaterThan(started.spans);
      expect(after.waits).toBe(0);
    } finally {
      await emulator.close();
    }
  });
});

describe('auto synchronisation between threads', () => {
  it('spans a busy stretch, and an idle advance after it wakes each idle worker a few times, not once per lookahead', async () => {
    // Eight hosts in four pairs, per-node; h0 pings h1 every 2 ms (1 ms links: windows back to back).
    const lines = ['name: idle-pairs', 'seed: 1', 'nodes:'];
    for (let i = 0; i < 8; i++) lines.push(`  h${i}:`, '    exec:', '      - ip link set eth0 up', `      - ip addr add 10.0.${i >> 1}.${(i & 1) + 1}/24 dev eth0`);
    lines.push('links:');
    for (let i = 0; i < 8; i += 2) lines.push(`  - endpoints: [h${i}:eth0, h${i + 1}:eth0]`, '    latency: 1ms');
    const emulator = await Emulator.load(parseTopology(`${lines.join('\n')}\n`, 'idle-pairs.yaml'), { placement: 'per-node' });
    try {
      await emulator.start();
      const signal = (emulator as unknown as { pool: { signal: Int32Array } }).pool.signal;
      const wakes = (): number[] => Array.from({ length: 8 }, (_, shard) => Atomics.load(signal, 2 * shard));
      expect((await emulator.exec('h0', 'ping -c 300 -i 0.002 10.0.0.2')).status).toBe(0);
      const before = wakes();
      const spansBefore = emulator.synchronisation().spans;
      await emulator.advance(10e9);
      expect(emulator.synchronisation().spans).toBeGreaterThan(spansBefore);
      // The first span of a busy stretch is short (8 lookaheads) and, idle, sends auto back to
      // windows, which skip the rest; a first span of 256 lookaheads woke each worker about 130 times.
      for (const [shard, count] of wakes().entries()) expect(count - before[shard]!, `shard ${shard}`).toBeLessThanOrEqual(40);
    } finally {
      await emulator.close();
    }
  });
});

describe('neighbour synchronisation gives the traces of global windows', () => {
  let spans = 0;
  for (const file of FILES) {
    it(file, async () => {
      const nodes = loadTopologyFile(TOPOLOGIES + file).nodes.length;
      const reference = await tracedRun(file, { placement: 'packed', workers: 3, sync: 'global' });
      expect(reference.spans).toBe(0);
      const variants: [string, EmulatorOptions][] = [['packed 3', { placement: 'packed', workers: 3, sync: 'neighbour' }]];
      if (nodes <= 16) variants.push(['per-node', { placement: 'per-node', sync: 'neighbour' }]);
      if (scaled(1) >= 2) {
        variants.push(['packed 2', { placement: 'packed', workers: 2, sync: 'neighbour' }]);
        if (nodes <= 16) variants.push(['per-node again', { placement: 'per-node', sync: 'neighbour' }]);
      }
      for (const [label, options] of variants) {
        const run = await tracedRun(file, options);
        expect(run.trace, `${file} ${label}`).toBe(reference.trace);
        expect(run.passed, `${file} ${label}`).toBe(reference.passed);
        spans += run.spans;
      }
    });
  }

  it('ran spans on the way', () => {
    // Every topology above has stretches where nothing waits on a command: advance and the timeline.
    expect(spans).toBeGreaterThan(FILES.length);
  });
});
