/**
 * Runs a generated scenario (kernel-scenarios.ts) both in Linux namespaces and in the model and
 * lists the steps whose output or exit status differ. The expectations are whatever the running
 * kernel and iproute2 print: nothing is hard-coded. `ip route get` answers that went through a
 * multipath route with several usable nexthops are compared without the chosen nexthop, because
 * Linux's flow hash is keyed by a random boot-time secret.
 */
import type { Kernel } from '../kernel.js';
import { Shell } from '../shell/shell.js';
import { parseIproute2Ipv4 } from '@netloom/wire';
import { runNamespaceScenario, normaliseVethOutput, type NamespaceDevice, type NamespaceStep } from './kernel-namespaces.js';
import { deviceMac, SCENARIO_DEVICES, type Scenario } from './kernel-scenarios.js';
import { makeKernel, run } from './kernel-shell.js';

export interface Mismatch {
  seed: number;
  step: number;
  line: string;
  linux: string;
  model: string;
}

export interface ScenarioComparison {
  mismatches: Mismatch[];
  compared: number;
  multipathSkipped: number;
}

const DEVICES: NamespaceDevice[] = SCENARIO_DEVICES.map((name, i) => ({ name, mac: deviceMac(i) }));

/** ifconfig's packet counters depend on traffic the namespace saw (IPv6 ND, …): not compared. */
export function normaliseCounters(text: string): string {
  // The link-local address appears when addrconf sees the link up, a moment after operstate, and
  // stays `tentative` during DAD: not compared.
  return text
    .replace(/^( +[RT]X (?:packets|errors) ).*$/gm, '$1…')
    .replace(/^ +inet6 fe80::.*\n(?: +valid_lft.*\n)?/gm, '');
}

/** Did this `ip route get` go through a route with several nexthops (Linux's choice is random)? */
function usedMultipath(kernel: Kernel, line: string): boolean {
  const words = line.split(/\s+/).slice(3);
  const value = (key: string): string | undefined => {
    const i = words.indexOf(key);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const dst = parseIproute2Ipv4(words[0] ?? '');
  if (dst === null) return false;
  const from = value('from');
  const iif = value('iif');
  const oif = value('oif');
  const query = {
    dst,
    src: from ? parseIproute2Ipv4(from) ?? 0 : 0,
    mark: Number(value('mark') ?? 0),
    tos: value('tos') ? parseInt(value('tos')!, 16) : 0,
    ...(oif ? { oif } : {}),
  };
  const outcome = iif ? kernel.inputDecision({ ...query, iif }, 0, false) : kernel.outputDecision(query, 0, false);
  return outcome.ok && (outcome.decision.fib?.route.nexthops.length ?? 0) > 1;
}

export function compareScenario(scenario: Scenario): ScenarioComparison {
  const linux = runNamespaceScenario(DEVICES, scenario.steps);
  const kernel = makeKernel({ devices: [...SCENARIO_DEVICES], up: false });
  const shell = new Shell(kernel);
  const mismatches: Mismatch[] = [];
  let compared = 0;
  let multipathSkipped = 0;
  scenario.steps.forEach((step, index) => {
    if (step.kind === 'carrier') {
      kernel.setCarrier(step.dev, step.up);
      return;
    }
    const result = run(shell, step.line);
    const model = normaliseCounters(`${result.stderr}${result.stdout}[rc=${result.status}]`);
    const real = linux[index];
    if (!real) {
      mismatches.push({ seed: scenario.seed, step: index, line: step.line, linux: '(no result: namespace run failed)', model });
      return;
    }
    const expected = normaliseCounters(`${normaliseVethOutput(real.stdout)}[rc=${real.status}]`);
    compared++;
    if (expected === model) return;
    if (step.line.startsWith('ip route get') && usedMultipath(kernel, step.line)) {
      multipathSkipped++;
      return;
    }
    mismatches.push({ seed: scenario.seed, step: index, line: step.line, linux: expected, model });
  });
  return { mismatches, compared, multipathSkipped };
}

/**
 * The seeds a differential test runs: `${name}_SEED=S` only S; else `${name}_SEEDS=N` (a whole
 * number, at least 1) or `defaultCount` of them from `first` on.
 */
export function differentialSeeds(name: string, defaultCount: number, first: number): number[] {
  const only = process.env[`${name}_SEED`];
  if (only !== undefined && only !== '') return [Number(only)];
  const text = process.env[`${name}_SEEDS`];
  let count = defaultCount;
  if (text !== undefined && text !== '') {
    count = Number(text);
    if (!Number.isInteger(count) || count < 1) throw new Error(`${name}_SEEDS must be a whole number of seeds, at least 1, got '${text}'`);
  }
  return Array.from({ length: count }, (_, i) => first + i);
}

/**
 * Run command lines in a namespace whose `devices` are veth ends (MACs 02:00:00:00:00:0N) and in a
 * model kernel with the same devices (down); `#carrier DEV up|down` lines cut or restore a device's
 * carrier. Returns one text per line whose output (stderr first) or exit status differ.
 */
export function compareCommandLines(devices: string[], lines: string[]): string[] {
  const steps: NamespaceStep[] = lines.map((line) => (line.startsWith('#carrier ') ? { kind: 'carrier', dev: line.split(' ')[1]!, up: line.endsWith('up') } : { kind: 'command', line }));
  const linux = runNamespaceScenario(
    devices.map((name, i) => ({ name, mac: `02:00:00:00:00:0${i + 1}` })),
    steps,
  );
  const kernel = makeKernel({ devices, up: false });
  const shell = new Shell(kernel);
  const mismatches: string[] = [];
  steps.forEach((step, i) => {
    if (step.kind === 'carrier') {
      kernel.setCarrier(step.dev, step.up);
      return;
    }
    const r = run(shell, step.line);
    const model = normaliseCounters(`${r.stderr}${r.stdout}[rc=${r.status}]`);
    const real = normaliseCounters(`${normaliseVethOutput(linux[i]?.stdout ?? '(none)')}[rc=${linux[i]?.status}]`);
    if (model !== real) mismatches.push(`${step.line}\n--- linux\n${real}\n--- model\n${model}`);
  });
  return mismatches;
}
