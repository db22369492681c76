import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from './address.js';
import { Ipv6PacketView, emitIpv6Packet, ipv6BufferLen, parseIpv6Packet, type Ipv6Repr } from './ipv6.js';
import { filledBuffer, ipv6ReprArb } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { isWireError } from './wire-error.js';

// `ping -6 2001:db8::3` from 2001:db8::1 on Linux (testing/captured-frames.ts), after Ethernet:
//   60 0d 29 08   version 6, traffic class 0, flow label 0xd2908 (chosen by the kernel)
//   00 48         payload length 72
//   3a            next header 58 (ICMPv6)
//   40            hop limit 64
//   20 01 0d b8 00 00 … 00 03   source 2001:db8::3
//   20 01 0d b8 00 00 … 00 01   destination 2001:db8::1
//   01 04 …       ICMPv6 destination unreachable (port), quoting the UDP datagram
const unreachable = hexBytes(captured.icmp6PortUnreachable.hex).subarray(14);
const source = parseIpv6('2001:db8::3') as Uint8Array;
const destination = parseIpv6('2001:db8::1') as Uint8Array;

const unreachableRepr: Ipv6Repr = {
  trafficClass: 0,
  flowLabel: 0xd2908,
  nextHeader: 58,
  hopLimit: 64,
  source,
  destination,
  payload: unreachable.subarray(40),
};

describe('IPv6 fixed header', () => {
  it('reads the header through the view', () => {
    const view = Ipv6PacketView.check(unreachable);
    if (isWireError(view)) throw new Error(view.error);
    expect(view.version).toBe(6);
    expect(view.trafficClass).toBe(0);
    expect(view.flowLabel).toBe(0xd2908);
    expect(view.payloadLength).toBe(72);
    expect(view.nextHeader).toBe(58);
    expect(view.hopLimit).toBe(64);
    expect(view.source).toEqual(source);
    expect(view.destination).toEqual(destination);
    expect(view.payload.length).toBe(72);
  });

  it('writes the header through the view', () => {
    const bytes = filledBuffer(unreachable.length);
    bytes.set(unreachable.subarray(40), 40);
    const view = Ipv6PacketView.over(bytes);
    view.setVersionClassAndFlow(0, 0xd2908);
    view.payloadLength = 72;
    view.nextHeader = 58;
    view.hopLimit = 64;
    view.source = source;
    view.destination = destination;
    expect(bytes).toEqual(unreachable);
  });

  it('parses a packet into a record', () => {
    expect(parseIpv6Packet(unreachable)).toEqual(unreachableRepr);
  });

  it('emits a record into a buffer pre-filled with 0xa5', () => {
    const buf = filledBuffer(ipv6BufferLen(unreachableRepr));
    expect(emitIpv6Packet(unreachableRepr, buf)).toBe(112);
    expect(buf).toEqual(unreachable);
  });

  it('splits traffic class and flow label across the first four bytes', () => {
    const repr = { ...unreachableRepr, trafficClass: 0xb8, flowLabel: 0xfffff };
    const buf = new Uint8Array(ipv6BufferLen(repr));
    emitIpv6Packet(repr, buf);
    expect(Array.from(buf.subarray(0, 4))).toEqual([0x6b, 0x8f, 0xff, 0xff]);
  });

  it('rejects short packets and other versions', () => {
    expect(parseIpv6Packet(unreachable.subarray(0, 39))).toEqual({ error: 'truncated' });
    expect(parseIpv6Packet(unreachable.subarray(0, 111))).toEqual({ error: 'truncated' });
    const ipv4 = unreachable.slice();
    ipv4[0] = 0x45;
    expect(parseIpv6Packet(ipv4)).toEqual({ error: 'badVersion' });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80, size: 'max' }), (bytes) => {
        void parseIpv6Packet(bytes);
        if (bytes.length > 0) bytes[0] = 0x60;
        void parseIpv6Packet(bytes);
      }),
    );
  });

  it('parse ∘ emit is the identity on records, and emit ∘ parse on packets', () => {
    fc.assert(
      fc.property(ipv6ReprArb, (repr) => {
        const buf = filledBuffer(ipv6BufferLen(repr));
        emitIpv6Packet(repr, buf);
        const parsed = parseIpv6Packet(buf);
        expect(parsed).toEqual(repr);
        const again = filledBuffer(buf.length);
        emitIpv6Packet(parsed as Ipv6Repr, again);
        expect(again).toEqual(buf);
      }),
    );
  });
});
