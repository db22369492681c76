/**
 * What a topology file may use of YAML, checked before any value is converted, each problem at its
 * character offset:
 *
 * - while lexing: at most MAX_YAML_TOKENS tokens, which bounds the parser's work (yaml parses some
 *   200,000 tokens a second; a dense 4 MiB file would have 2 million);
 * - on the token stream (yaml's CST, built without recursion): collections nested at most
 *   MAX_NESTING deep (so no parser or validator recursion can overflow the stack), only the YAML 1.2
 *   core tags (`!!str`, `!!int`, …; `!include` or `!!binary` would silently become a string or a
 *   Buffer), and no directive but `%YAML 1.2` (`%YAML 1.1` changes how `yes` or `0777` read, `%TAG`
 *   renames tags);
 * - on the composed document (composed with yaml's stringKeys, which already refuses a list, a
 *   mapping or an alias as a key): no key twice in a mapping, every alias names an anchor defined
 *   before it and not around it (a cycle), no anchor defined twice, `<<` merges only mappings, and
 *   aliases expand to at most MAX_ALIAS_EXPANSION values in all and never nest deeper than
 *   MAX_NESTING (the "billion laughs").
 *
 * Leaves out the structure of a topology (schema.ts) and the bytes before YAML (topology-text.ts).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, Parser, type CST, type Document, type Node } from 'yaml';
import { quote } from './topology-text.js';

type Token = CST.Token;

/** The deepest nesting of collections (mappings and lists) a topology file may use; it needs 5. */
export const MAX_NESTING = 64;
/** The most values all aliases of a file may expand to, together. */
export const MAX_ALIAS_EXPANSION = 100_000;

/** The most lexical tokens a topology file may have (the largest example has 2,200; 200,000 is some 1 MB of YAML). */
export const MAX_YAML_TOKENS = 200_000;

export interface RuleProblem {
  offset: number;
  message: string;
}

const CORE_TAGS = ['!!str', '!!int', '!!float', '!!bool', '!!null', '!!map', '!!seq'];

function checkTag(source: string): string | null {
  if (CORE_TAGS.includes(source)) return null;
  return `unsupported tag ${source}: topology files take only the YAML 1.2 core tags ${CORE_TAGS.join(', ')} (there is no !include)`;
}

