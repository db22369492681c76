/**
 * The IPv6 layer in real nodes (node.ts registers it for EtherType 0x86DD with nd_tbl): two hosts
 * on a link (testing/lab.ts) exchange an ICMPv6 echo sent from one node's IPv6 layer, resolving
 * each other by NDP, and `ip -6 neigh` then lists the entries from nd_tbl.
 */
import { parseIpv6Number } from '@netloom/wire';
import { expect, test } from 'vitest';
import { Lab, SECOND } from '../testing/lab.js';

test('two nodes resolve each other by NDP and answer an ICMPv6 echo; ip -6 neigh lists nd_tbl', () => {
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('h2');
  lab.link('h1:eth0', 'h2:eth0');
  expect(lab.exec('h1', 'ip -6 addr add 2001:db8::1/64 dev eth0').status).toBe(0);
  expect(lab.exec('h2', 'ip -6 addr add 2001:db8::2/64 dev eth0').status).toBe(0);
  lab.run(2 * SECOND);
  const h1 = lab.node('h1');
  const since = lab.now;
  h1.parts.ipv6.sendIcmpv6(parseIpv6Number('2001:db8::1')!, parseIpv6Number('2001:db8::2')!, 64, { kind: 'echoRequest', identifier: 1, sequence: 1, data: new Uint8Array(4) }, lab.now);
  lab.run(1 * SECOND);
  const frames = lab.transmitted.filter((f) => f.at >= since).map((f) => `${f.node} ${(f.frame[12]! << 8) | f.frame[13]!} ${f.frame[14 + 40] ?? 0}`);
  // 0x86dd = 34525; ICMPv6 types: 135 NS, 136 NA, 128 echo request, 129 echo reply.
  expect(frames).toEqual(['h1 34525 135', 'h2 34525 136', 'h1 34525 128', 'h2 34525 129']);
  expect(lab.exec('h1', 'ip -6 neigh show').stdout).toBe('2001:db8::2 dev eth0 lladdr 02:00:00:00:02:01 REACHABLE \n');
  expect(lab.exec('h2', 'ip neigh show').stdout).toContain('2001:db8::1 dev eth0 lladdr 02:00:00:00:01:01');
  expect(lab.exec('h1', 'ip -0 neigh show').stdout).toBe('');
});
