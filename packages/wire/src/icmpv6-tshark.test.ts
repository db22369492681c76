/**
 * Every kind of ICMPv6 message netloom emits (echo, errors, NDP with every option, MLD) and a
 * seeded sample of random ones, put in Ethernet/IPv6 frames and handed to tshark: each must
 * dissect without a malformed-packet or error-level expert note, with the ICMPv6 checksum
 * `[correct]`; the same for extension headers (Hop-by-Hop, Destination Options with the Home
 * Address option, type 2 routing, Fragment) and UDP over IPv6. Skipped (or failed under CI=true)
 * without tshark.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { parseIpv6 } from './address.js';
import { buildEthernetFrame, buildIcmpv6Packet }  from './builders.js';
import { EtherType } from './ethernet.js';
import { emitIcmpv6, icmpv6BufferLen, type Icmpv6Repr } from './icmpv6.js';
import { IpProtocol } from './ipv4.js';
import { buildIpv6Frame, buildUdpIpv6Packet } from './builders.js';
import {
  EXTENSION_HEADER_PROTOCOL,
  emitIpv6ExtensionHeaders,
  ipv6ExtensionHeaderLength,
  type Ipv6ExtensionHeader,
} from './ipv6-extension-headers.js';
import { icmpv6ReprArb } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { needs, scaled } from './testing/test-environment.js';
import { dissectWithTshark } from './testing/tshark.js';

const address = (text: string): Uint8Array => parseIpv6(text) as Uint8Array;
const macA = new Uint8Array([2, 0, 0, 0, 0, 1]);
const macR = new Uint8Array([2, 0, 0, 0, 0, 2]);

/** The echo request packet Linux sent (IPv6 header onwards), to quote in errors and redirects. */
const echoPacket = hexBytes(captured.icmp6EchoRequest.hex).subarray(14);

const messages: Icmpv6Repr[] = [
  { kind: 'echoRequest', identifier: 1, sequence: 2, data: new Uint8Array(56).fill(0x42) },
  { kind: 'echoReply', identifier: 1, sequence: 2, data: new Uint8Array(56).fill(0x42) },
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((code): Icmpv6Repr => ({ kind: 'destinationUnreachable', code, packet: echoPacket })),
  { kind: 'packetTooBig', code: 0, mtu: 1280, packet: echoPacket },
  { kind: 'timeExceeded', code: 0, packet: echoPacket },
  { kind: 'timeExceeded', code: 1, packet: echoPacket },
  ...[0, 1, 2].map((code): Icmpv6Repr => ({ kind: 'parameterProblem', code, pointer: 6, packet: echoPacket })),
  { kind: 'routerSolicitation', options: [{ kind: 'sourceLinkLayerAddress', address: macA }] },
  { kind: 'routerSolicitation', options: [] },
  {
    kind: 'routerAdvertisement',
    currentHopLimit: 64,
    managed: false,
    otherConfiguration: true,
    homeAgent: true,
    preference: 'low',
    proxy: false,
    routerLifetime: 1800,
    reachableTime: 0,
    retransmitTimer: 0,
    options: [
      { kind: 'sourceLinkLayerAddress', address: macR },
      { kind: 'mtu', mtu: 1500 },
      {
        kind: 'prefixInformation',
        prefixLength: 64,
        onLink: true,
        autonomous: true,
        routerAddress: false,
        validLifetime: 86400,
        preferredLifetime: 14400,
        prefix: address('2001:db8:1::'),
      },
      {
        kind: 'prefixInformation',
        prefixLength: 64,
        onLink: true,
        autonomous: false,
        routerAddress: true,
        validLifetime: 0xffffffff,
        preferredLifetime: 0xffffffff,
        prefix: address('2001:db8:2::fe'),
      },
      { kind: 'advertisementInterval', interval: 3000 },
      { kind: 'homeAgentInformation', preference: 10, lifetime: 1800 },
    ],
  },
  { kind: 'neighbourSolicitation', target: address('2001:db8::3'), options: [{ kind: 'sourceLinkLayerAddress', address: macA }] },
  { kind: 'neighbourSolicitation', target: address('2001:db8::3'), options: [] },
  {
    kind: 'neighbourAdvertisement',
    router: true,
    solicited: true,
    override: false,
    target: address('2001:db8::3'),
    options: [{ kind: 'targetLinkLayerAddress', address: macR }],
  },
  {
    kind: 'redirect',
    target: address('fe80::3'),
    destination: address('2001:db8:9::1'),
    options: [
      { kind: 'targetLinkLayerAddress', address: macR },
      { kind: 'redirectedHeader', packet: echoPacket.subarray(0, 88) },
    ],
  },
  { kind: 'mldQuery', maxResponseDelay: 10000, multicastAddress: new Uint8Array(16) },
  { kind: 'mldReport', maxResponseDelay: 0, multicastAddress: address('ff02::1:ff00:3') },
  { kind: 'mldDone', maxResponseDelay: 0, multicastAddress: address('ff02::1:ff00:3') },
  {
    kind: 'mldv2Query',
    maxResponseCode: 10000,
    multicastAddress: address('ff02::1:ff00:3'),
    suppressRouterProcessing: false,
    robustness: 2,
    queryIntervalCode: 125,
    sources: [address('2001:db8::1')],
  },
  {
    kind: 'mldv2Report',
    records: [
      { recordType: 4, multicastAddress: address('ff02::1:ff00:3'), sources: [], auxiliaryData: new Uint8Array(0) },
      { recordType: 1, multicastAddress: address('ff05::2'), sources: [address('2001:db8::1')], auxiliaryData: new Uint8Array(0) },
    ],
  },
];

