/**
 * UDP over IPv6 sockets against the Linux kernel: the same operations (bind, connect, sendto, send,
 * SO_BINDTODEVICE, IPV6_PKTINFO on send) run by python3 in a network namespace and by a program on
 * the model, two nodes on one LAN (2001:db8::1 and 2001:db8::2, nothing listening on h1), and every
 * outcome — ok or the errno — must be the same, including ECONNREFUSED from the ICMPv6 port
 * unreachable a connected socket's datagram drew. Needs root, iproute2 and python3 (skips saying
 * so, fails under CI=true).
 */
import { expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import type { SendResult, SocketResult } from '../process.js';
import { linuxTranscript, modelTranscript, namedSockets, outcomeOf, PYTHON_WAIT, pythonPrelude } from '../testing/udp-socket-experiment.js';

type Operation =
  | { op: 'bind' | 'connect'; socket: string; address: string; port: number }
  | { op: 'sendto'; socket: string; address: string; port: number; size: number; pktinfo?: string }
  | { op: 'send'; socket: string; size: number }
  | { op: 'bindtodevice'; socket: string; device: string }
  | { op: 'wait' };

const OPERATIONS: readonly Operation[] = [
  { op: 'bind', socket: 'a', address: 'fe80::1', port: 0 },
  { op: 'bind', socket: 'a', address: '2001:db8::9', port: 0 },
  { op: 'connect', socket: 'a', address: 'fe80::1', port: 53 },
  { op: 'connect', socket: 'a', address: 'ff02::1', port: 53 },
  { op: 'connect', socket: 'a', address: '2001:db8:7::1', port: 53 },
  { op: 'sendto', socket: 'a', address: '2001:db8::1', port: 0, size: 4 },
  { op: 'send', socket: 'a', size: 4 },
  { op: 'sendto', socket: 'a', address: '2001:db8::1', port: 5000, size: 65528 },
  { op: 'sendto', socket: 'a', address: '2001:db8::1', port: 5000, size: 4, pktinfo: '2001:db8::9' },
  { op: 'sendto', socket: 'a', address: 'fe80::1', port: 5000, size: 4 },
  { op: 'sendto', socket: 'a', address: '2001:db8:7::1', port: 5000, size: 4 },
  { op: 'bind', socket: 'a', address: '::', port: 4000 },
  { op: 'bind', socket: 'a', address: '::', port: 4001 },
  { op: 'bind', socket: 'b', address: '2001:db8::2', port: 4000 },
  { op: 'bind', socket: 'b', address: '2001:db8::2', port: 4002 },
  { op: 'sendto', socket: 'a', address: '2001:db8::1', port: 5000, size: 4, pktinfo: '2001:db8::2' },
  { op: 'bindtodevice', socket: 'c', device: 'nope0' },
  { op: 'bindtodevice', socket: 'c', device: 'eth0' },
  { op: 'bind', socket: 'c', address: 'fe80::99', port: 0 },
  { op: 'connect', socket: 'c', address: 'ff02::1', port: 53 },
  { op: 'connect', socket: 'd', address: '2001:db8::1', port: 5001 },
  { op: 'send', socket: 'd', size: 1 },
  { op: 'wait' },
  { op: 'send', socket: 'd', size: 1 },
  { op: 'send', socket: 'd', size: 1 },
  { op: 'connect', socket: 'e', address: '2001:db8::1', port: 0 },
  { op: 'send', socket: 'e', size: 1 },
];

function describe(o: Operation): string {
  switch (o.op) {
    case 'bind':
    case 'connect':
      return `${o.socket} ${o.op} [${o.address}]:${o.port}`;
    case 'sendto':
      return `${o.socket} sendto [${o.address}]:${o.port} ${o.size} bytes${o.pktinfo ? ` pktinfo ${o.pktinfo}` : ''}`;
    case 'send':
      return `${o.socket} send ${o.size} bytes`;
    case 'bindtodevice':
      return `${o.socket} SO_BINDTODEVICE ${o.device}`;
    case 'wait':
      return 'wait';
  }
}

/** The operations as a python3 program printing `<description> ok|ERRNO` per line. */
function pythonProgram(): string {
  const lines = [
    ...pythonPrelude('socket.AF_INET6', '" ok"'),
    'def pktinfo(addr):',
    '    return [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO, socket.inet_pton(socket.AF_INET6, addr) + bytes(4))]',
  ];
  for (const o of OPERATIONS) {
    const text = JSON.stringify(describe(o));
    if (o.op === 'bind' || o.op === 'connect') lines.push(`run(${text}, lambda: sock("${o.socket}").${o.op}(("${o.address}", ${o.port})))`);
    else if (o.op === 'sendto' && o.pktinfo) lines.push(`run(${text}, lambda: sock("${o.socket}").sendmsg([bytes(${o.size})], pktinfo("${o.pktinfo}"), 0, ("${o.address}", ${o.port})))`);
    else if (o.op === 'sendto') lines.push(`run(${text}, lambda: sock("${o.socket}").sendto(bytes(${o.size}), ("${o.address}", ${o.port})))`);
    else if (o.op === 'send') lines.push(`run(${text}, lambda: sock("${o.socket}").send(bytes(${o.size})))`);
    else if (o.op === 'bindtodevice') lines.push(`run(${text}, lambda: sock("${o.socket}").setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"${o.device}"))`);
    else lines.push(...PYTHON_WAIT);
  }
  return lines.join('\n');
}

/** The same operations by a program on the model. */
function modelRun(): string {
  return modelTranscript({ ipv4: false }, OPERATIONS, describe, (ctx) => {
    const sock = namedSockets(ctx, () => 6);
    return (o) => {
      let r: SocketResult | SendResult;
      if (o.op === 'bind') r = sock(o.socket).bind(o.address, o.port);
      else if (o.op === 'sendto') r = sock(o.socket).sendto(new Uint8Array(o.size), { address: o.address, port: o.port }, o.pktinfo ? { pktinfo: { address: o.pktinfo } } : undefined);
      else if (o.op === 'send') r = sock(o.socket).sendto(new Uint8Array(o.size));
      else if (o.op === 'bindtodevice') r = sock(o.socket).setsockopt('SO_BINDTODEVICE', o.device);
      else if (o.op === 'connect') r = sock(o.socket).connect(o.address, o.port);
      else throw new Error(`no model for ${o.op}`);
      return outcomeOf(r);
    };
  });
}

const linux = needs({ netns: true, tools: ['bash', 'python3'] });

linux.describe('UDP over IPv6 against the Linux kernel', () => {
  test('bind, connect, sendto and send give the errnos Linux gives, ECONNREFUSED included', { timeout: 0 }, () => {
    expect(modelRun()).toBe(linuxTranscript({ ipv4: false }, pythonProgram()));
    // Synchronous (namespaces and their commands through spawnSync), so no timeout, as stack's
    // other kernel comparisons (docs/testing.md): a timer cannot interrupt it and could only
    // judge speed. The same work at every NETLOOM_TEST_SCALE; 3.1 s here.
  });
});
