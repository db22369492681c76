// topologies/policy-routing.yaml (seed 004, SCENARIOS.md S5) against the real kernel: (a) re-runs
// test/kernel/policy-routing.py in network namespaces and compares with its recorded output;
// (b) runs the same commands on netloom (the topology file itself) and compares with the same recording.
import { describe, expect, it } from 'vitest';
import { expectedOutput, kernelAvailability, runKernelScript, skipNote } from './kernel/harness.js';
import { modelAvailability, replayPolicyRouting } from './kernel/model-replays.js';

const model = await modelAvailability();
const live = kernelAvailability(['ifconfig']);
const recorded = expectedOutput('policy-routing');

describe('policy routing (seed 004) on the real kernel', () => {
  it.skipIf(!live.ok)(`a re-run prints the recorded output${skipNote(live)}`, () => {
    const run = runKernelScript('policy-routing', 60_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(recorded);
  });
});

describe('policy routing (seed 004) on netloom', () => {
  it.skipIf(!model.ok)(`prints what the kernel printed${skipNote(model)}`, async () => {
    expect(await replayPolicyRouting()).toBe(recorded);
  });
});
