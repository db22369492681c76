/**
 * Idle nodes cost no wake-ups (issue #14): a worker whose nodes have nothing due is not woken for
 * the windows its busy neighbours run — only once per operation, when the controller settles every
 * shard (emulator.ts). Counted with the pool's own wake counters (signal[2·shard], bumped for every
 * wake of a worker: a message posted, a full ring, a clock), never timed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';

const scratch = mkdtempSync(join(tmpdir(), 'netloom-idle-shards-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Eight hosts in four addressed pairs, one per worker. */
function pairs(): string {
  const lines = ['name: idle-pairs', 'seed: 1', 'nodes:'];
  for (let i = 0; i < 8; i++) lines.push(`  h${i}:`, '    exec:', '      - ip link set eth0 up', `      - ip addr add 10.0.${i >> 1}.${(i & 1) + 1}/24 dev eth0`);
  lines.push('links:');
  for (let i = 0; i < 8; i += 2) lines.push(`  - endpoints: [h${i}:eth0, h${i + 1}:eth0]`, '    latency: 1ms');
  const file = join(scratch, 'idle-pairs.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('idle shards', () => {
  it('a worker whose nodes have nothing due is woken once per operation, not for every window the busy ones run', async () => {
    const emulator = await Emulator.load(pairs(), { placement: 'per-node' });
    try {
      await emulator.start();
      const signal = (emulator as unknown as { pool: { signal: Int32Array } }).pool.signal;
      const wakes = (): number[] => Array.from({ length: 8 }, (_, shard) => Atomics.load(signal, 2 * shard));
      const before = wakes();
      const ping = await emulator.exec('h0', 'ping -c 10 -i 0.2 10.0.0.2');
      expect(ping.stdout).toContain('10 packets transmitted, 10 received');
      const afterPing = wakes().map((count, shard) => count - before[shard]!);
      // h0 and h1 run a window for every request and reply; h2…h7 have nothing due.
      expect(afterPing[0]).toBeGreaterThanOrEqual(20);
      expect(afterPing[1]).toBeGreaterThanOrEqual(10);
      for (const idle of afterPing.slice(2)) expect(idle).toBeLessThanOrEqual(2);
      // Two idle minutes: skipped, apart from the neighbour timers of the pair that talked.
      const quiet = wakes();
      await emulator.advance(120e9);
      const afterQuiet = wakes().map((count, shard) => count - quiet[shard]!);
      for (const idle of afterQuiet.slice(2)) expect(idle).toBeLessThanOrEqual(1);
    } finally {
      await emulator.close();
    }
  });
});
