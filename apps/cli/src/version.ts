/**
 * The version `netloom --version` prints: @netloom/cli's package.json, found by walking up from
 * this module, which runs from src/ (tests), dist/ (the library) or dist/bundle/ (the binary).
 * Leaves out any notion of release channels or build metadata.
 */

import { readFileSync } from 'node:fs';

const PACKAGE_NAME = '@netloom/cli';
/** src/ or dist/ is one level below the package, dist/bundle/ two. */
const LEVELS_UP = 3;

export function cliVersion(): string {
  for (let level = 1; level <= LEVELS_UP; level++) {
    const url = new URL(`${'../'.repeat(level)}package.json`, import.meta.url);
    let text: string;
    try {
      text = readFileSync(url, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const manifest = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
  }
  throw new Error(`${PACKAGE_NAME}'s package.json not found above ${import.meta.url}`);
}
