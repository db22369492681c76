/**
 * fast-check arbitraries for valid records of every format, shared by the property tests.
 */
import fc from 'fast-check';
import type { ArpRepr } from '../arp.js';
import type { EthernetRepr } from '../ethernet.js';
import type { Icmpv4Repr } from '../icmpv4.js';
import type { Ipv4Repr } from '../ipv4.js';
import type { Ipv6Repr } from '../ipv6.js';
import type { UdpRepr } from '../udp.js';

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

/** A buffer of `length` bytes pre-filled with 0xa5, so a field emit forgot to write shows up. */
export function filledBuffer(length: number): Uint8Array {
  return new Uint8Array(length).fill(0xa5);
}
