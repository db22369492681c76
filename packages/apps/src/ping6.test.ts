/**
 * ping -6 on real nodes: ICMPv6 echo through the IPv6 layer, NDP and an IPv6 router, with the
 * texts iputils-ping 20221126 printed on Linux 6.18 for the same commands in namespaces A — R — B
 * (2001:db8:1::1 — 2001:db8:1::ff / 2001:db8:2::ff — 2001:db8:2::2, R forwarding, addresses nodad);
 * only the times differ (the lab's links take 1 ms each way). The first reply takes 10 ms: a and r
 * resolve their next hops (2 ms each), and b, which learned r's link-local address from r's NS (a
 * forwarded packet's source is not r's, so ndisc_solicit uses the link-local one), resolves its
 * gateway 2001:db8:2::ff before answering (2 ms more).
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { NodeLab, SECOND } from './testing/node-lab.js';

function ipv6Chain(): NodeLab {
  const lab = new NodeLab(programs);
  lab.addNode('a');
  lab.addNode('r');
  lab.addNode('b');
  lab.link('a:vA', 'r:eth0');
  lab.link('r:eth1', 'b:eth0');
  lab.configure([
    ['a', 'ip -6 addr add 2001:db8:1::1/64 dev vA nodad'],
    ['r', 'ip -6 addr add 2001:db8:1::ff/64 dev eth0 nodad'],
    ['r', 'ip -6 addr add 2001:db8:2::ff/64 dev eth1 nodad'],
    ['b', 'ip -6 addr add 2001:db8:2::2/64 dev eth0 nodad'],
    ['r', 'sysctl -qw net.ipv6.conf.all.forwarding=1'],
    ['a', 'ip -6 route add default via 2001:db8:1::ff'],
    ['b', 'ip -6 route add default via 2001:db8:2::ff'],
  ]);
  // The link-local addresses finish DAD.
  lab.run(2 * SECOND);
  return lab;
}

describe('ping -6', () => {
  it('echoes through a router: replies with hop limit 63 and the summary', () => {
    const lab = ipv6Chain();
    const run = lab.exec('a', 'ping -6 -c 3 -i 0.2 2001:db8:2::2', 60 * SECOND);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      [
        'PING 2001:db8:2::2(2001:db8:2::2) 56 data bytes',
        '64 bytes from 2001:db8:2::2: icmp_seq=1 ttl=63 time=10.0 ms',
        '64 bytes from 2001:db8:2::2: icmp_seq=2 ttl=63 time=4.00 ms',
        '64 bytes from 2001:db8:2::2: icmp_seq=3 ttl=63 time=4.00 ms',
        '',
        '--- 2001:db8:2::2 ping statistics ---',
        '3 packets transmitted, 3 received, 0% packet loss, time 400ms',
        'rtt min/avg/max/mdev = 4.000/6.000/10.000/2.828 ms',
        '',
      ].join('\n'),
    );
  });

  it('hop limit 1: the router answers time exceeded', () => {
    const lab = ipv6Chain();
    const run = lab.exec('a', 'ping -6 -c 2 -i 0.2 -t 1 2001:db8:2::2', 60 * SECOND);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      [
        'PING 2001:db8:2::2(2001:db8:2::2) 56 data bytes',
        'From 2001:db8:1::ff icmp_seq=1 Time exceeded: Hop limit',
        'From 2001:db8:1::ff icmp_seq=2 Time exceeded: Hop limit',
        '',
        '--- 2001:db8:2::2 ping statistics ---',
        '2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 200ms',
        '',
        '',
      ].join('\n'),
    );
  });

  it('no route at the router: destination unreachable; none at the host: connect fails', () => {
    const lab = ipv6Chain();
    const run = lab.exec('a', 'ping -6 -c 1 2001:db8:9::9', 60 * SECOND);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      [
        'PING 2001:db8:9::9(2001:db8:9::9) 56 data bytes',
        'From 2001:db8:1::ff icmp_seq=1 Destination unreachable: No route',
        '',
        '--- 2001:db8:9::9 ping statistics ---',
        '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms',
        '',
        '',
      ].join('\n'),
    );
    lab.sh('a', 'ip -6 route del default');
    const none = lab.exec('a', 'ping -6 -c 1 2001:db8:9::9', 60 * SECOND);
    expect({ status: none.status, stderr: none.stderr }).toEqual({ status: 2, stderr: 'ping: connect: Network is unreachable\n' });
  });
});
