/**
 * The packet log's filter language, in the spirit of tcpdump's primitives but much smaller:
 * `node r1`, `link h1:eth0--r1:eth0`, `proto icmp`, `host 10.0.1.1`, `drop`, and any other word as
 * free text; terms are ANDed (`and` is accepted and ignored). Matching works on the trace event's
 * fields and its one-line summary, so protocols and addresses are whatever the summary prints
 * (`ICMP`, `ARP`, `UDP`, `IP6`, …). It leaves out `or`, `not`, ports and netmasks.
 */
import type { TraceEvent } from '@netloom/runtime';

export interface PacketFilter {
  /** The text the user typed, shown in the log pane's title. */
  source: string;
  nodes: string[];
  links: string[];
  protocols: string[];
  hosts: string[];
  dropsOnly: boolean;
  words: string[];
}

export type PacketFilterParse = { ok: true; filter: PacketFilter | null } | { ok: false; error: string };

const keywordsWithArgument = new Set(['node', 'link', 'proto', 'host']);

/** Parses a filter; an empty line means "no filter" (`filter: null`). */
export function parsePacketFilter(input: string): PacketFilterParse {
  const tokens = input.trim().split(/\s+/).filter((token) => token.length > 0);
  if (tokens.length === 0) return { ok: true, filter: null };
  const filter: PacketFilter = {
    source: tokens.join(' '),
    nodes: [],
    links: [],
    protocols: [],
    hosts: [],
    dropsOnly: false,
    words: [],
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const keyword = token.toLowerCase();
    if (keyword === 'and') continue;
    if (keyword === 'drop' || keyword === 'drops') {
      filter.dropsOnly = true;
      continue;
    }
    if (keywordsWithArgument.has(keyword)) {
      const argument = tokens[i + 1];
      if (argument === undefined) return { ok: false, error: `${keyword} needs an argument, e.g. ${example(keyword)}` };
      i++;
      if (keyword === 'node') filter.nodes.push(argument);
      else if (keyword === 'link') filter.links.push(argument);
      else if (keyword === 'proto') filter.protocols.push(argument.toLowerCase());
      else filter.hosts.push(argument.toLowerCase());
      continue;
    }
    filter.words.push(token.toLowerCase());
  }
  return { ok: true, filter };
}

function example(keyword: string): string {
  switch (keyword) {
    case 'node':
      return 'node r1';
    case 'link':
      return 'link h1:eth0--r1:eth0';
    case 'proto':
      return 'proto icmp';
    default:
      return 'host 10.0.1.1';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole-word, case-insensitive protocol match: `icmp` matches `ICMP echo` but not `ICMP6`. */
function mentionsProtocol(summary: string, protocol: string): boolean {
  return new RegExp(`(^|[^a-z0-9])${escapeRegExp(protocol)}($|[^a-z0-9])`, 'i').test(summary);
}

/**
 * Address match that respects address boundaries: `10.0.1.1` matches `10.0.1.1 >`, `10.0.1.1:`
 * and `10.0.1.1.5000` (tcpdump's address.port) but not `10.0.1.10`; `ff02::1` matches `ff02::1:`
 * but not `ff02::1:ff00:2`.
 */
function mentionsHost(summary: string, host: string): boolean {
  return new RegExp(`(^|[^0-9a-z:.])${escapeRegExp(host)}(?![0-9a-z]|:[0-9a-f])`, 'i').test(summary);
}

export function matchesPacketFilter(filter: PacketFilter | null, event: TraceEvent): boolean {
  if (filter === null) return true;
  if (filter.dropsOnly && event.kind !== 'drop') return false;
  if (filter.nodes.length > 0 && !filter.nodes.includes(event.node)) return false;
  if (filter.links.length > 0) {
    const link = event.link ?? '';
    if (!filter.links.some((wanted) => link === wanted || (link.length > 0 && link.includes(wanted)))) return false;
  }
  for (const protocol of filter.protocols) {
    if (!mentionsProtocol(event.summary, protocol)) return false;
  }
  for (const host of filter.hosts) {
    if (!mentionsHost(event.summary, host)) return false;
  }
  if (filter.words.length > 0) {
    const haystack = `${event.node} ${event.ifname ?? ''} ${event.link ?? ''} ${event.kind} ${event.reason ?? ''} ${event.summary}`.toLowerCase();
    for (const word of filter.words) {
      if (!haystack.includes(word)) return false;
    }
  }
  return true;
}
