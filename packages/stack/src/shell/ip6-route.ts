/**
 * `ip -6 route` (iproute2 6.1 ip/iproute.c for AF_INET6): add/append/prepend/replace/change/del with
 * a type, prefix, via, dev, metric, table, proto, src, pref, expires, mtu, hoplimit, onlink and `nexthop` groups;
 * list/show and flush with table (main by default, `all`), dev, via, src, proto, type and root/match/
 * exact selectors; get with from, iif and oif. Routes print as print_route prints an RTM_NEWROUTE of
 * family inet6: `[TYPE ]DST [via GW] dev DEV [table T] [proto P] [src S] metric M [FLAGS] [expires Ns]
 * [mtu N] [hoplimit N] pref P` (-j: `"metrics":[{"mtu":N,"hoplimit":N}]`), ECMP siblings as one route with `\tnexthop via … dev … weight 1` lines. Errors and exit
 * statuses are iproute2's. Reached from ip-route.ts under -6, or when the line names an IPv6 prefix.
 * `show|flush cache` lists or deletes the route exceptions (redirects, learnt path MTUs).
 * Leaves out encap, nhid, metrics
 * other than mtu and hoplimit (and `lock`), and `fibmatch`.
 */
import type { Fib6Route, Route6DeleteSpec, Route6Mode, Route6Spec } from '../kernel.js';
import { isRoute6Sibling } from '../kernel.js';
import { rtnetlinkErrorText } from '../fib/errors.js';
import type { RouterPreference } from '../fib/fib6.js';
import type { Route6Exception } from '../fib/fib6-exceptions.js';
import { formatIpv6Number, isInIpv6Prefix, type Ipv6Number } from '@netloom/wire';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, RTPROT_BOOT } from '../fib/types.js';
import type { RouteType } from '../routing-api.js';
import type { IpContext } from './ip-context.js';
import {
  Args,
  duparg2,
  getAddr6,
  getPrefixAny,
  invarg,
  IpExit,
  matches,
  parsePrefix6,
  parseProtocol,
  parseRouteType,
  parseTable,
  parseUnsigned,
  prefix6Network,
  requireDevice,
  protocolName,
  type ParsedPrefix6,
} from './ip-util.js';
import type { JsonValue } from './json-writer.js';
import { formatJson } from './json-writer.js';
import { isGetTargetGiven, isPrefixSelected, kernelAnswer, missingTable, modifyCommandOf, nextChecked, nextSelectorTable, nextSelectorType, type PrefixArithmetic } from './route-command.js';

const SECOND = 1_000_000_000;

/** Does the line name an IPv6 prefix (so that `ip route …` without -6 is about IPv6, as get_prefix decides)? */
export function namesIpv6Prefix(argv: readonly string[]): boolean {
  return argv.some((word, i) => word.includes(':') && argv[i - 1] !== 'dev' && argv[i - 1] !== 'oif' && argv[i - 1] !== 'iif' && parsePrefix6(word) !== null);
}

function getPrefix6(arg: string, ctx: IpContext): ParsedPrefix6 {
  const prefix = getPrefixAny(arg, ctx.family === 0 ? 6 : ctx.family);
  if (prefix.family !== 6) throw new IpExit(1, `Error: inet6 prefix is expected rather than "${arg}".`);
  return prefix;
}

export function ipRoute6(ctx: IpContext, argv: string[]): number {
  const cmd = argv[0] ?? 'show';
  const rest = argv.slice(1);
  const modify = modifyCommandOf(cmd);
  if (modify !== null) return modifyRoute6(ctx, rest, modify);
  if (matches(cmd, 'delete')) return deleteRoute6(ctx, rest);
  if (matches(cmd, 'get')) return getRoute6(ctx, rest);
  if (matches(cmd, 'flush')) return listRoutes6(ctx, rest, true);
  if (argv.length === 0) return listRoutes6(ctx, [], false);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return listRoutes6(ctx, rest, false);
  throw new IpExit(255, `Command "${cmd}" is unknown, try "ip route help".`);
}

