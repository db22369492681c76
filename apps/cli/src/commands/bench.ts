/**
 * `netloom bench chain|lan|lvs|boot|barrier|tree`: the engine's benchmarks (runtime's bench-*.ts), each
 * printed as a table or, with `--json`, as JSON. Figures only; there is no pass or fail.
 *
 * `--placement all` (the default) runs every placement where it applies — inline, packed on
 * `--workers` (default 2) threads, per-node — each in a child process (`netloom bench SCENARIO
 * --placement P --json`), so one run's heap and threads never weigh on the next and each case's
 * peak RSS is its own; boot runs one child per size and placement, tree only inline and packed (a
 * thread per node of a 100,000-node tree would not fit). A named placement runs in this
 * process. A case that fails is a row with its error (a placement refused for memory is a figure
 * too: the engine refuses it before starting any thread), and the command then exits 3.
 *
 * `--rounds N` (with `--placement all`) runs the cases N times, round by round (inline, packed,
 * per-node, then again), and reports each case's median round by its headline figure, with every
 * round's figure beside it: on a shared 2-core VM the same case moves by up to 2× from one process
 * to the next (docs/engine.md, "Benchmarks"), and interleaving gives every placement the same weather.
 *
 * Progress goes to stderr, and only when stderr is a terminal (bench-progress.ts).
 */

import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import type { CliIo } from '../cli-io.js';
import { EXIT_BAD_INPUT, EXIT_NODE_FAILED, EXIT_OK, errorMessage, type Engine } from '../engine.js';
import type { BenchBarrierResult, BenchBootResult, BenchChainResult, BenchLanResult, BenchLvsResult, BenchProgress, BenchTreeResult, Placement } from '../runtime-api.js';
import { CHILD_PROGRESS_ENV, openProgress, parseChildProgress, type ProgressSink } from './bench-progress.js';

export type BenchScenario = 'chain' | 'lan' | 'boot' | 'barrier' | 'lvs' | 'tree';

export interface BenchOptions {
  /** chain */
  routers?: number;
  packets?: number;
  burst?: number;
  intervalUs?: number;
  payload?: number;
  /** lan */
  hosts?: number;
  /** lvs */
  clients?: number;
  servers?: number;
  connections?: number;
  /** tree */
  fanout?: number;
  hostsPerLan?: number;
  /** boot: the sizes (default 100, 1000, 10000); barrier: the chain's ticker nodes; tree: its nodes. */
  nodes?: number[];
  /** barrier */
  windows?: number;
  /** barrier, placement all: the packed worker counts to run (default 1, 2, 4, 8). */
  shards?: number[];
  placement?: Placement | 'all';
  workers?: number;
  /** placement all: how many times to run every case, interleaved (default 1). */
  rounds?: number;
  json?: boolean;
}

/** One case of a scenario: where the nodes run (and, for boot, how many there are). */
export interface BenchCase {
  placement: Placement;
  workers?: number;
  nodes?: number;
}

export type BenchResult = BenchChainResult | BenchLanResult | BenchBootResult | BenchBarrierResult | BenchLvsResult | BenchTreeResult;

/** A case that did not give figures: its placement and the error (the child's stderr line). */
export interface BenchFailure {
  placement: Placement;
  workers: number;
  nodes?: number;
  error: string;
}

/** A case's median round, with the headline figure of every round in the order they ran (`--rounds`). */
export type BenchMedian = BenchResult & { roundFigures: number[] };

export type BenchRow = BenchResult | BenchMedian | BenchFailure;

/** The JSON of a `--placement all` run: the machine's load when it began and one entry per case. */
export interface BenchReport {
  scenario: BenchScenario;
  loadAverage: number;
  node: string;
  cases: BenchRow[];
}

