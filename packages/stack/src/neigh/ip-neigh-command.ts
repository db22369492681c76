/**
 * `ip neigh` (iproute2 6.1 ip/ipneigh.c) over the node's neighbour tables: ARP's (inet) and, when
 * the node has one, NDP's (inet6).
 *
 * Covers: show|list|lst (filters `dev`, `nud STATE|all`, `to PREFIX` or a bare prefix — whose family
 * then selects the table —, `proxy`; NOARP and NONE entries hidden unless asked, as iproute2's
 * default state mask; IPv4 entries before IPv6 ones, as the dump walks arp_tbl then nd_tbl), `-s`
 * statistics (`used A/B/Cprobes N`, sic — iproute2 6.1 prints no space there), `-j` JSON, the
 * `router` flag; add|change|replace|del with `lladdr`, `nud`, `dev`, `router`, and `proxy ADDR`
 * (pneigh entries: added again without complaint, listed by `show proxy`); flush (PERMANENT and
 * NOARP kept, proxies with `flush proxy`; "Flush requires arguments." without any); get (also
 * `get proxy`; text even under -j, as iproute2 6.1). The address's family comes from `-4`/`-6`/`-family` when given (`inet6 address is
 * expected`), else from the address (`any valid address is expected`). Exact error texts and exit
 * codes as observed in a namespace (kernel errors 2, argument errors 1 or 255). Abbreviations by
 * prefix, as iproute2's matches().
 * Leaves out: `extern_learn`, `protocol`, vrf, device-less proxy entries.
 */
import {
  formatIpv6,
  formatMac,
  isInPrefix,
  parseCidr4,
  parseIpv4,
  parseIpv6,
  parseMac,
  type Ipv4Address,
  ipv6ToBytes,
  ipv6FromBytes,
} from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { RoutingApi } from '../routing-api.js';
import type { IpGlobalOptions } from '../shell/ip-options.js';
import type { NeighbourEntry, NeighbourTable, NudState, ProxyEntry } from './neighbour-table.js';

export interface CommandOutput {
  stdout: string;
  stderr: string;
  status: number;
}

export interface IpNeighOptions {
  json?: boolean;
  stats?: boolean;
  /** -4 / -6: one family's table; `none` (-0, -M, -B): a family with no neighbours; absent: both. */
  family?: 4 | 6 | 'none';
}

/** `ip`'s global options as `ip neigh` uses them: -j, -s, and the family (-0, -M and -B have no neighbours). */
export function neighbourOptionsOf(options: IpGlobalOptions): IpNeighOptions {
  const family = options.family === 0 ? undefined : options.family === 4 || options.family === 6 ? options.family : 'none';
  return { json: options.json, stats: options.stats > 0, ...(family !== undefined ? { family } : {}) };
}

/** The node's neighbour tables by family (arp_tbl, nd_tbl). */
export interface NeighbourTables {
  inet: NeighbourTable<Ipv4Address>;
  inet6?: NeighbourTable<bigint>;
}

/** What `ip neigh` needs of the control plane: whether a device exists. */
export type DeviceLookup = Pick<RoutingApi, 'device'>;

const STATES: readonly NudState[] = ['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT', 'NONE'];

/** One family as `ip neigh` reads and prints it. */
interface Family<Address> {
  readonly name: 'inet' | 'inet6';
  parse(text: string): Address | null;
  parsePrefix(text: string): { address: Address; prefixLength: number } | null;
  inPrefix(address: Address, network: Address, prefixLength: number): boolean;
  format(address: Address): string;
}

const INET: Family<Ipv4Address> = {
  name: 'inet',
  parse: parseIpv4,
  parsePrefix: parseCidr4,
  inPrefix: isInPrefix,
  format: formatIpv4Address,
};

const INET6: Family<bigint> = {
  name: 'inet6',
  parse: (text) => {
    const bytes = parseIpv6(text);
    return bytes === null ? null : ipv6FromBytes(bytes);
  },
  parsePrefix: (text) => {
    const slash = text.indexOf('/');
    const bytes = parseIpv6(slash < 0 ? text : text.slice(0, slash));
    const length = slash < 0 ? 128 : /^\d{1,3}$/.test(text.slice(slash + 1)) ? Number(text.slice(slash + 1)) : NaN;
    return bytes === null || !(length <= 128) ? null : { address: ipv6FromBytes(bytes), prefixLength: length };
  },
  inPrefix: (address, network, prefixLength) => {
    const shift = BigInt(128 - prefixLength);
    return address >> shift === network >> shift;
  },
  format: (address) => formatIpv6(ipv6ToBytes(address)),
};

