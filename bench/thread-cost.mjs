// What a live idle node thread costs (issue #14, "Cheap node threads"; docs/engine.md quotes it).
//
//   node --expose-gc bench/thread-cost.mjs emulator [--nodes 20]
//     per-node placement of N idle hosts in pairs (a link each pair, no addresses): the process's RSS
//     before Emulator.load, and after start() and one virtual second; prints the RSS added per thread,
//     the wall time from load to one virtual second after start, the CPU time of all threads in it
//     per thread, the process's peak RSS
//     and the code the workers ran (the worker bundle, or the compiled modules: NETLOOM_BUNDLE=0).
//   node --expose-gc bench/thread-cost.mjs load [--threads 20] [--young MB] [--stack MB] [MODULE …]
//     N worker threads that each import the given modules (none: an empty worker) and stay alive,
//     with those resourceLimits; prints the RSS added per thread. A module is a path (from the
//     current folder) or a package specifier.
//
// One figure per process run; several engineers share the machine, so run the variants interleaved
// and compare medians with the load average it prints. Figures only, no verdict.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const MIB = 1024 * 1024;
const [mode = 'emulator', ...rest] = process.argv.slice(2);
const option = (name, fallback) => {
  const at = rest.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = rest[at + 1];
  rest.splice(at, 2);
  return value;
};

async function settledRss() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((done) => setTimeout(done, 200));
  }
  return process.memoryUsage().rss;
}

async function emulatorRun() {
  const { Emulator } = await import('@netloom/runtime');
  const { DEFAULT_NODE_FACTORY } = await import('@netloom/runtime/emulator');
  const { workerEntry } = await import('@netloom/runtime/worker-bundle');
  const { loadTopologyFile } = await import('@netloom/topology');
  const nodes = Number(option('nodes', '20'));
  const lines = [`name: idle-${nodes}`, 'seed: 1', 'nodes:'];
  for (let i = 0; i < nodes; i++) lines.push(`  h${i}:`, '    kind: host');
  lines.push('links:');
  for (let i = 0; i + 1 < nodes; i += 2) lines.push(`  - endpoints: [h${i}:eth0, h${i + 1}:eth0]`, '    latency: 1ms');
  const file = join(mkdtempSync(join(tmpdir(), 'netloom-thread-cost-')), 'idle.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const spec = loadTopologyFile(file);
  rmSync(dirname(file), { recursive: true, force: true });
  const before = await settledRss();
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  const emulator = await Emulator.load(spec, { placement: 'per-node' });
  await emulator.start();
  await emulator.advance(1e9);
  const readyMs = performance.now() - began;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await settledRss();
  const because = workerEntry(DEFAULT_NODE_FACTORY).modulesBecause;
  const code = because === null ? 'bundle' : `modules (${because})`;
  const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ mode, threads: nodes, perThreadMiB: +((after - before) / nodes / MIB).toFixed(2), readyMs: Math.round(readyMs), cpuMsPerThread: Math.round((cpu.user + cpu.system) / 1000 / nodes), peakMiB, code, load: +loadavg()[0].toFixed(1) }));
  await emulator.close();
}

async function loadRun() {
  const threads = Number(option('threads', '20'));
  const young = option('young', undefined);
  const stack = option('stack', undefined);
  const resourceLimits = { ...(young !== undefined ? { maxYoungGenerationSizeMb: Number(young) } : {}), ...(stack !== undefined ? { stackSizeMb: Number(stack) } : {}) };
  const modules = rest.map((m) => (m.startsWith('.') || m.startsWith('/') ? pathToFileURL(resolve(m)).href : m));
  const source = `
    const { parentPort } = require('node:worker_threads');
    (async () => { for (const m of ${JSON.stringify(modules)}) await import(m); parentPort.postMessage('ready'); })();
    parentPort.on('message', () => process.exit(0));`;
  const before = await settledRss();
  const workers = [];
  for (let i = 0; i < threads; i++) {
    const worker = new Worker(source, { eval: true, resourceLimits });
    workers.push(worker);
    await new Promise((ready, fail) => {
      worker.once('message', ready);
      worker.once('error', fail);
    });
  }
  const after = await settledRss();
  console.log(JSON.stringify({ mode, modules: rest, resourceLimits, threads, perThreadMiB: +((after - before) / threads / MIB).toFixed(2), load: +loadavg()[0].toFixed(1) }));
  for (const worker of workers) await worker.terminate();
}

if (mode === 'emulator') await emulatorRun();
else if (mode === 'load') await loadRun();
else {
  console.error(`thread-cost: unknown mode '${mode}' (emulator or load)`);
  process.exit(2);
}
