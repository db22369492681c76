/**
 * Which code a node thread runs: the minified worker bundle (dist/worker-bundle/node-thread.js, built
 * by scripts/bundle-worker.mjs in `npm run build`) while it is current, else the compiled modules
 * (dist/shard-worker.js and the node factory's own module). The bundle holds piscina's task and the
 * two node factories a worker may be given by URL (real-node.js, bench-nodes.js); an idle node
 * thread that loads it costs ≈ 19 MiB against ≈ 24 MiB from the ~200 modules, and starts in a third
 * of the CPU (docs/engine.md, "What a node thread costs").
 *
 * Current means bundle-state.ts's check of its inputs.json: every workspace file it was built from
 * has the size and SHA-1 it had, so a worker runs exactly the code an inline shard runs (the
 * determinism contract). The check runs once per process, on the first pool of workers (≈ 200 stats,
 * and hashes of the files rewritten since the bundle was built), never for inline placement.
 * NETLOOM_BUNDLE=0 asks for the modules. Any other factory (a test's fake nodes) makes the whole
 * thread run the modules: shard code from the bundle beside node code from the modules would be two
 * copies of the same classes in one thread.
 */
import type { NodeFactoryRef } from '@netloom/ipc';
import { bundleState, type BundleState } from './bundle-state.js';

export interface WorkerEntry {
  /** piscina's task file. */
  filename: URL;
  /** The node factory as the workers import it. */
  factory: NodeFactoryRef;
  /** Why the workers run the compiled modules; null when they run the bundle. */
  modulesBecause: string | null;
}

const here = import.meta.url;
/** The compiled modules (from sources, under vitest: the compiled ones in dist/). */
const MODULES = here.endsWith('.ts') ? new URL('../dist/', here) : new URL('./', here);
const BUNDLE_FILE = 'node-thread.js';
/** The node factories the bundle exports, as `module URL#export` of their compiled module. */
const BUNDLED_FACTORIES = new Set([`${new URL('real-node.js', MODULES).href}#createRealNode`, `${new URL('bench-nodes.js', MODULES).href}#createBenchNode`]);

/**
 * The worker bundle's folder, dist/worker-bundle/ of the runtime package: found through the package
 * (one of its modules that is always there) because this code may run from another bundle (the CLI's).
 */
export function defaultWorkerBundleDir(): URL {
  return here.endsWith('.ts') ? new URL('../dist/worker-bundle/', here) : new URL('./worker-bundle/', import.meta.resolve('@netloom/runtime/bundle-state'));
}

let checked: BundleState | null = null;

/**
 * The code workers built by `factory` run. `bundleDir` and `env` are for tests: given a folder, its
 * bundle is checked on every call; by default the runtime's, checked once per process.
 */
export function workerEntry(factory: NodeFactoryRef, bundleDir?: URL, env: NodeJS.ProcessEnv = process.env): WorkerEntry {
  const modules = { filename: new URL('shard-worker.js', MODULES), factory };
  if (!BUNDLED_FACTORIES.has(`${factory.module}#${factory.export}`)) return { ...modules, modulesBecause: `the node factory ${factory.module} is not in the bundle` };
  const dir = bundleDir ?? defaultWorkerBundleDir();
  const state = bundleDir !== undefined ? bundleState(dir, env) : (checked ??= bundleState(dir, env));
  if (!state.usable) return { ...modules, modulesBecause: state.reason };
  const bundle = new URL(BUNDLE_FILE, dir);
  return { filename: bundle, factory: { module: bundle.href, export: factory.export }, modulesBecause: null };
}
