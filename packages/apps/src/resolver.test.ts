/**
 * The resolver on real nodes: /etc/hosts and /etc/gai.conf are the node's files, each answer's source
 * is the node's kernel's (route lookup and RFC 6724 source selection, flags from its address list),
 * and `getent ahosts` / `gaitest` print what glibc's would. Every RFC 6724 §10.2 destination example
 * runs through `getent ahosts` on a node built with the example's sources and flags; an unscoped
 * link-local destination cannot be connect()ed to (EINVAL), so glibc and this resolver put it last
 * (resolver-vs-glibc.test.ts shows glibc doing so in namespaces).
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from './testing/node-lab.js';
import { caseCommands, caseHosts, destinationCases, isIpv6Text, resolverNode as node } from './testing/resolver-cases.js';
import { ahostsLine } from './getent.js';
import { addressText } from './resolver.js';
import { parseHostsAddress } from '@netloom/wire/hosts-file';

/** getent ahosts lines for addresses in order, the first with the canonical name. */
function ahosts(addresses: readonly string[], name: string): string {
  return addresses
    .flatMap((text, i) => [1, 2, 3].map((socktype) => ahostsLine({ family: isIpv6Text(text) ? 6 : 4, socktype, protocol: 0, address: parseHostsAddress(text)!, canonName: i === 0 && socktype === 1 ? name : null })))
    .join('');
}

const isLinkLocal = (text: string): boolean => /^fe[89ab]/i.test(text);

describe('RFC 6724 §10.2 destination examples through getent ahosts', () => {
  for (const c of destinationCases) {
    it(`${c.id}: ${c.rule}`, () => {
      const lab = node(caseCommands(c), { '/etc/hosts': caseHosts(c) });
      const rfc = c.expect.map(([d]) => addressText(parseHostsAddress(d)!));
      // glibc: a link-local destination without a zone has no source (connect: EINVAL), so it goes last.
      const expected = [...rfc.filter((d) => !isLinkLocal(d)), ...rfc.filter(isLinkLocal)];
      const run = lab.exec('a', `getent ahosts ${c.id}`, SECOND);
      expect(run.stdout).toBe(ahosts(expected, c.id));
      expect(run.status).toBe(0);
    });
  }
});

const ROCKON = ['ip link set eth0 up', 'ip -6 addr add 2001::2/64 dev eth0 nodad', 'ip -6 addr add fec0::2/64 dev eth0 nodad', 'ip -6 addr add fe80::2/64 dev eth0 nodad', 'ip -6 route add fec0::1 dev eth0', 'ip -6 route add 2001::1 dev eth0', 'ip -6 route add fe80::1 dev eth0', 'ip addr add 10.0.0.2/24 dev eth0'];

describe('seed 003', () => {
  const hosts = 'fec0::1 rockon\n2001::1 rockon\nfe80::1 rockon\n10.0.0.1 rockon\n';
  it('sorts "rockon" as glibc 2.36 does: site-local, global, IPv4, then the unscoped link-local', () => {
    const lab = node(ROCKON, { '/etc/hosts': hosts });
    expect(lab.exec('a', 'gaitest rockon', SECOND).stdout).toBe(
      ['family:10 socktype: 1 protocol:  6 addr:fec0::1(28)', 'family:10 socktype: 1 protocol:  6 addr:2001::1(28)', 'family: 2 socktype: 1 protocol:  6 addr:10.0.0.1(16)', 'family:10 socktype: 1 protocol:  6 addr:fe80::1(28)', ''].join('\n'),
    );
    expect(lab.exec('a', 'getent ahosts rockon', SECOND).stdout).toBe(ahosts(['fec0::1', '2001::1', '10.0.0.1', 'fe80::1'], 'rockon'));
  });
  it('prefers IPv4 with "precedence ::ffff:0:0/96 100" in gai.conf', () => {
    const lab = node(ROCKON, { '/etc/hosts': hosts, '/etc/gai.conf': 'precedence ::ffff:0:0/96 100\n' });
    expect(lab.exec('a', 'getent ahosts rockon', SECOND).stdout).toBe(ahosts(['10.0.0.1', 'fec0::1', '2001::1', 'fe80::1'], 'rockon'));
  });
  it('reads a scoped literal and connects through its interface', () => {
    const lab = node(ROCKON);
    expect(lab.exec('a', 'getent ahosts fe80::1%eth0', SECOND).stdout).toBe('fe80::1%2     STREAM fe80::1%eth0\nfe80::1%2     DGRAM  \nfe80::1%2     RAW    \n');
    expect(lab.exec('a', 'gaitest fe80::1%eth0', SECOND).stdout).toBe('family:10 socktype: 1 protocol:  6 addr:fe80::1%eth0(28)\n');
  });
  it('answers an unknown name with status 2 (getent) and glibc’s error line (gaitest)', () => {
    const lab = node(ROCKON, { '/etc/hosts': hosts });
    expect(lab.exec('a', 'getent ahosts nosuch rockon', SECOND)).toMatchObject({ status: 2, stdout: ahosts(['fec0::1', '2001::1', '10.0.0.1', 'fe80::1'], 'rockon') });
    expect(lab.exec('a', 'gaitest nosuch', SECOND)).toMatchObject({ status: 1, stdout: '', stderr: 'gaitest: getaddrinfo(-2): Name or service not known\n' });
  });
  it('narrows to IPv4 when the node has no IPv6 address but ::1 (AI_ADDRCONFIG)', () => {
    const lab = node(['ip link set eth0 up', 'ip -6 addr flush dev eth0', 'ip addr add 10.0.0.2/24 dev eth0'], { '/etc/hosts': hosts });
    expect(lab.exec('a', 'getent ahosts rockon', SECOND).stdout).toBe(ahosts(['10.0.0.1'], 'rockon'));
    expect(lab.exec('a', 'getent ahostsv6 rockon', SECOND).status).toBe(2);
  });
  it('answers getent hosts by name (one family, lines merged) and by address (the first line)', () => {
    const lab = node([], { '/etc/hosts': '10.1.2.3 Quirk quirk.example\n2001:db8:1::1 quirk.example quirk alias6\n2001:db8:1::2 quirk q6b\n' });
    expect(lab.exec('a', 'getent hosts QUIRK', SECOND).stdout).toBe('2001:db8:1::1   quirk.example quirk alias6 q6b quirk\n2001:db8:1::2   quirk.example quirk alias6 q6b quirk\n');
    expect(lab.exec('a', 'getent hosts 10.1.2.3 nosuch', SECOND)).toMatchObject({ status: 2, stdout: '10.1.2.3        Quirk quirk.example\n' });
    expect(lab.exec('a', 'getent hosts', SECOND).stdout).toBe('10.1.2.3        Quirk quirk.example\n');
  });
  it('prints glibc getent’s errors for a missing or unknown database', () => {
    const lab = node([]);
    expect(lab.exec('a', 'getent', SECOND)).toMatchObject({ status: 1, stderr: 'getent: wrong number of arguments\n', stdout: "Try `getent --help' or `getent --usage' for more information.\n" });
    expect(lab.exec('a', 'getent passwd root', SECOND)).toMatchObject({ status: 1, stderr: 'Unknown database: passwd\n' });
  });
});
