import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from './address.js';
import { emitIcmpv6, icmpv6BufferLen, parseIcmpv6, type Icmpv6Repr } from './icmpv6.js';
import { NdpMessageView, emitNdpOptions, ndpOptionsLength, parseNdpOptions, type NdpOption } from './ndp.js';
import { filledBuffer, ndpOptionArb } from './testing/arbitraries.js';
import { captured, hexBytes, icmpv6Of } from './testing/captured-frames.js';
import { capturedIpv6 } from './testing/captured-ipv6-frames.js';
import { isWireError } from './wire-error.js';

const address = (text: string): Uint8Array => parseIpv6(text) as Uint8Array;
const mac = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);

// Neighbour solicitation from 2001:db8::1 to the solicited-node group of 2001:db8::3 (Linux):
//   87 00 1c 25   type 135, code 0, checksum
//   00 00 00 00   reserved
//   20 01 0d b8 … 00 03   target 2001:db8::3
//   01 01 02 00 00 00 00 01   option 1 (source link-layer address), length 1 (8 bytes), 02:00:00:00:00:01
const solicitation = icmpv6Of(captured.ndpNeighborSolicitation.hex);

// The answer from 2001:db8::3:
//   88 00 8a 6e   type 136, code 0, checksum
//   60 00 00 00   flags: solicited (0x40) and override (0x20), not router
//   20 01 0d b8 … 00 03   target 2001:db8::3
//   02 01 02 00 00 00 00 03   option 2 (target link-layer address), 02:00:00:00:00:03
const advertisement = icmpv6Of(captured.ndpNeighborAdvertisement.hex);

// Router solicitation from fe80::ff:fe00:1 to ff02::2 as an interface comes up:
//   85 00 7b 2c 00 00 00 00   type 133, code 0, checksum, reserved
//   01 01 02 00 00 00 00 01   source link-layer address 02:00:00:00:00:01
const routerSolicitation = icmpv6Of(captured.ndpRouterSolicitation.hex);

// The router advertisement radvd 2.19 sent on Linux (testing/captured-ipv6-frames.ts):
//   86 00 2c 0a   type 134, code 0, checksum
//   40 28 07 08   cur hop limit 64; flags 0x28: H (home agent) and preference 01 (high); lifetime 1800 s
//   00 00 00 00   reachable time unspecified
//   00 00 00 00   retrans timer unspecified
//   03 04 40 e0 00 01 51 80 00 00 38 40 00 00 00 00 20 01 0d b8 00 … 00
//                 prefix information: /64, L A R, valid 86400 s, preferred 14400 s, 2001:db8::
//   05 01 00 00 00 00 05 dc   MTU 1500
//   01 01 02 00 00 00 00 02   source link-layer address 02:00:00:00:00:02
//   07 01 00 00 00 00 ea 60   advertisement interval 60000 ms (RFC 6275 §7.3)
//   08 01 00 00 00 0a 07 08   home agent information: preference 10, lifetime 1800 s (§7.4)
const advertisementFromRadvd = icmpv6Of(capturedIpv6.routerAdvertisementHomeAgent.hex);

// The redirect Linux router r sent to 2001:db8::11 for 2001:db8:8::1 (next hop fe80::ff:fe00:3):
//   89 00 85 d1 00 00 00 00   type 137, code 0, checksum, reserved
//   fe 80 … 00 03             target fe80::ff:fe00:3
//   20 01 0d b8 00 08 … 00 01 destination 2001:db8:8::1
//   04 0e 00 00 00 00 00 00   redirected header, 14 × 8 bytes: the whole 104-byte echo request
//   60 08 fb ab 00 40 3a 40 … (r knew no link-layer address for the target: no option for it)
const redirectFromLinux = icmpv6Of(capturedIpv6.ndpRedirect.hex);

