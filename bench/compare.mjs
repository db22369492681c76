#!/usr/bin/env node
// netloom side by side with its anchors, on this machine, in one go (bench/README.md):
//   chain  netloom `bench chain` (every placement) against ns-3 (bench/ns3/chain.cc) for each size
//   boot   netloom `bench boot` (every placement, a child process each) against the same chain
//          built with Linux namespaces and veth pairs (bench/namespaces-boot.mjs, root)
//   mininet `mn --topo linear,N` when Mininet is installed
// Prints a table per pair with the ratios, and writes docs/bench/results.json and the charts
// docs/bench/chain.svg, boot-time.svg, boot-rss.svg. An anchor that cannot run here (ns-3 not
// installed, not root, no Mininet) is skipped with the reason. Figures only, no verdict.
//
// Options: --routers 4,8,16  --packets 100000  --rounds 3  --boot 100,1000,10000  --namespaces 100,1000
//          --mininet 100  --out docs/bench  --quick (small sizes, to try the harness)  --help
// Each chain size runs --rounds times, ns-3 and netloom's placements interleaved (`bench chain
// --rounds`), and reports the median of each: a single run of a case moves by up to 2× on this VM.
// netloom's boot runs --rounds times too (`bench boot --rounds`); the namespaces once a size (a
// chain of 1,000 takes them about two minutes).
// An unknown option or a bad size is refused with exit status 2 before anything runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { lineChart } from './chart.mjs';
import { bootNamespaces, namespacesUnavailable } from './namespaces-boot.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const netloom = join(root, 'apps', 'cli', 'bin', 'netloom.js');

const USAGE = `Usage: node bench/compare.mjs [options]
netloom side by side with ns-3, Linux namespaces and Mininet on this machine; rewrites the
figures and charts in the output directory (docs/bench by default).

  --routers LIST     routers of each chain run, comma-separated (default 4,8,16)
  --packets N        datagrams per chain run (default 100000)
  --rounds N         runs of every chain case and netloom boot case, interleaved; the median
                     counts (default 3)
  --boot LIST        nodes of each netloom boot run (default 100,1000,10000)
  --namespaces LIST  nodes of each namespaces boot run, as root (default 100,1000)
  --mininet LIST     nodes of each Mininet run, when installed (default 100)
  --out DIR          where results.json and the charts go (default docs/bench)
  --quick            small sizes, to try the harness
  -h, --help         print this and exit
`;

