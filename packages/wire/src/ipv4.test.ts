import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internetChecksum } from './checksum.js';
import {
  Ipv4PacketView,
  IpProtocol,
  decrementTtl,
  emitIpv4Packet,
  ipv4BufferLen,
  parseIpv4Packet,
  type Ipv4Repr,
} from './ipv4.js';
import { filledBuffer, ipv4ReprArb } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { isWireError } from './wire-error.js';

// ping -R 10.0.9.2 from 10.0.0.1, captured on Linux (testing/captured-frames.ts), after Ethernet:
//   4f          version 4, IHL 15 (60-byte header)
//   00          TOS
//   00 7c       total length 124
//   24 92       identification
//   40 00       flags DF, fragment offset 0
//   40          TTL 64
//   01          protocol ICMP
//   bc dc       header checksum
//   0a 00 00 01 source 10.0.0.1
//   0a 00 09 02 destination 10.0.9.2
//   01 07 27 08 0a 00 00 01 00 … 00   options: NOP, Record Route (len 39, ptr 8, first slot
//                                    filled with 10.0.0.1), nine empty slots — kept verbatim
//   08 00 b4 e0 …                     ICMP echo request (64 bytes)
const recordRoute = hexBytes(captured.icmpEchoRequestRecordRoute.hex).subarray(14);
const options = recordRoute.slice(20, 60);

const recordRouteRepr: Ipv4Repr = {
  tos: 0,
  identification: 0x2492,
  dontFragment: true,
  moreFragments: false,
  fragmentOffset: 0,
  ttl: 64,
  protocol: IpProtocol.icmp,
  source: 0x0a000001,
  destination: 0x0a000902,
  options,
  payload: recordRoute.subarray(60),
};

// The first fragment of a 2008-byte echo request (ping -M dont -s 2000, path MTU 1300):
//   flags/offset 20 00: MF set, offset 0; total length 1300
const firstFragment = hexBytes(captured.icmpEchoRequestFirstFragment.hex).subarray(14);
// The last fragment: flags/offset 00 a0 → offset 160 × 8 = 1280 bytes, MF clear.
const lastFragment = hexBytes(captured.icmpEchoRequestLastFragment.hex).subarray(14);

