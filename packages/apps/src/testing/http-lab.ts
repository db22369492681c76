/**
 * The web tests' network: testing/node-lab.ts's chain (a 10.200.1.1 — r — b 10.200.2.2, 1 ms a
 * link) with `httpd` listening on b's port 80, its run kept so a test can read the access log;
 * `withIpv6` adds 2001:db8:1::1 — r — 2001:db8:2::2 to a chain.
 */
import type { Program } from '@netloom/stack';
import { MS, SECOND, chain, type CommandRun, type NodeLab } from './node-lab.js';

export function chainWithHttpd(programs: Readonly<Record<string, Program>>): { lab: NodeLab; server: CommandRun } {
  const lab = chain(programs);
  const server = lab.exec('b', 'httpd');
  lab.run(10 * MS);
  return { lab, server };
}

/** The chain's IPv6 addresses and routes (a 2001:db8:1::1, r forwarding, b 2001:db8:2::2), past DAD. */
export function withIpv6(lab: NodeLab): NodeLab {
  lab.configure([
    ['a', 'ip -6 addr add 2001:db8:1::1/64 dev vA'],
    ['r', 'ip -6 addr add 2001:db8:1::fe/64 dev eth0'],
    ['r', 'ip -6 addr add 2001:db8:2::fe/64 dev eth1'],
    ['b', 'ip -6 addr add 2001:db8:2::2/64 dev eth0'],
    ['a', 'ip -6 route add default via 2001:db8:1::fe'],
    ['b', 'ip -6 route add default via 2001:db8:2::fe'],
    ['r', 'sysctl -qw net.ipv6.conf.all.forwarding=1'],
  ]);
  lab.run(5 * SECOND); // DAD
  return lab;
}
