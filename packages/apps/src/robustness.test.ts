/**
 * Random command lines never make a program throw: every outcome is output and an exit status
 * (or a program still running when the test's virtual time runs out).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { getopt } from './getopt.js';
import { programs } from './index.js';
import { SECOND, runProgram, type FakeWorld } from './testing/fake-context.js';

const tokens = fc.oneof(
  fc.constantFrom('-c', '-c1', '-i', '-s', '-I', '-W', '-w', '-t', '-q', '-n', '-4', '-6', '-m', '-f', '-p', '-N', '-z', '-D', '-U', '-A', '-b', '-l', '-u', '-e', '-v'),
  fc.constantFrom('--count', '--interval=0.5', '--max-hops=3', '--connect', '--bind', '--echo', '--', '-', '-x', '--nope'),
  fc.constantFrom('10.0.0.2', '10.0.0.1', '2001:db8::1', 'eth0', 'lo', 'host', '0', '1', '2', '255', '65536', '-1', '0.2', '1s', 'x', ''),
  fc.string({ maxLength: 6 }),
);

const world: FakeWorld = {
  hosts: { host: '10.0.0.2' },
  echo: (p) => (p.to === '10.0.0.2' ? [{ delay: 1_000_000, from: '10.0.0.2', type: 0, code: 0 }] : []),
  udpProbe: (p) => [{ delay: 1_000_000, from: p.ttl < 2 ? '10.0.0.254' : p.to, type: p.ttl < 2 ? 11 : 3, code: p.ttl < 2 ? 0 : 3 }],
  arp: (r) => (r.target === '10.0.0.2' ? [{ delay: 500_000, senderIp: '10.0.0.2', senderMac: '02:00:00:00:00:02' }] : []),
};

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

  for (const [name, program] of Object.entries(programs)) {
    it(`${name} turns any command line into output and a status`, () => {
      fc.assert(
        fc.property(fc.array(tokens, { maxLength: 6 }), (words) => {
          const r = runProgram(program, [name, ...words], world, { until: 3 * SECOND, interruptAt: 2 * SECOND });
          if (r.status !== null) expect(Number.isInteger(r.status)).toBe(true);
        }),
        { numRuns: scaled(150) },
      );
    });
  }
});
