/**
 * `ip address` (iproute2 6.1 ip/ipaddress.c): add/change/replace/del with local, brd (address, +, -),
 * scope, label, metric, noprefixroute; show/list and flush with dev, label, scope, to, primary,
 * secondary and up selectors; `-4`, `-6`, `-j`, `-p`, `-br`. IPv6 addresses are shown (::1 and the
 * link-local) but cannot be configured. Errors and exit statuses are iproute2's.
 */
import type { AddressSpec, IfAddress } from '../kernel.js';
import { rtnetlinkErrorText } from '../fib/errors.js';
import { broadcastOf, formatIpv4, inPrefix, networkOf } from '../fib/ipv4.js';
import { RT_SCOPE_HOST } from '../fib/types.js';
import type { DeviceView } from '../routing-api.js';
import type { JsonValue } from './json-writer.js';
import { formatJson } from './json-writer.js';
import { Args, duparg, duparg2, getAddr, getPrefix, invarg, IpExit, matches, parseScope, parseUnsigned, scopeName } from './ip-util.js';
import type { IpContext } from './ip-context.js';
import { briefLink, linkHeader, linkStats, operState } from './link-format.js';

const ADDR_USAGE = `Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       ip address del IFADDR dev IFNAME [mngtmpaddr]
       ip address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
       ip address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] [ vrf NAME ]
                         [ proto ADDRPROTO ] ]
       ip address {showdump|restore}
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
          [ proto ADDRPROTO ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS
TYPE := { bareudp | bond | bond_slave | bridge | bridge_slave |
          dummy | erspan | geneve | gre | gretap | ifb |
          ip6erspan | ip6gre | ip6gretap | ip6tnl |
          ipip | ipoib | ipvlan | ipvtap |
          macsec | macvlan | macvtap |
          netdevsim | nlmon | rmnet | sit | team | team_slave |
          vcan | veth | vlan | vrf | vti | vxcan | vxlan | wwan |
          xfrm }
ADDRPROTO := [ NAME | NUMBER ]`;

export function ipAddress(ctx: IpContext, argv: string[]): number {
  if (argv.length === 0) return listAddresses(ctx, [], false);
  const cmd = argv[0]!;
  const rest = argv.slice(1);
  if (matches(cmd, 'add')) return modifyAddress(ctx, rest, 'add');
  if (matches(cmd, 'change') || cmd === 'chg') return modifyAddress(ctx, rest, 'change');
  if (matches(cmd, 'replace')) return modifyAddress(ctx, rest, 'replace');
  if (matches(cmd, 'delete')) return modifyAddress(ctx, rest, 'del');
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return listAddresses(ctx, rest, false);
  if (matches(cmd, 'flush')) return listAddresses(ctx, rest, true);
  if (matches(cmd, 'help')) throw new IpExit(255, ADDR_USAGE);
  throw new IpExit(255, `Command "${cmd}" is unknown, try "ip address help".`);
}

