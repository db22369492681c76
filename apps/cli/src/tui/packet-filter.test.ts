import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@netloom/runtime';
import { matchesPacketFilter, parsePacketFilter, type PacketFilter } from './packet-filter.js';

function event(overrides: Partial<TraceEvent>): TraceEvent {
  return { t: 0, kind: 'tx', node: 'h1', ifname: 'eth0', link: 'h1:eth0--r1:eth0', summary: 'IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq 1, length 64', ...overrides };
}

function filter(text: string): PacketFilter | null {
  const parsed = parsePacketFilter(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.filter;
}

describe('parsePacketFilter', () => {
  it('reads node, link, proto, host, drop and free words, ignoring "and"', () => {
    expect(filter('node r1 and proto ICMP host 10.0.1.1 link h1:eth0--r1:eth0 drop echo')).toEqual({
      source: 'node r1 and proto ICMP host 10.0.1.1 link h1:eth0--r1:eth0 drop echo',
      nodes: ['r1'],
      links: ['h1:eth0--r1:eth0'],
      protocols: ['icmp'],
      hosts: ['10.0.1.1'],
      dropsOnly: true,
      words: ['echo'],
    });
  });

  it('an empty line clears the filter', () => {
    expect(parsePacketFilter('   ')).toEqual({ ok: true, filter: null });
  });

  it('a keyword without its argument is an error with an example', () => {
    expect(parsePacketFilter('proto')).toEqual({ ok: false, error: 'proto needs an argument, e.g. proto icmp' });
  });
});

describe('matchesPacketFilter', () => {
  it('node matches the node the event happened on', () => {
    expect(matchesPacketFilter(filter('node h1'), event({}))).toBe(true);
    expect(matchesPacketFilter(filter('node r1'), event({}))).toBe(false);
  });

  it('proto matches whole words of the summary: icmp is not icmp6', () => {
    expect(matchesPacketFilter(filter('proto icmp'), event({}))).toBe(true);
    expect(matchesPacketFilter(filter('proto icmp'), event({ summary: 'IP6 fe80::1 > ff02::1: ICMP6, neighbor solicitation' }))).toBe(false);
    expect(matchesPacketFilter(filter('proto arp'), event({ summary: 'ARP, Request who-has 10.0.1.254 tell 10.0.1.1, length 28' }))).toBe(true);
  });

  it('host matches an address but not a longer address that starts with it', () => {
    expect(matchesPacketFilter(filter('host 10.0.1.1'), event({}))).toBe(true);
    expect(matchesPacketFilter(filter('host 10.0.1.1'), event({ summary: 'IP 10.0.1.10 > 10.0.9.2: ICMP echo request' }))).toBe(false);
    expect(matchesPacketFilter(filter('host 10.0.1.1'), event({ summary: 'IP 10.0.1.1.5000 > 10.0.9.2.53: UDP, length 8' }))).toBe(true);
    expect(matchesPacketFilter(filter('host 10.0.9.2'), event({}))).toBe(true);
    const ndp = event({ summary: 'IP6 fe80::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has 2001:db8::2' });
    expect(matchesPacketFilter(filter('host ff02::1'), ndp)).toBe(false);
    expect(matchesPacketFilter(filter('host fe80::1'), ndp)).toBe(true);
    expect(matchesPacketFilter(filter('host 2001:db8::2'), ndp)).toBe(true);
  });

  it('link matches the whole id or a part of it', () => {
    expect(matchesPacketFilter(filter('link h1:eth0--r1:eth0'), event({}))).toBe(true);
    expect(matchesPacketFilter(filter('link r1:eth0'), event({}))).toBe(true);
    expect(matchesPacketFilter(filter('link r2:eth0'), event({}))).toBe(false);
    expect(matchesPacketFilter(filter('link r1:eth0'), event({ link: null }))).toBe(false);
  });

  it('drop keeps only drops, and free text searches the reason too', () => {
    expect(matchesPacketFilter(filter('drop'), event({}))).toBe(false);
    expect(matchesPacketFilter(filter('drop'), event({ kind: 'drop', reason: 'linkDown' }))).toBe(true);
    expect(matchesPacketFilter(filter('linkdown'), event({ kind: 'drop', reason: 'linkDown' }))).toBe(true);
  });

  it('terms are ANDed', () => {
    expect(matchesPacketFilter(filter('node h1 proto icmp'), event({}))).toBe(true);
    expect(matchesPacketFilter(filter('node h1 proto udp'), event({}))).toBe(false);
  });
});
