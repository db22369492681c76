/**
 * Differential test of the IPv6 control plane against the running Linux kernel (issue #15): seeded
 * random IPv6 configurations (testing/kernel-scenarios6.ts: addresses of every scope with flags,
 * lifetimes and labels, routes of every type, deletions, link and carrier changes) are applied to a
 * network namespace and to the model, and every command's output and exit status must agree:
 * `ip -6 addr`, `ip -6 route` (text and -j, main, local and all tables), `ip -6 rule`, `ip addrlabel`,
 * errors, and `ip -6 route get` with the chosen route and source (testing/kernel-differential6.ts
 * says what is normalised). Needs root and `ip netns` (skips saying why, fails under CI=true).
 *
 * Sized by a count: one test per seed, 12 × NETLOOM_TEST_SCALE seeds (6000, 6001, …);
 * NETLOOM_DIFF6_SEEDS=N runs N of them, NETLOOM_DIFF6_SEED=S only seed S.
 * Also, everywhere: the Linux answers of a few seeds recorded in
 * fixtures/kernel-differential6.json are replayed on the model (NETLOOM_RECORD=1 with root writes
 * them anew from this kernel).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { needs, scaled } from '@netloom/wire/testing/test-environment';
import { generateScenario6 } from './testing/kernel-scenarios6.js';
import { compareScenario6, LIFETIME_SLACK, recordScenario6, sameUpToLifetimes, type Recorded6Answer } from './testing/kernel-differential6.js';
import { differentialSeeds, type ScenarioComparison } from './testing/kernel-differential.js';

function report(result: ScenarioComparison): string {
  return result.mismatches
    .slice(0, 12)
    .map((m) => `seed ${m.seed} step ${m.step}: ${m.line}\n--- linux\n${m.linux}\n--- model\n${m.model}`)
    .join('\n\n');
}

describe('the IPv6 scenario generator and the comparison', () => {
  test('a seed always draws the same scenario, and another seed another one', () => {
    expect(generateScenario6(6001)).toEqual(generateScenario6(6001));
    expect(generateScenario6(6002).steps).not.toEqual(generateScenario6(6001).steps);
  });

  test('the first 60 seeds draw every kind of step and query', () => {
    const lines = Array.from({ length: 60 }, (_, i) => generateScenario6(6000 + i).steps)
      .flat()
      .map((s) => (s.kind === 'command' ? s.line : `#${s.kind}`));
    const wanted = [/ fec0:/, / fe80:0:0::/, / fd00:/, / nodad/, / noprefixroute/, / home/, / preferred_lft 0/, /valid_lft 900/, /^ip addrlabel add/, /^ip addrlabel del/, /nexthop via .* nexthop via/, /^ip -6 route add blackhole/, /^ip -6 route \w+ .* pref high/, / expires 600/, /^ip -6 route del/, /^ip -6 addr del/, /^ip link set eth\d down/, /^#carrier/, /^#wait/, /^ip -j -6 route show table all/, /^ip -6 route show table local/, /^ip -j -6 addr show/, /^ip -6 rule show/, /^ip -6 rule add .*suppress_prefixlength/, /^ip -6 rule add (?:from|iif|oif)/, /^ip -6 rule del/, /route get .* from .* iif/, /route get .* oif/, /^ip -6 addr add 10\.0\.0\.1/, / pref bogus$/, /nexthop via \S+ metric 10$/, /\/129 /];
    for (const pattern of wanted) expect(lines.some((l) => pattern.test(l)), String(pattern)).toBe(true);
  });

  test('remaining lifetimes compare within the slack, anything else exactly', () => {
    const line = (valid: number, preferred: number): string => `inet6 2001:db8::1/64 scope global dynamic\n   valid_lft ${valid}sec preferred_lft ${preferred}sec\n`;
    expect(sameUpToLifetimes(line(598, 298), line(600, 300))).toBe(true);
    expect(sameUpToLifetimes(line(600 - LIFETIME_SLACK - 1, 300), line(600, 300))).toBe(false);
    expect(sameUpToLifetimes('valid_lft forever preferred_lft 0sec', 'valid_lft forever preferred_lft forever')).toBe(false);
    expect(sameUpToLifetimes('"valid_life_time":599,"preferred_life_time":4294967295', '"valid_life_time":600,"preferred_life_time":4294967295')).toBe(true);
    expect(sameUpToLifetimes('"preferred_life_time":0', '"preferred_life_time":4294967295')).toBe(false);
    expect(sameUpToLifetimes('metric 1024 expires 599sec pref medium', 'metric 1024 expires 600sec pref medium')).toBe(true);
    expect(sameUpToLifetimes('dev eth0 src 2001:db8::1 metric 1024', 'dev eth0 src 2001:db8::2 metric 1024')).toBe(false);
  });
});

const seeds = differentialSeeds('NETLOOM_DIFF6', scaled(12), 6000);
const linux = needs({ netns: true, tools: ['bash', 'sysctl'] });

linux.describe('IPv6 differential against the Linux kernel', () => {
  describe.each(seeds)('random IPv6 configuration, seed %i', (seed) => {
    test('every command prints what Linux printed and exits as it did', { timeout: 0 }, () => {
      const scenario = generateScenario6(seed);
      const result = compareScenario6(scenario, recordScenario6(scenario));
      expect(report(result), `${result.mismatches.length} of ${result.compared} commands differ`).toBe('');
      expect(result.compared).toBeGreaterThan(0);
    });
  });
});

/** Linux's answers to a few seeds, recorded once: replayed on the model everywhere, root or not. */
interface RecordedScenarios {
  recordedOn: { kernel: string; iproute2: string };
  scenarios: { seed: number; answers: (Recorded6Answer | null)[] }[];
}

