/**
 * `ip neigh` (iproute2 6.1 ip/ipneigh.c) over the node's neighbour table.
 *
 * Covers: show|list|lst (filters `dev`, `nud STATE|all`, `to PREFIX` or a bare prefix; NOARP and
 * NONE entries hidden unless asked, as iproute2's default state mask), `-s` statistics
 * (`used A/B/Cprobes N`, sic — iproute2 6.1 prints no space there), `-j` JSON; add|change|
 * replace|del with `lladdr`, `nud`, `dev`; flush (PERMANENT and NOARP kept; "Flush requires
 * arguments." without a selector); get. Exact error texts and exit codes as observed in a namespace
 * (kernel errors 2, argument errors 1 or 255). Abbreviations by prefix, as iproute2's matches().
 * Leaves out: proxy entries (`ip neigh add proxy`), `router`, `extern_learn`, vrf, IPv6 entries.
 */
import { formatIpv4, formatMac, isInPrefix, parseCidr4, parseIpv4, parseMac } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { RoutingApi } from '../routing-api.js';
import type { NeighbourEntry, NeighbourTable, NudState } from './neighbour-table.js';

export interface CommandOutput {
  stdout: string;
  stderr: string;
  status: number;
}

export interface IpNeighOptions {
  json?: boolean;
  stats?: boolean;
  /** -6 selects IPv6 only: no IPv4 entries are shown. */
  family?: 4 | 6;
}

const STATES: readonly NudState[] = ['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT', 'NONE'];

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

export function runIpNeigh(argv: readonly string[], table: NeighbourTable, routing: RoutingApi, now: Nanos, options: IpNeighOptions = {}): CommandOutput {
  const [command, ...rest] = argv;
  if (command === undefined) return show([], table, routing, now, options, false);
  if (matches(command, 'add')) return modify('add', rest, table, routing, now);
  if (matches(command, 'change') || command === 'chg') return modify('change', rest, table, routing, now);
  if (matches(command, 'replace')) return modify('replace', rest, table, routing, now);
  if (matches(command, 'delete')) return modify('delete', rest, table, routing, now);
  if (matches(command, 'show') || matches(command, 'list') || command === 'lst') return show(rest, table, routing, now, options, false);
  if (matches(command, 'get')) return get(rest, table, routing, now, options);
  if (matches(command, 'flush')) return show(rest, table, routing, now, options, true);
  if (matches(command, 'help')) return error(USAGE, 255);
  return error(`Command "${command}" is unknown, try "ip neigh help".`, 255);
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

function modify(mode: 'add' | 'change' | 'replace' | 'delete', args: readonly string[], table: NeighbourTable, routing: RoutingApi, now: Nanos): CommandOutput {
  let address: number | null = null;
  let dev: string | null = null;
  let mac: Uint8Array | null = null;
  let state: NudState = 'PERMANENT';
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const next = args[i + 1];
    if (word === 'lladdr') {
      if (next === undefined) return error('Command line is not complete. Try option "help"', 255);
      mac = parseMac(next);
      if (mac === null) return error(`"${next}" is invalid lladdr.`, 255);
      i++;
    } else if (word === 'nud') {
      if (next === undefined) return error('Command line is not complete. Try option "help"', 255);
      const parsed = parseState(next);
      if (parsed === null || parsed === 'NONE') return error(`nud: argument "${next}" is wrong: nud state is bad`, 255);
      state = parsed;
      i++;
    } else if (word === 'dev') {
      if (next === undefined) return error('Command line is not complete. Try option "help"', 255);
      dev = next;
      i++;
    } else if (word === 'router' || word === 'extern_learn' || word === 'proxy') {
      return error(`"${word}" is not supported here.`, 255);
    } else {
      const target = word === 'to' ? next : word;
      if (word === 'to') i++;
      if (target === undefined) return error('Command line is not complete. Try option "help"', 255);
      const parsed = parseIpv4(target);
      if (parsed === null) return error(`Error: inet address is expected rather than "${target}".`, 1);
      address = parsed;
    }
  }
  if (address === null || dev === null) return error('Device and destination are required arguments.', 255);
  if (routing.device(dev) === undefined) return error(`Cannot find device "${dev}"`, 1);
  if (mode === 'delete') {
    return table.remove(dev, address, now) ? ok() : error('RTNETLINK answers: No such file or directory', 2);
  }
  const outcome = table.adminSet(dev, address, mac, state, mode, now);
  if (outcome.ok) return ok();
  if (outcome.error === 'exists') return error('RTNETLINK answers: File exists', 2);
  if (outcome.error === 'notFound') return error('RTNETLINK answers: No such file or directory', 2);
  return error('Error: No link layer address given.', 2);
}

interface Filter {
  dev: string | null;
  states: Set<NudState>;
  prefix: { address: number; prefixLength: number } | null;
}

