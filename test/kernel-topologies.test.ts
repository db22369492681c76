// The short example topologies' `expect:` blocks, checked on the real kernel: test/kernel/run-topology.py
// builds each file in network namespaces (bridges for links and LANs, netloom's MACs, the router
// preset and `exec:` lines), plays its timeline in real time and checks every expectation there. A
// failure means the file expects something Linux does not do. (dead-gateway.yaml, 111 s, and
// one-net-redirect.yaml, 516 s, are too long to run here; their kernel runs are reported by hand and
// their scenarios are covered, shortened, by kernel-dead-gateway.test.ts and kernel-redirect.test.ts.)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelAvailability, kernelDir, repoRoot, skipNote } from './kernel/harness.js';

const live = kernelAvailability(['traceroute', 'ifconfig']);
const hasYaml = live.ok && spawnSync('python3', ['-c', 'import yaml']).status === 0;
const runnable = hasYaml ? live : { ok: false, reason: live.ok ? 'python3 has no yaml module' : live.reason };

describe('example topologies on the real kernel', () => {
  for (const file of ['two-hosts.yaml', 'policy-routing.yaml', 'router-chain.yaml']) {
    it.skipIf(!runnable.ok)(`${file}: every expectation holds on Linux${skipNote(runnable)}`, () => {
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
