// `npm test`'s own machinery: tools/test-summary-reporter.mjs counts a real vitest run's passes,
// failures (in tests, in hooks, in files that do not load) and skips with their reasons (a skip
// note, the skipReason that `needs()` sets, a plain .skip), and `needs()` fails instead of skipping
// under CI=true; tools/run-tests.mjs refuses a suite it does not know. The fixture test files are
// written to a scratch directory under node_modules/.cache and run by a child vitest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const scratch = mkdtempSync(join(root, 'node_modules/.cache/netloom-summary-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FIXTURES: Record<string, string> = {
  'vitest.config.ts': `export default { test: { include: ['*.case.ts'] } };\n`,
  'mixed.case.ts': `
import { describe, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
const absent = needs({ tools: ['netloom-no-such-tool'] });
describe('mixed', () => {
  it('passes', () => expect(1).toBe(1));
  it('fails', () => expect(1).toBe(2));
  it('skips with a note', (ctx) => ctx.skip('the note says why'));
  it.skip('is skipped in the code', () => {});
  absent.it('needs a tool', () => {});
  absent.describe('a group that needs a tool', () => {
    it('one', () => {});
    it('two', () => {});
  });
  it('checks inside the test', (ctx) => { absent.check(ctx); throw new Error('ran without the tool'); });
});
`,
  'hook.case.ts': `
import { beforeAll, describe, it } from 'vitest';
describe('a group whose setup throws', () => {
  beforeAll(() => { throw new Error('setup broke'); });
  it('never runs', () => {});
});
`,
  'broken.case.ts': `throw new Error('this file does not load');\n`,
};

interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  failures: { file: string; test: string; message: string }[];
  skips: { file: string; test: string; reason: string }[];
}

function runFixtures(ci: boolean): { status: number | null; stdout: string; summary: Summary } {
  for (const [name, text] of Object.entries(FIXTURES)) writeFileSync(join(scratch, name), text);
  const out = join(scratch, `summary-${ci}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, NETLOOM_TEST_SUMMARY: out, CI: ci ? 'true' : '' };
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', `--reporter=${join(root, 'tools/test-summary-reporter.mjs')}`],
    { cwd: scratch, env, encoding: 'utf8' },
  );
  return { status: run.status, stdout: run.stdout, summary: JSON.parse(readFileSync(out, 'utf8')) as Summary };
}

describe('the test summary', () => {
  it('counts passes, failures in tests, hooks and files, and gives every skip its reason', () => {
    const { status, stdout, summary } = runFixtures(false);
    expect(status).toBe(1);
    expect(summary.passed).toBe(1);
    const failures = summary.failures.map((f) => `${f.file} | ${f.test} | ${f.message}`).sort();
    expect(failures).toEqual([
      'broken.case.ts | (outside any test) | this file does not load',
      'hook.case.ts | a group whose setup throws (hook) | setup broke',
      'mixed.case.ts | mixed > fails | expected 1 to be 2 // Object.is equality',
    ]);
    expect(summary.failed).toBe(3);
    const skips = summary.skips.map((s) => `${s.test}: ${s.reason}`).sort();
    expect(skips).toEqual([
      'a group whose setup throws > never runs: marked .skip in the code',
      'mixed > a group that needs a tool > one: not installed: netloom-no-such-tool',
      'mixed > a group that needs a tool > two: not installed: netloom-no-such-tool',
      'mixed > checks inside the test: not installed: netloom-no-such-tool',
      'mixed > is skipped in the code: marked .skip in the code',
      'mixed > needs a tool: not installed: netloom-no-such-tool',
      'mixed > skips with a note: the note says why',
    ]);
    expect(summary.skipped).toBe(7);
    expect(stdout).toContain('   4  not installed: netloom-no-such-tool  (mixed.case.ts)');
  }, 120_000);

  it('under CI=true a missing tool fails, naming the tool, instead of skipping', () => {
    const { summary } = runFixtures(true);
    const missing = summary.failures.filter((f) => f.message.includes('netloom-no-such-tool'));
    expect(missing.map((f) => f.test).sort()).toEqual(['mixed > a group that needs a tool > has what its tests need', 'mixed > checks inside the test', 'mixed > needs a tool']);
    for (const f of missing) expect(f.message).toBe('CI=true, so this fails instead of skipping: not installed: netloom-no-such-tool');
    expect(summary.skips.some((s) => s.reason.includes('netloom-no-such-tool'))).toBe(false);
  }, 120_000);
});

describe('the test runner', () => {
  it('refuses a suite it does not know, naming the ones it knows', () => {
    const run = spawnSync(process.execPath, [join(root, 'tools/run-tests.mjs'), 'no-such-suite'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^run-tests: unknown suite 'no-such-suite' \(known: build, imports, wire, ipc, stack, topology, lvs, mip6, apps, runtime, cli, scenarios\)\n$/);
  });
});
