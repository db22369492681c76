/**
 * Mobility Header messages netloom emits, in Ethernet/IPv6 frames as a mobile node and a home
 * agent send them (the BU behind a Destination Options header with the Home Address option, the
 * BA behind a type 2 routing header), handed to tshark: each must dissect without a malformed
 * packet or an error-level expert note, with the fields read back as written (BIDs and their
 * care-of addresses, sequence numbers, lifetimes, statuses). Wireshark 4.0 has no Mobility Header
 * checksum check (no `mip6` check_checksum preference; it prints the field unverified), so the
 * checksum's outside reference is scapy's bytes (mobility-header.test.ts emits them exactly).
 * Skipped (or failed under CI=true) without tshark.
 */
import { expect } from 'vitest';
import { parseIpv6 } from './address.js';
import { buildIpv6Frame } from './builders.js';
import { IpProtocol } from './ipv4.js';
import { EXTENSION_HEADER_PROTOCOL, emitIpv6ExtensionHeaders, ipv6ExtensionHeaderLength, type Ipv6ExtensionHeader } from './ipv6-extension-headers.js';
import { alignMobilityOptions, emitMobilityHeader, mobilityChecksumAddresses, mobilityHeaderBufferLen, type MobilityHeaderRepr, type MobilityMessage, type MobilityOption } from './mobility-header.js';
import { needs } from './testing/test-environment.js';
import { dissectWithTshark } from './testing/tshark.js';

const address = (text: string): Uint8Array => parseIpv6(text) as Uint8Array;
const macA = new Uint8Array([2, 0, 0, 0, 0, 1]);
const macB = new Uint8Array([2, 0, 0, 0, 0, 2]);
const hoa = address('2001:db8:1::100');
const coa = address('2001:db8:2::100');
const coa2 = address('2001:db8:3::100');
const ha = address('2001:db8:1::1');
const cn = address('2001:db8:9::9');

/** A Mobility Header from `source` to `destination` behind `headers`, checksummed as §6.1.1 says. */
function frameOf(source: Uint8Array, destination: Uint8Array, headers: Ipv6ExtensionHeader[], message: MobilityMessage, options: MobilityOption[] = []): Uint8Array {
  const repr: MobilityHeaderRepr = { payloadProto: IpProtocol.noNextHeader, message, options: alignMobilityOptions(message, options) };
  const headersLength = headers.reduce((sum, header) => sum + ipv6ExtensionHeaderLength(header), 0);
  const payload = new Uint8Array(headersLength + mobilityHeaderBufferLen(repr));
  emitIpv6ExtensionHeaders(headers, payload, 0);
  emitMobilityHeader(repr, payload, headersLength, mobilityChecksumAddresses(source, destination, headers));
  const first = headers[0] === undefined ? IpProtocol.mobility : EXTENSION_HEADER_PROTOCOL[headers[0].kind];
  return buildIpv6Frame(macA, macB, { source, destination, nextHeader: first }, payload);
}

const homeAddressOption: Ipv6ExtensionHeader = {
  kind: 'destinationOptions',
  nextHeader: IpProtocol.mobility,
  options: [{ kind: 'padN', data: new Uint8Array(2) }, { kind: 'homeAddress', address: hoa }],
};
const routingType2: Ipv6ExtensionHeader = { kind: 'routingType2', nextHeader: IpProtocol.mobility, segmentsLeft: 1, homeAddress: hoa };
const bindingUpdate = (sequence: number, homeRegistration = true): MobilityMessage => ({
  kind: 'bindingUpdate',
  sequence,
  acknowledge: true,
  homeRegistration,
  linkLocalCompatibility: false,
  keyManagement: false,
  overwrite: false,
  otherFlags: 0,
  lifetime: 15,
});
const bid = (bindingId: number, careOfAddress?: Uint8Array, status = 0): MobilityOption => ({
  kind: 'bindingIdentifier',
  bindingId,
  status,
  simultaneousHomeAndForeign: false,
  priority: 0,
  ...(careOfAddress !== undefined ? { careOfAddress } : {}),
});

