import { describe, expect, it } from 'vitest';
import { DEFAULT_GAI_POLICY, GLIBC_DEFAULT_LABELS, ipv4Mapped, matchPrefix, parseGaiConf, scopeOfIpv4 } from './gai-conf.js';

const v6 = (text: string): bigint => {
  const [head = '', tail = ''] = text.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const all = [...groups(head), ...Array(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  return all.reduce((value, g) => (value << 16n) | BigInt(parseInt(g, 16)), 0n);
};

describe('gai.conf as glibc 2.36 reads it', () => {
  it('keeps glibc’s tables when the file says nothing', () => {
    const { policy, problems } = parseGaiConf('# nothing but comments\n\n   \n');
    expect(policy).toEqual(DEFAULT_GAI_POLICY);
    expect(problems).toEqual([]);
    expect(matchPrefix(v6('2001::1'), policy.labels, -1)).toBe(7);
    expect(matchPrefix(ipv4Mapped(0x0a000001), policy.precedences, -1)).toBe(10);
    expect(scopeOfIpv4(0xa9fe0d4e, policy.scopes)).toBe(2);
    expect(scopeOfIpv4(0xc6336479, policy.scopes)).toBe(14);
  });

  it('replaces a whole table with the lines given, adds the catch-all, and sorts most specific first', () => {
    const { policy } = parseGaiConf('label ::/96 3\nlabel 2001:db8::/32 9\nlabel 2001:db8:1::/48 10\n');
    expect(policy.labels.map((e) => [e.bits, e.value])).toEqual([[96, 3], [48, 10], [32, 9], [0, 1]]);
    expect(policy.precedences).toBe(DEFAULT_GAI_POLICY.precedences);
    expect(matchPrefix(v6('2001:db8:1::5'), policy.labels, -1)).toBe(10);
    // 2001::/32's default label is gone with the table it was in.
    expect(matchPrefix(v6('2001::1'), policy.labels, -1)).toBe(1);
    expect(GLIBC_DEFAULT_LABELS.length).toBe(8);
  });

  it('reads prefer-IPv4 and scopev4 in both forms', () => {
    const { policy, problems } = parseGaiConf('precedence ::ffff:0:0/96 100  # prefer IPv4\nscopev4 ::ffff:10.0.0.0/104 5\nscopev4 192.168.0.0/16 6\nreload yes\n');
    expect(problems).toEqual([]);
    expect(matchPrefix(ipv4Mapped(0x0a000001), policy.precedences, -1)).toBe(100);
    expect(matchPrefix(v6('2001:db8::1'), policy.precedences, -1)).toBe(40);
    expect(scopeOfIpv4(0x0a010203, policy.scopes)).toBe(5);
    expect(scopeOfIpv4(0xc0a80101, policy.scopes)).toBe(6);
    // The defaults for 169.254/16 and 127/8 went with the table; everything else is 14.
    expect(scopeOfIpv4(0xa9fe0001, policy.scopes)).toBe(14);
    expect(policy.reload).toBe(true);
  });

  it('says which lines glibc skips or reads otherwise, and where', () => {
    const text = [
      'precedence ::1 50',
      'label 2001:db8::/32',
      'label fe80::zz/10 3',
      'precedence ::/0 forty',
      'scopev4 2001:db8::/96 5',
      'scopev4 10.0.0.0 5',
      'sortlist 10.0.0.0/8',
      'reload maybe',
      'label ::/0 1 extra',
    ].join('\n');
    const { problems, policy } = parseGaiConf(text);
    expect(problems.map((p) => [p.line, p.index, p.word])).toEqual([
      [0, 11, '::1'],
      [1, 6, '2001:db8::/32'],
      [2, 6, 'fe80::zz/10'],
      [3, 16, 'forty'],
      [4, 8, '2001:db8::/96'],
      [5, 8, '10.0.0.0'],
      [6, 0, 'sortlist'],
      [7, 7, 'maybe'],
      [8, 13, 'extra'],
    ]);
    expect(problems[0]!.message).toContain('has no /bits: glibc 2.36 skips the line; write ::1/128');
    expect(problems[5]!.message).toContain('crashes');
    expect(problems[1]!.message).toContain('glibc reads it as 0');
    // What glibc keeps: the label without a value (0) and the last line (its extra word ignored).
    expect(policy.labels.map((e) => [e.bits, e.value])).toEqual([[32, 0], [0, 1]]);
    expect(policy.precedences).toBe(DEFAULT_GAI_POLICY.precedences);
  });

  it('reads at most GAI_CONF_MAX_LINES lines', () => {
    const { problems } = parseGaiConf('\n'.repeat(5000));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('at most 4096');
  });
});
