// What an empty Node worker costs to start, all at once or a few at a time (issue #14's "a bare
// Node 20 worker costs about 20 ms"; docs/engine.md, "What a node thread costs").
//
//   node bench/worker-start.mjs [--threads 300] [--at-once N]
//
// Starts the threads, each with one line of code that posts "ready" and keeps the thread alive;
// with --at-once N, at most N are starting at any moment (the next when one has posted). Prints
// the wall time until all are ready, the process's CPU time per thread and its RSS per thread.
// Figures only, no verdict; run the variants interleaved.
import { loadavg } from 'node:os';
import { cpuUsage, memoryUsage } from 'node:process';
import { Worker } from 'node:worker_threads';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const threads = arg('threads', 300);
const atOnce = arg('at-once', 0);
const CODE = `require('node:worker_threads').parentPort.postMessage('ready'); setInterval(() => {}, 1e9);`;

const load = loadavg()[0];
const cpuBefore = cpuUsage();
const began = performance.now();
const start = () =>
  new Promise((resolve, reject) => {
    const worker = new Worker(CODE, { eval: true });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
if (atOnce <= 0) await Promise.all(Array.from({ length: threads }, start));
else {
  let started = 0;
  const lane = async () => {
    while (started < threads) {
      started++;
      await start();
    }
  };
  await Promise.all(Array.from({ length: atOnce }, lane));
}
const readyMs = performance.now() - began;
const cpu = cpuUsage(cpuBefore);
const mib = memoryUsage().rss / 2 ** 20;
console.log(
  `${threads} empty workers, ${atOnce <= 0 ? 'all at once' : `at most ${atOnce} starting`}: ready in ${(readyMs / 1000).toFixed(2)} s, ` +
    `${((cpu.user + cpu.system) / 1000 / threads).toFixed(1)} ms of CPU and ${(mib / threads).toFixed(2)} MiB of the process's RSS per thread (load average ${load.toFixed(2)} before)`,
);
process.exit(0);
