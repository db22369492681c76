#!/usr/bin/env node
// Where a hop's time goes: runs `netloom bench chain --placement inline` (or the placement given)
// under `node --cpu-prof` and sorts the samples' self time into the frame path's parts — parsing,
// the route lookup (route cache, input route, sysctl reads), checksums, neighbour lookup, the IP
// layer's own code, the runtime's delivery (shard, fault guard, async context), the event queue,
// msgpack, garbage collection — as shares of the samples taken while windows ran or the collector
// worked (module loading and start-up are left out). Each thread's profile is summed up.
// Usage: node bench/profile-hop.mjs [--placement inline|packed] [--packets 50000] [--keep DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const placement = flag('--placement', 'inline');
const packets = flag('--packets', '50000');
const dir = flag('--keep', null) ?? mkdtempSync(join(tmpdir(), 'netloom-prof-'));

// The compiled modules, not the bundle, so the samples name the packages' files.
const run = spawnSync(
  process.execPath,
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval', '100', join(root, 'apps/cli/bin/netloom.js'), 'bench', 'chain', '--placement', placement, '--packets', packets, ...(placement === 'packed' ? ['--workers', '2'] : [])],
  { encoding: 'utf8', env: { ...process.env, NETLOOM_BUNDLE: '0' } },
);
if (run.status !== 0) {
  process.stderr.write(run.stderr);
  process.exit(run.status ?? 1);
}
process.stdout.write(run.stdout);

/** The part of the frame path a sample's function belongs to; null: outside the hop (start-up). */
const PARTS = [
  ['garbage collection (allocation)', (fn, url) => fn === '(garbage collector)'],
  ['checksum (verify, TTL update)', (fn) => /checksum|Checksum|decrementTtl/.test(fn)],
  ['parse (Ethernet, IPv4 views and records)', (fn, url) => /wire\/dist\/(ethernet|ipv4|udp|arp)\.js/.test(url)],
  ['route lookup (route cache, input route, sysctls)', (fn, url) => /kernel\/(route-cache|input-route|fib-lookup|devices)\.js|sysctl\/|kernel\.js/.test(url)],
  ['neighbour lookup', (fn, url) => /neigh\//.test(url)],
  ['IPv4 layer and node (receive, forward, output)', (fn, url) => /stack\/dist\/(ipv4\/|node\.js)/.test(url)],
  ['event queue', (fn, url) => /event-queue\.js/.test(url) || /scheduleTimer|deadlineOf/.test(fn)],
  ['msgpack (frames between threads)', (fn, url) => /msgpackr|msgpack/.test(url)],
  // A worker waiting for its next window, the controller for the workers' answers (shard-channel's
  // receive and wake, shard-worker's nextMessage: Atomics.wait on shared memory), or idle.
  ['waiting at the barrier (Atomics.wait, idle)', (fn, url) => fn === '(idle)' || (/shard-channel\.js|shard-worker\.js/.test(url) && /^(receive|wake|nextMessage)$/.test(fn))],
  ['runtime delivery (shard, fault guard, async context)', (fn, url) => /runtime\/dist\/|node:async_hooks|async_context/.test(url)],
];

/** Self-time shares by part for one thread's profile: samples in windows, waiting, or collecting. */
function summarise(profile) {
  const totals = new Map();
  let counted = 0;
  let other = 0;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inWindow = new Map();
  const isInWindow = (id) => {
    if (inWindow.has(id)) return inWindow.get(id);
    const n = nodes.get(id);
    const yes = /^(runWindow|window)$/.test(n.callFrame.functionName) || (parent.has(id) && isInWindow(parent.get(id)));
    inWindow.set(id, yes);
    return yes;
  };
  for (const id of profile.samples) {
    const { functionName: fn, url } = nodes.get(id).callFrame;
    const part = PARTS.find(([, test]) => test(fn, url));
    if (!(part?.[0].startsWith('waiting') || part?.[0].startsWith('garbage') || isInWindow(id))) continue;
    counted++;
    if (part === undefined) other++;
    else totals.set(part[0], (totals.get(part[0]) ?? 0) + 1);
  }
  const lines = [...totals].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${((100 * count) / counted).toFixed(1).padStart(5)}%  ${name}`);
  lines.push(`${((100 * other) / counted).toFixed(1).padStart(5)}%  other (Node internals, typed-array and Map built-ins)`);
  return { counted, lines };
}

// Node names a thread's profile CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile: thread 0 is the main one.
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => Number(a.split('.')[4]) - Number(b.split('.')[4]));
for (const file of files) {
  const thread = Number(file.split('.')[4]);
  const { counted, lines } = summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  console.log(`\n${thread === 0 ? 'main thread' : `worker thread ${thread}`} (${placement}): self time of ${counted} samples in windows, waiting or collecting, by part of the frame path`);
  console.log(lines.join('\n'));
}
if (flag('--keep', null) === null) rmSync(dir, { recursive: true, force: true });
else console.log(`profiles kept in ${dir} (open them in Chrome DevTools or speedscope)`);
