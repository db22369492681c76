// The datapath-fidelity classes of issue #13, each a multi-node scenario recorded on the real kernel
// (test/kernel/multinode/cases/NAME.json, played by run-scenario.py in network namespaces: veth pairs,
// a Linux bridge; the recording is NAME.expected.txt beside it): (a) when root, the scenario is played
// on the kernel again and must print the recording; (b) netloom plays it (scenario.ts, virtual time)
// and must print the recording too, apart from the known divergences listed per case (each checked to
// be still there, so that its entry goes once the model is fixed). Normalised on both sides: round-trip
// times, ping's total time, and a real veth's `@ifN` and `link-netns` (scenario.ts, runNormalisers).
//
// To re-record one: python3 test/kernel/multinode/run-scenario.py test/kernel/multinode/cases/NAME.json \
//   > test/kernel/multinode/cases/NAME.expected.txt
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { describeReplay, kernelNeed, type Divergence } from './kernel/harness.js';
import { multinodeDir, normaliseRun, playOnKernel, playOnNetloom, readScenario } from './kernel/multinode/scenario.js';

const live = kernelNeed(['ping']);

interface Case {
  name: string;
  divergences: Divergence[];
}

const cases: Case[] = [
  // Items 3, 4 and 5: a link is a veth pair, a LAN a bridge; a down device counts nothing.
  { name: 'link-carrier', divergences: [] },
  // Item 1: ping's text for each ICMP message (net and host unreachable, time exceeded, redirect).
  { name: 'ping-icmp', divergences: [] },
  // Item 2: a neighbour on an interface without carrier: INCOMPLETE -> FAILED, Destination Host
  // Unreachable, +N errors, the ARP solicits counted as TX dropped.
  { name: 'no-carrier-neighbour', divergences: [] },
  // Item 6: a router with no route charges the sender's inet_peer twice per packet (ip_error's own
  // bucket, then icmp_send's): 2 net unreachables for a burst, 5 with icmp_ratemask 0.
  { name: 'no-route-ratelimit', divergences: [] },
  // Item 7: the device's last IPv4 address deleted, or the device set down, flushes its neighbours,
  // PERMANENT and NOARP ones too; carrier loss keeps PERMANENT ones.
  { name: 'address-flush', divergences: [] },
  // Item 8: traffic to the node's own address counts on lo (RX = TX, IP packets without an Ethernet
  // header); a broadcast's looped-back copy does not.
  { name: 'loopback-counters', divergences: [] },
];

for (const c of cases) {
  const scenario = readScenario(join(multinodeDir, 'cases', `${c.name}.json`));
  const recorded = normaliseRun(readFileSync(join(multinodeDir, 'cases', `${c.name}.expected.txt`), 'utf8'));

  describe(`${c.name} (issue #13) on the real kernel`, () => {
    live.it('a re-run prints the recorded output', () => {
      const run = playOnKernel(scenario, c.name.slice(0, 8));
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(normaliseRun(run.stdout)).toBe(recorded);
    });
  });

  describeReplay(`${c.name} (issue #13) on netloom`, 'prints what the kernel printed (known divergences aside)', async () => normaliseRun(await playOnNetloom(scenario)), recorded, c.divergences);
}

