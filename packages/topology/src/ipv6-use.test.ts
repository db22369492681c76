/**
 * configuresIpv6: which topologies put addrconf's DAD probes and router solicitations on the wire.
 * The bundled IPv4-only topologies must not (their golden traces hold no IPv6), the IPv6 ones must.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { configuresIpv6, isIpv6Command } from './ipv6-use.js';
import { parseTopology } from './load.js';

const topologies = join(import.meta.dirname, '..', '..', '..', 'topologies');

describe('isIpv6Command', () => {
  it('takes -6, inet6, ping6, IPv6 addresses with a prefix or a zone, and net.ipv6 settings', () => {
    for (const cmd of ['ip -6 route', 'ip -f inet6 addr', 'ping6 fe80::1%eth0', 'ip addr add 2001:db8::1/64 dev eth0', 'ping ::1', 'sysctl -w net.ipv6.conf.all.forwarding=1']) {
      expect(isIpv6Command(cmd), cmd).toBe(true);
    }
  });

  it('leaves IPv4 commands, MAC addresses and times alone', () => {
    for (const cmd of ['ip addr add 10.0.0.1/24 dev eth0', 'ip link set eth0 address 02:00:00:00:00:aa', 'ping -c 3 10.0.0.2', 'sysctl -w net.ipv4.ip_forward=1', 'echo 12:30']) {
      expect(isIpv6Command(cmd), cmd).toBe(false);
    }
  });
});

describe('isIpv6Command on any line', () => {
  /** The rule of the module header, word by word, with no shortcut. */
  const byWord = (cmd: string): boolean =>
    cmd.split(/\s+/).some((word) => word === '-6' || word === 'inet6' || word === 'ping6' || word.includes('net.ipv6.') || isIPv6(word.replace(/\/\d+$/, '').replace(/%.*$/, '')));
  const pieces = ['ip', 'addr', 'add', '-6', '-4', 'inet6', 'ping6', 'ping', 'net.ipv6.conf.all.forwarding=1', 'net.ipv4.ip_forward=1', '2001:db8::1/64', 'fe80::1%eth0', '::1', '10.0.6.1/16', '02:00:00:00:00:aa', '12:30', 'eth6', 'dev', ' ', '\t', '  '];

  it('answers as the word-by-word rule does', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: fc.constantFrom('a', '6', ':', '.', '/', '%', '1', 'f', ' ', '-') })), { maxLength: 8 }), (parts) => {
        const cmd = parts.join(' ');
        expect(isIpv6Command(cmd), cmd).toBe(byWord(cmd));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('configuresIpv6', () => {
  const of = (file: string): boolean => {
    return configuresIpv6(parseTopology(readFileSync(join(topologies, file), 'utf8'), file));
  };

  it('is false for every bundled topology whose golden trace holds no IPv6, and true for the IPv6 ones', () => {
    const golden = join(topologies, '..', 'test', 'golden');
    const ipv4Only = readdirSync(golden)
      .filter((f) => f.endsWith('.inline.trace') && !readFileSync(join(golden, f), 'utf8').includes(' IP6 '))
      .map((f) => f.replace('.inline.trace', '.yaml'))
      .filter((f) => readdirSync(topologies).includes(f));
    expect(ipv4Only).toContain('two-hosts.yaml');
    expect(ipv4Only.filter(of)).toEqual([]);
    expect(['address-selection.yaml', 'ipv6-slaac.yaml'].filter(of)).toEqual(['address-selection.yaml', 'ipv6-slaac.yaml']);
  });

  it('counts an ra: block and an IPv6 event command', () => {
    const base = 'name: t\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: [a:eth0, b:eth0]\n';
    const parse = (text: string): boolean => configuresIpv6(parseTopology(text, 't.yaml'));
    expect(parse(base)).toBe(false);
    expect(parse(`${base}events:\n  - { at: 1s, node: a, cmd: "ip -6 addr add 2001:db8::1/64 dev eth0" }\n`)).toBe(true);
    expect(parse(base.replace('  a: {}', '  a:\n    ra:\n      eth0:\n        prefixes: [{ prefix: "2001:db8::/64" }]'))).toBe(true);
  });
});
