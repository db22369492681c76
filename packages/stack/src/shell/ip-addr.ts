/**
 * `ip address` (iproute2 6.1 ip/ipaddress.c) for both families: add/change/replace/del with local,
 * brd (address, +, -), scope, label, metric, noprefixroute and, for IPv6, home, nodad, mngtmpaddr,
 * valid_lft/preferred_lft; show/list and flush with dev, label, scope, to, the flag selectors
 * (permanent, dynamic, [-]tentative, [-]deprecated, [-]dadfailed, temporary, home, nodad,
 * mngtmpaddr, noprefixroute, primary, secondary) and up; `-4`, `-6`, `-j`, `-p`, `-br`.
 * IPv6 lines as print_addrinfo prints them: flags in ifa_flag_data order, lifetimes counting down,
 * and under -6 without a device the short link line of the kernel's AF_INET6 link dump
 * (inet6_fill_ifinfo: no qdisc, no group). Errors and exit statuses are iproute2's.
 */
import { broadcastOf, formatIpv4, isInPrefix, networkOf, formatIpv6Number, isInIpv6Prefix } from '@netloom/wire';
import { INFINITY_LIFE_TIME, type AddressSpec, type IfAddress, type Inet6AddressSpec, type Inet6AddressState } from '../kernel.js';
import { rtnetlinkErrorText, type KernelResult } from '../fib/errors.js';
import { RT_SCOPE_HOST } from '../fib/types.js';
import type { DeviceView } from '../routing-api.js';
import type { JsonValue } from './json-writer.js';
import { formatJson } from './json-writer.js';
import { Args, duparg, duparg2, getAddr, getPrefix, getPrefixAny, invarg, IpExit, matches, parseScope, parseUnsigned, prefix6Network, scopeName, type AnyPrefix } from './ip-util.js';
import type { IpContext } from './ip-context.js';
import { briefLink, linkFlags, linkHeader, linkStats, operState } from './link-format.js';

/** IFA_F_* bits (include/uapi/linux/if_addr.h). */
const IFA_F_SECONDARY = 0x01;
const IFA_F_NODAD = 0x02;
const IFA_F_OPTIMISTIC = 0x04;
const IFA_F_DADFAILED = 0x08;
const IFA_F_HOMEADDRESS = 0x10;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;
const IFA_F_PERMANENT = 0x80;
const IFA_F_MANAGETEMPADDR = 0x100;
const IFA_F_NOPREFIXROUTE = 0x200;
const IFA_F_MCAUTOJOIN = 0x400;

/** ifa_flag_data: names in print order; `permanent` prints inverted as `dynamic`, SECONDARY on IPv6 as `temporary`. */
const IFA_FLAG_NAMES: readonly [string, number][] = [
  ['secondary', IFA_F_SECONDARY],
  ['nodad', IFA_F_NODAD],
  ['optimistic', IFA_F_OPTIMISTIC],
  ['dadfailed', IFA_F_DADFAILED],
  ['home', IFA_F_HOMEADDRESS],
  ['deprecated', IFA_F_DEPRECATED],
  ['tentative', IFA_F_TENTATIVE],
  ['permanent', IFA_F_PERMANENT],
  ['mngtmpaddr', IFA_F_MANAGETEMPADDR],
  ['noprefixroute', IFA_F_NOPREFIXROUTE],
  ['autojoin', IFA_F_MCAUTOJOIN],
];

/** Flag words of `ip addr show` (ipaddr_list_flush_or_save): [flags to set, mask]. */
const FLAG_SELECTORS: ReadonlyMap<string, [number, number]> = new Map([
  ['secondary', [IFA_F_SECONDARY, IFA_F_SECONDARY]],
  ['temporary', [IFA_F_SECONDARY, IFA_F_SECONDARY]],
  ['primary', [0, IFA_F_SECONDARY]],
  ['tentative', [IFA_F_TENTATIVE, IFA_F_TENTATIVE]],
  ['deprecated', [IFA_F_DEPRECATED, IFA_F_DEPRECATED]],
  ['home', [IFA_F_HOMEADDRESS, IFA_F_HOMEADDRESS]],
  ['nodad', [IFA_F_NODAD, IFA_F_NODAD]],
  ['mngtmpaddr', [IFA_F_MANAGETEMPADDR, IFA_F_MANAGETEMPADDR]],
  ['noprefixroute', [IFA_F_NOPREFIXROUTE, IFA_F_NOPREFIXROUTE]],
  ['autojoin', [IFA_F_MCAUTOJOIN, IFA_F_MCAUTOJOIN]],
  ['dadfailed', [IFA_F_DADFAILED, IFA_F_DADFAILED]],
  ['permanent', [IFA_F_PERMANENT, IFA_F_PERMANENT]],
  ['dynamic', [0, IFA_F_PERMANENT]],
]);

