/**
 * A table of shell lines recorded on the Linux kernel and replayed on the model: the lines run once
 * in a throw-away namespace pair (kernel-namespaces.ts) after a setup, their answers (stderr and
 * stdout as the terminal shows them, and the exit status) kept in a JSON fixture beside the test;
 * the replay runs the same setup and lines on a fresh model kernel and lists every answer that
 * differs, both sides shown. `recordedTableTests` registers the usual pair: the replay, which runs
 * everywhere, and the live re-recording, which needs namespaces (skips saying so, fails under
 * CI=true) and, with `NETLOOM_RECORD=1`, writes the fixture anew instead of comparing.
 * Leaves out timed steps and carrier changes (kernel-scenarios.ts has those).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { runNamespaceScenario } from './kernel-namespaces.js';
import { makeShell } from './kernel-shell.js';

export interface RecordedCase {
  line: string;
  /** stderr and stdout as the terminal shows them (2>&1). */
  output: string;
  status: number;
}

export interface RecordedTable {
  recordedOn: { kernel: string; iproute2: string };
  devices: string[];
  setup: string[];
  cases: RecordedCase[];
}

/** What a table is: its devices (veth ends eth0…, up with carrier in the model), setup and lines. */
export interface TableSpec {
  fixturePath: string;
  devices: readonly string[];
  /** Run on both sides before the lines (on Linux the devices start down). */
  setup: readonly string[];
  lines: readonly string[];
}

/** Run the setup and lines in a namespace: the recorded table. */
export function recordTableOnLinux(spec: TableSpec): RecordedTable {
  const steps = ['uname -r', 'ip -V', ...spec.setup, ...spec.lines].map((line) => ({ kind: 'command' as const, line }));
  const results = runNamespaceScenario(
    spec.devices.map((name, i) => ({ name, mac: `02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}` })),
    steps,
  );
  const offset = 2 + spec.setup.length;
  return {
    recordedOn: { kernel: results[0]?.stdout.trim() ?? '', iproute2: results[1]?.stdout.trim() ?? '' },
    devices: [...spec.devices],
    setup: [...spec.setup],
    cases: spec.lines.map((line, i) => ({ line, output: results[offset + i]?.stdout ?? '(no answer)', status: results[offset + i]?.status ?? -1 })),
  };
}

export function readRecordedTable(path: string): RecordedTable {
  return JSON.parse(readFileSync(path, 'utf8')) as RecordedTable;
}

/** Replay a table on a fresh model kernel: every differing answer, both sides, or '' when none differs. */
export function replayMismatches(table: RecordedTable, options: { up?: boolean } = {}): string {
  const { sh } = makeShell({ devices: table.devices, ...(options.up === false ? { up: false } : {}) });
  for (const line of table.setup) expect(sh(line), line).toMatchObject({ status: 0 });
  const mismatches: string[] = [];
  for (const recorded of table.cases) {
    const r = sh(recorded.line);
    const model = `${r.stderr}${r.stdout}[rc=${r.status}]`;
    const real = `${recorded.output}[rc=${recorded.status}]`;
    if (model !== real) mismatches.push(`${recorded.line}\n--- linux ${table.recordedOn.kernel}\n${real}\n--- model\n${model}`);
  }
  return mismatches.join('\n\n');
}

/**
 * The replay test (the fixture holds the spec's lines, and every answer is the kernel's) and the
 * live re-recording; `checkTable` adds what the table must show to be worth replaying.
 */
export function recordedTableTests(title: string, spec: TableSpec, options: { up?: boolean; checkTable?: (table: RecordedTable) => void } = {}): void {
  describe(`${title}: the recorded kernel table replayed on the model`, () => {
    test('the fixture covers the lines this test asks about', () => {
      const table = readRecordedTable(spec.fixturePath);
      expect(table.devices).toEqual(spec.devices);
      expect(table.setup).toEqual(spec.setup);
      expect(table.cases.map((c) => c.line)).toEqual(spec.lines);
      options.checkTable?.(table);
    });

    test('every answer, text and status, as the kernel gave it', () => {
      expect(replayMismatches(readRecordedTable(spec.fixturePath), options)).toBe('');
    });
  });

  needs({ netns: true, tools: ['bash', 'sysctl', 'uname'] }).describe(`${title}: the table re-recorded on this kernel`, () => {
    test('the kernel still gives the recorded answers', () => {
      const live = recordTableOnLinux(spec);
      if (process.env['NETLOOM_RECORD'] === '1') writeFileSync(spec.fixturePath, `${JSON.stringify(live, null, 2)}\n`);
      expect(live.cases).toEqual(readRecordedTable(spec.fixturePath).cases);
    });
  });
}
