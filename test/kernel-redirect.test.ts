// topologies/one-net-redirect.yaml (seed 004 one-network LVS-NAT, SCENARIOS.md S5, issue 5) against
// the real kernel: (a) re-runs test/kernel/one-net-redirect.py in network namespaces (ICMP redirects
// from the director counted with tcpdump, the real server's `ip route get` / route cache / traceroute,
// flush, and the send_redirects all/device matrix) and compares with its recorded output; (b) replays
// the same steps on netloom (the topology file itself, test/kernel/model-replays.ts) and compares with
// the same recording. Normalised: the `expires N` countdown values (they depend on when the command
// ran; the script checks separately that the countdown follows the clock).
import { describe, expect, it } from 'vitest';
import { expectedOutput, kernelAvailability, normalise, runKernelScript, skipNote, type Normaliser } from './kernel/harness.js';
import { modelAvailability, replayOneNetRedirect } from './kernel/model-replays.js';

const model = await modelAvailability();
const live = kernelAvailability(['traceroute', 'tcpdump', 'route']);
const rules: Normaliser[] = [
  [/expires \d+sec/g, 'expires Nsec'],
  [/"expires":\d+/g, '"expires":N'],
  [/# expires Nsec, \d+ s later/g, '# expires Nsec, N s later'],
];
const recorded = normalise(expectedOutput('one-net-redirect'), rules);

describe('one-network LVS-NAT redirects (seed 004) on the real kernel', () => {
  it.skipIf(!live.ok)(`a re-run prints the recorded output${skipNote(live)}`, () => {
    const run = runKernelScript('one-net-redirect', 90_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(normalise(run.stdout, rules)).toBe(recorded);
  });

  it('the recording shows acceptance on the second redirect, flush, and the all-OR-device matrix', () => {
    expect(recorded).toContain('10.1.1.10 via 10.1.1.10 dev eth0 src 192.168.1.20 uid 0 \n    cache <redirected> expires Nsec \n');
    expect(recorded).toContain('# countdown follows wall time: yes');
    // route -C has nothing to show since Linux 3.6 (no IPv4 route cache): header lines only.
    expect(recorded).toContain('$ realserver: route -Cn\nKernel IP routing cache\nSource          Destination     Gateway         Flags Metric Ref    Use Iface\n$');
  });
});

describe('one-network LVS-NAT redirects (seed 004) on netloom', () => {
  it.skipIf(!model.ok)(`prints what the kernel printed${skipNote(model)}`, async () => {
    expect(normalise(await replayOneNetRedirect(), rules)).toBe(recorded);
  });
});