export const DEFAULT_BOOT_SIZES = [100, 1000, 10000];
export const DEFAULT_BARRIER_SHARDS = [1, 2, 4, 8];
/** Per-node placement (a thread per node) is run by `boot --placement all` up to this many nodes. */
export const PER_NODE_BOOT_LIMIT = 100;
const DEFAULT_PACKED_WORKERS = 2;
/**
 * Node flags of a scenario's children. A 100,000-node tree's heap passes V8's default old space (about
 * 4 GiB on this machine, for the main thread and each worker alike: V8's flags are the process's), so
 * its children may grow to 16 GiB — the emulator's memory check still refuses what the machine cannot
 * hold — and start with a 2 GiB old space, so the heap's growth while the nodes are built costs fewer
 * full collections (docs/engine.md: about a fifth of the CPU of a 30,000-node boot).
 */
export const CHILD_NODE_FLAGS: Partial<Record<BenchScenario, string[]>> = { tree: ['--max-old-space-size=16384', '--initial-old-space-size=2048'] };
/** A child's stdout is one JSON object; stderr a few lines. More means something is wrong. */
const MAX_CHILD_OUTPUT = 1 << 20;

/** The cases `--placement all` runs for a scenario, in order. */
export function benchCases(scenario: BenchScenario, options: BenchOptions): BenchCase[] {
  const workers = options.workers ?? DEFAULT_PACKED_WORKERS;
  const placements: BenchCase[] = [{ placement: 'inline' }, { placement: 'packed', workers }, { placement: 'per-node' }];
  if (scenario === 'boot') {
    const sizes = options.nodes ?? DEFAULT_BOOT_SIZES;
    return sizes.flatMap((nodes) => placements.filter((c) => c.placement !== 'per-node' || nodes <= PER_NODE_BOOT_LIMIT).map((c) => ({ ...c, nodes })));
  }
  if (scenario === 'barrier') {
    const shards = options.shards ?? DEFAULT_BARRIER_SHARDS;
    return [{ placement: 'inline' }, ...shards.map((n) => ({ placement: 'packed' as const, workers: n })), { placement: 'per-node' }];
  }
  if (scenario === 'tree') return placements.filter((c) => c.placement !== 'per-node');
  return placements;
}

/** The child's arguments after `netloom bench`: the scenario, its sizes, the case's placement, --json. */
export function caseArgv(scenario: BenchScenario, options: BenchOptions, benchCase: BenchCase): string[] {
  const argv: string[] = [scenario];
  const add = (flag: string, value: number | undefined) => void (value !== undefined && argv.push(flag, String(value)));
  add('--routers', options.routers);
  add('--packets', options.packets);
  add('--burst', options.burst);
  add('--interval-us', options.intervalUs);
  add('--payload', options.payload);
  add('--hosts', options.hosts);
  add('--clients', options.clients);
  add('--servers', options.servers);
  add('--connections', options.connections);
  add('--windows', options.windows);
  add('--fanout', options.fanout);
  add('--hosts-per-lan', options.hostsPerLan);
  if (scenario === 'boot') add('--nodes', benchCase.nodes);
  else if (options.nodes !== undefined) argv.push('--nodes', options.nodes.join(','));
  argv.push('--placement', benchCase.placement);
  add('--workers', benchCase.workers);
  argv.push('--json');
  return argv;
}

export function isFailure(row: BenchRow): row is BenchFailure {
  return 'error' in row;
}

export async function benchCommand(
  scenario: BenchScenario,
  options: BenchOptions,
  io: CliIo,
  engine: () => Promise<Engine>,
  binary: string,
): Promise<number> {
  if (options.rounds !== undefined && options.rounds > 1 && options.placement !== undefined && options.placement !== 'all') {
    io.stderr.write(`netloom: bench ${scenario}: --rounds runs every case in a child process of its own: use it with --placement all\n`);
    return EXIT_BAD_INPUT;
  }
  const progress = await openProgress(io, io.stderrIsTTY === true);
  try {
    if (options.placement !== undefined && options.placement !== 'all') return await benchOne(scenario, { ...options, placement: options.placement }, io, engine, progress);
    return await benchAll(scenario, options, io, binary, progress);
  } finally {
    progress.stop();
  }
}