function formatIpv4Address(address: Ipv4Address): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/** A family's table and how to read and print its addresses. */
interface FamilyTable<Address> {
  family: Family<Address>;
  table: NeighbourTable<Address>;
}

// Existentially typed: each element pairs a family with its own table.
type AnyFamilyTable = FamilyTable<Ipv4Address> | FamilyTable<bigint>;

function isInet(familyTable: AnyFamilyTable): familyTable is FamilyTable<Ipv4Address> {
  return familyTable.family.name === 'inet';
}

/** iproute2 matches(): `word` is a non-empty prefix of `keyword`. */
function matches(word: string, keyword: string): boolean {
  return word.length > 0 && keyword.startsWith(word);
}

function ok(stdout = ''): CommandOutput {
  return { stdout, stderr: '', status: 0 };
}

function error(stderr: string, status: number): CommandOutput {
  return { stdout: '', stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, status };
}

const INCOMPLETE_LINE = 'Command line is not complete. Try option "help"';
const NO_ENTRY = 'RTNETLINK answers: No such file or directory';

/**
 * `ip neigh ARGS`: `tables` is the node's tables (a lone table is ARP's, for callers that have no
 * IPv6 one).
 */
export function runIpNeigh(argv: readonly string[], tables: NeighbourTables | NeighbourTable<Ipv4Address>, routing: DeviceLookup, now: Nanos, options: IpNeighOptions = {}): CommandOutput {
  const byFamily: NeighbourTables = 'inet' in tables ? tables : { inet: tables };
  const [command, ...rest] = argv;
  const context: Context = { tables: byFamily, routing, now, options };
  if (command === undefined) return show([], context, false);
  if (matches(command, 'add')) return modify('add', rest, context);
  if (matches(command, 'change') || command === 'chg') return modify('change', rest, context);
  if (matches(command, 'replace')) return modify('replace', rest, context);
  if (matches(command, 'delete')) return modify('delete', rest, context);
  if (matches(command, 'show') || matches(command, 'list') || command === 'lst') return show(rest, context, false);
  if (matches(command, 'get')) return get(rest, context);
  if (matches(command, 'flush')) return show(rest, context, true);
  if (matches(command, 'help')) return error(USAGE, 255);
  return error(`Command "${command}" is unknown, try "ip neigh help".`, 255);
}

interface Context {
  tables: NeighbourTables;
  routing: DeviceLookup;
  now: Nanos;
  options: IpNeighOptions;
}

const USAGE = `Usage: ip neigh { add | del | change | replace }
		{ ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }
		[ dev DEV ] [ router ] [ extern_learn ] [ protocol PROTO ]

	ip neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
				  [ vrf NAME ]
	ip neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }`;

function parseState(word: string): NudState | null {
  const upper = word.toUpperCase();
  return (STATES as readonly string[]).includes(upper) ? (upper as NudState) : null;
}

/** The tables the options' family selects, IPv4 first. */
function selectedTables(context: Context): AnyFamilyTable[] {
  const { tables, options } = context;
  const selected: AnyFamilyTable[] = [];
  if (options.family === 'none') return selected;
  if (options.family !== 6) selected.push({ family: INET, table: tables.inet });
  if (options.family !== 4 && tables.inet6 !== undefined) selected.push({ family: INET6, table: tables.inet6 });
  return selected;
}

/** get_addr: the address in the options' family, or in whichever family it is written in. */
function parseAddress(text: string, context: Context): { family: 'inet'; address: Ipv4Address } | { family: 'inet6'; address: bigint } | CommandOutput {
  const wanted = context.options.family;
  if (wanted !== 6) {
    const v4 = INET.parse(text);
    if (v4 !== null) return { family: 'inet', address: v4 };
  }
  if (wanted !== 4) {
    const v6 = INET6.parse(text);
    if (v6 !== null) return { family: 'inet6', address: v6 };
  }
  const name = wanted === 4 ? 'inet' : wanted === 6 ? 'inet6' : 'any valid';
  return error(`Error: ${name} address is expected rather than "${text}".`, 1);
}

