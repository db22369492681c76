/**
 * IPv6 command lines run in a Linux namespace and in the model, compared line by line (the IPv6
 * address and route tests use it). A `#settle` line waits in the namespace until no address is
 * tentative (150 polls of 50 ms: a hang guard, not a verdict) and advances the model's clock 3 s;
 * `#carrier DEV up|down` cuts or restores a device's carrier. Lifetimes other than forever (and
 * route `expires`) count down with the namespace's wall clock, so their values are masked.
 */
import type { Kernel } from '../kernel.js';
import type { Nanos } from '../node-host.js';
import { Shell } from '../shell/shell.js';
import { runNamespaceScenario, normaliseVethOutput, type NamespaceStep } from './kernel-namespaces.js';
import { makeKernel, run } from './kernel-shell.js';

const S = 1_000_000_000;

/** Lifetimes other than forever count down with the wall clock in the namespace: mask them. */
export function maskLifetimes(text: string): string {
  return text.replace(/\b\d+sec\b/g, 'Nsec').replace(/"(valid|preferred)_life_time":(?!4294967295)\d+/g, '"$1_life_time":N').replace(/"expires":\d+/g, '"expires":N');
}

/** Run the lines in a namespace and in the model; one text per line whose output or status differ. */
/**
 * `uncomparable(line, kernel, now)`, when given, names lines whose answer depends on what the model
 * cannot reproduce (Linux's keyed ECMP hash): they run on both sides but are not compared.
 */
export function compareIpv6Lines(devices: string[], lines: string[], uncomparable?: (line: string, kernel: Kernel, now: Nanos) => boolean): string[] {
  const SETTLE = "for i in $(seq 150); do ip -6 addr | grep -q tentative || break; sleep 0.05; done";
  const steps: NamespaceStep[] = lines.map((line) =>
    line.startsWith('#carrier ') ? { kind: 'carrier', dev: line.split(' ')[1]!, up: line.endsWith('up') } : { kind: 'command', line: line === '#settle' ? SETTLE : line },
  );
  const real = runNamespaceScenario(
    devices.map((name, i) => ({ name, mac: `02:00:00:00:00:0${i + 1}` })),
    steps,
  );
  const kernel = makeKernel({ devices, up: false });
  const shell = new Shell(kernel);
  let now = 0;
  const mismatches: string[] = [];
  lines.forEach((line, i) => {
    if (line === '#settle') {
      now += 3 * S;
      return;
    }
    const step = steps[i]!;
    if (step.kind === 'carrier') {
      kernel.setCarrier(step.dev, step.up, now);
      return;
    }
    const skip = uncomparable?.(line, kernel, now) ?? false;
    const r = run(shell, line, now);
    if (skip) return;
    const model = maskLifetimes(`${r.stderr}${r.stdout}[rc=${r.status}]`);
    const expected = maskLifetimes(`${normaliseVethOutput(real[i]?.stdout ?? '(none)')}[rc=${real[i]?.status}]`);
    if (model !== expected) mismatches.push(`${line}\n--- linux\n${expected}\n--- model\n${model}`);
  });
  return mismatches;
}

