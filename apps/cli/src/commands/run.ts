/**
 * `netloom run FILE`: play a topology's timeline headless and judge its `expect:` items.
 *
 * Human output: the trace (with --trace) as it happens, then one line per expectation
 * (`✓ 3.000s h1: ping -c 3 10.0.9.2`, or `✗ …` with the file:line of the expect, what was wanted and
 * what came out), then `N/M expectations hold`. --json prints one JSON report instead.
 * Once the startup commands have run, forwarding warnings (forwarding-warnings.ts) are read from the
 * same emulator without moving its virtual time, and printed on stderr. Exit 0 when all hold, 1 when one fails, 2 on bad
 * input, 3 when a node or shard fails, 4 when a startup or timed event command fails (the report
 * is then its `file:line:col:` message, and with --json a report whose `failure` holds its fields).
 */

import type { CommandResult, EmulatorApi, EmulatorOptions, RunReport, TraceEvent } from '../runtime-api.js';
import { describeMatcher, matches, parseDuration, type ExpectSpec, type Matcher, type TopologySpec } from '@netloom/topology';
import type { CliIo } from '../cli-io.js';
import { closeQuietly, EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_NODE_FAILED, EXIT_OK, errorMessage, type Engine } from '../engine.js';
import { commandFailureOf, failureJson, reportFailure } from '../failure-report.js';
import { loadTopologyOrReport } from '../topology-input.js';
import { formatSeconds } from '../units.js';
import { forwardingWarnings } from '../forwarding-warnings.js';

export interface RunOptions extends EmulatorOptions {
  until?: string;
  trace?: boolean;
  pcap?: string;
  json?: boolean;
}

export async function runCommand(file: string, options: RunOptions, io: CliIo, engine: () => Promise<Engine>): Promise<number> {
  const spec = loadTopologyOrReport(file, io.stderr);
  if (!spec) return EXIT_BAD_INPUT;
  let until: number | undefined;
  if (options.until !== undefined) {
    const ns = parseDuration(options.until);
    if (ns === null) {
      io.stderr.write(`netloom: --until: bad duration "${options.until}" (want e.g. 30s, 1.5ms, 2m)\n`);
      return EXIT_BAD_INPUT;
    }
    until = ns;
  }
  const opened = await openOrReport(engine, spec, emulatorOptions(options), io);
  if (!opened) return EXIT_NODE_FAILED;
  const { runtime, emulator } = opened;
  const trace: TraceEvent[] = [];
  let captures: string[] = [];
  try {
    if (options.trace) {
      emulator.onTrace((events) => {
        if (options.json) trace.push(...events);
        else for (const event of events) io.stdout.write(`${runtime.formatTrace(event)}\n`);
      });
    }
    if (options.pcap !== undefined) {
      try {
        captures = await emulator.startCapture(options.pcap);
      } catch (error) {
        // The runtime's CaptureError: the output folder or a file in it is refused (bad input).
        if (!(error instanceof Error && error.name === 'CaptureError')) throw error;
        io.stderr.write(`netloom: --pcap: ${error.message}\n`);
        return EXIT_BAD_INPUT;
      }
    }
    await emulator.start();
    for (const warning of await forwardingWarnings(emulator, spec)) io.stderr.write(`${warning}\n`);
    const report = await emulator.run(until);
    if (options.pcap !== undefined) await emulator.stopCapture();
    if (options.json) io.stdout.write(`${JSON.stringify(jsonReport(spec, options, report, options.trace ? trace : null, captures, placementOf(emulator)), null, 2)}\n`);
    else {
      io.stdout.write(humanReport(spec, report));
      for (const path of captures) io.stderr.write(`pcap: ${path}\n`);
    }
    return report.passed ? EXIT_OK : EXIT_EXPECTATION_FAILED;
  } catch (error) {
    const failure = commandFailureOf(error);
    if (options.json && failure !== null) {
      const report = { name: spec.name, file: spec.file, seed: options.seed ?? spec.seed, passed: false, failure: failureJson(failure) };
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    }
    return reportFailure(error, io.stderr);
  } finally {
    await closeQuietly(emulator);
  }
}

/** Opens an emulator; a failure to do so (a shard that cannot start) is reported and gives null. */
export async function openOrReport(
  engine: () => Promise<Engine>,
  spec: TopologySpec,
  options: EmulatorOptions,
  io: CliIo,
): Promise<{ runtime: Engine; emulator: EmulatorApi } | null> {
  try {
    const runtime = await engine();
    return { runtime, emulator: await runtime.open(spec, options) };
  } catch (error) {
    io.stderr.write(`netloom: ${errorMessage(error)}\n`);
    return null;
  }
}

