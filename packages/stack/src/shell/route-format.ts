/**
 * Routes as iproute2 6.1 prints them (ip/iproute.c print_route, print_rt_flags, print_rta_multipath,
 * print_cache_flags, print_rta_cacheinfo, print_rta_metrics): text lines with their trailing spaces,
 * and the same fields as JSON objects for `-j`.
 */
import { formatIpv4 } from '@netloom/wire';
import type { Kernel, RouteDecision } from '../kernel.js';
import type { FibNexthop, FibRoute, NexthopException } from '../fib/types.js';
import { RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE } from '../fib/types.js';
import type { JsonValue } from './json-writer.js';
import { dsfieldName, protocolName, scopeName } from './ip-util.js';

/** A printed route: text (one or more lines, newline-terminated) and its JSON object. */
export interface FormattedRoute {
  text: string;
  json: { [key: string]: JsonValue };
}

export interface RouteFormatOptions {
  details: boolean;
  /** The table filter of the dump (0 = all tables: the table is printed when not main). */
  tableFilter: number;
  /** Fields a selector fixed, which iproute2 then leaves out (dev, via, src, proto, scope). */
  omit?: { dev?: boolean; via?: boolean; src?: boolean; protocol?: boolean; scope?: boolean };
}

function dstText(dst: number, prefixLength: number): string {
  if (prefixLength === 0 && dst === 0) return 'default';
  return prefixLength === 32 ? formatIpv4(dst) : `${formatIpv4(dst)}/${prefixLength}`;
}

/** RTNH_F_* flags of a nexthop as the kernel dumps them. */
function nexthopFlags(kernel: Kernel, nh: FibNexthop): string[] {
  const flags: string[] = [];
  const ignored = nh.linkdown && kernel.conf(nh.dev, 'ignore_routes_with_linkdown') !== 0;
  if (nh.dead || ignored) flags.push('dead');
  if (nh.onlink) flags.push('onlink');
  if (nh.linkdown) flags.push('linkdown');
  return flags;
}

function routeFlags(kernel: Kernel, route: FibRoute): string[] {
  if (route.nexthops.length === 1) return nexthopFlags(kernel, route.nexthops[0]!);
  const flags: string[] = [];
  if (route.dead) flags.push('dead');
  if (route.nexthops.length > 0 && route.nexthops.every((nh) => nh.linkdown)) flags.push('linkdown');
  return flags;
}

/** One FIB entry (ip route show). */
export function formatFibRoute(kernel: Kernel, route: FibRoute, options: RouteFormatOptions): FormattedRoute {
  let text = '';
  const json: { [key: string]: JsonValue } = {};
  if (route.type !== 'unicast' || options.details) {
    text += `${route.type} `;
    json['type'] = route.type;
  }
  const dst = dstText(route.dst, route.prefixLength);
  text += `${dst} `;
  json['dst'] = dst;
  if (route.tos) {
    text += `tos ${dsfieldName(route.tos)} `;
    json['tos'] = dsfieldName(route.tos);
  }
  const omit = options.omit ?? {};
  const single = route.nexthops.length === 1 ? route.nexthops[0]! : null;
  if (single) {
    if (single.gateway && !omit.via) {
      text += `via ${formatIpv4(single.gateway)} `;
      json['gateway'] = formatIpv4(single.gateway);
    }
    if (single.dev && !omit.dev) {
      text += `dev ${single.dev} `;
      json['dev'] = single.dev;
    }
  }
  if (!options.tableFilter && (route.table !== RT_TABLE_MAIN || options.details)) {
    text += `table ${kernel.tableName(route.table)} `;
    json['table'] = kernel.tableName(route.table);
  }
  if ((route.protocol !== RTPROT_BOOT || options.details) && !omit.protocol) {
    text += `proto ${protocolName(route.protocol)} `;
    json['protocol'] = protocolName(route.protocol);
  }
  if ((route.scope !== RT_SCOPE_UNIVERSE || options.details) && !omit.scope) {
    text += `scope ${scopeName(route.scope)} `;
    json['scope'] = scopeName(route.scope);
  }
  if (route.prefsrc && !omit.src) {
    text += `src ${formatIpv4(route.prefsrc)} `;
    json['prefsrc'] = formatIpv4(route.prefsrc);
  }
  if (route.priority) {
    text += `metric ${route.priority} `;
    json['metric'] = route.priority;
  }
  const flags = routeFlags(kernel, route);
  for (const f of flags) text += `${f} `;
  json['flags'] = flags;
  if (route.mtu) {
    text += route.mtuLock ? `mtu lock ${route.mtu} ` : `mtu ${route.mtu} `;
    json['metrics'] = [{ mtu: route.mtu }];
  }
  if (route.nexthops.length > 1) {
    const nexthops: JsonValue[] = [];
    for (const nh of route.nexthops) {
      const nhJson: { [key: string]: JsonValue } = {};
      text += '\n\tnexthop ';
      if (nh.gateway) {
        text += `via ${formatIpv4(nh.gateway)} `;
        nhJson['gateway'] = formatIpv4(nh.gateway);
      }
      text += `dev ${nh.dev} weight ${nh.weight} `;
      nhJson['dev'] = nh.dev;
      nhJson['weight'] = nh.weight;
      const nhFlags = nexthopFlags(kernel, nh);
      for (const f of nhFlags) text += `${f} `;
      nhJson['flags'] = nhFlags;
      nexthops.push(nhJson);
    }
    json['nexthops'] = nexthops;
  }
  return { text: text + '\n', json };
}

