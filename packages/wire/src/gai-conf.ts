/**
 * /etc/gai.conf as glibc 2.36 reads it (sysdeps/posix/getaddrinfo.c gaiconf_init, add_prefix,
 * add_scopelist) and the tables getaddrinfo's destination sort (rfc3484_sort) looks addresses up
 * in: `label`, `precedence` and `scopev4` lines, and `reload`.
 *
 * Follows glibc: `#` starts a comment; a line is a command and one or two values, the rest of the
 * line is ignored; `label`/`precedence` take an IPv6 prefix/bits and a value up to INT_MAX (a
 * missing value reads as 0, as strtoul of "" does); `scopev4` takes an IPv4-mapped IPv6 prefix of
 * 96..128 bits or a dotted IPv4 prefix of 0..32 bits. A prefix without `/bits` should mean /128
 * (/32), but glibc 2.36 then tests an end pointer it never set: seen in namespaces, a label or
 * precedence line without /bits is skipped and a scopev4 line without /bits crashes getent
 * (SIGSEGV); here both are skipped and reported. A line glibc
 * cannot read is skipped; the problems list says which and why (the topology loader reports them,
 * since a skipped line is a silent surprise). Any `label` line replaces the whole default label
 * table (`::/0 1` is added when no line covers everything), any `precedence` line the precedence
 * table (`::/0 40`), any `scopev4` line the scope table (`0.0.0.0/0 14`); each table is sorted
 * most specific first, stably, and a lookup takes the first entry that contains the address.
 * IPv4 addresses are looked up as IPv4-mapped (::ffff:a.b.c.d). Leaves out: the file's mtime
 * (`reload yes` matters only to a long-running process; each netloom program reads the file anew).
 */
import { parseIpv4, parseIpv6 } from './address.js';

/** An IPv6 address as a 128-bit number. */
export type Ipv6Value = bigint;

export interface GaiPrefixEntry {
  prefix: Ipv6Value;
  bits: number;
  value: number;
}

export interface GaiScopeEntry {
  /** IPv4 network (host order) and mask. */
  network: number;
  mask: number;
  scope: number;
}

export interface GaiPolicy {
  labels: readonly GaiPrefixEntry[];
  precedences: readonly GaiPrefixEntry[];
  scopes: readonly GaiScopeEntry[];
  reload: boolean;
}

/** A line glibc skips (or reads differently than it looks), with where in the line. */
export interface GaiConfProblem {
  /** 0-based line number in the text. */
  line: number;
  /** Character index of `word` within the line. */
  index: number;
  word: string;
  message: string;
}

/** The most lines read (a gai.conf is a few dozen); a longer file is refused as a whole. */
export const GAI_CONF_MAX_LINES = 4096;
const INT_MAX = 0x7fffffff;

