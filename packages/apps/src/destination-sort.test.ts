/**
 * The destination sort itself, with each destination's source given: every RFC 6724 §10.2 example
 * under glibc's default tables and under the RFC 6724 §2.1 policy table written as a gai.conf, and
 * the rules glibc adds or reads its own way (IPv4 longest match only within the source's subnet,
 * rule 9 only within one family, the order kept when nothing decides).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GAI_POLICY, parseGaiConf } from '@netloom/wire/gai-conf';
import { parseHostsAddress, type HostsAddress } from '@netloom/wire/hosts-file';
import { compareDestinations, sortDestinations, type SortCandidate } from './destination-sort.js';
import { addressText } from './resolver.js';
import { destinationCases } from './testing/resolver-cases.js';

const address = (text: string): HostsAddress => parseHostsAddress(text)!;

/** RFC 6724 §2.1's policy table as gai.conf lines. */
const RFC6724_GAI_CONF = `
label ::1/128 0
label ::/0 1
label ::ffff:0:0/96 4
label 2002::/16 2
label 2001::/32 5
label fc00::/7 13
label ::/96 3
label fec0::/10 11
label 3ffe::/16 12
precedence ::1/128 50
precedence ::/0 40
precedence ::ffff:0:0/96 35
precedence 2002::/16 30
precedence 2001::/32 5
precedence fc00::/7 3
precedence ::/96 1
precedence fec0::/10 1
precedence 3ffe::/16 1
`;

function candidates(c: (typeof destinationCases)[number]): SortCandidate[] {
  const sourceOf = new Map(c.expect.map(([d, s]) => [d, s]));
  return c.destinations.map((d) => {
    const s = sourceOf.get(d)!;
    const flags = c.sources.find((x) => x.addr === s)?.flags ?? [];
    return { destination: address(d), source: { source: address(s), deprecated: flags.includes('deprecated'), home: flags.includes('home'), prefixLength: 64 } };
  });
}

describe('RFC 6724 §10.2 destination examples, sources given', () => {
  for (const [tables, policy] of [
    ["glibc's default tables", DEFAULT_GAI_POLICY],
    ['the RFC 6724 table from gai.conf', parseGaiConf(RFC6724_GAI_CONF).policy],
  ] as const) {
    for (const c of destinationCases) {
      it(`${c.id} (${c.rule}) under ${tables}`, () => {
        const sorted = sortDestinations(candidates(c), policy).map((x) => addressText(x.destination));
        expect(sorted).toEqual(c.expect.map(([d]) => addressText(address(d))));
        // Either order of the input gives the same answer: the rule decides, not the order.
        expect(sortDestinations([...candidates(c)].reverse(), policy).map((x) => addressText(x.destination))).toEqual(sorted);
      });
    }
  }
  it('the RFC 6724 gai.conf reads without problems', () => {
    expect(parseGaiConf(RFC6724_GAI_CONF).problems).toEqual([]);
  });
});

describe('rules glibc reads its own way', () => {
  const usable = (d: string, s: string, prefixLength = 24): SortCandidate => ({ destination: address(d), source: { source: address(s), deprecated: false, home: false, prefixLength } });
  it('puts a destination without a source last (rule 1)', () => {
    const sorted = sortDestinations([{ destination: address('2001:db8::1'), source: undefined }, usable('198.51.100.1', '198.51.100.2')], DEFAULT_GAI_POLICY);
    expect(sorted.map((x) => addressText(x.destination))).toEqual(['198.51.100.1', '2001:db8::1']);
  });
  it('counts common IPv4 bits only inside the source subnet (rule 9)', () => {
    // 10.0.0.9 shares 28 bits with its source but lies outside the source's /30: no bits count.
    const outside = usable('10.0.0.9', '10.0.0.1', 30);
    const inside = usable('10.0.1.2', '10.0.1.1', 24);
    expect(sortDestinations([outside, inside], DEFAULT_GAI_POLICY).map((x) => addressText(x.destination))).toEqual(['10.0.1.2', '10.0.0.9']);
    expect(sortDestinations([inside, outside], DEFAULT_GAI_POLICY).map((x) => addressText(x.destination))).toEqual(['10.0.1.2', '10.0.0.9']);
  });
  it('keeps the received order when no rule decides (rule 10)', () => {
    const a = usable('2001:db8::1', '2001:db8::2', 64);
    const b = usable('2001:db8::1', '2001:db8::2', 64);
    expect(compareDestinations(a, 0, b, 1, DEFAULT_GAI_POLICY)).toBe(-1);
    expect(compareDestinations(b, 1, a, 0, DEFAULT_GAI_POLICY)).toBe(1);
  });
  it('ranks IPv4 by gai.conf precedence as ::ffff:0:0/96 ("prefer IPv4")', () => {
    const v6 = usable('2001:db8::1', '2001:db8::2', 64);
    const v4 = usable('198.51.100.1', '198.51.100.2');
    expect(sortDestinations([v6, v4], DEFAULT_GAI_POLICY).map((x) => x.destination.family)).toEqual([6, 4]);
    expect(sortDestinations([v6, v4], parseGaiConf('precedence ::ffff:0:0/96 100\n').policy).map((x) => x.destination.family)).toEqual([4, 6]);
  });
});