function modifyAddress(ctx: IpContext, argv: string[], mode: 'add' | 'change' | 'replace' | 'del'): number {
  const args = new Args(argv);
  let dev = '';
  let label: string | undefined;
  let local: { address: number; prefixLength: number; lengthGiven: boolean } | null = null;
  let localArg = '';
  let brd: number | '+' | '-' | null = null;
  let scope: number | null = null;
  let metric = 0;
  let noprefixroute = false;
  while (!args.done) {
    const a = args.current;
    if (a === 'peer' || a === 'remote') {
      getPrefix(args.next(), ctx.family);
    } else if (matches(a, 'broadcast') || a === 'brd') {
      const value = args.next();
      if (brd !== null) duparg('broadcast', value);
      brd = value === '+' ? '+' : value === '-' ? '-' : getAddr(value, ctx.family);
    } else if (a === 'anycast') {
      getAddr(args.next(), ctx.family);
    } else if (a === 'scope') {
      const value = args.next();
      const s = parseScope(value);
      if (s === null) invarg('invalid scope value.', value);
      scope = s;
    } else if (a === 'dev') {
      dev = args.next();
    } else if (a === 'label') {
      label = args.next();
    } else if (matches(a, 'metric') || matches(a, 'priority') || matches(a, 'preference')) {
      const value = args.next();
      const m = parseUnsigned(value);
      if (m === null) invarg('"metric" value is invalid\n', value);
      metric = m;
    } else if (matches(a, 'valid_lft') || matches(a, 'preferred_lft') || a === 'proto') {
      args.next();
    } else if (a === 'noprefixroute') {
      noprefixroute = true;
    } else if (['home', 'nodad', 'optimistic', 'mngtmpaddr', 'autojoin'].includes(a)) {
      // IPv6-only flags; accepted.
    } else {
      let word = a;
      if (word === 'local') word = args.next();
      if (matches(word, 'help')) throw new IpExit(255, ADDR_USAGE);
      if (local) duparg2('local', word);
      localArg = word;
      local = getPrefix(word, ctx.family);
    }
    args.advance();
  }
  if (!dev) {
    ctx.err('Not enough information: "dev" argument is required.');
    return 1;
  }
  if (label !== undefined && !label.startsWith(dev)) {
    throw new IpExit(1, `"dev" (${dev}) must match "label" (${label}).`);
  }
  if (!ctx.kernel.device(dev)) throw new IpExit(1, `Cannot find device "${dev}"`);
  if (!local) {
    ctx.err(rtnetlinkErrorText({ errno: 'EINVAL' }));
    return 2;
  }
  if (mode === 'del') {
    let prefixLength: number | undefined = local.prefixLength;
    if (!local.lengthGiven) {
      ctx.err(
        `Warning: Executing wildcard deletion to stay compatible with old scripts.\n` +
          `         Explicitly specify the prefix length (${localArg}/32) to avoid this warning.\n` +
          `         This special behaviour is likely to disappear in further releases,\n` +
          `         fix your scripts!`,
      );
      prefixLength = undefined;
    }
    const result = ctx.kernel.deleteAddress(dev, local.address, prefixLength, label);
    if (!result.ok) {
      ctx.err(rtnetlinkErrorText(result));
      return 2;
    }
    return 0;
  }
  const spec: AddressSpec = { address: local.address, prefixLength: local.prefixLength, noprefixroute, metric };
  if (label !== undefined) spec.label = label;
  if (brd === '+' || brd === '-') {
    if (local.prefixLength <= 30) spec.broadcast = brd === '+' ? broadcastOf(local.address, local.prefixLength) : networkOf(local.address, local.prefixLength);
  } else if (brd !== null) spec.broadcast = brd;
  spec.scope = scope ?? ((local.address >>> 24) === 127 ? RT_SCOPE_HOST : 0);
  const existing = ctx.kernel.addressesOf(dev).find((a) => a.address === local!.address && a.prefixLength === local!.prefixLength);
  if (existing && mode !== 'add') return 0;
  if (!existing && mode === 'change') {
    ctx.err(rtnetlinkErrorText({ errno: 'ENOENT' }));
    return 2;
  }
  const result = ctx.kernel.addAddress(dev, spec);
  if (!result.ok) {
    ctx.err(rtnetlinkErrorText(result));
    return 2;
  }
  return 0;
}

interface AddressFilter {
  dev: string;
  label: string | null;
  scope: number | null;
  to: { address: number; prefixLength: number } | null;
  up: boolean;
  primary: boolean | null;
}

/** fnmatch(3) with `*`, `?` (labels). */
function fnmatch(pattern: string, text: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(text);
}

function addressSelected(ifa: IfAddress, filter: AddressFilter): boolean {
  if (filter.label !== null && !fnmatch(filter.label, ifa.label)) return false;
  if (filter.scope !== null && ifa.scope !== filter.scope) return false;
  if (filter.to && !inPrefix(ifa.address, filter.to.address, filter.to.prefixLength)) return false;
  if (filter.primary !== null && ifa.secondary === filter.primary) return false;
  return true;
}