export function ipv6Value(bytes: Uint8Array): Ipv6Value {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** ::ffff:a.b.c.d of an IPv4 address (host order). */
export function ipv4Mapped(address: number): Ipv6Value {
  return (0xffffn << 32n) | BigInt(address >>> 0);
}

const entry = (text: string, bits: number, value: number): GaiPrefixEntry => ({ prefix: ipv6Value(parseIpv6(text)!), bits, value });

/** glibc's default_labels (RFC 3484 with site-local, ULA and Teredo labels of its own), in its order. */
export const GLIBC_DEFAULT_LABELS: readonly GaiPrefixEntry[] = [
  entry('::1', 128, 0),
  entry('2002::', 16, 2),
  entry('::', 96, 3),
  entry('::ffff:0:0', 96, 4),
  entry('fec0::', 10, 5),
  entry('fc00::', 7, 6),
  entry('2001::', 32, 7),
  entry('::', 0, 1),
];

/** glibc's default_precedence (RFC 3484 §2.1). */
export const GLIBC_DEFAULT_PRECEDENCES: readonly GaiPrefixEntry[] = [
  entry('::1', 128, 50),
  entry('2002::', 16, 30),
  entry('::', 96, 20),
  entry('::ffff:0:0', 96, 10),
  entry('::', 0, 40),
];

/** glibc's default_scopes (RFC 6724 §3.2): 169.254/16 and 127/8 link-local, the rest global. */
export const GLIBC_DEFAULT_SCOPES: readonly GaiScopeEntry[] = [
  { network: 0xa9fe0000, mask: 0xffff0000, scope: 2 },
  { network: 0x7f000000, mask: 0xff000000, scope: 2 },
  { network: 0, mask: 0, scope: 14 },
];

export const DEFAULT_GAI_POLICY: GaiPolicy = {
  labels: GLIBC_DEFAULT_LABELS,
  precedences: GLIBC_DEFAULT_PRECEDENCES,
  scopes: GLIBC_DEFAULT_SCOPES,
  reload: false,
};

function inPrefix(address: Ipv6Value, prefix: Ipv6Value, bits: number): boolean {
  const shift = BigInt(128 - bits);
  return address >> shift === prefix >> shift;
}

/** match_prefix: the value of the first entry containing `address`. */
export function matchPrefix(address: Ipv6Value, list: readonly GaiPrefixEntry[], fallback: number): number {
  for (const e of list) if (inPrefix(address, e.prefix, e.bits)) return e.value;
  return fallback;
}

/** get_scope's IPv4 half: the scope of an IPv4 address (host order). */
export function scopeOfIpv4(address: number, scopes: readonly GaiScopeEntry[]): number {
  for (const s of scopes) if (((address & s.mask) >>> 0) === s.network) return s.scope;
  return 14;
}

/** strtoul over a whole word (glibc checks *endp == '\0'); "" is 0, as strtoul leaves it. */
function wholeNumber(text: string): number | null {
  if (text === '') return 0;
  if (!/^\+?[0-9]+$/.test(text)) return null;
  const value = Number(text.replace('+', ''));
  return Number.isSafeInteger(value) ? value : Number.MAX_SAFE_INTEGER;
}

/** `isspace` as glibc's C locale sees it. */
const SPACE = /[ \t\n\v\f\r]/;

interface Words {
  words: { text: string; index: number }[];
}

function splitLine(line: string): Words {
  const hash = line.indexOf('#');
  const body = hash < 0 ? line : line.slice(0, hash);
  const words: { text: string; index: number }[] = [];
  let i = 0;
  while (i < body.length) {
    while (i < body.length && SPACE.test(body[i]!)) i++;
    const start = i;
    while (i < body.length && !SPACE.test(body[i]!)) i++;
    if (i > start) words.push({ text: body.slice(start, i), index: start });
  }
  return { words };
}

/** Sorted most specific first, stably (glibc's qsort is a merge sort here). */
function bySpecificity<T>(list: T[], size: (e: T) => number): T[] {
  return list.sort((a, b) => size(b) - size(a));
}

export interface GaiConf {
  policy: GaiPolicy;
  problems: GaiConfProblem[];
}

/** Reads gai.conf text as gaiconf_init does. Never throws. */
export function parseGaiConf(text: string): GaiConf {
  const problems: GaiConfProblem[] = [];
  const labels: GaiPrefixEntry[] = [];
  const precedences: GaiPrefixEntry[] = [];
  const scopes: (GaiScopeEntry & { bits: number })[] = [];
  let reload = false;
  const lines = text.split('\n');
  if (lines.length > GAI_CONF_MAX_LINES) {
    problems.push({ line: GAI_CONF_MAX_LINES, index: 0, word: '', message: `gai.conf has ${lines.length} lines; at most ${GAI_CONF_MAX_LINES} are read` });
    lines.length = GAI_CONF_MAX_LINES;
  }
  for (const [n, line] of lines.entries()) {
    const { words } = splitLine(line);
    const [cmd, val1, val2, extra] = words;
    if (cmd === undefined) continue;
    const problem = (word: { text: string; index: number }, message: string): void => {
      problems.push({ line: n, index: word.index, word: word.text, message });
    };
    if (extra !== undefined) problem(extra, `glibc ignores ${JSON.stringify(extra.text)} and the rest of the line: a ${cmd.text} line has ${cmd.text === 'reload' ? 'one value' : 'two values'}`);
    if (cmd.text !== 'label' && cmd.text !== 'precedence' && cmd.text !== 'scopev4' && cmd.text !== 'reload') {
      problem(cmd, `unknown gai.conf command ${JSON.stringify(cmd.text)} (glibc skips the line); expected label, precedence, scopev4 or reload`);
      continue;
    }
    if (val1 === undefined) {
      problem(cmd, `${cmd.text} needs ${cmd.text === 'reload' ? 'yes or no' : 'a prefix and a value'} (glibc skips the line)`);
      continue;
    }
    if (cmd.text === 'reload') {
      reload = val1.text === 'yes';
      if (val1.text !== 'yes' && val1.text !== 'no') problem(val1, `reload takes yes or no; glibc reads ${JSON.stringify(val1.text)} as no`);
      continue;
    }
    const value = wholeNumber(val2?.text ?? '');
    if (val2 === undefined) problem(val1, `${cmd.text} ${val1.text} has no value; glibc reads it as 0`);
    else if (value === null || value > INT_MAX) {
      problem(val2, `bad ${cmd.text} value ${JSON.stringify(val2.text)}: expected a whole number from 0 to ${INT_MAX} (glibc skips the line)`);
      continue;
    }
    const slash = val1.text.indexOf('/');
    const addressText = slash < 0 ? val1.text : val1.text.slice(0, slash);
    const bitsText = slash < 0 ? null : val1.text.slice(slash + 1);
    const bits = bitsText === null ? null : wholeNumber(bitsText);
    if (bitsText === null) {
      problem(val1, `${cmd.text} prefix ${JSON.stringify(val1.text)} has no /bits: glibc 2.36 ${cmd.text === 'scopev4' ? 'crashes reading it' : 'skips the line'}; write ${val1.text}/${cmd.text === 'scopev4' && !val1.text.includes(':') ? 32 : 128}`);
      continue;
    }
    if (cmd.text === 'scopev4') {
      const v6 = parseIpv6(addressText);
      const v4 = v6 === null ? parseIpv4(addressText) : null;
      const isMapped = v6 !== null && ipv6Value(v6) >> 32n === 0xffffn;
      const width = bits ?? -1;
      const fits = v6 !== null ? isMapped && width >= 96 && width <= 128 : v4 !== null && /^[0-9.]+$/.test(addressText) && width >= 0 && width <= 32;
      if (!fits) {
        problem(val1, `bad scopev4 prefix ${JSON.stringify(val1.text)}: expected an IPv4-mapped prefix ::ffff:a.b.c.d/96..128 or an IPv4 prefix a.b.c.d/0..32 (glibc skips the line)`);
        continue;
      }
      const address = v6 !== null ? Number(ipv6Value(v6) & 0xffffffffn) : v4!;
      const v6bits = v6 !== null ? width : width + 96;
      const mask = v6bits === 96 ? 0 : (0xffffffff << (128 - v6bits)) >>> 0;
      scopes.push({ network: (address & mask) >>> 0, mask, scope: value!, bits: v6bits });
      continue;
    }
    const prefix = parseIpv6(addressText);
    if (prefix === null || bits === null || bits > 128) {
      problem(val1, `bad ${cmd.text} prefix ${JSON.stringify(val1.text)}: expected an IPv6 prefix such as ::ffff:0:0/96 (glibc skips the line)`);
      continue;
    }
    (cmd.text === 'label' ? labels : precedences).push({ prefix: ipv6Value(prefix), bits, value: value! });
  }
  const complete = (list: GaiPrefixEntry[], defaults: readonly GaiPrefixEntry[], catchAll: number): readonly GaiPrefixEntry[] => {
    if (list.length === 0) return defaults;
    if (!list.some((e) => e.bits === 0)) list.push({ prefix: 0n, bits: 0, value: catchAll });
    return bySpecificity(list, (e) => e.bits);
  };
  let scopeTable: readonly GaiScopeEntry[] = GLIBC_DEFAULT_SCOPES;
  if (scopes.length > 0) {
    if (!scopes.some((s) => s.bits === 96)) scopes.push({ network: 0, mask: 0, scope: 14, bits: 96 });
    scopeTable = bySpecificity(scopes, (s) => s.bits).map(({ network, mask, scope }) => ({ network, mask, scope }));
  }
  return {
    policy: { labels: complete(labels, GLIBC_DEFAULT_LABELS, 1), precedences: complete(precedences, GLIBC_DEFAULT_PRECEDENCES, 40), scopes: scopeTable, reload },
    problems,
  };
}
