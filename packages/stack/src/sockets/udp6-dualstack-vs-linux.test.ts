/**
 * Dual-stack UDP sockets against the Linux kernel: IPv6 sockets that are not IPV6_V6ONLY share
 * IPv4's port space and reach IPv4 through ::ffff:a.b.c.d. The same operations run by python3 in
 * a network namespace and by a program on the model (h2 2001:db8::2 and 10.0.0.2, its peer h1
 * 2001:db8::1 and 10.0.0.1 with nothing listening), and every outcome — ok, the errno, or what a
 * receive saw — must be the same: a wildcard IPv6 bind against an IPv4 one of the port both ways, a
 * V6ONLY socket beside an IPv4 one, mapped binds, mapped sends and connects (ENETUNREACH when
 * V6ONLY), an IPv4 datagram received as from ::ffff:10.0.0.2, IPV6_V6ONLY after bind (EINVAL), and
 * ECONNREFUSED on a socket connected to a mapped address. Needs root, iproute2 and python3.
 */
import { expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import type { Datagram, SendResult, SocketResult } from '../process.js';
import { linuxTranscript, modelTranscript, namedSockets, outcomeOf, PYTHON_WAIT, pythonPrelude } from '../testing/udp-socket-experiment.js';

type Operation =
  | { op: 'bind' | 'connect'; socket: string; address: string; port: number }
  | { op: 'sendto'; socket: string; address: string; port: number }
  | { op: 'send'; socket: string }
  | { op: 'v6only'; socket: string }
  | { op: 'recv'; socket: string }
  | { op: 'wait' };

/** Sockets named with a leading 4 are AF_INET, the others AF_INET6. */
const OPERATIONS: readonly Operation[] = [
  { op: 'bind', socket: 'a', address: '::', port: 4000 },
  { op: 'bind', socket: '4b', address: '0.0.0.0', port: 4000 },
  { op: 'bind', socket: '4c', address: '10.0.0.2', port: 4001 },
  { op: 'bind', socket: 'd', address: '::', port: 4001 },
  { op: 'v6only', socket: 'e' },
  { op: 'bind', socket: 'e', address: '::', port: 4001 },
  { op: 'v6only', socket: 'e' },
  { op: 'v6only', socket: 'f' },
  { op: 'bind', socket: 'f', address: '::ffff:10.0.0.2', port: 4002 },
  { op: 'bind', socket: 'g', address: '::ffff:10.0.0.2', port: 4002 },
  { op: 'bind', socket: '4h', address: '10.0.0.2', port: 4002 },
  { op: 'bind', socket: '4i', address: '0.0.0.0', port: 4003 },
  { op: 'bind', socket: 'j', address: '2001:db8::2', port: 4003 },
  { op: 'sendto', socket: 'e', address: '::ffff:10.0.0.1', port: 5000 },
  { op: 'connect', socket: 'e', address: '::ffff:10.0.0.1', port: 5000 },
  { op: 'sendto', socket: 'a', address: '::ffff:10.0.0.1', port: 5000 },
  { op: 'sendto', socket: '4k', address: '10.0.0.2', port: 4000 },
  { op: 'wait' },
  { op: 'recv', socket: 'a' },
  { op: 'connect', socket: 'm', address: '::ffff:10.0.0.1', port: 5001 },
  { op: 'send', socket: 'm' },
  { op: 'wait' },
  { op: 'send', socket: 'm' },
];

function describe(o: Operation): string {
  switch (o.op) {
    case 'bind':
    case 'connect':
    case 'sendto':
      return `${o.socket} ${o.op} [${o.address}]:${o.port}`;
    case 'send':
    case 'v6only':
    case 'recv':
      return `${o.socket} ${o.op}`;
    case 'wait':
      return 'wait';
  }
}

/** The operations as a python3 program printing `<description> ok|ERRNO|from ADDRESS` per line. */
function pythonProgram(): string {
  const lines = pythonPrelude('socket.AF_INET if name.startswith("4") else socket.AF_INET6', '(" from " + r[1][0] if isinstance(r, tuple) else " ok")');
  for (const o of OPERATIONS) {
    const text = JSON.stringify(describe(o));
    if (o.op === 'bind' || o.op === 'connect') lines.push(`run(${text}, lambda: sock("${o.socket}").${o.op}(("${o.address}", ${o.port})))`);
    else if (o.op === 'sendto') lines.push(`run(${text}, lambda: sock("${o.socket}").sendto(bytes(4), ("${o.address}", ${o.port})) and None)`);
    else if (o.op === 'send') lines.push(`run(${text}, lambda: sock("${o.socket}").send(bytes(1)) and None)`);
    else if (o.op === 'v6only') lines.push(`run(${text}, lambda: sock("${o.socket}").setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1))`);
    else if (o.op === 'recv') lines.push(`run(${text}, lambda: sock("${o.socket}").recvfrom(100, socket.MSG_DONTWAIT))`);
    else lines.push(...PYTHON_WAIT);
  }
  return lines.join('\n');
}

/** The same operations by a program on the model; a received datagram waits for `recv`. */
function modelRun(): string {
  return modelTranscript({ ipv4: true }, OPERATIONS, describe, (ctx) => {
    const received = new Map<string, Datagram[]>();
    const sock = namedSockets(ctx, (name) => (name.startsWith('4') ? 4 : 6), (name, socket) => {
      const queue: Datagram[] = [];
      received.set(name, queue);
      socket.onMessage((d) => queue.push(d));
    });
    return (o) => {
      if (o.op === 'recv') {
        sock(o.socket);
        const d = received.get(o.socket)!.shift();
        return d === undefined ? 'EAGAIN' : `from ${d.from.address}`;
      }
      let r: SocketResult | SendResult;
      if (o.op === 'bind') r = sock(o.socket).bind(o.address, o.port);
      else if (o.op === 'sendto') r = sock(o.socket).sendto(new Uint8Array(4), { address: o.address, port: o.port });
      else if (o.op === 'send') r = sock(o.socket).sendto(new Uint8Array(1));
      else if (o.op === 'v6only') r = (sock(o.socket) as unknown as { setsockopt(option: 'IPV6_V6ONLY', value: boolean): SocketResult }).setsockopt('IPV6_V6ONLY', true);
      else if (o.op === 'connect') r = sock(o.socket).connect(o.address, o.port);
      else throw new Error(`no model for ${o.op}`);
      return outcomeOf(r);
    };
  });
}

const linux = needs({ netns: true, tools: ['bash', 'python3'] });

linux.describe('dual-stack UDP sockets against the Linux kernel', () => {
  test('IPv6 sockets share IPv4 ports and reach IPv4 through mapped addresses unless IPV6_V6ONLY, as on Linux', { timeout: 0 }, () => {
    expect(modelRun()).toBe(linuxTranscript({ ipv4: true }, pythonProgram()));
    // Synchronous (namespaces and their commands through spawnSync), so no timeout, as stack's
    // other kernel comparisons (docs/testing.md): a timer cannot interrupt it and could only
    // judge speed. The same work at every NETLOOM_TEST_SCALE; 3.7 s here.
  });
});
