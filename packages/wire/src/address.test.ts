import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIpv4,
  formatIpv6,
  formatMac,
  isInPrefix,
  maskPrefixLength,
  parseCidr4,
  parseIpv4,
  parseIpv6,
  parseMac,
  prefixMask,
} from './address.js';
import { ipv4Arb, ipv6Arb, macArb } from './testing/arbitraries.js';

describe('IPv4 addresses', () => {
  it('parses dotted quads into unsigned numbers and back', () => {
    expect(parseIpv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(formatIpv4(0xc0a80a02)).toBe('192.168.10.2');
  });

  it('rejects anything but four decimal octets', () => {
    for (const text of ['', '10.0.0', '10.0.0.1.', '10.0.0.256', '10.0.0.01', '10..0.1', ' 10.0.0.1', '10.0.0.1/24', 'a.b.c.d', '1e1.0.0.1']) {
      expect(parseIpv4(text), text).toBeNull();
    }
  });

  it('round-trips every address', () => {
    fc.assert(fc.property(ipv4Arb, (address) => {
        expect(parseIpv4(formatIpv4(address))).toBe(address);
      }));
  });

  it('computes masks, prefix membership and CIDR text', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(maskPrefixLength(0xffffff00)).toBe(24);
    expect(maskPrefixLength(0xff00ff00)).toBeNull();
    expect(isInPrefix(0x0a000063, 0x0a000001, 24)).toBe(true);
    expect(isInPrefix(0x0a000163, 0x0a000001, 24)).toBe(false);
    expect(isInPrefix(0xc0a80101, 0, 0)).toBe(true);
    expect(parseCidr4('10.0.0.1/24')).toEqual({ address: 0x0a000001, prefixLength: 24 });
    expect(parseCidr4('10.0.0.1')).toEqual({ address: 0x0a000001, prefixLength: 32 });
    expect(parseCidr4('10.0.0.1/33')).toBeNull();
    expect(parseCidr4('10.0.0.1/')).toBeNull();
    expect(parseCidr4('10.0.0.1/024')).toBeNull();
  });
});

describe('MAC addresses', () => {
  it('parses colon or dash text in either case and prints lower-case colon text', () => {
    expect(parseMac('02:00:00:00:01:0A')).toEqual(new Uint8Array([2, 0, 0, 0, 1, 10]));
    expect(parseMac('02-00-00-00-01-0a')).toEqual(new Uint8Array([2, 0, 0, 0, 1, 10]));
    expect(formatMac(new Uint8Array([2, 0, 0, 0, 1, 10]))).toBe('02:00:00:00:01:0a');
    for (const text of ['02:00:00:00:01', '02:00:00:00:01:0g', '02:00-00:00:01:0a', '020000000100']) {
      expect(parseMac(text), text).toBeNull();
    }
  });

  it('round-trips every address', () => {
    fc.assert(fc.property(macArb, (mac) => {
        expect(parseMac(formatMac(mac))).toEqual(mac);
      }));
  });
});

describe('IPv6 addresses', () => {
  it('prints RFC 5952 text', () => {
    // The examples of RFC 5952 §4.
    const cases: [string, string][] = [
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs (§4.2.3)
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single 0 group stays (§4.2.2)
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run (§4.2.3)
      ['2001:DB8::AB', '2001:db8::ab'], // lower case (§4.3)
      ['::', '::'],
      ['::1', '::1'],
      ['fe80::ff:fe00:1', 'fe80::ff:fe00:1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['::ffff:10.0.0.1', '::ffff:10.0.0.1'], // IPv4-mapped keeps the dotted quad (§5)
    ];
    for (const [text, canonical] of cases) {
      const bytes = parseIpv6(text);
      expect(bytes, text).not.toBeNull();
      expect(formatIpv6(bytes as Uint8Array)).toBe(canonical);
    }
  });

  it('rejects malformed text and zone ids', () => {
    for (const text of ['', ':', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '12345::', 'g::1', '10.0.0.1']) {
      expect(parseIpv6(text), text).toBeNull();
    }
  });

  it('round-trips every address', () => {
    fc.assert(fc.property(ipv6Arb, (address) => {
        expect(parseIpv6(formatIpv6(address))).toEqual(address);
      }));
  });
});
