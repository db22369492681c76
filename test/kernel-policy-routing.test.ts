// topologies/policy-routing.yaml (seed 004, SCENARIOS.md S5) against the real kernel: (a) re-runs
// test/kernel/policy-routing.py in network namespaces and compares with its recorded output;
// (b) runs the same commands on netloom (the topology file itself) and compares with the same recording.
import { describe, expect, it } from 'vitest';
import { expectedOutput, kernelNeed, runKernelScript } from './kernel/harness.js';
import { replayPolicyRouting } from './kernel/model-replays.js';

const live = kernelNeed(['ifconfig', 'ping']);
const recorded = expectedOutput('policy-routing');

describe('policy routing (seed 004) on the real kernel', () => {
  live.it('a re-run prints the recorded output', () => {
    const run = runKernelScript('policy-routing', 60_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(recorded);
  });

  it('the recording shows the VIP unreachable from the router (arp_ignore=1, VIP only on lo)', () => {
    expect(recorded).toContain('$ realserver: ping -c 2 -W 1 -I 10.0.0.100 172.16.0.1\n0 received\n[exit 1]\n');
    expect(recorded).toContain('$ router: ip neigh show 10.0.0.100\n10.0.0.100 dev eth1 INCOMPLETE \n');
  });
});

describe('policy routing (seed 004) on netloom', () => {
  it('prints what the kernel printed', async () => {
    expect(await replayPolicyRouting()).toBe(recorded);
  });
});