async function benchOne(scenario: BenchScenario, options: BenchOptions & { placement: Placement }, io: CliIo, engine: () => Promise<Engine>, progress: ProgressSink): Promise<number> {
  let result: BenchResult;
  try {
    result = await runScenario(scenario, options, await engine(), progress.update);
  } catch (error) {
    io.stderr.write(`netloom: bench ${scenario}: ${errorMessage(error)}\n`);
    return EXIT_NODE_FAILED;
  }
  progress.stop();
  if (options.json) io.stdout.write(`${JSON.stringify(result)}\n`);
  else if (scenario === 'chain') io.stdout.write(describeFigures(result as BenchChainResult));
  else io.stdout.write(describeBench(scenario, [result], loadavg()[0] ?? 0));
  return EXIT_OK;
}

function runScenario(scenario: BenchScenario, options: BenchOptions & { placement: Placement }, runtime: Engine, onProgress: BenchProgress): Promise<BenchResult> {
  const common = { placement: options.placement, onProgress, ...(options.workers !== undefined ? { workers: options.workers } : {}) };
  switch (scenario) {
    case 'chain':
      return runtime.benchChain({
        ...common,
        ...(options.routers !== undefined ? { routers: options.routers } : {}),
        ...(options.packets !== undefined ? { packets: options.packets } : {}),
        ...(options.burst !== undefined ? { burst: options.burst } : {}),
        ...(options.intervalUs !== undefined ? { burstIntervalNs: options.intervalUs * 1000 } : {}),
        ...(options.payload !== undefined ? { payloadBytes: options.payload } : {}),
      });
    case 'lan':
      return runtime.benchLan({ ...common, ...(options.hosts !== undefined ? { hosts: options.hosts } : {}) });
    case 'lvs':
      return runtime.benchLvs({
        ...common,
        ...(options.clients !== undefined ? { clients: options.clients } : {}),
        ...(options.servers !== undefined ? { servers: options.servers } : {}),
        ...(options.connections !== undefined ? { connections: options.connections } : {}),
      });
    case 'boot': {
      const sizes = options.nodes ?? [1000];
      if (sizes.length !== 1) throw new Error(`one size at a time with --placement ${options.placement} (peak RSS is the process's); --placement all runs each in its own process`);
      return runtime.benchBoot({ ...common, nodes: sizes[0]! });
    }
    case 'barrier': {
      const nodes = options.nodes?.[0];
      return runtime.benchBarrier({ ...common, ...(nodes !== undefined ? { nodes } : {}), ...(options.windows !== undefined ? { windows: options.windows } : {}) });
    }
    case 'tree': {
      const nodes = options.nodes?.[0];
      return runtime.benchTree({
        ...common,
        ...(nodes !== undefined ? { nodes } : {}),
        ...(options.fanout !== undefined ? { fanout: options.fanout } : {}),
        ...(options.hostsPerLan !== undefined ? { hostsPerLan: options.hostsPerLan } : {}),
      });
    }
  }
}

/**
 * Each scenario's headline figure and whether more is better: what `--rounds` takes the median of.
 * Boot and tree are judged by their time to ready; the others by their rate.
 */
export const HEADLINE: Record<BenchScenario, { figure(result: BenchResult): number; higherIsBetter: boolean }> = {
  chain: { figure: (r) => (r as BenchChainResult).hopForwardsPerSecond, higherIsBetter: true },
  lan: { figure: (r) => (r as BenchLanResult).framesPerSecond, higherIsBetter: true },
  lvs: { figure: (r) => (r as BenchLvsResult).connectionsPerSecond, higherIsBetter: true },
  boot: { figure: (r) => (r as BenchBootResult).readyMs, higherIsBetter: false },
  barrier: { figure: (r) => (r as BenchBarrierResult).windowsPerSecond, higherIsBetter: true },
  tree: { figure: (r) => (r as BenchTreeResult).readyMs, higherIsBetter: false },
};

