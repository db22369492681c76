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

  test('a regular expression that does not compile says why', () => {
    expect(parseMatcher('/a(/')).toEqual({ error: 'Invalid regular expression: /a(/: Unterminated group' });
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
  });

  test('a g-flagged expression matches the same on every call (no lastIndex carried over)', () => {
    const m = { kind: 'regex', source: 'received', flags: 'g' } as const;
    expect([matches(m, pingSummary), matches(m, pingSummary), matches(m, pingSummary)]).toEqual([true, true, true]);
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
