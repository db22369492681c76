import { describe, expect, it } from 'vitest';
import { hostsLookup, inetAton, inetPton4, parseHostsFile } from './hosts-file.js';

describe('/etc/hosts as glibc 2.36 reads it', () => {
  const text = ['# comment', '10.1.2.3 Quirk quirk.example   # trailing', '2001:db8:1::1\tquirk.example quirk alias6', '  ', 'fe80::1%eth0 quirk', '10.1 quirk', 'bad::zz quirk', '192.0.2.9', '10.1.2.3 quirk'].join('\n');

  it('reads address, canonical name and aliases, and says which lines it skips', () => {
    const { entries, problems } = parseHostsFile(text);
    expect(entries.map((e) => [e.line, e.address.family, e.name, e.aliases])).toEqual([
      [1, 4, 'Quirk', ['quirk.example']],
      [2, 6, 'quirk.example', ['quirk', 'alias6']],
      [8, 4, 'quirk', []],
    ]);
    expect(problems.map((p) => [p.line, p.index, p.word])).toEqual([
      [4, 0, 'fe80::1%eth0'],
      [5, 0, '10.1'],
      [6, 0, 'bad::zz'],
      [7, 0, '192.0.2.9'],
    ]);
    expect(problems[0]!.message).toContain('cannot carry a zone (%eth0)');
    expect(problems[3]!.message).toContain('no host name');
  });

  it('finds every line naming a host, in file order, ignoring ASCII case', () => {
    const { entries } = parseHostsFile(text);
    expect(hostsLookup(entries, 'QUIRK').map((e) => e.line)).toEqual([1, 2, 8]);
    expect(hostsLookup(entries, 'alias6').map((e) => e.line)).toEqual([2]);
    expect(hostsLookup(entries, 'nosuch')).toEqual([]);
  });

  it('takes IPv4 in hosts as inet_pton does, and host names as inet_aton does', () => {
    expect(inetPton4('10.1.2.3')).toBe(0x0a010203);
    expect(inetPton4('010.1.2.3')).toBeNull();
    expect(inetPton4('10.1')).toBeNull();
    expect(inetAton('10.1')).toBe(0x0a000001);
    expect(inetAton('010.1.2.3')).toBe(0x08010203);
    expect(inetAton('0x7f.1')).toBe(0x7f000001);
    expect(inetAton('1.2.3.256')).toBeNull();
    expect(inetAton('1.65536')).toBe(0x01010000);
    expect(inetAton('1.16777216')).toBeNull();
    expect(inetAton('4294967295')).toBe(0xffffffff);
    expect(inetAton('08.1.1.1')).toBeNull();
  });
});
