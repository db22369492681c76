/**
 * `netloom bench startup [--runs 5] [--topology FILE] [--json]`: how long the `netloom` command takes
 * from exec to exit for small jobs — Node itself with an empty script (the floor), `--help`,
 * `--version`, `check`, and `run` inline and with the default placement. Each case runs `--runs`
 * times as a child process (cases interleaved, so a change in machine load touches all alike); the
 * figure is the median wall time, with the fastest and slowest run beside it, and the load average
 * at the start, since figures taken on a busy machine are not comparable with quiet ones.
 *
 * The last line says whether the binary ran its bundle or, the bundle being stale, the compiled
 * modules (bundle-state.ts). Figures only, no verdict; a case that exits other than 0 stops the benchmark with the case's own
 * status and error text (a missing topology file exits 2, as `netloom check` does).
 * Leaves out `npx` and shell start-up: it runs `node bin/netloom.js` directly.
 */

import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { bundleState } from '@netloom/runtime/bundle-state';
import type { CliIo } from '../cli-io.js';
import { EXIT_NODE_FAILED, EXIT_OK } from '../engine.js';

export interface StartupBenchOptions {
  runs: number;
  /** The topology of the check and run cases; default: topologies/two-hosts.yaml of the checkout. */
  topology?: string;
  json?: boolean;
}

export interface StartupCase {
  /** What a user would type, e.g. `netloom run two-hosts.yaml --placement inline`. */
  name: string;
  /** The child's argv after node: the script and its arguments. */
  argv: string[];
}

export interface StartupFigure {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/** The child's output is read in full; more than this means something is wrong with the case. */
const MAX_CHILD_OUTPUT = 1 << 20;

/** The repository's topologies/two-hosts.yaml, from the binary's place (apps/cli/bin/). */
export function defaultStartupTopology(binary: string): string {
  return join(dirname(binary), '..', '..', '..', 'topologies', 'two-hosts.yaml');
}

export function startupCases(binary: string, topology: string): StartupCase[] {
  const file = basename(topology);
  return [
    { name: "node -e ''", argv: ['-e', ''] },
    { name: 'netloom --help', argv: [binary, '--help'] },
    { name: 'netloom --version', argv: [binary, '--version'] },
    { name: `netloom check ${file}`, argv: [binary, 'check', topology] },
    { name: `netloom run ${file} --placement inline`, argv: [binary, 'run', topology, '--placement', 'inline'] },
    { name: `netloom run ${file}`, argv: [binary, 'run', topology] },
  ];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function benchStartupCommand(options: StartupBenchOptions, io: CliIo, binary: string): number {
  const topology = options.topology ?? defaultStartupTopology(binary);
  const cases = startupCases(binary, topology);
  const load = loadavg()[0] ?? 0;
  const state = bundleState(pathToFileURL(join(dirname(binary), '..', 'dist', 'bundle', '/')));
  const runs = state.usable ? 'the bundle (dist/bundle)' : `the compiled modules (${state.reason})`;
  const times: number[][] = cases.map(() => []);
  for (let run = 0; run < options.runs; run++) {
    for (const [index, startupCase] of cases.entries()) {
      const began = performance.now();
      const child = spawnSync(process.execPath, startupCase.argv, { encoding: 'utf8', maxBuffer: MAX_CHILD_OUTPUT });
      const elapsed = performance.now() - began;
      if (child.error !== undefined || child.status !== 0) {
        const why = child.error?.message ?? (child.status === null ? `killed by ${child.signal}` : `exit ${child.status}`);
        io.stderr.write(`netloom: bench startup: ${startupCase.name}: ${why}\n${child.stderr ?? ''}`);
        return child.status !== null && child.status !== 0 ? child.status : EXIT_NODE_FAILED;
      }
      times[index]!.push(elapsed);
    }
  }
  const figures: StartupFigure[] = cases.map((startupCase, index) => {
    const samples = times[index]!;
    return { name: startupCase.name, medianMs: median(samples), minMs: Math.min(...samples), maxMs: Math.max(...samples) };
  });
  if (options.json) io.stdout.write(`${JSON.stringify({ runs: options.runs, loadAverage: load, node: process.version, binary: runs, figures })}\n`);
  else io.stdout.write(`${describeStartup(figures, options.runs, load)}netloom ran ${runs}\n`);
  return EXIT_OK;
}

export function describeStartup(figures: StartupFigure[], runs: number, load: number): string {
  const width = Math.max(...figures.map((figure) => figure.name.length));
  const ms = (value: number) => `${Math.round(value)}`;
  const lines = [`start-up, median of ${runs} run${runs === 1 ? '' : 's'} (fastest–slowest), load average ${load.toFixed(2)}, node ${process.version}`];
  for (const figure of figures) lines.push(`${figure.name.padEnd(width)}  ${ms(figure.medianMs).padStart(5)} ms  (${ms(figure.minMs)}–${ms(figure.maxMs)})`);
  return lines.map((line) => `${line}\n`).join('');
}
