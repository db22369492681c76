/**
 * Differential test of the control plane against the running Linux kernel: seeded random
 * configurations (addresses, routes of every type, tables, rules, multipath, sysctls, devices and
 * carrier down/up) are applied both to a network namespace (veth pairs, `ip netns exec`) and to the
 * model, and every command's output and exit status must agree: `ip -4 route show table all`,
 * `ip rule show`, `ip -4 addr show`, `ip -4 -j addr show`, and many `ip route get` lookups.
 * The expectations come from the kernel and iproute2 of the machine running the test, not from
 * this file. Skips (saying why) where namespaces cannot be created.
 * NETLOOM_DIFF_SEEDS=N changes the number of configurations; NETLOOM_DIFF_SEED=S runs one.
 */
import { describe, expect, test } from 'vitest';
import { namespaceSupport } from './testing/kernel-namespaces.js';
import { generateScenario } from './testing/kernel-scenarios.js';
import { compareScenario, type Mismatch } from './testing/kernel-differential.js';

const support = namespaceSupport();
const count = Number(process.env['NETLOOM_DIFF_SEEDS'] ?? 200);
const only = process.env['NETLOOM_DIFF_SEED'];
const seeds = only !== undefined ? [Number(only)] : Array.from({ length: count }, (_, i) => 1000 + i);

describe.skipIf(!support.ok)(`differential against the Linux kernel${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  test(`${seeds.length} random configurations agree with Linux`, { timeout: 180_000 }, () => {
    const mismatches: Mismatch[] = [];
    let agreeing = 0;
    let compared = 0;
    for (const seed of seeds) {
      const result = compareScenario(generateScenario(seed));
      compared += result.compared;
      if (result.mismatches.length === 0) agreeing++;
      mismatches.push(...result.mismatches);
    }
    const report = mismatches
      .slice(0, 12)
      .map((m) => `seed ${m.seed} step ${m.step}: ${m.line}\n--- linux\n${m.linux}\n--- model\n${m.model}`)
      .join('\n\n');
    expect(report, `${agreeing}/${seeds.length} configurations agree (${compared} commands compared)`).toBe('');
  });
});
