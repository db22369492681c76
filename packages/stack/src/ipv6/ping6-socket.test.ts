/**
 * ICMPv6 ping sockets (ping6-socket.ts) as a program on a real node opens them: bind and
 * SO_BINDTODEVICE refusals, the route lookup's errno, the kernel's source, fragments over the MTU (EMSGSIZE with IPV6_PMTUDISC_DO),
 * and a reply reaching the socket with the replier's hop limit. (ping -6's output is apps'
 * ping6.test.ts.)
 */
import { expect, test } from 'vitest';
import type { IcmpMessage, Program } from '../process.js';
import { ipv6Pair, SECOND } from '../testing/lab.js';

test('a program on a node: refusals, then an echo answered through the kernel-chosen source', () => {
  const results: string[] = [];
  const messages: IcmpMessage[] = [];
  const probe: Program = (ctx) => {
    const opened = ctx.icmpSocket(6);
    if ('errno' in opened) {
      results.push(`open ${opened.errno}`);
      ctx.exit(1);
      return;
    }
    const socket = opened;
    socket.onMessage((m) => messages.push(m));
    const show = (what: string, r: { ok: boolean; errno?: string; info?: { source: string; ifname: string } }): void => {
      results.push(`${what} ${r.ok ? `ok ${r.info ? `${r.info.ifname} ${r.info.source}` : ''}`.trim() : r.errno}`);
    };
    show('bind 2001:db8::9', socket.bind('2001:db8::9'));
    show('bindtodevice nope', socket.setsockopt('SO_BINDTODEVICE', 'nope'));
    show('send 2001:db8:7::1', socket.sendEcho('2001:db8:7::1', 5, 1, new Uint8Array(8)));
    show('send 1500 bytes', socket.sendEcho('2001:db8::2', 5, 1, new Uint8Array(1500)));
    show('pmtudisc do', socket.setsockopt('IP_MTU_DISCOVER', 'do'));
    show('send 1500 bytes', socket.sendEcho('2001:db8::2', 5, 3, new Uint8Array(1500)));
    show('pmtudisc want', socket.setsockopt('IP_MTU_DISCOVER', 'want'));
    show('send', socket.sendEcho('2001:db8::2', 5, 2, new Uint8Array(8)));
    ctx.setTimer(SECOND, () => {
      socket.close();
      ctx.exit(0);
    });
  };
  const lab = ipv6Pair({ h1: { probe } });
  const run = lab.exec('h1', 'probe', 5 * SECOND);
  expect(run.status).toBe(0);
  expect(results).toEqual([
    'bind 2001:db8::9 EADDRNOTAVAIL',
    'bindtodevice nope ENODEV',
    'send 2001:db8:7::1 ENETUNREACH',
    // Fragmented by the IPv6 layer (ip6_fragment), unless IPV6_MTU_DISCOVER is DO.
    'send 1500 bytes ok eth0 2001:db8::1',
    'pmtudisc do ok',
    'send 1500 bytes EMSGSIZE',
    'pmtudisc want ok',
    'send ok eth0 2001:db8::1',
  ]);
  expect(messages.map((m) => ({ from: m.from, type: m.type, id: m.id, sequence: m.sequence, ttl: m.ttl, ipLength: m.ipLength }))).toEqual([
    { from: '2001:db8::2', type: 129, id: 5, sequence: 1, ttl: 64, ipLength: 1548 },
    { from: '2001:db8::2', type: 129, id: 5, sequence: 2, ttl: 64, ipLength: 56 },
  ]);
});