/** A flag word, or any of them after `-` for its opposite (get_filter: `-temporary`, `-home`, `-primary`, …). */
function flagSelector(word: string): [number, number] | undefined {
  const selector = FLAG_SELECTORS.get(word);
  if (selector !== undefined || !word.startsWith('-')) return selector;
  const opposite = FLAG_SELECTORS.get(word.slice(1));
  return opposite === undefined ? undefined : [opposite[0] ^ opposite[1], opposite[1]];
}

/** The IFA_F_* flags the kernel reports for an IPv4 address (always permanent). */
function inetFlags(a: IfAddress): number {
  return IFA_F_PERMANENT | (a.secondary ? IFA_F_SECONDARY : 0) | (a.noprefixroute ? IFA_F_NOPREFIXROUTE : 0);
}

/** The IFA_F_* flags the kernel reports for an IPv6 address (inet6_fill_ifaddr's ifa_flags). */
function inet6Flags(s: Inet6AddressState): number {
  const a = s.address;
  return (
    (a.temporary ? IFA_F_SECONDARY : 0) |
    (a.nodad ? IFA_F_NODAD : 0) |
    (a.dadfailed ? IFA_F_DADFAILED : 0) |
    (a.home ? IFA_F_HOMEADDRESS : 0) |
    (s.deprecated ? IFA_F_DEPRECATED : 0) |
    (s.tentative ? IFA_F_TENTATIVE : 0) |
    (a.permanent ? IFA_F_PERMANENT : 0) |
    (a.mngtmpaddr ? IFA_F_MANAGETEMPADDR : 0) |
    (a.noprefixroute ? IFA_F_NOPREFIXROUTE : 0)
  );
}

/** set_lifetime: `forever` or a u32. */
function parseLifetime(value: string, what: string): number {
  if (value === 'forever') return INFINITY_LIFE_TIME;
  const n = parseUnsigned(value);
  if (n === null) invarg(`${what} value`, value);
  return n;
}

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

/**
 * inet6_rtm_newaddr / inet6_rtm_deladdr. Unlike IPv4, `change` of a missing address adds it (the
 * kernel does not ask for NLM_F_CREATE: "userspace already relies on not having to provide this").
 */
function modifyAddress6(ctx: IpContext, dev: string, spec: Inet6AddressSpec, mode: 'add' | 'change' | 'replace' | 'del'): number {
  let result: KernelResult;
  if (mode === 'del') result = ctx.kernel.deleteAddress6(dev, spec.address, spec.prefixLength, ctx.now);
  else {
    const existing = ctx.kernel.addresses6Of(dev, ctx.now).some((s) => s.address.address === spec.address);
    if (existing && mode !== 'add') result = ctx.kernel.modifyAddress6(dev, spec, ctx.now);
    else result = ctx.kernel.addAddress6(dev, spec, ctx.now);
  }
  if (!result.ok) {
    ctx.err(rtnetlinkErrorText(result));
    return 2;
  }
  return 0;
}

