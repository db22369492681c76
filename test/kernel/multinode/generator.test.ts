// The multi-node generator itself (no kernel needed): same seed, same network; what issue #13's fixes
// let it draw is drawn somewhere in the first seeds; and its ICMP budgets admit only probes whose
// rate-limit decisions cannot depend on timing.
import { describe, expect, it } from 'vitest';
import { generateScenario, IcmpBudgets, type Charge } from './generator.js';

const commands = (seed: number): { node: string; cmd: string; note?: string }[] =>
  generateScenario(seed).steps.flatMap((s) => ('cmd' in s ? [s] : 'note' in s ? [{ node: '', cmd: '', note: s.note }] : []));

describe('the multi-node generator', () => {
  it('draws the same network and steps for the same seed', () => {
    expect(generateScenario(1234)).toEqual(generateScenario(1234));
    expect(generateScenario(1234)).not.toEqual(generateScenario(1235));
  });

  it('draws, over its first 100 seeds, every case the kernel comparison now covers', () => {
    const seen = new Set<string>();
    for (let seed = 1000; seed < 1100; seed++) {
      const scenario = generateScenario(seed);
      const routers = scenario.nodes.filter((n) => n.kind === 'router');
      const subnets = new Set(scenario.nodes.flatMap((n) => n.setup).flatMap((c) => /^ip addr add (10\.\d+\.0)\./.exec(c)?.[1] ?? []));
      // A router routes every subnet it is not on, unless one route is missing.
      for (const r of routers) {
        const on = r.setup.filter((c) => c.startsWith('ip addr add')).length;
        if (r.setup.filter((c) => /^ip route add 10\.\d+\.0\.0\/24 via \S+$/.test(c)).length < subnets.size - on) seen.add('missing route');
      }
      const own = new Map(scenario.nodes.map((n) => [n.name, n.setup.flatMap((c) => /^ip addr add (\S+)\//.exec(c)?.[1] ?? [])]));
      for (const step of commands(seed)) {
        if (/^(ping|traceroute) .*10\.200\.0\.1$/.test(step.cmd)) seen.add('unrouted');
        const target = /^(?:ping|traceroute) .* (\S+)$/.exec(step.cmd)?.[1];
        if (target !== undefined && own.get(step.node)?.includes(target) === true) seen.add('own address');
        if (step.note?.includes(' deletes ') === true) seen.add('address deleted');
        if (step.note !== undefined && /^h\d+ sets eth0 down$/.test(step.note) && scenario.links.some((l) => l.ends.some((e) => e.startsWith(`${step.note!.split(' ')[0]}:`)))) seen.add('point-to-point host down');
      }
      expect(scenario.steps.some((s) => 'cmd' in s && s.cmd.includes('icmp_ratemask'))).toBe(false);
    }
    expect([...seen].sort()).toEqual(['address deleted', 'missing route', 'own address', 'point-to-point host down', 'unrouted']);
  });
});

describe('ICMP budgets of a phase', () => {
  const error = (sender: string, peer: string): Charge => ({ sender, peer, kind: 'error' });

  it('admits six errors to a peer in a phase, then nothing that could be refused', () => {
    const budgets = new IcmpBudgets();
    for (let i = 0; i < 6; i++) expect(budgets.admit([error('r1', '10.1.0.1')], true)).toBe(true);
    expect(budgets.admit([error('r1', '10.1.0.1')], true)).toBe(false);
    expect(budgets.admit([error('r1', '10.1.0.2')], true)).toBe(true);
    budgets.refill();
    expect(budgets.admit([error('r1', '10.1.0.1')], true)).toBe(true);
  });

  it('admits a refused burst only from a full budget, which it then closes', () => {
    const budgets = new IcmpBudgets();
    const burst = Array.from({ length: 8 }, () => error('h2', '10.1.0.1'));
    expect(budgets.admit([error('h2', '10.1.0.1')], true)).toBe(true);
    expect(budgets.admit(burst, true)).toBe(false);
    const fresh = new IcmpBudgets();
    expect(fresh.admit(burst, false)).toBe(false);
    expect(fresh.admit(burst, true)).toBe(true);
    expect(fresh.admit([error('h2', '10.1.0.1')], true)).toBe(false);
  });

  it('charges a packet with no route twice (ip_error, then icmp_send): two of a burst are answered', () => {
    const budgets = new IcmpBudgets();
    const noRoute = (n: number): Charge[] => Array.from({ length: n }, () => ({ sender: 'r1', peer: '10.1.0.1', kind: 'noRoute' }));
    expect(budgets.admit(noRoute(2), false)).toBe(true);
    expect(new IcmpBudgets().admit(noRoute(3), false)).toBe(false);
  });

  it('closes a budget after a redirect, and wants a full one for errors sent when a neighbour fails', () => {
    const budgets = new IcmpBudgets();
    expect(budgets.admit([{ sender: 'r1', peer: '10.1.0.1', kind: 'redirect' }], true)).toBe(true);
    expect(budgets.admit([error('r1', '10.1.0.1')], true)).toBe(false);
    expect(budgets.admit([error('r2', '10.1.0.1')], true)).toBe(true);
    expect(budgets.admit([{ sender: 'r2', peer: '10.1.0.1', kind: 'neighbourFailed' }], true)).toBe(false);
  });
});
