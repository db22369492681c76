/**
 * Loading a topology file: bytes (topology-text.ts: a regular file of at most 4 MiB, UTF-8, only
 * printable characters) → YAML tokens (at most 200,000; nesting, tags, directives: yaml-rules.ts) → YAML document
 * (keys, duplicates, anchors, aliases, merges: yaml-rules.ts) → schema (zod) → references and
 * normalisation (build.ts). Every problem is reported with the file, line and column of the
 * offending node and what was expected; nothing is returned unless the whole file is valid.
 *
 * YAML 1.2 core schema with `<<` merge keys, one document per file; every mapping key is read as
 * the text written (`1e3:` is the name "1e3", not 1000). Leaves out `!include` and any other tags.
 */
import { Composer, isAlias, isMap, LineCounter, type Document } from 'yaml';
import type { $ZodIssue } from 'zod/v4/core';
import { buildTopology } from './build.js';
import { TopologyError, type TopologyIssue } from './errors.js';
import { topologyFileSchema } from './schema.js';
import { SourcePositions, type Path, type Target } from './source.js';
import type { TopologySpec } from './spec.js';
import { checkTopologyText, decodeTopologyBytes, readTopologyBytes, type TextProblem } from './topology-text.js';
import { checkDocument, checkTokens, readTokens, type RuleProblem } from './yaml-rules.js';

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

/** Tokens and the one document of `text`; the tokens are checked before anything recursive reads them. */
function parseYaml(text: string, lineCounter: LineCounter): { problems: RuleProblem[]; doc: Document | null } {
  const tokens = readTokens(text, lineCounter.addNewLine);
  if (!Array.isArray(tokens)) return { problems: [tokens], doc: null };
  const problems = checkTokens(tokens);
  if (problems.length > 0) return { problems, doc: null };
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false, merge: true, stringKeys: true });
  let doc: Document | null = null;
  for (const next of composer.compose(tokens, true, text.length)) {
    if (doc === null) doc = next;
    else {
      doc.errors.push(...next.errors);
      if (next.contents !== null) problems.push({ offset: next.range[0], message: 'a second YAML document (after ---); a topology file is one document' });
      break;
    }
  }
  return { problems, doc };
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
    default:
      // A required key that is absent: its type check (or a union's, as for `at`) fails on undefined.
      if (valueAt(data, path) === undefined && path.length > 0) {
        const key = String(path[path.length - 1]);
        issues.at(path, `missing required key ${JSON.stringify(key)} (${issue.message})`, 'value', 1);
        return;
      }
      issues.at(path, issue.message);
  }
}

/** The issue for a problem found before YAML; without an offset it is at line 1, column 1 (the file as a whole). */
function textIssue(file: string, problem: TextProblem, text: string | null): TopologyIssue {
  if (problem.offset === undefined || text === null) {
    return { file, line: problem.line ?? 1, column: problem.column ?? 1, message: problem.message };
  }
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (const m of text.matchAll(/\n/g)) lines.addNewLine(m.index + 1);
  const { line, col } = lines.linePos(problem.offset);
  return { file, line, column: col, message: problem.message };
}

/** Validates and normalises topology text; never throws. `file` is used in the positions. */
export function checkTopology(text: string, file: string): TopologyResult {
  const textProblem = checkTopologyText(text);
  if (textProblem) return { ok: false, errors: [textIssue(file, textProblem, text)] };
  const lineCounter = new LineCounter();
  const { problems: tokenProblems, doc } = parseYaml(text, lineCounter);
  const source = new SourcePositions(doc, lineCounter, text);
  const issues = new IssueCollector(file, source);
  const fail = (): TopologyResult => {
    const errors = issues.sorted();
    if (errors === null) throw new Error('unreachable: failure without an issue');
    return { ok: false, errors };
  };

  for (const problem of tokenProblems) issues.atOffset(problem.offset, problem.message);
  if (doc === null) return fail();
  for (const error of doc.errors) {
    // stringKeys (every key is text as written) makes yaml refuse a list, mapping or alias as a key.
    const message = /^With stringKeys/.test(error.message)
      ? 'a key must be text, not a list, a mapping or an alias'
      : `YAML syntax error: ${yamlMessage(error.message)}`;
    issues.atOffset(error.pos[0], message);
  }
  if (issues.count > 0) return fail();
  if (doc.contents === null) {
    issues.atOffset(0, 'the file is empty; expected a mapping with name, nodes and optionally links, lans, events, expect');
    return fail();
  }
  if (!isMap(doc.contents) && !isAlias(doc.contents)) {
    issues.atOffset(doc.contents.range?.[0] ?? 0, 'expected the topology as a mapping with name, nodes, links, …');
    return fail();
  }
  for (const problem of checkDocument(doc, (offset) => source.lineColumn(offset).line)) issues.atOffset(problem.offset, problem.message);
  if (issues.count > 0) return fail();

  // Aliases are bounded by checkDocument; yaml's own count would throw without a position.
  const data: unknown = doc.toJS({ maxAliasCount: -1 });
  const parsed = topologyFileSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportSchemaIssue(issue, data, issues);
    return fail();
  }

  const spec = buildTopology(parsed.data, {
    file,
    report: (path, message, target) => issues.at(path, message, target),
    reportWithin: (path, index, word, message) => issues.atOffset(source.offsetWithin(path, index, word), message),
    reportWithinLine: (path, line, index, word, message) => issues.atOffset(source.offsetWithinLine(path, line, index, word), message),
    lineOf: (path) => source.at(path).line,
    positionOf: (path, target) => {
      const { line, column } = source.at(path, target);
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
  const bytes = readTopologyBytes(path);
  const text = bytes instanceof Uint8Array ? decodeTopologyBytes(bytes) : bytes;
  if (typeof text !== 'string') throw new TopologyError([textIssue(path, text, null)]);
  return parseTopology(text, path);
}
