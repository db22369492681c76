// NDP against the real kernel (issue #15): (a) re-runs test/kernel/ndisc.py in network namespaces
// (h1 resolves h2 by NS/NA, the DELAY entries left behind are confirmed by unicast probes in a
// cascade that ends by itself, then h2 stops answering for an address and h1's entry goes
// STALE -> DELAY -> PROBE -> FAILED) and compares with its recording; (b) replays the same steps on
// netloom's NDP (test/kernel/ndisc-replay.ts) and compares with the same recording: every NS and NA
// with its addresses, MACs, flags and options, in order, and the neighbour tables at each step —
// once over the fake of ndisc's interface to the IPv6 layer, once on two real nodes.
// The script prints no times, so nothing is normalised but the sysctl header.
import { describe, expect, it } from 'vitest';
import { dropLines, expectedOutput, kernelNeed, runKernelScript } from './kernel/harness.js';
import { replayNdisc, replayNdiscOnNodes } from './kernel/ndisc-replay.js';

const live = kernelNeed(['ping', 'tcpdump']);
/** The `#` lines say what the script set; the replay sets the same (test/kernel/ndisc-replay.ts). */
const withoutSettings = (text: string): string => dropLines(text, /^# /);
const recorded = withoutSettings(expectedOutput('ndisc'));

describe('NDP (ndisc.py) on the real kernel', () => {
  live.it('a re-run prints the recorded output', () => {
    // The kill switch at the scenarios' test timeout (a hang guard); the script takes 36-46 s here.
    const run = runKernelScript('ndisc', 120_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(withoutSettings(run.stdout)).toBe(recorded);
  });

  it('netloom prints the same exchange and the same neighbour states', () => {
    expect(replayNdisc()).toBe(recorded);
  });

  it('two netloom nodes print the same exchange and the same neighbour states', () => {
    expect(replayNdiscOnNodes()).toBe(recorded);
  });
});
