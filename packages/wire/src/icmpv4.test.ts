import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Icmpv4MessageView,
  Icmpv4Type,
  RedirectCode,
  UnreachableCode,
  emitIcmpv4,
  icmpv4BufferLen,
  parseIcmpv4,
  type Icmpv4Repr,
} from './icmpv4.js';
import { parseQuotedIpv4Packet } from './ipv4.js';
import { filledBuffer, icmpv4ReprArb } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { isWireError } from './wire-error.js';

/** The ICMP message inside a captured frame (after Ethernet and a 20-byte IPv4 header). */
function icmpOf(hex: string): Uint8Array {
  return hexBytes(hex).subarray(34);
}

// Echo request from `ping 10.0.0.254` on Linux (testing/captured-frames.ts):
//   08 00      type 8 (echo request), code 0
//   2f 5d      checksum
//   36 1f      identifier 13855
//   00 01      sequence 1
//   52 aa 01 6b 00 00 00 00 72 9a 0d 00 00 00 00 00   timestamp (struct timeval)
//   10 11 12 … 37                                      ping's fill pattern
const echoRequest = icmpOf(captured.icmpEchoRequest.hex);

// Redirect from Linux router 10.0.0.254 ("redirect 10.9.0.1 to host 10.0.0.3"):
//   05 01      type 5, code 1 (host)
//   f0 fb      checksum
//   0a 00 00 03                 gateway 10.0.0.3
//   45 00 00 54 e8 a2 40 00 3f 01 …   the quoted datagram: its IP header (TTL already 63)
//   08 00 df b5 27 c3 00 01 …         and the whole echo request (Linux quotes up to 576 bytes)
const redirect = icmpOf(captured.icmpRedirectHost.hex);

// Fragmentation needed from the router in front of an MTU-1300 link (ping -M do -s 1400):
//   03 04      type 3, code 4
//   0e b5      checksum
//   00 00 05 14   unused, next-hop MTU 1300
//   45 00 05 94 …  the quoted datagram (528 bytes)
const fragmentationNeeded = icmpOf(captured.icmpFragmentationNeeded.hex);

