import { describe, expect, it } from 'vitest';
import { quoteArgument, replaceArguments, splitWords } from './words.js';

describe('console words', () => {
  it('splits on blanks and keeps quoted blanks inside one word', () => {
    expect(splitWords(`  h1  echo "a b"  'c d'e f`).map((w) => w.raw)).toEqual(['h1', 'echo', '"a b"', "'c d'e", 'f']);
  });

  it('replaces whole unquoted arguments only, leaving spacing and the program name alone', () => {
    const table: Record<string, string> = { h2: '10.0.0.2', ping: 'nope' };
    expect(replaceArguments('ping  -c 3   h2', (w) => table[w])).toBe('ping  -c 3   10.0.0.2');
    expect(replaceArguments('echo "h2" h2x h2', (w) => table[w])).toBe('echo "h2" h2x 10.0.0.2');
  });

  it('quotes arguments for the node shell only when they need it', () => {
    expect(quoteArgument('10.0.0.1/24')).toBe('10.0.0.1/24');
    expect(quoteArgument('a b')).toBe("'a b'");
    expect(quoteArgument("it's")).toBe(`'it'"'"'s'`);
    expect(quoteArgument('')).toBe("''");
  });
});
