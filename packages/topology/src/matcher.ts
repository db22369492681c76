/**
 * Output matchers of `expect:` items: plain text is a substring test, `/re/flags` a JavaScript
 * regular expression, and the empty string means "must be empty".
 *
 * A string counts as a regular expression only when it has the form `/…/` followed by valid
 * RegExp flag letters, so a path like `/etc/passwd` stays plain text. Leaves out any shell-glob
 * style matching.
 */
import type { Matcher } from './spec.js';

const REGEX_LITERAL = /^\/(.+)\/([dgimsuvy]*)$/s;

/** Reads one matcher; for a regular expression that does not compile, says why. */
export function parseMatcher(text: string): Matcher | { error: string } {
  if (text === '') return { kind: 'empty' };
  const m = REGEX_LITERAL.exec(text);
  if (!m) return { kind: 'contains', text };
  const source = m[1] ?? '';
  const flags = m[2] ?? '';
  try {
    new RegExp(source, flags);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { error: reason };
  }
  return { kind: 'regex', source, flags };
}

/** Whether `text` satisfies the matcher (a fresh RegExp per call, so `g`/`y` flags keep no state). */
export function matches(m: Matcher, text: string): boolean {
  switch (m.kind) {
    case 'empty':
      return text === '';
    case 'contains':
      return text.includes(m.text);
    case 'regex':
      return new RegExp(m.source, m.flags).test(text);
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
