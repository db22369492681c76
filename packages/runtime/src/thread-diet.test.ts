/**
 * What a node thread no longer runs at its start (scripts/thread-diet.mjs, bundle-worker.mjs): ip-num's
 * parsed static ranges become lazy getters with the same values; msgpackr's search for its native
 * extractor, node:crypto (until return routability hashes) and Node's ESM loader do not run in a
 * thread that requires the task file.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a build script (plain JavaScript, no declarations)
import { IP_NUM_PARSED_STATICS, lazyIpNumStatics } from '../scripts/thread-diet.mjs';

const require = createRequire(import.meta.url);
const IP_NUMBER = join(dirname(require.resolve('ip-num')), 'IPNumber.js');
const TASK_FILE = fileURLToPath(new URL('../dist/worker-bundle/node-thread.js', import.meta.url));

type Statics = Record<string, unknown>;

const scratch = mkdtempSync(join(tmpdir(), 'netloom-thread-diet-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let copies = 0;

/** A fresh copy of ip-num (its own module instances) whose IPNumber.js is `source`. */
function load(source: string): { IPv4: Statics; IPv6: Statics } {
  const copy = join(scratch, String(copies++));
  cpSync(dirname(IP_NUMBER), copy, { recursive: true });
  writeFileSync(join(copy, 'IPNumber.js'), source);
  return require(join(copy, 'index.js')) as { IPv4: Statics; IPv6: Statics };
}

/** A static's value as text: ranges and addresses print as CIDR or dotted text. */
function shown(value: unknown): string {
  return Array.isArray(value) ? value.map(shown).join(',') : String((value as { toCidrString?: () => string }).toCidrString?.() ?? value);
}

describe("ip-num's static ranges, lazy", () => {
  const source = readFileSync(IP_NUMBER, 'utf8');

  it('have the names, values and property shape of the library once read, and parse nothing before', () => {
    const lazy = load(lazyIpNumStatics(source));
    const eager = load(source);
    for (const owner of ['IPv4', 'IPv6'] as const) {
      const names = Object.keys(eager[owner]);
      expect(Object.keys(lazy[owner])).toEqual(names);
      for (const name of names) {
        const before = Object.getOwnPropertyDescriptor(lazy[owner], name)!;
        if (before.get !== undefined) expect(before).toMatchObject({ enumerable: true, configurable: true });
        expect(shown(lazy[owner][name])).toBe(shown(eager[owner][name]));
        // After the first read it is ip-num's own data field, the same object on every read.
        const after = Object.getOwnPropertyDescriptor(lazy[owner], name)!;
        const library = Object.getOwnPropertyDescriptor(eager[owner], name)!;
        expect([after.writable, after.enumerable, after.configurable, after.get]).toEqual([library.writable, library.enumerable, library.configurable, undefined]);
        expect(Object.is(after.value, lazy[owner][name])).toBe(true);
      }
    }
    const accessors = (['IPv4', 'IPv6'] as const).flatMap((owner) => {
      const fresh = load(lazyIpNumStatics(source))[owner];
      return Object.keys(fresh).filter((name) => Object.getOwnPropertyDescriptor(fresh, name)!.get !== undefined);
    });
    expect(accessors).toHaveLength(IP_NUM_PARSED_STATICS);
    expect(shown(load(source).IPv6['LINK_LOCAL_RANGE'])).toBe('fe80:0:0:0:0:0:0:0/10');
  });

  it('a static assigned before it was read keeps the assigned value', () => {
    const lazy = load(lazyIpNumStatics(source));
    lazy.IPv4['LOOPBACK_RANGE'] = 'mine';
    expect(lazy.IPv4['LOOPBACK_RANGE']).toBe('mine');
  });

  it('an ip-num whose parsed statics changed fails the build, naming the count', () => {
    const fewer = source.replace(/^IPv4\.LOOPBACK_RANGE = .*$/m, '');
    expect(() => lazyIpNumStatics(fewer)).toThrow(`ip-num's IPNumber.js changed: ${IP_NUM_PARSED_STATICS - 1} static fields parse at load, not ${IP_NUM_PARSED_STATICS}`);
  });
});

describe('a node thread that loads the task file', () => {
  it("loads neither the ESM loader, nor node:crypto, nor what msgpackr's native extractor looks for", async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const before = new Set(process.moduleLoadList);
       require(${JSON.stringify(TASK_FILE)});
       parentPort.postMessage(process.moduleLoadList.filter((m) => !before.has(m)));`,
      { eval: true },
    );
    const added = await new Promise<string[]>((done, fail) => {
      worker.once('message', done);
      worker.once('error', fail);
    });
    await worker.terminate();
    expect(added.length).toBeGreaterThan(0);
    // `module` (createRequire) brings esm/loader's definitions; a module job is the loader at work.
    expect(added.filter((m) => /esm\/(module_job|translators|resolve)$/.test(m) || m === 'NativeModule crypto' || m.includes('internal/crypto/'))).toEqual([]);
    // node-gyp-build-optional-packages and detect-libc (child_process, net, dgram, …) looking for the addon.
    expect(added.filter((m) => ['NativeModule child_process', 'NativeModule net', 'NativeModule dgram'].includes(m))).toEqual([]);
  });
});
