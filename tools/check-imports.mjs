#!/usr/bin/env node
// Enforces ARCHITECTURE.md §1: imports go only down the layer list, never across packages by a
// relative path, and ink/react, worker threads, piscina and msgpackr only where they belong; and
// the kernel's modules (packages/stack/src/kernel/) are internals: only they and their facade,
// packages/stack/src/kernel.ts, import them (docs/architecture.md). Also: outside packages/wire
// (where the numbers and their printers live) nothing dispatches with `case EtherType.…` or
// `case IpProtocol.…`: protocols are registered (packages/stack/src/protocol-table.ts).
// Usage: node tools/check-imports.mjs [ROOT]   (exit 1 and one line per violation when broken)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
/** package dir → allowed @netloom imports */
const allowed = {
  'packages/wire': [],
  'packages/ipc': [],
  'packages/stack': ['wire'],
  'packages/topology': ['wire'],
  'packages/lvs': ['stack', 'wire'],
  'packages/mip6': ['stack', 'wire'],
  'packages/apps': ['stack', 'wire'],
  'packages/runtime': ['wire', 'ipc', 'stack', 'topology', 'lvs', 'mip6', 'apps'],
  'apps/cli': ['runtime', 'topology', 'ipc', 'wire'],
};
/** third-party modules restricted to one package */
const restricted = [
  { module: /^(ink|react|ink-testing-library)(\/|$)/, only: ['apps/cli'] },
  { module: /^(node:)?worker_threads$/, only: ['packages/runtime'] },
  { module: /^piscina(\/|$)/, only: ['packages/runtime'] },
  { module: /^msgpackr(\/|$)/, only: ['packages/ipc'] },
];

/** Internal modules of a package and the only files that may import them (paths from the root). */
const internals = [
  { dir: 'packages/stack/src/kernel/', spec: '@netloom/stack/kernel/', importers: ['packages/stack/src/kernel/', 'packages/stack/src/kernel.ts'], what: "the kernel's modules" },
];

function internalViolation(rel, target, spec) {
  for (const i of internals) {
    const into = (target !== null && target.startsWith(i.dir)) || spec.startsWith(i.spec);
    if (into && !i.importers.some((p) => rel.startsWith(p))) return `'${spec}' is one of ${i.what}: import ${i.importers.at(-1)} instead`;
  }
  return null;
}

const violations = [];
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

/** Blanks out comments (keeping line numbers) so examples in doc comments are not imports. */
function withoutComments(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/^(\s*)\/\/.*$/gm, '$1');
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry)) yield path;
  }
}

for (const [pkg, deps] of Object.entries(allowed)) {
  const src = join(root, pkg, 'src');
  try { statSync(src); } catch { continue; }
  for (const file of sourceFiles(src)) {
    const text = withoutComments(readFileSync(file, 'utf8'));
    const rel = relative(root, file);
    if (pkg !== 'packages/wire') {
      for (const m of text.matchAll(/\bcase\s+(EtherType|IpProtocol)\.\w+/g)) {
        const line = text.slice(0, m.index).split('\n').length;
        violations.push(`${rel}:${line}: a switch on ${m[1]}: register a handler in a ProtocolTable instead`);
      }
    }
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const line = text.slice(0, m.index).split('\n').length;
      const where = `${rel}:${line}`;
      const target = spec.startsWith('.') ? relative(root, resolve(join(file, '..'), spec)).split('\\').join('/') : null;
      const internal = internalViolation(rel.split('\\').join('/'), target, spec);
      if (internal) violations.push(`${where}: ${internal}`);
      const ours = /^@netloom\/([^/]+)/.exec(spec);
      if (ours) {
        if (!deps.includes(ours[1])) violations.push(`${where}: ${pkg} may not import @netloom/${ours[1]} (allowed: ${deps.join(', ') || 'nothing of ours'})`);
        continue;
      }
      if (spec.startsWith('.')) {
        const target = relative(join(root, pkg), resolve(join(file, '..'), spec));
        if (target.startsWith('..')) violations.push(`${where}: relative import '${spec}' leaves ${pkg}`);
        continue;
      }
      for (const r of restricted) {
        if (r.module.test(spec) && !r.only.includes(pkg)) violations.push(`${where}: '${spec}' may only be imported in ${r.only.join(', ')}`);
      }
    }
  }
}

if (violations.length > 0) {
  for (const v of violations) console.error(v);
  console.error(`check-imports: ${violations.length} violation(s)`);
  process.exit(1);
}
console.log('check-imports: ok');
