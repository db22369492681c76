// The multi-node differential test of issue #13 ("Deliver"): seeded random small networks
// (test/kernel/multinode/generator.ts: 3–7 hosts and routers, point-to-point links and a switched LAN,
// static, multipath and policy routes, rp_filter, forwarding, redirect and ARP sysctls, carrier,
// address and forwarding changes midway) are built in network namespaces (veth pairs, a Linux
// bridge: run-scenario.py) and in netloom, and the same ping, traceroute, `ip route get`, `ip neigh`
// and `ip -s link` probes must print the same, every one of them. netloom follows the kernel's own
// timeline: each step starts at the virtual time the kernel's step started at.
//
// Normalised: times (round trips, totals, a route cache entry's countdown; scenario.ts). A node with
// a multipath route sets a hash seed, so its next hop is compared as printed. What the generator
// keeps out, and why, is in its header.
//
// Size: NETLOOM_MULTINODE_SEEDS networks (default 3 × NETLOOM_TEST_SCALE; each takes 15–25 s, most
// of it the kernel's own timeline) from seed NETLOOM_MULTINODE_FIRST (default 1000), or only
// NETLOOM_MULTINODE_SEED to replay one. Needs root,
// iproute2, ping and traceroute; skipped without them (failing under CI=true). NETLOOM_MULTINODE_DUMP=DIR
// writes each seed's scenario and both transcripts there (e.g. test/.generated/multinode).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { kernelNeed } from './kernel/harness.js';
import { generateScenario } from './kernel/multinode/generator.js';
import { normaliseRun, playOnKernel, playOnNetloom } from './kernel/multinode/scenario.js';

const live = kernelNeed(['ping', 'traceroute']);

function seeds(): number[] {
  const one = process.env['NETLOOM_MULTINODE_SEED'];
  if (one !== undefined && one !== '') return [Number(one)];
  const count = Number(process.env['NETLOOM_MULTINODE_SEEDS'] ?? '') || scaled(3);
  const first = Number(process.env['NETLOOM_MULTINODE_FIRST'] ?? '') || 1000;
  return Array.from({ length: count }, (_, i) => first + i);
}

describe('random multi-node networks: netloom and the kernel print the same', () => {
  for (const seed of seeds()) {
    live.it(
      `seed ${seed}`,
      async () => {
        const scenario = generateScenario(seed);
        const kernel = playOnKernel(scenario, `s${seed}`);
        expect(kernel.stderr).toBe('');
        expect(kernel.status).toBe(0);
        const model = await playOnNetloom(scenario, kernel.times);
        const dump = process.env['NETLOOM_MULTINODE_DUMP'];
        if (dump !== undefined && dump !== '') {
          mkdirSync(dump, { recursive: true });
          writeFileSync(join(dump, `seed-${seed}.json`), JSON.stringify(scenario, null, 2));
          writeFileSync(join(dump, `seed-${seed}.kernel.txt`), kernel.stdout);
          writeFileSync(join(dump, `seed-${seed}.netloom.txt`), model);
        }
        expect(normaliseRun(model)).toBe(normaliseRun(kernel.stdout));
      },
      0,
    );
  }
});
