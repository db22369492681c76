/**
 * The programs against the real tools, live: the same a — r — b network is built in Linux network
 * namespaces (veth pairs named like netloom's interfaces) and in netloom (real nodes, in-memory
 * links), the same command lines run in both, and the outputs must agree once wall-clock numbers
 * (RTTs, `time …ms`, rtt statistics) and MAC addresses are masked. Needs root, `ip`, and
 * iputils-ping, iputils-arping and traceroute installed (`apt-get install iputils-ping
 * iputils-arping traceroute`); skips, saying which is missing, otherwise (fails instead under CI=true).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { programs } from './index.js';
import { routedPair, transcript, TwinNetwork } from './testing/twin-network.js';

const realTools = needs({ netns: true, tools: ['ping', 'traceroute', 'arping', 'sysctl'] });

const net = new TwinNetwork('nlapps', routedPair('10.251'), programs);

realTools.describe('against the real tools in namespaces', () => {
  beforeAll(() => net.build());
  afterAll(() => net.destroy());

  const cases: [string, string][] = [
    ['a', 'ping -c 2 -i 0.2 10.251.2.2'],
    ['a', 'ping -c 2 -i 0.2 -q 10.251.2.2'],
    ['a', 'ping -c 1 -s 100 -I eth0 10.251.2.2'],
    ['a', 'ping -c 1 -s 8 -I 10.251.1.1 10.251.2.2'],
    ['a', 'ping -c 2 -i 0.2 -t 1 10.251.2.2'],
    ['a', 'ping -c 2 -i 0.5 10.251.2.99'],
    ['a', 'ping -c 1 -W 1 10.251.1.77'],
    ['a', 'ping -w 2 -O 10.251.2.2'],
    ['a', 'ping -c 2 -i 0.2 -s 0 10.251.2.2'],
    ['r', 'ping -c 1 10.99.0.1'],
    ['a', 'ping -c 1 -I nosuchdev 10.251.2.2'],
    ['a', 'ping -c 1 -I 10.9.9.9 10.251.2.2'],
    ['a', 'ping -c x 10.251.2.2'],
    ['a', 'ping -t 256 10.251.2.2'],
    ['a', 'ping -c 1 -4 -6 10.251.2.2'],
    ['a', 'ping -Z'],
    ['a', 'ping'],
    ['a', 'traceroute -n -q 1 -N 1 10.251.2.2'],
    ['a', 'traceroute -n -N 1 10.251.2.2'],
    ['a', 'traceroute -I -n -N 1 10.251.2.2'],
    // Without -n the real traceroute waits for reverse DNS between hops (5 s without a resolver),
    // which expires probes whose answers are still unread: only numeric runs compare fairly.
    ['a', 'traceroute -n 10.251.2.2'],
    ['a', 'traceroute -I -n 10.251.2.2'],
    ['a', 'traceroute -n -q 2 10.251.2.99'],
    ['a', 'traceroute -n -N 1 -f 2 -m 2 10.251.2.2 100'],
    ['a', 'traceroute -m foo 10.251.2.2'],
    ['a', 'traceroute -n -q 11 10.251.2.2'],
    ['a', 'traceroute -n --max-hops 2 10.251.2.2'],
    ['a', 'traceroute -n -w -1 10.251.2.2'],
    ['a', 'traceroute -n 10.251.2.2 60 70'],
    ['a', 'traceroute -n -i nosuchdev 10.251.2.2'],
    ['r', 'traceroute -n 10.99.0.1'],
    ['a', 'arping -c 2 -I eth0 10.251.1.254'],
    ['a', 'arping -c 2 -b -I eth0 10.251.1.254'],
    ['a', 'arping -c 2 -D -I eth0 10.251.1.254'],
    ['a', 'arping -c 1 -I eth0 10.251.1.77'],
    ['a', 'arping -w 2 -I eth0 10.251.1.254'],
    ['a', 'arping -c 1 -U -I eth0 10.251.1.1'],
    ['a', 'arping -c 1 -A -I eth0 10.251.1.1'],
    ['a', 'arping -c 3 -f -I eth0 10.251.1.254'],
    ['a', 'arping -c 2 -I nosuch 10.251.1.254'],
    ['a', 'arping -c x -I eth0 10.251.1.254'],
  ];
  for (const [node, line] of cases) {
    it(`${node}: ${line}`, { timeout: 0 }, () => {
      expect(transcript(net.netloom(node, line))).toBe(transcript(net.linux(node, line)));
      // Synchronous (the namespaces' commands through spawnSync), so no timeout, as the kernel
      // comparisons (docs/testing.md): a timer cannot interrupt it and could only judge speed.
    });
  }
});
