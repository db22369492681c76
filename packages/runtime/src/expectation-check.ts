/**
 * Checking a topology's `expect:` item against the result of its command: exit status, stdout and
 * stderr matchers (substring, /regex/, empty) and must-not-match stdout matchers, each failure as a
 * "got …, want …" phrase for the run report.
 */
import { matches, type Matcher } from '@netloom/topology';
import type { CommandResult } from './emulator-types.js';

function describeMatcherText(matcher: Matcher): string {
  if (matcher.kind === 'contains') return JSON.stringify(matcher.text);
  if (matcher.kind === 'regex') return `/${matcher.source}/${matcher.flags}`;
  return 'empty';
}

function indent(text: string): string {
  return text === '' ? '(empty)' : JSON.stringify(text);
}

/** Every way a command's result misses the expectation, as "got …, want …" phrases. */
export function checkExpectation(
  expectation: { status?: number; stdout: Matcher[]; stderr: Matcher[]; notStdout: Matcher[] },
  result: CommandResult,
): string[] {
  const problems: string[] = [];
  if (expectation.status !== undefined && result.status !== expectation.status) {
    problems.push(`status: got ${result.status}, want ${expectation.status}`);
  }
  for (const matcher of expectation.stdout) {
    if (!matches(matcher, result.stdout)) problems.push(`stdout: want ${describeMatcherText(matcher)}, got ${indent(result.stdout)}`);
  }
  for (const matcher of expectation.stderr) {
    if (!matches(matcher, result.stderr)) problems.push(`stderr: want ${describeMatcherText(matcher)}, got ${indent(result.stderr)}`);
  }
  for (const matcher of expectation.notStdout) {
    if (matches(matcher, result.stdout)) problems.push(`stdout: want no match for ${describeMatcherText(matcher)}, got ${indent(result.stdout)}`);
  }
  return problems;
}
