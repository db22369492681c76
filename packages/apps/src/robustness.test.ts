/**
 * Random command lines never make a program throw: on real nodes (testing/node-lab.ts, a — r — b),
 * every outcome is output and an exit status (or a program still running when the test's virtual
 * time runs out). A program that throws throws out of the node and fails the property.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { getopt } from './getopt.js';
import { programs } from './index.js';
import { SECOND, chain } from './testing/node-lab.js';

const tokens = fc.oneof(
  fc.constantFrom('-c', '-c1', '-i', '-s', '-I', '-W', '-w', '-t', '-q', '-n', '-4', '-6', '-m', '-f', '-p', '-N', '-z', '-D', '-U', '-A', '-b', '-l', '-u', '-e', '-v'),
  fc.constantFrom('--count', '--interval=0.5', '--max-hops=3', '--connect', '--bind', '--echo', '--', '-', '-x', '--nope'),
  fc.constantFrom('10.200.2.2', '10.200.1.1', '10.200.1.254', '10.200.2.99', '2001:db8::1', 'vA', 'lo', 'a', '0', '1', '2', '255', '65536', '-1', '0.2', '1s', 'x', ''),
  fc.string({ maxLength: 6 }),
);

/**
 * A command line's words: mostly options the programs know (with a sound value) and one of the
 * network's addresses at the end, so that most lines get as far as sending; any token in between.
 */
const knownOption = fc.constantFrom(['-q'], ['-n'], ['-v'], ['-c', '2'], ['-i', '0.2'], ['-w', '1'], ['-W', '1'], ['-t', '1'], ['-s', '100'], ['-I', 'vA'], ['-f'], ['-l', '3'], ['-D'], ['-O'], ['-m', '3'], ['-N', '1'], ['-u'], ['-l'], ['-e'], ['--count', '2']);
const commandLine = fc
  .tuple(fc.array(fc.oneof({ arbitrary: knownOption, weight: 3 }, { arbitrary: tokens.map((t) => [t]), weight: 1 }), { maxLength: 5 }), fc.constantFrom(['10.200.2.2'], ['10.200.1.254'], ['10.200.2.99', '9'], ['10.200.2.2', '7'], []))
  .map(([options, target]) => [...options.flat(), ...target]);

/** A word as the node's shell reads it back: single-quoted. */
function quoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

describe('robustness', () => {
  it('getopt never throws and accounts for every word', () => {
    fc.assert(
      fc.property(fc.array(tokens, { maxLength: 8 }), (words) => {
        const r = getopt(['prog', ...words], { short: 'c:i:qn', long: [{ name: 'count', argument: 'required' }, { name: 'x', argument: 'attached' }] });
        if (r.ok) expect(r.operands.length).toBe(r.operandIndexes.length);
      }),
      { numRuns: scaled(300) },
    );
  });

  for (const name of Object.keys(programs)) {
    it(`${name} turns any command line into output and a status`, () => {
      fc.assert(
        fc.property(commandLine, (words) => {
          const lab = chain(programs);
          const run = lab.exec('a', [name, ...words].map(quoted).join(' '), 2 * SECOND);
          run.interrupt();
          lab.run(1 * SECOND);
          if (run.status !== null) expect(Number.isInteger(run.status)).toBe(true);
          expect(run.stdout.length + run.stderr.length).toBeLessThan(1 << 20);
        }),
        { numRuns: scaled(150) },
      );
    });
  }
});
