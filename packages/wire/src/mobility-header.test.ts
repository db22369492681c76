import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from './address.js';
import { describeFrame } from './describe.js';
import { walkIpv6ExtensionHeaders } from './ipv6-extension-headers.js';
import {
  BindingAckStatus,
  MAX_MOBILITY_OPTIONS,
  MobilityHeaderView,
  alignMobilityOptions,
  describeMobilityMessage,
  emitMobilityHeader,
  mobilityChecksumAddresses,
  mobilityHeaderBufferLen,
  parseMobilityHeader,
  type MobilityHeaderRepr,
  type MobilityMessage,
  type MobilityOption,
} from './mobility-header.js';
import { filledBuffer, ipv6Arb, u16, u8 } from './testing/arbitraries.js';
import { hexBytes, toHex } from './testing/captured-frames.js';
import { capturedMobility } from './testing/captured-mobility-frames.js';
import { isWireError } from './wire-error.js';

const address = (text: string): Uint8Array => parseIpv6(text) as Uint8Array;
const hoa = address('2001:db8:1::100');
const coa = address('2001:db8:2::100');
const coa2 = address('2001:db8:3::100');
const ha = address('2001:db8:1::1');

/** A frame's Mobility Header (after its extension headers) and the checksum's pseudo-header addresses (§6.1.1). */
function mobilityOf(hex: string): { mh: Uint8Array; context: { source: Uint8Array; destination: Uint8Array }; wireSource: Uint8Array } {
  const frame = hexBytes(hex);
  const chain = walkIpv6ExtensionHeaders(frame[20] ?? 0, frame.subarray(54));
  if (isWireError(chain)) throw new Error(chain.error);
  const wireSource = frame.subarray(22, 38);
  return {
    mh: frame.subarray(54 + chain.upperLayerOffset),
    context: mobilityChecksumAddresses(wireSource, frame.subarray(38, 54), chain.headers),
    wireSource,
  };
}

// The bulk registration scapy built (testing/captured-mobility-frames.ts), after the HAO header:
//   3b 06 05 00      payload proto 59, Header Len 6 (56 bytes), MH type 5 (BU), reserved
//   fe 20            checksum, pseudo-header source = the HAO's 2001:db8:1::100
//   00 07 c0 00 00 fa   sequence 7, flags A|H, lifetime 250 (× 4 s = 1000 s)
//   23 14 00 01 00 00 20 01 0d b8 00 02 … 01 00   BID option: length 20, BID 1, status 0, no H, CoA 2001:db8:2::100
//   23 14 00 02 00 00 20 01 0d b8 00 03 … 01 00   BID 2 with CoA 2001:db8:3::100
const bulk = mobilityOf(capturedMobility.bindingUpdateBulk.hex);
const bulkRepr: MobilityHeaderRepr = {
  payloadProto: 59,
  message: {
    kind: 'bindingUpdate',
    sequence: 7,
    acknowledge: true,
    homeRegistration: true,
    linkLocalCompatibility: false,
    keyManagement: false,
    overwrite: false,
    otherFlags: 0,
    lifetime: 250,
  },
  options: [
    { kind: 'bindingIdentifier', bindingId: 1, status: 0, simultaneousHomeAndForeign: false, priority: 0, careOfAddress: coa },
    { kind: 'bindingIdentifier', bindingId: 2, status: 0, simultaneousHomeAndForeign: false, priority: 0, careOfAddress: coa2 },
  ],
};

// The BA back through a type 2 routing header (pseudo-header destination = the HoA it carries):
//   3b 02 06 00 1a 5d   proto 59, 24 bytes, MH type 6 (BA), checksum
//   00 00 00 07 00 fa   status 0, no K, sequence 7, lifetime 250
//   23 04 00 01 00 00 23 04 00 02 00 00   BID 1 and BID 2, status 0, no CoA
const ack = mobilityOf(capturedMobility.bindingAcknowledgement.hex);
const ackRepr: MobilityHeaderRepr = {
  payloadProto: 59,
  message: { kind: 'bindingAcknowledgement', status: 0, keyManagement: false, sequence: 7, lifetime: 250 },
  options: [
    { kind: 'bindingIdentifier', bindingId: 1, status: 0, simultaneousHomeAndForeign: false, priority: 0 },
    { kind: 'bindingIdentifier', bindingId: 2, status: 0, simultaneousHomeAndForeign: false, priority: 0 },
  ],
};

