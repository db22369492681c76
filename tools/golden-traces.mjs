#!/usr/bin/env node
// Golden traces: the `--trace` output and the sha256 of every `--pcap` capture of each bundled
// topology (topologies/*.yaml, not bad/) in inline placement, and router-chain in packed placement,
// kept in test/golden/. test/golden-traces.test.ts re-runs them and compares byte for byte, so a
// refactoring of the stack that changes what goes on the wire, when, or how a drop is reported,
// shows up as a diff. Traces and pcaps are deterministic: virtual time, seeded randomness.
//
// Usage (after `npm run build`):
//   node tools/golden-traces.mjs           compare every case with test/golden/ (exit 1 on a difference)
//   node tools/golden-traces.mjs --write   re-record test/golden/ — only when a behaviour change is intended;
//                                          review `git diff test/golden/` and say why in the commit
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const goldenDir = join(root, 'test', 'golden');
const cli = join(root, 'apps', 'cli', 'bin', 'netloom.js');
/** A run's stdout is a few hundred KiB at most; anything past this is a runaway. */
const maxOutputBytes = 64 * 1024 * 1024;

/** @typedef {{ name: string, topology: string, placement: 'inline' | 'packed', args: string[] }} GoldenCase */

/** Every bundled topology inline, and router-chain packed on two workers. @returns {GoldenCase[]} */
export function goldenCases() {
  const topologies = readdirSync(join(root, 'topologies')).filter((f) => f.endsWith('.yaml')).sort();
  const cases = topologies.map((file) => ({
    name: `${file.replace(/\.yaml$/, '')}.inline`,
    topology: join('topologies', file),
    placement: /** @type {const} */ ('inline'),
    args: ['--placement', 'inline'],
  }));
  cases.push({
    name: 'router-chain.packed',
    topology: join('topologies', 'router-chain.yaml'),
    placement: 'packed',
    args: ['--placement', 'packed', '--workers', '2'],
  });
  return cases;
}

/**
 * Runs one case through the real `netloom run --trace --pcap DIR` and returns what is kept:
 * stdout (trace lines, then the expectation report), the exit status, and `sha256  file` per capture.
 * @param {GoldenCase} c
 * @returns {{ status: number | null, stderr: string, trace: string, pcaps: string }}
 */
export function runCase(c) {
  const dir = mkdtempSync(join(tmpdir(), 'netloom-golden-'));
  try {
    const r = spawnSync(process.execPath, [cli, 'run', c.topology, '--trace', '--pcap', dir, ...c.args], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: maxOutputBytes,
    });
    if (r.error) throw r.error;
    const pcaps = readdirSync(dir)
      .sort()
      .map((f) => `${createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')}  ${f}\n`)
      .join('');
    return { status: r.status, stderr: r.stderr, trace: r.stdout, pcaps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The recorded files of a case. */
export function goldenPaths(c) {
  return { trace: join(goldenDir, `${c.name}.trace`), pcaps: join(goldenDir, `${c.name}.pcap.sha256`) };
}

function main(argv) {
  const write = argv.includes('--write');
  let differences = 0;
  if (write) mkdirSync(goldenDir, { recursive: true });
  for (const c of goldenCases()) {
    const got = runCase(c);
    if (got.status !== 0) {
      console.error(`${c.name}: netloom run exited ${got.status}\n${got.stderr}`);
      differences++;
      continue;
    }
    const paths = goldenPaths(c);
    if (write) {
      writeFileSync(paths.trace, got.trace);
      writeFileSync(paths.pcaps, got.pcaps);
      console.log(`${c.name}: ${got.trace.split('\n').length - 1} lines, ${got.pcaps.split('\n').length - 1} captures`);
      continue;
    }
    for (const [what, text, path] of [['trace', got.trace, paths.trace], ['pcaps', got.pcaps, paths.pcaps]]) {
      let want;
      try {
        want = readFileSync(path, 'utf8');
      } catch {
        console.error(`${c.name}: no recorded ${what} (${path}); record with --write`);
        differences++;
        continue;
      }
      if (want !== text) {
        console.error(`${c.name}: ${what} differs from ${path}`);
        differences++;
      }
    }
  }
  if (differences > 0) process.exit(1);
  console.log(write ? 'golden-traces: recorded' : 'golden-traces: all identical');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
