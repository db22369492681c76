// Bundles everything a node thread loads into one minified CommonJS file,
// dist/worker-bundle/node-thread.cjs (run by `npm run build` after tsc): piscina's task
// (shard-worker.js, the default export) and the node factories a worker imports by URL
// (real-node.js's createRealNode, bench-nodes.js's createBenchNode), with the stack, apps, IPVS,
// Mobile IPv6, wire and ipc code they import. A live idle node thread costs less the less source V8
// holds for it (docs/engine.md, "What a node thread costs"): ≈ 16–17.5 MiB from the compiled
// modules, ≈ 11 MiB from this bundle. Beside it, node-thread.js is piscina's task file: it runs the
// bundle as one vm.Script (worker-bundle-loader.ts), so that a thread can be given a V8 code cache
// of it (Node 20 caches no module's compile), and re-exports the task and the factories.
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
import { LEFT_OUT, threadDiet } from './thread-diet.mjs';
import { writeBundleInputs } from '../dist/bundle-state.js';
import { BUNDLE_FILE, WRAPPER_END, WRAPPER_START } from '../dist/worker-bundle-loader.js';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const outdir = resolve(dist, 'worker-bundle');
const ENTRY = 'node-thread.js';
const BUNDLE = BUNDLE_FILE;
/** The node factories the bundle exports beside the task, and their modules. */
const FACTORIES = { createRealNode: './real-node.js', createBenchNode: './bench-nodes.js' };

// piscina's task file: loads the bundle with what its worker was given (worker-bundle-loader.ts) and
// hands the task an importer (the bundle, a vm.Script, cannot import()). It is CommonJS, with the
// loader built into it, and a package.json beside it says so: piscina require()s it, and an ES module
// there would bring Node's ESM loader (19 internal modules, ≈ 10 ms of every thread's start) into
// each thread. The factories the task asks for by this file's URL are the bundle's own exports.
const TASK_SOURCE = `// Written by scripts/bundle-worker.mjs: piscina's task file for node threads (worker-bundle.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { loadWorkerBundle } from '../worker-bundle-loader.js';

const given = workerData ?? {};
const bundle = loadWorkerBundle(new URL('./${BUNDLE}', import.meta.url), given);
// Asked to make the code cache: made once the shard is ready, so that it holds the code that built
// a node too, not only the bundle's top level.
const postCodeCache = () => {
  let cache = null;
  try {
    cache = bundle.makeCodeCache();
  } catch {
    // No cache: the other threads compile the bundle themselves.
  }
  parentPort?.postMessage({ netloomCodeCache: cache });
};
const task = bundle.exports.default;
const importModule = (url) => (url === import.meta.url ? Promise.resolve(bundle.exports) : import(url));
export default function runShard(shardTask) {
  return task(shardTask, importModule, given.makeCodeCache === true ? postCodeCache : undefined);
}
${Object.keys(FACTORIES).map((name) => `export const ${name} = bundle.exports.${name};`).join('\n')}
`;

const startedAt = Date.now();
mkdirSync(outdir, { recursive: true });
const result = await build({
  absWorkingDir: dist,
  stdin: {
    contents: [
      "export { default } from './shard-worker.js';",
      ...Object.entries(FACTORIES).map(([name, module]) => `export { ${name} } from '${module}';`),
    ].join('\n'),
    resolveDir: dist,
    sourcefile: ENTRY,
    loader: 'js',
  },
  outfile: resolve(outdir, BUNDLE),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  // A function expression, which the loader compiles as a vm.Script and calls like a CommonJS module;
  // a vm.Script has no import.meta, so the bundle's URL is an argument.
  banner: { js: WRAPPER_START },
  footer: { js: WRAPPER_END },
  define: { 'import.meta.url': 'netloomImportMetaUrl' },
  sourcemap: 'linked',
  metafile: true,
  write: false,
  // What a node thread need not run at load (thread-diet.mjs).
  plugins: [threadDiet],
  logLevel: 'warning',
});

const taskResult = await build({
  absWorkingDir: dist,
  stdin: { contents: TASK_SOURCE, resolveDir: outdir, sourcefile: ENTRY, loader: 'js' },
  outfile: resolve(outdir, ENTRY),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  banner: { js: "const netloomTaskUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': 'netloomTaskUrl' },
  metafile: true,
  write: false,
  logLevel: 'warning',
});

// A process that found the bundle current may start more workers later: it must never find the
// file missing or half written. So the list goes first (no new process takes the bundle), each file
// is replaced by a rename, and the list comes back last.
rmSync(resolve(outdir, 'inputs.json'), { force: true });
const outputs = [
  ...[...result.outputFiles, ...taskResult.outputFiles].map((output) => ({ path: output.path, contents: output.contents })),
  // The folder's .js files are CommonJS (the package's are ES modules).
  { path: resolve(outdir, 'package.json'), contents: '{ "type": "commonjs" }\n' },
];
for (const output of outputs) {
  writeFileSync(`${output.path}.${process.pid}`, output.contents);
  renameSync(`${output.path}.${process.pid}`, output.path);
}
// The ESM bundle of earlier builds, if any: its map would be taken for the task file's.
rmSync(resolve(outdir, `${ENTRY}.map`), { force: true });
const inputs = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(taskResult.metafile.inputs)])]
  .filter((input) => input !== ENTRY && resolve(dist, input) !== resolve(outdir, ENTRY)) // the entries given as stdin, not files
  .filter((input) => !input.startsWith(`${LEFT_OUT}:`)) // a module left out: no file
  .map((input) => resolve(dist, input));
const refused = writeBundleInputs(outdir, inputs, startedAt);
if (refused !== null) {
  console.error(`bundle-worker: ${refused}`);
  process.exit(1);
}