interface ParsedRoute6 {
  spec: Route6Spec;
  tableGiven: boolean;
  metricGiven: boolean;
  protocolGiven: boolean;
  typeGiven: boolean;
  gatewayGiven: boolean;
  devGiven: boolean;
}

/** iproute_modify's argument loop for an inet6 route. */
function parseRoute6(ctx: IpContext, argv: string[]): ParsedRoute6 {
  const spec: Route6Spec = { table: RT_TABLE_MAIN, dst: 0n, prefixLength: -1, type: 'unicast', protocol: RTPROT_BOOT, metric: 0, nexthops: [], prefsrc: 0n, pref: 'medium' };
  const parsed = { tableGiven: false, metricGiven: false, protocolGiven: false, typeGiven: false, gatewayGiven: false, devGiven: false };
  let single: { gateway: Ipv6Number; dev?: string; onlink?: boolean } = { gateway: 0n };
  let multipath = false;
  const args = new Args(argv);
  while (!args.done) {
    const a = args.current;
    // parse_nexthops: after the first `nexthop` only a nexthop's own words (parse_one_nh) may follow.
    if (multipath && a !== 'via' && a !== 'dev' && a !== 'weight' && a !== 'onlink' && a !== 'nexthop') {
      throw new IpExit(255, `Error: "nexthop" or end of line is expected instead of "${a}"`);
    }
    if (a === 'via') {
      let value = args.next();
      if (value === 'inet6') value = args.next();
      single.gateway = getAddr6(value, ctx.family === 0 ? 6 : ctx.family);
      parsed.gatewayGiven = true;
    } else if (a === 'dev' || a === 'oif') {
      const value = args.next();
      requireDevice(ctx, value);
      single.dev = value;
      parsed.devGiven = true;
    } else if (a === 'onlink') {
      single.onlink = true;
    } else if (matches(a, 'metric') || matches(a, 'priority') || a === 'preference') {
      spec.metric = nextChecked(args, parseUnsigned, '"metric" value is invalid\n');
      parsed.metricGiven = true;
    } else if (a === 'table') {
      spec.table = nextChecked(args, (word) => parseTable(ctx.kernel, word), '"table" value is invalid\n');
      parsed.tableGiven = true;
    } else if (matches(a, 'protocol')) {
      spec.protocol = nextChecked(args, parseProtocol, '"protocol" value is invalid\n');
      parsed.protocolGiven = true;
    } else if (a === 'src') {
      spec.prefsrc = getAddr6(args.next(), ctx.family === 0 ? 6 : ctx.family);
    } else if (a === 'pref') {
      const value = args.next();
      if (value !== 'low' && value !== 'medium' && value !== 'high') invarg('"pref" value is invalid\n', value);
      spec.pref = value as RouterPreference;
    } else if (a === 'expires') {
      spec.expires = nextChecked(args, parseUnsigned, '"expires" value is invalid\n');
    } else if (a === 'mtu' || a === 'hoplimit') {
      // iproute2's RTAX_MTU and RTAX_HOPLIMIT (hoplimit at most 255); `lock` is not modelled.
      const value = args.next();
      const n = parseUnsigned(value);
      if (n === null || (a === 'hoplimit' && n > 255)) invarg(`"${a}" value is invalid\n`, value);
      spec.metrics = { ...spec.metrics, [a]: n };
    } else if (a === 'nexthop') {
      multipath = true;
      single = { gateway: 0n };
      spec.nexthops.push(single);
    } else if (a === 'weight') {
      const value = args.next();
      const w = parseUnsigned(value, 256);
      if (w === null || w === 0) invarg('"weight" is invalid\n', value);
    } else {
      let word = a;
      if (word === 'to') word = args.next();
      const type = parseRouteType(word);
      if (type !== null && !parsed.typeGiven && spec.prefixLength < 0 && type !== 'nat' && type !== 'xresolve') {
        spec.type = type;
        parsed.typeGiven = true;
      } else {
        if (matches(word, 'help')) throw new IpExit(255, 'Usage: ip route { add | del | change | append | replace } ROUTE');
        if (spec.prefixLength >= 0) duparg2('to', word);
        const prefix = getPrefix6(word, ctx);
        spec.dst = prefix6Network(prefix);
        spec.prefixLength = prefix.prefixLength;
      }
    }
    args.advance();
  }
  if (!multipath && (single.gateway !== 0n || single.dev !== undefined)) spec.nexthops.push(single);
  // iproute_modify: local, broadcast, anycast and nat routes go to table local unless one was named.
  if (!parsed.tableGiven && (spec.type === 'local' || spec.type === 'broadcast' || spec.type === 'anycast')) spec.table = RT_TABLE_LOCAL;
  return { spec, ...parsed };
}

