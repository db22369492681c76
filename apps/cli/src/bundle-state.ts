/**
 * Whether `bin/netloom.js` may run the bundle in dist/bundle/ (scripts/bundle.mjs): it was built,
 * and none of the files it was built from — listed in its inputs.json — has changed since. A
 * package rebuilt with tsc alone, or an edited dependency, makes the bundle stale, and the binary
 * then runs the compiled modules in dist/ instead (slower to start, never out of date).
 * NETLOOM_BUNDLE=0 asks for the compiled modules regardless.
 *
 * Costs one small JSON read and a stat per input (~350) on every start; leaves out content hashes.
 */

import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type BundleState = { usable: true } | { usable: false; reason: string };

/** The most inputs a bundle list may name; a longer one is not ours. */
const MAX_INPUTS = 10_000;

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
  if (!Array.isArray(inputs) || inputs.length > MAX_INPUTS || !inputs.every((input) => typeof input === 'string')) {
    return { usable: false, reason: `${list} is not a list of inputs` };
  }
  for (const input of inputs as string[]) {
    const file = resolve(dir, input);
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined) return { usable: false, reason: `${file} is gone` };
    if (stats.mtimeMs > builtAt) return { usable: false, reason: `${file} is newer than the bundle` };
  }
  return { usable: true };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
