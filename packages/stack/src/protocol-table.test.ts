/**
 * Protocols are registered, not switched on: a node hands a frame to the handler registered for its
 * EtherType and a locally delivered IPv4 packet to the transport registered for its protocol; what
 * nothing receives is an `unsupportedProtocol` drop (and, for an IP protocol, protocol unreachable).
 */
import { describe, expect, it } from 'vitest';
import { buildEthernetFrame, buildIpv4Frame, buildIpv4Packet } from '@netloom/wire';
import { ProtocolTable, TransportRegistry } from './protocol-table.js';
import { MS, ip, twoNodes, type Lab } from './testing/lab.js';
import { framesMatching, icmp } from './testing/frame-checks.js';

const H1_MAC = new Uint8Array([0x02, 0, 0, 0, 1, 1]);
const H2_MAC = new Uint8Array([0x02, 0, 0, 0, 2, 1]);

const twoHosts = (): Lab => twoNodes(['h1', '10.0.0.1/24'], ['h2', '10.0.0.2/24']);

const reasons = (lab: Lab, node: string) => lab.drops(node).map((d) => (d.event.type === 'drop' ? `${d.event.reason} ${d.event.detail ?? ''}` : ''));

describe('protocol tables', () => {
  it('refuses a number registered twice and one outside its space', () => {
    const table = new ProtocolTable<() => void>('IP protocol', 255);
    table.register(253, () => {});
    expect(() => table.register(253, () => {})).toThrow('IP protocol 253 is already registered');
    expect(() => table.register(256, () => {})).toThrow('IP protocol 256 is outside 0-255');
    expect(table.handlerFor(254)).toBeUndefined();
  });

  it('keys transports by (family, protocol): IPv4 and IPv6 tables are apart, a taken pair is refused, unregistering frees it', () => {
    const registry = new TransportRegistry();
    const udp4 = { receive: () => {}, error: () => true };
    const off = registry.register(4, 17, udp4);
    expect(registry.transportFor(4, 17)).toBe(udp4);
    expect(registry.table(4).handlerFor(17)).toBe(udp4);
    expect(() => registry.register(4, 17, udp4)).toThrow('IP protocol 17 is already registered');
    expect(() => registry.register(4, 256, udp4)).toThrow('IP protocol 256 is outside 0-255');
    // Family 6 has its own table (inet6_protos): nothing of family 4 shows there.
    expect(() => registry.table(6 as 4)).not.toThrow();
    expect(registry.table(6 as 4).handlerFor(17)).toBeUndefined();
    expect(() => registry.table(5 as 4)).toThrow('address family 5 is not 4 or 6');
    off();
    expect(registry.transportFor(4, 17)).toBeUndefined();
    registry.register(4, 17, udp4);
    expect(registry.transportFor(4, 17)).toBe(udp4);
  });

  it('a frame of a registered EtherType reaches its handler; before, it was an unsupportedProtocol drop', () => {
    const lab = twoHosts();
    const frame = () => buildEthernetFrame(H2_MAC, H1_MAC, 0x88b5, new Uint8Array([1, 2, 3, 4]));
    lab.node('h2').receive('eth0', frame(), lab.now);
    expect(reasons(lab, 'h2')).toEqual(['unsupportedProtocol ethertype 0x88b5']);
    const seen: string[] = [];
    lab.node('h2').parts.linkLayer.register(0x88b5, (device, packetType, frame, payloadAt) => seen.push(`${device.name} ${packetType} ${[...frame.subarray(payloadAt)].join(',')}`));
    lab.node('h2').receive('eth0', frame(), lab.now);
    expect(seen).toEqual(['eth0 host 1,2,3,4']);
    expect(reasons(lab, 'h2')).toHaveLength(1);
  });

  it('a tagged frame is an unsupportedProtocol drop naming its VLAN; a frame shorter than its header is malformed', () => {
    const lab = twoHosts();
    const arp = buildEthernetFrame(H2_MAC, H1_MAC, 0x0806, new Uint8Array(28));
    // TPID 0x8100, TCI a0 0a: PCP 5, VID 10, then the EtherType.
    const tagged = Uint8Array.of(...arp.subarray(0, 12), 0x81, 0x00, 0xa0, 0x0a, ...arp.subarray(12));
    lab.node('h2').receive('eth0', tagged, lab.now);
    lab.node('h2').receive('eth0', arp.subarray(0, 13), lab.now);
    lab.node('h2').receive('eth0', tagged.subarray(0, 17), lab.now);
    expect(reasons(lab, 'h2')).toEqual(['unsupportedProtocol 802.1Q vlan 10', 'malformed ethernet truncated', 'malformed ethernet truncated']);
  });

  it('a packet of a registered IP protocol reaches its transport; an unregistered one gets protocol unreachable', () => {
    const lab = twoHosts();
    const packet = (protocol: number) => buildIpv4Frame(H2_MAC, H1_MAC, { source: ip('10.0.0.1'), destination: ip('10.0.0.2'), protocol }, new Uint8Array([9, 9]));
    const seen: string[] = [];
    lab.node('h2').parts.transports.register(4, 253, {
      receive: ({ context, ip: repr }) => seen.push(`${context.dev} ${repr.protocol} ${[...repr.payload].join(',')}`),
      error: () => false,
    });
    lab.node('h2').receive('eth0', packet(253), lab.now);
    lab.node('h2').receive('eth0', packet(254), lab.now);
    lab.run(10 * MS);
    expect(seen).toEqual(['eth0 253 9,9']);
    expect(reasons(lab, 'h2')).toEqual(['unsupportedProtocol ip protocol 254']);
    expect(framesMatching(lab.sent('h2'), icmp({ kind: 'destinationUnreachable', code: 2 }))).toHaveLength(1);
    expect(lab.node('h2').parts.ipv4.mib).toMatchObject({ inDelivers: 1, inUnknownProtos: 1 });
  });

  it("an ICMP error quoting a registered protocol's datagram reaches that protocol's error handler (icmp_socket_deliver)", () => {
    const lab = twoHosts();
    const errors: string[] = [];
    const h1 = lab.node('h1');
    h1.parts.transports.register(4, 253, {
      receive: () => {},
      error: (report) => {
        errors.push(`from ${report.source} type ${report.type} code ${report.code} quoting protocol ${report.quoted.protocol} to ${report.quoted.destination}`);
        return true;
      },
    });
    // h1 sends protocol 253 through ip_local_out; h2 has nothing registered for it and answers protocol unreachable.
    const flow = { dst: ip('10.0.0.2'), proto: 253 };
    const route = h1.kernel.routeOutput(flow, lab.now);
    if (!route.ok) throw new Error(route.errno);
    const packet = buildIpv4Packet({ source: ip('10.0.0.1'), destination: ip('10.0.0.2'), protocol: 253 }, new Uint8Array([7, 7, 7, 7, 7, 7, 7, 7]));
    expect(h1.parts.ipv4.localOut(packet, route.route, flow, lab.now)).toEqual({ ok: true, dev: 'eth0' });
    lab.run(10 * MS);
    expect(errors).toEqual([`from ${ip('10.0.0.2')} type 3 code 2 quoting protocol 253 to ${ip('10.0.0.2')}`]);
  });
});