function modifyRoute6(ctx: IpContext, argv: string[], mode: Route6Mode): number {
  const { spec } = parseRoute6(ctx, argv);
  if (spec.prefixLength < 0) {
    ctx.err('Error: ipv6: destination address is required.');
    return 2;
  }
  return kernelAnswer(ctx, ctx.kernel.modifyRoute6(spec, mode, ctx.now));
}

function deleteRoute6(ctx: IpContext, argv: string[]): number {
  const parsed = parseRoute6(ctx, argv);
  const { spec } = parsed;
  const del: Route6DeleteSpec = { table: spec.table, dst: spec.dst, prefixLength: Math.max(0, spec.prefixLength) };
  if (parsed.metricGiven) del.metric = spec.metric;
  if (parsed.protocolGiven) del.protocol = spec.protocol;
  if (parsed.typeGiven) del.type = spec.type;
  const nh = spec.nexthops[0];
  if (parsed.gatewayGiven && nh) del.gateway = nh.gateway;
  if (parsed.devGiven && nh?.dev !== undefined) del.dev = nh.dev;
  return kernelAnswer(ctx, ctx.kernel.deleteRoute6(del, ctx.now));
}

interface Route6Filter {
  /** null: every table. */
  table: number | null;
  dev: string;
  via: Ipv6Number | null;
  src: Ipv6Number | null;
  protocol: number | null;
  types: RouteType[];
  exact: ParsedPrefix6 | null;
  root: ParsedPrefix6 | null;
  match: ParsedPrefix6 | null;
  cache: boolean;
}

function parseFilter6(ctx: IpContext, argv: string[]): Route6Filter {
  const filter: Route6Filter = { table: RT_TABLE_MAIN, dev: '', via: null, src: null, protocol: null, types: [], exact: null, root: null, match: null, cache: false };
  const args = new Args(argv);
  while (!args.done) {
    const a = args.current;
    if (a === 'table') {
      const table = nextSelectorTable(ctx, args);
      if (table === 'all') filter.table = null;
      else if (table === 'cache') filter.cache = true;
      else filter.table = table;
    } else if (a === 'cache' || matches(a, 'cached') || matches(a, 'cloned')) filter.cache = true;
    else if (a === 'dev' || a === 'oif') {
      filter.dev = args.next();
      requireDevice(ctx, filter.dev);
    } else if (a === 'via') filter.via = getAddr6(args.next(), 6);
    else if (a === 'src') filter.src = getAddr6(args.next(), 6);
    else if (matches(a, 'protocol')) filter.protocol = nextChecked(args, parseProtocol, 'invalid "protocol"\n');
    else if (a === 'type') filter.types.push(nextSelectorType(args));
    else if (matches(a, 'root')) filter.root = getPrefix6(args.next(), ctx);
    else if (matches(a, 'match')) filter.match = getPrefix6(args.next(), ctx);
    else if (a === 'scope') args.next();
    else {
      let word = a;
      if (matches(word, 'exact')) word = args.next();
      const prefix = getPrefix6(word, ctx);
      if (prefix.lengthGiven) filter.exact = prefix;
      else filter.match = prefix;
    }
    args.advance();
  }
  return filter;
}

