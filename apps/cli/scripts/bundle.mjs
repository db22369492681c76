// Bundles the `netloom` binary into dist/bundle/ (run by `npm run build` after tsc), so that a
// command loads a handful of files instead of ~250 modules: `netloom run` on two hosts took
// 0.39–0.49 s from the compiled modules and 0.18–0.22 s from the bundle (load average ≈ 3.5).
//
// Entries: main (the command line) and the three modules the runtime loads by URL next to its own
// code — shard-worker (piscina's task), real-node and bench-nodes (node factories) — so every
// output, shared chunks included, sits in one folder and the runtime's `new URL('./x.js',
// import.meta.url)` finds them. Dynamic imports stay lazy chunks (each command, the TUI, dagre).
// piscina (it starts its own worker script from its folder) and ink/react (the TUI only) stay in
// node_modules.
//
// dist/bundle/inputs.json lists the workspace files the bundle was built from, with size and SHA-1;
// bin/netloom.js runs the bundle only while all of them are unchanged (runtime's bundle-state.ts), else the
// compiled modules in dist/ — a package rebuilt with different output is never shadowed by a stale
// bundle. The build fails if an input changes while it runs (another build at the same time).
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeBundleInputs } from '@netloom/runtime/bundle-state';

const cliRoot = fileURLToPath(new URL('..', import.meta.url));
const outdir = resolve(cliRoot, 'dist', 'bundle');
const runtimeFile = (name) => fileURLToPath(import.meta.resolve(`@netloom/runtime/${name}`));

const startedAt = Date.now();
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: cliRoot,
  entryPoints: {
    main: resolve(cliRoot, 'dist', 'main.js'),
    'shard-worker': runtimeFile('shard-worker'),
    'real-node': runtimeFile('real-node'),
    'bench-nodes': runtimeFile('bench-nodes'),
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['piscina', 'ink', 'ink-*', 'react', 'react/*'],
  chunkNames: 'chunk-[hash]',
  // CommonJS dependencies (commander) require() Node's modules; ESM output has no require of its own.
  banner: { js: "import { createRequire as netloomCreateRequire } from 'node:module'; const require = netloomCreateRequire(import.meta.url);" },
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});

// The binary checks the workspace's own files on every start (~150 stats, and a hash of any file
// rewritten since); third-party modules change only with npm install, after which `npm run build`
// bundles again. An input that changed while esbuild read it fails the build.
const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(cliRoot, input));
const refused = writeBundleInputs(outdir, inputs, startedAt);
if (refused !== null) {
  console.error(`bundle: ${refused}`);
  process.exit(1);
}
