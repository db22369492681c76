// What two threads pay for writing cells that share a cache line (false sharing): two workers, each
// writing its own two Int32 cells of one SharedArrayBuffer the way a shard writes its activity cells
// at every call into a node (shard.ts's enterNode), with the cells 8 bytes apart (the old layout),
// 64, and 128 (shard-cells.ts's SHARD_CELL_STRIDE). Prints each worker's time per stride.
//
//   node bench/shared-cells.mjs [--writes N] [--rounds R]
//
// Figures only, no verdict; run it on an otherwise idle machine (each worker wants a core).
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const writes = arg('writes', 100_000_000);
const rounds = arg('rounds', 2);

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const cells = new Int32Array(workerData.buffer, workerData.offset, 2);
const began = performance.now();
for (let i = 0; i < workerData.writes; i++) {
  cells[0] = (i & 7) + 1;
  cells[1] = (cells[1] + 1) | 0;
}
parentPort.postMessage(performance.now() - began);
`;

function writer(buffer, offset) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { buffer, offset, writes } });
    worker.once('message', (ms) => {
      resolve(ms);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

console.log(`two threads, ${writes.toLocaleString('en-US')} writes of two cells each; load average ${loadavg()[0].toFixed(2)}`);
for (let round = 1; round <= rounds; round++) {
  for (const stride of [8, 64, 128]) {
    const buffer = new SharedArrayBuffer(4 * 128);
    const times = await Promise.all([writer(buffer, 0), writer(buffer, stride)]);
    const perWrite = (Math.max(...times) * 1e6) / writes;
    console.log(`round ${round}  cells ${String(stride).padStart(3)} bytes apart: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')} (${perWrite.toFixed(1)} ns a write of two cells)`);
  }
}
