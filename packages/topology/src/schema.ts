/**
 * The structure of a topology file as a zod 4 schema: which keys exist, their types, and the
 * syntax of every value (durations, bandwidths, loss, MTU range, `node:ifname` endpoints with
 * Linux interface-name rules, kinds, compatibility settings, output matchers). Each check carries
 * a message that says what was expected and what was found. The same schema is exported as a
 * JSON Schema (`topologySchema()`) for editors.
 *
 * Cross references (unknown nodes and links, interfaces used twice, which keys an event combines)
 * are checked afterwards in validate.ts, because they need the whole file.
 * Interface names follow Linux dev_valid_name() (wire's device-name.ts, the copy the stack uses too):
 * 1..15 bytes (IFNAMSIZ 16 with the NUL), not "."
 * or "..", no "/", ":" or whitespace as the kernel's isspace() sees it (which includes the byte
 * 0xA0, so "à", UTF-8 C3 A0, is refused as Linux refuses it); and, stricter than Linux, printable
 * characters only and no "%" (the kernel reads a name with "%" as a template like eth%d and picks a
 * number). Every text value but output matchers is printable only; matchers may hold tab and line
 * breaks. Numbers outside their range are described as such, with the range.
 */
import * as z from 'zod';
import { COMPAT_SETTING_NAMES } from '@netloom/wire';
import { deviceNameFault, IFNAMSIZ } from '@netloom/wire/device-name';
import { parseMatcher } from './matcher.js';
import { quote, unprintableProblem } from './topology-text.js';
import { BANDWIDTH_PATTERN, DURATION_PATTERN, PERCENT_PATTERN, parseBandwidth, parseDuration, readBandwidth, readDuration } from './units.js';

export const NODE_KINDS = ['host', 'router', 'director', 'mobile-node', 'home-agent', 'switch'] as const;
/** The compatibility settings a node may name: wire's one list (compat-settings.ts). */
export const COMPAT_SETTINGS = COMPAT_SETTING_NAMES;
export const TOP_LEVEL_KEYS = ['name', 'seed', 'defaults', 'nodes', 'links', 'lans', 'events', 'expect'] as const;

const NAME_PATTERN = '[A-Za-z0-9][A-Za-z0-9_.-]{0,63}';
/** IFNAMSIZ (16) less the terminating NUL. */
const IFNAME_MAX_BYTES = IFNAMSIZ - 1;
/** For editors: the characters and length an interface name may have (the byte count is checked by netloom). */
export const ENDPOINT_PATTERN = `^${NAME_PATTERN}:(?!\\.\\.?$)[^\\s:/%\\u0000-\\u001f\\u007f-\\u00a0]{1,${IFNAME_MAX_BYTES}}$`;
const NAME_RE = new RegExp(`^${NAME_PATTERN}$`);
/** The longest topology name, in characters (it heads the UI and reports). */
export const TOPOLOGY_NAME_MAX = 128;

/** A number as YAML spells it: `.nan`, `.inf`, `-.inf`, or the number. */
function describeNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
  return String(value);
}

/** How a YAML value reads in a message (text quoted, unprintable characters escaped). */
export function describeValue(value: unknown): string {
  if (value === null) return 'nothing';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return describeNumber(value);
  return String(value);
}

/** A text value that must be printable: `expected` says what the value is, `noun` names it in a message about its characters. */
function printableText(expected: string, noun: string) {
  return z.string(by(expecting(expected))).refine((v) => unprintableProblem(v) === null, {
    error: (issue) => `${noun} ${describeValue(issue.input)} ${unprintableProblem(String(issue.input)) ?? ''}`,
  });
}

/** A node-shell command: printable and not blank. */
function command(expected: string) {
  return printableText(expected, 'command').refine((v) => v.trim() !== '', {
    error: () => 'the command is empty; expected a command such as ip link set eth0 up',
  });
}

type Explain = (input: unknown) => string;
/** A zod error option whose message is computed from the offending input. */
const by = (explain: Explain) => ({ error: (issue: { input?: unknown }) => explain(issue.input) });
/** "expected <what>, got <value>"; just "<what>" when the key is missing (the caller says "missing"). */
const expecting = (what: string): Explain => (input) =>
  input === undefined ? what : `expected ${what}, got ${describeValue(input)}`;

// ---- names and endpoints

