/**
 * fast-check arbitraries for valid records of every format, shared by the property tests.
 */
import fc from 'fast-check';
import type { ArpRepr } from '../arp.js';
import type { EthernetRepr } from '../ethernet.js';
import type { Icmpv4Repr } from '../icmpv4.js';
import type { Icmpv6Repr } from '../icmpv6.js';
import type { MldAddressRecord, MldRepr } from '../mld.js';
import type { NdpOption, NdpRepr, RouterPreference } from '../ndp.js';
import type { Ipv4Repr } from '../ipv4.js';
import type { Ipv6Repr } from '../ipv6.js';
import { padIpv6Options, type Ipv6ExtensionHeader, type Ipv6Option } from '../ipv6-extension-headers.js';
import type { UdpRepr } from '../udp.js';
import { tcpHeaderLength, tcpOptionLength, TCP_MAX_HEADER_LENGTH, type TcpOption, type TcpRepr } from '../tcp.js';

export const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 });
export const ipv4Arb = fc.integer({ min: 0, max: 0xffffffff });
export const ipv6Arb = fc.uint8Array({ minLength: 16, maxLength: 16 });
export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const payloadArb = fc.uint8Array({ maxLength: 80 });

export const ethernetReprArb: fc.Arbitrary<EthernetRepr> = fc.oneof(
  fc.record({
    destination: macArb,
    source: macArb,
    vlan: fc.constant(null),
    ethertype: u16.filter((type) => type !== 0x8100),
    payload: payloadArb,
  }),
  fc.record({
    destination: macArb,
    source: macArb,
    vlan: fc.record({
      priority: fc.integer({ min: 0, max: 7 }),
      dropEligible: fc.boolean(),
      id: fc.integer({ min: 0, max: 4095 }),
    }),
    ethertype: u16,
    payload: payloadArb,
  }),
);

export const arpReprArb: fc.Arbitrary<ArpRepr> = fc.record({
  operation: u16,
  senderMac: macArb,
  senderIp: ipv4Arb,
  targetMac: macArb,
  targetIp: ipv4Arb,
});

export const ipv4ReprArb: fc.Arbitrary<Ipv4Repr> = fc.record({
  tos: u8,
  identification: u16,
  dontFragment: fc.boolean(),
  moreFragments: fc.boolean(),
  fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((units) => units * 8),
  ttl: u8,
  protocol: u8,
  source: ipv4Arb,
  destination: ipv4Arb,
  options: fc.integer({ min: 0, max: 10 }).chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
  payload: payloadArb,
});

const knownIcmpTypes = new Set([0, 3, 5, 8, 11, 12]);

export const icmpv4ReprArb: fc.Arbitrary<Icmpv4Repr> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('echoRequest' as const, 'echoReply' as const),
    identifier: u16,
    sequence: u16,
    data: payloadArb,
  }),
  fc.record({ kind: fc.constant('destinationUnreachable' as const), code: u8, nextHopMtu: u16, datagram: payloadArb }),
  fc.record({ kind: fc.constant('timeExceeded' as const), code: u8, datagram: payloadArb }),
  fc.record({ kind: fc.constant('redirect' as const), code: u8, gateway: ipv4Arb, datagram: payloadArb }),
  fc.record({ kind: fc.constant('parameterProblem' as const), code: u8, pointer: u8, datagram: payloadArb }),
  fc.record({
    kind: fc.constant('other' as const),
    type: u8.filter((type) => !knownIcmpTypes.has(type)),
    code: u8,
    restOfHeader: fc.integer({ min: 0, max: 0xffffffff }),
    data: payloadArb,
  }),
);

export const udpReprArb: fc.Arbitrary<UdpRepr> = fc.record({
  sourcePort: u16,
  destinationPort: u16,
  payload: payloadArb,
});

export const ipv6ReprArb: fc.Arbitrary<Ipv6Repr> = fc.record({
  trafficClass: u8,
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  nextHeader: u8,
  hopLimit: u8,
  source: ipv6Arb,
  destination: ipv6Arb,
  payload: payloadArb,
});

const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** Bytes whose length is `unit` × k + `extra` (what a length field in units can describe exactly). */
const unitBytes = (unit: number, extra: number, maxUnits: number): fc.Arbitrary<Uint8Array> =>
  fc.integer({ min: 0, max: maxUnits }).chain((units) => fc.uint8Array({ minLength: units * unit + extra, maxLength: units * unit + extra }));

