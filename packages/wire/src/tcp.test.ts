import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from './address.js';
import { ETHERNET_HEADER_LENGTH } from './ethernet.js';
import { IpProtocol, parseIpv4Packet } from './ipv4.js';
import { parseIpv6Packet } from './ipv6.js';
import {
  TcpFlag,
  TcpOptionKind,
  TcpSegmentView,
  emitTcp,
  findTcpOption,
  parseTcp,
  tcpBufferLen,
  tcpOptionLength,
  type TcpChecksumContext,
  type TcpRepr,
} from './tcp.js';
import { filledBuffer, ipv4Arb, ipv6Arb, tcpReprArb } from './testing/arbitraries.js';
import { hexBytes } from './testing/captured-frames.js';
import { capturedTcp } from './testing/captured-tcp-segments.js';
import { isWireError } from './wire-error.js';

// a's SYN to 10.0.0.2:5000, as Linux 6.18 sent it (captured):
//   e0 e0                    source port 57568
//   13 88                    destination port 5000
//   17 4f 57 dc              sequence number 391075804
//   00 00 00 00              acknowledgement number 0
//   a0 02                    data offset 10 (40 bytes), flags SYN
//   fa f0                    window 64240
//   65 0b                    checksum over the IPv4 pseudo-header
//   00 00                    urgent pointer
//   02 04 05 b4              MSS 1460
//   04 02                    SACK permitted
//   08 0a 97 85 d8 e4 00 00 00 00   timestamps, TSval 2542131428, TSecr 0
//   01                       NOP
//   03 03 0a                 window scale 10
const syn = hexBytes(capturedTcp.syn.hex).subarray(ETHERNET_HEADER_LENGTH + 20);
const v4: TcpChecksumContext = { family: 4, source: 0x0a000001, destination: 0x0a000002 };
const synRepr: TcpRepr = {
  sourcePort: 57568,
  destinationPort: 5000,
  sequenceNumber: 391075804,
  acknowledgementNumber: 0,
  flags: TcpFlag.syn,
  window: 64240,
  urgentPointer: 0,
  options: [
    { kind: 'maxSegmentSize', maxSegmentSize: 1460 },
    { kind: 'sackPermitted' },
    { kind: 'timestamps', value: 2542131428, echoReply: 0 },
    { kind: 'noOperation' },
    { kind: 'windowScale', shift: 10 },
  ],
  payload: new Uint8Array(0),
};

// b's duplicate ACK with a D-SACK block and a SACK block (RFC 2883), nop nop TS nop nop SACK.
const sack = hexBytes(capturedTcp.sackTwoBlocks.hex).subarray(ETHERNET_HEADER_LENGTH + 20);
const sackContext: TcpChecksumContext = { family: 4, source: 0x0a000002, destination: 0x0a000001 };

// The IPv6 SYN with ECN: flags ECE, CWR and SYN (0xc2), MSS 1440.
const syn6 = hexBytes(capturedTcp.syn6Ecn.hex).subarray(ETHERNET_HEADER_LENGTH + 40);
const v6: TcpChecksumContext = {
  family: 6,
  source: parseIpv6('2001:db8::1') as Uint8Array,
  destination: parseIpv6('2001:db8::2') as Uint8Array,
};

function parsed(bytes: Uint8Array, context: TcpChecksumContext | null): TcpRepr {
  const repr = parseTcp(bytes, context);
  if (isWireError(repr)) throw new Error(repr.error);
  return repr;
}

