/**
 * POSIX-shell-like word splitting for the node shell: whitespace separates words; single quotes
 * keep everything literally; double quotes keep spaces and allow `\"`, `\\`, `\$`; a backslash
 * outside quotes escapes the next character. Redirections are returned apart from the words, in
 * the order they were written (bash opens them left to right): `> FILE`, `>> FILE`, `< FILE`,
 * `<> FILE`, here-strings `<<< WORD` and here-documents `<< DELIMITER` (`<<-` alike), attached or
 * separate, anywhere on the line; an unquoted `<` or `>` always ends the word before it, as in
 * bash (`"a">f` writes `a` to f). A missing target is bash's `syntax error near unexpected token`
 * naming the next operator or `newline'. Leaves out file descriptor numbers (`2>`, `2>&1`, `&>`),
 * `;`, pipes, globbing and variables: `2>f` is the word `2` and an output redirection.
 */

/** A redirection operator, as bash's parser names its tokens. */
export type RedirectionOperator = '<' | '<>' | '<<' | '<<<' | '>' | '>>';

export interface Redirection {
  operator: RedirectionOperator;
  /** The file (`<`, `<>`, `>`, `>>`), the here-string's word (`<<<`) or the here-document's delimiter (`<<`), quotes removed. */
  target: string;
}

export interface TokenizedLine {
  words: string[];
  redirections: Redirection[];
}

export type TokenizeResult = { ok: true; line: TokenizedLine } | { ok: false; error: string };

/** Operators starting with `<` or `>`, longest first (bash's read_token takes the longest). */
const OPERATORS: readonly (RedirectionOperator | '<<-')[] = ['<<<', '<<-', '<<', '<>', '<', '>>', '>'];

export function tokenize(line: string): TokenizeResult {
  const words: string[] = [];
  const redirections: Redirection[] = [];
  let pending: RedirectionOperator | null = null;
  let current = '';
  let inWord = false;
  const endWord = (): void => {
    if (!inWord) return;
    if (pending !== null) {
      redirections.push({ operator: pending, target: current });
      pending = null;
    } else words.push(current);
    current = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, error: "unexpected EOF while looking for matching `''" };
      current += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) {
          current += line[j + 1];
          j++;
        } else current += line[j];
      }
      if (j >= line.length) return { ok: false, error: 'unexpected EOF while looking for matching `"\'' };
      inWord = true;
      i = j;
    } else if (c === '\\') {
      if (i + 1 < line.length) current += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      endWord();
    } else if (c === '<' || c === '>') {
      endWord();
      const operator = OPERATORS.find((op) => line.startsWith(op, i))!;
      if (pending !== null) return { ok: false, error: `syntax error near unexpected token \`${operator}'` };
      pending = operator === '<<-' ? '<<' : operator;
      i += operator.length - 1;
    } else {
      // A run of ordinary characters is taken in one slice, not one concatenation per character.
      let end = i + 1;
      while (end < line.length && !isSpecial(line.charCodeAt(end))) end++;
      current += line.slice(i, end);
      inWord = true;
      i = end - 1;
    }
  }
  endWord();
  if (pending !== null) return { ok: false, error: "syntax error near unexpected token `newline'" };
  return { ok: true, line: { words, redirections } };
}

/** Whether a character ends a run of ordinary ones: a quote, a backslash, a blank or a redirection. */
function isSpecial(c: number): boolean {
  return c === 0x27 || c === 0x22 || c === 0x5c || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x3c || c === 0x3e;
}
