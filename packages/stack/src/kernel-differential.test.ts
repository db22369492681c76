/**
 * Differential test of the control plane against the running Linux kernel: seeded random
 * configurations (addresses, routes of every type, tables, rules, multipath, sysctls, devices and
 * carrier down/up) are applied both to a network namespace (veth pairs, `ip netns exec`) and to the
 * model, and every command's output and exit status must agree: `ip -4 route show table all`,
 * `ip rule show`, `ip -4 addr show`, `ip -4 -j addr show`, and many `ip route get` lookups.
 * The expectations come from the kernel and iproute2 of the machine running the test, not from
 * this file. Needs root, `ip netns` and net-tools (skips saying why, or fails under CI=true).
 *
 * Sized by a count, never by time: one test per seed, 50 × NETLOOM_TEST_SCALE seeds (1000, 1001, …);
 * NETLOOM_DIFF_SEEDS=N runs N of them, NETLOOM_DIFF_SEED=S only seed S (docs/testing.md). A seed's
 * work is synchronous (one bash process builds and tears down the namespaces), so no per-test timeout
 * could interrupt it: the tests have none, and a slow, loaded machine only makes the run longer.
 */
import { describe, expect, test } from 'vitest';
import { needs, scaled } from '@netloom/wire/testing/test-environment';
import { generateScenario } from './testing/kernel-scenarios.js';
import { compareScenario, differentialSeeds } from './testing/kernel-differential.js';

const seeds = differentialSeeds('NETLOOM_DIFF', scaled(50), 1000);
const linux = needs({ netns: true, tools: ['bash', 'sysctl', 'ifconfig', 'route', 'netstat'] });

linux.describe('differential against the Linux kernel', () => {
  describe.each(seeds)('random configuration, seed %i', (seed) => {
    test('every command prints what Linux printed and exits as it did', { timeout: 0 }, () => {
      const result = compareScenario(generateScenario(seed));
      const report = result.mismatches
        .slice(0, 12)
        .map((m) => `seed ${m.seed} step ${m.step}: ${m.line}\n--- linux\n${m.linux}\n--- model\n${m.model}`)
        .join('\n\n');
      expect(report, `${result.mismatches.length} of ${result.compared} commands differ`).toBe('');
      expect(result.compared).toBeGreaterThan(0);
    });
  });
});