function frameOf(message: Icmpv6Repr, index: number): Uint8Array {
  const source = address(`fe80::${(index % 0xffff).toString(16)}`);
  const packet = buildIcmpv6Packet({ source, destination: address('2001:db8::1'), hopLimit: 255 }, message);
  return buildEthernetFrame(macA, macR, EtherType.ipv6, packet);
}

/** tshark -V's text per frame. */
function dissect(frames: Uint8Array[]): string[] {
  return dissectWithTshark(frames, ['ip.check_checksum:TRUE', 'udp.check_checksum:TRUE']);
}

/** What tshark found wrong with one frame ('' when nothing). */
function complaint(dissection: string): string {
  const icmpv6 = dissection.slice(dissection.indexOf('Internet Control Message Protocol v6'));
  if (!/Checksum: 0x[0-9a-f]{4} \[correct\]/.test(icmpv6)) return 'ICMPv6 checksum not [correct]';
  const bad = dissection.split('\n').find((line) => /Malformed|\[Expert Info \(Error/.test(line));
  return bad === undefined ? '' : bad.trim();
}

const tshark = needs({ tools: ['tshark'] });

tshark.it('dissects every kind of message, with the checksum [correct]', () => {
  const frames = messages.map(frameOf);
  const dissections = dissect(frames);
  expect(dissections.length).toBe(frames.length);
  const complaints = dissections.map((text, i) => [messages[i]?.kind, complaint(text)]).filter(([, problem]) => problem !== '');
  expect(complaints).toEqual([]);
});

tshark.it('dissects random messages with the checksum [correct]', () => {
  const sample = fc.sample(icmpv6ReprArb, { seed: 15, numRuns: scaled(200) });
  const dissections = dissect(sample.map(frameOf));
  expect(dissections.length).toBe(sample.length);
  const wrongChecksums = dissections
    .map((text, i) => ({ i, ok: /Checksum: 0x[0-9a-f]{4} \[correct\]/.test(text.slice(text.indexOf('Internet Control Message Protocol v6'))) }))
    .filter((entry) => !entry.ok);
  expect(wrongChecksums).toEqual([]);
});

/**
 * An echo request behind `headers`, checksummed over `finalDestination` (RFC 8200 §8.1) and
 * `pseudoSource` (the home address when a Home Address option is present, RFC 6275 §6.3).
 */
function behindHeaders(headers: Ipv6ExtensionHeader[], finalDestination: Uint8Array, pseudoSource = address('2001:db8::1')): Uint8Array {
  const source = address('2001:db8::1');
  const echo: Icmpv6Repr = { kind: 'echoRequest', identifier: 7, sequence: 1, data: new Uint8Array(16).fill(0x45) };
  const headersLength = headers.reduce((sum, header) => sum + ipv6ExtensionHeaderLength(header), 0);
  const payload = new Uint8Array(headersLength + icmpv6BufferLen(echo));
  emitIpv6ExtensionHeaders(headers, payload, 0);
  emitIcmpv6(echo, payload, headersLength, { source: pseudoSource, destination: finalDestination });
  const first = headers[0] === undefined ? IpProtocol.icmpv6 : EXTENSION_HEADER_PROTOCOL[headers[0].kind];
  return buildIpv6Frame(macA, macR, { source, destination: address('2001:db8::3'), nextHeader: first }, payload);
}

tshark.it('dissects extension headers and UDP over IPv6 netloom emits, with the checksums [correct]', () => {
  const home = address('2001:db8:5::1');
  const frames = [
    behindHeaders([{ kind: 'hopByHop', nextHeader: 58, options: [{ kind: 'routerAlert', value: 0 }] }], address('2001:db8::3')),
    behindHeaders(
      [{ kind: 'destinationOptions', nextHeader: 58, options: [{ kind: 'padN', data: new Uint8Array(2) }, { kind: 'homeAddress', address: home }] }],
      address('2001:db8::3'),
      home,
    ),
    behindHeaders([{ kind: 'routingType2', nextHeader: 58, segmentsLeft: 1, homeAddress: home }], home),
    behindHeaders(
      [
        { kind: 'hopByHop', nextHeader: 60, options: [] },
        { kind: 'destinationOptions', nextHeader: 44, options: [{ kind: 'other', type: 0x1e, data: new Uint8Array(3) }] },
        { kind: 'fragment', nextHeader: 58, fragmentOffset: 0, moreFragments: false, identification: 0x12345678 },
      ],
      address('2001:db8::3'),
    ),
    buildEthernetFrame(
      macA,
      macR,
      EtherType.ipv6,
      buildUdpIpv6Packet({ source: address('2001:db8::1'), destination: address('2001:db8::3') }, 5000, 6000, new Uint8Array(11).fill(0x41)),
    ),
  ];
  const dissections = dissect(frames);
  expect(dissections.length).toBe(frames.length);
  const problems = dissections
    .map((text, i) => {
      const bad = text.split('\n').find((row) => /Malformed|\[Expert Info \(Error/.test(row));
      const checksum = /Checksum: 0x[0-9a-f]{4} \[correct\]/.test(text);
      return bad !== undefined || !checksum ? `frame ${i}: ${bad?.trim() ?? 'checksum not [correct]'}` : '';
    })
    .filter((problem) => problem !== '');
  expect(problems).toEqual([]);
  expect(dissections[1]).toMatch(/Home Address: 2001:db8:5::1/);
  expect(dissections[2]).toMatch(/Type: Type 2 Routing \(2\)/);
});
