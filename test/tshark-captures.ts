/**
 * For the tests that read a bundled topology's captures with tshark (lvs-tshark.test.ts,
 * mip6-tshark.test.ts): run the topology inline with captures on (its expectations must hold), and
 * read a capture's frames as tshark's `-T fields` rows. Callers guard with `needs({ tools: ['tshark'] })`.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { expect } from 'vitest';

const root = join(import.meta.dirname, '..');

/** Runs topologies/TOPOLOGY.yaml inline with captures into `scratch`/TOPOLOGY; that directory. */
export async function captureTopology(topology: string, scratch: string): Promise<string> {
  const dir = join(scratch, topology);
  const emulator = await Emulator.load(join(root, 'topologies', `${topology}.yaml`), { placement: 'inline' });
  try {
    await emulator.startCapture(dir);
    const report = await emulator.run();
    expect(report.expectations.filter((e) => !e.passed).map((e) => e.message)).toEqual([]);
  } finally {
    await emulator.close();
  }
  return dir;
}

/** `tshark -r FILE ARGS -T fields -e F…`: one record per frame (HOME = `home`, so no user profile is read). */
export function tsharkFields<Field extends string>(file: string, fields: readonly Field[], args: readonly string[], home: string): Record<Field, string>[] {
  const command = ['-r', file, ...args, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const text = execFileSync('tshark', command, { encoding: 'utf8', env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'ignore'] });
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t');
      return Object.fromEntries(fields.map((f, i) => [f, values[i] ?? ''])) as Record<Field, string>;
    });
}
