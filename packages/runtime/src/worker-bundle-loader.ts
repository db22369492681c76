/**
 * How a node thread runs the worker bundle: dist/worker-bundle/node-thread.cjs (built by
 * scripts/bundle-worker.mjs) compiled as one vm.Script, with a V8 code cache when it is given one.
 * Node 20 has no compile cache for modules, so every worker compiled the ~780 KB bundle and ran its
 * top level from nothing: ≈ 50 ms of CPU per thread over an empty worker's ≈ 45. With the cache of
 * a thread that already ran the top level and built its shard, V8 takes the bytecode of those functions instead of
 * compiling them (docs/engine.md, "What a node thread costs").
 *
 * The cache is made in the process that uses it (ShardPool: its first worker makes it, the rest are
 * given it), because V8 refuses a cache made under other flags (node --expose-gc is enough) or
 * another V8; a refused cache costs nothing but the compile it would have saved. The generated
 * node-thread.js beside the bundle (piscina's task file) calls loadWorkerBundle with what its
 * worker was given (workerData) and re-exports the bundle's task and node factories.
 *
 * Leaves out: ESM (a vm.Script is a classic script; the bundle is CommonJS, built wrapped in a
 * function whose arguments are CommonJS's and import.meta.url) and dynamic import() inside the bundle (a vm.Script has no loader for it in Node 20
 * without an experimental flag): the task is handed an importer from node-thread.js.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** The bundle beside the task file (node-thread.js): a CommonJS module wrapped in WRAPPER_START … WRAPPER_END. */
export const BUNDLE_FILE = 'node-thread.cjs';
/** How the build wraps the bundle: the function a CommonJS module body is, import.meta.url its last argument. */
export const WRAPPER_START = '(function (exports, require, module, __filename, __dirname, netloomImportMetaUrl) {';
export const WRAPPER_END = '})';

/** What a worker is given to load the bundle with (its workerData). */
export interface BundleWorkerData {
  /**
   * The bundle's source (UTF-8), read once by the controller into shared memory: a thread then holds
   * only the string it compiles, not also the file's bytes until its first garbage collection (an
   * idle thread may never run one). Without it the thread reads the file.
   */
  source?: Uint8Array;
  /** A code cache for the bundle, made in this process (shared memory: one copy for all threads). */
  codeCache?: Uint8Array;
  /** Make a code cache once this worker's shard is ready (the task file does), and post it to the controller. */
  makeCodeCache?: boolean;
}

/** The message a worker asked to make a code cache posts on its parent port (null: it could not). */
export interface CodeCacheMessage {
  netloomCodeCache: Uint8Array | null;
}

export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** Whether a cache was given and V8 refused it (made under other flags or another V8). */
  cacheRefused: boolean;
  /** A code cache of the script as compiled so far (every function run until then). */
  makeCodeCache(): Uint8Array;
}

/** Compile and run the bundle at `file` (node-thread.cjs), from the source and with the code cache given. */
export function loadWorkerBundle(file: URL, given: BundleWorkerData = {}): LoadedBundle {
  const path = fileURLToPath(file);
  const bytes = given.source ?? readFileSync(path);
  const script = new Script(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), {
    filename: path,
    ...(given.codeCache !== undefined ? { cachedData: given.codeCache } : {}),
  });
  const module = { exports: {} as Record<string, unknown> };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(path), module, path, dirname(path), file.href);
  return {
    exports: module.exports,
    cacheRefused: given.codeCache !== undefined && script.cachedDataRejected === true,
    makeCodeCache: () => script.createCachedData(),
  };
}

/** Bytes in shared memory, so that every worker is given the same bytes instead of a copy each. */
export function sharedBytes(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}
