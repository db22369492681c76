import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv6, parseIpv6 } from './address.js';
import {
  Icmpv6MessageView,
  Icmpv6Type,
  Icmpv6UnreachableCode,
  ICMPV6_ERROR_MAX_QUOTE,
  IPV6_MIN_MTU,
  emitIcmpv6,
  icmpv6BufferLen,
  parseIcmpv6,
  type Icmpv6ChecksumContext,
  type Icmpv6Repr,
} from './icmpv6.js';
import { parseQuotedIpv6Packet } from './ipv6.js';
import { filledBuffer, icmpv6ReprArb, ipv6Arb } from './testing/arbitraries.js';
import { captured, icmpv6Of } from './testing/captured-frames.js';
import { capturedIpv6 } from './testing/captured-ipv6-frames.js';
import { isWireError } from './wire-error.js';

const address = (text: string): Uint8Array => parseIpv6(text) as Uint8Array;

// `ping -6 2001:db8::3` from 2001:db8::1 on Linux (testing/captured-frames.ts):
//   80 00      type 128 (echo request), code 0
//   8f b9      checksum (with the pseudo-header 2001:db8::1 > 2001:db8::3, length 64, next header 58)
//   36 6b      identifier 13931
//   00 01      sequence 1
//   53 aa 01 6b 00 00 00 00 48 01 02 00 00 00 00 00   timestamp
//   10 11 … 37                                         ping's fill pattern
const echo = icmpv6Of(captured.icmp6EchoRequest.hex);

// Port unreachable from 2001:db8::3 for a UDP datagram to port 6000:
//   01 04      type 1, code 4 (port unreachable)
//   8b 8e      checksum
//   00 00 00 00   unused
//   60 05 a6 40 00 18 11 40 …   the whole offending packet (IPv6 header, UDP header, 16 bytes)
const portUnreachable = icmpv6Of(captured.icmp6PortUnreachable.hex);

