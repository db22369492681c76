// The short example topologies' `expect:` blocks, checked on the real kernel: test/kernel/run-topology.py
// builds each file in network namespaces (bridges for links and LANs, netloom's MACs, the router
// preset and `exec:` lines), plays its timeline in real time and checks every expectation there. A
// failure means the file expects something Linux does not do. (dead-gateway.yaml, 111 s, and
// one-net-redirect.yaml, 516 s, are too long to run here; their kernel runs are reported by hand and
// their scenarios are covered, shortened, by kernel-dead-gateway.test.ts and kernel-redirect.test.ts.)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { kernelDir, kernelNeed, repoRoot } from './kernel/harness.js';

const live = kernelNeed(['traceroute', 'ifconfig', 'ping'], ['yaml']);

describe('example topologies on the real kernel', () => {
  for (const file of ['two-hosts.yaml', 'policy-routing.yaml', 'router-chain.yaml']) {
    live.it(`${file}: every expectation holds on Linux`, () => {
      const r = spawnSync('python3', [join(kernelDir, 'run-topology.py'), join(repoRoot, 'topologies', file)], {
        encoding: 'utf8',
        timeout: 90_000,
      });
      const report = r.stdout + r.stderr;
      expect(report).not.toContain('FAIL ');
      expect(report).toContain('PASS ');
      expect(r.status, report).toBe(0);
    });
  }
});
