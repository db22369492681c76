/**
 * Splitting a console line into words while remembering where each word sits, so that a word can
 * be replaced (Mininet's `h1 ping h2` → `h1 ping 10.0.0.2`) without disturbing the rest of the
 * line: the node shell gets the command text exactly as typed, quotes included.
 *
 * Quoting follows the POSIX shell only as far as word boundaries go: '…' and "…" keep blanks inside
 * one word, and a quoted word is never replaced. Escapes and expansions are the node shell's business.
 */

export interface Word {
  /** The word as typed, quotes included. */
  raw: string;
  start: number;
  end: number;
  isQuoted: boolean;
}

export function splitWords(line: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] ?? '')) i++;
    if (i >= line.length) break;
    const start = i;
    let isQuoted = false;
    while (i < line.length && !/\s/.test(line[i] ?? '')) {
      const ch = line[i];
      if (ch === '"' || ch === "'") {
        isQuoted = true;
        const close = line.indexOf(ch, i + 1);
        i = close === -1 ? line.length : close + 1;
      } else {
        i++;
      }
    }
    words.push({ raw: line.slice(start, i), start, end: i, isQuoted });
  }
  return words;
}

/**
 * Replaces every unquoted word after the first that `replacement` knows (returns a string for);
 * the first word is the program name and stays.
 */
export function replaceArguments(command: string, replacement: (word: string) => string | undefined): string {
  const words = splitWords(command);
  let out = '';
  let from = 0;
  for (const [index, word] of words.entries()) {
    if (index === 0 || word.isQuoted) continue;
    const replaced = replacement(word.raw);
    if (replaced === undefined) continue;
    out += command.slice(from, word.start) + replaced;
    from = word.end;
  }
  return out + command.slice(from);
}

/** Quotes an argument for the node shell when it holds blanks or quote characters. */
export function quoteArgument(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'"'"'`)}'`;
}
