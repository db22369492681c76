/**
 * Source positions of a parsed YAML document: from a path of keys and indices (as zod and the
 * validator report them) back to the YAML node, and from there to line and column through the
 * yaml package's LineCounter. When the path leads to a key that is absent, the position is that
 * of the enclosing mapping, which is where the missing key belongs.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export type Path = readonly PropertyKey[];

/** What a path points at: the value (the default) or the key of the last mapping entry. */
export type Target = 'value' | 'key';

function keyText(key: unknown): string | null {
  if (isScalar(key)) return String(key.value);
  return null;
}

function startOf(node: unknown): number | null {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : null;
}

/** A value that is empty in the source (`name:`) has no useful position of its own. */
function isEmptyValue(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1];
}

export function findPair(collection: unknown, key: PropertyKey): Pair | undefined {
  if (!isMap(collection)) return undefined;
  return collection.items.find((pair) => keyText(pair.key) === String(key));
}

export class SourcePositions {
  constructor(
    private readonly doc: Document | null,
    private readonly lines: LineCounter,
    private readonly text: string,
  ) {}

  /**
   * The offset of `word`, found at `index` in the string value at `path`. Exact for plain and
   * quoted one-line scalars without escapes before the word; otherwise the scalar's start.
   */
  offsetWithin(path: Path, index: number, word: string): number {
    const start = this.offsetOf(path);
    for (const skip of [0, 1]) {
      const at = start + skip + index;
      if (this.text.slice(at, at + word.length) === word && !this.text.slice(start, at).includes('\n')) return at;
    }
    return start;
  }

  /**
   * The offset of `word` at `index` in line `line` (0-based) of the text value at `path`: within a
   * literal block scalar (`|`) each value line is a source line below the header, shifted by the
   * block's indentation; a one-line scalar is offsetWithin's. Otherwise the scalar's start.
   */
  offsetWithinLine(path: Path, line: number, index: number, word: string): number {
    const node = this.nodeAt(path);
    if (!isScalar(node) || node.type !== 'BLOCK_LITERAL' || node.range == null || typeof node.value !== 'string') {
      return line === 0 ? this.offsetWithin(path, index, word) : this.offsetOf(path);
    }
    const valueLine = node.value.split('\n')[line];
    let at = this.text.indexOf('\n', node.range[0]) + 1;
    for (let i = 0; i < line && at > 0; i++) at = this.text.indexOf('\n', at) + 1;
    if (at <= 0 || valueLine === undefined) return node.range[0];
    const end = this.text.indexOf('\n', at);
    const sourceLine = this.text.slice(at, end < 0 ? this.text.length : end).replace(/\r$/, '');
    const indent = sourceLine.length - valueLine.length;
    return indent >= 0 && sourceLine.slice(indent + index, indent + index + word.length) === word ? at + indent + index : at;
  }

  private nodeAt(path: Path): unknown {
    let node: unknown = this.doc?.contents ?? null;
    for (const segment of path) {
      if (isMap(node)) node = findPair(node, segment)?.value;
      else if (isSeq(node)) node = node.items[Number(segment)];
      else return undefined;
    }
    return node;
  }

  /** The character offset of what `path` points at (or of the nearest enclosing node that exists). */
  offsetOf(path: Path, target: Target = 'value'): number {
    let node: unknown = this.doc?.contents ?? null;
    let offset = startOf(node) ?? 0;
    for (const [i, segment] of path.entries()) {
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = findPair(node, segment);
        if (!pair) return offset;
        const keyOffset = startOf(pair.key) ?? offset;
        if (last && target === 'key') return keyOffset;
        node = pair.value;
        offset = node === null || isEmptyValue(node) ? keyOffset : (startOf(node) ?? keyOffset);
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) return offset;
        node = item;
        offset = startOf(item) ?? offset;
      } else {
        return offset;
      }
    }
    return offset;
  }

  /** 1-based line and column of an offset. */
  lineColumn(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  at(path: Path, target: Target = 'value'): { line: number; column: number; offset: number } {
    const offset = this.offsetOf(path, target);
    return { ...this.lineColumn(offset), offset };
  }
}
