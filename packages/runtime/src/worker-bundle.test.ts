/**
 * Node threads run the minified worker bundle while every file it was built from is unchanged, and
 * the compiled modules otherwise (worker-bundle.ts). The test setup bundles what it compiled, so
 * here the bundle is current.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_NODES } from './bench-common.js';
import { type BundleInput } from './bundle-state.js';
import { DEFAULT_NODE_FACTORY, Emulator } from './emulator.js';
import type { EmulatorOptions } from './emulator-types.js';
import type { ShardPool } from './shard-channel.js';
import { FAKE_NODES } from './testing/specs.js';
import { defaultWorkerBundleDir, workerEntry } from './worker-bundle.js';
import { sharedBytes } from './worker-bundle-loader.js';

const BUNDLE = new URL('../dist/worker-bundle/node-thread.js', import.meta.url);
const MODULES_TASK = new URL('../dist/shard-worker.js', import.meta.url);
const TWO_HOSTS = fileURLToPath(new URL('../../../topologies/two-hosts.yaml', import.meta.url));

const scratch = mkdtempSync(join(tmpdir(), 'netloom-worker-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the code of node threads', () => {
  it('is the worker bundle for the real and the bench nodes while it is current; the compiled modules for another factory or with NETLOOM_BUNDLE=0', () => {
    expect(workerEntry(DEFAULT_NODE_FACTORY)).toEqual({ filename: BUNDLE, factory: { module: BUNDLE.href, export: 'createRealNode' }, modulesBecause: null });
    expect(workerEntry(BENCH_NODES)).toEqual({ filename: BUNDLE, factory: { module: BUNDLE.href, export: 'createBenchNode' }, modulesBecause: null });
    expect(workerEntry(FAKE_NODES)).toEqual({ filename: MODULES_TASK, factory: FAKE_NODES, modulesBecause: `the node factory ${FAKE_NODES.module} is not in the bundle` });
    expect(workerEntry(DEFAULT_NODE_FACTORY, defaultWorkerBundleDir(), { NETLOOM_BUNDLE: '0' })).toEqual({
      filename: MODULES_TASK,
      factory: DEFAULT_NODE_FACTORY,
      modulesBecause: 'NETLOOM_BUNDLE=0',
    });
  });

  it('a per-node run starts its workers from the bundle, and its nodes answer as inline ones do', async () => {
    const transcript = async (options: EmulatorOptions): Promise<{ text: string; pool: ShardPool | null }> => {
      const emulator = await Emulator.load(TWO_HOSTS, options);
      try {
        await emulator.start();
        const ping = await emulator.exec('h1', 'ping -c 2 10.0.0.2');
        const neigh = await emulator.exec('h2', 'ip neigh show');
        return { text: `${ping.status}\n${ping.stdout}${neigh.stdout}`, pool: (emulator as unknown as { pool: ShardPool | null }).pool };
      } finally {
        await emulator.close();
      }
    };
    const inline = await transcript({ placement: 'inline' });
    const perNode = await transcript({ placement: 'per-node' });
    expect(perNode.pool?.entry.filename).toEqual(BUNDLE);
    expect(perNode.text).toBe(inline.text);
    expect(inline.text).toContain('2 packets transmitted, 2 received');
  });

  it('is not taken once a file it was built from has changed', () => {
    // The bundle's own list, moved to a scratch folder, with one input replaced by a copy we can change.
    const dir = join(scratch, 'bundle');
    mkdirSync(dir, { recursive: true });
    const real = fileURLToPath(defaultWorkerBundleDir());
    const inputs = (JSON.parse(readFileSync(join(real, 'inputs.json'), 'utf8')) as { inputs: BundleInput[] }).inputs;
    const changed = join(scratch, 'real-node.js');
    copyFileSync(fileURLToPath(new URL('../dist/real-node.js', import.meta.url)), changed);
    const listed = inputs.map((input) => {
      const file = resolve(real, input.path);
      return { ...input, path: relative(dir, file.endsWith('/runtime/dist/real-node.js') ? changed : file) };
    });
    expect(listed.filter((input) => input.path.endsWith('real-node.js'))).toEqual([expect.objectContaining({ path: '../real-node.js' })]);
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify({ inputs: listed }));
    utimesSync(changed, 1000, 1000);
    const url = pathToFileURL(`${dir}/`);
    expect(workerEntry(DEFAULT_NODE_FACTORY, url, {})).toMatchObject({ filename: new URL('node-thread.js', url), modulesBecause: null });
    const bytes = readFileSync(changed);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 1, bytes.length - 2);
    writeFileSync(changed, bytes);
    expect(workerEntry(DEFAULT_NODE_FACTORY, url, {})).toEqual({ filename: MODULES_TASK, factory: DEFAULT_NODE_FACTORY, modulesBecause: `${changed} has changed` });
  });

  it('is compiled with the code cache another thread of the process made, and without one V8 refuses', async () => {
    // A thread loads the bundle as node-thread.js does (worker-bundle-loader.ts) and answers with
    // whether V8 refused the cache it was given, the task's type and, when given none, a cache.
    const loader = new URL('../dist/worker-bundle-loader.js', import.meta.url).href;
    const source = `import { parentPort, workerData } from 'node:worker_threads';
      import { loadWorkerBundle } from ${JSON.stringify(loader)};
      const bundle = loadWorkerBundle(new URL('node-thread.cjs', ${JSON.stringify(defaultWorkerBundleDir().href)}), { codeCache: workerData });
      parentPort.postMessage({ refused: bundle.cacheRefused, task: typeof bundle.exports.default, cache: workerData === undefined ? bundle.makeCodeCache() : null });`;
    const load = (codeCache?: Uint8Array): Promise<{ refused: boolean; task: string; cache: Uint8Array | null }> =>
      new Promise((answered, failed) => {
        const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), { workerData: codeCache });
        worker.once('message', (answer: { refused: boolean; task: string; cache: Uint8Array | null }) => void worker.terminate().then(() => answered(answer)));
        worker.once('error', failed);
      });
    const made = await load();
    expect(made).toMatchObject({ refused: false, task: 'function' });
    expect(made.cache!.length).toBeGreaterThan(100_000);
    expect(await load(sharedBytes(made.cache!))).toEqual({ refused: false, task: 'function', cache: null });
    expect(await load(new Uint8Array(made.cache!.length))).toEqual({ refused: true, task: 'function', cache: null });
  });
});