describe('the Mobility Header', () => {
  it('reads the bulk binding update scapy built through the view', () => {
    const view = MobilityHeaderView.check(bulk.mh);
    if (isWireError(view)) throw new Error(view.error);
    expect([view.payloadProto, view.headerLength, view.length, view.mhType, view.checksum]).toEqual([59, 6, 56, 5, 0xfe20]);
    expect(toHex(view.messageData.subarray(0, 6))).toBe('0007c00000fa');
    expect(view.isChecksumValid(bulk.context)).toBe(true);
  });

  it('writes a binding acknowledgement through the view, checksum included', () => {
    const bytes = filledBuffer(ack.mh.length);
    bytes.set(ack.mh.subarray(6), 6);
    const view = MobilityHeaderView.over(bytes);
    view.payloadProto = 59;
    view.headerLength = 2;
    view.mhType = 6;
    bytes[3] = 0;
    view.fillChecksum(ack.context);
    expect(toHex(bytes)).toBe(toHex(ack.mh));
  });

  it('parses the bulk binding update and the binding acknowledgement into records', () => {
    expect(parseMobilityHeader(bulk.mh, bulk.context)).toEqual(bulkRepr);
    expect(parseMobilityHeader(ack.mh, ack.context)).toEqual(ackRepr);
  });

  it('emits the same bytes scapy built, checksum over the home address included, over a 0xa5 buffer', () => {
    for (const [repr, frame] of [
      [bulkRepr, bulk],
      [ackRepr, ack],
    ] as const) {
      const buf = filledBuffer(mobilityHeaderBufferLen(repr) + 4);
      expect(emitMobilityHeader(repr, buf, 2, frame.context)).toBe(frame.mh.length);
      expect(toHex(buf.subarray(2, 2 + frame.mh.length))).toBe(toHex(frame.mh));
      expect([buf[0], buf[1], buf[buf.length - 1]]).toEqual([0xa5, 0xa5, 0xa5]);
    }
  });

  it('parses and re-emits every message scapy built byte for byte (return routability, BRR, BE, the CN binding update)', () => {
    for (const [name, frame] of Object.entries(capturedMobility)) {
      if (name === 'bindingUpdateChecksumOverCareOf') continue;
      const { mh, context } = mobilityOf(frame.hex);
      const repr = parseMobilityHeader(mh, context);
      if (isWireError(repr)) throw new Error(`${name}: ${repr.error}`);
      const buf = filledBuffer(mobilityHeaderBufferLen(repr));
      emitMobilityHeader(repr, buf, 0, context);
      expect(toHex(buf), name).toBe(toHex(mh));
    }
  });

  it('reads the options of the binding update to a correspondent and the return-routability messages', () => {
    const correspondent = mobilityOf(capturedMobility.bindingUpdateCorrespondent.hex);
    const repr = parseMobilityHeader(correspondent.mh, correspondent.context) as MobilityHeaderRepr;
    expect(repr.message).toMatchObject({ kind: 'bindingUpdate', sequence: 3, acknowledge: true, homeRegistration: false, lifetime: 100 });
    expect(repr.options.filter((o) => o.kind !== 'pad1' && o.kind !== 'padN')).toEqual([
      { kind: 'bindingRefreshAdvice', interval: 60 },
      { kind: 'nonceIndices', homeNonceIndex: 0x1234, careOfNonceIndex: 0x5678 },
      { kind: 'bindingAuthorizationData', authenticator: new Uint8Array(12).fill(0xc0) },
    ]);
    const homeTest = mobilityOf(capturedMobility.homeTest.hex);
    expect(parseMobilityHeader(homeTest.mh, homeTest.context)).toEqual({
      payloadProto: 59,
      message: { kind: 'homeTest', nonceIndex: 0x1234, cookie: hexBytes('0102030405060708'), keygenToken: hexBytes('a1a2a3a4a5a6a7a8') },
      options: [],
    });
    const error = mobilityOf(capturedMobility.bindingError.hex);
    expect(parseMobilityHeader(error.mh, error.context)).toEqual({ payloadProto: 59, message: { kind: 'bindingError', status: 2, homeAddress: hoa }, options: [] });
    const alternate = mobilityOf(capturedMobility.bindingUpdateAlternateCoa.hex);
    expect((parseMobilityHeader(alternate.mh, alternate.context) as MobilityHeaderRepr).options).toEqual([
      { kind: 'padN', data: new Uint8Array(0) },
      { kind: 'alternateCareOfAddress', address: coa2 },
    ]);
  });

  it('finds the checksum of the seed\'s fault (computed over the care-of address) wrong, and right only over the care-of address', () => {
    const wrong = mobilityOf(capturedMobility.bindingUpdateChecksumOverCareOf.hex);
    expect(wrong.context.source).toEqual(hoa);
    expect(parseMobilityHeader(wrong.mh, wrong.context)).toEqual({ error: 'badChecksum' });
    expect(parseMobilityHeader(wrong.mh, { source: wrong.wireSource, destination: ha })).toEqual(bulkRepr);
    // And the right one the other way round.
    expect(parseMobilityHeader(bulk.mh, { source: coa, destination: ha })).toEqual({ error: 'badChecksum' });
  });

  it('aligns options as §6.2 asks: the alternate care-of address at 8n+6, binding authorization data at 8n+2', () => {
    const bu: MobilityMessage = { ...(bulkRepr.message as Extract<MobilityMessage, { kind: 'bindingUpdate' }>) };
    const options = alignMobilityOptions(bu, [
      { kind: 'alternateCareOfAddress', address: coa },
      { kind: 'nonceIndices', homeNonceIndex: 1, careOfNonceIndex: 2 },
      { kind: 'bindingAuthorizationData', authenticator: new Uint8Array(12) },
    ]);
    expect(options.map((o) => o.kind)).toEqual(['padN', 'alternateCareOfAddress', 'nonceIndices', 'padN', 'bindingAuthorizationData']);
    // A BU's options start at 12: a PadN of 2 puts the CoA at 14 = 8n+6; 14 + 18 = 32 for the nonce indices (2n);
    // they end at 38, a PadN of 4 puts the authorization data at 42 = 8n+2.
    expect(options[0]).toEqual({ kind: 'padN', data: new Uint8Array(0) });
    expect(options[3]).toEqual({ kind: 'padN', data: new Uint8Array(2) });
  });

  it('refuses a header shorter than its length, a body shorter than its type, and an option past the end', () => {
    expect(parseMobilityHeader(bulk.mh.subarray(0, 7), null)).toEqual({ error: 'truncated' });
    expect(parseMobilityHeader(bulk.mh.subarray(0, 48), null)).toEqual({ error: 'truncated' });
    // A HoT (type 3) with Header Len 0: 8 bytes, shorter than its 24.
    expect(parseMobilityHeader(hexBytes('3b00030000000000'), null)).toEqual({ error: 'badLength' });
    // A 16-byte BRR whose option (at 8: PadN) claims 9 bytes where 6 are left.
    expect(parseMobilityHeader(hexBytes('3b010000000000000109000000000000'), null)).toEqual({ error: 'badOption' });
    // Unknown MH types parse as other.
    expect(parseMobilityHeader(hexBytes('3b00080000000000'), null)).toMatchObject({ message: { kind: 'other', type: 8 } });
  });

  it('bounds the options of one message', () => {
    const many = new Uint8Array(8 + 8 * 64).fill(0);
    many[0] = 59;
    many[1] = 64;
    many[2] = 0;
    // Everything after the 8-byte BRR is Pad1: 512 options, above the bound.
    expect(512).toBeGreaterThan(MAX_MOBILITY_OPTIONS);
    expect(parseMobilityHeader(many, null)).toEqual({ error: 'badOption' });
  });

  it('describes each message as tcpdump -n printed it for the same bytes', () => {
    for (const [name, frame] of Object.entries(capturedMobility)) expect(describeFrame(hexBytes(frame.hex)), name).toBe(frame.tcpdump);
    expect(describeFrame(hexBytes(capturedMobility.homeTest.hex).subarray(0, 14 + 40 + 10))).toMatch(/\[malformed/);
  });

  it('round-trips random messages through emit and parse, checksum verified', () => {
    const cookie = fc.uint8Array({ minLength: 8, maxLength: 8 });
    const messageArb: fc.Arbitrary<MobilityMessage> = fc.oneof(
      fc.constant<MobilityMessage>({ kind: 'bindingRefreshRequest' }),
      fc.record({ kind: fc.constantFrom('homeTestInit' as const, 'careOfTestInit' as const), cookie }),
      fc.record({ kind: fc.constantFrom('homeTest' as const, 'careOfTest' as const), nonceIndex: u16, cookie, keygenToken: cookie }),
      fc.record({
        kind: fc.constant('bindingUpdate' as const),
        sequence: u16,
        acknowledge: fc.boolean(),
        homeRegistration: fc.boolean(),
        linkLocalCompatibility: fc.boolean(),
        keyManagement: fc.boolean(),
        overwrite: fc.boolean(),
        otherFlags: fc.integer({ min: 0, max: 0xfff }).map((bits) => bits & ~0x0004 & 0x0fff),
        lifetime: u16,
      }),
      fc.record({ kind: fc.constant('bindingAcknowledgement' as const), status: u8, keyManagement: fc.boolean(), sequence: u16, lifetime: u16 }),
      fc.record({ kind: fc.constant('bindingError' as const), status: u8, homeAddress: ipv6Arb }),
    );
    const optionArb: fc.Arbitrary<MobilityOption> = fc.oneof(
      fc.record({ kind: fc.constant('bindingRefreshAdvice' as const), interval: u16 }),
      fc.record({ kind: fc.constant('alternateCareOfAddress' as const), address: ipv6Arb }),
      fc.record({ kind: fc.constant('nonceIndices' as const), homeNonceIndex: u16, careOfNonceIndex: u16 }),
      fc.record({ kind: fc.constant('bindingAuthorizationData' as const), authenticator: fc.uint8Array({ minLength: 12, maxLength: 12 }) }),
      fc.record(
        {
          kind: fc.constant('bindingIdentifier' as const),
          bindingId: u16,
          status: u8,
          simultaneousHomeAndForeign: fc.boolean(),
          priority: fc.integer({ min: 0, max: 127 }),
          careOfAddress: fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), ipv6Arb),
        },
        { requiredKeys: ['kind', 'bindingId', 'status', 'simultaneousHomeAndForeign', 'priority'] },
      ),
    );
    fc.assert(
      fc.property(messageArb, fc.array(optionArb, { maxLength: 4 }), ipv6Arb, ipv6Arb, (message, options, source, destination) => {
        const repr: MobilityHeaderRepr = { payloadProto: 59, message, options: alignMobilityOptions(message, options) };
        const buf = filledBuffer(mobilityHeaderBufferLen(repr));
        emitMobilityHeader(repr, buf, 0, { source, destination });
        const parsed = parseMobilityHeader(buf, { source, destination });
        if (isWireError(parsed)) throw new Error(parsed.error);
        expect(parsed.message).toEqual(message);
        expect(parsed.options.filter((o) => o.kind !== 'pad1' && o.kind !== 'padN')).toEqual(options);
      }),
      { seed: 18, numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes: a record or a WireError, and a description', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.boolean(), (bytes, withContext) => {
        const parsed = parseMobilityHeader(bytes, withContext ? { source: hoa, destination: ha } : null);
        if (isWireError(parsed)) expect(['truncated', 'badLength', 'badOption', 'badChecksum']).toContain(parsed.error);
        else {
          // Only a message wholly present parses, and its record takes the bytes its Header Len says.
          const length = ((bytes[1] ?? 0) + 1) * 8;
          expect(length).toBeLessThanOrEqual(bytes.length);
          expect(mobilityHeaderBufferLen(parsed)).toBe(length);
        }
        expect(describeMobilityMessage(bytes)).toMatch(/^(mobility: |\[malformed)/);
      }),
      { seed: 135, numRuns: 2000 },
    );
  });

  it('names the binding acknowledgement status codes of RFC 6275 and RFC 5648', () => {
    expect([BindingAckStatus.accepted, BindingAckStatus.mcoaNotComplete, BindingAckStatus.notHomeAgentForThisMobileNode, BindingAckStatus.sequenceNumberOutOfWindow]).toEqual([0, 4, 133, 135]);
    expect([BindingAckStatus.mcoaMalformed, BindingAckStatus.mcoaNonMcoaBindingExists, BindingAckStatus.mcoaBulkRegistrationProhibited]).toEqual([164, 165, 168]);
  });
});
