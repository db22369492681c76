/**
 * The hostile-input corpus, topologies/bad/input-*.yaml: bytes that are not UTF-8 or not
 * printable, YAML features a topology file may not use (tags, directives, deep nesting, alias
 * bombs and cycles), names Linux would refuse or print raw, numbers out of range, and a wrong type
 * at each field. Each file is read as `netloom` reads it (loadTopologyFile: from the file's bytes)
 * and must give exactly the `line:column: message` that topologies/bad/input-expected.json records
 * for it (test/reliability-input.test.ts holds the CLI to the same table, with exit status 2).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { TopologyError } from './errors.js';
import { loadTopologyFile } from './load.js';

const badDir = fileURLToPath(new URL('../../../topologies/bad/', import.meta.url));
/** file → `line:column: message` of its first problem. */
const expected = JSON.parse(readFileSync(`${badDir}input-expected.json`, 'utf8')) as Record<string, string>;

function firstError(name: string): TopologyError {
  try {
    loadTopologyFile(`${badDir}${name}`);
  } catch (err) {
    if (err instanceof TopologyError) return err;
    throw err;
  }
  throw new Error(`topologies/bad/${name} loaded without an error`);
}

describe('hostile and malformed topology files', () => {
  test.each(Object.entries(expected))('%s', (name, where) => {
    expect(firstError(name).message).toBe(`${badDir}${name}:${where}`);
  });

  test('every input-*.yaml file has its expected error, the README lists it, and there are at least 83 of them', () => {
    const files = readdirSync(badDir).filter((f) => f.startsWith('input-') && f.endsWith('.yaml')).sort();
    expect(files).toEqual(Object.keys(expected).sort());
    const readme = readFileSync(`${badDir}README.md`, 'utf8');
    expect(files.filter((f) => !readme.includes(`\`${f}\``))).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(83);
  });
});