export interface GetFormatOptions {
  details: boolean;
  /** The `from` address given (printed as `from`, and src is omitted when equal). */
  from: number;
  mark: number;
  uid: number | null;
  tos: number;
  now: number;
}

const CACHE_FLAG_ORDER: readonly [keyof RouteDecision['flags'] | 'none', string][] = [
  ['local', 'local'],
  ['multicast', 'mc'],
  ['broadcast', 'brd'],
  ['redirected', 'redirected'],
  ['doRedirect', 'redirect'],
];

/** An `ip route get` answer (a cloned route, rt_fill_info). */
export function formatRouteGet(kernel: Kernel, decision: RouteDecision, options: GetFormatOptions): FormattedRoute {
  let text = '';
  const json: { [key: string]: JsonValue } = {};
  if (decision.type !== 'unicast' || options.details) {
    text += `${decision.type} `;
    json['type'] = decision.type;
  }
  text += `${formatIpv4(decision.dst)} `;
  json['dst'] = formatIpv4(decision.dst);
  if (options.from) {
    text += `from ${formatIpv4(options.from)} `;
    json['from'] = formatIpv4(options.from);
  }
  if (decision.tos) {
    text += `tos ${dsfieldName(decision.tos)} `;
    json['tos'] = dsfieldName(decision.tos);
  }
  if (decision.gateway) {
    text += `via ${formatIpv4(decision.gateway)} `;
    json['gateway'] = formatIpv4(decision.gateway);
  }
  text += `dev ${decision.dev} `;
  json['dev'] = decision.dev;
  const table = decision.table;
  if (table && (table !== RT_TABLE_MAIN || options.details)) {
    text += `table ${kernel.tableName(table)} `;
    json['table'] = kernel.tableName(table);
  }
  if (!decision.input && decision.src !== options.from) {
    text += `src ${formatIpv4(decision.src)} `;
    json['prefsrc'] = formatIpv4(decision.src);
  }
  // rt_fill_info copies rt_flags' high bits into rtm_flags: RTCF_MULTICAST (0x20000000) is the bit
  // iproute2 6.1 prints as RTM_F_OFFLOAD_FAILED.
  const rtFlags = decision.flags.multicast ? ['rt_offload_failed'] : [];
  for (const flag of rtFlags) text += `${flag} `;
  json['flags'] = rtFlags;
  if (options.mark) {
    text += options.mark >= 16 ? `mark 0x${options.mark.toString(16)} ` : `mark ${options.mark} `;
    json['mark'] = options.mark;
  }
  if (options.uid !== null) {
    text += `uid ${options.uid} `;
    json['uid'] = options.uid;
  }
  const cache: string[] = [];
  for (const [flag, name] of CACHE_FLAG_ORDER) if (flag !== 'none' && decision.flags[flag]) cache.push(name);
  text += '\n    cache ';
  if (cache.length) text += `<${cache.join(',')}> `;
  json['cache'] = cache;
  if (decision.expiresAt) {
    const expires = Math.max(0, Math.floor((decision.expiresAt - options.now) / 1e9));
    text += `expires ${expires}sec `;
    json['expires'] = expires;
  }
  const mtu = decision.pmtu || decision.mtuMetric;
  if (mtu) {
    text += decision.mtuLock ? `mtu lock ${mtu} ` : `mtu ${mtu} `;
    json['metrics'] = [{ mtu }];
  }
  if (decision.input) {
    text += `iif ${decision.iif} `;
    json['iif'] = decision.iif;
  }
  return { text: text + '\n', json };
}

/** A nexthop exception as `ip route show cache` prints it. */
export function formatException(_route: FibRoute, nexthop: FibNexthop, exception: NexthopException, now: number): FormattedRoute {
  let text = `${formatIpv4(exception.dst)} `;
  const json: { [key: string]: JsonValue } = { dst: formatIpv4(exception.dst) };
  const gateway = exception.gateway || (nexthop.gateway && nexthop.scope === 253 ? nexthop.gateway : 0);
  if (gateway) {
    text += `via ${formatIpv4(gateway)} `;
    json['gateway'] = formatIpv4(gateway);
  }
  text += `dev ${nexthop.dev} `;
  json['dev'] = nexthop.dev;
  json['flags'] = [];
  text += '\n    cache ';
  const cache = exception.gateway ? ['redirected'] : [];
  if (cache.length) text += `<${cache.join(',')}> `;
  json['cache'] = cache;
  const expiresAt = exception.gateway ? exception.redirectExpiresAt : exception.pmtuExpiresAt;
  const expires = Math.max(0, Math.floor((expiresAt - now) / 1e9));
  text += `expires ${expires}sec `;
  json['expires'] = expires;
  if (exception.pmtu) {
    text += `mtu ${exception.pmtu} `;
    json['metrics'] = [{ mtu: exception.pmtu }];
  }
  return { text: text + '\n', json };
}