function routeSelected(r: Fib6Route, f: Route6Filter): boolean {
  if (f.dev && r.dev !== f.dev) return false;
  if (f.via !== null && r.gateway !== f.via) return false;
  if (f.src !== null && r.prefsrc !== f.src) return false;
  if (f.protocol !== null && r.protocol !== f.protocol) return false;
  if (f.types.length && !f.types.includes(r.type)) return false;
  return isPrefixSelected(r.dst, r.prefixLength, f, IPV6_PREFIXES);
}

/** An IPv6 selector's prefix is the network of the address given (its host bits cleared). */
const IPV6_PREFIXES: PrefixArithmetic<Ipv6Number, ParsedPrefix6> = { network: prefix6Network, isIn: isInIpv6Prefix };

/** The routes of the tables a filter selects, in dump order (main, then the others, then local), ECMP groups once. */
export function formatRoutes6(ctx: IpContext, table: number | null, select: (r: Fib6Route) => boolean, omit: { dev: boolean; protocol: boolean }): { text: string; json: { [key: string]: JsonValue } }[] {
  const ids = table === null ? ctx.kernel.tables6() : [table];
  const out: { text: string; json: { [key: string]: JsonValue } }[] = [];
  for (const id of ids) {
    const routes = ctx.kernel.routes6(id, ctx.now);
    const printed = new Set<Fib6Route>();
    for (const r of routes) {
      if (printed.has(r) || !select(r)) continue;
      const group = [r, ...routes.filter((o) => isRoute6Sibling(o, r))];
      for (const g of group) printed.add(g);
      out.push(formatRoute6(ctx, group, { all: table === null, omitDev: omit.dev, omitProtocol: omit.protocol, details: ctx.details }));
    }
  }
  return out;
}

function listRoutes6(ctx: IpContext, argv: string[], flush: boolean): number {
  if (flush && argv.length === 0) throw new IpExit(1, '"ip route flush" requires arguments.');
  const filter = parseFilter6(ctx, argv);
  if (filter.cache) return listCache6(ctx, filter, flush);
  if (filter.table !== null && !ctx.kernel.tables6().includes(filter.table)) return missingTable(ctx, 'ipv6', flush);
  if (flush) {
    const victims = new Set<Fib6Route>();
    for (const id of filter.table === null ? ctx.kernel.tables6() : [filter.table]) for (const r of ctx.kernel.routes6(id, ctx.now)) if (routeSelected(r, filter)) victims.add(r);
    ctx.kernel.flushRoutes6((r) => victims.has(r), ctx.now);
    return 0;
  }
  const lines = formatRoutes6(ctx, filter.table, (r) => routeSelected(r, filter), { dev: filter.dev !== '', protocol: filter.protocol !== null });
  ctx.out(ctx.json ? formatJson(lines.map((l) => l.json), ctx.pretty) : lines.map((l) => l.text).join(''));
  return 0;
}

/**
 * `ip -6 route show|flush cache`: the route exceptions (RTM_F_CLONED dumps), each as the clone
 * rt6_fill_node reports — `DST [via GW] dev DEV metric M expires Nsec [mtu N] pref P`, no protocol
 * (as Linux 6.18 shows a PMTU clone of a `proto static` route); flush deletes the selected ones.
 */