function explainName(what: string): Explain {
  return (input) => {
    if (typeof input !== 'string') return expecting(`a ${what} name`)(input);
    return `bad ${what} name ${quote(input)}: expected a letter or digit first, then letters, digits, "_", "." or "-" (at most 64)`;
  };
}

/** Every node's loopback device; a link end of that name would be a second device called lo. */
const LOOPBACK = 'lo';

const hexBytes = (text: string): string =>
  [...new TextEncoder().encode(text)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

/** Why `name` is not a valid interface name (wire's dev_valid_name, then printable and no "%"), or null. */
export function interfaceNameProblem(name: string): string | null {
  const fault = deviceNameFault(name);
  if (fault?.kind === 'empty') return 'is empty';
  if (fault?.kind === 'tooLong') return `is ${fault.bytes} bytes; Linux allows at most ${IFNAMSIZ - 1} (IFNAMSIZ 16 with the NUL)`;
  if (fault?.kind === 'dotName') return 'is not allowed by Linux';
  const unprintable = unprintableProblem(name);
  if (unprintable !== null) return unprintable;
  if (fault?.kind === 'forbiddenCharacter') {
    const { char } = fault;
    if (char === '/' || char === ':' || /\s/u.test(char)) return 'may not contain "/", ":" or whitespace';
    return `may not contain ${quote(char)}: its UTF-8 bytes ${hexBytes(char)} hold 0xA0, which Linux's isspace() counts as a space`;
  }
  if (name.includes('%')) return 'may not contain "%": Linux reads such a name as a template (eth%d) and picks a number for it';
  return null;
}

/** Says precisely why `input` is not `node:ifname`, or null when it is one. */
function endpointProblem(input: unknown): string | null {
  if (typeof input !== 'string') return expecting('an interface as node:ifname, e.g. h1:eth0')(input);
  const bad = `bad endpoint ${quote(input)}`;
  const parts = input.split(':');
  if (parts.length < 2) return `${bad}: expected node:ifname, e.g. h1:eth0`;
  if (parts.length > 2) return `${bad}: expected one ":" between node and interface (interface names cannot contain ":")`;
  const [node = '', ifname = ''] = parts;
  if (!NAME_RE.test(node)) {
    return `${bad}: node name ${quote(node)} must start with a letter or digit and use only letters, digits, "_", "." and "-"`;
  }
  if (ifname === '') return `${bad}: the interface name after ":" is empty`;
  if (ifname === LOOPBACK) {
    return `${bad}: "lo" is the node's loopback, which every node has; a link or LAN needs another interface name (Linux: File exists)`;
  }
  const problem = interfaceNameProblem(ifname);
  return problem === null ? null : `${bad}: interface name ${quote(ifname)} ${problem}`;
}

/** Says precisely why `input` is not `node:ifname`. */
export function explainEndpoint(input: unknown): string {
  return endpointProblem(input) ?? `bad endpoint ${describeValue(input)}`;
}

const endpoint = z
  .string(by(explainEndpoint))
  .regex(new RegExp(ENDPOINT_PATTERN), by(explainEndpoint))
  .refine((v) => endpointProblem(v) === null, by(explainEndpoint));

// ---- quantities

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function explainDuration(role: 'duration' | 'time'): Explain {
  return (input) => {
    const example = role === 'time' ? 'e.g. 5s or 1.5ms' : 'e.g. 1.5ms or 300us';
    if (input === undefined) return `a ${role} like ${role === 'time' ? '5s' : '2ms'}`;
    if (typeof input === 'number') {
      return input < 0
        ? `negative ${role} ${describeNumber(input)}; expected 0 or more, ${example}`
        : `expected a ${role} with a unit (ns, us, ms, s or m), ${example}; got the bare number ${describeNumber(input)}`;
    }
    if (typeof input !== 'string') return `expected a ${role} like ${example.slice(5)}, got ${describeValue(input)}`;
    if (input.startsWith('-') && readDuration(input.slice(1)) !== 'syntax') {
      return `negative ${role} ${quote(input)}; expected 0 or more, ${example}`;
    }
    const value = readDuration(input);
    if (value === 'range') return `${role} ${quote(input)} is out of range; expected at most ${MAX_SAFE}ns (about 104 days)`;
    if (value === 'fraction') return `bad ${role} ${quote(input)}: not a whole number of nanoseconds`;
    return `bad ${role} ${quote(input)}: expected a number with a unit ns, us, ms, s or m, ${example}`;
  };
}

/** A time since the start: a duration string, or the bare number 0 (`at: 0`). */
function timeSchema() {
  const explain = explainDuration('time');
  const text = z.string(by(explain)).regex(new RegExp(DURATION_PATTERN), by(explain));
  return z.union([z.literal(0), text], by(explain)).refine((v) => typeof v === 'number' || parseDuration(v) !== null, by(explain));
}

/** A duration string (a unit is required). */
function durationSchema() {
  const explain = explainDuration('duration');
  return z
    .string(by(explain))
    .regex(new RegExp(DURATION_PATTERN), by(explain))
    .refine((v) => parseDuration(v) !== null, by(explain));
}

const latency = durationSchema()
  .refine((v) => parseDuration(v) !== 0, {
    error: (issue) =>
      `latency must be more than 0 (the engine's lookahead is the smallest link latency), got ${describeValue(issue.input)}`,
  })
  .meta({ description: 'One-way propagation delay: a number with ns, us, ms, s or m, e.g. 2ms. Default 1ms.' });

const time = timeSchema().meta({ description: 'Virtual time since start, e.g. 5s or 1.5ms.' });

const BANDWIDTH_UNITS_TEXT = 'bits per second with a unit bit, kbit, Mbit or Gbit, e.g. 100Mbit';
const BANDWIDTH_RANGE = `bandwidth is out of range; expected at most ${MAX_SAFE} bits per second`;
const UNLIMITED = '(leave it out or use null for unlimited)';

function explainBandwidth(input: unknown): string {
  if (typeof input === 'number') {
    if (Number.isNaN(input)) return `expected a bandwidth like 100Mbit, or null for unlimited, got .nan`;
    if (input <= 0) return `bandwidth must be more than 0, got ${describeNumber(input)} ${UNLIMITED}`;
    if (input > MAX_SAFE) return BANDWIDTH_RANGE.replace('bandwidth', `bandwidth ${describeNumber(input)}`);
    return `bandwidth ${input} is not a whole number of bits per second`;
  }
  if (typeof input === 'string') {
    const value = readBandwidth(input);
    if (value === 0) return `bandwidth must be more than 0, got ${quote(input)} ${UNLIMITED}`;
    if (value === 'range') return BANDWIDTH_RANGE.replace('bandwidth', `bandwidth ${quote(input)}`);
    if (value === 'fraction') return `bad bandwidth ${quote(input)}: not a whole number of bits per second`;
    if (/^[0-9.]+\s*[kKmMgGtT]?bps$/i.test(input) && !/^[0-9.]+\s*bps$/i.test(input)) {
      return `bad bandwidth ${quote(input)}: expected ${BANDWIDTH_UNITS_TEXT} (tc reads "${input.replace(/^[0-9.\s]+/, '')}" as bytes)`;
    }
    return `bad bandwidth ${quote(input)}: expected ${BANDWIDTH_UNITS_TEXT}`;
  }
  return expecting('a bandwidth like 100Mbit, or null for unlimited')(input);
}

const bandwidth = z
  .union(
    [z.null(), z.number(by(explainBandwidth)), z.string().regex(new RegExp(BANDWIDTH_PATTERN), by(explainBandwidth))],
    by(explainBandwidth),
  )
  .refine((v) => v === null || (typeof v === 'number' ? v > 0 && Number.isSafeInteger(v) : (parseBandwidth(v) ?? 0) > 0), by(explainBandwidth))
  .meta({ description: 'Bits per second: a number, or with bit, kbit, Mbit or Gbit (100Mbit). null or absent = unlimited.' });

function explainLoss(input: unknown): string {
  if (typeof input === 'number') {
    if (Number.isNaN(input)) return 'expected a loss like 1% or 0.01, got .nan';
    if (input < 0) return `loss must not be negative, got ${describeNumber(input)}`;
    if (!Number.isFinite(input)) return 'loss .inf is out of range; expected a fraction from 0 to 1 or a percentage from 0% to 100%';
    return `loss ${input} is more than 1; write a fraction from 0 to 1 (0.05) or a percentage (${input}%)`;
  }
  if (typeof input === 'string') {
    const percent = /^([0-9]+(\.[0-9]+)?)%$/.exec(input);
    if (percent) return `loss ${quote(input)} is over 100%`;
    return `bad loss ${quote(input)}: expected a percentage like 1% or a fraction from 0 to 1 like 0.01`;
  }
  return expecting('a loss like 1% or 0.01')(input);
}

const loss = z
  .union([z.number(by(explainLoss)).min(0, by(explainLoss)).max(1, by(explainLoss)), z.string().regex(new RegExp(PERCENT_PATTERN), by(explainLoss))], by(explainLoss))
  .refine((v) => typeof v === 'number' || Number(v.slice(0, -1)) <= 100, by(explainLoss))
  .meta({ description: 'Frame loss: a percentage (1%) or a fraction from 0 to 1 (0.01). Default 0.' });

function wholeNumber(what: string, min: number, max: number, unit = ''): z.ZodNumber {
  const range = `a whole number ${unit}from ${min} to ${max}`;
  const explain: Explain = (input) => {
    if (typeof input !== 'number') return expecting(`${what}, ${range}`)(input);
    if (Number.isNaN(input)) return `${what} .nan is not a number; expected ${range}`;
    if (Number.isFinite(input) && !Number.isInteger(input)) return `${what} ${input} is not a whole number; expected ${range}`;
    return `${what} ${describeNumber(input)} is out of range; expected ${range}`;
  };
  return z.number(by(explain)).int(by(explain)).min(min, by(explain)).max(max, by(explain));
}

/**
 * The ranges of a link's whole-number parameters: what a topology file may say, and what a link may
 * be changed to later (the console's `link … set mtu N queue N`).
 */
export const LINK_NUMBER_LIMITS = {
  mtu: { min: 68, max: 65535, unit: 'bytes' },
  queue: { min: 1, max: 1_000_000, unit: 'frames' },
} as const;

const mtu = wholeNumber('mtu', LINK_NUMBER_LIMITS.mtu.min, LINK_NUMBER_LIMITS.mtu.max, 'of bytes ').meta({ description: 'Largest IP packet in bytes (68..65535). Default 1500.' });
const queue = wholeNumber('queue', LINK_NUMBER_LIMITS.queue.min, LINK_NUMBER_LIMITS.queue.max, 'of frames ').meta({ description: 'Drop-tail queue length in frames. Default 100.' });

// ---- matchers

function explainMatcher(input: unknown): string {
  if (typeof input === 'string') {
    const m = parseMatcher(input);
    const unprintable = unprintableProblem(input, true);
    if (unprintable !== null) return `matcher ${quote(input)} ${unprintable}`;
    if ('error' in m) return `bad regular expression ${quote(input)}: ${m.error}`;
  }
  return expecting('text to find, "/regex/flags", "" for empty output, or a list of them')(input);
}

const matcherText = z
  .string(by(explainMatcher))
  .refine((s) => unprintableProblem(s, true) === null && !('error' in parseMatcher(s)), by(explainMatcher));
const matcher = z
  .union(
    [
      matcherText,
      z.array(matcherText, by(explainMatcher)).min(1, { error: () => 'an empty list of matchers checks nothing; give at least one or leave the key out' }),
    ],
    by(explainMatcher),
  )
  .meta({ description: 'Plain text = substring; "/re/flags" = regular expression; "" = must be empty; or a list (all must hold).' });

// ---- objects

/** Levenshtein distance, for "did you mean" hints on misspelt keys. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** An object that rejects unknown keys, naming the keys it allows. */
function strict<Shape extends z.ZodRawShape>(what: string, shape: Shape) {
  const keys = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const [key = ''] = issue.keys;
        const near = Object.keys(shape).find((k) => editDistance(k, key) <= Math.min(2, Math.floor(k.length / 3)));
        const hint = near !== undefined ? `; did you mean "${near}"?` : '';
        return `unknown key ${quote(key)} in ${what} (expected one of: ${keys})${hint}`;
      }
      return expecting(`${what} as a mapping of ${keys}`)(issue.input);
    },
  });
}

