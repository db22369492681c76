// Seed 000, the roaming laptop (SCENARIOS.md S1), on the real kernel: re-runs
// test/kernel/roaming-laptop.py in network namespaces and compares with its recorded output
// (test/kernel/roaming-laptop.expected.txt, from which topologies/roaming-laptop.yaml's default-mode
// expectations were taken). The model side of this scenario runs through that topology file.
// Skipped, saying what is missing (root, ip netns, python3, ping…), where the script cannot run; fails instead under CI=true.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelNeed, kernelDir, runKernelScript } from './kernel/harness.js';

const live = kernelNeed(['ping']);
const recorded = readFileSync(join(kernelDir, 'roaming-laptop.expected.txt'), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'));

describe('roaming laptop (seed 000) on the real kernel', () => {
  live.it('a re-run prints the recorded step/socket/result/interface/source lines', () => {
    const run = runKernelScript('roaming-laptop', 60_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter((l) => l !== '')).toEqual(recorded);
  });

  it('the recording has both sockets for every step', () => {
    expect(recorded).toHaveLength(38);
    expect(recorded.filter((l) => l.includes(' connected ')).length).toBe(19);
    // The seed's failure (EADDRNOTAVAIL) never appears on Linux.
    expect(recorded.some((l) => l.includes('EADDRNOTAVAIL'))).toBe(false);
  });
});
