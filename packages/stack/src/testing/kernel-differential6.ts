/**
 * Runs a generated IPv6 scenario (kernel-scenarios6.ts) in Linux namespaces and in the model and
 * lists the commands whose output or exit status differ; or replays recorded Linux answers of a
 * scenario on the model (the fixture of kernel-differential6.test.ts). The expectations are what the
 * running kernel and iproute2 print. Normalised, and only these:
 * - remaining lifetimes (`valid_lft 598sec`, `"preferred_life_time":298`) and route `expires 599sec`
 *   count down with the namespace's wall clock: each must be within LIFETIME_SLACK seconds of the
 *   model's figure, and `forever` stays `forever`;
 * - an `ip -6 route get` answered through a route with several ECMP siblings is not compared: Linux
 *   picks the sibling by a flow hash keyed by a random boot-time secret (the model takes the first).
 * The chosen route, device and source address are compared as printed.
 * The model's clock stands still but for `wait` steps, which advance it by their seconds.
 */
import type { Kernel } from '../kernel.js';
import { isRoute6Sibling } from '../kernel.js';
import type { Nanos } from '../node-host.js';
import { Shell } from '../shell/shell.js';
import { parseIpv6Number } from '@netloom/wire';
import { normaliseVethOutput, runNamespaceScenario, type NamespaceStep, type StepResult } from './kernel-namespaces.js';
import type { Mismatch, ScenarioComparison } from './kernel-differential.js';
import { deviceMac } from './kernel-scenarios.js';
import { SCENARIO6_DEVICES, type Scenario6, type Scenario6Step } from './kernel-scenarios6.js';
import { makeKernel, run } from './kernel-shell.js';

const SECOND = 1_000_000_000;
/** How far a remaining lifetime on Linux may be from the model's (a seed runs for seconds). */
export const LIFETIME_SLACK = 60;
/** Waits until no address is tentative (150 polls of 50 ms: a hang guard, not a verdict). */
const SETTLE = 'for i in $(seq 150); do ip -6 addr | grep -q tentative || break; sleep 0.05; done';

/** A command's answer as a recorded fixture keeps it (veth details already removed). */
export interface Recorded6Answer {
  line: string;
  output: string;
  status: number;
}

/** The namespace steps of a scenario: settle and wait become shell commands (not compared). */
export function namespaceSteps6(scenario: Scenario6): NamespaceStep[] {
  return scenario.steps.map((step): NamespaceStep => {
    if (step.kind === 'settle') return { kind: 'command', line: SETTLE };
    if (step.kind === 'wait') return { kind: 'command', line: `sleep ${step.seconds}` };
    return step;
  });
}

/** Run a scenario in a namespace: the answer of every command step, in order (null for the others). */
export function recordScenario6(scenario: Scenario6): (Recorded6Answer | null)[] {
  const results: StepResult[] = runNamespaceScenario(
    SCENARIO6_DEVICES.map((name, i) => ({ name, mac: deviceMac(i) })),
    namespaceSteps6(scenario),
  );
  return scenario.steps.map((step, i) => {
    if (step.kind !== 'command') return null;
    const result = results[i];
    return result ? { line: step.line, output: normaliseVethOutput(result.stdout), status: result.status } : { line: step.line, output: '(no result: namespace run failed)', status: -1 };
  });
}

const COUNTER = /(?<=(?:valid_lft|preferred_lft|expires) )(\d+)(?=sec)|(?<="(?:valid_life_time|preferred_life_time|expires)":)(?!4294967295\b)(\d+)/g;

/** Equal once every lifetime counter of `linux` is within LIFETIME_SLACK seconds of the model's. */
export function sameUpToLifetimes(linux: string, model: string): boolean {
  if (linux === model) return true;
  if (linux.replace(COUNTER, 'N') !== model.replace(COUNTER, 'N')) return false;
  const counters = (text: string): number[] => [...text.matchAll(COUNTER)].map((m) => Number(m[0]));
  const a = counters(linux);
  const b = counters(model);
  return a.length === b.length && a.every((value, i) => Math.abs(value - b[i]!) <= LIFETIME_SLACK);
}

/** Did this `ip -6 route get` go through a route with ECMP siblings (Linux's choice is hashed)? */
function usedMultipath(kernel: Kernel, line: string, now: Nanos): boolean {
  const words = line.split(/\s+/).slice(4);
  const value = (key: string): string | undefined => {
    const i = words.indexOf(key);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const dst = parseIpv6Number(words[0] ?? '');
  if (dst === null) return false;
  const from = value('from');
  const src = from === undefined ? null : parseIpv6Number(from);
  const iif = value('iif');
  const oif = value('oif');
  const outcome = kernel.lookupRoute6({ dst, ...(src !== null ? { src } : {}), ...(iif ? { iif } : {}), ...(oif ? { oif } : {}) }, now);
  if (!outcome.ok) return false;
  const route = outcome.decision.route;
  return kernel.routes6(route.table, now).some((r) => isRoute6Sibling(r, route));
}

/** Apply a scenario to a fresh model and compare every command with Linux's answer to it. */
export function compareScenario6(scenario: Scenario6, linux: readonly (Recorded6Answer | null)[]): ScenarioComparison {
  const kernel = makeKernel({ devices: [...SCENARIO6_DEVICES], up: false });
  const shell = new Shell(kernel);
  const mismatches: Mismatch[] = [];
  let compared = 0;
  let multipathSkipped = 0;
  let now: Nanos = 0;
  scenario.steps.forEach((step: Scenario6Step, index) => {
    if (step.kind === 'wait') now += step.seconds * SECOND;
    else if (step.kind === 'carrier') kernel.setCarrier(step.dev, step.up, now);
    if (step.kind !== 'command') return;
    const result = run(shell, step.line, now);
    const model = `${result.stderr}${result.stdout}[rc=${result.status}]`;
    const real = linux[index];
    if (!real || real.line !== step.line) {
      mismatches.push({ seed: scenario.seed, step: index, line: step.line, linux: real ? `(answer recorded for another line: ${real.line})` : '(no result)', model });
      return;
    }
    const expected = `${real.output}[rc=${real.status}]`;
    compared++;
    if (sameUpToLifetimes(expected, model)) return;
    if (step.line.startsWith('ip -6 route get') && usedMultipath(kernel, step.line, now)) {
      multipathSkipped++;
      return;
    }
    mismatches.push({ seed: scenario.seed, step: index, line: step.line, linux: expected, model });
  });
  return { mismatches, compared, multipathSkipped };
}