export const ndpOptionArb: fc.Arbitrary<NdpOption> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('sourceLinkLayerAddress' as const, 'targetLinkLayerAddress' as const),
    address: fc.oneof(macArb, unitBytes(8, 6, 2)),
  }),
  fc.record({
    kind: fc.constant('prefixInformation' as const),
    prefixLength: u8,
    onLink: fc.boolean(),
    autonomous: fc.boolean(),
    routerAddress: fc.boolean(),
    validLifetime: u32,
    preferredLifetime: u32,
    prefix: ipv6Arb,
  }),
  fc.record({ kind: fc.constant('redirectedHeader' as const), packet: unitBytes(8, 0, 8) }),
  fc.record({ kind: fc.constantFrom('mtu' as const), mtu: u32 }),
  fc.record({ kind: fc.constantFrom('advertisementInterval' as const), interval: u32 }),
  fc.record({
    kind: fc.constant('homeAgentInformation' as const),
    preference: fc.integer({ min: -0x8000, max: 0x7fff }),
    lifetime: u16,
  }),
  fc.record({
    kind: fc.constant('other' as const),
    type: u8.filter((type) => ![1, 2, 3, 4, 5, 7, 8].includes(type)),
    data: unitBytes(8, 6, 3),
  }),
);

const ndpOptionsArb = fc.array(ndpOptionArb, { maxLength: 4 });

export const ndpReprArb: fc.Arbitrary<NdpRepr> = fc.oneof(
  fc.record({ kind: fc.constant('routerSolicitation' as const), options: ndpOptionsArb }),
  fc.record({
    kind: fc.constant('routerAdvertisement' as const),
    currentHopLimit: u8,
    managed: fc.boolean(),
    otherConfiguration: fc.boolean(),
    homeAgent: fc.boolean(),
    preference: fc.constantFrom<RouterPreference>('medium', 'high', 'reserved', 'low'),
    proxy: fc.boolean(),
    routerLifetime: u16,
    reachableTime: u32,
    retransmitTimer: u32,
    options: ndpOptionsArb,
  }),
  fc.record({ kind: fc.constant('neighbourSolicitation' as const), target: ipv6Arb, options: ndpOptionsArb }),
  fc.record({
    kind: fc.constant('neighbourAdvertisement' as const),
    router: fc.boolean(),
    solicited: fc.boolean(),
    override: fc.boolean(),
    target: ipv6Arb,
    options: ndpOptionsArb,
  }),
  fc.record({ kind: fc.constant('redirect' as const), target: ipv6Arb, destination: ipv6Arb, options: ndpOptionsArb }),
);

const mldRecordArb: fc.Arbitrary<MldAddressRecord> = fc.record({
  recordType: u8,
  multicastAddress: ipv6Arb,
  sources: fc.array(ipv6Arb, { maxLength: 3 }),
  auxiliaryData: unitBytes(4, 0, 3),
});

export const mldReprArb: fc.Arbitrary<MldRepr> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('mldQuery' as const, 'mldReport' as const, 'mldDone' as const),
    maxResponseDelay: u16,
    multicastAddress: ipv6Arb,
  }),
  fc.record({
    kind: fc.constant('mldv2Query' as const),
    maxResponseCode: u16,
    multicastAddress: ipv6Arb,
    suppressRouterProcessing: fc.boolean(),
    robustness: fc.integer({ min: 0, max: 7 }),
    queryIntervalCode: u8,
    sources: fc.array(ipv6Arb, { maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('mldv2Report' as const), records: fc.array(mldRecordArb, { maxLength: 3 }) }),
);

/** Types parseIcmpv6 turns into a named kind (with code 0, for echo, NDP and MLD). */
const namedIcmpv6Types = new Set([1, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 143]);

export const icmpv6ReprArb: fc.Arbitrary<Icmpv6Repr> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('echoRequest' as const, 'echoReply' as const),
    identifier: u16,
    sequence: u16,
    data: payloadArb,
  }),
  fc.record({ kind: fc.constantFrom('destinationUnreachable' as const, 'timeExceeded' as const), code: u8, packet: payloadArb }),
  fc.record({ kind: fc.constant('packetTooBig' as const), code: u8, mtu: u32, packet: payloadArb }),
  fc.record({ kind: fc.constant('parameterProblem' as const), code: u8, pointer: u32, packet: payloadArb }),
  ndpReprArb,
  mldReprArb,
  fc.record({
    kind: fc.constant('other' as const),
    type: u8,
    code: u8,
    restOfHeader: u32,
    data: payloadArb,
  }).filter((repr) => !namedIcmpv6Types.has(repr.type) || (repr.code !== 0 && repr.type >= 128)),
);

