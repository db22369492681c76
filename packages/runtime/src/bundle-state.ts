/**
 * Whether an esbuild bundle of the workspace's compiled modules may run in their place: it was
 * built, and every workspace file it was built from — listed in its inputs.json with size and
 * SHA-1 — is still what it was. Two bundles ask: the `netloom` binary's (apps/cli/scripts/bundle.mjs,
 * checked by bin/netloom.js at every start) and the node threads' (scripts/bundle-worker.mjs,
 * checked once per process by worker-bundle.ts before the first worker starts).
 *
 * A file not touched since the list was written is taken as is (one stat); a newer one (tsc rewrites
 * its whole output on every build) is read and hashed, so a rebuild that changed nothing keeps the
 * bundle, and one that changed something makes the caller use the compiled modules in dist/
 * instead (slower, never out of date). NETLOOM_BUNDLE=0 asks for the compiled modules regardless.
 *
 * Leaves out third-party modules (they change with npm install, after which the build bundles again).
 */

import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export type BundleState = { usable: true } | { usable: false; reason: string };

/** One file a bundle was built from, as its build script recorded it. */
export interface BundleInput {
  /** Relative to the bundle's folder. */
  path: string;
  size: number;
  sha1: string;
}

/** The most inputs a bundle list may name; a longer one is not ours. */
const MAX_INPUTS = 10_000;

export function sha1Of(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

function isInput(value: unknown): value is BundleInput {
  const input = value as Partial<BundleInput> | null;
  return typeof input === 'object' && input !== null && typeof input.path === 'string' && typeof input.size === 'number' && typeof input.sha1 === 'string';
}

export function bundleState(bundleDir: URL, env: NodeJS.ProcessEnv = process.env): BundleState {
  if (env['NETLOOM_BUNDLE'] === '0') return { usable: false, reason: 'NETLOOM_BUNDLE=0' };
  const dir = fileURLToPath(bundleDir);
  const list = resolve(dir, 'inputs.json');
  let builtAt: number;
  let inputs: unknown;
  try {
    builtAt = statSync(list).mtimeMs;
    inputs = (JSON.parse(readFileSync(list, 'utf8')) as { inputs?: unknown }).inputs;
  } catch (error) {
    return { usable: false, reason: `no bundle (${(error as NodeJS.ErrnoException).code ?? errorText(error)})` };
  }
  if (!Array.isArray(inputs) || inputs.length > MAX_INPUTS || !inputs.every(isInput)) {
    return { usable: false, reason: `${list} is not a list of inputs` };
  }
  for (const input of inputs) {
    const file = resolve(dir, input.path);
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined) return { usable: false, reason: `${file} is gone` };
    if (stats.size !== input.size) return { usable: false, reason: `${file} has changed` };
    if (stats.mtimeMs > builtAt && sha1Of(readFileSync(file)) !== input.sha1) return { usable: false, reason: `${file} has changed` };
  }
  return { usable: true };
}

/**
 * Writes the bundle's inputs.json: size and SHA-1 of each workspace file among `inputs` (absolute
 * paths; those under node_modules are left out), relative to `bundleDir`. Returns why it did not
 * when an input changed after `startedAt` (the wall time before esbuild read them: another build
 * ran at the same time), leaving the bundle without a list, so unusable.
 */
export function writeBundleInputs(bundleDir: string, inputs: readonly string[], startedAt: number): string | null {
  const recorded = inputs
    .filter((input) => !input.split(sep).includes('node_modules'))
    .map((input): BundleInput => {
      const bytes = readFileSync(input);
      return { path: relative(bundleDir, input), size: bytes.length, sha1: sha1Of(bytes) };
    });
  // Checked after reading, so a file rewritten between esbuild's read and ours is caught too.
  const changed = inputs.find((input) => statSync(input).mtimeMs > startedAt);
  if (changed !== undefined) return `${changed} changed while bundling; build again`;
  // Written whole, then renamed into place: a reader finds the old list, no list, or the new one.
  const list = resolve(bundleDir, 'inputs.json');
  writeFileSync(`${list}.${process.pid}`, `${JSON.stringify({ inputs: recorded }, null, 1)}\n`);
  renameSync(`${list}.${process.pid}`, list);
  return null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
