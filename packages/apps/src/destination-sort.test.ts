/**
 * The destination sort itself, with each destination's source given: every RFC 6724 §10.2 example
 * under glibc's default tables and under the RFC 6724 §2.1 policy table written as a gai.conf, and
 * the rules glibc adds or reads its own way (IPv4 longest match only within the source's subnet,
 * rule 9 only within one family, the order kept when nothing decides); and, over seeded random
 * candidates, that the comparison is a strict total order (what a sort needs) and that any text reads
 * as a hosts file or a gai.conf without an exception.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GAI_POLICY, parseGaiConf } from '@netloom/wire/gai-conf';
import { parseHostsAddress, parseHostsFile, type HostsAddress } from '@netloom/wire/hosts-file';
import { scaled } from '@netloom/wire/testing/test-environment';
import { Prng } from '@netloom/stack/timers';
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

describe('properties over seeded random candidates', () => {
  // Addresses from every class the tables tell apart: loopback, link-local, site-local, ULA, 6to4,
  // Teredo, documentation, multicast, IPv4 link-local, private and global.
  const POOL = ['::1', 'fe80::1', 'fe80::2', 'fec0::1', 'fc00::5', '2002:c633:6401::1', '2001::1', '2001:db8:1::1', '2001:db8:1::2', '2001:db8:3ffe::9', 'ff05::1', 'ff02::1', '::ffff:10.0.0.1', '169.254.13.78', '10.1.2.3', '10.1.2.4', '198.51.100.121', '127.0.0.1'];
  const POLICIES = [DEFAULT_GAI_POLICY, parseGaiConf(RFC6724_GAI_CONF).policy, parseGaiConf('precedence ::ffff:0:0/96 100\nscopev4 10.0.0.0/8 5\n').policy];
  const rounds = scaled(400);

  function randomCandidate(prng: Prng): SortCandidate {
    const destination = address(POOL[prng.below(POOL.length)]!);
    if (prng.below(5) === 0) return { destination, source: undefined };
    const sameFamily = POOL.filter((text) => address(text).family === destination.family);
    return {
      destination,
      source: { source: address(sameFamily[prng.below(sameFamily.length)]!), deprecated: prng.below(4) === 0, home: prng.below(4) === 0, prefixLength: [8, 16, 24, 64][prng.below(4)]! },
    };
  }

  it(`is a strict total order (${rounds} seeded triples under three policies)`, () => {
    const prng = new Prng(6724);
    for (let round = 0; round < rounds; round++) {
      const policy = POLICIES[round % POLICIES.length]!;
      const [a, b, c] = [randomCandidate(prng), randomCandidate(prng), randomCandidate(prng)];
      const ab = compareDestinations(a, 0, b, 1, policy);
      const bc = compareDestinations(b, 1, c, 2, policy);
      const ac = compareDestinations(a, 0, c, 2, policy);
      expect(compareDestinations(b, 1, a, 0, policy), `antisymmetry, round ${round}`).toBe(-ab);
      if (ab < 0 && bc < 0) expect(ac, `transitivity, round ${round}`).toBe(-1);
      if (ab > 0 && bc > 0) expect(ac, `transitivity, round ${round}`).toBe(1);
    }
  });

  it('reads any text as a hosts file or a gai.conf without throwing', () => {
    const prng = new Prng(3484);
    const words = ['label', 'precedence', 'scopev4', 'reload', 'yes', '#', '::1/128', '::ffff:0:0/96', '10.0.0.0/8', '::ffff:10.0.0.0/104', 'fe80::1%eth0', '2001:db8::1', '10.1', '0x7f.1', '/', '/129', '99999999999', '-1', 'rockon', '\t', ' ', '\n', 'ä'];
    for (let round = 0; round < rounds; round++) {
      let text = '';
      for (let i = prng.below(40); i > 0; i--) text += words[prng.below(words.length)]! + (prng.below(3) === 0 ? '' : ' ');
      const conf = parseGaiConf(text);
      const hosts = parseHostsFile(text);
      const lines = text.split('\n').length;
      for (const p of [...conf.problems, ...hosts.problems]) expect(p.line).toBeLessThan(lines);
      expect(conf.policy.labels.at(-1)!.bits === 0 || conf.policy.labels === DEFAULT_GAI_POLICY.labels).toBe(true);
    }
  });
});