describe('NDP messages', () => {
  it('reads the router advertisement radvd sent through the view', () => {
    const view = NdpMessageView.check(advertisementFromRadvd.message, 'routerAdvertisement');
    if (isWireError(view)) throw new Error(view.error);
    expect([view.currentHopLimit, view.routerFlags, view.routerLifetime, view.reachableTime, view.retransmitTimer]).toEqual([
      64, 0x28, 1800, 0, 0,
    ]);
    expect(view.options.length).toBe(64);
  });

  it('parses the router advertisement radvd sent, with the Mobile IPv6 options, into a record', () => {
    expect(parseIcmpv6(advertisementFromRadvd.message, advertisementFromRadvd.context)).toEqual({
      kind: 'routerAdvertisement',
      currentHopLimit: 64,
      managed: false,
      otherConfiguration: false,
      homeAgent: true,
      preference: 'high',
      proxy: false,
      routerLifetime: 1800,
      reachableTime: 0,
      retransmitTimer: 0,
      options: [
        {
          kind: 'prefixInformation',
          prefixLength: 64,
          onLink: true,
          autonomous: true,
          routerAddress: true,
          validLifetime: 86400,
          preferredLifetime: 14400,
          prefix: address('2001:db8::'),
        },
        { kind: 'mtu', mtu: 1500 },
        { kind: 'sourceLinkLayerAddress', address: mac(2, 0, 0, 0, 0, 2) },
        { kind: 'advertisementInterval', interval: 60000 },
        { kind: 'homeAgentInformation', preference: 10, lifetime: 1800 },
      ],
    });
  });

  it('parses the redirect Linux sent into a record quoting the whole packet', () => {
    const quoted = hexBytes(capturedIpv6.icmp6EchoRequestToRedirect.hex).subarray(14);
    expect(parseIcmpv6(redirectFromLinux.message, redirectFromLinux.context)).toEqual({
      kind: 'redirect',
      target: address('fe80::ff:fe00:3'),
      destination: address('2001:db8:8::1'),
      options: [{ kind: 'redirectedHeader', packet: quoted }],
    });
  });


  it('reads a neighbour solicitation and advertisement through the view', () => {
    const ns = NdpMessageView.check(solicitation.message, 'neighbourSolicitation');
    if (isWireError(ns)) throw new Error(ns.error);
    expect(ns.target).toEqual(address('2001:db8::3'));
    expect(Array.from(ns.options)).toEqual([1, 1, 2, 0, 0, 0, 0, 1]);
    const na = NdpMessageView.check(advertisement.message, 'neighbourAdvertisement');
    if (isWireError(na)) throw new Error(na.error);
    expect(na.neighbourFlags).toBe(0x60000000);
    expect(na.target).toEqual(address('2001:db8::3'));
  });

  it('writes a neighbour advertisement through the view', () => {
    const bytes = filledBuffer(advertisement.message.length);
    bytes.set(advertisement.message.subarray(0, 4));
    bytes.set(advertisement.message.subarray(24), 24);
    const view = NdpMessageView.over(bytes, 'neighbourAdvertisement');
    view.neighbourFlags = 0x60000000;
    view.target = address('2001:db8::3');
    expect(bytes).toEqual(advertisement.message);
  });

  it('parses solicitations and advertisements into records', () => {
    expect(parseIcmpv6(solicitation.message, solicitation.context)).toEqual({
      kind: 'neighbourSolicitation',
      target: address('2001:db8::3'),
      options: [{ kind: 'sourceLinkLayerAddress', address: mac(2, 0, 0, 0, 0, 1) }],
    });
    expect(parseIcmpv6(advertisement.message, advertisement.context)).toEqual({
      kind: 'neighbourAdvertisement',
      router: false,
      solicited: true,
      override: true,
      target: address('2001:db8::3'),
      options: [{ kind: 'targetLinkLayerAddress', address: mac(2, 0, 0, 0, 0, 3) }],
    });
    expect(parseIcmpv6(routerSolicitation.message, routerSolicitation.context)).toEqual({
      kind: 'routerSolicitation',
      options: [{ kind: 'sourceLinkLayerAddress', address: mac(2, 0, 0, 0, 0, 1) }],
    });
  });

  it('emits the records into buffers pre-filled with 0xa5, byte for byte as Linux did', () => {
    for (const { message, context } of [solicitation, advertisement, routerSolicitation, advertisementFromRadvd, redirectFromLinux]) {
      const repr = parseIcmpv6(message, context) as Icmpv6Repr;
      const buf = filledBuffer(icmpv6BufferLen(repr));
      expect(emitIcmpv6(repr, buf, 0, context)).toBe(message.length);
      expect(buf).toEqual(message);
    }
  });

  it('lays out a router advertisement with every flag, the preference and the options of RFC 4861 and RFC 6275', () => {
    const context = { source: address('fe80::1'), destination: address('ff02::1') };
    const repr: Icmpv6Repr = {
      kind: 'routerAdvertisement',
      currentHopLimit: 64,
      managed: true,
      otherConfiguration: false,
      homeAgent: true,
      preference: 'high',
      proxy: false,
      routerLifetime: 1800,
      reachableTime: 30000,
      retransmitTimer: 1000,
      options: [
        { kind: 'sourceLinkLayerAddress', address: mac(2, 0, 0, 0, 0, 0xfe) },
        { kind: 'mtu', mtu: 1400 },
        {
          kind: 'prefixInformation',
          prefixLength: 64,
          onLink: true,
          autonomous: true,
          routerAddress: true,
          validLifetime: 86400,
          preferredLifetime: 14400,
          prefix: address('2001:db8:1::'),
        },
        { kind: 'advertisementInterval', interval: 3000 },
        { kind: 'homeAgentInformation', preference: -2, lifetime: 1800 },
      ],
    };
    const buf = filledBuffer(icmpv6BufferLen(repr));
    expect(emitIcmpv6(repr, buf, 0, context)).toBe(16 + 8 + 8 + 32 + 8 + 8);
    const hex = Buffer.from(buf).toString('hex');
    expect(hex.slice(0, 4)).toBe('8600');
    expect(hex.slice(8, 32)).toBe('40a8' + '0708' + '00007530' + '000003e8'); // M|H|Prf=01 = 0xa8
    expect(hex.slice(32, 48)).toBe('01010200000000fe');
    expect(hex.slice(48, 64)).toBe('0501000000000578');
    expect(hex.slice(64, 128)).toBe('030440e0' + '00015180' + '00003840' + '00000000' + '20010db8000100000000000000000000');
    expect(hex.slice(128, 160)).toBe('0701000000000bb8' + '08010000fffe0708');
    expect(parseIcmpv6(buf, context)).toEqual(repr);
  });

  it('lays out a redirect with the target, destination and redirected header', () => {
    const context = { source: address('fe80::fe'), destination: address('2001:db8::1') };
    const quoted = echoRequestStart();
    const repr: Icmpv6Repr = {
      kind: 'redirect',
      target: address('fe80::3'),
      destination: address('2001:db8:9::1'),
      options: [
        { kind: 'targetLinkLayerAddress', address: mac(2, 0, 0, 0, 0, 3) },
        { kind: 'redirectedHeader', packet: quoted },
      ],
    };
    const buf = filledBuffer(icmpv6BufferLen(repr));
    expect(emitIcmpv6(repr, buf, 0, context)).toBe(40 + 8 + 8 + quoted.length);
    expect(Array.from(buf.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect(Array.from(buf.subarray(48, 56))).toEqual([4, 1 + quoted.length / 8, 0, 0, 0, 0, 0, 0]);
    expect(parseIcmpv6(buf, context)).toEqual(repr);
  });

  it('refuses an option of length 0 or one running past the message, as ndisc_parse_options does', () => {
    expect(parseNdpOptions(new Uint8Array([1, 0, 2, 0, 0, 0, 0, 1]))).toEqual({ error: 'badOption' });
    expect(parseNdpOptions(new Uint8Array([1, 2, 2, 0, 0, 0, 0, 1]))).toEqual({ error: 'badOption' });
    expect(parseNdpOptions(new Uint8Array([1, 1, 2, 0, 0, 0, 0, 1, 5]))).toEqual({ error: 'badOption' });
    const message = solicitation.message.slice();
    message[25] = 0;
    expect(parseIcmpv6(message, null)).toEqual({ error: 'badOption' });
    expect(parseIcmpv6(solicitation.message.subarray(0, 23), null)).toEqual({ error: 'truncated' });
  });

  it('keeps a prefix information or MTU option of the wrong length as an unknown option', () => {
    const options = new Uint8Array([5, 2, 0, 0, 0, 0, 5, 0x78, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseNdpOptions(options)).toEqual([{ kind: 'other', type: 5, data: options.subarray(2) }]);
  });

  it('parse ∘ emit is the identity on options', () => {
    fc.assert(
      fc.property(fc.array(ndpOptionArb, { maxLength: 5 }), (options: NdpOption[]) => {
        const buf = filledBuffer(ndpOptionsLength(options));
        expect(emitNdpOptions(options, buf, 0)).toBe(buf.length);
        expect(parseNdpOptions(buf)).toEqual(options);
      }),
    );
  });
});

/** The first 48 bytes of the captured echo request packet (IPv6 header and ICMPv6 header). */
function echoRequestStart(): Uint8Array {
  const { message } = icmpv6Of(captured.icmp6EchoRequest.hex);
  const packet = new Uint8Array(48);
  packet.set(Buffer.from(captured.icmp6EchoRequest.hex, 'hex').subarray(14, 54));
  packet.set(message.subarray(0, 8), 40);
  return packet;
}
