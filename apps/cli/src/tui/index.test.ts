import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTui } from './index.js';

afterEach(() => vi.restoreAllMocks());

function captureStderr(): string[] {
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return written;
}

describe('runTui', () => {
  it('prints a topology error as file:line:col and returns 2, without opening the UI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netloom-tui-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'name: broken\nnodes:\n  h1:\n    kind: toaster\n');
    const stderr = captureStderr();
    expect(await runTui(file)).toBe(2);
    expect(stderr.join('')).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: `));
    expect(stderr.join('')).not.toMatch(/\n\s+at /);
  });

  it('a missing file is a topology error too', async () => {
    const stderr = captureStderr();
    expect(await runTui('/nonexistent/netloom.yaml')).toBe(2);
    expect(stderr.join('')).toBe('/nonexistent/netloom.yaml:1:1: cannot read the topology file: no such file\n');
  });
});
