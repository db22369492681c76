// Bundles everything a node thread loads into one minified file, dist/worker-bundle/node-thread.js
// (run by `npm run build` after tsc): piscina's task (shard-worker.js, the default export) and the
// node factories a worker imports by URL (real-node.js's createRealNode, bench-nodes.js's
// createBenchNode), with the stack, apps, IPVS, Mobile IPv6, wire and ipc code they import. A live
// idle node thread costs less the less source V8 holds for it (docs/engine.md, "What a node thread
// costs"): ≈ 16–17.5 MiB from the compiled modules, ≈ 11 MiB from this bundle.
//
// dist/worker-bundle/inputs.json lists the workspace files it was built from, with size and SHA-1;
// the runtime starts workers from the bundle only while all of them are unchanged (worker-bundle.ts,
// bundle-state.ts), else from the compiled modules — a package rebuilt with different output is
// never shadowed by a stale bundle, so workers always run the code an inline shard runs. Names are
// not kept (no keepNames): nothing a node prints comes from a function's or class's name (a fault is
// reported as error.name and message, and error.name is the Error prototype's or set explicitly),
// and keepNames wraps every function a node creates in a __name() call — 30,000 nodes of bench tree
// packed peaked at 3.57 GB with it against 2.55 GB without, and an idle node thread at 19.0–19.5 MiB
// against 16.8–17.3. A worker's stack trace names minified functions: run with NETLOOM_BUNDLE=0, or
// node --enable-source-maps (the map is beside the bundle), to read one. The build fails if an input
// changes while it runs (another build at the same time).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeBundleInputs } from '../dist/bundle-state.js';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const outdir = resolve(dist, 'worker-bundle');
const ENTRY = 'node-thread.js';

const startedAt = Date.now();
mkdirSync(outdir, { recursive: true });
const result = await build({
  absWorkingDir: dist,
  stdin: {
    contents: [
      "export { default } from './shard-worker.js';",
      "export { createRealNode } from './real-node.js';",
      "export { createBenchNode } from './bench-nodes.js';",
    ].join('\n'),
    resolveDir: dist,
    sourcefile: ENTRY,
    loader: 'js',
  },
  outfile: resolve(outdir, ENTRY),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // CommonJS dependencies require() Node's modules; ESM output has no require of its own.
  banner: { js: "import { createRequire as netloomCreateRequire } from 'node:module'; const require = netloomCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  metafile: true,
  write: false,
  logLevel: 'warning',
});

// A process that found the bundle current may start more workers later: it must never find the
// file missing or half written. So the list goes first (no new process takes the bundle), each file
// is replaced by a rename, and the list comes back last.
rmSync(resolve(outdir, 'inputs.json'), { force: true });
for (const output of result.outputFiles) {
  writeFileSync(`${output.path}.${process.pid}`, output.contents);
  renameSync(`${output.path}.${process.pid}`, output.path);
}
const inputs = Object.keys(result.metafile.inputs)
  .filter((input) => input !== ENTRY) // the entry written above, not a file
  .map((input) => resolve(dist, input));
const refused = writeBundleInputs(outdir, inputs, startedAt);
if (refused !== null) {
  console.error(`bundle-worker: ${refused}`);
  process.exit(1);
}