/**
 * One case's row from its rounds: the first failure if any round failed (a figure from the other
 * rounds would hide it), else the median round by the headline figure — with an even count, the
 * worse of the two middle ones — carrying every round's figure in the order they ran.
 */
export function medianRow(scenario: BenchScenario, rounds: BenchRow[]): BenchRow {
  const failed = rounds.find(isFailure);
  if (failed !== undefined) return failed;
  const results = rounds as BenchResult[];
  if (results.length === 1) return results[0]!;
  const { figure, higherIsBetter } = HEADLINE[scenario];
  const figures = results.map(figure);
  const ranked = [...results].sort((a, b) => (higherIsBetter ? figure(b) - figure(a) : figure(a) - figure(b)));
  return { ...ranked[Math.floor(ranked.length / 2)]!, roundFigures: figures };
}

async function benchAll(scenario: BenchScenario, options: BenchOptions, io: CliIo, binary: string, progress: ProgressSink): Promise<number> {
  const load = loadavg()[0] ?? 0;
  const cases = benchCases(scenario, options);
  const roundCount = options.rounds ?? 1;
  const runs = roundCount * cases.length;
  const byCase: BenchRow[][] = cases.map(() => []);
  for (let round = 0; round < roundCount; round++) {
    for (const [index, benchCase] of cases.entries()) {
      const step = round * cases.length + index;
      const argv = [...(CHILD_NODE_FLAGS[scenario] ?? []), binary, 'bench', ...caseArgv(scenario, options, benchCase)];
      byCase[index]!.push(await runChild(argv, benchCase, (done, total) => progress.update(step + (total > 0 ? done / total : 0), runs)));
      progress.update(step + 1, runs);
    }
  }
  const rows = byCase.map((rounds) => medianRow(scenario, rounds));
  progress.stop();
  if (options.json) {
    const report: BenchReport = { scenario, loadAverage: load, node: process.version, cases: rows };
    io.stdout.write(`${JSON.stringify(report)}\n`);
  } else io.stdout.write(describeBench(scenario, rows, load));
  return rows.some(isFailure) ? EXIT_NODE_FAILED : EXIT_OK;
}

/** Runs one case as `node ARGV`; its progress lines on stderr move the bar, the rest is its error. */
function runChild(argv: string[], benchCase: BenchCase, onProgress: BenchProgress): Promise<BenchRow> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { env: { ...process.env, [CHILD_PROGRESS_ENV]: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (stdout.length < MAX_CHILD_OUTPUT) stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const step = parseChildProgress(line);
        if (step !== null) onProgress(step.done, step.total);
        else if (stderr.length < MAX_CHILD_OUTPUT) stderr += `${line}\n`;
      }
    });
    const failure = (error: string): BenchFailure => ({ placement: benchCase.placement, workers: benchCase.workers ?? 0, ...(benchCase.nodes !== undefined ? { nodes: benchCase.nodes } : {}), error });
    child.on('error', (error) => resolve(failure(error.message)));
    child.on('close', (status, signal) => {
      stderr += pending;
      if (status === 0) {
        try {
          resolve(JSON.parse(stdout) as BenchResult);
        } catch {
          resolve(failure(`the child printed no JSON figures: ${JSON.stringify(stdout.slice(0, 200))}`));
        }
        return;
      }
      const why = stderr.trim().split('\n').pop()?.replace(/^netloom: /, '') || (signal !== null ? `killed by ${signal}` : `exit ${status}`);
      resolve(failure(why));
    });
  });
}

const group = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function threads(row: { placement: Placement; workers: number }): string {
  if (row.placement === 'inline') return 'main thread';
  if (row.workers === 0) return '-';
  return `${row.workers} worker${row.workers === 1 ? '' : 's'}`;
}

interface Column {
  title: string;
  cell(row: BenchResult): string;
}

