// Every bundled topology is also a test: its timeline runs and every `expect:` block must hold.
// The seed scenarios' expectations come from the real kernel (roaming-laptop, one-net-redirect,
// dead-gateway, policy-routing: see test/kernel/*.expected.txt) or from the seed's own text
// (roaming-laptop-netbsd).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { needs } from '@netloom/wire/testing/test-environment';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const files = readdirSync(join(root, 'topologies')).filter((f) => f.endsWith('.yaml')).sort();

describe('bundled topologies', () => {
  it('are all here', () => {
    expect(files).toEqual([
      'address-selection.yaml',
      'dead-gateway.yaml',
      'ipv6-slaac.yaml',
      'lvs-dr-arp-problem.yaml',
      'lvs-dr.yaml',
      'lvs-failover.yaml',
      'lvs-nat.yaml',
      'lvs-one-net-nat.yaml',
      'lvs-sync.yaml',
      'lvs-tun.yaml',
      'mcoa-seed001.yaml',
      'mcoa.yaml',
      'mip6-handover.yaml',
      'mip6-route-optimisation.yaml',
      'one-net-redirect.yaml',
      'policy-routing.yaml',
      'roaming-laptop-netbsd.yaml',
      'roaming-laptop.yaml',
      'router-chain.yaml',
      'two-hosts.yaml',
    ]);
  });

  for (const file of files) {
    it(`${file}: every expectation holds`, async () => {
      const emulator = await Emulator.load(join(root, 'topologies', file), { placement: 'inline' });
      try {
        await emulator.start();
        const report = await emulator.run();
        const failed = report.expectations.filter((e) => !e.passed).map((e) => e.message);
        expect(failed).toEqual([]);
        expect(report.expectations.length).toBeGreaterThan(2);
      } finally {
        await emulator.close();
      }
    });
  }

  needs({ tools: ['python3'] }).it('roaming-laptop.yaml is what tools/roaming-laptop-topology.py makes of the kernel record', () => {
    const generated = execFileSync('python3', [join(root, 'tools/roaming-laptop-topology.py'), '--print'], { encoding: 'utf8' });
    expect(readFileSync(join(root, 'topologies/roaming-laptop.yaml'), 'utf8')).toBe(generated);
  });
});