const linkParams = {
  latency: latency.optional(),
  bandwidth: bandwidth.optional(),
  loss: loss.optional(),
  mtu: mtu.optional(),
  queue: queue.optional(),
};

// ---- files and router advertisements

/** A node file's text: a block (`|`) or a list of lines. */
function fileText(file: string) {
  const explain: Explain = (input) => {
    if (typeof input === 'string') return `${file} ${unprintableProblem(input, true) ?? ''}`;
    return expecting(`the lines of ${file}, as a text block (|) or a list of lines`)(input);
  };
  const line = z.string(by(explain)).refine((v) => unprintableProblem(v, true) === null && !/[\r\n]/.test(v), {
    error: (issue) => (/[\r\n]/.test(String(issue.input)) ? `a line of ${file} cannot hold a line break; give each line as its own list item` : explain(issue.input)),
  });
  const block = z.string(by(explain)).refine((v) => unprintableProblem(v, true) === null, by(explain));
  return z.union([block, z.array(line, by(explain))], by(explain));
}

/** A duration, or `infinity` (AdvValidLifetime / AdvPreferredLifetime). */
function lifetimeSchema() {
  return z.union([z.literal('infinity'), durationSchema()], by(explainDuration('duration')));
}

const raPrefixSchema = strict('an advertised prefix', {
  prefix: printableText('an IPv6 prefix, e.g. 2001:db8:1::/64', 'prefix').meta({ description: 'The prefix, e.g. 2001:db8:1::/64.' }),
  'on-link': z.boolean(by(expecting('true or false'))).optional().meta({ description: 'AdvOnLink (L flag). Default true.' }),
  autonomous: z.boolean(by(expecting('true or false'))).optional().meta({ description: 'AdvAutonomous (A flag, SLAAC). Default true.' }),
  'valid-lifetime': lifetimeSchema().optional().meta({ description: 'AdvValidLifetime: whole seconds or infinity. Default 86400s.' }),
  'preferred-lifetime': lifetimeSchema().optional().meta({ description: 'AdvPreferredLifetime: whole seconds or infinity, at most the valid lifetime. Default 14400s.' }),
});

