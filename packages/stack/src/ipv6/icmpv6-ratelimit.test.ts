/**
 * icmpv6_xrlim_allow on a router (testing/lab.ts): errors to one destination share an inet_peer
 * token bucket of six intervals, and the interval is net.ipv6.icmp.ratelimit (100 ms on Linux 6.18;
 * 1000 here) halved for every 32 bits the route back is shorter than /128 — 248 ms towards a host on
 * a /64, so after a burst of six time exceededs a second gives four more (with the plain 1000 ms it
 * would give one).
 */
import { parseIpv6Number } from '@netloom/wire';
import { expect, test } from 'vitest';
import { Lab, SECOND } from '../testing/lab.js';

test('a router answers a burst of six expiring packets, then four a second towards a host of a /64', () => {
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('r');
  lab.link('h1:eth0', 'r:eth0');
  lab.exec('r', 'sysctl -w net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=1000');
  lab.exec('h1', 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad');
  lab.exec('h1', 'ip -6 route add default via 2001:db8:1::ff dev eth0');
  lab.exec('r', 'ip -6 addr add 2001:db8:1::ff/64 dev eth0 nodad');
  lab.run(2 * SECOND);
  const h1 = lab.node('h1').parts.ipv6;
  const burst = (count: number): void => {
    for (let i = 0; i < count; i++) h1.sendIcmpv6(parseIpv6Number('2001:db8:1::1')!, parseIpv6Number('2001:db8:9::1')!, 1, { kind: 'echoRequest', identifier: 1, sequence: i, data: new Uint8Array(8) }, lab.now);
  };
  // Time exceeded is ICMPv6 type 3.
  const timeExceeded = (since: number): number => lab.sent('r', 'eth0', since).filter((f) => f.frame[12] === 0x86 && f.frame[14 + 6] === 58 && f.frame[14 + 40] === 3).length;
  lab.exec('r', 'ip -6 route add 2001:db8:9::/64 via 2001:db8:1::1 dev eth0');
  let since = lab.now;
  burst(10);
  lab.run(SECOND / 2);
  expect(timeExceeded(since)).toBe(6);
  lab.run(SECOND / 2);
  since = lab.now;
  burst(10);
  lab.run(SECOND / 2);
  expect(timeExceeded(since)).toBe(4);
});
