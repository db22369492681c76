import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from './address.js';
import { IpProtocol } from './ipv4.js';
import {
  EXTENSION_HEADER_PROTOCOL,
  Ipv6ExtensionHeaderView,
  MAX_EXTENSION_HEADERS,
  emitIpv6ExtensionHeader,
  emitIpv6ExtensionHeaders,
  ipv6ExtensionHeaderLength,
  padIpv6Options,
  parseIpv6ExtensionHeader,
  unrecognizedOptionAction,
  walkIpv6ExtensionHeaders,
  type Ipv6ExtensionHeader,
} from './ipv6-extension-headers.js';
import { filledBuffer, ipv6ExtensionHeaderArb } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { capturedIpv6 } from './testing/captured-ipv6-frames.js';
import { isWireError } from './wire-error.js';

const address = (text: string): Uint8Array => parseIpv6(text) as Uint8Array;
/** The IPv6 payload (after Ethernet and the fixed header) of a captured frame, and its next header. */
const payloadOf = (hex: string): { nextHeader: number; payload: Uint8Array } => {
  const frame = hexBytes(hex);
  return { nextHeader: frame[20] ?? 0, payload: frame.subarray(54) };
};

// A Destination Options header with PadN and the Home Address option (IPV6_DSTOPTS on Linux):
//   11 02            next header 17 (UDP), Hdr Ext Len 2 (24 bytes)
//   01 02 00 00      PadN, 2 bytes of zeros (the Home Address option wants 8n+6 alignment)
//   c9 10 20 01 0d b8 00 05 … 00 01   option 0xc9, length 16, home address 2001:db8:5::1
const homeAddressOption = payloadOf(capturedIpv6.udp6HomeAddressOption.hex);

// A type 2 routing header before an echo request (RFC 6275 §6.4):
//   3a 02 02 01      next header 58, Hdr Ext Len 2, routing type 2, segments left 1
//   00 00 00 00      reserved
//   20 01 0d b8 00 05 … 00 01   home address 2001:db8:5::1
const routingType2 = payloadOf(capturedIpv6.echoRequestRoutingType2.hex);

// The first fragment of a 2000-byte ping (ping -6 -s 2000 over MTU 1500):
//   3a 00 00 01      next header 58, reserved, offset 0, M = 1
//   xx xx xx xx      identification (chosen by the kernel)
const firstFragment = payloadOf(capturedIpv6.icmp6EchoRequestFirstFragment.hex);
const lastFragment = payloadOf(capturedIpv6.icmp6EchoRequestLastFragment.hex);

// The MLDv2 report's Hop-by-Hop header: 3a 00 05 02 00 00 01 00 — next header 58, length 8,
// Router Alert (type 5, length 2, value 0: MLD), PadN with no data.
const hopByHop = payloadOf(captured.mldv2ReportHopByHop.hex);