const raInterfaceSchema = strict('router advertisements', {
  'max-interval': durationSchema().optional().meta({ description: 'MaxRtrAdvInterval, 4s..1800s. Default 600s.' }),
  'min-interval': durationSchema().optional().meta({ description: 'MinRtrAdvInterval, 3s..0.75 × max-interval. Default 0.33 × max-interval.' }),
  'router-lifetime': durationSchema().optional().meta({ description: 'AdvDefaultLifetime: 0s (not a default router) or max-interval..9000s, whole seconds. Default 3 × max-interval.' }),
  'router-preference': z
    .enum(['low', 'medium', 'high'], by((input) => `unknown router preference ${describeValue(input)} (preferences: low, medium, high)`))
    .optional()
    .meta({ description: 'AdvDefaultPreference. Default medium.' }),
  mtu: wholeNumber('mtu', 0, 65535).optional().meta({ description: 'AdvLinkMTU: 0 (no MTU option) or 1280 up to the link MTU. Default 0.' }),
  'hop-limit': wholeNumber('hop-limit', 0, 255).optional().meta({ description: 'AdvCurHopLimit. Default 64.' }),
  managed: z.boolean(by(expecting('true or false'))).optional().meta({ description: 'AdvManagedFlag (M). Default false.' }),
  'other-config': z.boolean(by(expecting('true or false'))).optional().meta({ description: 'AdvOtherConfigFlag (O). Default false.' }),
  'reachable-time': durationSchema().optional().meta({ description: 'AdvReachableTime, whole ms up to 3600000ms. Default 0 (unspecified).' }),
  'retrans-timer': durationSchema().optional().meta({ description: 'AdvRetransTimer, whole ms. Default 0 (unspecified).' }),
  prefixes: z.array(raPrefixSchema, by(expecting('a list of prefixes'))).optional(),
});

