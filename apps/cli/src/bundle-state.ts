/**
 * Whether `bin/netloom.js` may run the bundle in dist/bundle/ (scripts/bundle.mjs): it was built,
 * and every workspace file it was built from — listed in its inputs.json with size and SHA-1 — is
 * still what it was. A file not touched since the list was written is taken as is (one stat); a
 * newer one (tsc rewrites its whole output on every build) is read and hashed, so a rebuild that
 * changed nothing keeps the bundle, and one that changed something makes the binary run the
 * compiled modules in dist/ instead (slower to start, never out of date). NETLOOM_BUNDLE=0 asks for
 * the compiled modules regardless.
 *
 * Leaves out third-party modules (they change with npm install, after which the build bundles again).
 */

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type BundleState = { usable: true } | { usable: false; reason: string };

/** One file the bundle was built from, as bundle.mjs recorded it. */
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
