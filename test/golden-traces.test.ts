// Golden traces: every bundled topology run through `netloom run --trace --pcap` gives, byte for
// byte, the trace and the pcaps recorded in test/golden/ (inline placement, and router-chain packed).
// They guard refactorings of the stack: what goes on the wire, when, and every drop's reason.
// When a behaviour change is intended, re-record with `node tools/golden-traces.mjs --write`
// and review `git diff test/golden/`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenCases, goldenPaths, runCase } from '../tools/golden-traces.mjs';

const cases = goldenCases();

describe('golden traces', () => {
  it('cover every bundled topology inline and one packed', () => {
    expect(cases.map((c) => c.name)).toEqual([
      'address-selection.inline',
      'dead-gateway.inline',
      'ipv6-slaac.inline',
      'lvs-dr-arp-problem.inline',
      'lvs-dr.inline',
      'lvs-failover.inline',
      'lvs-nat.inline',
      'lvs-one-net-nat.inline',
      'lvs-sync.inline',
      'lvs-tun.inline',
      'mcoa-seed001.inline',
      'mcoa.inline',
      'mip6-handover.inline',
      'mip6-route-optimisation.inline',
      'one-net-redirect.inline',
      'policy-routing.inline',
      'roaming-laptop-netbsd.inline',
      'roaming-laptop.inline',
      'router-chain.inline',
      'two-hosts.inline',
      'router-chain.packed',
    ]);
  });

  for (const c of cases) {
    it(`${c.name}: trace and pcaps are byte-identical to test/golden/`, () => {
      const got = runCase(c);
      expect(got.stderr.replace(/^pcap: .*\n/gm, '')).toBe('');
      expect(got.status).toBe(0);
      const paths = goldenPaths(c);
      // Compared as line arrays so a difference is shown as the lines that moved.
      expect(got.trace.split('\n')).toEqual(readFileSync(paths.trace, 'utf8').split('\n'));
      expect(got.pcaps).toBe(readFileSync(paths.pcaps, 'utf8'));
    });
  }
});
