/**
 * Shared by the differential tests test/kernel-*.test.ts. Each scenario has a script here
 * (test/kernel/NAME.py) that replays it on the real Linux kernel in network namespaces and prints
 * what the kernel did, and the script's recorded output (NAME.expected.txt, `%%` header lines first).
 * A test (a) re-runs the script when it can (`kernelNeed`: root, iproute2, python3, the tools the
 * script needs) and compares its output with the recording, and (b) replays the same steps on
 * netloom and compares with the same recording. Outputs are compared after normalising what varies from run to run (timings,
 * countdowns); each test lists its normalisations.
 *
 * Leaves out: running scripts in parallel (the kernel scripts are timing-sensitive and share the
 * machine), and any root-less fallback (no user namespaces: the scripts need real `ip netns`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { needs, type Need } from '@netloom/wire/testing/test-environment';

export const kernelDir = import.meta.dirname;
export const repoRoot = join(kernelDir, '..', '..');

/**
 * What the scripts need here: root, `ip netns`, python3, iproute2's `bridge`, `sysctl`, and the
 * tools and Python modules a script also calls. Without them the live re-run is skipped, saying
 * what is missing — or fails, under CI=true.
 */
export function kernelNeed(tools: readonly string[] = [], pythonModules: readonly string[] = []): Need {
  return needs({ netns: true, tools: ['python3', 'bridge', 'sysctl', ...tools], pythonModules });
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs test/kernel/NAME.py (it deletes its namespaces itself, also when killed by the timeout). */
export function runKernelScript(name: string, timeoutMs: number): ScriptRun {
  const r = spawnSync('python3', [join(kernelDir, `${name}.py`)], {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGTERM',
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The recorded kernel output of NAME, without its `%%` header lines. */
export function expectedOutput(name: string): string {
  return readFileSync(join(kernelDir, `${name}.expected.txt`), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('%%'))
    .join('\n');
}

export type Normaliser = [RegExp, string];

export function normalise(text: string, rules: Normaliser[]): string {
  return rules.reduce((t, [re, by]) => t.replace(re, by), text);
}

/**
 * The block of lines from the line starting with `from` up to (not including) the next line
 * starting with `until` (or the end).
 */
export function section(text: string, from: string, until = '## '): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(from));
  if (start < 0) return '';
  let end = lines.findIndex((l, i) => i > start && l.startsWith(until));
  if (end < 0) end = lines.length;
  return lines.slice(start, end).join('\n');
}

/**
 * The output of one recorded command: the lines after `$ NODE: CMD` up to the next `$ `, `## `,
 * `# ` or `t=` line. Returns undefined when the command is not in the recording.
 */
export function commandOutput(text: string, node: string, cmd: string, occurrence = 0): string | undefined {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== `$ ${node}: ${cmd}`) continue;
    if (seen++ < occurrence) continue;
    const out: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] ?? '';
      if (/^(\$ |## |# |t=)/.test(l)) break;
      out.push(l);
    }
    return out.join('\n');
  }
  return undefined;
}

/**
 * A known difference between netloom and the kernel in one replay. `project` removes or rewrites
 * the affected lines (applied to both transcripts before they are compared); `present` says whether
 * the difference is still there, so that a test fails — and the entry must go — once the model is
 * fixed.
 */
export interface Divergence {
  what: string;
  project(text: string): string;
  present(model: string, kernel: string): boolean;
}

export function project(text: string, divergences: readonly Divergence[]): string {
  return divergences.reduce((t, d) => d.project(t), text);
}

/**
 * (b) of a differential test, as a describe block named `title`: `replay` plays the scenario on
 * netloom once (normalised as the recording is), the test `comparison` wants it to print `recorded`
 * once both are projected through the divergences, and each divergence is checked to be still there.
 */
export function describeReplay(title: string, comparison: string, replay: () => Promise<string>, recorded: string, divergences: readonly Divergence[]): void {
  describe(title, () => {
    let replayed = '';
    beforeAll(async () => {
      replayed = await replay();
    });

    it(comparison, () => {
      expect(project(replayed, divergences)).toBe(project(recorded, divergences));
    });

    if (divergences.length > 0) {
      it.each(divergences)('known divergence, still there: $what', (d) => {
        expect(d.present(replayed, recorded)).toBe(true);
      });
    }
  });
}

/** Removes every line matching `re` (a whole-line pattern, without anchors or flags). */
export function dropLines(text: string, re: RegExp): string {
  return text
    .split('\n')
    .filter((l) => !re.test(l))
    .join('\n');
}