/** One `healthcheck:` entry of a director (health-checks.ts checks the addresses and the sorry server). */
const healthCheckSchema = strict('a health check', {
  service: printableText('a virtual service, e.g. tcp 192.168.1.110:80', 'service').meta({ description: 'The virtual service checked: tcp|udp ADDRESS:PORT, as ipvsadm -t/-u names it.' }),
  type: z
    .enum(['tcp', 'http', 'udp', 'ping'], by((input) => `unknown check type ${describeValue(input)} (types: tcp, http, udp, ping)`))
    .meta({ description: "keepalived's TCP_CHECK, HTTP_GET, UDP_CHECK or PING_CHECK." }),
  port: wholeNumber('port', 1, 65535).optional().meta({ description: "The port checked. Default each real server's port." }),
  path: printableText('an URL path, e.g. /', 'path').optional().meta({ description: 'HTTP_GET: the path. Default /.' }),
  'status-code': wholeNumber('status-code', 100, 599).optional().meta({ description: 'HTTP_GET: the status code wanted. Default 200.' }),
  interval: durationSchema().optional().meta({ description: 'Time between checks (delay_loop). Default 6s.' }),
  timeout: durationSchema().optional().meta({ description: 'How long a check may take (connect_timeout). Default 5s.' }),
  fall: wholeNumber('fall', 1, 1000).optional().meta({ description: 'Failed checks in a row that take a real server out. Default 1.' }),
  rise: wholeNumber('rise', 1, 1000).optional().meta({ description: 'Good checks in a row that put it back. Default 1.' }),
  'on-failure': z
    .enum(['remove', 'quiesce'], by((input) => `unknown on-failure ${describeValue(input)} (remove, quiesce)`))
    .optional()
    .meta({ description: 'remove (delete from the service, the default) or quiesce (weight 0: inhibit_on_failure).' }),
  'sorry-server': printableText('an address and port, e.g. 10.1.1.9:80', 'sorry-server').optional().meta({ description: 'ADDRESS:PORT used while every real server is out.' }),
});