function isOutput(value: unknown): value is CommandOutput {
  return typeof value === 'object' && value !== null && 'status' in value;
}

function modify(mode: 'add' | 'change' | 'replace' | 'delete', args: readonly string[], context: Context): CommandOutput {
  let target: ReturnType<typeof parseAddress> | null = null;
  let dev: string | null = null;
  let mac: Uint8Array | null = null;
  let state: NudState = 'PERMANENT';
  let proxy = false;
  let router = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const next = args[i + 1];
    if (matches(word, 'lladdr')) {
      if (next === undefined) return error(INCOMPLETE_LINE, 255);
      mac = parseMac(next);
      if (mac === null) return error(`"${next}" is invalid lladdr.`, 255);
      i++;
    } else if (word === 'nud') {
      if (next === undefined) return error(INCOMPLETE_LINE, 255);
      const parsed = parseState(next);
      if (parsed === null || parsed === 'NONE') return error(`nud: argument "${next}" is wrong: nud state is bad`, 255);
      state = parsed;
      i++;
    } else if (word === 'dev') {
      if (next === undefined) return error(INCOMPLETE_LINE, 255);
      dev = next;
      i++;
    } else if (matches(word, 'proxy')) {
      if (next === undefined) return error(INCOMPLETE_LINE, 255);
      target = parseAddress(next, context);
      if (isOutput(target)) return target;
      proxy = true;
      i++;
    } else if (word === 'router') {
      router = true;
    } else if (matches(word, 'extern_learn') || matches(word, 'protocol')) {
      return error(`"${word}" is not supported here.`, 255);
    } else {
      const text = word === 'to' ? next : word;
      if (word === 'to') i++;
      if (text === undefined) return error(INCOMPLETE_LINE, 255);
      target = parseAddress(text, context);
      if (isOutput(target)) return target;
    }
  }
  if (target === null || isOutput(target) || dev === null) return error('Device and destination are required arguments.', 255);
  if (context.routing.device(dev) === undefined) return error(`Cannot find device "${dev}"`, 1);
  if (target.family === 'inet') return apply(mode, { family: INET, table: context.tables.inet }, target.address, dev, mac, state, proxy, router, context.now);
  if (context.tables.inet6 === undefined) return error('RTNETLINK answers: Address family not supported by protocol', 2);
  return apply(mode, { family: INET6, table: context.tables.inet6 }, target.address, dev, mac, state, proxy, router, context.now);
}

/** neigh_add / neigh_delete on one table. */
function apply<Address>(
  mode: 'add' | 'change' | 'replace' | 'delete',
  { table }: FamilyTable<Address>,
  address: Address,
  dev: string,
  mac: Uint8Array | null,
  state: NudState,
  proxy: boolean,
  router: boolean,
  now: Nanos,
): CommandOutput {
  if (proxy) {
    if (mode === 'delete') return table.removeProxy(dev, address) ? ok() : error(NO_ENTRY, 2);
    return table.addProxy(dev, address, router) ? ok() : error('RTNETLINK answers: No buffer space available', 2);
  }
  if (mode === 'delete') return table.remove(dev, address, now) ? ok() : error(NO_ENTRY, 2);
  const outcome = table.adminSet(dev, address, mac, state, mode, now, router);
  if (outcome.ok) return ok();
  if (outcome.error === 'exists') return error('RTNETLINK answers: File exists', 2);
  if (outcome.error === 'notFound') return error(NO_ENTRY, 2);
  if (outcome.error === 'tableFull') return error('RTNETLINK answers: No buffer space available', 2);
  return error('Error: No link layer address given.', 2);
}

interface Filter {
  dev: string | null;
  states: Set<NudState>;
  /** A prefix in one family: only that family's table is shown. */
  prefix: { family: 'inet'; address: Ipv4Address; prefixLength: number } | { family: 'inet6'; address: bigint; prefixLength: number } | null;
  proxy: boolean;
}