const FIXTURE_PATH = fileURLToPath(new URL('./fixtures/kernel-differential6.json', import.meta.url));
const RECORDED_SEEDS = [6000, 6001, 6007, 6010, 6035, 6048];

describe('IPv6 differential: Linux answers recorded for a few seeds, replayed on the model', () => {
  const readFixture = (): RecordedScenarios => JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as RecordedScenarios;

  test('the fixture holds the recorded seeds, each answer for the line the generator draws', () => {
    const fixture = readFixture();
    expect(fixture.scenarios.map((s) => s.seed)).toEqual(RECORDED_SEEDS);
    for (const { seed, answers } of fixture.scenarios) {
      const steps = generateScenario6(seed).steps;
      expect(answers.map((a) => a?.line ?? null), `seed ${seed}`).toEqual(steps.map((s) => (s.kind === 'command' ? s.line : null)));
    }
  });

  test.each(RECORDED_SEEDS)('seed %i: every command prints what Linux printed and exits as it did', (seed) => {
    const answers = readFixture().scenarios.find((s) => s.seed === seed)?.answers ?? [];
    const result = compareScenario6(generateScenario6(seed), answers);
    expect(report(result), `${result.mismatches.length} of ${result.compared} commands differ`).toBe('');
    expect(result.compared).toBeGreaterThan(15);
  });
});

needs({ netns: true, tools: ['bash', 'sysctl', 'uname'] }).describe('IPv6 differential: the recorded seeds re-recorded on this kernel', () => {
  test.runIf(process.env['NETLOOM_RECORD'] === '1')('NETLOOM_RECORD=1 writes the fixture anew', { timeout: 0 }, () => {
    const version = (command: string, args: string[]): string => spawnSync(command, args, { encoding: 'utf8' }).stdout.trim();
    const recorded: RecordedScenarios = {
      recordedOn: { kernel: version('uname', ['-r']), iproute2: version('ip', ['-V']) },
      scenarios: RECORDED_SEEDS.map((seed) => ({ seed, answers: recordScenario6(generateScenario6(seed)) })),
    };
    writeFileSync(FIXTURE_PATH, `${JSON.stringify(recorded, null, 1)}\n`);
  });
});
