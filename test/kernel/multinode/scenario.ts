/**
 * A multi-node scenario, played the same way on the real kernel (run-scenario.py, network
 * namespaces) and on netloom (`playOnNetloom`, the library API in virtual time): nodes with setup
 * commands, point-to-point links (veth pairs) and switched LANs (Linux bridges), then steps — a
 * command on a node, a wait, a note. Both print netns.py's transcript format, and `normaliseRun`
 * removes what varies from run to run (round-trip times, ping's `time` total, veth peer details in
 * `ip link`, the order of an `ip neigh` listing), nothing else.
 *
 * Leaves out: hubs (a Linux bridge is the reference), IPv6, link latency/bandwidth/loss (the kernel's
 * veth has none; netloom's links get 100 µs so that timelines stay close).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { normalise, type Normaliser } from '../harness.js';

export interface ScenarioNode {
  name: string;
  kind: 'host' | 'router';
  /** Commands run in order before the steps (the same text on Linux and netloom). */
  setup: string[];
}

export type ScenarioStep = { node: string; cmd: string } | { wait: number } | { note: string };

export interface Scenario {
  name: string;
  nodes: ScenarioNode[];
  links: { ends: [string, string] }[];
  lans: { name: string; members: string[] }[];
  steps: ScenarioStep[];
}

export const multinodeDir = import.meta.dirname;

/**
 * Round-trip times (ping's, traceroute's) and totals, a route cache entry's countdown, and what only a
 * real veth shows (its peer's ifindex and namespace).
 */
export const runNormalisers: Normaliser[] = [
  [/time=\d+(\.\d+)? ms/g, 'time=T ms'],
  [/, time \d+ms/g, ', time Tms'],
  [/^rtt min\/avg\/max\/mdev = .*$/gm, 'rtt min/avg/max/mdev = T'],
  [/ {2}\d+(\.\d+)? ms/g, ''],
  [/expires \d+sec/g, 'expires Nsec'],
  [/@if\d+:/g, ':'],
  [/ link-netns \S+/g, ''],
  // iproute2 6.1 sometimes ends an `ip -s link` dump of veths whose peers sit in other namespaces
  // with this extack line (status 0); netloom's links have no peer namespace.
  [/^! Error: Peer netns reference is invalid\.\n/gm, ''],
];

/**
 * The run with runNormalisers applied, and the lines of each `ip neigh` listing sorted: the kernel
 * walks its neighbour hash table, whose order a per-boot random key decides.
 */
export function normaliseRun(text: string): string {
  const out: string[] = [];
  let listing: string[] | null = null;
  for (const line of normalise(text, runNormalisers).split('\n')) {
    const isCommand = /^(\$ |# |\[exit )/.test(line);
    if (listing !== null && !isCommand) {
      listing.push(line);
      continue;
    }
    if (listing !== null) out.push(...listing.sort());
    listing = null;
    out.push(line);
    if (/^\$ [\w-]+: ip (-\S+ )*neigh( show)?/.test(line)) listing = [];
  }
  if (listing !== null) out.push(...listing.sort());
  return out.join('\n');
}

export function readScenario(path: string): Scenario {
  return JSON.parse(readFileSync(path, 'utf8')) as Scenario;
}

/** The scenario as a netloom topology file (links before LANs, so interfaces and MACs match run-scenario.py). */
export function topologyYaml(scenario: Scenario): string {
  const q = (s: string) => JSON.stringify(s);
  const out = [`name: ${q(scenario.name)}`, 'seed: 1', 'nodes:'];
  for (const node of scenario.nodes) {
    out.push(`  ${node.name}:`, `    kind: ${node.kind}`);
    if (node.setup.length > 0) out.push('    exec:', ...node.setup.map((cmd) => `      - ${q(cmd)}`));
  }
  out.push('links:');
  for (const link of scenario.links) out.push(`  - { endpoints: [${q(link.ends[0])}, ${q(link.ends[1])}], latency: 100us }`);
  if (scenario.links.length === 0) out[out.length - 1] = 'links: []';
  if (scenario.lans.length > 0) {
    out.push('lans:');
    for (const lan of scenario.lans) out.push(`  ${lan.name}:`, '    type: switch', '    latency: 100us', `    members: [${lan.members.map(q).join(', ')}]`);
  }
  return out.join('\n') + '\n';
}

/**
 * Plays the scenario on netloom (inline, virtual time) and returns its transcript. With `times` (the
 * kernel's start time of each step, s from the end of its build), each step starts no earlier than
 * the kernel's did: netloom follows the kernel's own timeline rather than only the waits.
 */
export async function playOnNetloom(scenario: Scenario, times?: readonly number[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'netloom-multinode-'));
  const file = join(dir, `${scenario.name}.yaml`);
  writeFileSync(file, topologyYaml(scenario));
  const out: string[] = [];
  try {
    const em = await Emulator.load(file, { placement: 'inline' });
    try {
      await em.start();
      const t0 = em.now();
      for (const [i, step] of scenario.steps.entries()) {
        const at = times?.[i];
        if (at !== undefined && t0 + Math.round(at * 1e9) > em.now()) await em.advance(t0 + Math.round(at * 1e9) - em.now());
        if ('wait' in step) {
          if (times === undefined) await em.advance(Math.round(step.wait * 1e9));
        } else if ('note' in step) out.push(`# ${step.note}`);
        else {
          const r = await em.exec(step.node, step.cmd);
          out.push(`$ ${step.node}: ${step.cmd}`, ...lines(r.stdout), ...lines(r.stderr).map((l) => `! ${l}`));
          if (r.status !== 0) out.push(`[exit ${r.status}]`);
        }
      }
    } finally {
      await em.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out.join('\n') + '\n';
}

export interface KernelRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The start time of each step, s from the end of the build. */
  times: number[];
}

/** Plays the scenario on the kernel (run-scenario.py; needs root); its namespaces are `mn-TAG-*`. */
export function playOnKernel(scenario: Scenario, tag: string): KernelRun {
  const dir = mkdtempSync(join(tmpdir(), 'netloom-multinode-'));
  const file = join(dir, `${scenario.name}.json`);
  const timesFile = join(dir, 'times.json');
  writeFileSync(file, JSON.stringify(scenario));
  try {
    // The kill switch (a hang guard) at the scenarios' test timeout; one network takes 15-25 s.
    const r = spawnSync('python3', [join(multinodeDir, 'run-scenario.py'), file, tag, timesFile], { encoding: 'utf8', timeout: 120_000, killSignal: 'SIGTERM' });
    let times: number[] = [];
    try {
      times = JSON.parse(readFileSync(timesFile, 'utf8')) as number[];
    } catch {
      // No times file: the script failed before the steps ended (its status and stderr say why).
    }
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', times };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.at(-1) === '') out.pop();
  return out;
}