describe('TCP', () => {
  it('reads a SYN through the view, options in place', () => {
    const view = TcpSegmentView.check(syn);
    if (isWireError(view)) throw new Error(view.error);
    expect(view.sourcePort).toBe(57568);
    expect(view.destinationPort).toBe(5000);
    expect(view.sequenceNumber).toBe(391075804);
    expect(view.acknowledgementNumber).toBe(0);
    expect(view.headerLength).toBe(40);
    expect(view.flags).toBe(TcpFlag.syn);
    expect(view.hasFlag(TcpFlag.ack)).toBe(false);
    expect(view.window).toBe(64240);
    expect(view.checksum).toBe(0x650b);
    expect(view.urgentPointer).toBe(0);
    expect(view.maxSegmentSize).toBe(1460);
    expect(view.isSackPermitted).toBe(true);
    expect(view.timestampValue).toBe(2542131428);
    expect(view.timestampEchoReply).toBe(0);
    expect(view.windowScale).toBe(10);
    expect(view.payload.length).toBe(0);
    expect(view.isChecksumValid(v4)).toBe(true);
    expect(view.isChecksumValid({ ...v4, destination: 0x0a000003 })).toBe(false);
  });

  it('reads ECE, CWR and the urgent pointer', () => {
    const view = TcpSegmentView.check(syn6) as TcpSegmentView;
    expect(view.flags).toBe(TcpFlag.syn | TcpFlag.ece | TcpFlag.cwr);
    expect(view.maxSegmentSize).toBe(1440);
    expect(view.isChecksumValid(v6)).toBe(true);
    const urgent = TcpSegmentView.check(hexBytes(capturedTcp.urgent.hex).subarray(34)) as TcpSegmentView;
    expect(urgent.flags).toBe(TcpFlag.urg | TcpFlag.ack | TcpFlag.psh);
    expect(urgent.urgentPointer).toBe(1);
    expect(urgent.payload).toEqual(new TextEncoder().encode('!'));
  });

  it('writes a SYN through the view, pseudo-header checksum included', () => {
    const bytes = filledBuffer(40);
    bytes.set(syn.subarray(20, 40), 20);
    const view = TcpSegmentView.over(bytes);
    view.sourcePort = 57568;
    view.destinationPort = 5000;
    view.sequenceNumber = 391075804;
    view.acknowledgementNumber = 0;
    view.setHeaderLengthAndFlags(40, TcpFlag.syn);
    view.window = 64240;
    view.urgentPointer = 0;
    view.fillChecksum(v4);
    expect(bytes).toEqual(syn);
  });

  it('parses segments into records over IPv4 and IPv6, verifying their checksums', () => {
    expect(parseTcp(syn, v4)).toEqual(synRepr);
    expect(parsed(sack, sackContext)).toEqual({
      sourcePort: 5100,
      destinationPort: 36338,
      sequenceNumber: 1600674961,
      acknowledgementNumber: 1349414239,
      flags: TcpFlag.ack,
      window: 64,
      urgentPointer: 0,
      options: [
        { kind: 'noOperation' },
        { kind: 'noOperation' },
        { kind: 'timestamps', value: 4223756135, echoReply: 3973098899 },
        { kind: 'noOperation' },
        { kind: 'noOperation' },
        {
          kind: 'sack',
          blocks: [
            { left: 1349416839, right: 1349417039 },
            { left: 1349416839, right: 1349417039 },
          ],
        },
      ],
      payload: new Uint8Array(0),
    });
    const data6 = hexBytes(capturedTcp.data6.hex).subarray(54);
    expect(parsed(data6, v6).payload).toEqual(new TextEncoder().encode('hello6'));
    expect(parsed(data6, v6).flags).toBe(TcpFlag.psh | TcpFlag.ack);
  });

  it('emits records into buffers pre-filled with 0xa5', () => {
    const buf = filledBuffer(tcpBufferLen(synRepr));
    expect(emitTcp(synRepr, buf, 0, v4)).toBe(40);
    expect(buf).toEqual(syn);
    const sackBuf = filledBuffer(sack.length);
    emitTcp(parsed(sack, sackContext), sackBuf, 0, sackContext);
    expect(sackBuf).toEqual(sack);
    const syn6Buf = filledBuffer(syn6.length + 4);
    expect(emitTcp(parsed(syn6, v6), syn6Buf, 4, v6)).toBe(syn6.length);
    expect(syn6Buf.subarray(4)).toEqual(syn6);
    expect(syn6Buf.subarray(0, 4)).toEqual(new Uint8Array(4).fill(0xa5));
  });

  it('pads options to a multiple of 4 with zeros and keeps unknown kinds', () => {
    const repr: TcpRepr = {
      ...synRepr,
      flags: TcpFlag.ack | TcpFlag.ae,
      options: [
        { kind: 'unknown', type: 30, data: new Uint8Array([1, 2, 3]) },
        { kind: 'noOperation' },
        { kind: 'endOfList' },
      ],
    };
    const buf = filledBuffer(tcpBufferLen(repr));
    emitTcp(repr, buf, 0, v4);
    // 1e 05 01 02 03 | 01 | 00 | 00 (padding)
    expect(buf.subarray(12, 14)).toEqual(new Uint8Array([0x71, 0x10]));
    expect(buf.subarray(20)).toEqual(new Uint8Array([0x1e, 0x05, 1, 2, 3, 1, 0, 0]));
    expect(parseTcp(buf, v4)).toEqual(repr);
  });

  it('reads a known kind with an impossible length as unknown, as Linux ignores it', () => {
    const segment = syn.slice();
    segment[21] = 5; // MSS 02 05: the option swallows the next byte (04) …
    segment[25] = 1; // … and 02 of SACK-permitted turns into 01 (NOP), keeping the walk aligned
    const repr = parsed(segment, null);
    expect(repr.options[0]).toEqual({ kind: 'unknown', type: 2, data: new Uint8Array([0x05, 0xb4, 0x04]) });
    const view = TcpSegmentView.check(segment) as TcpSegmentView;
    expect(view.maxSegmentSize).toBeNull();
    expect(view.timestampValue).toBe(2542131428);
    expect(findTcpOption(view.options, 99)).toBe(-1);
  });

  it('rejects a data offset below 5, options past the header, an option length below 2', () => {
    const short = syn.slice();
    short[12] = 0x40;
    expect(parseTcp(short, null)).toEqual({ error: 'badHeaderLength' });
    expect(parseTcp(syn.subarray(0, 39), null)).toEqual({ error: 'truncated' });
    expect(parseTcp(syn.subarray(0, 19), null)).toEqual({ error: 'truncated' });
    const pastHeader = syn.slice();
    pastHeader[38] = 4; // window scale of length 4: one byte past the 40-byte header
    expect(parseTcp(pastHeader, null)).toEqual({ error: 'badOption' });
    const zeroLength = syn.slice();
    zeroLength[21] = 0;
    expect(parseTcp(zeroLength, null)).toEqual({ error: 'badOption' });
    const oneLength = syn.slice();
    oneLength[21] = 1;
    expect(parseTcp(oneLength, null)).toEqual({ error: 'badOption' });
    const lengthMissing = syn.slice();
    lengthMissing.set([1, 1, 0x1e], 37); // nop, nop, then an option whose length byte is not there
    expect(parseTcp(lengthMissing, null)).toEqual({ error: 'badOption' });
    const afterEnd = syn.slice();
    afterEnd[20] = 0; // End of List first: the rest is padding, whatever it holds
    expect(parsed(afterEnd, null).options).toEqual([{ kind: 'endOfList' }]);
  });

  it('rejects a bad checksum over either pseudo-header', () => {
    const corrupted = syn.slice();
    corrupted[30] = (corrupted[30] as number) ^ 0x01;
    expect(parseTcp(corrupted, v4)).toEqual({ error: 'badChecksum' });
    expect(isWireError(parseTcp(corrupted, null))).toBe(false);
    expect(parseTcp(syn6, { ...v6, source: parseIpv6('2001:db8::3') as Uint8Array })).toEqual({ error: 'badChecksum' });
    expect(parseTcp(syn6, { family: 4, source: 0x0a000001, destination: 0x0a000002 })).toEqual({ error: 'badChecksum' });
  });

  it('finds options without building records', () => {
    const view = TcpSegmentView.check(sack) as TcpSegmentView;
    expect(findTcpOption(view.options, TcpOptionKind.sack)).toBe(14);
    expect(findTcpOption(view.options, TcpOptionKind.noOperation)).toBe(0);
    expect(view.maxSegmentSize).toBeNull();
    expect(view.windowScale).toBeNull();
    expect(view.isSackPermitted).toBe(false);
  });
});