describe('ICMPv6', () => {
  it('reads an echo request through the view and verifies its checksum with the pseudo-header', () => {
    const view = Icmpv6MessageView.check(echo.message);
    if (isWireError(view)) throw new Error(view.error);
    expect(view.type).toBe(Icmpv6Type.echoRequest);
    expect(view.code).toBe(0);
    expect(view.checksum).toBe(0x8fb9);
    expect(view.identifier).toBe(13931);
    expect(view.sequence).toBe(1);
    expect(view.body.length).toBe(56);
    expect(view.isChecksumValid(echo.context)).toBe(true);
    // The same bytes between other addresses do not verify: the pseudo-header counts.
    expect(view.isChecksumValid({ source: echo.context.destination, destination: address('2001:db8::4') })).toBe(false);
  });

  it('writes an echo request through the view', () => {
    const bytes = filledBuffer(echo.message.length);
    bytes.set(echo.message.subarray(8), 8);
    const view = Icmpv6MessageView.over(bytes);
    view.type = Icmpv6Type.echoRequest;
    view.code = 0;
    view.identifier = 13931;
    view.sequence = 1;
    view.fillChecksum(echo.context);
    expect(bytes).toEqual(echo.message);
  });

  it('parses echo request, echo reply and port unreachable into records', () => {
    expect(parseIcmpv6(echo.message, echo.context)).toEqual({
      kind: 'echoRequest',
      identifier: 13931,
      sequence: 1,
      data: echo.message.subarray(8),
    });
    const reply = icmpv6Of(captured.icmp6EchoReply.hex);
    expect(parseIcmpv6(reply.message, reply.context)).toMatchObject({ kind: 'echoReply', identifier: 13931, sequence: 1 });
    expect(parseIcmpv6(portUnreachable.message, portUnreachable.context)).toEqual({
      kind: 'destinationUnreachable',
      code: Icmpv6UnreachableCode.port,
      packet: portUnreachable.message.subarray(8),
    });
  });

  it('emits records into buffers pre-filled with 0xa5, byte for byte as Linux did', () => {
    for (const frame of [captured.icmp6EchoRequest, captured.icmp6EchoReply, captured.icmp6PortUnreachable]) {
      const { message, context } = icmpv6Of(frame.hex);
      const repr = parseIcmpv6(message, context) as Icmpv6Repr;
      const buf = filledBuffer(icmpv6BufferLen(repr) + 4);
      expect(emitIcmpv6(repr, buf, 2, context)).toBe(message.length);
      expect(buf.subarray(2, 2 + message.length)).toEqual(message);
      expect([buf[0], buf[1], buf[buf.length - 1]]).toEqual([0xa5, 0xa5, 0xa5]);
    }
  });

  it('emits packet too big with its MTU and parameter problem with its 32-bit pointer', () => {
    const quoted = echo.message.subarray(0, 48);
    const context = { source: address('2001:db8::ff'), destination: address('2001:db8::1') };
    const tooBig = filledBuffer(8 + quoted.length);
    emitIcmpv6({ kind: 'packetTooBig', code: 0, mtu: 1280, packet: quoted }, tooBig, 0, context);
    expect(Array.from(tooBig.subarray(4, 8))).toEqual([0, 0, 0x05, 0x00]);
    expect(parseIcmpv6(tooBig, context)).toEqual({ kind: 'packetTooBig', code: 0, mtu: 1280, packet: quoted });
    const problem = filledBuffer(8 + quoted.length);
    emitIcmpv6({ kind: 'parameterProblem', code: 1, pointer: 0x10006, packet: quoted }, problem, 0, context);
    expect(Array.from(problem.subarray(0, 8), (byte, i) => (i === 2 || i === 3 ? -1 : byte))).toEqual([4, 1, -1, -1, 0, 1, 0, 6]);
    expect(parseIcmpv6(problem, context)).toMatchObject({ kind: 'parameterProblem', code: 1, pointer: 0x10006 });
  });

  it('recovers the UDP ports from the packet a port unreachable quotes', () => {
    const error = parseIcmpv6(portUnreachable.message, portUnreachable.context);
    if (isWireError(error) || error.kind !== 'destinationUnreachable') throw new Error('not unreachable');
    const quoted = parseQuotedIpv6Packet(error.packet.subarray(0, 48));
    if (isWireError(quoted)) throw new Error(quoted.error);
    expect(quoted.nextHeader).toBe(17);
    expect(quoted.payload.length).toBe(8); // the payload length says 24; 8 bytes were quoted here
    expect([(quoted.payload[2]! << 8) | quoted.payload[3]!]).toEqual([6000]);
  });

  it('reads the packet too big Linux sent, quoting as much as fits in 1280 bytes', () => {
    // r in front of an MTU-1300 link, for a 1448-byte packet: 02 00 (type 2), 00 00 05 14 (MTU 1300),
    // then the first 1232 bytes of the packet (ICMPV6_ERROR_MAX_QUOTE), so the whole IPv6 packet is 1280.
    const tooBig = icmpv6Of(capturedIpv6.icmp6PacketTooBig.hex);
    const repr = parseIcmpv6(tooBig.message, tooBig.context);
    if (isWireError(repr) || repr.kind !== 'packetTooBig') throw new Error('not packet too big');
    expect([repr.mtu, repr.packet.length, 40 + tooBig.message.length]).toEqual([1300, ICMPV6_ERROR_MAX_QUOTE, IPV6_MIN_MTU]);
    const quoted = parseQuotedIpv6Packet(repr.packet);
    expect(isWireError(quoted) ? quoted : [quoted.payload.length, formatIpv6(quoted.destination)]).toEqual([1192, '2001:db8:9::2']);
  });

  it('parses the errors Linux sent with their codes and parameter problem pointers', () => {
    const errors = [
      [capturedIpv6.icmp6TimeExceeded, 'timeExceeded', 0, undefined],
      [capturedIpv6.icmp6NoRoute, 'destinationUnreachable', Icmpv6UnreachableCode.noRoute, undefined],
      [capturedIpv6.icmp6AddressUnreachable, 'destinationUnreachable', Icmpv6UnreachableCode.address, undefined],
      // next header 253 unknown: code 1, pointer 6 (the fixed header's next header field)
      [capturedIpv6.icmp6ParameterProblemNextHeader, 'parameterProblem', 1, 6],
      // option 0x80 unknown: code 2, pointer 42 (40 + 2: the option's type in the Destination Options header)
      [capturedIpv6.icmp6ParameterProblemOption, 'parameterProblem', 2, 42],
      // the Home Address option after PadN 4, unknown without Mobile IPv6: pointer 46
      [capturedIpv6.icmp6ParameterProblemHomeAddress, 'parameterProblem', 2, 46],
      // routing type 2 unknown with segments left 1: code 0, pointer 42 (the routing type field)
      [capturedIpv6.icmp6ParameterProblemRoutingType2, 'parameterProblem', 0, 42],
    ] as const;
    for (const [frame, kind, code, pointer] of errors) {
      const { message, context } = icmpv6Of(frame.hex);
      const repr = parseIcmpv6(message, context);
      expect(repr, frame.tcpdump).toMatchObject({ kind, code, ...(pointer === undefined ? {} : { pointer }) });
    }
  });

  it('rejects a bad checksum, a zero checksum and a short message', () => {
    const corrupted = echo.message.slice();
    corrupted[10] = (corrupted[10] ?? 0) ^ 1;
    expect(parseIcmpv6(corrupted, echo.context)).toEqual({ error: 'badChecksum' });
    const zero = echo.message.slice();
    zero[2] = 0;
    zero[3] = 0;
    expect(parseIcmpv6(zero, echo.context)).toEqual({ error: 'badChecksum' });
    expect(parseIcmpv6(zero, null)).toMatchObject({ kind: 'echoRequest' });
    expect(parseIcmpv6(echo.message.subarray(0, 7), null)).toEqual({ error: 'truncated' });
  });

  it('keeps an echo with a non-zero code as another message, so it round-trips', () => {
    const message = echo.message.slice();
    message[1] = 1;
    Icmpv6MessageView.over(message).fillChecksum(echo.context);
    const repr = parseIcmpv6(message, echo.context);
    expect(repr).toMatchObject({ kind: 'other', type: 128, code: 1, restOfHeader: 0x366b0001 });
    const buf = filledBuffer(message.length);
    emitIcmpv6(repr as Icmpv6Repr, buf, 0, echo.context);
    expect(buf).toEqual(message);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120, size: 'max' }), u8Type(), (bytes, type) => {
        void parseIcmpv6(bytes, null);
        if (bytes.length > 1) {
          bytes[0] = type;
          bytes[1] = 0;
        }
        const parsed = parseIcmpv6(bytes, null);
        if ('error' in parsed) expect(isWireError(parsed)).toBe(true);
      }),
    );
  });

  it('parse ∘ emit is the identity on records, and emit ∘ parse on messages', () => {
    fc.assert(
      fc.property(icmpv6ReprArb, ipv6Arb, ipv6Arb, (repr, source, destination) => {
        const context = { source, destination };
        const buf = filledBuffer(icmpv6BufferLen(repr));
        expect(emitIcmpv6(repr, buf, 0, context)).toBe(buf.length);
        const parsed = parseIcmpv6(buf, context);
        expect(parsed).toEqual(repr);
        const again = filledBuffer(buf.length);
        emitIcmpv6(parsed as Icmpv6Repr, again, 0, context);
        expect(again).toEqual(buf);
      }),
    );
  });
});

/** Mostly the types with a layout of their own, so random bytes reach their parsers. */
function u8Type(): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(1, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 143), fc.integer({ min: 0, max: 255 }));
}
