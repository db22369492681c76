/**
 * Output matchers of `expect:` items: plain text is a substring test, `/re/flags` a regular
 * expression, and the empty string means "must be empty".
 *
 * Regular expressions use RE2 syntax and run on re2js, a linear-time engine (no backtracking), so
 * a topology file cannot make `netloom run` hang with a pattern like `/^(a+)+$/`. What RE2 cannot
 * do in linear time — backreferences (`\1`, `\k<name>`) and lookaround (`(?=`, `(?!`, `(?<=`,
 * `(?<!`) — is rejected when the file is checked, with a message that says so. Flags: `i`
 * (case-insensitive), `m` (`^`/`$` per line), `s` (`.` matches a newline); `g`, `y`, `d`, `u` and
 * `v` mean nothing for a yes/no match and are rejected rather than ignored.
 *
 * A string counts as a regular expression only when it has the form `/…/` followed by letters that
 * are all JavaScript RegExp flags, so a path like `/etc/passwd` stays plain text. Leaves out any
 * shell-glob style matching.
 */
import { RE2JS, RE2JSCompileException, RE2JSSyntaxException } from 're2js';
import type { Matcher } from './spec.js';

const REGEX_LITERAL = /^\/(.+)\/([dgimsuvy]*)$/s;

const FLAG_BITS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

const LINEAR_TIME = 'expectations use RE2 syntax, which matches in linear time';

/** RE2's "error parsing regexp: missing closing ): `(a`" → a reason that names what is unsupported. */
function explainRe2Error(message: string): string {
  const reason = message.replace(/^error parsing regexp: /, '');
  const quoted = /`(.*)`$/s.exec(reason)?.[1] ?? '';
  if (/^invalid escape sequence: /.test(reason) && /^\\([1-9]|k)/.test(quoted)) {
    return `backreferences (${quoted}) are not supported; ${LINEAR_TIME}`;
  }
  if (/^(\(\?[=!]|\(\?<[=!])/.test(quoted)) {
    return `lookahead and lookbehind (${quoted.slice(0, quoted.startsWith('(?<') ? 4 : 3)}) are not supported; ${LINEAR_TIME}`;
  }
  return reason;
}

function flagBits(flags: string): number | { error: string } {
  let bits = 0;
  for (const [i, flag] of [...flags].entries()) {
    const bit = FLAG_BITS[flag];
    if (bit === undefined) return { error: `flag "${flag}" is not supported; the flags are i, m and s` };
    if (flags.indexOf(flag) !== i) return { error: `flag "${flag}" is given twice` };
    bits |= bit;
  }
  return bits;
}

/** Compiles a matcher's regular expression; throws for one parseMatcher would have rejected. */
function compile(source: string, flags: string): RE2JS {
  const bits = flagBits(flags);
  if (typeof bits !== 'number') throw new Error(bits.error);
  return RE2JS.compile(source, bits);
}

/** Reads one matcher; for a regular expression that RE2 does not accept, says why. */
export function parseMatcher(text: string): Matcher | { error: string } {
  if (text === '') return { kind: 'empty' };
  const m = REGEX_LITERAL.exec(text);
  if (!m) return { kind: 'contains', text };
  const source = m[1] ?? '';
  const flags = m[2] ?? '';
  const bits = flagBits(flags);
  if (typeof bits !== 'number') return bits;
  try {
    RE2JS.compile(source, bits);
  } catch (err) {
    if (err instanceof RE2JSSyntaxException || err instanceof RE2JSCompileException) return { error: explainRe2Error(err.message) };
    throw err;
  }
  return { kind: 'regex', source, flags };
}

/** Whether `text` satisfies the matcher; a regular expression is searched for anywhere in `text`, in linear time. */
export function matches(m: Matcher, text: string): boolean {
  switch (m.kind) {
    case 'empty':
      return text === '';
    case 'contains':
      return text.includes(m.text);
    case 'regex':
      return compile(m.source, m.flags).test(text);
  }
}

/** How a matcher reads in a report: `/re/flags`, `"text"`, or `empty`. */
export function describeMatcher(m: Matcher): string {
  switch (m.kind) {
    case 'empty':
      return 'empty';
    case 'contains':
      return JSON.stringify(m.text);
    case 'regex':
      return `/${m.source}/${m.flags}`;
  }
}
