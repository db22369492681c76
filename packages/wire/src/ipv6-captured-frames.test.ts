/**
 * Every IPv6 frame captured from Linux (testing/captured-frames.ts and captured-ipv6-frames.ts)
 * through the IPv6 formats at once: the fixed header, the extension header chain, then ICMPv6 or
 * UDP with the checksum verified over the pseudo-header, and each layer emitted again byte for
 * byte. The pseudo-header's destination is the final one (the home address of a type 2 routing
 * header, RFC 8200 §8.1); its source is the IPv6 source — the Linux that sent the Home Address
 * option frame has no Mobile IPv6, so it did not use the home address there.
 */
import { describe, expect, it } from 'vitest';
import { ETHERNET_HEADER_LENGTH } from './ethernet.js';
import { emitIcmpv6, icmpv6BufferLen, parseIcmpv6, type Icmpv6Repr } from './icmpv6.js';
import { IpProtocol } from './ipv4.js';
import { parseIpv6Packet } from './ipv6.js';
import { emitIpv6ExtensionHeader, ipv6ExtensionHeaderLength, walkIpv6ExtensionHeaders } from './ipv6-extension-headers.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { capturedIpv6 } from './testing/captured-ipv6-frames.js';
import { filledBuffer } from './testing/arbitraries.js';
import { emitUdp, parseUdp } from './udp.js';
import { isWireError } from './wire-error.js';

const frames = Object.entries({ ...captured, ...capturedIpv6 })
  .map(([name, frame]) => [name, hexBytes(frame.hex)] as const)
  .filter(([, bytes]) => bytes[12] === 0x86 && bytes[13] === 0xdd);

describe('IPv6 frames captured from Linux', () => {
  it('holds frames of every kind this module models', () => {
    expect(frames.length).toBeGreaterThanOrEqual(28);
  });

  for (const [name, frame] of frames) {
    it(`${name}: every layer parses, its checksum verifies, and it is emitted again byte for byte`, () => {
      const packet = parseIpv6Packet(frame.subarray(ETHERNET_HEADER_LENGTH));
      if (isWireError(packet)) throw new Error(`${name}: ${packet.error}`);
      const chain = walkIpv6ExtensionHeaders(packet.nextHeader, packet.payload);
      if (isWireError(chain)) throw new Error(`${name}: ${chain.error}`);
      let finalDestination = packet.destination;
      chain.headers.forEach((header, i) => {
        const length = ipv6ExtensionHeaderLength(header);
        const buf = filledBuffer(length);
        emitIpv6ExtensionHeader(header, buf, 0);
        const at = chain.offsets[i] ?? 0;
        expect(buf, `${name}: header ${i}`).toEqual(packet.payload.subarray(at, at + length));
        if (header.kind === 'routingType2') finalDestination = header.homeAddress;
      });
      const upper = packet.payload.subarray(chain.upperLayerOffset);
      const isWholeDatagram = !chain.headers.some((header) => header.kind === 'fragment');
      if (!isWholeDatagram) return; // a fragment's checksum covers the reassembled datagram
      const context = { source: packet.source, destination: finalDestination };
      if (chain.upperLayerProtocol === IpProtocol.icmpv6) {
        const icmp = parseIcmpv6(upper, context);
        if (isWireError(icmp)) throw new Error(`${name}: ICMPv6 ${icmp.error}`);
        expect(icmp.kind, name).not.toBe('other');
        const buf = filledBuffer(icmpv6BufferLen(icmp as Icmpv6Repr));
        emitIcmpv6(icmp, buf, 0, context);
        expect(buf, name).toEqual(upper);
      } else if (chain.upperLayerProtocol === IpProtocol.udp) {
        const udp = parseUdp(upper, { family: 6, ...context });
        if (isWireError(udp)) throw new Error(`${name}: UDP ${udp.error}`);
        const buf = filledBuffer(upper.length);
        emitUdp(udp, buf, 0, { family: 6, ...context });
        expect(buf, name).toEqual(upper);
      }
    });
  }
});
