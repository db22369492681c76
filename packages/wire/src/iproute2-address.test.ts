import { describe, expect, it } from 'vitest';
import { formatIpv4 } from './address.js';
import { parseIproute2Ipv4, parseIproute2Netmask, parseIproute2Prefix } from './iproute2-address.js';

// Expectations recorded with iproute2 6.x on Linux (`ip addr add <text> dev lo`, then `ip addr show`).
describe('parseIproute2Ipv4 (get_addr_ipv4)', () => {
  const text = (t: string): string | null => {
    const a = parseIproute2Ipv4(t);
    return a === null ? null : formatIpv4(a);
  };

  it('reads each part as strtoul base 0: 010 is octal, 0x0a hex', () => {
    expect(text('010.0.0.1')).toBe('8.0.0.1');
    expect(text('0x0a.1')).toBe('10.1.0.0');
    expect(text('0.0.0.0')).toBe('0.0.0.0');
  });

  it('fills missing trailing parts with zero', () => {
    expect(text('10.66')).toBe('10.66.0.0');
    expect(text('10')).toBe('10.0.0.0');
  });

  it('rejects a part over 255, a fifth part, empty parts and trailing text', () => {
    for (const bad of ['256.1', '1.2.3.4.5', '1..2', '1.', '', '08', '1.2.3.4x', '-1']) expect(parseIproute2Ipv4(bad), bad).toBeNull();
  });
});

describe('parseIproute2Prefix (get_prefix_1)', () => {
  it('takes default, any and all as 0/0 with a length given', () => {
    for (const word of ['default', 'any', 'all']) expect(parseIproute2Prefix(word)).toEqual({ address: 0, prefixLength: 0, lengthGiven: true });
  });

  it('keeps host bits and reads /LEN or a dotted contiguous /NETMASK', () => {
    expect(parseIproute2Prefix('10.66/255.255.0.0')).toEqual({ address: 0x0a420000, prefixLength: 16, lengthGiven: true });
    expect(parseIproute2Prefix('10.1.2.3/24')).toEqual({ address: 0x0a010203, prefixLength: 24, lengthGiven: true });
    expect(parseIproute2Prefix('10.1.2.3')).toEqual({ address: 0x0a010203, prefixLength: 32, lengthGiven: false });
  });

  it('rejects a mask with holes, a length over 32 and a bad address', () => {
    for (const bad of ['10.1.1.1/255.0.255.0', '172.16.1.2/0xff', '10.0.0.0/33', '256.1/8', '10.0.0.0/']) expect(parseIproute2Prefix(bad), bad).toBeNull();
  });
});

describe('parseIproute2Netmask (get_netmask)', () => {
  it('reads decimal, strtoul base 0 and dotted masks', () => {
    expect(parseIproute2Netmask('24')).toBe(24);
    expect(parseIproute2Netmask('0x10')).toBe(16);
    expect(parseIproute2Netmask('255.255.255.0')).toBe(24);
    expect(parseIproute2Netmask('0.0.0.0')).toBe(0);
    expect(parseIproute2Netmask('33')).toBeNull();
  });
});
