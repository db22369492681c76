/**
 * POSIX-shell-like word splitting for the node shell: whitespace separates words; single quotes
 * keep everything literally; double quotes keep spaces and allow `\"`, `\\`, `\$`; a backslash
 * outside quotes escapes the next character. Output redirections `>` and `>>` (attached or
 * separate) are returned apart from the words. Leaves out `;`, pipes, globbing and variables.
 */

export interface TokenizedLine {
  words: string[];
  redirect: { path: string; append: boolean } | null;
}

export type TokenizeResult = { ok: true; line: TokenizedLine } | { ok: false; error: string };

export function tokenize(line: string): TokenizeResult {
  const words: string[] = [];
  let redirect: TokenizedLine['redirect'] = null;
  let pendingRedirect: { append: boolean } | null = null;
  let current = '';
  let inWord = false;
  let quotedWord = false;
  const endWord = (): void => {
    if (!inWord) return;
    if (pendingRedirect) {
      redirect = { path: current, append: pendingRedirect.append };
      pendingRedirect = null;
    } else words.push(current);
    current = '';
    inWord = false;
    quotedWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, error: "unexpected EOF while looking for matching `''" };
      current += line.slice(i + 1, end);
      inWord = true;
      quotedWord = true;
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
      quotedWord = true;
      i = j;
    } else if (c === '\\') {
      if (i + 1 < line.length) current += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      endWord();
    } else if (c === '>' && !quotedWord) {
      endWord();
      if (pendingRedirect) return { ok: false, error: "syntax error near unexpected token `>'" };
      const append = line[i + 1] === '>';
      if (append) i++;
      pendingRedirect = { append };
    } else {
      current += c;
      inWord = true;
    }
  }
  endWord();
  if (pendingRedirect) return { ok: false, error: "syntax error near unexpected token `newline'" };
  return { ok: true, line: { words, redirect } };
}