function show(args: readonly string[], context: Context, flush: boolean): CommandOutput {
  const { routing, options, now } = context;
  const filter: Filter = {
    dev: null,
    states: new Set(STATES.filter((s) => s !== 'NONE' && s !== 'NOARP' && (!flush || s !== 'PERMANENT'))),
    prefix: null,
    proxy: false,
  };
  let explicitState = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const next = args[i + 1];
    if (word === 'dev') {
      if (next === undefined) return error(INCOMPLETE_LINE, 255);
      if (routing.device(next) === undefined) return error(`Cannot find device "${next}"`, 1);
      filter.dev = next;
      i++;
    } else if (word === 'nud') {
      if (next === undefined) return error(INCOMPLETE_LINE, 255);
      if (!explicitState) filter.states.clear();
      explicitState = true;
      if (next === 'all') {
        for (const s of STATES) if (s !== 'NONE') filter.states.add(s);
      } else {
        const parsed = parseState(next);
        if (parsed === null) return error(`nud: argument "${next}" is wrong: nud state is bad`, 255);
        filter.states.add(parsed);
      }
      i++;
    } else if (word === 'proxy') {
      filter.proxy = true;
    } else if (word === 'all') {
      continue;
    } else {
      const text = word === 'to' ? next : word;
      if (word === 'to') i++;
      if (text === undefined) return error(INCOMPLETE_LINE, 255);
      const prefix = parsePrefix(text, context);
      if (prefix === null) {
        const name = options.family === 4 ? 'inet' : options.family === 6 ? 'inet6' : 'any valid';
        return error(`Error: ${name} prefix is expected rather than "${text}".`, 1);
      }
      filter.prefix = prefix;
    }
  }
  if (flush && args.length === 0) return error('Flush requires arguments.', 1);
  const tables = selectedTables(context).filter((t) => filter.prefix === null || t.family.name === filter.prefix.family);
  const lines: string[] = [];
  const items: Record<string, unknown>[] = [];
  const showTable = <Address>(familyTable: FamilyTable<Address>): void => {
    if (filter.proxy) showProxies(familyTable, filter, flush, lines, items);
    else showEntries(familyTable, filter, flush, options, now, lines, items);
  };
  for (const familyTable of tables) {
    if (isInet(familyTable)) showTable(familyTable);
    else showTable(familyTable);
  }
  if (flush) return ok();
  if (options.json === true) return ok(`${JSON.stringify(items)}\n`);
  return ok(lines.map((line) => `${line}\n`).join(''));
}

function parsePrefix(text: string, context: Context): Filter['prefix'] {
  const wanted = context.options.family;
  if (wanted !== 6) {
    const v4 = INET.parsePrefix(text);
    if (v4 !== null) return { family: 'inet', ...v4 };
  }
  if (wanted !== 4) {
    const v6 = INET6.parsePrefix(text);
    if (v6 !== null) return { family: 'inet6', ...v6 };
  }
  return null;
}

function inFilterPrefix<Address>(family: Family<Address>, address: Address, filter: Filter): boolean {
  if (filter.prefix === null) return true;
  return family.inPrefix(address, filter.prefix.address as Address, filter.prefix.prefixLength);
}

function showEntries<Address>(
  { family, table }: FamilyTable<Address>,
  filter: Filter,
  flush: boolean,
  options: IpNeighOptions,
  now: Nanos,
  lines: string[],
  items: Record<string, unknown>[],
): void {
  const selected = table.list().filter((entry) => (filter.dev === null || entry.dev === filter.dev) && filter.states.has(entry.state) && inFilterPrefix(family, entry.address, filter));
  if (flush) {
    for (const entry of selected) table.remove(entry.dev, entry.address, now);
    return;
  }
  for (const entry of selected) {
    if (options.json === true) items.push(entryJson(family, entry, filter.dev === null, options.stats === true, now));
    else lines.push(formatEntry(family, entry, filter.dev === null, options.stats === true, now));
  }
}

function showProxies<Address>({ family, table }: FamilyTable<Address>, filter: Filter, flush: boolean, lines: string[], items: Record<string, unknown>[]): void {
  const selected = table.listProxies().filter((proxy) => (filter.dev === null || proxy.dev === filter.dev) && inFilterPrefix(family, proxy.address, filter));
  for (const proxy of selected) {
    if (flush) {
      table.removeProxy(proxy.dev, proxy.address);
    } else {
      lines.push(formatProxy(family, proxy, filter.dev === null));
      items.push(proxyJson(family, proxy, filter.dev === null));
    }
  }
}

