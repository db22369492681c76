/**
 * A topology's own command lines (a node's `exec:` list and timed `events:` commands) run as a
 * shell script under `set -e` would: the first one that fails stops the emulation. A line may opt
 * out the way a script does, with a trailing `|| true` (`ip route del 10.9.0.0/16 || true`); the
 * command before it runs, and its failure is recorded instead of fatal.
 *
 * The node shell itself has no `&&`/`||` lists (packages/stack/src/shell/shell.ts), so only that
 * one trailing form is understood, here, before the line reaches the node; any other unquoted
 * `&&` or `||` is reported by the loader with its column. Quoting follows the node shell's
 * tokenizer (single quotes literal, double quotes with `\"`, backslash escapes).
 */

export interface ExecLine {
  /** The command the node shell runs: the line without a trailing `|| true`. */
  cmd: string;
  /** Written with a trailing `|| true`: a failure is recorded, not fatal. */
  mayFail: boolean;
}

const ALLOW_FAILURE = /^\|\|\s*true\s*$/;

/** Character indexes of the unquoted, unescaped `&&` and `||` in `line`, in order. */
export function listOperators(line: string): { index: number; operator: '&&' | '||' }[] {
  const found: { index: number; operator: '&&' | '||' }[] = [];
  // Most lines have neither pair anywhere, quoted or not: no walk (a boot of 1,000 nodes parses 6,000).
  if (!line.includes('&&') && !line.includes('||')) return found;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') i++;
    else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) break;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      i = j;
    } else if ((c === '&' || c === '|') && line[i + 1] === c) {
      found.push({ index: i, operator: c === '&' ? '&&' : '||' });
      i++;
    }
  }
  return found;
}

/** Splits off a trailing `|| true`; a line without one is returned as it is, `mayFail` false. */
export function parseExecLine(line: string): ExecLine {
  const last = listOperators(line).at(-1);
  if (last !== undefined && last.operator === '||' && ALLOW_FAILURE.test(line.slice(last.index))) {
    return { cmd: line.slice(0, last.index).trimEnd(), mayFail: true };
  }
  return { cmd: line, mayFail: false };
}