function listCache6(ctx: IpContext, filter: Route6Filter, flush: boolean): number {
  const clones: { exception: Route6Exception; route: Fib6Route }[] = [];
  for (const exception of ctx.kernel.exceptions6.list(ctx.now)) {
    const outcome = ctx.kernel.lookupRoute6({ dst: exception.dst, oif: exception.dev }, ctx.now);
    if (!outcome.ok || outcome.decision.exception !== exception) continue;
    if (routeSelected(outcome.decision.route, { ...filter, table: null })) clones.push({ exception, route: outcome.decision.route });
  }
  if (flush) {
    const chosen = new Set(clones.map((c) => c.exception));
    ctx.kernel.exceptions6.remove((e) => chosen.has(e));
    return 0;
  }
  const lines = clones.map((c) => formatRoute6(ctx, [c.route], { all: false, omitDev: filter.dev !== '', details: ctx.details }));
  ctx.out(ctx.json ? formatJson(lines.map((l) => l.json), ctx.pretty) : lines.map((l) => l.text).join(''));
  return 0;
}

function dstText(dst: Ipv6Number, prefixLength: number): string {
  if (prefixLength === 0 && dst === 0n) return 'default';
  return prefixLength === 128 ? formatIpv6Number(dst) : `${formatIpv6Number(dst)}/${prefixLength}`;
}

function tableName(ctx: IpContext, id: number): string {
  return ctx.kernel.tableName(id);
}

/** RTNH_F_* of an IPv6 nexthop: onlink, and linkdown while its device has no carrier (not for local/anycast). */
function nexthopFlags(ctx: IpContext, r: Fib6Route): string[] {
  const flags: string[] = [];
  if (r.onlink) flags.push('onlink');
  const dev = ctx.kernel.device(r.dev);
  if (dev && !dev.carrier && r.type !== 'local' && r.type !== 'anycast' && r.dev !== 'lo') flags.push('linkdown');
  return flags;
}

/** print_route for an inet6 route (a group of ECMP siblings prints as one multipath route). */
function formatRoute6(ctx: IpContext, group: Fib6Route[], options: { all: boolean; omitDev: boolean; omitProtocol?: boolean; details: boolean; get?: { from: Ipv6Number; dst: Ipv6Number; src: Ipv6Number | null; dev: string; iif?: string; cached?: boolean } }): { text: string; json: { [key: string]: JsonValue } } {
  const r = group[0]!;
  let text = '';
  const json: { [key: string]: JsonValue } = {};
  if (r.type !== 'unicast' || options.details) {
    text += `${r.type} `;
    json['type'] = r.type;
  }
  const dst = options.get ? formatIpv6Number(options.get.dst) : dstText(r.dst, r.prefixLength);
  text += `${dst} `;
  json['dst'] = dst;
  if (options.get) {
    text += `from ${formatIpv6Number(options.get.from)} `;
    json['from'] = formatIpv6Number(options.get.from);
  }
  const multipath = group.length > 1;
  if (!multipath) {
    if (r.gateway !== 0n) {
      text += `via ${formatIpv6Number(r.gateway)} `;
      json['gateway'] = formatIpv6Number(r.gateway);
    }
    const dev = options.get ? options.get.dev : r.dev;
    if (!options.omitDev) {
      text += `dev ${dev} `;
      json['dev'] = dev;
    }
  }
  if ((r.table !== RT_TABLE_MAIN || options.details) && (options.all || options.get)) {
    text += `table ${tableName(ctx, r.table)} `;
    json['table'] = tableName(ctx, r.table);
  }
  // -d prints what print_route otherwise leaves out: proto boot, and the (always global) scope.
  if ((r.protocol !== RTPROT_BOOT || options.details) && !options.omitProtocol) {
    text += `proto ${protocolName(r.protocol)} `;
    json['protocol'] = protocolName(r.protocol);
  }
  if (options.details) {
    text += 'scope global ';
    json['scope'] = 'global';
  }
  const src = options.get ? (r.prefsrc !== 0n ? r.prefsrc : options.get.src) : r.prefsrc !== 0n ? r.prefsrc : null;
  if (src !== null) {
    text += `src ${formatIpv6Number(src)} `;
    json['prefsrc'] = formatIpv6Number(src);
  }
  text += `metric ${r.metric} `;
  json['metric'] = r.metric;
  // rt6_fill_node with a dst (route get) reports no nexthop flags: no onlink, linkdown or dead.
  const flags = multipath || options.get ? [] : nexthopFlags(ctx, r);
  for (const f of flags) text += `${f} `;
  json['flags'] = flags;
  // route get prints the dst entry's expiry (rt6_fill_node with a dst: a cached clone's only), not the route's.
  if (r.expiresAt !== null && (!options.get || options.get.cached === true)) {
    const left = Math.max(0, Math.floor((r.expiresAt - ctx.now) / SECOND));
    text += `expires ${left}sec `;
    json['expires'] = left;
  }
  // RTA_METRICS after the cache info, in RTAX order.
  if (r.metrics !== undefined) {
    const metrics: Record<string, number> = {};
    if (r.metrics.mtu !== undefined) metrics['mtu'] = r.metrics.mtu;
    if (r.metrics.hoplimit !== undefined) metrics['hoplimit'] = r.metrics.hoplimit;
    for (const [name, value] of Object.entries(metrics)) text += `${name} ${value} `;
    json['metrics'] = [metrics];
  }
  if (options.get?.iif !== undefined) {
    text += `iif ${options.get.iif} `;
    json['iif'] = options.get.iif;
  }
  text += `pref ${r.pref}\n`;
  json['pref'] = r.pref;
  if (multipath) {
    const nexthops: JsonValue[] = [];
    for (const nh of group) {
      const nhFlags = nexthopFlags(ctx, nh);
      text += `\tnexthop via ${formatIpv6Number(nh.gateway)} dev ${nh.dev} weight 1 ${nhFlags.map((f) => `${f} `).join('')}\n`;
      nexthops.push({ gateway: formatIpv6Number(nh.gateway), dev: nh.dev, weight: 1, flags: nhFlags });
    }
    json['nexthops'] = nexthops;
  }
  return { text, json };
}