describe('IPv6 extension headers', () => {
  it('reads a destination options header, a type 2 routing header and a fragment header through the view', () => {
    const options = Ipv6ExtensionHeaderView.check(homeAddressOption.payload, IpProtocol.destinationOptions);
    if (isWireError(options)) throw new Error(options.error);
    expect([options.nextHeader, options.headerExtensionLength, options.headerLengthAs(60), options.options.length]).toEqual([17, 2, 24, 22]);
    const routing = Ipv6ExtensionHeaderView.check(routingType2.payload, IpProtocol.routing) as Ipv6ExtensionHeaderView;
    expect([routing.nextHeader, routing.routingType, routing.segmentsLeft]).toEqual([58, 2, 1]);
    const fragment = Ipv6ExtensionHeaderView.check(lastFragment.payload, IpProtocol.fragment) as Ipv6ExtensionHeaderView;
    expect([fragment.nextHeader, fragment.fragmentOffset, fragment.moreFragments, fragment.headerLengthAs(44)]).toEqual([58, 1248, false, 8]);
    expect(fragment.identification).toBe((Ipv6ExtensionHeaderView.check(firstFragment.payload, 44) as Ipv6ExtensionHeaderView).identification);
  });

  it('writes a fragment header through the view', () => {
    const bytes = filledBuffer(8);
    const view = Ipv6ExtensionHeaderView.over(bytes);
    view.nextHeader = 58;
    view.headerExtensionLength = 0;
    view.fragmentWord = 1248; // offset 1248, M = 0
    view.identification = Ipv6ExtensionHeaderView.over(lastFragment.payload).identification;
    expect(bytes).toEqual(lastFragment.payload.subarray(0, 8));
  });

  it('parses the Home Address option, the type 2 routing header, fragments and the Router Alert into records', () => {
    expect(parseIpv6ExtensionHeader(homeAddressOption.payload, IpProtocol.destinationOptions)).toEqual({
      kind: 'destinationOptions',
      nextHeader: 17,
      options: [
        { kind: 'padN', data: new Uint8Array(2) },
        { kind: 'homeAddress', address: address('2001:db8:5::1') },
      ],
    });
    expect(parseIpv6ExtensionHeader(routingType2.payload, IpProtocol.routing)).toEqual({
      kind: 'routingType2',
      nextHeader: 58,
      segmentsLeft: 1,
      homeAddress: address('2001:db8:5::1'),
    });
    expect(parseIpv6ExtensionHeader(firstFragment.payload, IpProtocol.fragment)).toMatchObject({
      kind: 'fragment',
      nextHeader: 58,
      fragmentOffset: 0,
      moreFragments: true,
    });
    expect(parseIpv6ExtensionHeader(hopByHop.payload, IpProtocol.hopByHop)).toEqual({
      kind: 'hopByHop',
      nextHeader: 58,
      options: [
        { kind: 'routerAlert', value: 0 },
        { kind: 'padN', data: new Uint8Array(0) },
      ],
    });
  });

  it('emits every captured header into a buffer pre-filled with 0xa5, byte for byte as on the wire', () => {
    const frames = [
      [homeAddressOption, 24],
      [payloadOf(capturedIpv6.udp6UnknownDestinationOption.hex), 8],
      [routingType2, 24],
      [firstFragment, 8],
      [lastFragment, 8],
      [hopByHop, 8],
    ] as const;
    for (const [{ nextHeader, payload }, length] of frames) {
      const header = parseIpv6ExtensionHeader(payload, nextHeader) as Ipv6ExtensionHeader;
      expect(ipv6ExtensionHeaderLength(header)).toBe(length);
      const buf = filledBuffer(length);
      expect(emitIpv6ExtensionHeader(header, buf, 0)).toBe(length);
      expect(buf).toEqual(payload.subarray(0, length));
    }
  });

  it('walks a captured chain to the upper layer, and stops after a later fragment', () => {
    expect(walkIpv6ExtensionHeaders(routingType2.nextHeader, routingType2.payload)).toMatchObject({
      offsets: [0],
      upperLayerProtocol: 58,
      upperLayerOffset: 24,
      isLaterFragment: false,
    });
    expect(walkIpv6ExtensionHeaders(lastFragment.nextHeader, lastFragment.payload)).toMatchObject({
      upperLayerProtocol: 58,
      upperLayerOffset: 8,
      isLaterFragment: true,
    });
    const plain = payloadOf(captured.icmp6EchoRequest.hex);
    expect(walkIpv6ExtensionHeaders(plain.nextHeader, plain.payload)).toEqual({
      headers: [],
      offsets: [],
      upperLayerProtocol: 58,
      upperLayerOffset: 0,
      isLaterFragment: false,
    });
  });

  it('refuses a chain of more than 8 headers, a header past the packet and an option past its header', () => {
    const nine: Ipv6ExtensionHeader[] = Array.from({ length: MAX_EXTENSION_HEADERS + 1 }, (_, i) => ({
      kind: 'destinationOptions',
      nextHeader: i === MAX_EXTENSION_HEADERS ? 59 : 60,
      options: [],
    }));
    const buf = new Uint8Array(8 * nine.length);
    emitIpv6ExtensionHeaders(nine, buf, 0);
    expect(walkIpv6ExtensionHeaders(60, buf)).toEqual({ error: 'tooManyExtensionHeaders' });
    expect(walkIpv6ExtensionHeaders(60, buf.subarray(8))).toMatchObject({ upperLayerProtocol: 59, upperLayerOffset: 64 });
    expect(walkIpv6ExtensionHeaders(60, homeAddressOption.payload.subarray(0, 20))).toEqual({ error: 'truncated' });
    const cut = homeAddressOption.payload.slice(0, 24);
    cut[7] = 17; // the Home Address option now claims 17 bytes
    expect(parseIpv6ExtensionHeader(cut, 60)).toEqual({ error: 'badOption' });
  });

  it('pads options to a multiple of 8 with Pad1 or PadN, and names what an unknown option asks for', () => {
    expect(padIpv6Options([{ kind: 'routerAlert', value: 0 }])).toEqual([
      { kind: 'routerAlert', value: 0 },
      { kind: 'padN', data: new Uint8Array(0) },
    ]);
    expect(padIpv6Options([{ kind: 'other', type: 0x1e, data: new Uint8Array(3) }])).toEqual([
      { kind: 'other', type: 0x1e, data: new Uint8Array(3) },
      { kind: 'pad1' },
    ]);
    expect([0x1e, 0x5e, 0x80, 0xc9].map(unrecognizedOptionAction)).toEqual([
      'skip',
      'discard',
      'discardAndSendParameterProblem',
      'discardAndSendParameterProblemUnlessMulticast',
    ]);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 43, 44, 60, 17), fc.uint8Array({ maxLength: 120, size: 'max' }), (nextHeader, bytes) => {
        const walked = walkIpv6ExtensionHeaders(nextHeader, bytes);
        if ('error' in walked) expect(isWireError(walked)).toBe(true);
      }),
    );
  });

  it('walking an emitted chain gives back its headers, offsets and upper layer', () => {
    fc.assert(
      fc.property(fc.array(ipv6ExtensionHeaderArb, { minLength: 1, maxLength: MAX_EXTENSION_HEADERS }), fc.uint8Array({ maxLength: 16 }), (drawn, upper) => {
        // Link the chain: each header announces the next, the last announces UDP; fragments are
        // first fragments (a later one ends the walk).
        const headers = drawn.map((header, i): Ipv6ExtensionHeader => {
          const next = drawn[i + 1];
          const linked = { ...header, nextHeader: next === undefined ? IpProtocol.udp : EXTENSION_HEADER_PROTOCOL[next.kind] };
          return linked.kind === 'fragment' ? { ...linked, fragmentOffset: 0 } : linked;
        });
        const length = headers.reduce((sum, header) => sum + ipv6ExtensionHeaderLength(header), 0);
        const payload = new Uint8Array(length + upper.length);
        expect(emitIpv6ExtensionHeaders(headers, payload, 0)).toBe(length);
        payload.set(upper, length);
        const first = headers[0] as Ipv6ExtensionHeader;
        const chain = walkIpv6ExtensionHeaders(EXTENSION_HEADER_PROTOCOL[first.kind], payload);
        if (isWireError(chain)) throw new Error(chain.error);
        expect(chain.headers).toEqual(headers);
        expect(chain.offsets[chain.offsets.length - 1]).toBe(length - ipv6ExtensionHeaderLength(headers[headers.length - 1] as Ipv6ExtensionHeader));
        expect([chain.upperLayerProtocol, chain.upperLayerOffset, chain.isLaterFragment]).toEqual([IpProtocol.udp, length, false]);
      }),
    );
  });

  it('parse ∘ emit is the identity on headers', () => {
    fc.assert(
      fc.property(ipv6ExtensionHeaderArb, (header) => {
        const buf = filledBuffer(ipv6ExtensionHeaderLength(header));
        expect(emitIpv6ExtensionHeader(header, buf, 0)).toBe(buf.length);
        const parsed = parseIpv6ExtensionHeader(buf, EXTENSION_HEADER_PROTOCOL[header.kind]);
        expect(parsed).toEqual(header);
      }),
    );
  });
});
