/**
 * The resolver's test cases. RFC 6724 §10.2's destination examples (fixtures/rfc6724-examples.json, a copy of
 * ../shared/vectors/rfc6724-examples.json) as the apps' tests use them: each case's sources with
 * their flags, the destinations in the order the resolver receives them, and the expected order
 * with the source of each; plus the commands that give a node (netloom's or a namespace) those
 * sources and a route to every destination through eth0, and the /etc/hosts lines naming them;
 * and `resolverNode`, a netloom node configured by such lines with its files written.
 */
import { readFileSync } from 'node:fs';
import { programs } from '../index.js';
import { NodeLab } from './node-lab.js';

export interface VectorSource {
  addr: string;
  flags?: readonly ('deprecated' | 'home' | 'care-of' | 'temporary')[];
}

export interface DestinationCase {
  id: string;
  sources: readonly VectorSource[];
  destinations: readonly string[];
  /** [destination, its source] in the expected order. */
  expect: readonly (readonly [string, string])[];
  rule: string;
}

export const destinationCases: readonly DestinationCase[] = (
  JSON.parse(readFileSync(new URL('../fixtures/rfc6724-examples.json', import.meta.url), 'utf8')) as { destination: DestinationCase[] }
).destination;

export const isIpv6Text = (text: string): boolean => text.includes(':');

/** The IPv4 sources' prefix lengths: the link-local /16, the documentation and private nets /24. */
function ipv4Prefix(address: string): number {
  return address.startsWith('169.254.') ? 16 : 24;
}

/**
 * Commands that configure a node for `c`: eth0 up, the sources (deprecated as preferred_lft 0,
 * home as `home`; care-of is no kernel flag), a route to each destination through eth0.
 */
export function caseCommands(c: DestinationCase): string[] {
  const lines = ['ip link set eth0 up'];
  for (const s of c.sources) {
    if (!isIpv6Text(s.addr)) {
      lines.push(`ip addr add ${s.addr}/${ipv4Prefix(s.addr)} dev eth0`);
      continue;
    }
    const flags = s.flags ?? [];
    lines.push(`ip -6 addr add ${s.addr}/64 dev eth0 nodad${flags.includes('home') ? ' home' : ''}${flags.includes('deprecated') ? ' preferred_lft 0' : ''}`);
  }
  for (const d of c.destinations) lines.push(isIpv6Text(d) ? `ip -6 route add ${d} dev eth0` : `ip route add ${d} dev eth0`);
  return lines;
}

/** /etc/hosts naming the case's destinations, in the case's order, by the case's id. */
export function caseHosts(c: DestinationCase): string {
  return c.destinations.map((d) => `${d} ${c.id}\n`).join('');
}

/** A node `a` wired to `b` by eth0, configured by `lines`, with `files` written through its shell. */
export function resolverNode(lines: readonly string[], files: Readonly<Record<string, string>> = {}): NodeLab {
  const lab = new NodeLab(programs);
  lab.addNode('a');
  lab.addNode('b');
  lab.link('a:eth0', 'b:eth0');
  for (const line of lines) lab.sh('a', line);
  for (const [path, text] of Object.entries(files)) {
    for (const line of text.split('\n').filter((l) => l !== '')) lab.sh('a', `echo '${line}' >> ${path}`);
  }
  return lab;
}
