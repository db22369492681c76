/**
 * Loading a topology file: YAML (the `yaml` package, keeping source positions) → duplicate-key
 * check → schema (zod) → references and normalisation (build.ts). Every problem is reported with
 * the file, line and column of the offending node and what was expected; nothing is returned
 * unless the whole file is valid.
 *
 * YAML 1.2 core schema with `<<` merge keys, one document per file. Duplicate keys are errors (a second `h1:` under
 * `nodes` would otherwise silently replace the first). Leaves out `!include` or any other tags.
 */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, LineCounter, parseDocument, visit, type Document, type Pair } from 'yaml';
import type { $ZodIssue } from 'zod/v4/core';
import { buildTopology } from './build.js';
import { TopologyError, type TopologyIssue } from './errors.js';
import { topologyFileSchema } from './schema.js';
import { SourcePositions, findPair, type Path, type Target } from './source.js';
import type { TopologySpec } from './spec.js';

export type TopologyResult = { ok: true; spec: TopologySpec } | { ok: false; errors: [TopologyIssue, ...TopologyIssue[]] };

class IssueCollector {
  private readonly found: (TopologyIssue & { offset: number; rank: number })[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly source: SourcePositions,
  ) {}

  /** `rank` 1 sorts a problem after all rank-0 ones (a missing key after a misspelt one). */
  atOffset(offset: number, message: string, rank = 0): void {
    this.found.push({ file: this.file, ...this.source.lineColumn(offset), message, offset, rank });
  }

  /** One problem per path: the first reported wins (the most specific check runs first). */
  at(path: Path, message: string, target: Target = 'value', rank = 0): void {
    const key = JSON.stringify(path.map(String)) + target;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.atOffset(this.source.offsetOf(path, target), message, rank);
  }

  get count(): number {
    return this.found.length;
  }

  /** In file order (missing keys last); stable for problems at the same place. */
  sorted(): [TopologyIssue, ...TopologyIssue[]] | null {
    const ordered = [...this.found].sort((x, y) => x.rank - y.rank || x.offset - y.offset);
    const issues = ordered.map(({ file, line, column, message }) => ({ file, line, column, message }));
    const [first, ...rest] = issues;
    return first ? [first, ...rest] : null;
  }
}

/** "Map keys must be unique at line 3, column 1" → "Map keys must be unique". */
function yamlMessage(message: string): string {
  const text = message.split('\n')[0] ?? message;
  return text.replace(/ at line \d+, column \d+:?$/, '').replace(/[.:]$/, '');
}

function checkDuplicateKeys(doc: Document, issues: IssueCollector, source: SourcePositions): void {
  const nodes = findPair(doc.contents, 'nodes')?.value;
  const lans = findPair(doc.contents, 'lans')?.value;
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, Pair>();
      for (const pair of map.items) {
        const key = (pair.key as { value?: unknown } | null)?.value;
        const text = String(key);
        const earlier = first.get(text);
        if (earlier === undefined) {
          first.set(text, pair);
          continue;
        }
        const line = source.lineColumn((earlier.key as { range?: [number] }).range?.[0] ?? 0).line;
        const what = map === nodes ? 'node' : map === lans ? 'LAN' : 'key';
        const where = (pair.key as { range?: [number] }).range?.[0] ?? 0;
        issues.atOffset(where, `duplicate ${what} ${JSON.stringify(text)} (first defined on line ${line})`);
      }
    },
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        issues.atOffset(alias.range?.[0] ?? 0, `unknown alias *${alias.source} (no anchor &${alias.source} before it)`);
      }
    },
  });
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function reportSchemaIssue(issue: $ZodIssue, data: unknown, issues: IssueCollector): void {
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys':
      issues.at([...path, issue.keys[0] ?? ''], issue.message, 'key');
      return;
    case 'invalid_key':
      issues.at(path, issue.issues[0]?.message ?? issue.message, 'key');
      return;
    case 'invalid_type':
      if (valueAt(data, path) === undefined && path.length > 0) {
        const key = String(path[path.length - 1]);
        issues.at(path, `missing required key ${JSON.stringify(key)} (${issue.message})`, 'value', 1);
        return;
      }
      issues.at(path, issue.message);
      return;
    default:
      issues.at(path, issue.message);
  }
}

/** Validates and normalises topology text; never throws. `file` is used in the positions. */
export function checkTopology(text: string, file: string): TopologyResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  const source = new SourcePositions(doc, lineCounter, text);
  const issues = new IssueCollector(file, source);
  const fail = (): TopologyResult => {
    const errors = issues.sorted();
    if (errors === null) throw new Error('unreachable: failure without an issue');
    return { ok: false, errors };
  };

  for (const error of doc.errors) issues.atOffset(error.pos[0], `YAML syntax error: ${yamlMessage(error.message)}`);
  if (issues.count > 0) return fail();
  if (doc.contents === null) {
    issues.atOffset(0, 'the file is empty; expected a mapping with name, nodes and optionally links, lans, events, expect');
    return fail();
  }
  if (!isMap(doc.contents) && !isAlias(doc.contents)) {
    issues.atOffset(doc.contents.range?.[0] ?? 0, 'expected the topology as a mapping with name, nodes, links, …');
    return fail();
  }
  checkDuplicateKeys(doc, issues, source);
  if (issues.count > 0) return fail();

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    issues.atOffset(0, `YAML error: ${err instanceof Error ? err.message : String(err)}`);
    return fail();
  }
  const parsed = topologyFileSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportSchemaIssue(issue, data, issues);
    return fail();
  }

  const spec = buildTopology(parsed.data, {
    file,
    report: (path, message, target) => issues.at(path, message, target),
    reportWithin: (path, index, word, message) => issues.atOffset(source.offsetWithin(path, index, word), message),
    lineOf: (path) => source.at(path).line,
    positionOf: (path) => {
      const { line, column } = source.at(path);
      return { line, column };
    },
  });
  if (issues.count > 0) return fail();
  return { ok: true, spec };
}

/** Parses topology text; throws TopologyError (all problems, the first as message) when invalid. */
export function parseTopology(text: string, file: string): TopologySpec {
  const result = checkTopology(text, file);
  if (!result.ok) throw new TopologyError(result.errors);
  return result.spec;
}

/** Reads and parses a topology file; positions use `path` as given. Throws TopologyError, also when unreadable. */
export function loadTopologyFile(path: string): TopologySpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((err as Error).message);
    throw new TopologyError([{ file: path, line: 1, column: 1, message: `cannot read the topology file: ${reason}` }]);
  }
  return parseTopology(text, path);
}
