import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from './address.js';
import { filledBuffer, ipv4Arb, ipv6Arb, udpReprArb } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { UdpDatagramView, emitUdp, parseUdp, udpBufferLen, type UdpChecksumContext, type UdpRepr } from './udp.js';
import { isWireError } from './wire-error.js';

// A Python UDP socket on 10.0.0.1:33434 sending 32 × 0x40 to 10.0.9.2:33435 (Linux, captured):
//   82 9a      source port 33434
//   82 9b      destination port 33435
//   00 28      length 40
//   d9 61      checksum over the IPv4 pseudo-header, header and payload
//   40 40 … 40 payload
const datagram = hexBytes(captured.udpToClosedPort.hex).subarray(34);
const v4: UdpChecksumContext = { family: 4, source: 0x0a000001, destination: 0x0a000902 };
const datagramRepr: UdpRepr = { sourcePort: 33434, destinationPort: 33435, payload: new Uint8Array(32).fill(0x40) };

// Over IPv6, 2001:db8::1.5000 → 2001:db8::3.6000, 16 × 0x42: checksum 67 3e.
const datagram6 = hexBytes(captured.udp6ToClosedPort.hex).subarray(54);
const v6: UdpChecksumContext = {
  family: 6,
  source: parseIpv6('2001:db8::1') as Uint8Array,
  destination: parseIpv6('2001:db8::3') as Uint8Array,
};

describe('UDP', () => {
  it('reads a datagram through the view', () => {
    const view = UdpDatagramView.check(datagram);
    if (isWireError(view)) throw new Error(view.error);
    expect(view.sourcePort).toBe(33434);
    expect(view.destinationPort).toBe(33435);
    expect(view.length).toBe(40);
    expect(view.checksum).toBe(0xd961);
    expect(view.isChecksumValid(v4)).toBe(true);
    expect(view.payload).toEqual(datagramRepr.payload);
  });

  it('writes a datagram through the view, pseudo-header checksum included', () => {
    const bytes = filledBuffer(40);
    bytes.fill(0x40, 8);
    const view = UdpDatagramView.over(bytes);
    view.sourcePort = 33434;
    view.destinationPort = 33435;
    view.length = 40;
    view.fillChecksum(v4);
    expect(bytes).toEqual(datagram);
  });

  it('parses IPv4 and IPv6 datagrams into records, verifying their checksums', () => {
    expect(parseUdp(datagram, v4)).toEqual(datagramRepr);
    expect(parseUdp(datagram6, v6)).toEqual({
      sourcePort: 5000,
      destinationPort: 6000,
      payload: new Uint8Array(16).fill(0x42),
    });
  });

  it('emits records into buffers pre-filled with 0xa5', () => {
    const buf = filledBuffer(udpBufferLen(datagramRepr));
    expect(emitUdp(datagramRepr, buf, 0, v4)).toBe(40);
    expect(buf).toEqual(datagram);
    const buf6 = filledBuffer(datagram6.length);
    emitUdp(parseUdp(datagram6, v6) as UdpRepr, buf6, 0, v6);
    expect(buf6).toEqual(datagram6);
  });

  it('accepts a zero checksum over IPv4 (SO_NO_CHECK) but not over IPv6', () => {
    // 10.0.0.1.58184 > 10.0.0.254.9 "nocsum": e3 48 00 09 00 0e 00 00 …
    const noChecksum = hexBytes(captured.udpWithoutChecksum.hex).subarray(34);
    const context: UdpChecksumContext = { family: 4, source: 0x0a000001, destination: 0x0a0000fe };
    expect(parseUdp(noChecksum, context)).toEqual({
      sourcePort: 58184,
      destinationPort: 9,
      payload: new TextEncoder().encode('nocsum'),
    });
    const zeroed6 = datagram6.slice();
    zeroed6[6] = 0;
    zeroed6[7] = 0;
    expect(parseUdp(zeroed6, v6)).toEqual({ error: 'badChecksum' });
    const buf = filledBuffer(14);
    emitUdp({ sourcePort: 58184, destinationPort: 9, payload: new TextEncoder().encode('nocsum') }, buf, 0, null);
    expect(buf).toEqual(noChecksum);
  });

  it('rejects bad lengths and checksums', () => {
    const corrupted = datagram.slice();
    corrupted[9] = 0x41;
    expect(parseUdp(corrupted, v4)).toEqual({ error: 'badChecksum' });
    expect(isWireError(parseUdp(corrupted, null))).toBe(false);
    expect(parseUdp(datagram.subarray(0, 39), v4)).toEqual({ error: 'truncated' });
    const short = datagram.slice();
    short[5] = 7;
    expect(parseUdp(short, null)).toEqual({ error: 'badLength' });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60, size: 'max' }), ipv4Arb, ipv6Arb, (bytes, address, address6) => {
        void parseUdp(bytes, null);
        void parseUdp(bytes, { family: 4, source: address, destination: address });
        void parseUdp(bytes, { family: 6, source: address6, destination: address6 });
      }),
    );
  });

  it('parse ∘ emit is the identity on records over IPv4 and IPv6', () => {
    fc.assert(
      fc.property(udpReprArb, ipv4Arb, ipv4Arb, ipv6Arb, ipv6Arb, (repr, s4, d4, s6, d6) => {
        for (const context of [
          { family: 4, source: s4, destination: d4 },
          { family: 6, source: s6, destination: d6 },
          null,
        ] as const) {
          const buf = filledBuffer(udpBufferLen(repr));
          emitUdp(repr, buf, 0, context);
          const parsed = parseUdp(buf, context);
          expect(parsed).toEqual(repr);
          const again = filledBuffer(buf.length);
          emitUdp(parsed as UdpRepr, again, 0, context);
          expect(again).toEqual(buf);
        }
      }),
    );
  });
});
