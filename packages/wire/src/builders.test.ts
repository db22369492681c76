import { describe, expect, it } from 'vitest';
import { ArpOperation } from './arp.js';
import {
  buildArpFrame,
  buildEthernetFrame,
  buildIcmpv4Packet,
  buildIcmpv6Packet,
  buildIpv4Frame,
  buildIpv4Packet,
  buildIpv6Frame,
  buildIpv6Packet,
  buildUdpIpv4Packet,
  buildUdpIpv6Packet,
  buildTcpIpv4Packet,
  buildTcpIpv6Packet,
} from './builders.js';
import { parseIpv6 } from './address.js';
import { EtherType } from './ethernet.js';
import { IpProtocol } from './ipv4.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { capturedTcp } from './testing/captured-tcp-segments.js';
import { parseTcp, type TcpRepr } from './tcp.js';

const macA = new Uint8Array([2, 0, 0, 0, 0, 1]);
const macR = new Uint8Array([2, 0, 0, 0, 0, 2]);

describe('builders', () => {
  it('build the ARP request and reply Linux sent, byte for byte', () => {
    expect(
      buildArpFrame({
        operation: ArpOperation.request,
        senderMac: macA,
        senderIp: 0x0a000001,
        targetMac: new Uint8Array(6),
        targetIp: 0x0a0000fe,
      }),
    ).toEqual(hexBytes(captured.arpRequest.hex));
    expect(
      buildArpFrame({ operation: ArpOperation.reply, senderMac: macR, senderIp: 0x0a0000fe, targetMac: macA, targetIp: 0x0a000001 }),
    ).toEqual(hexBytes(captured.arpReply.hex));
  });

  it('build the echo request ping sent, byte for byte, as a packet and as a frame', () => {
    const frame = hexBytes(captured.icmpEchoRequest.hex);
    // 45 00 00 54 22 32 40 00 40 01 03 79 0a 00 00 01 0a 00 00 fe: id 0x2232, DF, TTL 64.
    const fields = { source: 0x0a000001, destination: 0x0a0000fe, identification: 0x2232, dontFragment: true };
    const icmp = frame.subarray(34);
    expect(buildIpv4Packet({ ...fields, protocol: IpProtocol.icmp }, icmp)).toEqual(frame.subarray(14));
    expect(buildIpv4Frame(macR, macA, { ...fields, protocol: IpProtocol.icmp }, icmp)).toEqual(frame);
    expect(buildEthernetFrame(macR, macA, EtherType.ipv4, frame.subarray(14))).toEqual(frame);
    expect(
      buildIcmpv4Packet(fields, { kind: 'echoRequest', identifier: 0x361f, sequence: 1, data: icmp.subarray(8) }),
    ).toEqual(frame.subarray(14));
  });

  it('build the UDP datagram a Linux socket sent, checksum included', () => {
    // 45 00 00 3c 52 81 40 00 40 11 cb 2d …: id 0x5281, DF, TTL 64; UDP checksum d9 61.
    const frame = hexBytes(captured.udpToClosedPort.hex);
    const packet = buildUdpIpv4Packet(
      { source: 0x0a000001, destination: 0x0a000902, identification: 0x5281, dontFragment: true },
      33434,
      33435,
      new Uint8Array(32).fill(0x40),
    );
    expect(packet).toEqual(frame.subarray(14));
  });

  it('build a UDP datagram without checksum when asked (SO_NO_CHECK)', () => {
    const frame = hexBytes(captured.udpWithoutChecksum.hex);
    const view = frame.subarray(14);
    const packet = buildUdpIpv4Packet(
      { source: 0x0a000001, destination: 0x0a0000fe, identification: (view[4]! << 8) | view[5]!, dontFragment: true },
      58184,
      9,
      new TextEncoder().encode('nocsum'),
      false,
    );
    expect(packet).toEqual(view);
  });

  it('build the UDP-over-IPv6 datagram a Linux socket sent, checksum included', () => {
    // 60 05 a6 40 00 18 11 40 …: flow label 0x5a640 (the kernel's hash), hop limit 64; UDP checksum 67 3e.
    const frame = hexBytes(captured.udp6ToClosedPort.hex);
    const fields = {
      source: parseIpv6('2001:db8::1') as Uint8Array,
      destination: parseIpv6('2001:db8::3') as Uint8Array,
      flowLabel: 0x5a640,
    };
    const packet = buildUdpIpv6Packet(fields, 5000, 6000, new Uint8Array(16).fill(0x42));
    expect(packet).toEqual(frame.subarray(14));
    const macB = new Uint8Array([2, 0, 0, 0, 0, 3]);
    expect(buildIpv6Packet({ ...fields, nextHeader: IpProtocol.udp }, frame.subarray(54))).toEqual(frame.subarray(14));
    expect(buildIpv6Frame(macB, macA, { ...fields, nextHeader: IpProtocol.udp }, frame.subarray(54))).toEqual(frame);
  });

  it('build the TCP segments Linux sent over IPv4 and IPv6, checksums included', () => {
    // 45 00 00 3c 1f 99 40 00 40 06 07 21 …: id 0x1f99, DF, TTL 64; TCP checksum 65 0b.
    const syn = hexBytes(capturedTcp.syn.hex);
    const v4 = { family: 4, source: 0x0a000001, destination: 0x0a000002 } as const;
    const synRepr = parseTcp(syn.subarray(34), v4) as TcpRepr;
    expect(buildTcpIpv4Packet({ source: 0x0a000001, destination: 0x0a000002, identification: 0x1f99, dontFragment: true }, synRepr)).toEqual(
      syn.subarray(14),
    );
    // 60 2a a6 21 00 26 06 40 …: traffic class 0x02 (ECT(0): ECN was negotiated), flow label
    // 0xaa621 (the kernel's hash), payload 38, TCP, hop limit 64.
    const data6 = hexBytes(capturedTcp.data6.hex);
    const fields = { source: parseIpv6('2001:db8::1') as Uint8Array, destination: parseIpv6('2001:db8::2') as Uint8Array };
    const flowLabel = ((data6[15]! & 0x0f) << 16) | (data6[16]! << 8) | data6[17]!;
    const dataRepr = parseTcp(data6.subarray(54), { family: 6, ...fields }) as TcpRepr;
    expect(buildTcpIpv6Packet({ ...fields, trafficClass: 0x02, flowLabel }, dataRepr)).toEqual(data6.subarray(14));
  });

  it('build the neighbour solicitation Linux sent, checksum included', () => {
    // 60 00 00 00 00 20 3a ff …: hop limit 255, next header 58; ICMPv6 checksum 1c 25.
    const frame = hexBytes(captured.ndpNeighborSolicitation.hex);
    const packet = buildIcmpv6Packet(
      { source: parseIpv6('2001:db8::1') as Uint8Array, destination: parseIpv6('ff02::1:ff00:3') as Uint8Array, hopLimit: 255 },
      {
        kind: 'neighbourSolicitation',
        target: parseIpv6('2001:db8::3') as Uint8Array,
        options: [{ kind: 'sourceLinkLayerAddress', address: macA }],
      },
    );
    expect(packet).toEqual(frame.subarray(14));
  });
});