function get(args: readonly string[], context: Context): CommandOutput {
  let target: ReturnType<typeof parseAddress> | null = null;
  let dev: string | null = null;
  let proxy = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === 'dev') {
      dev = args[++i] ?? null;
    } else {
      if (word === 'proxy') proxy = true;
      const text = word === 'to' || word === 'proxy' ? (args[++i] ?? '') : word;
      target = parseAddress(text, context);
      if (isOutput(target)) return target;
    }
  }
  if (target === null || isOutput(target) || dev === null) return error('Device and destination are required arguments.', 255);
  if (context.routing.device(dev) === undefined) return error(`Cannot find device "${dev}"`, 1);
  if (target.family === 'inet') return getIn({ family: INET, table: context.tables.inet }, target.address, dev, proxy, context);
  if (context.tables.inet6 === undefined) return error('RTNETLINK answers: Address family not supported by protocol', 2);
  return getIn({ family: INET6, table: context.tables.inet6 }, target.address, dev, proxy, context);
}

/** ipneigh_get: the kernel's extack texts when there is none; iproute2 6.1 prints the entry as text even under -j. */
function getIn<Address>({ family, table }: FamilyTable<Address>, address: Address, dev: string, proxy: boolean, context: Context): CommandOutput {
  if (proxy) {
    const entry = table.lookupProxy(dev, address);
    if (entry === undefined) return error('Error: Proxy neighbour entry not found.', 2);
    return ok(`${formatProxy(family, entry, true)}\n`);
  }
  const entry = table.lookup(dev, address);
  if (entry === undefined || entry.state === 'NONE') return error('Error: Neighbour entry not found.', 2);
  return ok(`${formatEntry(family, entry, true, context.options.stats === true, context.now)}\n`);
}

/** INCOMPLETE and FAILED entries carry no usable address; iproute2 prints none for them. */
function hasLladdr(state: NudState): boolean {
  return state !== 'INCOMPLETE' && state !== 'FAILED' && state !== 'NONE';
}

function secondsSince(now: Nanos, then: Nanos): number {
  return Math.max(0, Math.floor((now - then) / 1_000_000_000));
}

/** print_neigh's text: dst, dev, lladdr, router, statistics, state. */
function formatEntry<Address>(family: Family<Address>, entry: NeighbourEntry<Address>, withDev: boolean, stats: boolean, now: Nanos): string {
  let line = family.format(entry.address);
  if (withDev) line += ` dev ${entry.dev}`;
  if (entry.mac !== null && hasLladdr(entry.state)) line += ` lladdr ${formatMac(entry.mac)}`;
  if (entry.isRouter) line += ' router';
  if (stats) {
    line += ` `;
    line += ` used ${secondsSince(now, entry.used)}/${secondsSince(now, entry.confirmed)}/${secondsSince(now, entry.updated)}`;
    line += `probes ${entry.probes}`;
  }
  return `${line} ${entry.state} `;
}

function entryJson<Address>(family: Family<Address>, entry: NeighbourEntry<Address>, withDev: boolean, stats: boolean, now: Nanos): Record<string, unknown> {
  const item: Record<string, unknown> = { dst: family.format(entry.address) };
  if (withDev) item['dev'] = entry.dev;
  if (entry.mac !== null && hasLladdr(entry.state)) item['lladdr'] = formatMac(entry.mac);
  if (entry.isRouter) item['router'] = null;
  if (stats) {
    Object.assign(item, { used: secondsSince(now, entry.used), confirmed: secondsSince(now, entry.confirmed), updated: secondsSince(now, entry.updated), probes: entry.probes });
  }
  item['state'] = [entry.state];
  return item;
}

function formatProxy<Address>(family: Family<Address>, proxy: ProxyEntry<Address>, withDev: boolean): string {
  return `${family.format(proxy.address)}${withDev ? ` dev ${proxy.dev}` : ''}${proxy.isRouter ? ' router' : ''} proxy `;
}

function proxyJson<Address>(family: Family<Address>, proxy: ProxyEntry<Address>, withDev: boolean): Record<string, unknown> {
  const item: Record<string, unknown> = { dst: family.format(proxy.address) };
  if (withDev) item['dev'] = proxy.dev;
  if (proxy.isRouter) item['router'] = null;
  item['proxy'] = null;
  return item;
}
