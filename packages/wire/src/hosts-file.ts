/**
 * /etc/hosts as glibc 2.36's files backend reads it (nss/nss_files/files-hosts.c and the
 * LINE_PARSER of files-parse.c): `#` starts a comment; a line is an address, the host's canonical
 * name and any aliases, separated by blanks. The address is IPv6 text as inet_pton takes it
 * (without a zone: `fe80::1%eth0` is no address to inet_pton, so glibc skips the line) or IPv4 as
 * inet_pton takes it: four decimal parts, no leading zeros (`10.1` or `010.0.0.1`, which a host
 * name given to getaddrinfo may be, in inet_aton's forms, make glibc 2.36 skip the line). A line
 * without a valid address or without a name is skipped; the problems list says which and why, for
 * the topology loader. Lookups compare names case-insensitively (strcasecmp) with the canonical
 * name and every alias, and return every matching line in file order (`multi on`, glibc's way for
 * AF_UNSPEC): the canonical name of the answer is that of the first matching line.
 * Bounded: at most HOSTS_MAX_LINES lines are read.
 */
import { parseIpv6 } from './address.js';
import { ipv6Value, type Ipv6Value } from './gai-conf.js';

export type HostsAddress = { family: 4; value: number } | { family: 6; value: Ipv6Value };

export interface HostsEntry {
  address: HostsAddress;
  /** The canonical name (h_name) and the aliases. */
  name: string;
  aliases: string[];
  /** 0-based line in the file. */
  line: number;
}

export interface HostsProblem {
  line: number;
  index: number;
  word: string;
  message: string;
}

export const HOSTS_MAX_LINES = 65536;

/** strtoul(text, &end, 0) over a whole part: 0x hex, 0 octal, else decimal; null when not all read. */
function cNumber(text: string): number | null {
  if (/^0[xX][0-9a-fA-F]*$/.test(text)) return text.length === 2 ? 0 : parseInt(text.slice(2), 16);
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8);
  if (/^[1-9][0-9]*$/.test(text)) return Number(text);
  return null;
}

/** inet_aton as __inet_aton_exact (no trailing text): 1 to 4 parts, the last filling the rest. Host order. */
export function inetAton(text: string): number | null {
  if (text === '' || text.length > 64) return null;
  const parts = text.split('.');
  if (parts.length > 4) return null;
  const values = parts.map(cNumber);
  if (values.some((v) => v === null)) return null;
  const numbers = values as number[];
  const last = numbers[numbers.length - 1]!;
  const lastBytes = 5 - numbers.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  let address = 0;
  for (const [i, v] of numbers.entries()) {
    if (i < numbers.length - 1) {
      if (v > 255) return null;
      address += v * 2 ** (8 * (3 - i));
    }
  }
  return address + last;
}

/** inet_pton(AF_INET): a.b.c.d, each part decimal 0..255 without a leading zero. Host order. */
export function inetPton4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((address, p) => address * 256 + Number(p), 0);
}

/** inet_pton(AF_INET6), else inet_pton(AF_INET), of an /etc/hosts address field. */
export function parseHostsAddress(text: string): HostsAddress | null {
  const v6 = parseIpv6(text);
  if (v6 !== null) return { family: 6, value: ipv6Value(v6) };
  const v4 = inetPton4(text);
  return v4 === null ? null : { family: 4, value: v4 };
}

/** Reads /etc/hosts text. Never throws. */
export function parseHostsFile(text: string): { entries: HostsEntry[]; problems: HostsProblem[] } {
  const entries: HostsEntry[] = [];
  const problems: HostsProblem[] = [];
  const lines = text.split('\n');
  if (lines.length > HOSTS_MAX_LINES) {
    problems.push({ line: HOSTS_MAX_LINES, index: 0, word: '', message: `the hosts file has ${lines.length} lines; at most ${HOSTS_MAX_LINES} are read` });
    lines.length = HOSTS_MAX_LINES;
  }
  for (const [n, line] of lines.entries()) {
    const hash = line.indexOf('#');
    const body = hash < 0 ? line : line.slice(0, hash);
    const words = [...body.matchAll(/[^ \t\v\f\r]+/g)].map((m) => ({ text: m[0], index: m.index }));
    const [addressWord, nameWord, ...aliasWords] = words;
    if (addressWord === undefined) continue;
    const address = parseHostsAddress(addressWord.text);
    if (address === null) {
      const zone = addressWord.text.indexOf('%');
      const message =
        zone > 0 && parseIpv6(addressWord.text.slice(0, zone)) !== null
          ? `glibc skips ${JSON.stringify(addressWord.text)}: an /etc/hosts address cannot carry a zone (%${addressWord.text.slice(zone + 1)})`
          : `bad address ${JSON.stringify(addressWord.text)} (glibc skips the line): expected an IPv4 or IPv6 address first, e.g. 2001:db8::1 or 10.0.0.1`;
      problems.push({ line: n, index: addressWord.index, word: addressWord.text, message });
      continue;
    }
    if (nameWord === undefined) {
      problems.push({ line: n, index: addressWord.index, word: addressWord.text, message: `${addressWord.text} has no host name after it (glibc skips the line)` });
      continue;
    }
    entries.push({ address, name: nameWord.text, aliases: aliasWords.map((w) => w.text), line: n });
  }
  return { entries, problems };
}

/** The lines naming `name` (canonical name or alias, case-insensitive), in file order. */
export function hostsLookup(entries: readonly HostsEntry[], name: string): HostsEntry[] {
  const wanted = asciiLower(name);
  return entries.filter((e) => asciiLower(e.name) === wanted || e.aliases.some((a) => asciiLower(a) === wanted));
}

/** strcasecmp's folding in the C locale: ASCII letters only. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