/** The options, or exit: 0 after --help, 2 (with the usage on stderr) for an option or value it does not know. */
function options(argv) {
  const refuse = (message) => {
    process.stderr.write(`compare.mjs: ${message}\n${USAGE}`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        routers: { type: 'string' },
        packets: { type: 'string' },
        rounds: { type: 'string' },
        boot: { type: 'string' },
        namespaces: { type: 'string' },
        mininet: { type: 'string' },
        out: { type: 'string' },
        quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    refuse(error.message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const list = (name, fallback) => {
    const text = values[name];
    if (text === undefined) return fallback;
    const sizes = text.split(',').map(Number);
    if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) refuse(`--${name} takes positive whole numbers separated by commas, not '${text}'`);
    return sizes;
  };
  return {
    routers: list('routers', quick ? [2, 4] : [4, 8, 16]),
    packets: list('packets', [quick ? 5000 : 100000])[0],
    rounds: list('rounds', [quick ? 1 : 3])[0],
    boot: list('boot', quick ? [20, 100] : [100, 1000, 10000]),
    namespaces: list('namespaces', quick ? [20] : [100, 1000]),
    mininet: list('mininet', quick ? [10] : [100]),
    out: resolve(root, values.out ?? 'docs/bench'),
  };
}

function netloomBench(args) {
  const child = spawnSync(process.execPath, [netloom, 'bench', ...args, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`netloom bench ${args.join(' ')}: exit ${child.status}`);
  return JSON.parse(child.stdout);
}

/** ns-3's chain, built once; skipped with the reason when it cannot build or run here. */
function ns3Chain(routers, packets) {
  const build = spawnSync('sh', [join(here, 'ns3', 'build.sh')], { encoding: 'utf8' });
  if (build.status !== 0) return { skipped: build.stderr.trim() || `build.sh: exit ${build.status}` };
  const run = spawnSync(join(here, 'ns3', 'build', 'chain'), [`--routers=${routers}`, `--packets=${packets}`], { encoding: 'utf8' });
  if (run.status !== 0) return { skipped: `ns-3 chain: exit ${run.status}: ${run.stderr.trim()}` };
  return JSON.parse(run.stdout);
}

/** The median run of ns-3's chain over `rounds` (the lower middle one for an even count), with every round's rate. */
function ns3Median(runs) {
  if (runs.some((r) => r.skipped)) return runs.find((r) => r.skipped);
  const ranked = [...runs].sort((a, b) => b.hopForwardsPerSecond - a.hopForwardsPerSecond);
  return { ...ranked[Math.floor(ranked.length / 2)], roundFigures: runs.map((r) => r.hopForwardsPerSecond) };
}

function mininetBoot(nodes) {
  const mn = spawnSync('mn', ['--version'], { encoding: 'utf8' });
  if (mn.error !== undefined) return { skipped: 'Mininet is not installed (no mn command): apt-get install -y mininet' };
  if (process.getuid?.() !== 0) return { skipped: 'not root (Mininet needs root)' };
  // linear,K: K switches with a host each; the nearest to a chain of N nodes is K = N/2.
  const began = performance.now();
  const run = spawnSync('mn', ['--topo', `linear,${Math.max(1, Math.round(nodes / 2))}`, '--test', 'none'], { encoding: 'utf8' });
  const readyMs = performance.now() - began;
  spawnSync('mn', ['-c'], { stdio: 'ignore' });
  return run.status === 0 ? { nodes, readyMs, note: 'build and tear-down, mn --test none' } : { skipped: `mn: exit ${run.status}: ${run.stderr.trim().split('\n').pop()}` };
}

const group = (n) => Math.round(n).toLocaleString('en-US');
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
const table = (header, rows) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')).join('\n');
};
const label = (c) => (c.placement === 'inline' ? 'inline' : `${c.placement} (${c.workers})`);
/** A chart's series: the placement (per-node's thread count follows N, so it is left out). */
const series = (c) => `netloom ${c.placement === 'packed' ? label(c) : c.placement}`;

const opts = options(process.argv.slice(2));
const results = { machine: { loadAverageAtStart: loadavg()[0], node: process.version, cpus: (await import('node:os')).cpus().length }, chain: [], boot: [], namespaces: [], mininet: [] };
execFileSync(process.execPath, [netloom, '--version'], { stdio: 'ignore' });

console.log(`netloom against its anchors; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}\n`);

// chain: hop-forwards per second, netloom's placements against ns-3, per size.
const chainRows = [];
for (const routers of opts.routers) {
  // ns-3's rounds first, then netloom's (`bench chain --rounds` interleaves its own placements).
  const ns3 = ns3Median(Array.from({ length: opts.rounds }, () => ns3Chain(routers, opts.packets)));
  const report = netloomBench(['chain', '--routers', String(routers), '--packets', String(opts.packets), '--rounds', String(opts.rounds)]);
  results.chain.push({ routers, packets: opts.packets, rounds: opts.rounds, ns3, netloom: report.cases, loadAverage: report.loadAverage });
  const inline = report.cases.find((c) => c.placement === 'inline' && c.error === undefined);
  for (const c of report.cases) {
    if (c.error !== undefined) chainRows.push([`${routers} routers, ${label(c)}`, 'failed', c.error, '', '', '']);
    else
      chainRows.push([
        `${routers} routers, ${label(c)}`,
        group(c.hopForwardsPerSecond),
        ns3.skipped ? '-' : group(ns3.hopForwardsPerSecond),
        ns3.skipped ? '-' : ratio(c.hopForwardsPerSecond, ns3.hopForwardsPerSecond),
        inline === undefined ? '-' : ratio(c.hopForwardsPerSecond, inline.hopForwardsPerSecond),
        (c.roundFigures ?? [c.hopForwardsPerSecond]).map(group).join(' '),
      ]);
  }
  if (ns3.skipped) console.log(`ns-3 skipped: ${ns3.skipped}`);
}
console.log(`chain: ${group(opts.packets)} datagrams, hop-forwards per second (higher is better), the median of ${opts.rounds} round${opts.rounds === 1 ? '' : 's'}`);
console.log(`${table(['case', 'netloom', 'ns-3', 'netloom/ns-3', '/inline', 'netloom rounds'], chainRows)}\n`);

// boot: time to ready; netloom in every placement, namespaces where root.
const bootReport = netloomBench(['boot', '--nodes', opts.boot.join(','), '--rounds', String(opts.rounds)]);
results.boot = bootReport.cases;
const why = namespacesUnavailable();
if (why !== null) console.log(`namespaces skipped: ${why}`);
else for (const nodes of opts.namespaces) {
  process.stderr.write(`namespaces: building a chain of ${nodes} nodes …\n`);
  results.namespaces.push(bootNamespaces(nodes));
}
for (const nodes of opts.mininet) results.mininet.push({ nodes, ...mininetBoot(nodes) });
for (const m of results.mininet) if (m.skipped) console.log(`mininet skipped: ${m.skipped}`);
const bootRows = bootReport.cases.map((c) => {
  const ns = results.namespaces.find((n) => n.nodes === c.nodes);
  const mn = results.mininet.find((n) => n.nodes === c.nodes && !n.skipped);
  if (c.error !== undefined) return [`${group(c.nodes)} nodes, ${label(c)}`, 'failed', c.error, '', '', ''];
  return [
    `${group(c.nodes)} nodes, ${label(c)}`,
    `${(c.readyMs / 1000).toFixed(2)} s`,
    `${(c.peakRssBytes / 1048576).toFixed(0)} MiB`,
    ns ? `${(ns.readyMs / 1000).toFixed(2)} s` : '-',
    ns ? ratio(ns.readyMs, c.readyMs) : '-',
    mn ? ratio(mn.readyMs, c.readyMs) : '-',
  ];
});
console.log('boot: time to a ready chain (lower is better); namespaces/netloom = how many times faster netloom is');
console.log(`${table(['case', 'netloom', 'peak RSS', 'namespaces', 'namespaces/netloom', 'mininet/netloom'], bootRows)}\n`);

// Charts and the figures behind them.
mkdirSync(opts.out, { recursive: true });
results.machine.loadAverageAtEnd = loadavg()[0];
writeFileSync(join(opts.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
const chainPoints = results.chain.flatMap((r) => [
  ...r.netloom.filter((c) => c.error === undefined).map((c) => ({ n: r.routers, value: c.hopForwardsPerSecond, series: series(c), kind: 'netloom' })),
  ...(r.ns3.skipped ? [] : [{ n: r.routers, value: r.ns3.hopForwardsPerSecond, series: 'ns-3', kind: 'reference' }]),
]);
const bootOk = results.boot.filter((c) => c.error === undefined);
const charts = {
  'chain.svg': await lineChart({ title: `chain: hop-forwards per second, ${group(opts.packets)} datagrams`, rows: chainPoints, x: 'routers', y: 'hop-forwards/s' }),
  'boot-time.svg': await lineChart({
    title: 'boot: seconds to a ready chain of N nodes',
    rows: [...bootOk.map((c) => ({ n: c.nodes, value: c.readyMs / 1000, series: series(c), kind: 'netloom' })), ...results.namespaces.map((n) => ({ n: n.nodes, value: n.readyMs / 1000, series: 'namespaces', kind: 'reference' }))],
    x: 'nodes',
    y: 'seconds',
    logX: true,
    logY: true,
  }),
  'boot-rss.svg': await lineChart({ title: 'boot: peak RSS of a ready chain of N nodes', rows: bootOk.map((c) => ({ n: c.nodes, value: c.peakRssBytes / 1048576, series: series(c), kind: 'netloom' })), x: 'nodes', y: 'MiB', logX: true, logY: true }),
};
for (const [name, svg] of Object.entries(charts)) writeFileSync(join(opts.out, name), svg);
console.log(`wrote ${Object.keys(charts).map((n) => join(opts.out, n)).join(', ')} and results.json; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