describe('ICMPv4', () => {
  it('reads an echo request through the view', () => {
    const view = Icmpv4MessageView.check(echoRequest);
    if (isWireError(view)) throw new Error(view.error);
    expect(view.type).toBe(Icmpv4Type.echoRequest);
    expect(view.code).toBe(0);
    expect(view.checksum).toBe(0x2f5d);
    expect(view.identifier).toBe(13855);
    expect(view.sequence).toBe(1);
    expect(view.body.length).toBe(56);
    expect(view.isChecksumValid).toBe(true);
  });

  it('reads the gateway of a redirect and the MTU of fragmentation needed through the view', () => {
    expect((Icmpv4MessageView.check(redirect) as Icmpv4MessageView).gateway).toBe(0x0a000003);
    expect((Icmpv4MessageView.check(fragmentationNeeded) as Icmpv4MessageView).nextHopMtu).toBe(1300);
  });

  it('writes an echo request through the view', () => {
    const bytes = filledBuffer(echoRequest.length);
    bytes.set(echoRequest.subarray(8), 8);
    const view = Icmpv4MessageView.over(bytes);
    view.type = Icmpv4Type.echoRequest;
    view.code = 0;
    view.identifier = 13855;
    view.sequence = 1;
    view.fillChecksum();
    expect(bytes).toEqual(echoRequest);
  });

  it('parses echo, redirect and fragmentation-needed messages into records', () => {
    expect(parseIcmpv4(echoRequest)).toEqual({
      kind: 'echoRequest',
      identifier: 13855,
      sequence: 1,
      data: echoRequest.subarray(8),
    });
    expect(parseIcmpv4(redirect)).toEqual({
      kind: 'redirect',
      code: RedirectCode.host,
      gateway: 0x0a000003,
      datagram: redirect.subarray(8),
    });
    expect(parseIcmpv4(fragmentationNeeded)).toEqual({
      kind: 'destinationUnreachable',
      code: UnreachableCode.fragmentationNeeded,
      nextHopMtu: 1300,
      datagram: fragmentationNeeded.subarray(8),
    });
  });

  it('parses time exceeded and port unreachable with their quoted datagrams', () => {
    const timeExceeded = icmpOf(captured.icmpTimeExceededQuotingUdp.hex);
    expect(parseIcmpv4(timeExceeded)).toEqual({ kind: 'timeExceeded', code: 0, datagram: timeExceeded.subarray(8) });
    const portUnreachable = icmpOf(captured.icmpPortUnreachable.hex);
    expect(parseIcmpv4(portUnreachable)).toEqual({
      kind: 'destinationUnreachable',
      code: UnreachableCode.port,
      nextHopMtu: 0,
      datagram: portUnreachable.subarray(8),
    });
  });

  it('emits records into buffers pre-filled with 0xa5', () => {
    for (const message of [echoRequest, redirect, fragmentationNeeded]) {
      const repr = parseIcmpv4(message) as Icmpv4Repr;
      const buf = filledBuffer(icmpv4BufferLen(repr));
      expect(emitIcmpv4(repr, buf)).toBe(message.length);
      expect(buf).toEqual(message);
    }
  });

  it('emits a parameter problem with its pointer', () => {
    // RFC 792: type 12, code 0, pointer 1 (the TOS octet), then the quoted header.
    const quoted = hexBytes(captured.icmpEchoRequest.hex).subarray(14, 42);
    const buf = filledBuffer(8 + quoted.length);
    emitIcmpv4({ kind: 'parameterProblem', code: 0, pointer: 1, datagram: quoted }, buf);
    expect(Array.from(buf.subarray(0, 8), (byte, i) => (i === 2 || i === 3 ? -1 : byte))).toEqual([
      12, 0, -1, -1, 1, 0, 0, 0,
    ]);
    expect(parseIcmpv4(buf)).toEqual({ kind: 'parameterProblem', code: 0, pointer: 1, datagram: quoted });
  });

  it('rejects a bad checksum and a short message', () => {
    const corrupted = echoRequest.slice();
    corrupted[10] = (corrupted[10] ?? 0) ^ 1;
    expect(parseIcmpv4(corrupted)).toEqual({ error: 'badChecksum' });
    expect(parseIcmpv4(echoRequest.subarray(0, 7))).toEqual({ error: 'truncated' });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60, size: 'max' }), (bytes) => {
        void parseIcmpv4(bytes);
        void parseIcmpv4(bytes, { verifyChecksum: false });
      }),
    );
  });

  it('parse ∘ emit is the identity on records, and emit ∘ parse on messages', () => {
    fc.assert(
      fc.property(icmpv4ReprArb, (repr) => {
        const buf = filledBuffer(icmpv4BufferLen(repr));
        emitIcmpv4(repr, buf);
        const parsed = parseIcmpv4(buf);
        expect(parsed).toEqual(repr);
        const again = filledBuffer(buf.length);
        emitIcmpv4(parsed as Icmpv4Repr, again);
        expect(again).toEqual(buf);
      }),
    );
  });
});

describe('ICMPv4 errors and their quoted datagrams', () => {
  it('recovers the echo identifier and sequence from a time exceeded, as ping needs', () => {
    const timeExceeded = parseIcmpv4(icmpOf(captured.icmpTimeExceeded.hex));
    if (isWireError(timeExceeded) || timeExceeded.kind !== 'timeExceeded') throw new Error('not time exceeded');
    const quoted = parseQuotedIpv4Packet(timeExceeded.datagram);
    if (isWireError(quoted)) throw new Error(quoted.error);
    expect([quoted.source, quoted.destination, quoted.ttl, quoted.protocol]).toEqual([0x0a000001, 0x0a000902, 1, 1]);
    const echo = parseIcmpv4(quoted.payload, { verifyChecksum: false });
    expect(echo).toMatchObject({ kind: 'echoRequest', identifier: 13856, sequence: 1 });
  });

  it('accepts a quote shorter than the original datagram, but not a cut header', () => {
    const datagram = icmpOf(captured.icmpPortUnreachable.hex).subarray(8);
    const firstEight = parseQuotedIpv4Packet(datagram.subarray(0, 28));
    expect(isWireError(firstEight) ? firstEight : firstEight.payload.length).toBe(8);
    expect(parseQuotedIpv4Packet(datagram.subarray(0, 19))).toEqual({ error: 'truncated' });
  });

  it('ignores unused header bytes of an error, as Linux does', () => {
    const message = icmpOf(captured.icmpTimeExceeded.hex).slice();
    message[5] = 17; // an RFC 4884 length, say
    const view = Icmpv4MessageView.over(message);
    view.fillChecksum();
    expect(parseIcmpv4(message)).toMatchObject({ kind: 'timeExceeded', code: 0 });
  });
});