const ipv6OptionArb: fc.Arbitrary<Ipv6Option> = fc.oneof(
  fc.constant({ kind: 'pad1' as const }),
  fc.record({ kind: fc.constant('padN' as const), data: fc.uint8Array({ maxLength: 5 }) }),
  fc.record({ kind: fc.constant('routerAlert' as const), value: u16 }),
  fc.record({ kind: fc.constant('homeAddress' as const), address: ipv6Arb }),
  fc
    .record({ kind: fc.constant('other' as const), type: u8.filter((type) => type > 1), data: fc.uint8Array({ maxLength: 20 }) })
    .filter((option) => !(option.type === 5 && option.data.length === 2) && !(option.type === 0xc9 && option.data.length === 16)),
);

/** Extension headers as parse returns them: options padded to a multiple of 8, routing data 8k + 4 bytes. */
export const ipv6ExtensionHeaderArb: fc.Arbitrary<Ipv6ExtensionHeader> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('hopByHop' as const, 'destinationOptions' as const),
    nextHeader: u8,
    options: fc.array(ipv6OptionArb, { maxLength: 5 }).map(padIpv6Options),
  }),
  fc
    .record({ kind: fc.constant('routing' as const), nextHeader: u8, routingType: fc.oneof(fc.constantFrom(0, 2, 4), u8), segmentsLeft: u8, data: unitBytes(8, 4, 4) })
    .filter((header) => !(header.routingType === 2 && header.data.length === 20)),
  fc.record({ kind: fc.constant('routingType2' as const), nextHeader: u8, segmentsLeft: u8, homeAddress: ipv6Arb }),
  fc.record({
    kind: fc.constant('fragment' as const),
    nextHeader: u8,
    fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((units) => units * 8),
    moreFragments: fc.boolean(),
    identification: u32,
  }),
);

const tcpOptionArb: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant<TcpOption>({ kind: 'noOperation' }),
  u16.map((maxSegmentSize): TcpOption => ({ kind: 'maxSegmentSize', maxSegmentSize })),
  u8.map((shift): TcpOption => ({ kind: 'windowScale', shift })),
  fc.constant<TcpOption>({ kind: 'sackPermitted' }),
  fc
    .array(fc.record({ left: u32, right: u32 }), { minLength: 1, maxLength: 4 })
    .map((blocks): TcpOption => ({ kind: 'sack', blocks })),
  fc.record({ value: u32, echoReply: u32 }).map(({ value, echoReply }): TcpOption => ({ kind: 'timestamps', value, echoReply })),
  fc
    .record({
      type: u8.filter((type) => ![0, 1, 2, 3, 4, 5, 8].includes(type)),
      data: fc.uint8Array({ maxLength: 12 }),
    })
    .map(({ type, data }): TcpOption => ({ kind: 'unknown', type, data })),
);

/**
 * Valid TCP segments: options in any order within 40 bytes, End of List only last and present
 * whenever the options do not fill a multiple of 4 (the zero padding reads back as End of List).
 */
export const tcpReprArb: fc.Arbitrary<TcpRepr> = fc
  .record({
    sourcePort: u16,
    destinationPort: u16,
    sequenceNumber: u32,
    acknowledgementNumber: u32,
    flags: fc.integer({ min: 0, max: 0xfff }),
    window: u16,
    urgentPointer: u16,
    options: fc
      .tuple(fc.array(tcpOptionArb, { maxLength: 6 }), fc.boolean())
      .map(([options, ended]) => {
        const isAligned = (tcpHeaderLength(options) - 20) === options.reduce((sum, option) => sum + tcpOptionLength(option), 0);
        return ended || !isAligned ? [...options, { kind: 'endOfList' } as TcpOption] : options;
      })
      .filter((options) => tcpHeaderLength(options) <= TCP_MAX_HEADER_LENGTH),
    payload: payloadArb,
  });

/** A buffer of `length` bytes pre-filled with 0xa5, so a field emit forgot to write shows up. */
export function filledBuffer(length: number): Uint8Array {
  return new Uint8Array(length).fill(0xa5);
}
