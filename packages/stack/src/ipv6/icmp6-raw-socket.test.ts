/**
 * Raw ICMPv6 sockets (icmp6-raw-socket.ts) as a program on a real node opens them: refusals (bind
 * to an address not ours, a device that does not exist or is down), the hop limits Linux gives a
 * raw socket (64 unicast, 1 multicast, as set), the kernel's source, and what is received: NDP
 * messages with their sender, interface and hop limit, after ICMP6_FILTER and the bound address.
 * (ndisc6 and rdisc6 on top of them are apps' ndisc6.test.ts.)
 */
import { expect, test } from 'vitest';
import { isWireError, parseEthernet, parseIpv6Packet, ipv6ToBytes, parseIpv6Number } from '@netloom/wire';
import type { NdpRepr } from '@netloom/wire';
import type { Icmp6RawMessage, Program } from '../process.js';
import { ipv6Pair, type Lab, SECOND } from '../testing/lab.js';

const target = (text: string): Uint8Array => ipv6ToBytes(parseIpv6Number(text)!);

function twoHosts(probe: Program): Lab {
  return ipv6Pair({ h1: { probe } });
}

/** Hop limit, source and destination of the ICMPv6 packets h1 sent from `since`. */
function sent(lab: Lab, since: number): string[] {
  return lab.sent('h1', 'eth0', since).flatMap((f) => {
    const eth = parseEthernet(f.frame);
    if (isWireError(eth)) return [];
    const ip = parseIpv6Packet(eth.payload);
    if (isWireError(ip) || ip.nextHeader !== 58) return [];
    return [`type ${ip.payload[0]} hlim ${ip.hopLimit} ${[...ip.source].join('.')} > ${[...ip.destination].join('.')}`];
  });
}

test('refusals, hop limits and sources of what a raw ICMPv6 socket sends', () => {
  const results: string[] = [];
  const probe: Program = (ctx) => {
    const socket = ctx.icmp6RawSocket();
    if ('errno' in socket) return ctx.exit(1);
    const show = (what: string, r: { ok: boolean; errno?: string; info?: { source: string; ifname: string } }): void => {
      results.push(`${what} ${r.ok ? `ok ${r.info ? `${r.info.ifname} ${r.info.source}` : ''}`.trim() : r.errno}`);
    };
    const ns: NdpRepr = { kind: 'neighbourSolicitation', target: target('2001:db8::2'), options: [] };
    show('bind 2001:db8::9', socket.bind('2001:db8::9'));
    show('send on nope', socket.sendNdp('nope', 'ff02::1:ff00:2', ns));
    show('hops 256', socket.setsockopt('IPV6_MULTICAST_HOPS', 256));
    show('send to the group', socket.sendNdp('eth0', 'ff02::1:ff00:2', ns));
    show('send to 2001:db8::2', socket.sendNdp('eth0', '2001:db8::2', ns));
    show('multicast hops 255', socket.setsockopt('IPV6_MULTICAST_HOPS', 255));
    show('send to the group', socket.sendNdp('eth0', 'ff02::1:ff00:2', ns));
    show('bind 2001:db8::1', socket.bind('2001:db8::1'));
    show('send to the group', socket.sendNdp('eth0', 'ff02::1:ff00:2', ns));
    ctx.setTimer(SECOND, () => ctx.exit(0));
  };
  const lab = twoHosts(probe);
  const since = lab.now;
  lab.exec('h1', 'probe', 5 * SECOND);
  expect(results).toEqual([
    'bind 2001:db8::9 EADDRNOTAVAIL',
    'send on nope ENODEV',
    'hops 256 EINVAL',
    // ip6_route_get_saddr: the link-local address towards a link-scoped group, the global one towards 2001:db8::2.
    'send to the group ok eth0 fe80::ff:fe00:101',
    'send to 2001:db8::2 ok eth0 2001:db8::1',
    'multicast hops 255 ok',
    'send to the group ok eth0 fe80::ff:fe00:101',
    'bind 2001:db8::1 ok',
    'send to the group ok eth0 2001:db8::1',
  ]);
  const ll = '254.128.0.0.0.0.0.0.0.0.0.255.254.0.1.1';
  const group = '255.2.0.0.0.0.0.0.0.0.0.1.255.0.0.2';
  const global = '32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.';
  expect(sent(lab, since).filter((line) => line.startsWith('type 135'))).toEqual([
    `type 135 hlim 1 ${ll} > ${group}`,
    // The kernel's own NS resolving 2001:db8::2 (the unicast packet waits in nd_tbl's queue) …
    `type 135 hlim 255 ${global}1 > ${group}`,
    `type 135 hlim 255 ${ll} > ${group}`,
    `type 135 hlim 255 ${global}1 > ${group}`,
    // … and the program's, with the unicast hop limit, once resolved.
    `type 135 hlim 64 ${global}1 > ${global}2`,
  ]);
  lab.exec('h1', 'ip link set eth0 down');
  results.length = 0;
  lab.exec('h1', 'probe', 5 * SECOND);
  expect(results[3]).toBe('send to the group ENETUNREACH');
});

test('receives the NDP messages ICMP6_FILTER passes, with sender, interface and hop limit; a bound socket only those to its address', () => {
  const received: string[] = [];
  const probe: Program = (ctx) => {
    const all = ctx.icmp6RawSocket();
    const bound = ctx.icmp6RawSocket();
    if ('errno' in all || 'errno' in bound) return ctx.exit(1);
    const log = (name: string) => (m: Icmp6RawMessage) => received.push(`${name}: ${m.type} ${m.message.kind} from ${m.from} if ${m.ifindex} hlim ${m.hopLimit}`);
    all.onMessage(log('all'));
    bound.onMessage(log('bound'));
    all.setFilter([136]);
    bound.bind('2001:db8::1');
    bound.setsockopt('IPV6_UNICAST_HOPS', 255);
    bound.setsockopt('IPV6_MULTICAST_HOPS', 255);
        all.setsockopt('IPV6_MULTICAST_HOPS', 255);
    all.sendNdp('eth0', 'ff02::1:ff00:2', { kind: 'neighbourSolicitation', target: target('2001:db8::2'), options: [{ kind: 'sourceLinkLayerAddress', address: new Uint8Array([2, 0, 0, 0, 1, 1]) }] });
    ctx.setTimer(100_000_000, () => {
      bound.sendNdp('eth0', 'ff02::1:ff00:201', { kind: 'neighbourSolicitation', target: target('fe80::ff:fe00:201'), options: [{ kind: 'sourceLinkLayerAddress', address: new Uint8Array([2, 0, 0, 0, 1, 1]) }] });
    });
    ctx.setTimer(SECOND, () => ctx.exit(0));
  };
  const lab = twoHosts(probe);
  const run = lab.exec('h1', 'probe', 5 * SECOND);
  expect(run.status).toBe(0);
  expect(received).toEqual([
    // The first NS was sent from fe80::ff:fe00:101 (the link-scoped group's source), so its NA goes there: not to the bound socket.
    'all: 136 neighbourAdvertisement from 2001:db8::2 if 2 hlim 255',
    // The bound socket's NS left from 2001:db8::1, where the NA comes back.
    'all: 136 neighbourAdvertisement from fe80::ff:fe00:201 if 2 hlim 255',
    'bound: 136 neighbourAdvertisement from fe80::ff:fe00:201 if 2 hlim 255',
  ]);
});
