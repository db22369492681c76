/**
 * The check that lets a bundle (the CLI's, the node threads') run in place of the compiled modules:
 * every input it lists still has its size and SHA-1, and the list is written only when no input
 * changed while the bundle was built.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleState, sha1Of, writeBundleInputs } from './bundle-state.js';

const scratch = mkdtempSync(join(tmpdir(), 'netloom-bundle-state-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a bundle', () => {
  it('is usable while every input is what it was: untouched, or rewritten with the same bytes; not once one changed or is gone', () => {
    const bundle = join(scratch, 'bundle');
    const input = join(scratch, 'input.js');
    mkdirSync(bundle, { recursive: true });
    writeFileSync(input, 'export const a = 1;\n');
    const list = (entry: object) => writeFileSync(join(bundle, 'inputs.json'), JSON.stringify({ inputs: [entry] }));
    list({ path: '../input.js', size: 20, sha1: sha1Of(readFileSync(input)) });
    const url = pathToFileURL(`${bundle}/`);
    utimesSync(input, 1000, 1000);
    utimesSync(join(bundle, 'inputs.json'), 2000, 2000);
    expect(bundleState(url, {})).toEqual({ usable: true });
    expect(bundleState(url, { NETLOOM_BUNDLE: '0' })).toEqual({ usable: false, reason: 'NETLOOM_BUNDLE=0' });
    writeFileSync(input, 'export const a = 1;\n');
    utimesSync(input, 3000, 3000);
    expect(bundleState(url, {})).toEqual({ usable: true });
    writeFileSync(input, 'export const a = 2;\n');
    utimesSync(input, 3000, 3000);
    expect(bundleState(url, {})).toEqual({ usable: false, reason: `${input} has changed` });
    writeFileSync(input, 'export const a = 22;\n');
    utimesSync(input, 1000, 1000);
    expect(bundleState(url, {})).toEqual({ usable: false, reason: `${input} has changed` });
    rmSync(input);
    expect(bundleState(url, {})).toEqual({ usable: false, reason: `${input} is gone` });
    list({ path: '../input.js', size: 20 });
    expect(bundleState(url, {})).toMatchObject({ usable: false, reason: expect.stringContaining('is not a list of inputs') });
    expect(bundleState(pathToFileURL(join(scratch, 'nowhere/')), {})).toEqual({ usable: false, reason: 'no bundle (ENOENT)' });
  });

  it('lists its workspace inputs with size and SHA-1, relative to its folder, leaving out node_modules; none when an input changed while it was built', () => {
    const bundle = join(scratch, 'listed', 'bundle');
    mkdirSync(join(scratch, 'listed', 'node_modules', 'dep'), { recursive: true });
    mkdirSync(bundle, { recursive: true });
    const input = join(scratch, 'listed', 'input.js');
    const dependency = join(scratch, 'listed', 'node_modules', 'dep', 'index.js');
    writeFileSync(input, 'export const b = 1;\n');
    writeFileSync(dependency, 'export const c = 1;\n');
    utimesSync(input, 1000, 1000);
    utimesSync(dependency, 1000, 1000);
    expect(writeBundleInputs(bundle, [input, dependency], 2000 * 1000)).toBeNull();
    expect(JSON.parse(readFileSync(join(bundle, 'inputs.json'), 'utf8'))).toEqual({ inputs: [{ path: '../input.js', size: 20, sha1: sha1Of(readFileSync(input)) }] });
    expect(bundleState(pathToFileURL(`${bundle}/`), {})).toEqual({ usable: true });
    rmSync(join(bundle, 'inputs.json'));
    utimesSync(input, 3000, 3000);
    expect(writeBundleInputs(bundle, [input, dependency], 2000 * 1000)).toBe(`${input} changed while bundling; build again`);
    expect(bundleState(pathToFileURL(`${bundle}/`), {})).toEqual({ usable: false, reason: 'no bundle (ENOENT)' });
  });
});