const frames = [
  frameOf(coa, ha, [homeAddressOption], bindingUpdate(41), [bid(1, coa), bid(2, coa2)]),
  frameOf(coa, ha, [homeAddressOption], bindingUpdate(42), [bid(2)]),
  frameOf(ha, coa, [routingType2], { kind: 'bindingAcknowledgement', status: 4, keyManagement: false, sequence: 41, lifetime: 15 }, [bid(1, undefined, 0), bid(2, undefined, 167)]),
  frameOf(ha, hoa, [], { kind: 'bindingRefreshRequest' }),
  frameOf(ha, coa, [], { kind: 'bindingError', status: 1, homeAddress: hoa }),
  frameOf(hoa, cn, [], { kind: 'homeTestInit', cookie: new Uint8Array(8).fill(1) }),
  frameOf(coa, cn, [], { kind: 'careOfTestInit', cookie: new Uint8Array(8).fill(2) }),
  frameOf(cn, hoa, [], { kind: 'homeTest', nonceIndex: 7, cookie: new Uint8Array(8).fill(1), keygenToken: new Uint8Array(8).fill(3) }),
  frameOf(cn, coa, [], { kind: 'careOfTest', nonceIndex: 8, cookie: new Uint8Array(8).fill(2), keygenToken: new Uint8Array(8).fill(4) }),
  frameOf(coa, cn, [homeAddressOption], bindingUpdate(3, false), [
    { kind: 'bindingRefreshAdvice', interval: 60 },
    { kind: 'nonceIndices', homeNonceIndex: 7, careOfNonceIndex: 8 },
    { kind: 'alternateCareOfAddress', address: coa },
    { kind: 'bindingAuthorizationData', authenticator: new Uint8Array(12).fill(0xc0) },
  ]),
];

const tshark = needs({ tools: ['tshark'] });

tshark.it('dissects every Mobility Header message netloom emits without a malformed packet or an error', () => {
  const dissections = dissectWithTshark(frames, []);
  expect(dissections.length).toBe(frames.length);
  const problems = dissections
    .map((text, i) => {
      const bad = text.split('\n').find((row) => /Malformed|\[Expert Info \((Error|Warning)/.test(row));
      return bad === undefined && /Mobile IPv6/.test(text) ? '' : `frame ${i}: ${bad?.trim() ?? 'no Mobile IPv6 layer'}`;
    })
    .filter((problem) => problem !== '');
  expect(problems).toEqual([]);
  const types = dissections.map((text) => /Mobility Header Type: ([^\n]*)/.exec(text)?.[1]);
  expect(types).toEqual([
    'Binding Update (5)',
    'Binding Update (5)',
    'Binding Acknowledgement (6)',
    'Binding Refresh Request (0)',
    'Binding Error (7)',
    'Home Test Init (1)',
    'Care-of Test Init (2)',
    'Home Test (3)',
    'Care-of Test (4)',
    'Binding Update (5)',
  ]);
});

tshark.it('reads back the bindings of a bulk registration and the per-BID status of its acknowledgement', () => {
  const [bulk, , ack, , error] = dissectWithTshark(frames, []);
  expect(bulk).toMatch(/MIPv6 Home Address: 2001:db8:1::100/);
  expect(bulk).toMatch(/Sequence number: 41/);
  expect(bulk).toMatch(/Lifetime: 15 \(60 seconds\)/);
  expect([...(bulk ?? '').matchAll(/Binding ID \(BID\): (\d+)/g)].map((m) => m[1])).toEqual(['1', '2']);
  expect([...(bulk ?? '').matchAll(/IPv6 care-of address \(CoA\): (\S+)/g)].map((m) => m[1])).toEqual(['2001:db8:2::100', '2001:db8:3::100']);
  expect(ack).toMatch(/Type: Type 2 Routing/);
  expect(ack).toMatch(/Status: .*\(4\)/);
  expect([...(ack ?? '').matchAll(/\n\s+Status: ([^\n]*)/g)].map((m) => m[1]).slice(1)).toEqual(['0', '167']);
  expect(error).toMatch(/Home Address: 2001:db8:1::100/);
});
