import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjustChecksum, internetChecksum, ipv4PseudoHeaderSum, onesComplementSum } from './checksum.js';
import { captured, hexBytes } from './testing/captured-frames.js';

describe('Internet checksum', () => {
  it('matches the worked example of RFC 1071 §3', () => {
    // Bytes 00 01 f2 03 f4 f5 f6 f7: the folded sum is ddf2, the checksum its complement.
    const bytes = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(onesComplementSum(bytes, 0, 8)).toBe(0xddf2);
    expect(internetChecksum(bytes, 0, 8)).toBe(0x220d);
  });

  it('verifies the header checksum Linux wrote (sum over the header is zero)', () => {
    const frame = hexBytes(captured.icmpEchoRequest.hex);
    expect(internetChecksum(frame, 14, 34)).toBe(0);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(onesComplementSum(new Uint8Array([0x12, 0x34, 0x56]), 0, 3)).toBe(0x1234 + 0x5600);
  });

  it('adds the IPv4 pseudo-header as RFC 768 lays it out', () => {
    // 10.0.0.1 → 10.0.9.2, protocol 17, length 40: 0a00+0001+0a00+0902+0011+0028.
    expect(ipv4PseudoHeaderSum(0x0a000001, 0x0a000902, 17, 40)).toBe(0x0a00 + 0x0001 + 0x0a00 + 0x0902 + 0x11 + 0x28);
  });

  it('updates incrementally to the same verifying checksum as recomputation (RFC 1624)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 0xffff }), (bytes, word, value) => {
        bytes[10] = 0;
        bytes[11] = 0;
        const checksum = internetChecksum(bytes, 0, 20);
        bytes[10] = checksum >>> 8;
        bytes[11] = checksum & 0xff;
        if (word === 5) return; // the checksum field itself
        const old = (bytes[2 * word]! << 8) | bytes[2 * word + 1]!;
        bytes[2 * word] = value >>> 8;
        bytes[2 * word + 1] = value & 0xff;
        const updated = adjustChecksum(checksum, old, value);
        bytes[10] = updated >>> 8;
        bytes[11] = updated & 0xff;
        expect(onesComplementSum(bytes, 0, 20)).toBe(0xffff);
      }),
    );
  });
});
