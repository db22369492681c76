// topologies/dead-gateway.yaml (seed 002, SCENARIOS.md S3, issue 5) against the real kernel: (a) re-runs
// test/kernel/dead-gateway.py in network namespaces (gateway 1 goes silent; the host's neighbour entry
// walks REACHABLE -> STALE -> DELAY -> PROBE -> FAILED while sends alternate between the gateways, as
// fib_select_default's memory of the last choice makes them; then recovery, and metrics 10/20 without
// failover) and compares with its recorded output; (b) replays the same steps on netloom
// (test/kernel/model-replays.ts) and compares with the same recording, apart from the known
// divergences listed below (each is checked to be still there). Normalised: the `t=` times (REACHABLE
// lasts a random time); the DELAY and PROBE durations are compared (whole seconds).
import { describe, expect, it } from 'vitest';
import {
  describeReplay,
  expectedOutput,
  kernelNeed,
  normalise,
  runKernelScript,
  type Divergence,
  type Normaliser,
} from './kernel/harness.js';
import { replayDeadGateway } from './kernel/model-replays.js';

const live = kernelNeed(['ping']);
const rules: Normaliser[] = [[/^t=\s*[\d.]+s /gm, 't=… ']];
const recorded = normalise(expectedOutput('dead-gateway'), rules);

const divergences: Divergence[] = [];

describe('dead gateway detection (seed 002) on the real kernel', () => {
  live.it('a re-run prints the recorded output', () => {
    const run = runKernelScript('dead-gateway', 120_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(normalise(run.stdout, rules)).toBe(recorded);
  });

  it('the recording fails over only while gateway 1 is not REACHABLE, and not with different metrics', () => {
    expect(recorded).toContain('# DELAY -> PROBE after 5 s, PROBE -> FAILED after 3 s');
    expect(recorded).toContain('t=… send (FAILED): eth1 10.2.0.2');
    expect(recorded).toMatch(/metric 20 \n[^]*172\.16\.0\.10 via 10\.1\.0\.1 dev eth0 src 10\.1\.0\.2 uid 0 \n {4}cache \n$/);
  });
});

describeReplay('dead gateway detection (seed 002) on netloom', 'prints what the kernel printed (known divergences aside)', async () => normalise(await replayDeadGateway(), rules), recorded, divergences);