/** A node's `mip6:` block, mirroring mip6d.conf (build.ts renders it as /etc/mip6d.conf; docs/mip6.md). */
const mip6Schema = strict('a mip6 block', {
  role: z
    .enum(['mobile-node', 'home-agent', 'correspondent'], by((input) => `unknown mip6 role ${describeValue(input)} (roles: mobile-node, home-agent, correspondent)`))
    .meta({ description: 'NodeConfig MN, HA or CN.' }),
  'home-address': printableText('a home address with its prefix length, e.g. 2001:db8:1::100/64', 'home-address')
    .optional()
    .meta({ description: 'Mobile node: HomeAddress ADDRESS/LENGTH.' }),
  'home-agent': printableText('the home agent address, e.g. 2001:db8:1::1', 'home-agent').optional().meta({ description: 'Mobile node: HomeAgentAddress.' }),
  interfaces: z
    .record(z.string(), wholeNumber('preference', 1, 10), by(expecting('a mapping of interface names to preferences (1 most preferred … 10)')))
    .optional()
    .meta({ description: 'Interface "NAME" { MnIfPreference N; } — a mobile node registers one care-of address per interface (BID in this order); a home agent serves the home link of each.' }),
  mcoa: z.boolean(by(expecting('true or false'))).optional().meta({ description: 'Multiple care-of addresses (RFC 5648 BIDs). Default true.' }),
  'binding-lifetime': wholeNumber('binding-lifetime', 4, 262140)
    .optional()
    .meta({ description: 'MnMaxHaBindingLife / HaMaxBindingLife in seconds. Default 262140.' }),
  'bulk-registration': z.boolean(by(expecting('true or false'))).optional().meta({ description: 'Home agent: accept more than one BID per BU. Default true.' }),
  'route-optimisation': z
    .boolean(by(expecting('true or false')))
    .optional()
    .meta({ description: 'DoRouteOptimizationMN (mobile node, default false) / DoRouteOptimizationCN (correspondent, default true): return routability and the direct path (docs/mip6.md).' }),
});

const nodeSchema = strict('a node', {
  kind: z
    .enum(NODE_KINDS, by((input) => `unknown kind ${describeValue(input)} (kinds: ${NODE_KINDS.join(', ')})`))
    .optional()
    .meta({ description: 'A preset: router = a host with net.ipv4.ip_forward=1. Default host.' }),
  compat: z
    .array(
      z.enum(
        COMPAT_SETTINGS,
        by((input) => `unknown compatibility setting ${describeValue(input)} (known: ${COMPAT_SETTINGS.join(', ')})`),
      ),
      by(expecting('a list of compatibility settings, e.g. [netbsd-2004]')),
    )
    .optional()
    .meta({ description: 'Named behaviours of older kernels to reproduce.' }),
  exec: z
    .array(command('a command as a string'), by(expecting('a list of startup commands')))
    .optional()
    .meta({ description: 'Startup commands in node-shell syntax, run in order at t=0.' }),
  hosts: fileText('/etc/hosts')
    .optional()
    .meta({ description: "The node's /etc/hosts: lines of an address, a name and aliases (a text block or a list of lines)." }),
  'gai.conf': fileText('/etc/gai.conf')
    .optional()
    .meta({ description: "The node's /etc/gai.conf (glibc): label, precedence, scopev4 and reload lines." }),
  ra: z
    .record(z.string(), raInterfaceSchema, by(expecting('a mapping of interface names to router advertisement settings')))
    .optional()
    .meta({ description: 'Router advertisements (radvd-like) per interface of the node.' }),
  healthcheck: z
    .array(healthCheckSchema, by(expecting('a list of health checks')))
    .optional()
    .meta({ description: "A director's keepalived-like checks of its virtual services' real servers (docs/lvs.md)." }),
  mip6: mip6Schema.optional().meta({ description: 'Mobile IPv6 (mip6d): a mobile node or home agent, started after the exec: commands (docs/mip6.md).' }),
});