/** A parsed segment emitted again, its checksum field zeroed (the bytes were random). */
function reemitted(repr: TcpRepr, original: Uint8Array): Uint8Array {
  const buf = filledBuffer(tcpBufferLen(repr));
  emitTcp(repr, buf, 0, v4);
  buf.fill(0, 16, 18);
  return buf;
}

/** The original bytes as a faithful parse must reproduce them: checksum zeroed, zeros after End of List. */
function withoutPadding(repr: TcpRepr, original: Uint8Array): Uint8Array {
  const copy = original.slice();
  copy.fill(0, 16, 18);
  const optionsLength = repr.options.reduce((sum, option) => sum + tcpOptionLength(option), 0);
  copy.fill(0, 20 + optionsLength, ((copy[12] as number) >>> 4) * 4);
  return copy;
}

describe('TCP properties', () => {
  it('parse ∘ emit is the identity on records over IPv4 and IPv6', () => {
    fc.assert(
      fc.property(tcpReprArb, ipv4Arb, ipv4Arb, ipv6Arb, ipv6Arb, (repr, s4, d4, s6, d6) => {
        for (const context of [
          { family: 4, source: s4, destination: d4 },
          { family: 6, source: s6, destination: d6 },
        ] as const) {
          const buf = filledBuffer(tcpBufferLen(repr));
          expect(emitTcp(repr, buf, 0, context)).toBe(buf.length);
          const again = parseTcp(buf, context);
          expect(again).toEqual(repr);
          const twice = filledBuffer(buf.length);
          emitTcp(again as TcpRepr, twice, 0, context);
          expect(twice).toEqual(buf);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary bytes, only returns a WireError or a record', () => {
    const anyHeader = fc.uint8Array({ maxLength: 80, size: 'max' });
    // Segments whose data offset and options are random but within the bytes, to reach the option walk.
    const randomOptions = fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.uint8Array({ minLength: 60, maxLength: 70 }))
      .map(([units, bytes]) => {
        const segment = bytes.slice();
        segment[12] = (units << 4) | ((segment[12] as number) & 0x0f);
        return segment;
      });
    fc.assert(
      fc.property(fc.oneof(anyHeader, randomOptions), ipv4Arb, ipv6Arb, (bytes, address, address6) => {
        for (const context of [null, { family: 4, source: address, destination: address }, { family: 6, source: address6, destination: address6 }] as const) {
          const result = parseTcp(bytes, context);
          if (isWireError(result)) expect(['truncated', 'badHeaderLength', 'badOption', 'badChecksum']).toContain(result.error);
          else if (tcpBufferLen(result) === bytes.length) expect(reemitted(result, bytes)).toEqual(withoutPadding(result, bytes));
          else {
            // Padding after End of List beyond the next multiple of 4 is not kept.
            expect(result.options.at(-1)).toEqual({ kind: 'endOfList' });
            expect(tcpBufferLen(result)).toBeLessThan(bytes.length);
            expect(result.payload).toEqual(bytes.subarray(((bytes[12] as number) >>> 4) * 4));
          }
        }
        const view = TcpSegmentView.check(bytes);
        if (!isWireError(view)) {
          void view.maxSegmentSize;
          void view.windowScale;
          void view.timestampEchoReply;
          void view.isSackPermitted;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('TCP segments captured from Linux', () => {
  const segments = Object.entries(capturedTcp);

  it('holds handshakes, data, urgent data, FIN, RST, ECN and SACK over IPv4 and IPv6', () => {
    expect(segments.length).toBe(12);
  });

  for (const [name, frame] of segments) {
    it(`${name}: parses with its checksum verified and is emitted again byte for byte`, () => {
      const bytes = hexBytes(frame.hex);
      const isIpv6 = bytes[12] === 0x86 && bytes[13] === 0xdd;
      let segment: Uint8Array;
      let context: TcpChecksumContext;
      if (isIpv6) {
        const packet = parseIpv6Packet(bytes.subarray(ETHERNET_HEADER_LENGTH));
        if (isWireError(packet)) throw new Error(packet.error);
        expect(packet.nextHeader).toBe(IpProtocol.tcp);
        segment = packet.payload;
        context = { family: 6, source: packet.source, destination: packet.destination };
      } else {
        const packet = parseIpv4Packet(bytes.subarray(ETHERNET_HEADER_LENGTH));
        if (isWireError(packet)) throw new Error(packet.error);
        expect(packet.protocol).toBe(IpProtocol.tcp);
        segment = packet.payload;
        context = { family: 4, source: packet.source, destination: packet.destination };
      }
      const repr = parsed(segment, context);
      const buf = filledBuffer(tcpBufferLen(repr));
      emitTcp(repr, buf, 0, context);
      expect(buf).toEqual(segment);
    });
  }
});
