import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from './address.js';
import { emitIcmpv6, icmpv6BufferLen, parseIcmpv6, type Icmpv6Repr } from './icmpv6.js';
import { MldRecordType, emitMldMessage, mldMessageLength, parseMldMessage } from './mld.js';
import { filledBuffer, mldReprArb } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { capturedIpv6 } from './testing/captured-ipv6-frames.js';

const address = (text: string): Uint8Array => parseIpv6(text) as Uint8Array;

// The MLDv2 report Linux sends when it joins the solicited-node group of fe80::ff:fe00:1
// (testing/captured-frames.ts), after Ethernet, the IPv6 header and an 8-byte Hop-by-Hop header
// with the Router Alert option:
//   8f 00 72 07   type 143, code 0, checksum
//   00 00 00 01   reserved, 1 address record
//   04 00 00 00   record type 4 (change to exclude), no auxiliary data, no sources
//   ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 01   ff02::1:ff00:1
const frame = hexBytes(captured.mldv2ReportHopByHop.hex);
const report = frame.subarray(62);
const context = { source: frame.subarray(22, 38), destination: frame.subarray(38, 54) };

describe('MLD', () => {
  it('parses the MLDv2 report Linux sends for a solicited-node group, checksum included', () => {
    expect(parseIcmpv6(report, context)).toEqual({
      kind: 'mldv2Report',
      records: [
        {
          recordType: MldRecordType.changeToExclude,
          multicastAddress: address('ff02::1:ff00:1'),
          sources: [],
          auxiliaryData: new Uint8Array(0),
        },
      ],
    });
  });

  it('emits it again byte for byte into a buffer pre-filled with 0xa5', () => {
    const repr = parseIcmpv6(report, context) as Icmpv6Repr;
    const buf = filledBuffer(icmpv6BufferLen(repr));
    expect(emitIcmpv6(repr, buf, 0, context)).toBe(28);
    expect(buf).toEqual(report);
  });

  it('parses the general MLDv2 query a Linux bridge sends as querier', () => {
    // After the Hop-by-Hop header (Router Alert): 82 00 e6 62 (type 130, checksum), 27 10 (Max Resp
    // Code 10000), 00 00, group :: (a general query), 02 (S = 0, QRV 2), 7d (QQIC 125), 00 00 sources.
    const query = hexBytes(capturedIpv6.mldv2Query.hex);
    const queryContext = { source: query.subarray(22, 38), destination: query.subarray(38, 54) };
    const repr = parseIcmpv6(query.subarray(62), queryContext);
    expect(repr).toEqual({
      kind: 'mldv2Query',
      maxResponseCode: 10000,
      multicastAddress: new Uint8Array(16),
      suppressRouterProcessing: false,
      robustness: 2,
      queryIntervalCode: 125,
      sources: [],
    });
    const buf = filledBuffer(28);
    emitIcmpv6(repr as Icmpv6Repr, buf, 0, queryContext);
    expect(buf).toEqual(query.subarray(62));
  });

  it('tells an MLDv1 query (24 bytes) from an MLDv2 query (28 and more), and refuses 25 to 27', () => {
    const v1 = filledBuffer(24);
    emitMldMessage({ kind: 'mldQuery', maxResponseDelay: 10000, multicastAddress: new Uint8Array(16) }, v1);
    expect(Array.from(v1.subarray(4, 8))).toEqual([0x27, 0x10, 0, 0]);
    expect(parseMldMessage(v1, 'mldQuery')).toMatchObject({ kind: 'mldQuery', maxResponseDelay: 10000 });
    const v2Repr = {
      kind: 'mldv2Query' as const,
      maxResponseCode: 10000,
      multicastAddress: new Uint8Array(16),
      suppressRouterProcessing: true,
      robustness: 2,
      queryIntervalCode: 125,
      sources: [address('2001:db8::7')],
    };
    const v2 = filledBuffer(mldMessageLength(v2Repr));
    emitMldMessage(v2Repr, v2);
    expect(Array.from(v2.subarray(24, 28))).toEqual([0x0a, 125, 0, 1]);
    expect(parseMldMessage(v2, 'mldQuery')).toEqual(v2Repr);
    expect(parseMldMessage(v2.subarray(0, 26), 'mldQuery')).toEqual({ error: 'badLength' });
    expect(parseMldMessage(v2.subarray(0, 43), 'mldQuery')).toEqual({ error: 'truncated' });
  });

  it('refuses a report whose records run past the message', () => {
    const cut = report.slice(0, 27);
    expect(parseMldMessage(cut, 'mldv2Report')).toEqual({ error: 'truncated' });
    const counted = report.slice();
    counted[7] = 200;
    expect(parseMldMessage(counted, 'mldv2Report')).toEqual({ error: 'truncated' });
    const withSources = report.slice();
    withSources[11] = 1; // one source announced, none present
    expect(parseMldMessage(withSources, 'mldv2Report')).toEqual({ error: 'truncated' });
  });

  it('parse ∘ emit is the identity on records', () => {
    fc.assert(
      fc.property(mldReprArb, (repr) => {
        const buf = filledBuffer(mldMessageLength(repr));
        buf[0] = 0;
        emitMldMessage(repr, buf);
        expect(parseMldMessage(buf, repr.kind === 'mldv2Query' ? 'mldQuery' : repr.kind)).toEqual(repr);
      }),
    );
  });
});