function listAddresses(ctx: IpContext, argv: string[], flush: boolean): number {
  const filter: AddressFilter = { dev: '', label: null, scope: null, to: null, up: false, primary: null };
  const args = new Args(argv);
  while (!args.done) {
    const a = args.current;
    if (a === 'to') filter.to = getPrefix(args.next(), ctx.family);
    else if (a === 'scope') {
      const value = args.next();
      const s = value === 'all' ? null : parseScope(value);
      if (s === null && value !== 'all') invarg('invalid "scope"\n', value);
      filter.scope = s;
    } else if (a === 'up') filter.up = true;
    else if (a === 'label') filter.label = args.next();
    else if (a === 'primary') filter.primary = true;
    else if (a === 'secondary') filter.primary = false;
    else if (['permanent', 'dynamic', 'tentative', 'deprecated', 'dadfailed', 'temporary', 'home', 'nodad', 'mngtmpaddr', 'noprefixroute', 'autojoin'].includes(a)) {
      // Every IPv4 address here is permanent and none has these flags.
    } else if (a === 'master' || a === 'vrf' || a === 'type' || a === 'proto') args.next();
    else {
      let word = a;
      if (word === 'dev') word = args.next();
      else if (matches(word, 'help')) throw new IpExit(255, ADDR_USAGE);
      if (filter.dev) duparg2('dev', word);
      filter.dev = word;
    }
    args.advance();
  }
  if (filter.dev && !ctx.kernel.device(filter.dev)) {
    ctx.err(`Device "${filter.dev}" does not exist.`);
    return 1;
  }
  let devices = ctx.kernel.devices();
  if (filter.dev) devices = devices.filter((d) => d.name === filter.dev);
  if (filter.up) devices = devices.filter((d) => d.adminUp);
  if (flush) {
    if (!filter.dev && argv.length === 0) {
      ctx.err('Flush requires arguments.');
      return 255;
    }
    for (const d of devices) ctx.kernel.flushAddresses(d.name, (ifa) => addressSelected(ifa, filter));
    return 0;
  }
  const filtered = filter.label !== null || filter.scope !== null || filter.to !== null || filter.primary !== null;
  let text = '';
  const items: JsonValue[] = [];
  for (const dev of devices) {
    // -0 (link) lists every device with its link line and no address; -M and -B list nothing.
    const linkOnly = ctx.family === 'link';
    const v4 = ctx.family === 0 || ctx.family === 4 ? ctx.kernel.addressesOf(dev.name).filter((a) => addressSelected(a, filter)) : [];
    const v6 = (ctx.family !== 0 && ctx.family !== 6) || filter.label !== null || filter.to !== null ? [] : ctx.kernel.ipv6AddressesOf(dev.name).filter((a) => filter.scope === null || scopeNumber(a.scope) === filter.scope);
    if (!linkOnly && (ctx.family !== 0 || filtered) && v4.length === 0 && v6.length === 0) continue;
    if (ctx.brief && linkOnly) {
      const brief = briefLink(dev);
      text += brief.text;
      items.push(brief.json);
      continue;
    }
    if (ctx.brief) {
      const list = [...v4.map((a) => `${formatIpv4(a.address)}/${a.prefixLength}${a.metric ? ` metric ${a.metric}` : ''}`), ...v6.map((a) => `${a.address}/${a.prefixLength}`)];
      text += `${dev.name.padEnd(16)} ${operState(dev).padEnd(14)} ${list.map((x) => `${x} `).join('')}\n`;
      items.push({ ifname: dev.name, operstate: operState(dev), addr_info: [...v4.map((a) => ({ local: formatIpv4(a.address), prefixlen: a.prefixLength })), ...v6.map((a) => ({ local: a.address, prefixlen: a.prefixLength }))] });
      continue;
    }
    const header = linkHeader(dev, false, ctx.kernel.qdisc(dev.name), ctx.details);
    if (filter.label === null) text += ctx.family === 0 || linkOnly ? header.text : header.text.slice(0, header.text.indexOf('\n') + 1);
    const infos: JsonValue[] = [];
    for (const a of v4) {
      const formatted = formatInet(a);
      text += formatted.text;
      infos.push(formatted.json);
    }
    for (const a of v6) {
      text += `    inet6 ${a.address}/${a.prefixLength} scope ${a.scope} \n       valid_lft forever preferred_lft forever\n`;
      infos.push({ family: 'inet6', local: a.address, prefixlen: a.prefixLength, scope: a.scope, valid_life_time: 4294967295, preferred_life_time: 4294967295 });
    }
    if (ctx.stats && filter.label === null) text += linkStats(ctx.kernel.deviceStats(dev.name)).text;
    const linkJson: { [key: string]: JsonValue } = { ...header.json };
    if (linkOnly) {
      items.push(linkJson);
      continue;
    }
    if (ctx.family !== 0) {
      delete linkJson['link_type'];
      delete linkJson['address'];
      delete linkJson['broadcast'];
    }
    items.push({ ...linkJson, addr_info: infos });
  }
  ctx.out(ctx.json ? formatJson(items, ctx.pretty) : text);
  return 0;
}

function scopeNumber(scope: 'host' | 'link' | 'global'): number {
  return scope === 'host' ? 254 : scope === 'link' ? 253 : 0;
}

function formatInet(a: IfAddress): { text: string; json: { [key: string]: JsonValue } } {
  let text = `    inet ${formatIpv4(a.address)}/${a.prefixLength} `;
  const json: { [key: string]: JsonValue } = { family: 'inet', local: formatIpv4(a.address), prefixlen: a.prefixLength };
  if (a.metric) {
    text += `metric ${a.metric} `;
    json['metric'] = a.metric;
  }
  if (a.broadcast) {
    text += `brd ${formatIpv4(a.broadcast)} `;
    json['broadcast'] = formatIpv4(a.broadcast);
  }
  text += `scope ${scopeName(a.scope)} `;
  json['scope'] = scopeName(a.scope);
  if (a.secondary) {
    text += 'secondary ';
    json['secondary'] = true;
  }
  if (a.noprefixroute) {
    text += 'noprefixroute ';
    json['noprefixroute'] = true;
  }
  text += `${a.label}\n       valid_lft forever preferred_lft forever\n`;
  json['label'] = a.label;
  json['valid_life_time'] = 4294967295;
  json['preferred_life_time'] = 4294967295;
  return { text, json };
}

export type { DeviceView };