const linkSchema = strict('a link', {
  endpoints: z
    .array(endpoint, by(expecting('two interfaces, e.g. [h1:eth0, r1:eth0]')))
    .length(2, by((input) => `a link joins exactly two interfaces, got ${Array.isArray(input) ? input.length : describeValue(input)}`))
    .meta({ description: 'The two interfaces, node:ifname, e.g. [h1:eth0, r1:eth0].' }),
  ...linkParams,
});

const lanSchema = strict('a LAN', {
  type: z
    .enum(['switch', 'hub'], by((input) => `unknown LAN type ${describeValue(input)} (types: switch, hub)`))
    .optional()
    .meta({ description: 'switch (learns MACs) or hub (floods). Default switch.' }),
  members: z
    .array(endpoint, by(expecting('a list of interfaces, e.g. [a:eth0, b:eth0]')))
    .min(1, by(() => 'a LAN needs at least one member'))
    .meta({ description: 'Member interfaces, node:ifname.' }),
  ...linkParams,
});

const eventSchema = strict('an event', {
  at: time,
  node: printableText('a node name', 'node name').optional(),
  cmd: command('a command as a string').optional(),
  action: z
    .enum(['stop', 'start'], by((input) => `unknown node action ${describeValue(input)} (actions: stop, start)`))
    .optional(),
  link: printableText('a link id like h1:eth0--r1:eth0 or a LAN name', 'link')
    .optional()
    .meta({ description: 'A point-to-point link id (a:eth0--b:eth0) or a LAN name.' }),
  up: z.boolean(by(expecting('true or false'))).optional(),
  ...linkParams,
});

const expectSchema = strict('an expectation', {
  at: time,
  node: printableText('the node to run the command on', 'node name'),
  cmd: command('the command to run, e.g. ping -c 1 10.0.0.2'),
  status: wholeNumber('exit status', 0, 255).optional(),
  stdout: matcher.optional(),
  stderr: matcher.optional(),
  not_stdout: matcher.optional().meta({ description: 'Must NOT match stdout (text or /re/; a list = none may match).' }),
});

export const topologyFileSchema = strict('the topology', {
  name: printableText("the topology's name, a string", "the topology's name")
    .min(1, by(() => "the topology's name must not be empty"))
    .refine((v) => v.trim() !== '', by(() => "the topology's name must not be blank (only spaces)"))
    .max(TOPOLOGY_NAME_MAX, by((input) => `the topology's name is ${String(input).length} characters; at most ${TOPOLOGY_NAME_MAX}`))
    .meta({ description: 'The topology name.' }),
  seed: wholeNumber('seed', 0, 4294967295)
    .optional()
    .meta({ description: 'Seed of the run (loss decisions and other randomness). Default 1.' }),
  defaults: strict('defaults', { link: strict('link defaults', linkParams).optional() }).optional(),
  nodes: z
    .record(z.string().regex(NAME_RE, by(explainName('node'))), nodeSchema.nullable(), by(expecting('a mapping of node names to nodes')))
    .meta({ description: 'Node name → node.' }),
  links: z.array(linkSchema, by(expecting('a list of links'))).optional(),
  lans: z
    .record(z.string().regex(NAME_RE, by(explainName('LAN'))), lanSchema, by(expecting('a mapping of LAN names to LANs')))
    .optional(),
  events: z.array(eventSchema, by(expecting('a list of events'))).optional(),
  expect: z.array(expectSchema, by(expecting('a list of expectations'))).optional(),
});

export type TopologyFile = z.output<typeof topologyFileSchema>;
export type LinkParamsInput = Partial<Record<keyof typeof linkParams, unknown>>;

/** The JSON Schema (draft 2020-12) of topology files, for editors and `netloom schema`. */
export function topologySchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(topologyFileSchema, { io: 'input', unrepresentable: 'any' });
  return { $schema: generated.$schema, title: 'netloom topology file', ...generated };
}