function checkDirective(source: string): string | null {
  const text = source.replace(/\s+#.*$/, '').trim();
  if (/^%YAML\s+1\.2$/.test(text)) return null;
  if (/^%YAML\s/.test(text)) {
    return `${text} is not supported: topology files are YAML 1.2 (YAML 1.1 reads yes, no, 0777 and 1:20 differently)`;
  }
  return `directive ${text.split(/\s/)[0]} is not supported; topology files take no directive but %YAML 1.2`;
}

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/** The tokens inside `token`, in file order. */
function innerTokens(token: Token): Token[] {
  const inner: Token[] = [];
  const add = (t: Token | null | undefined): void => {
    if (t) inner.push(t);
  };
  switch (token.type) {
    case 'document':
      inner.push(...token.start);
      add(token.value);
      inner.push(...(token.end ?? []));
      break;
    case 'block-map':
    case 'block-seq':
    case 'flow-collection':
      if (token.type === 'flow-collection') inner.push(token.start);
      for (const item of token.items) {
        inner.push(...item.start);
        add(item.key);
        inner.push(...(item.sep ?? []));
        add(item.value);
      }
      if (token.type === 'flow-collection') inner.push(...token.end);
      break;
    case 'block-scalar':
      inner.push(...token.props);
      break;
    case 'alias':
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
    case 'doc-end':
      inner.push(...(token.end ?? []));
      break;
    default:
      break;
  }
  return inner;
}

/** The parser's tokens of `text` (what yaml's Parser.parse gives), or the problem of a text with too many. */
export function readTokens(text: string, onNewLine: (offset: number) => void): Token[] | RuleProblem {
  const parser = new Parser(onNewLine);
  onNewLine(0);
  const tokens: Token[] = [];
  let count = 0;
  for (const lexeme of new Lexer().lex(text)) {
    count += 1;
    if (count > MAX_YAML_TOKENS) {
      return { offset: parser.offset, message: `more than ${MAX_YAML_TOKENS} YAML tokens; a topology file may have at most that many` };
    }
    tokens.push(...parser.next(lexeme));
  }
  tokens.push(...parser.end());
  return tokens;
}

/** Nesting depth, tags and directives, on the parser's tokens; walks in file order without recursion. */
export function checkTokens(tokens: readonly Token[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  // A stack popped from the end: pushed in reverse, so the earliest token comes out first.
  const stack: { token: Token; depth: number }[] = tokens.map((token) => ({ token, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as { token: Token; depth: number };
    let inner = depth;
    if (COLLECTIONS.has(token.type)) {
      inner = depth + 1;
      if (inner > MAX_NESTING) {
        return [
          ...problems,
          { offset: token.offset, message: `collections nested more than ${MAX_NESTING} levels deep; a topology file needs 5` },
        ];
      }
    }
    if (token.type === 'tag') {
      const message = checkTag(token.source);
      if (message !== null) problems.push({ offset: token.offset, message });
    } else if (token.type === 'directive') {
      const message = checkDirective(token.source);
      if (message !== null) problems.push({ offset: token.offset, message });
    }
    const children = innerTokens(token);
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push({ token: children[i] as Token, depth: inner });
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

interface Extent {
  /** Values the node stands for once every alias in it is expanded. */
  size: number;
  /** Collections nested in it, once expanded (a scalar is 0). */
  depth: number;
}

const start = (node: unknown): number => (node as Node | null)?.range?.[0] ?? 0;

function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return `the alias *${node.source}`;
  if (isScalar(node)) return node.value === null ? 'nothing' : typeof node.value === 'string' ? quote(node.value) : String(node.value);
  return 'nothing';
}

/**
 * Keys, duplicates, anchors, aliases and merges of a composed document (read with `stringKeys`, so
 * every scalar key is text as written). Recursion is bounded: checkTokens has limited the nesting.
 */
export function checkDocument(doc: Document, lineOf: (offset: number) => number): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const problem = (offset: number, message: string): void => {
    problems.push({ offset, message });
  };
  const top = doc.contents;
  const nodesMap = isMap(top) ? top.items.find((p) => isScalar(p.key) && p.key.value === 'nodes')?.value : undefined;
  const lansMap = isMap(top) ? top.items.find((p) => isScalar(p.key) && p.key.value === 'lans')?.value : undefined;

  const anchors = new Map<string, Node>();
  const extents = new Map<Node, Extent>();
  const open = new Set<Node>();
  let expanded = 0;
  let bombReported = false;

  const target = (node: unknown): Node | undefined => (isAlias(node) ? anchors.get(node.source) : (node as Node));

  const checkMerge = (value: unknown): void => {
    const sources = isSeq(value) ? value.items : [value];
    for (const source of sources) {
      if (!isMap(target(source))) {
        problem(start(source), `the merge key << takes a mapping or an alias of one (<<: *defaults), got ${describeNode(source)}`);
        return;
      }
    }
  };

  const walk = (node: unknown, depth: number): Extent => {
    if (isAlias(node)) {
      const anchored = anchors.get(node.source);
      if (anchored === undefined) {
        problem(start(node), `unknown alias *${node.source} (no anchor &${node.source} before it)`);
        return { size: 1, depth: 0 };
      }
      if (open.has(anchored)) {
        problem(start(node), `alias *${node.source} is inside the value it names (&${node.source}); it would repeat forever`);
        return { size: 1, depth: 0 };
      }
      const extent = extents.get(anchored) ?? { size: 1, depth: 0 };
      expanded += extent.size;
      if (expanded > MAX_ALIAS_EXPANSION && !bombReported) {
        bombReported = true;
        problem(start(node), `aliases expand to more than ${MAX_ALIAS_EXPANSION} values in all; a topology file may not grow that much through aliases`);
      }
      if (depth + extent.depth > MAX_NESTING) {
        problem(start(node), `alias *${node.source} nests collections more than ${MAX_NESTING} levels deep`);
      }
      return extent;
    }
    const n = node as Node | null;
    if (n === null || n === undefined) return { size: 1, depth: 0 };
    if (n.anchor !== undefined) {
      const earlier = anchors.get(n.anchor);
      if (earlier !== undefined) {
        problem(start(n), `anchor &${n.anchor} is defined twice (first on line ${lineOf(start(earlier))}); an alias would silently take the second`);
      }
      anchors.set(n.anchor, n);
    }
    let extent: Extent = { size: 1, depth: 0 };
    if (isMap(n) || isSeq(n)) {
      open.add(n);
      let size = 1;
      let deepest = 0;
      const seen = new Map<string, number>();
      for (const item of n.items) {
        const parts = isPair(item) ? [item.key, item.value] : [item];
        if (isPair(item)) {
          const key = item.key;
          // The composer (stringKeys) has refused every key that is not a scalar.
          if (isScalar(key)) {
            const text = String(key.value);
            const first = seen.get(text);
            if (first === undefined) seen.set(text, start(key));
            else {
              const what = n === nodesMap ? 'node' : n === lansMap ? 'LAN' : 'key';
              problem(start(key), `duplicate ${what} ${quote(text)} (first defined on line ${lineOf(first)})`);
            }
            if (text === '<<') checkMerge(item.value);
          }
        }
        for (const part of parts) {
          const inner = walk(part, depth + 1);
          size += inner.size;
          deepest = Math.max(deepest, inner.depth);
        }
      }
      open.delete(n);
      extent = { size, depth: deepest + 1 };
    }
    extents.set(n, extent);
    return extent;
  };
  walk(top, 0);
  return problems.sort((a, b) => a.offset - b.offset);
}