const COLUMNS: Record<BenchScenario, Column[]> = {
  chain: [
    { title: 'hop-forwards/s', cell: (r) => group((r as BenchChainResult).hopForwardsPerSecond) },
    { title: 'delivered', cell: (r) => group((r as BenchChainResult).delivered) },
    { title: 'wall time', cell: (r) => seconds((r as { wallMs: number }).wallMs) },
  ],
  lan: [
    { title: 'hosts', cell: (r) => group((r as BenchLanResult).hosts) },
    { title: 'answered', cell: (r) => `${group((r as BenchLanResult).answered)}/${group((r as BenchLanResult).commands)}` },
    { title: 'switch frames', cell: (r) => group((r as BenchLanResult).switchFrames) },
    { title: 'frames/s', cell: (r) => group((r as BenchLanResult).framesPerSecond) },
    { title: 'wall time', cell: (r) => seconds((r as { wallMs: number }).wallMs) },
  ],
  lvs: [
    { title: 'connections', cell: (r) => `${group((r as BenchLvsResult).connections)} (${group((r as BenchLvsResult).answered)}/${group((r as BenchLvsResult).requested)} answered)` },
    { title: 'connections/s', cell: (r) => group((r as BenchLvsResult).connectionsPerSecond) },
    { title: 'per virtual s', cell: (r) => group((r as BenchLvsResult).connectionsPerVirtualSecond) },
    { title: 'wall time', cell: (r) => seconds((r as { wallMs: number }).wallMs) },
  ],
  boot: [
    { title: 'nodes', cell: (r) => group((r as BenchBootResult).nodes) },
    { title: 'ready in', cell: (r) => seconds((r as BenchBootResult).readyMs) },
    { title: 'per node', cell: (r) => `${((r as BenchBootResult).readyMs / (r as BenchBootResult).nodes).toFixed(2)} ms` },
  ],
  barrier: [
    { title: 'shards', cell: (r) => group((r as BenchBarrierResult).shards) },
    { title: 'windows/s', cell: (r) => group((r as BenchBarrierResult).windowsPerSecond) },
    { title: 'wall time', cell: (r) => seconds((r as { wallMs: number }).wallMs) },
  ],
  tree: [
    { title: 'nodes', cell: (r) => group((r as BenchTreeResult).nodes) },
    { title: 'ready in', cell: (r) => seconds((r as BenchTreeResult).readyMs) },
    { title: 'ping first to last', cell: (r) => ((r as BenchTreeResult).pingAnswered ? seconds((r as BenchTreeResult).pingMs) : 'no answer') },
    { title: 'storm answered', cell: (r) => `${group((r as BenchTreeResult).stormAnswered)}/${group((r as BenchTreeResult).stormCommands)}` },
    { title: 'storm frames', cell: (r) => group((r as BenchTreeResult).stormFrames) },
    { title: 'storm', cell: (r) => seconds((r as BenchTreeResult).stormMs) },
  ],
};

const TITLES: Record<BenchScenario, (row: BenchRow) => string> = {
  chain: (r) => (isFailure(r) ? 'router chain' : `router chain: ${(r as BenchChainResult).routers} routers, ${group((r as BenchChainResult).packets)} datagrams${bursts(r as BenchChainResult)}`),
  lan: (r) => (isFailure(r) ? 'LAN' : `LAN: ${(r as BenchLanResult).hosts} hosts on one switch, each arpings and pings every other`),
  lvs: (r) => (isFailure(r) ? 'LVS' : `LVS: ${(r as BenchLvsResult).clients} clients' http-load through one LVS-NAT director to ${(r as BenchLvsResult).servers} real servers, a new TCP connection per request`),
  boot: () => 'boot: a chain of routers between two hosts, addresses and routes by startup commands',
  barrier: (r) => (isFailure(r) ? 'barrier' : `barrier: ${(r as BenchBarrierResult).nodes} ticker nodes, ${group((r as BenchBarrierResult).windows)} lookahead windows`),
  tree: (r) => (isFailure(r) ? 'tree' : treeTitle(r as BenchTreeResult)),
};