function getRoute6(ctx: IpContext, argv: string[]): number {
  const args = new Args(argv);
  let dst: Ipv6Number | null = null;
  let from = 0n;
  let iif = '';
  let oif = '';
  while (!args.done) {
    const a = args.current;
    if (matches(a, 'from')) from = getPrefix6(args.next(), ctx).address;
    else if (matches(a, 'iif')) iif = args.next();
    else if (matches(a, 'oif') || a === 'dev') oif = args.next();
    else if (matches(a, 'mark') || matches(a, 'uid') || matches(a, 'tos') || matches(a, 'dsfield') || matches(a, 'ipproto') || a === 'sport' || a === 'dport' || matches(a, 'vrf')) args.next();
    else if (matches(a, 'fibmatch') || matches(a, 'notify') || matches(a, 'connected')) {
      // Accepted; not modelled for IPv6.
    } else {
      let word = a;
      if (word === 'to') word = args.next();
      const prefix = getPrefix6(word, ctx);
      if (prefix.prefixLength !== 128) ctx.err(`Warning: /${prefix.prefixLength} as prefix is invalid, only /128 (or none) is supported.`);
      dst = prefix.address;
    }
    args.advance();
  }
  if (!isGetTargetGiven(ctx, dst, iif, oif)) return 1;
  const outcome = ctx.kernel.lookupRoute6({ dst, ...(from !== 0n ? { src: from } : {}), ...(oif ? { oif } : {}), ...(iif ? { iif } : {}) }, ctx.now);
  if (!outcome.ok) {
    ctx.err(rtnetlinkErrorText({ errno: outcome.errno }));
    return 2;
  }
  const d = outcome.decision;
  const formatted = formatRoute6(ctx, [d.route], { all: false, omitDev: false, details: ctx.details, get: { from, dst, src: d.src, dev: d.dev, ...(iif ? { iif } : {}), cached: d.exception !== undefined } });
  ctx.out(ctx.json ? formatJson([formatted.json], ctx.pretty) : formatted.text);
  return 0;
}

