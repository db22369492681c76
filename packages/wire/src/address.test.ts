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
  broadcastOf,
  commonPrefixLength,
  eui64InterfaceId,
  formatIpv6Number,
  ipv6AddressScope,
  ipv6Network,
  ipv6PrefixMask,
  ipv6ToBytes,
  isInIpv6Prefix,
  isIpv4LimitedBroadcast,
  isIpv4LocalMulticast,
  isIpv4Loopback,
  isIpv4Multicast,
  isIpv4ZeroNet,
  networkOf,
  parseDottedQuad,
  parseIpv6Number,
  rtScopeOfIpv6,
  SCOPE_GLOBAL,
  SCOPE_INTERFACE_LOCAL,
  SCOPE_LINK_LOCAL,
  SCOPE_SITE_LOCAL,
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

describe('IPv4 prefix arithmetic and address classes', () => {
  const ip = (text: string): number => parseIpv4(text)!;

  it('gives the network and broadcast of an address and prefix length', () => {
    expect(formatIpv4(networkOf(ip('10.1.2.3'), 23))).toBe('10.1.2.0');
    expect(formatIpv4(broadcastOf(ip('10.1.2.3'), 23))).toBe('10.1.3.255');
    expect(formatIpv4(broadcastOf(ip('10.1.2.3'), 32))).toBe('10.1.2.3');
    expect(networkOf(ip('10.1.2.3'), 0)).toBe(0);
  });

  it('classes addresses as net/ipv4 ipv4_is_* does', () => {
    expect([isIpv4Multicast(ip('224.0.0.1')), isIpv4Multicast(ip('239.255.255.255')), isIpv4Multicast(ip('240.0.0.1'))]).toEqual([true, true, false]);
    expect([isIpv4LocalMulticast(ip('224.0.0.251')), isIpv4LocalMulticast(ip('224.0.1.1'))]).toEqual([true, false]);
    expect([isIpv4LimitedBroadcast(ip('255.255.255.255')), isIpv4LimitedBroadcast(ip('10.255.255.255'))]).toEqual([true, false]);
    expect([isIpv4ZeroNet(ip('0.1.2.3')), isIpv4ZeroNet(ip('1.0.0.0'))]).toEqual([true, false]);
    expect([isIpv4Loopback(ip('127.0.0.2')), isIpv4Loopback(ip('128.0.0.1'))]).toEqual([true, false]);
  });

  it('reads a strict dotted quad with decimal leading zeros (as route and ifconfig do)', () => {
    expect(parseDottedQuad('010.000.000.001')).toBe(0x0a000001);
    for (const bad of ['10.1', '10.0.0.256', '0x0a.0.0.1', '1.2.3.4.5']) expect(parseDottedQuad(bad), bad).toBeNull();
  });
});

describe('IPv6 addresses as numbers', () => {
  const n = (text: string): bigint => parseIpv6Number(text)!;

  it('round-trips through bytes and text', () => {
    fc.assert(
      fc.property(ipv6Arb, (bytes) => {
        expect(ipv6ToBytes(parseIpv6Number(formatIpv6(bytes))!)).toEqual(bytes);
      }),
    );
    expect(formatIpv6Number(n('2001:db8::1'))).toBe('2001:db8::1');
    expect(parseIpv6Number('2001:db8::g')).toBeNull();
  });

  it('masks, contains and compares prefixes', () => {
    expect(formatIpv6Number(ipv6Network(n('2001:db8:1:2::5'), 48))).toBe('2001:db8:1::');
    expect(ipv6PrefixMask(0)).toBe(0n);
    expect(formatIpv6Number(ipv6PrefixMask(10))).toBe('ffc0::');
    expect(isInIpv6Prefix(n('2001:db8:1::5'), n('2001:db8::'), 32)).toBe(true);
    expect(isInIpv6Prefix(n('2001:db9::5'), n('2001:db8::'), 32)).toBe(false);
    expect(commonPrefixLength(n('2001:db8::1'), n('2001:db8::1'))).toBe(128);
    expect(commonPrefixLength(n('2001:db8::'), n('2001:db8:8000::'))).toBe(32);
  });

  it('gives RFC 6724 scopes and the rtnetlink scope ip shows', () => {
    expect(ipv6AddressScope(n('::1'))).toBe(SCOPE_INTERFACE_LOCAL);
    expect(ipv6AddressScope(n('fe80::1'))).toBe(SCOPE_LINK_LOCAL);
    expect(ipv6AddressScope(n('fec0::1'))).toBe(SCOPE_SITE_LOCAL);
    expect(ipv6AddressScope(n('ff05::2'))).toBe(5);
    expect(ipv6AddressScope(n('::ffff:169.254.1.1'))).toBe(SCOPE_LINK_LOCAL);
    expect(ipv6AddressScope(n('2001:db8::1'))).toBe(SCOPE_GLOBAL);
    expect([n('::1'), n('fe80::1'), n('fec0::1'), n('2001:db8::1')].map(rtScopeOfIpv6)).toEqual([254, 253, 200, 0]);
  });

  it('builds the modified EUI-64 interface id of a MAC (RFC 4291 appendix A)', () => {
    const id = eui64InterfaceId(parseMac('02:00:00:00:01:01')!);
    expect(formatIpv6Number((0xfe80n << 112n) | id)).toBe('fe80::ff:fe00:101');
  });
});