function modifyAddress(ctx: IpContext, argv: string[], mode: 'add' | 'change' | 'replace' | 'del'): number {
  const args = new Args(argv);
  let dev = '';
  let label: string | undefined;
  let local: AnyPrefix | null = null;
  let localArg = '';
  let brd: number | '+' | '-' | null = null;
  let scope: number | null = null;
  let metric = 0;
  let noprefixroute = false;
  const confFlags = { home: false, nodad: false, mngtmpaddr: false };
  let validLft: number | null = null;
  let preferredLft: number | null = null;
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
    } else if (matches(a, 'valid_lft')) {
      const value = args.next();
      if (validLft !== null) duparg('valid_lft', value);
      validLft = parseLifetime(value, 'valid_lft');
    } else if (matches(a, 'preferred_lft')) {
      const value = args.next();
      if (preferredLft !== null) duparg('preferred_lft', value);
      preferredLft = parseLifetime(value, 'preferred_lft');
    } else if (a === 'proto') {
      args.next();
    } else if (a === 'noprefixroute') {
      noprefixroute = true;
    } else if (a === 'home' || a === 'nodad' || a === 'mngtmpaddr') {
      confFlags[a] = true;
    } else if (a === 'optimistic' || a === 'autojoin') {
      // Optimistic DAD and multicast autojoin are not modelled; accepted as the kernel accepts them.
    } else {
      let word = a;
      if (word === 'local') word = args.next();
      if (matches(word, 'help')) throw new IpExit(255, ADDR_USAGE);
      if (local) duparg2('local', word);
      localArg = word;
      local = getPrefixAny(word, ctx.family);
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
  if (validLft !== null || preferredLft !== null) {
    // ipaddr_modify: both default to forever.
    if ((validLft ?? INFINITY_LIFE_TIME) === 0) throw new IpExit(1, 'valid_lft is zero');
    if ((validLft ?? INFINITY_LIFE_TIME) < (preferredLft ?? INFINITY_LIFE_TIME)) throw new IpExit(1, 'preferred_lft is greater than valid_lft');
  }
  if (local.family === 6) {
    const spec: Inet6AddressSpec = { address: local.address, prefixLength: local.prefixLength, noprefixroute, metric, ...confFlags };
    if (validLft !== null) spec.validLft = validLft;
    if (preferredLft !== null) spec.preferredLft = preferredLft;
    return modifyAddress6(ctx, dev, spec, mode);
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
  to: AnyPrefix | null;
  up: boolean;
  /** IFA_F_* selectors: an address passes when (its flags ^ flags) & flagmask is 0. */
  flags: number;
  flagmask: number;
}

/** fnmatch(3) with `*`, `?` (labels). */
function fnmatch(pattern: string, text: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(text);
}

function flagsSelected(flags: number, filter: AddressFilter): boolean {
  return ((flags ^ filter.flags) & filter.flagmask) === 0;
}

function addressSelected(ifa: IfAddress, filter: AddressFilter): boolean {
  if (filter.label !== null && !fnmatch(filter.label, ifa.label)) return false;
  if (filter.scope !== null && ifa.scope !== filter.scope) return false;
  if (filter.to && (filter.to.family !== 4 || !isInPrefix(ifa.address, filter.to.address, filter.to.prefixLength))) return false;
  return flagsSelected(inetFlags(ifa), filter);
}

/** An IPv6 address has no label: a label selector drops it. */
function address6Selected(s: Inet6AddressState, filter: AddressFilter): boolean {
  if (filter.label !== null) return false;
  if (filter.scope !== null && s.address.scope !== filter.scope) return false;
  if (filter.to && (filter.to.family !== 6 || !isInIpv6Prefix(s.address.address, prefix6Network(filter.to), filter.to.prefixLength))) return false;
  return flagsSelected(inet6Flags(s), filter);
}

function listAddresses(ctx: IpContext, argv: string[], flush: boolean): number {
  const filter: AddressFilter = { dev: '', label: null, scope: null, to: null, up: false, flags: 0, flagmask: 0 };
  const args = new Args(argv);
  while (!args.done) {
    const a = args.current;
    const selector = flagSelector(a);
    if (a === 'to') filter.to = getPrefixAny(args.next(), ctx.family);
    else if (a === 'scope') {
      const value = args.next();
      const s = value === 'all' ? null : parseScope(value);
      if (s === null && value !== 'all') invarg('invalid "scope"\n', value);
      filter.scope = s;
    } else if (a === 'up') filter.up = true;
    else if (a === 'label') filter.label = args.next();
    else if (selector) {
      filter.flags = (filter.flags & ~selector[1]) | selector[0];
      filter.flagmask |= selector[1];
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
  const wantInet = ctx.family === 0 || ctx.family === 4;
  const wantInet6 = ctx.family === 0 || ctx.family === 6;
  if (flush) {
    if (!filter.dev && argv.length === 0) {
      ctx.err('Flush requires arguments.');
      return 255;
    }
    for (const d of devices) {
      if (wantInet) ctx.kernel.flushAddresses(d.name, (ifa) => addressSelected(ifa, filter));
      if (wantInet6) ctx.kernel.flushAddresses6(d.name, (s) => address6Selected(s, filter), ctx.now);
    }
    return 0;
  }
  const filtered = filter.label !== null || filter.scope !== null || filter.to !== null || filter.flagmask !== 0;
  let text = '';
  const items: JsonValue[] = [];
  for (const dev of devices) {
    // -0 (link) lists every device with its link line and no address; -M and -B list nothing.
    const linkOnly = ctx.family === 'link';
    const v4 = wantInet ? ctx.kernel.addressesOf(dev.name).filter((a) => addressSelected(a, filter)) : [];
    const v6 = wantInet6 ? ctx.kernel.addresses6Of(dev.name, ctx.now).filter((s) => address6Selected(s, filter)) : [];
    if (!linkOnly && (ctx.family !== 0 || filtered) && v4.length === 0 && v6.length === 0) continue;
    if (ctx.brief && linkOnly) {
      const brief = briefLink(dev);
      text += brief.text;
      items.push(brief.json);
      continue;
    }
    if (ctx.brief) {
      const list = [...v4.map((a) => `${formatIpv4(a.address)}/${a.prefixLength}${a.metric ? ` metric ${a.metric}` : ''}`), ...v6.map((s) => `${formatIpv6Number(s.address.address)}/${s.address.prefixLength}${s.address.metric !== 256 ? ` metric ${s.address.metric}` : ''}`)];
      text += `${dev.name.padEnd(16)} ${operState(dev).padEnd(14)} ${list.map((x) => `${x} `).join('')}\n`;
      items.push({ ifname: dev.name, operstate: operState(dev), addr_info: [...v4.map((a) => ({ local: formatIpv4(a.address), prefixlen: a.prefixLength })), ...v6.map((s) => ({ local: formatIpv6Number(s.address.address), prefixlen: s.address.prefixLength }))] });
      continue;
    }
    // Under -6 without a device, iproute2 reads the links from the kernel's AF_INET6 link dump.
    const inet6LinkDump = ctx.family === 6 && !filter.dev;
    const header = inet6LinkDump ? inet6LinkHeader(dev) : linkHeader(dev, false, ctx.kernel.qdisc(dev.name), ctx.details);
    if (filter.label === null) text += ctx.family === 0 || linkOnly ? header.text : header.text.slice(0, header.text.indexOf('\n') + 1);
    const infos: JsonValue[] = [];
    for (const a of v4) {
      const formatted = formatInet(a);
      text += formatted.text;
      infos.push(formatted.json);
    }
    for (const s of v6) {
      const formatted = formatInet6(s);
      text += formatted.text;
      infos.push(formatted.json);
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

/** The link line of the kernel's AF_INET6 link dump (inet6_fill_ifinfo: name, flags, mtu, operstate, txqlen). */
function inet6LinkHeader(dev: DeviceView): { text: string; json: { [key: string]: JsonValue } } {
  const flags = linkFlags(dev);
  return {
    text: `${dev.ifindex}: ${dev.name}: <${flags.join(',')}> mtu ${dev.mtu} state ${operState(dev)} qlen 1000\n`,
    json: { ifindex: dev.ifindex, ifname: dev.name, flags, mtu: dev.mtu, operstate: operState(dev), txqlen: 1000 },
  };
}

/** print_ifa_flags: text words and JSON booleans in ifa_flag_data order. */
function formatIfaFlags(flags: number, inet6: boolean, json: { [key: string]: JsonValue }): string {
  let text = '';
  for (const [name, mask] of IFA_FLAG_NAMES) {
    if (mask === IFA_F_PERMANENT) {
      if (!(flags & mask)) {
        text += 'dynamic ';
        json['dynamic'] = true;
      }
      continue;
    }
    if (!(flags & mask)) continue;
    const shown = mask === IFA_F_SECONDARY && inet6 ? 'temporary' : name;
    text += `${shown} `;
    json[shown] = true;
  }
  return text;
}

function lifetimeText(seconds: number): string {
  return seconds === INFINITY_LIFE_TIME ? 'forever' : `${seconds}sec`;
}

function formatInet6(s: Inet6AddressState): { text: string; json: { [key: string]: JsonValue } } {
  const a = s.address;
  const local = formatIpv6Number(a.address);
  let text = `    inet6 ${local}/${a.prefixLength} `;
  const json: { [key: string]: JsonValue } = { family: 'inet6', local, prefixlen: a.prefixLength };
  if (a.metric !== 256) {
    text += `metric ${a.metric} `;
    json['metric'] = a.metric;
  }
  text += `scope ${scopeName(a.scope)} `;
  json['scope'] = scopeName(a.scope);
  text += formatIfaFlags(inet6Flags(s), true, json);
  text += `\n       valid_lft ${lifetimeText(s.validLeft)} preferred_lft ${lifetimeText(s.preferredLeft)}\n`;
  json['valid_life_time'] = s.validLeft;
  json['preferred_life_time'] = s.preferredLeft;
  return { text, json };
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
