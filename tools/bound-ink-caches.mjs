#!/usr/bin/env node
// Bounds the two module-level text caches of ink 6 (node_modules/ink/build/measure-text.js and
// wrap-text.js). ink keeps every distinct string it ever measured or wrapped for the life of the
// process, so a UI whose text changes — the TUI's packet log, console and clock — grows without
// end (vadimdemedes/ink#986; fixed upstream with LRU caches from ink 7, which needs Node 22, and
// netloom supports Node 20). Each cache keeps its newest MAX_ENTRIES entries instead.
//
// Runs at `npm install` (root postinstall). Idempotent; leaves a file alone, with a note, when its
// text is not the ink 6.8 text it knows (a newer ink with its own bounds). Exit 0 either way.
// Usage: node tools/bound-ink-caches.mjs [--check]   (--check: exit 1 unless both are bounded)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_ENTRIES = 2000;
const MARK = '/* netloom: bounded cache */';

/** [file, [text in ink 6.8, replacement]…] */
const PATCHES = [
  [
    'measure-text.js',
    [
      ['const cache = new Map();', `${MARK} const MAX_ENTRIES = ${MAX_ENTRIES};\nconst cache = new Map();`],
      ['    cache.set(text, dimensions);', '    cache.set(text, dimensions);\n    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value);'],
    ],
  ],
  [
    'wrap-text.js',
    [
      ['const cache = {};', `${MARK} const MAX_ENTRIES = ${MAX_ENTRIES};\nconst cache = new Map();`],
      ['    const cachedText = cache[cacheKey];', '    const cachedText = cache.get(cacheKey);'],
      ['    cache[cacheKey] = wrappedText;', '    cache.set(cacheKey, wrappedText);\n    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value);'],
    ],
  ],
];

function inkBuildDir() {
  try {
    return dirname(fileURLToPath(import.meta.resolve('ink')));
  } catch {
    return null;
  }
}

const check = process.argv.includes('--check');
const dir = inkBuildDir();
let bounded = 0;
if (dir === null) {
  console.log('bound-ink-caches: ink is not installed; nothing to do');
} else {
  for (const [file, replacements] of PATCHES) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    if (text.includes(MARK)) {
      bounded++;
      continue;
    }
    if (check) {
      console.log(`bound-ink-caches: ${path}: cache not bounded (run node tools/bound-ink-caches.mjs)`);
      continue;
    }
    if (!replacements.every(([from]) => text.split(from).length === 2)) {
      console.log(`bound-ink-caches: ${path} is not the ink 6.8 text this script knows; left alone`);
      continue;
    }
    writeFileSync(path, replacements.reduce((out, [from, to]) => out.replace(from, to), text));
    bounded++;
  }
}
if (check && bounded !== PATCHES.length) process.exit(1);
