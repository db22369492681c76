#!/usr/bin/env node
// `npm test`: builds, checks import directions, runs each workspace's tests (in layer order) and the
// scenario suite in test/, every one of them even when an earlier one failed, then prints one table:
// suite, passed, failed, skipped, with the failed tests and the reason of every skip below it.
// Exits 1 when anything failed (the build, the import check, a test, an error outside a test).
//
// Usage: node tools/run-tests.mjs [SUITE...]     e.g. `npm test -- stack scenarios`
//   SUITE is build, imports, a workspace's directory name (wire, stack, cli…) or scenarios;
//   none given runs them all. NETLOOM_TEST_SCALE sizes the long runs (docs/testing.md).
// Each vitest run adds tools/test-summary-reporter.mjs to the default reporter; it hands its counts
// back through a JSON file. Times in the table are for the reader only; no verdict uses them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { skipsByReason } from './test-summary-reporter.mjs';

const root = resolve(import.meta.dirname, '..');
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const turbo = join(root, 'node_modules/.bin/turbo');
const reporter = join(root, 'tools/test-summary-reporter.mjs');

/**
 * Workspaces with a `test` script, lower layers first: in the order of the root tsconfig.json's
 * project references (the layer list), then any workspace it does not name, by directory.
 */
function workspaces() {
  const layers = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).references.map((r) => r.path);
  const dirs = ['packages', 'apps'].flatMap((parent) => (existsSync(join(root, parent)) ? readdirSync(join(root, parent)).sort().map((entry) => `${parent}/${entry}`) : []));
  const rank = (dir) => (layers.includes(dir) ? layers.indexOf(dir) : layers.length);
  return dirs
    .filter((dir) => existsSync(join(root, dir, 'package.json')) && JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).scripts?.test)
    .sort((a, b) => rank(a) - rank(b))
    .map((dir) => ({ name: basename(dir), dir: join(root, dir) }));
}

function banner(text) {
  console.log(`\n\x1b[1m━━ ${text} ${'━'.repeat(Math.max(0, 70 - text.length))}\x1b[22m`);
}

/** A step that is a command, not a vitest run: passes when it exits 0. */
function runCommand(name, command, args) {
  banner(`${name}: ${[basename(command), ...args].join(' ')}`);
  const start = Date.now();
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const ok = run.status === 0;
  const why = run.error ? String(run.error.message) : `exit status ${run.status ?? run.signal}`;
  return { name, command: true, ok, seconds: (Date.now() - start) / 1000, failures: ok ? [] : [{ file: name, test: '', message: why }], skips: [] };
}

/** One vitest run in `cwd`; its counts come back through the reporter's JSON file. */
function runVitest(name, cwd, extraArgs, scratch) {
  const out = join(scratch, `${name}.json`);
  banner(`${name}: vitest run ${relative(root, cwd) || '.'} ${extraArgs.join(' ')}`.trimEnd());
  const start = Date.now();
  // A test's timeout only guards against a hang; it must never judge speed. The defaults (5 s, or a
  // package's own) are raised to ten minutes for every test that does not set its own.
  const guards = ['--testTimeout=600000', '--hookTimeout=600000'];
  const run = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', `--reporter=${reporter}`, ...guards, ...extraArgs], {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, NETLOOM_TEST_SUMMARY: out },
  });
  const seconds = (Date.now() - start) / 1000;
  const row = { name, ok: false, seconds, passed: 0, failed: 0, skipped: 0, failures: [], skips: [] };
  if (!existsSync(out)) {
    row.failed = 1;
    row.failures.push({ file: relative(root, cwd) || '.', test: '', message: `vitest ended (${run.error?.message ?? `exit status ${run.status ?? run.signal}`}) without a summary` });
    return row;
  }
  Object.assign(row, JSON.parse(readFileSync(out, 'utf8')));
  if (run.status !== 0 && row.failed === 0) {
    row.failed = 1;
    row.failures.push({ file: relative(root, cwd) || '.', test: '', message: `vitest exited with status ${run.status ?? run.signal}` });
  }
  row.ok = row.failed === 0;
  return row;
}

function duration(seconds) {
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${seconds.toFixed(1)}s`;
}

function printSummary(rows, totalSeconds) {
  const table = [['suite', 'passed', 'failed', 'skipped', 'time']];
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const row of rows) {
    if (row.command) {
      table.push([row.name, row.ok ? 'ok' : '', row.ok ? '' : 'FAILED', '', duration(row.seconds)]);
      if (!row.ok) total.failed++;
      continue;
    }
    table.push([row.name, String(row.passed), String(row.failed), String(row.skipped), duration(row.seconds)]);
    total.passed += row.passed;
    total.failed += row.failed;
    total.skipped += row.skipped;
  }
  table.push(['total', String(total.passed), String(total.failed), String(total.skipped), duration(totalSeconds)]);
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  banner('summary');
  table.forEach((r, index) => {
    if (index === table.length - 1) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  });
  const skipped = rows.flatMap((row) => skipsByReason(row.skips).map(([reason, count, files]) => ({ suite: row.name, reason, count, files })));
  if (skipped.length > 0) {
    console.log(`\nSkipped, and why:`);
    for (const s of skipped) console.log(`  ${s.suite.padEnd(widths[0])}  ${String(s.count).padStart(4)}  ${s.reason}  (${s.files.join(', ')})`);
  }
  const failures = rows.flatMap((row) => row.failures.map((f) => ({ suite: row.name, ...f })));
  if (failures.length > 0) {
    console.log(`\nFailed:`);
    for (const f of failures) console.log(`  ${f.suite.padEnd(widths[0])}  ${[f.file, f.test].filter(Boolean).join(' > ')}\n  ${' '.repeat(widths[0])}    ${f.message}`);
  }
  return total.failed;
}

const all = workspaces();
const names = ['build', 'imports', ...all.map((w) => w.name), 'scenarios'];
const chosen = process.argv.slice(2);
const unknown = chosen.filter((n) => !names.includes(n));
if (unknown.length > 0) {
  console.error(`run-tests: unknown suite ${unknown.map((n) => `'${n}'`).join(', ')} (known: ${names.join(', ')})`);
  process.exit(2);
}
const wanted = (name) => chosen.length === 0 || chosen.includes(name);

console.log(`netloom tests: NETLOOM_TEST_SCALE=${process.env.NETLOOM_TEST_SCALE || '1 (default)'}, CI=${process.env.CI === 'true' ? 'true (missing tools fail)' : 'not set (missing tools skip)'}`);
const scratch = mkdtempSync(join(tmpdir(), 'netloom-tests-'));
const started = Date.now();
const rows = [];
try {
  if (wanted('build')) rows.push(runCommand('build', turbo, ['run', 'build', '--output-logs=errors-only', '--continue']));
  if (wanted('imports')) rows.push(runCommand('imports', process.execPath, [join(root, 'tools/check-imports.mjs'), root]));
  for (const w of all) if (wanted(w.name)) rows.push(runVitest(w.name, w.dir, [], scratch));
  if (wanted('scenarios')) rows.push(runVitest('scenarios', root, ['--config', 'vitest.scenarios.config.ts'], scratch));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const failed = printSummary(rows, (Date.now() - started) / 1000);
process.exit(failed > 0 ? 1 : 0);
