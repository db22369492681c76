// Hostile topology input through the `netloom` command (issue #11 items 2 and 7): every file of the
// topologies/bad/input-*.yaml corpus is refused by `netloom check` with exit status 2 and exactly the
// one line topologies/bad/input-expected.json records; a sample goes through the real binary's `run`
// too; and an expectation whose regular expression backtracks exponentially in JavaScript
// (/^(a+)+$/ against a run of "a" and a "!") is judged at once, as RE2 matches in linear time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@netloom/cli/testing/cli-harness';
import { needs } from '@netloom/wire/testing/test-environment';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const badDir = join(root, 'topologies', 'bad');
const binary = join(root, 'apps', 'cli', 'bin', 'netloom.js');
const expected = JSON.parse(readFileSync(join(badDir, 'input-expected.json'), 'utf8')) as Record<string, string>;
const scratch = mkdtempSync(join(tmpdir(), 'netloom-reliability-input-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('netloom check on the hostile-input corpus', () => {
  it(`refuses all ${Object.keys(expected).length} files with exit status 2 and the one expected line each`, async () => {
    const seen: Record<string, string> = {};
    const statuses = new Set<number>();
    for (const name of Object.keys(expected)) {
      const file = join(badDir, name);
      const result = await runCli(['check', file]);
      statuses.add(result.status);
      expect(result.stdout, name).toBe('');
      seen[name] = result.stderr.startsWith(`${file}:`) ? result.stderr.slice(file.length + 1) : result.stderr;
    }
    expect([...statuses]).toEqual([2]);
    expect(seen).toEqual(Object.fromEntries(Object.entries(expected).map(([name, where]) => [name, `${where}\n`])));
  });
});

const built = needs({ files: { 'apps/cli/dist/main.js': 'npm run build' } });

describe('the real binary', () => {
  const sample = [
    'input-empty.yaml',
    'input-binary-junk.yaml',
    'input-include-tag.yaml',
    'input-deep-flow-nesting.yaml',
    'input-billion-laughs.yaml',
    'input-ifname-escape.yaml',
    'input-duration-huge.yaml',
  ];
  for (const name of sample) {
    built.it(`netloom run ${name}: exit status 2, one line, nothing run`, () => {
      const file = join(badDir, name);
      const result = spawnSync(process.execPath, [binary, 'run', file], { cwd: root, encoding: 'utf8' });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`${file}:${expected[name]}\n`);
    });
  }
});

describe('expectations match in linear time', () => {
  it('/^(a+)+$/ against 43 "a"s and a "!" (hours of backtracking in JavaScript) is judged, and fails, at once', async () => {
    const file = join(scratch, 'redos.yaml');
    const word = `${'a'.repeat(43)}!`;
    writeFileSync(
      file,
      [
        'name: redos',
        'nodes: { h1: {} }',
        'expect:',
        '  - at: 1s',
        '    node: h1',
        `    cmd: ${word}`,
        '    status: 127',
        '    stderr: "/^(a+)+$/"',
        '',
      ].join('\n'),
    );
    expect(await runCli(['check', file])).toMatchObject({ status: 0 });
    const result = await runCli(['run', file, '--placement', 'inline']);
    expect(result.stdout).toContain(`✗ 1.000s h1: ${word}`);
    expect(result.stdout).toContain('0/1 expectations hold');
    expect(result.status).toBe(1);
  });
});
