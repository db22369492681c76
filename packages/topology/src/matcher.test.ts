import { describe, expect, test } from 'vitest';
import { describeMatcher, matches, parseMatcher } from './matcher.js';

const pingSummary = '3 packets transmitted, 3 received, 0% packet loss, time 2003ms\n';

describe('parseMatcher', () => {
  test('plain text is a substring matcher, "" means empty, /re/flags is a regular expression', () => {
    expect(parseMatcher('3 received')).toEqual({ kind: 'contains', text: '3 received' });
    expect(parseMatcher('')).toEqual({ kind: 'empty' });
    expect(parseMatcher('/(\\d+) received/i')).toEqual({ kind: 'regex', source: '(\\d+) received', flags: 'i' });
  });

  test('a path that merely starts and contains slashes stays plain text', () => {
    expect(parseMatcher('/etc/passwd')).toEqual({ kind: 'contains', text: '/etc/passwd' });
    expect(parseMatcher('/')).toEqual({ kind: 'contains', text: '/' });
  });

  test('a regular expression that does not compile says why, in RE2 terms', () => {
    expect(parseMatcher('/a(/')).toEqual({ error: 'missing closing ): `a(`' });
    expect(parseMatcher('/a{1001}/')).toEqual({ error: 'invalid repeat count: `{1001}`' });
  });

  test('backreferences and lookaround are rejected as such, not as a syntax error', () => {
    const linear = 'expectations use RE2 syntax, which matches in linear time';
    expect(parseMatcher('/(a)\\1/')).toEqual({ error: `backreferences (\\1) are not supported; ${linear}` });
    expect(parseMatcher('/(?<n>a)\\k<n>/')).toEqual({ error: `backreferences (\\k) are not supported; ${linear}` });
    expect(parseMatcher('/a(?=b)/')).toEqual({ error: `lookahead and lookbehind ((?=) are not supported; ${linear}` });
    expect(parseMatcher('/a(?!b)/')).toEqual({ error: `lookahead and lookbehind ((?!) are not supported; ${linear}` });
    expect(parseMatcher('/(?<=a)b/')).toEqual({ error: `lookahead and lookbehind ((?<=) are not supported; ${linear}` });
    expect(parseMatcher('/(?<!a)b/')).toEqual({ error: `lookahead and lookbehind ((?<!) are not supported; ${linear}` });
  });

  test('only the flags i, m and s are taken, each once', () => {
    expect(parseMatcher('/a/ims')).toEqual({ kind: 'regex', source: 'a', flags: 'ims' });
    expect(parseMatcher('/a/g')).toEqual({ error: 'flag "g" is not supported; the flags are i, m and s' });
    expect(parseMatcher('/a/u')).toEqual({ error: 'flag "u" is not supported; the flags are i, m and s' });
    expect(parseMatcher('/a/ii')).toEqual({ error: 'flag "i" is given twice' });
  });
});

describe('matches', () => {
  test('substring', () => {
    expect(matches({ kind: 'contains', text: '3 received' }, pingSummary)).toBe(true);
    expect(matches({ kind: 'contains', text: '4 received' }, pingSummary)).toBe(false);
  });

  test('regular expression with flags', () => {
    expect(matches({ kind: 'regex', source: '^3 PACKETS', flags: 'im' }, pingSummary)).toBe(true);
    expect(matches({ kind: 'regex', source: '^3 PACKETS', flags: '' }, pingSummary)).toBe(false);
    expect(matches({ kind: 'regex', source: '^time', flags: 'm' }, pingSummary)).toBe(false);
    expect(matches({ kind: 'regex', source: 'loss, time \\d+ms$', flags: '' }, pingSummary)).toBe(false);
    expect(matches({ kind: 'regex', source: 'loss, time \\d+ms$', flags: 'm' }, pingSummary)).toBe(true);
    expect(matches({ kind: 'regex', source: 'ms.$', flags: '' }, pingSummary)).toBe(false);
    expect(matches({ kind: 'regex', source: 'ms.$', flags: 's' }, pingSummary)).toBe(true);
  });

  test('a pattern that backtracks exponentially in JavaScript answers at once on many characters', () => {
    // /^(a+)+$/ against a run of "a" and a "!" takes 2^n steps on a backtracking engine; the size
    // of the input, not a clock, is the verdict: 100,000 characters would never finish there.
    const m = parseMatcher('/^(a+)+$/');
    expect(m).toEqual({ kind: 'regex', source: '^(a+)+$', flags: '' });
    if ('error' in m) return;
    expect(matches(m, `${'a'.repeat(100_000)}!`)).toBe(false);
    expect(matches(m, 'a'.repeat(100_000))).toBe(true);
  });

  test('empty matches only the empty string, not a newline', () => {
    expect(matches({ kind: 'empty' }, '')).toBe(true);
    expect(matches({ kind: 'empty' }, '\n')).toBe(false);
  });

  test('describeMatcher prints each kind the way it is written', () => {
    expect(describeMatcher({ kind: 'regex', source: 'a+', flags: 'i' })).toBe('/a+/i');
    expect(describeMatcher({ kind: 'contains', text: 'x "y"' })).toBe('"x \\"y\\""');
    expect(describeMatcher({ kind: 'empty' })).toBe('empty');
  });
});