function show(args: readonly string[], table: NeighbourTable, routing: RoutingApi, now: Nanos, options: IpNeighOptions, flush: boolean): CommandOutput {
  const filter: Filter = {
    dev: null,
    states: new Set(STATES.filter((s) => s !== 'NONE' && s !== 'NOARP' && (!flush || s !== 'PERMANENT'))),
    prefix: null,
  };
  let explicitState = false;
  let hasSelector = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const next = args[i + 1];
    if (word === 'dev') {
      if (next === undefined) return error('Command line is not complete. Try option "help"', 255);
      if (routing.device(next) === undefined) return error(`Cannot find device "${next}"`, 1);
      filter.dev = next;
      hasSelector = true;
      i++;
    } else if (word === 'nud') {
      if (next === undefined) return error('Command line is not complete. Try option "help"', 255);
      if (!explicitState) filter.states.clear();
      explicitState = true;
      if (next === 'all') {
        for (const s of STATES) if (s !== 'NONE') filter.states.add(s);
      } else {
        const parsed = parseState(next);
        if (parsed === null) return error(`nud: argument "${next}" is wrong: nud state is bad`, 255);
        filter.states.add(parsed);
      }
      hasSelector = true;
      i++;
    } else if (word === 'proxy') {
      return ok();
    } else if (word === 'all') {
      hasSelector = true;
    } else {
      const target = word === 'to' ? next : word;
      if (word === 'to') i++;
      if (target === undefined) return error('Command line is not complete. Try option "help"', 255);
      const prefix = parseCidr4(target);
      if (prefix === null) return error(`Error: any valid prefix is expected rather than "${target}".`, 1);
      filter.prefix = prefix;
      hasSelector = true;
    }
  }
  if (flush && !hasSelector) return error('Flush requires arguments.', 1);
  if (options.family === 6) return ok(options.json === true ? '[]\n' : '');
  const selected = table.list().filter((entry) => isSelected(entry, filter));
  if (flush) {
    for (const entry of selected) table.remove(entry.dev, entry.address, now);
    return ok();
  }
  if (options.json === true) {
    const items = selected.map((entry) => {
      const item: Record<string, unknown> = { dst: formatIpv4(entry.address) };
      if (filter.dev === null) item['dev'] = entry.dev;
      if (entry.mac !== null && hasLladdr(entry.state)) item['lladdr'] = formatMac(entry.mac);
      if (options.stats === true) Object.assign(item, statsJson(entry, now));
      item['state'] = [entry.state];
      return item;
    });
    return ok(`${JSON.stringify(items)}\n`);
  }
  let text = '';
  for (const entry of selected) text += `${formatEntry(entry, filter.dev === null, options.stats === true, now)}\n`;
  return ok(text);
}

function get(args: readonly string[], table: NeighbourTable, routing: RoutingApi, now: Nanos, options: IpNeighOptions): CommandOutput {
  let address: number | null = null;
  let dev: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === 'dev') {
      dev = args[++i] ?? null;
    } else {
      address = parseIpv4(word === 'to' ? (args[++i] ?? '') : word);
      if (address === null) return error(`Error: inet address is expected rather than "${word}".`, 1);
    }
  }
  if (address === null || dev === null) return error('Device and destination are required arguments.', 255);
  if (routing.device(dev) === undefined) return error(`Cannot find device "${dev}"`, 1);
  const entry = table.lookup(dev, address);
  if (entry === undefined || entry.state === 'NONE') return error('RTNETLINK answers: No such file or directory', 2);
  if (options.json === true) return ok(`${JSON.stringify([{ dst: formatIpv4(entry.address), dev: entry.dev, ...(entry.mac !== null && hasLladdr(entry.state) ? { lladdr: formatMac(entry.mac) } : {}), state: [entry.state] }])}\n`);
  return ok(`${formatEntry(entry, true, options.stats === true, now)}\n`);
}

function isSelected(entry: NeighbourEntry, filter: Filter): boolean {
  if (filter.dev !== null && entry.dev !== filter.dev) return false;
  if (!filter.states.has(entry.state)) return false;
  if (filter.prefix !== null && !isInPrefix(entry.address, filter.prefix.address, filter.prefix.prefixLength)) return false;
  return true;
}

/** INCOMPLETE and FAILED entries carry no usable address; iproute2 prints none for them. */
function hasLladdr(state: NudState): boolean {
  return state !== 'INCOMPLETE' && state !== 'FAILED' && state !== 'NONE';
}

function secondsSince(now: Nanos, then: Nanos): number {
  return Math.max(0, Math.floor((now - then) / 1_000_000_000));
}

function formatEntry(entry: NeighbourEntry, withDev: boolean, stats: boolean, now: Nanos): string {
  let line = formatIpv4(entry.address);
  if (withDev) line += ` dev ${entry.dev}`;
  if (entry.mac !== null && hasLladdr(entry.state)) line += ` lladdr ${formatMac(entry.mac)}`;
  if (stats) {
    line += ` `;
    line += ` used ${secondsSince(now, entry.used)}/${secondsSince(now, entry.confirmed)}/${secondsSince(now, entry.updated)}`;
    line += `probes ${entry.probes}`;
  }
  return `${line} ${entry.state} `;
}

function statsJson(entry: NeighbourEntry, now: Nanos): Record<string, number> {
  return { used: secondsSince(now, entry.used), confirmed: secondsSince(now, entry.confirmed), updated: secondsSince(now, entry.updated), probes: entry.probes };
}
