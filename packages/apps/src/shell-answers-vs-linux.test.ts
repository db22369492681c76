/**
 * Answers of the node shell and of ping checked live against the real tools: the same a — r — b
 * network in Linux namespaces and in netloom (testing/twin-network.ts), the same command lines, and
 * the same output, errors and exit status once wall-clock numbers are masked. Covers ping's flood
 * (-f: dots, backspaces, E, ipg/ewma) and preload (-l), and the answers fixed for issue #11: sysctl
 * values out of range, a too long hostname (run in its own UTS namespace on Linux), ifconfig's
 * non-contiguous netmask, a multicast MAC, ping -s 65508, a broadcast without and with -b, ping
 * 0.0.0.0, a bad -p pattern, traceroute -p 0 and 65536, and `kill -9 %1` against bash.
 * Needs root, iproute2, iputils-ping, traceroute, procps, net-tools, hostname and util-linux's
 * unshare; skips saying which is missing (fails instead under CI=true).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { programs } from './index.js';
import { routedPair, transcript, TwinNetwork } from './testing/twin-network.js';

const realTools = needs({ netns: true, tools: ['ping', 'traceroute', 'sysctl', 'ifconfig', 'hostname', 'unshare', 'bash'] });

const net = new TwinNetwork('nlsa', routedPair('10.252'), programs);

interface Case {
  node: string;
  line: string;
  /** The line Linux runs when it differs (a wrapper that keeps the host untouched). */
  linux?: string;
  /**
   * Run by bash; its `line 1: ` is dropped, as a node's shell answers like an interactive bash
   * (whose `-i` would add job-control warnings without a terminal).
   */
  bash?: boolean;
}

const LONG_NAME = 'h'.repeat(65);

const cases: Case[] = [
  // ping -f and -l
  { node: 'a', line: 'ping -f -c 20 10.252.1.254' },
  { node: 'a', line: 'ping -f -c 20 10.252.2.2' },
  { node: 'a', line: 'ping -f -q -c 5 10.252.2.2' },
  { node: 'a', line: 'ping -f -c 4 -l 3 10.252.2.2' },
  { node: 'a', line: 'ping -f -c 1 10.252.2.2' },
  { node: 'a', line: 'ping -f -c 3 10.252.1.99' },
  { node: 'a', line: 'ping -f -c 3 -s 65508 10.252.2.2' },
  { node: 'a', line: 'ping -f -i 0.2 -c 3 10.252.2.2' },
  { node: 'a', line: 'ping -l 3 -c 5 10.252.2.2' },
  { node: 'a', line: 'ping -l 3 -i 0.2 -c 6 -q 10.252.2.2' },
  { node: 'a', line: 'ping -l 2 -c 4 10.252.1.99' },
  { node: 'a', line: 'ping -i 0 -c 3 10.252.2.2' },
  { node: 'a', line: 'ping -i 0.0005 -c 2 10.252.2.2' },
  { node: 'a', line: 'ping -l 0 -c 1 10.252.2.2' },
  { node: 'a', line: 'ping -l 65537 -c 1 10.252.2.2' },
  { node: 'a', line: 'ping -l x 10.252.2.2' },
  { node: 'a', line: 'ping -i 100000 -l 30000 -c 1 10.252.2.2' },
  // issue #11's answers
  { node: 'a', line: 'sysctl -w net.ipv4.conf.all.rp_filter=99999999999' },
  { node: 'a', line: 'sysctl -w net.ipv4.ip_default_ttl=0' },
  { node: 'a', line: 'sysctl -w net.ipv4.neigh.eth0.base_reachable_time_ms=1e20' },
  { node: 'a', line: `hostname ${LONG_NAME}`, linux: `unshare -u hostname ${LONG_NAME}` },
  { node: 'a', line: 'hostname a_b', linux: 'unshare -u hostname a_b' },
  { node: 'a', line: 'hostname a..b', linux: 'unshare -u hostname a..b' },
  { node: 'a', line: 'ifconfig eth0 netmask 255.0.255.0' },
  { node: 'a', line: 'ip link set eth0 address ff:ff:ff:ff:ff:ff' },
  { node: 'a', line: 'ip link set eth0 address 01:00:5e:00:00:01' },
  { node: 'a', line: 'ping -c 2 -s 65508 10.252.2.2' },
  { node: 'a', line: 'ping -c 1 10.252.1.255' },
  { node: 'a', line: 'ping -c 1 -b -W 1 10.252.1.255' },
  { node: 'a', line: 'ping -c 1 0.0.0.0' },
  { node: 'a', line: 'ping -c 1 -p zz 10.252.2.2' },
  { node: 'a', line: 'traceroute -n -q 1 -p 0 10.252.2.2' },
  { node: 'a', line: 'traceroute -n -q 1 -p 65536 10.252.2.2' },
  { node: 'a', line: 'kill -9 %1', bash: true },
  { node: 'a', line: 'kill -s FOO %1', bash: true },
  { node: 'a', line: 'kill -l 9', bash: true },
];

realTools.describe('shell answers against the real tools in namespaces', () => {
  beforeAll(() => net.build());
  afterAll(() => net.destroy());

  for (const c of cases) {
    it(`${c.node}: ${c.line}`, { timeout: 0 }, () => {
      const real = net.linux(c.node, c.linux ?? c.line, c.bash === true ? 'bash' : 'sh');
      if (c.bash === true) real.stderr = real.stderr.replace(/^bash: line 1: /gm, 'bash: ');
      expect(transcript(net.netloom(c.node, c.line))).toBe(transcript(real));
      // Synchronous (the namespaces' commands through spawnSync), so no timeout, as the kernel
      // comparisons (docs/testing.md): a timer cannot interrupt it and could only judge speed.
    });
  }
});