export function emulatorOptions(options: EmulatorOptions): EmulatorOptions {
  const out: EmulatorOptions = {};
  if (options.seed !== undefined) out.seed = options.seed;
  if (options.placement !== undefined) out.placement = options.placement;
  if (options.workers !== undefined) out.workers = options.workers;
  if (options.realtime) out.realtime = true;
  if (options.speed !== undefined) out.speed = options.speed;
  return out;
}

/** The lines `netloom run` prints for a report (exported for the TUI and tests). */
export function humanReport(spec: TopologySpec, report: RunReport): string {
  let out = '';
  for (const outcome of report.expectations) {
    const head = `${formatSeconds(outcome.at)} ${outcome.node}: ${outcome.cmd}`;
    if (outcome.passed) {
      out += `✓ ${head}\n`;
      continue;
    }
    const expectation = spec.expect[outcome.index];
    const where = `${spec.file}:${expectation?.line ?? '?'}`;
    if (outcome.at > report.endTime) {
      out += `✗ ${head} (not run)\n    ${where}: not run: the run ended at ${formatSeconds(report.endTime)}, before ${formatSeconds(outcome.at)}\n`;
      continue;
    }
    out += `✗ ${head}\n`;
    const problems = expectation ? describeProblems(expectation, outcome.result) : [];
    // The runtime's verdict rules; its own message stands in when the cause is not a mismatch (a timeout, say).
    if (problems.length === 0) problems.push(outcome.message.split('\n', 1)[0] ?? '');
    for (const problem of problems) out += `    ${where}: ${problem}\n`;
    out += indentedOutput('stdout', outcome.result.stdout);
    out += indentedOutput('stderr', outcome.result.stderr);
  }
  const held = report.expectations.filter((outcome) => outcome.passed).length;
  out += `${held}/${report.expectations.length} expectations hold\n`;
  return out;
}

/** What did not hold, got against want: `status 1, want 0`, `stdout does not contain "3 received"`. */
export function describeProblems(expectation: ExpectSpec, result: CommandResult): string[] {
  const problems: string[] = [];
  if (expectation.status !== undefined && result.status !== expectation.status) problems.push(`status ${result.status}, want ${expectation.status}`);
  const unmatched = (stream: 'stdout' | 'stderr', matcher: Matcher) => {
    if (matcher.kind === 'empty') return `${stream} is not empty`;
    return `${stream} does not ${matcher.kind === 'contains' ? 'contain' : 'match'} ${describeMatcher(matcher)}`;
  };
  for (const matcher of expectation.stdout) if (!matches(matcher, result.stdout)) problems.push(unmatched('stdout', matcher));
  for (const matcher of expectation.stderr) if (!matches(matcher, result.stderr)) problems.push(unmatched('stderr', matcher));
  for (const matcher of expectation.notStdout) if (matches(matcher, result.stdout)) problems.push(`stdout ${matcher.kind === 'contains' ? 'contains' : 'matches'} ${describeMatcher(matcher)}, want no match`);
  return problems;
}

function indentedOutput(stream: string, text: string): string {
  if (text === '') return `    ${stream}: (empty)\n`;
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  return `    ${stream}:\n${lines.map((line) => (line === '' ? '      |\n' : `      | ${line}\n`)).join('')}`;
}

/** `packed (2 workers)`, when the emulator says how it placed the nodes (the runtime's Emulator does). */
function placementOf(emulator: EmulatorApi): string | null {
  const described = (emulator as Partial<{ describePlacement(): string }>).describePlacement;
  return typeof described === 'function' ? described.call(emulator) : null;
}

function jsonReport(spec: TopologySpec, options: RunOptions, report: RunReport, trace: TraceEvent[] | null, captures: string[], placement: string | null): object {
  return {
    name: spec.name,
    file: spec.file,
    seed: options.seed ?? spec.seed,
    ...(placement !== null ? { placement } : {}),
    endTime: report.endTime,
    passed: report.passed,
    expectations: report.expectations.map((outcome) => ({
      index: outcome.index,
      line: spec.expect[outcome.index]?.line ?? null,
      at: outcome.at,
      node: outcome.node,
      cmd: outcome.cmd,
      passed: outcome.passed,
      message: outcome.message,
      status: outcome.result.status,
      stdout: outcome.result.stdout,
      stderr: outcome.result.stderr,
    })),
    ...(trace ? { trace: trace.map(({ t, kind, node, ifname, link, reason, summary }) => ({ t, kind, node, ifname, link, ...(reason !== undefined ? { reason } : {}), summary })) } : {}),
    ...(options.pcap !== undefined ? { pcaps: captures } : {}),
  };
}
