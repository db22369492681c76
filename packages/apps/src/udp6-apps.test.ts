/**
 * udpsend and nc -u over IPv6 on real nodes (testing/node-lab.ts), now that the stack has UDP over
 * IPv6 sockets: an nc echo server on [::]:7 answers nc's datagram, udpsend prints the route's
 * device and the kernel's IPv6 source, and to a port nobody listens on the ICMPv6 port unreachable
 * turns a later send of udpsend's socket into ECONNREFUSED.
 */
import { expect, test } from 'vitest';
import { programs } from './index.js';
import { NodeLab, SECOND } from './testing/node-lab.js';

function pair(): NodeLab {
  const lab = new NodeLab(programs);
  lab.addNode('h1');
  lab.addNode('h2');
  lab.link('h1:eth0', 'h2:eth0');
  lab.sh('h1', 'ip -6 addr add 2001:db8::1/64 dev eth0 nodad');
  lab.sh('h2', 'ip -6 addr add 2001:db8::2/64 dev eth0 nodad');
  lab.run(2 * SECOND);
  return lab;
}

test('nc -6 -u echoes over IPv6, udpsend sends from the kernel source and meets ECONNREFUSED', () => {
  const lab = pair();
  const server = lab.exec('h1', 'nc -6 -ul --echo 7');
  const client = lab.exec('h2', 'nc -6 -u -m ping -c 1 2001:db8::1 7', 10 * SECOND);
  expect(server.stdout).toBe('ping\n');
  expect(client.stdout).toBe('ping\n');
  const sender = lab.exec('h2', 'udpsend --connect 2001:db8::1 9999 --count 3', 5 * SECOND);
  const [header, ...rest] = sender.stdout.split('\n');
  expect(header).toMatch(/^udpsend to 2001:db8::1 port 9999, 512 bytes every 1\.000s, connected socket 2001:db8::2:\d+ -> 2001:db8::1:9999$/);
  expect(rest).toEqual([
    '3.000 sendto #1: OK dev eth0 src 2001:db8::2',
    '3.002 icmp error: ECONNREFUSED (Connection refused) from 2001:db8::1',
    '4.000 sendto #2: ECONNREFUSED (Connection refused)',
    '5.000 sendto #3: OK dev eth0 src 2001:db8::2',
    '--- udpsend: 3 sent, 2 ok, 1 failed',
    '',
  ]);
});