describe('IPv4', () => {
  it('reads a header with options through the view', () => {
    const view = Ipv4PacketView.check(recordRoute);
    if (isWireError(view)) throw new Error(view.error);
    expect(view.version).toBe(4);
    expect(view.headerLength).toBe(60);
    expect(view.totalLength).toBe(124);
    expect(view.identification).toBe(0x2492);
    expect(view.dontFragment).toBe(true);
    expect(view.isFragment).toBe(false);
    expect(view.ttl).toBe(64);
    expect(view.protocol).toBe(IpProtocol.icmp);
    expect(view.checksum).toBe(0xbcdc);
    expect(view.isChecksumValid).toBe(true);
    expect(view.source).toBe(0x0a000001);
    expect(view.destination).toBe(0x0a000902);
    expect(view.options).toEqual(options);
    expect(view.payload.length).toBe(64);
  });

  it('reads fragment flags and offsets through the view', () => {
    const first = Ipv4PacketView.check(firstFragment) as Ipv4PacketView;
    const last = Ipv4PacketView.check(lastFragment) as Ipv4PacketView;
    expect([first.moreFragments, first.fragmentOffset, first.isFragment]).toEqual([true, 0, true]);
    expect([last.moreFragments, last.fragmentOffset, last.isFragment]).toEqual([false, 1280, true]);
  });

  it('writes a header through the view, checksum included', () => {
    const bytes = filledBuffer(recordRoute.length);
    bytes.set(recordRoute.subarray(20), 20); // options and payload
    const view = Ipv4PacketView.over(bytes);
    view.setVersionAndHeaderLength(60);
    view.tos = 0;
    view.totalLength = 124;
    view.identification = 0x2492;
    view.flagsAndFragmentOffset = 0x4000;
    view.ttl = 64;
    view.protocol = IpProtocol.icmp;
    view.source = 0x0a000001;
    view.destination = 0x0a000902;
    view.fillChecksum();
    expect(bytes).toEqual(recordRoute);
  });

  it('parses a packet into a record with its options verbatim', () => {
    expect(parseIpv4Packet(recordRoute)).toEqual(recordRouteRepr);
  });

  it('emits a record into a buffer pre-filled with 0xa5', () => {
    const buf = filledBuffer(ipv4BufferLen(recordRouteRepr));
    expect(emitIpv4Packet(recordRouteRepr, buf)).toBe(124);
    expect(buf).toEqual(recordRoute);
  });

  it('cuts Ethernet padding off the payload', () => {
    // The 42-byte UDP-without-checksum packet, padded to 46 bytes as a 60-byte frame would be.
    const packet = hexBytes(captured.udpWithoutChecksum.hex).subarray(14);
    const padded = new Uint8Array(46);
    padded.set(packet);
    const repr = parseIpv4Packet(padded) as Ipv4Repr;
    expect(repr.payload.length).toBe(14);
  });

  it('returns distinct error values for each kind of malformed header', () => {
    const corrupted = (at: number, value: number): Uint8Array => {
      const bytes = recordRoute.slice();
      bytes[at] = value;
      return bytes;
    };
    expect(parseIpv4Packet(recordRoute.subarray(0, 19))).toEqual({ error: 'truncated' });
    expect(parseIpv4Packet(recordRoute.subarray(0, 59))).toEqual({ error: 'truncated' });
    expect(parseIpv4Packet(recordRoute.subarray(0, 123))).toEqual({ error: 'truncated' });
    expect(parseIpv4Packet(corrupted(0, 0x6f))).toEqual({ error: 'badVersion' });
    expect(parseIpv4Packet(corrupted(0, 0x44))).toEqual({ error: 'badHeaderLength' });
    expect(parseIpv4Packet(corrupted(3, 59))).toEqual({ error: 'badLength' });
    expect(parseIpv4Packet(corrupted(8, 63))).toEqual({ error: 'badChecksum' });
    expect(isWireError(parseIpv4Packet(corrupted(8, 63), { verifyChecksum: false }))).toBe(false);
  });

  it('decrements the TTL with the checksum Linux writes when it forwards', () => {
    // The UDP datagram left 10.0.0.1 with TTL 64 and reached c (behind r) with TTL 63 and the
    // checksum r's ip_decrease_ttl wrote.
    const sent = hexBytes(captured.udpToClosedPort.hex);
    const frame = sent.slice();
    expect(decrementTtl(frame, 14)).toBe(63);
    // The port-unreachable from c quotes the datagram as c received it (TTL 63).
    const quoted = hexBytes(captured.icmpPortUnreachable.hex).subarray(14 + 20 + 8, 14 + 20 + 8 + 20);
    expect(frame.subarray(14, 34)).toEqual(quoted);
  });

  it('keeps the header checksum valid through incremental TTL updates', () => {
    fc.assert(
      fc.property(ipv4ReprArb, (repr) => {
        const buf = new Uint8Array(ipv4BufferLen(repr));
        emitIpv4Packet(repr, buf);
        const before = repr.ttl;
        expect(decrementTtl(buf, 0)).toBe(before === 0 ? 0 : before - 1);
        expect(internetChecksum(buf, 0, 20 + repr.options.length)).toBe(0);
      }),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80, size: 'max' }), (bytes) => {
        void parseIpv4Packet(bytes);
        if (bytes.length > 0) bytes[0] = 0x40 | ((bytes[0] ?? 0) & 0x0f); // reach the deeper checks
        void parseIpv4Packet(bytes, { verifyChecksum: false });
      }),
    );
  });

  it('reads a packet where it lies in a frame as parseIpv4Packet reads it alone', () => {
    // UDP and TCP often, so that the ports are read, else any protocol.
    const reprArb = ipv4ReprArb.chain((repr) => fc.constantFrom(IpProtocol.udp, IpProtocol.tcp, repr.protocol).map((protocol) => ({ ...repr, protocol })));
    fc.assert(
      fc.property(reprArb, fc.integer({ min: 0, max: 18 }), fc.integer({ min: 0, max: 6 }), (repr, at, padding) => {
        // The packet at `at` in a 0xa5-filled buffer, with trailing bytes (Ethernet padding) after it.
        const length = ipv4BufferLen(repr);
        const frame = filledBuffer(at + length + padding);
        emitIpv4Packet(repr, frame, at);
        expect(Ipv4PacketView.checkedLengthAt(frame, at)).toBe(length);
        expect(Ipv4PacketView.headerLengthAt(frame, at)).toBe(20 + repr.options.length);
        expect(Ipv4PacketView.tosAt(frame, at)).toBe(repr.tos);
        expect(Ipv4PacketView.ttlAt(frame, at)).toBe(repr.ttl);
        expect(Ipv4PacketView.protocolAt(frame, at)).toBe(repr.protocol);
        expect(Ipv4PacketView.sourceAt(frame, at)).toBe(repr.source);
        expect(Ipv4PacketView.destinationAt(frame, at)).toBe(repr.destination);
        expect(Ipv4PacketView.dontFragmentAt(frame, at)).toBe(repr.dontFragment);
        expect(Ipv4PacketView.fragmentOffsetAt(frame, at)).toBe(repr.fragmentOffset);
        expect(Ipv4PacketView.isFragmentAt(frame, at)).toBe(repr.moreFragments || repr.fragmentOffset !== 0);
        const hasPorts = (repr.protocol === IpProtocol.udp || repr.protocol === IpProtocol.tcp) && repr.fragmentOffset === 0 && repr.payload.length >= 4;
        const word = (i: number): number => ((repr.payload[i] ?? 0) << 8) | (repr.payload[i + 1] ?? 0);
        expect(Ipv4PacketView.sourcePortAt(frame, at, length)).toBe(hasPorts ? word(0) : -1);
        expect(Ipv4PacketView.destinationPortAt(frame, at, length)).toBe(hasPorts ? word(2) : -1);
      }),
    );
  });

  it('checks a packet in a frame as parseIpv4Packet checks it alone, error for error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80, size: 'max' }), fc.integer({ min: 0, max: 20 }), fc.boolean(), (bytes, at, verifyChecksum) => {
        if (bytes.length > at) bytes[at] = 0x40 | ((bytes[at] ?? 0) & 0x0f); // reach the deeper checks
        const alone = parseIpv4Packet(bytes.subarray(at), { verifyChecksum });
        const expected = isWireError(alone) ? alone : ipv4BufferLen(alone);
        expect(Ipv4PacketView.checkedLengthAt(bytes, at, { verifyChecksum })).toEqual(expected);
      }),
    );
    expect(Ipv4PacketView.checkedLengthAt(recordRoute, 0)).toBe(124);
    const corrupted = recordRoute.slice();
    corrupted[8] = 63;
    expect(Ipv4PacketView.checkedLengthAt(corrupted, 0)).toEqual({ error: 'badChecksum' });
  });

  it('parse ∘ emit is the identity on records, and emit ∘ parse on packets', () => {
    fc.assert(
      fc.property(ipv4ReprArb, (repr) => {
        const buf = filledBuffer(ipv4BufferLen(repr));
        emitIpv4Packet(repr, buf);
        const parsed = parseIpv4Packet(buf);
        expect(parsed).toEqual(repr);
        const again = filledBuffer(buf.length);
        emitIpv4Packet(parsed as Ipv4Repr, again);
        expect(again).toEqual(buf);
      }),
    );
  });
});
