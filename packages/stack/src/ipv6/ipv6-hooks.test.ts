/**
 * Family 6's seams for parts that plug in (Mobile IPv6, IPVS): the LOCAL_IN, FORWARD and LOCAL_OUT netfilter hook
 * points of the IPv6 layer, the routing-type registry a type 2 routing header goes to, and the Home
 * Address option's handler (the addresses a transport is given after either).
 * h1 (2001:db8:1::1) — r — h2 (2001:db8:2::2), r forwarding.
 */
import { buildUdpIpv6Packet, emitIpv6ExtensionHeaders, IpProtocol, ipv6FromBytes, parseIpv6, buildIpv6Packet } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { ACCEPT, drop, STOLEN, type HookPacket } from '../netfilter/hooks.js';
import { Lab, MS, SECOND } from '../testing/lab.js';

const address = (text: string): Uint8Array => parseIpv6(text) as Uint8Array;
const H1 = address('2001:db8:1::1');
const H2 = address('2001:db8:2::2');

function network(): Lab {
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('r');
  lab.addNode('h2');
  lab.link('h1:eth0', 'r:eth0');
  lab.link('r:eth1', 'h2:eth0');
  for (const [node, line] of [
    ['r', 'sysctl -w net.ipv6.conf.all.forwarding=1'],
    ['h1', 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad'],
    ['r', 'ip -6 addr add 2001:db8:1::fe/64 dev eth0 nodad'],
    ['r', 'ip -6 addr add 2001:db8:2::fe/64 dev eth1 nodad'],
    ['h2', 'ip -6 addr add 2001:db8:2::2/64 dev eth0 nodad'],
    ['h1', 'ip -6 route add default via 2001:db8:1::fe'],
    ['h2', 'ip -6 route add default via 2001:db8:2::fe'],
  ] as const) {
    expect(lab.exec(node, line).status).toBe(0);
  }
  lab.run(2 * SECOND);
  return lab;
}

const datagram = (): Uint8Array => buildUdpIpv6Packet({ source: H1, destination: H2 }, 40000, 9, new Uint8Array(8));

describe('IPv6 hook points and routing types', () => {
  test('a FORWARD hook sees forwarded packets with their devices and the decremented hop limit, and its drop is traced', () => {
    const lab = network();
    const seen: string[] = [];
    lab.node('r').netfilter.register({
      hook: 'forward',
      family: 6,
      priority: 0,
      fn: (packet: HookPacket<6>) => {
        seen.push(`${packet.inDev}>${packet.outDev} hlim ${packet.header.hopLimit}`);
        return drop('prohibited', 'test');
      },
    });
    expect(lab.node('h1').parts.ipv6.sendLocal(datagram(), ipv6FromBytes(H1), ipv6FromBytes(H2), undefined, lab.now)).toBeNull();
    lab.run(100 * MS);
    expect(seen).toEqual(['eth0>eth1 hlim 63']);
    expect(lab.sent('r', 'eth1').filter((f) => f.frame[20] === IpProtocol.udp)).toEqual([]);
    expect(lab.drops('r').map((d) => (d.event.type === 'drop' ? d.event.reason : ''))).toContain('prohibited');
  });

  test('a LOCAL_IN hook sees a packet for us with its input device before the transport, and may steal it', () => {
    const lab = network();
    const seen: string[] = [];
    lab.node('h2').netfilter.register({
      hook: 'localIn',
      family: 6,
      priority: 0,
      fn: (packet: HookPacket<6>) => {
        // NDP for us passes LOCAL_IN too: only the datagram is taken.
        if (packet.header.nextHeader !== IpProtocol.udp) return ACCEPT;
        seen.push(`${packet.inDev} hlim ${packet.header.hopLimit}`);
        return STOLEN;
      },
    });
    expect(lab.node('h1').parts.ipv6.sendLocal(datagram(), ipv6FromBytes(H1), ipv6FromBytes(H2), undefined, lab.now)).toBeNull();
    lab.run(100 * MS);
    expect(seen).toEqual(['eth0 hlim 63']);
    // Stolen before the transport: no port unreachable for the closed port 9.
    expect(lab.sent('h2').filter((f) => f.frame[20] === IpProtocol.icmpv6 && f.frame[54] === 1)).toEqual([]);
  });

  test('a LOCAL_OUT hook may steal a packet (nothing leaves, the send succeeds) or drop it (EPERM)', () => {
    const lab = network();
    let verdict: 'stolen' | 'drop' | 'accept' = 'stolen';
    lab.node('h1').netfilter.register({ hook: 'localOut', family: 6, priority: 0, fn: () => (verdict === 'stolen' ? STOLEN : verdict === 'drop' ? drop('prohibited') : ACCEPT) });
    const send = (): unknown => lab.node('h1').parts.ipv6.sendLocal(datagram(), ipv6FromBytes(H1), ipv6FromBytes(H2), undefined, lab.now);
    expect(send()).toBeNull();
    lab.run(100 * MS);
    expect(lab.sent('h1', 'eth0').filter((f) => f.frame[20] === IpProtocol.udp).length).toBe(0);
    verdict = 'drop';
    expect(send()).toBe('EPERM');
    verdict = 'accept';
    expect(send()).toBeNull();
    lab.run(100 * MS);
    expect(lab.sent('h1', 'eth0').filter((f) => f.frame[20] === IpProtocol.udp).length).toBe(1);
  });

  test('a type 2 routing header with segments left is a parameter problem until a handler for type 2 takes it', () => {
    const lab = network();
    const payload = new Uint8Array(24 + 16);
    emitIpv6ExtensionHeaders([{ kind: 'routingType2', nextHeader: IpProtocol.noNextHeader, segmentsLeft: 1, homeAddress: H2 }], payload, 0);
    const packet = buildIpv6Packet({ source: H1, destination: H2, nextHeader: IpProtocol.routing }, payload.subarray(0, 24));
    const send = (): unknown => lab.node('h1').parts.ipv6.sendLocal(packet, ipv6FromBytes(H1), ipv6FromBytes(H2), undefined, lab.now);
    send();
    lab.run(100 * MS);
    expect(lab.drops('h2').map((d) => (d.event.type === 'drop' ? d.event.detail : ''))).toContain('routing header type 2');
    const handled: string[] = [];
    lab.node('h2').parts.ipv6.routingTypes.register(2, (dev, home, segmentsLeft) => {
      handled.push(`${dev} ${ipv6FromBytes(home) === ipv6FromBytes(H2)} ${segmentsLeft}`);
      return true;
    });
    const before = lab.drops('h2').length;
    send();
    lab.run(100 * MS);
    expect(handled).toEqual(['eth0 true 1']);
    expect(lab.drops('h2').length).toBe(before);
  });

  test('a transport sees the Home Address option\'s address as the source once a handler takes it, and a type 2 routing header\'s as the destination', () => {
    const lab = network();
    const HOME = address('2001:db8:9::9');
    const EXPERIMENT = 253;
    const seen: string[] = [];
    lab.node('h2').parts.transports.register(6, EXPERIMENT, {
      receive: (d) => {
        seen.push(`${d.source.toString(16)} > ${d.destination.toString(16)}`);
      },
      error: () => false,
    });
    const withHao = new Uint8Array(24);
    emitIpv6ExtensionHeaders([{ kind: 'destinationOptions', nextHeader: EXPERIMENT, options: [{ kind: 'padN', data: new Uint8Array(2) }, { kind: 'homeAddress', address: HOME }] }], withHao, 0);
    const haoPacket = buildIpv6Packet({ source: H1, destination: H2, nextHeader: IpProtocol.destinationOptions }, withHao);
    const withRh2 = new Uint8Array(24);
    emitIpv6ExtensionHeaders([{ kind: 'routingType2', nextHeader: EXPERIMENT, segmentsLeft: 1, homeAddress: HOME }], withRh2, 0);
    const rh2Packet = buildIpv6Packet({ source: H1, destination: H2, nextHeader: IpProtocol.routing }, withRh2);
    const send = (packet: Uint8Array): unknown => lab.node('h1').parts.ipv6.sendLocal(packet, ipv6FromBytes(H1), ipv6FromBytes(H2), undefined, lab.now);
    const hex = (a: Uint8Array): string => ipv6FromBytes(a).toString(16);
    // Without a handler the option is passed as known, the source as on the wire.
    send(haoPacket);
    lab.run(100 * MS);
    expect(seen).toEqual([`${hex(H1)} > ${hex(H2)}`]);
    let accept = true;
    const asked: string[] = [];
    lab.node('h2').parts.ipv6.registerHomeAddressOption((dev, home, source, nextHeader) => {
      asked.push(`${dev} ${home.toString(16)} from ${source.toString(16)} next ${nextHeader}`);
      return accept;
    });
    send(haoPacket);
    lab.run(100 * MS);
    expect(asked).toEqual([`eth0 ${hex(HOME)} from ${hex(H1)} next ${EXPERIMENT}`]);
    expect(seen[1]).toBe(`${hex(HOME)} > ${hex(H2)}`);
    accept = false;
    send(haoPacket);
    lab.run(100 * MS);
    expect(seen.length).toBe(2);
    lab.node('h2').parts.ipv6.routingTypes.register(2, () => true);
    send(rh2Packet);
    lab.run(100 * MS);
    expect(seen[2]).toBe(`${hex(H1)} > ${hex(HOME)}`);
  });
});
