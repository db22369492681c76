/**
 * `ss` and `netstat` on emulated nodes read the node's real socket tables: TCP's tcpSocketSnapshot
 * (a listener with the program holding it, the client's TIME-WAIT after it closed first) and the
 * UDP tables of both families (bound sockets only, connected ones ESTAB, SO_BINDTODEVICE shown).
 */
import { expect, test } from 'vitest';
import type { Program, UdpSocket } from '../process.js';
import { SECOND } from '../testing/lab.js';
import { chain, clientProgram, newLog, serverProgram } from '../tcp/tcp-lab.js';

test('ss and netstat list the listener with its program and the closing side in TIME-WAIT', () => {
  const lab = chain(0, { server: serverProgram(newLog()), client: clientProgram(newLog()) });
  lab.exec('h2', 'server 80');
  lab.exec('h1', 'client 10.0.0.2 80 5');
  lab.run(2 * SECOND);
  expect(lab.exec('h2', 'ss -tlnp').stdout).toBe(
    'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' +
      'LISTEN 0      128          0.0.0.0:80        0.0.0.0:*    users:(("server",pid=100,fd=3))\n',
  );
  const timeWait = lab.exec('h1', 'ss -tan').stdout.split('\n')[1] ?? '';
  expect(timeWait).toMatch(/^TIME-WAIT 0      0           10\.0\.0\.1:\d+ +10\.0\.0\.2:80 +$/);
  expect(lab.exec('h2', 'netstat -tlnp').stdout).toBe(
    'Active Internet connections (only servers)\n' +
      'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n' +
      'tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN      100/server          \n',
  );
  // TIME-WAIT lasts 60 s; then h1 has nothing left to list.
  lab.run(61 * SECOND);
  expect(lab.exec('h1', 'ss -tanH').stdout).toBe('');
});

test('ss -u and netstat -u list the bound UDP sockets of both families with their descriptors', () => {
  const holder: Program = (ctx) => {
    const open = (family: 4 | 6): UdpSocket => ctx.udpSocket(family) as UdpSocket;
    open(4).bind('0.0.0.0', 5353);
    open(4).connect('10.0.0.2', 53);
    // IPV6_V6ONLY, as avahi does: a dual-stack [::]:5353 would be EADDRINUSE beside 0.0.0.0:5353.
    const v6only = open(6);
    (v6only as unknown as { setsockopt(option: 'IPV6_V6ONLY', value: boolean): unknown }).setsockopt('IPV6_V6ONLY', true);
    v6only.bind('::', 5353);
    const bound = open(4);
    bound.setsockopt('SO_BINDTODEVICE', 'eth1');
    bound.bind('10.0.0.1', 68);
    open(4); // never bound: Linux does not list it
  };
  const lab = chain(0, { holder });
  lab.exec('h1', 'holder');
  lab.run(SECOND);
  const ss = lab.exec('h1', 'ss -uanp').stdout.split('\n');
  expect(ss[0]).toBe('State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess                         ');
  expect(ss[1]).toBe('UNCONN 0      0            0.0.0.0:5353       0.0.0.0:*    users:(("holder",pid=100,fd=3))');
  expect(ss[2]).toMatch(/^ESTAB  0      0           10\.0\.0\.1:\d{5}     10\.0\.0\.2:53   users:\(\("holder",pid=100,fd=4\)\)$/);
  expect(ss[3]).toBe('UNCONN 0      0      10.0.0.1%eth1:68         0.0.0.0:*    users:(("holder",pid=100,fd=5))');
  expect(ss[4]).toBe('UNCONN 0      0               [::]:5353          [::]:*    users:(("holder",pid=100,fd=6))');
  expect(ss.length).toBe(6);
  const netstat = lab.exec('h1', 'netstat -uan').stdout.split('\n');
  expect(netstat.slice(2)).toEqual([
    'udp        0      0 0.0.0.0:5353            0.0.0.0:*                          ',
    expect.stringMatching(/^udp        0      0 10\.0\.0\.1:\d{5} {10}10\.0\.0\.2:53             ESTABLISHED$/),
    'udp        0      0 10.0.0.1:68             0.0.0.0:*                          ',
    'udp6       0      0 :::5353                 :::*                               ',
    '',
  ]);
  // Only the connected one without -a.
  expect(lab.exec('h1', 'ss -un').stdout.split('\n')).toHaveLength(3);
});
