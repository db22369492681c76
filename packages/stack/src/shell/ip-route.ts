/**
 * `ip route` (iproute2 6.1 ip/iproute.c): add/append/prepend/replace/change/del with iproute2's
 * defaults (table main, or local for local/nat; scope link for a route without gateway; protocol
 * boot), list/show with table, dev, via, src, proto, scope, type and prefix selectors, flush, get,
 * `show cache` and `flush cache`. Error texts and exit statuses are iproute2's: parse errors 255 or 1,
 * kernel errors 2. IPv6 routes are ip6-route.ts's (under -6, when the line names an IPv6 prefix, and
 * in `ip route show table all`). Leaves out encap, nhid, save/restore.
 */
import type { NexthopSpec, RouteDeleteSpec, RouteModifyMode, RouteSpec } from '../kernel.js';
import type { FibRoute } from '../fib/types.js';
import {
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  RTPROT_BOOT,
} from '../fib/types.js';
import { IpProtocol, isInPrefix } from '@netloom/wire';
import { rtnetlinkErrorText } from '../fib/errors.js';
import type { RouteType } from '../routing-api.js';
import type { JsonValue } from './json-writer.js';
import { formatJson } from './json-writer.js';
import {
  Args,
  duparg2,
  getAddr,
  getPrefix,
  invarg,
  IpExit,
  matches,
  parseDsfield,
  parseIpProtocol,
  parseProtocol,
  parseRouteType,
  parseScope,
  parseTable,
  parseUnsigned,
  requireDevice,
} from './ip-util.js';
import type { IpContext } from './ip-context.js';
import { formatException, formatFibRoute, formatRouteGet } from './route-format.js';
import { formatRoutes6, ipRoute6, namesIpv6Prefix } from './ip6-route.js';
import { isGetTargetGiven, isPrefixSelected, kernelAnswer, missingTable, modifyCommandOf, nextChecked, nextSelectorTable, nextSelectorType, type PrefixArithmetic } from './route-command.js';

const ROUTE_USAGE = `Usage: ip route { list | flush } SELECTOR
       ip route save SELECTOR
       ip route restore
       ip route showdump
       ip route get [ ROUTE_GET_FLAGS ] ADDRESS
                            [ from ADDRESS iif STRING ]
                            [ oif STRING ] [ tos TOS ]
                            [ mark NUMBER ] [ vrf NAME ]
                            [ uid NUMBER ] [ ipproto PROTOCOL ]
                            [ sport NUMBER ] [ dport NUMBER ]
       ip route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
             [ ttl-propagate { enabled | disabled } ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ encap ENCAPTYPE ENCAPHDR ] [ via [ FAMILY ] ADDRESS ]
      [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 | mpls | bridge | link ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ as [ to ] ADDRESS ]
           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ]
           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]
           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]
           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink | pervasive ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
BOOL := [1|0]
FEATURES := ecn`;

function usage(): never {
  throw new IpExit(255, ROUTE_USAGE);
}