function treeTitle(r: BenchTreeResult): string {
  return `tree: ${group(r.routers)} routers (${r.depth} levels, fanout ${r.fanout}) over ${group(r.lans)} switched LANs of ${r.hostsPerLan} hosts (the biggest ${group(r.biggestLan)}); ping from the first host to the last, then every host of the biggest LAN arpings and pings its gateway`;
}

/** The table of a run: a title with the load average, a header, a row per case (or its error). */
export function describeBench(scenario: BenchScenario, rows: BenchRow[], load: number): string {
  const columns = COLUMNS[scenario];
  const header = ['placement', 'threads', ...columns.map((c) => c.title), 'peak RSS'];
  const body = rows.map((row) => {
    if (isFailure(row)) return [row.placement + (row.nodes !== undefined ? ` (${group(row.nodes)} nodes)` : ''), threads(row), `failed: ${row.error}`];
    return [row.placement, threads(row), ...columns.map((c) => c.cell(row)), mib(row.peakRssBytes)];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...body.filter((cells) => cells.length === header.length).map((cells) => cells[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (cells.length < header.length && i === cells.length - 1 ? cell : i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rounds = rows.find((row): row is BenchMedian => 'roundFigures' in row);
  const median = rounds === undefined ? '' : `; the median of ${rounds.roundFigures.length} interleaved rounds`;
  const title = `${rows.length > 0 ? TITLES[scenario](rows[0]!) : scenario}; load average ${load.toFixed(2)}, node ${process.version}${median}`;
  return [title, line(header), ...body.map(line), ...roundLines(scenario, rows)].map((l) => `${l}\n`).join('');
}

/** Under a `--rounds` table, each case's headline figure in every round, in the order they ran. */
function roundLines(scenario: BenchScenario, rows: BenchRow[]): string[] {
  const medians = rows.filter((row): row is BenchMedian => 'roundFigures' in row);
  if (medians.length === 0) return [];
  const format = HEADLINE[scenario].higherIsBetter ? group : (ms: number) => seconds(ms);
  const name = (row: BenchMedian) => `${row.placement}${row.placement === 'packed' ? ` ${row.workers}` : ''}${'nodes' in row && scenario === 'boot' ? ` (${group(row.nodes)} nodes)` : ''}`;
  const width = Math.max(...medians.map((row) => name(row).length));
  return ['rounds:', ...medians.map((row) => `  ${name(row).padEnd(width)}  ${row.roundFigures.map(format).join(', ')}`)];
}

/** The runtime's default chain payload (bench-chain.ts DEFAULT_CHAIN_PAYLOAD), left out of the title. */
const DEFAULT_CHAIN_PAYLOAD = 18;

/** `, bursts of 100 every 100 µs`: how the source spreads its datagrams (it decides what can run in parallel), and their payload unless the default. */
function bursts(figures: BenchChainResult): string {
  if (figures.burst === undefined || figures.burstIntervalNs === undefined) return '';
  const payload = figures.payloadBytes === undefined || figures.payloadBytes === DEFAULT_CHAIN_PAYLOAD ? '' : `, ${group(figures.payloadBytes)}-byte payloads`;
  return `, bursts of ${group(figures.burst)} every ${group(figures.burstIntervalNs / 1000)} µs${payload}`;
}

/** The single-placement chain report (kept as it was: scripts read it). */
export function describeFigures(figures: BenchChainResult): string {
  const threads = figures.placement === 'inline' ? 'main thread' : `${figures.workers} worker${figures.workers === 1 ? '' : 's'}`;
  return [
    `router chain: ${figures.routers} routers, ${group(figures.packets)} packets${bursts(figures)}, placement ${figures.placement} (${threads})`,
    `delivered:      ${group(figures.delivered)}`,
    `hop-forwards:   ${group(figures.hopForwards)}`,
    `wall time:      ${(figures.wallMs / 1000).toFixed(3)} s`,
    `hop-forwards/s: ${group(figures.hopForwardsPerSecond)}`,
    `peak RSS:       ${(figures.peakRssBytes / 1048576).toFixed(1)} MiB`,
  ]
    .map((line) => `${line}\n`)
    .join('');
}