export function ipRoute(ctx: IpContext, argv: string[]): number {
  if (ctx.family === 6 || (ctx.family === 0 && namesIpv6Prefix(argv.slice(1)))) return ipRoute6(ctx, argv);
  const args = new Args(argv);
  if (args.done) return listRoutes(ctx, [], false);
  const cmd = args.current;
  const rest = argv.slice(1);
  const modify = modifyCommandOf(cmd);
  if (modify !== null) return modifyRoute(ctx, rest, modify);
  if (matches(cmd, 'test')) return modifyRoute(ctx, rest, 'add');
  if (matches(cmd, 'delete')) return deleteRoute(ctx, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return listRoutes(ctx, rest, false);
  if (matches(cmd, 'get')) return getRoute(ctx, rest);
  if (matches(cmd, 'flush')) return listRoutes(ctx, rest, true);
  if (matches(cmd, 'help')) usage();
  throw new IpExit(255, `Command "${cmd}" is unknown, try "ip route help".`);
}

interface ParsedRoute {
  spec: RouteSpec;
  typeGiven: boolean;
  scopeGiven: boolean;
  tableGiven: boolean;
  protocolGiven: boolean;
  metricGiven: boolean;
  prefsrcGiven: boolean;
  gateway: number;
  dev: string;
  onlink: boolean;
  nexthops: NexthopSpec[];
}

/** Route attributes iproute_modify reads a value for (and `lock` before it) that the model leaves out. */
const VALUE_KEYWORDS_IGNORED: ReadonlySet<string> = new Set(['hoplimit', 'advmss', 'reordering', 'rtt', 'rttvar', 'window', 'cwnd', 'initcwnd', 'initrwnd', 'ssthresh', 'rto_min', 'realms', 'features', 'quickack', 'congctl', 'expires', 'fastopen_no_cookie', 'pref', 'ttl-propagate']);

/** iproute_modify's argument loop (shared by add/change/replace/append/prepend/del). */
function parseRoute(ctx: IpContext, argv: string[], isDelete: boolean): ParsedRoute {
  const args = new Args(argv);
  const family = ctx.family;
  let dstGiven = false;
  let gwGiven = false;
  const parsed: ParsedRoute = {
    spec: {
      table: RT_TABLE_MAIN,
      dst: 0,
      prefixLength: 0,
      tos: 0,
      priority: 0,
      type: 'unicast',
      protocol: isDelete ? 0 : RTPROT_BOOT,
      scope: isDelete ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE,
      prefsrc: 0,
      nexthops: [],
      multipath: false,
      mtu: 0,
      mtuLock: false,
    },
    typeGiven: false,
    scopeGiven: false,
    tableGiven: false,
    protocolGiven: false,
    metricGiven: false,
    prefsrcGiven: false,
    gateway: 0,
    dev: '',
    onlink: false,
    nexthops: [],
  };
  const spec = parsed.spec;
  let typeIsNat = false;
  let nexthopArgs: string[] | null = null;
  while (!args.done) {
    const a = args.current;
    if (a === 'src') {
      spec.prefsrc = getAddr(args.next(), family);
      parsed.prefsrcGiven = true;
    } else if (a === 'via') {
      if (gwGiven) invarg('use nexthop syntax to specify multiple via\n', a);
      gwGiven = true;
      let value = args.next();
      if (value === 'inet') value = args.next();
      parsed.gateway = getAddr(value, family);
    } else if (a === 'from') {
      getPrefix(args.next(), family);
    } else if (a === 'tos' || matches(a, 'dsfield')) {
      spec.tos = nextChecked(args, parseDsfield, '"tos" value is invalid\n');
    } else if (matches(a, 'metric') || matches(a, 'priority') || a === 'preference') {
      spec.priority = nextChecked(args, parseUnsigned, '"metric" value is invalid\n');
      parsed.metricGiven = true;
    } else if (a === 'scope') {
      spec.scope = nextChecked(args, parseScope, 'invalid "scope" value\n');
      parsed.scopeGiven = true;
    } else if (a === 'mtu') {
      let value = args.next();
      if (value === 'lock') {
        spec.mtuLock = true;
        value = args.next();
      }
      const mtu = parseUnsigned(value);
      if (mtu === null) invarg('"mtu" value is invalid\n', value);
      spec.mtu = mtu;
    } else if (VALUE_KEYWORDS_IGNORED.has(a)) {
      const value = args.next();
      if (value === 'lock') args.next();
    } else if (a === 'onlink') {
      parsed.onlink = true;
    } else if (a === 'nexthop') {
      nexthopArgs = args.remaining;
      break;
    } else if (matches(a, 'protocol')) {
      spec.protocol = nextChecked(args, parseProtocol, '"protocol" value is invalid\n');
      parsed.protocolGiven = true;
    } else if (matches(a, 'table')) {
      spec.table = nextChecked(args, (word) => parseTable(ctx.kernel, word), '"table" value is invalid\n');
      parsed.tableGiven = true;
    } else if (a === 'dev' || a === 'oif') {
      parsed.dev = args.next();
    } else {
      let word = a;
      if (word === 'to') word = args.next();
      if ((word[0]! < '0' || word[0]! > '9') && parseRouteType(word) !== null) {
        const type = parseRouteType(word)!;
        word = args.next();
        if (type === 'nat' || type === 'xresolve') typeIsNat = true;
        else spec.type = type;
        parsed.typeGiven = true;
      }
      if (matches(word, 'help')) usage();
      if (dstGiven) duparg2('to', word);
      const prefix = getPrefix(word, family);
      spec.dst = prefix.address;
      spec.prefixLength = prefix.prefixLength;
      dstGiven = true;
    }
    args.advance();
  }
  if (!dstGiven) usage();
  if (parsed.dev) requireDevice(ctx, parsed.dev);
  if (nexthopArgs) parsed.nexthops = parseNexthops(ctx, nexthopArgs);
  if (typeIsNat) throw new IpExit(2, rtnetlinkErrorText({ errno: 'EINVAL', message: 'Invalid route type' }));
  if (!parsed.tableGiven && spec.type === 'local') spec.table = RT_TABLE_LOCAL;
  if (!parsed.scopeGiven && !isDelete) {
    if (spec.type === 'local') spec.scope = RT_SCOPE_HOST;
    else if (spec.type === 'broadcast' || spec.type === 'multicast' || spec.type === 'anycast') spec.scope = RT_SCOPE_LINK;
    else if (spec.type === 'unicast' && !gwGiven && !nexthopArgs && !parsed.onlink) spec.scope = RT_SCOPE_LINK;
  }
  if (nexthopArgs) {
    spec.nexthops = parsed.nexthops;
    spec.multipath = true;
  } else if (parsed.gateway || parsed.dev) {
    spec.nexthops = [{ gateway: parsed.gateway, dev: parsed.dev, weight: 1, onlink: parsed.onlink }];
  } else if (parsed.onlink) {
    spec.nexthops = [{ gateway: 0, dev: '', weight: 1, onlink: true }];
  }
  return parsed;
}

/** parse_nexthops / parse_one_nh. */
function parseNexthops(ctx: IpContext, argv: string[]): NexthopSpec[] {
  const nexthops: NexthopSpec[] = [];
  let i = 0;
  while (i < argv.length) {
    if (argv[i] !== 'nexthop') throw new IpExit(255, `Error: "nexthop" or end of line is expected instead of "${argv[i]}"`);
    if (i + 1 >= argv.length) throw new IpExit(255, 'Error: unexpected end of line after "nexthop"');
    const nh: NexthopSpec = { gateway: 0, dev: '', weight: 1, onlink: false };
    i++;
    const next = (): string => {
      i++;
      if (i >= argv.length) throw new IpExit(255, 'Command line is not complete. Try option "help"');
      return argv[i]!;
    };
    while (i < argv.length) {
      const a = argv[i]!;
      if (a === 'via') {
        let value = next();
        if (value === 'inet') value = next();
        nh.gateway = getAddr(value, ctx.family);
      } else if (a === 'dev') {
        const dev = next();
        requireDevice(ctx, dev);
        nh.dev = dev;
      } else if (a === 'weight') {
        const value = next();
        const w = parseUnsigned(value);
        if (w === null || w === 0 || w > 256) invarg('"weight" is invalid\n', value);
        nh.weight = w;
      } else if (a === 'onlink') nh.onlink = true;
      else if (matches(a, 'realms')) next();
      else break;
      i++;
    }
    nexthops.push(nh);
  }
  return nexthops;
}

function modifyRoute(ctx: IpContext, argv: string[], mode: RouteModifyMode): number {
  const parsed = parseRoute(ctx, argv, false);
  return kernelAnswer(ctx, ctx.kernel.modifyRoute(parsed.spec, mode));
}

function deleteRoute(ctx: IpContext, argv: string[]): number {
  const parsed = parseRoute(ctx, argv, true);
  const spec = parsed.spec;
  const del: RouteDeleteSpec = {
    table: spec.table,
    dst: spec.dst,
    prefixLength: spec.prefixLength,
    tos: spec.tos,
  };
  if (parsed.metricGiven) del.priority = spec.priority;
  if (parsed.typeGiven) del.type = spec.type;
  if (parsed.protocolGiven) del.protocol = spec.protocol;
  if (parsed.scopeGiven) del.scope = spec.scope;
  if (parsed.prefsrcGiven) del.prefsrc = spec.prefsrc;
  if (parsed.gateway) del.gateway = parsed.gateway;
  if (parsed.dev) del.dev = parsed.dev;
  if (parsed.nexthops.length) del.nexthops = parsed.nexthops;
  if (!parsed.tableGiven && spec.type === 'local' && parsed.typeGiven) del.table = RT_TABLE_LOCAL;
  return kernelAnswer(ctx, ctx.kernel.deleteRoute(del));
}

interface RouteFilter {
  table: number;
  all: boolean;
  dev: string;
  via: number | null;
  src: number | null;
  protocol: number | null;
  scope: number | null;
  types: RouteType[];
  exact: { address: number; prefixLength: number } | null;
  root: { address: number; prefixLength: number } | null;
  match: { address: number; prefixLength: number } | null;
  cache: boolean;
}

function parseFilter(ctx: IpContext, argv: string[]): RouteFilter {
  const filter: RouteFilter = {
    table: RT_TABLE_MAIN,
    all: false,
    dev: '',
    via: null,
    src: null,
    protocol: null,
    scope: null,
    types: [],
    exact: null,
    root: null,
    match: null,
    cache: false,
  };
  const args = new Args(argv);
  while (!args.done) {
    const a = args.current;
    if (matches(a, 'table')) {
      const table = nextSelectorTable(ctx, args);
      if (table === 'all') filter.all = true;
      else if (table === 'cache') filter.cache = true;
      else filter.table = table;
    } else if (a === 'cache' || matches(a, 'cached') || matches(a, 'cloned')) {
      filter.cache = true;
    } else if (a === 'dev' || a === 'oif') {
      filter.dev = args.next();
    } else if (a === 'via') {
      filter.via = getAddr(args.next(), ctx.family);
    } else if (a === 'src') {
      filter.src = getAddr(args.next(), ctx.family);
    } else if (matches(a, 'protocol')) {
      filter.protocol = nextChecked(args, parseProtocol, 'invalid "protocol"\n');
    } else if (a === 'scope') {
      filter.scope = nextChecked(args, parseScope, 'invalid "scope"\n');
    } else if (a === 'type') {
      filter.types.push(nextSelectorType(args));
    } else if (matches(a, 'root')) {
      filter.root = getPrefix(args.next(), ctx.family);
    } else if (matches(a, 'match')) {
      filter.match = getPrefix(args.next(), ctx.family);
    } else {
      let word = a;
      if (matches(word, 'exact')) word = args.next();
      if (matches(word, 'help')) usage();
      const prefix = getPrefix(word, ctx.family);
      if (prefix.lengthGiven) filter.exact = prefix;
      else filter.match = prefix;
    }
    args.advance();
  }
  if (filter.dev && !ctx.kernel.device(filter.dev)) throw new IpExit(1, `Cannot find device "${filter.dev}"`);
  return filter;
}

function routeMatchesFilter(route: FibRoute, filter: RouteFilter): boolean {
  // RTA_OIF / RTA_GATEWAY exist only for single-nexthop routes (multipath ones carry RTA_MULTIPATH).
  const single = route.nexthops.length === 1 ? route.nexthops[0]! : null;
  if (filter.dev && single?.dev !== filter.dev) return false;
  if (filter.via !== null && single?.gateway !== filter.via) return false;
  if (filter.src !== null && route.prefsrc !== filter.src) return false;
  if (filter.protocol !== null && route.protocol !== filter.protocol) return false;
  if (filter.scope !== null && route.scope !== filter.scope) return false;
  if (filter.types.length && !filter.types.includes(route.type)) return false;
  return isPrefixSelected(route.dst, route.prefixLength, filter, IPV4_PREFIXES);
}

/** An IPv4 selector's prefix is its network as given (get_prefix). */
const IPV4_PREFIXES: PrefixArithmetic<number, { address: number; prefixLength: number }> = { network: (prefix) => prefix.address, isIn: isInPrefix };

function listRoutes(ctx: IpContext, argv: string[], flush: boolean): number {
  if (flush && argv.length === 0) throw new IpExit(1, '"ip route flush" requires arguments.');
  const filter = parseFilter(ctx, argv);
  if (filter.cache) {
    if (flush) {
      ctx.kernel.flushCache();
      return 0;
    }
    const items: JsonValue[] = [];
    let text = '';
    if (ctx.family === 0 || ctx.family === 4) {
      for (const { route, nexthop, exception } of ctx.kernel.exceptions(ctx.now)) {
        if (filter.dev && nexthop.dev !== filter.dev) continue;
        if (filter.exact && (filter.exact.prefixLength !== 32 || exception.dst !== filter.exact.address)) continue;
        if (filter.match && !isInPrefix(exception.dst, filter.match.address, filter.match.prefixLength)) continue;
        const formatted = formatException(route, nexthop, exception, ctx.now);
        text += formatted.text;
        items.push(formatted.json);
      }
    }
    ctx.out(ctx.json ? formatJson(items, ctx.pretty) : text);
    return 0;
  }
  let tables = ctx.kernel.tables();
  if (!filter.all) {
    const table = ctx.kernel.table(filter.table);
    if (!table) return missingTable(ctx, 'ipv4', flush);
    tables = [table];
  }
  if (flush) {
    const victims = new Set<FibRoute>();
    for (const table of tables) for (const route of table.routes) if (routeMatchesFilter(route, filter)) victims.add(route);
    ctx.kernel.flushRoutes((r) => victims.has(r));
    return 0;
  }
  let text = '';
  const items: JsonValue[] = [];
  // A non-IP family (-0, -M, -B) lists no IPv4 or IPv6 route.
  if (ctx.family === 0 || ctx.family === 4) {
    for (const table of tables) {
      for (const route of table.routes) {
        if (!routeMatchesFilter(route, filter)) continue;
        const formatted = formatFibRoute(ctx.kernel, route, {
          details: ctx.details,
          tableFilter: filter.all ? 0 : filter.table,
          omit: { dev: filter.dev !== '', via: filter.via !== null, src: filter.src !== null, protocol: filter.protocol !== null, scope: filter.scope !== null },
        });
        text += formatted.text;
        items.push(formatted.json);
      }
    }
  }
  // AF_UNSPEC dumps of every table hold the IPv6 routes too (after the IPv4 ones).
  if (ctx.family === 0 && filter.all && !filter.exact && !filter.root && !filter.match && filter.via === null && filter.src === null && filter.types.length === 0) {
    const select = (r: { dev: string; protocol: number }): boolean => (!filter.dev || r.dev === filter.dev) && (filter.protocol === null || r.protocol === filter.protocol);
    for (const line of formatRoutes6(ctx, null, select, { dev: filter.dev !== '', protocol: filter.protocol !== null })) {
      text += line.text;
      items.push(line.json);
    }
  }
  ctx.out(ctx.json ? formatJson(items, ctx.pretty) : text);
  return 0;
}

function getRoute(ctx: IpContext, argv: string[]): number {
  const args = new Args(argv);
  let dst: number | null = null;
  let from = 0;
  let iif = '';
  let oif = '';
  let tos = 0;
  let mark = 0;
  let uid: number | null = null;
  // inet_rtm_getroute: without RTA_IP_PROTO the flow is UDP (ip_proto = IPPROTO_UDP), for rules and the L4 hash.
  let proto: number = IpProtocol.udp;
  let protoGiven = false;
  let sport = 0;
  let dport = 0;
  let fibmatch = false;
  while (!args.done) {
    const a = args.current;
    if (a === 'tos' || matches(a, 'dsfield')) {
      tos = nextChecked(args, parseDsfield, 'TOS value is invalid\n');
    } else if (matches(a, 'from')) {
      const value = args.next();
      if (matches(value, 'help')) usage();
      from = getPrefix(value, ctx.family).address;
    } else if (matches(a, 'iif')) {
      iif = args.next();
    } else if (matches(a, 'mark')) {
      mark = nextChecked(args, parseUnsigned, 'invalid mark value');
    } else if (matches(a, 'oif') || a === 'dev') {
      oif = args.next();
    } else if (matches(a, 'uid')) {
      uid = nextChecked(args, parseUnsigned, 'invalid UID\n');
    } else if (matches(a, 'fibmatch')) {
      fibmatch = true;
    } else if (matches(a, 'notify') || matches(a, 'connected')) {
      // Accepted; not modelled.
    } else if (matches(a, 'vrf')) {
      args.next();
    } else if (a === 'sport' || a === 'dport') {
      const port = nextChecked(args, (word) => parseUnsigned(word, 65535), `invalid ${a}\n`);
      if (a === 'sport') sport = port;
      else dport = port;
    } else if (matches(a, 'ipproto')) {
      proto = nextChecked(args, parseIpProtocol, 'Invalid "ipproto" value\n');
      protoGiven = true;
    } else {
      let word = a;
      if (word === 'to') word = args.next();
      if (matches(word, 'help')) usage();
      const prefix = getPrefix(word, ctx.family);
      if (prefix.prefixLength !== 32) ctx.err(`Warning: /${prefix.prefixLength} as prefix is invalid, only /32 (or none) is supported.`);
      dst = prefix.address;
    }
    args.advance();
  }
  if (!isGetTargetGiven(ctx, dst, iif, oif)) return 1;
  // rtm_getroute_parse_ip_proto: RTA_IP_PROTO may only be TCP, UDP or ICMP.
  if (protoGiven && proto !== IpProtocol.tcp && proto !== IpProtocol.udp && proto !== IpProtocol.icmp) {
    ctx.err('Error: Unsupported ip proto.');
    return 2;
  }
  const query = { dst, src: from, tos, mark, proto, sport, dport, ...(oif ? { oif } : {}), ...(uid !== null ? { uid } : {}) };
  const outcome = iif
    ? ctx.kernel.inputDecision({ ...query, iif, src: from }, ctx.now)
    : ctx.kernel.outputDecision(query, ctx.now);
  if (!outcome.ok) {
    // inet_rtm_getroute turns any input-route failure (martian, rp_filter) into EINVAL.
    ctx.err(rtnetlinkErrorText({ errno: iif ? 'EINVAL' : outcome.errno }));
    return 2;
  }
  if (outcome.decision.error) {
    ctx.err(rtnetlinkErrorText({ errno: outcome.decision.error }));
    return 2;
  }
  if (fibmatch) {
    const fib = outcome.decision.fib;
    if (!fib) {
      ctx.err(rtnetlinkErrorText({ errno: 'ENETUNREACH' }));
      return 2;
    }
    // The kernel dumps the matched entry with the table the lookup went through (main while merged).
    const entry = formatFibRoute(ctx.kernel, { ...fib.route, table: outcome.decision.table }, { details: ctx.details, tableFilter: 0 });
    ctx.out(ctx.json ? formatJson([entry.json], ctx.pretty) : entry.text);
    return 0;
  }
  const formatted = formatRouteGet(ctx.kernel, outcome.decision, {
    details: ctx.details,
    from,
    mark,
    uid: iif ? uid : uid ?? 0,
    tos,
    now: ctx.now,
  });
  ctx.out(ctx.json ? formatJson([formatted.json], ctx.pretty) : formatted.text);
  return 0;
}
