/**
 * `ip rule` and `ip -6 rule` (iproute2 6.1 ip/iprule.c): add/del/list/flush with not, from, to, tos,
 * fwmark[/mask], iif/dev, oif, uidrange, ipproto, sport, dport, priority, table/lookup,
 * suppress_prefixlength, goto, nop, blackhole, unreachable, prohibit; text and JSON output as
 * iproute2 prints them. Each family has its own rule list in the kernel (fib/rules.ts); without -6
 * the command works on IPv4's.
 */
import { formatIpv4, formatIpv6Number, type Ipv6Number } from '@netloom/wire';
import type { FibRule } from '../fib/types.js';
import { RT_TABLE_MAIN } from '../fib/types.js';
import { blankRule, blankRule6 } from '../fib/rules.js';
import type { RuleDeleteSpec } from '../fib/rules.js';
import { rtnetlinkErrorText, type KernelResult } from '../fib/errors.js';
import type { JsonValue } from './json-writer.js';
import { formatJson } from './json-writer.js';
import { Args, dsfieldName, getPrefix, getPrefixAny, invarg, ipProtocolName, IpExit, matches, parseDsfield, parseIpProtocol, parseProtocol, parseTable, parseUnsigned, protocolName } from './ip-util.js';
import type { IpContext } from './ip-context.js';

/** One family's rule list as `ip rule` sees it (rtnetlink's RTM_{NEW,DEL,GET}RULE for that family). */
interface RuleFamilyAccess<A> {
  rules(): readonly FibRule<A>[];
  add(rule: FibRule<A>, priorityGiven: boolean): KernelResult;
  delete(spec: RuleDeleteSpec<A>): KernelResult;
  flush(): void;
  blank(): FibRule<A>;
  /** get_prefix under the command's family; null for a prefix of the other family (the kernel refuses it). */
  prefix(arg: string): { address: A; prefixLength: number } | null;
  format(address: A): string;
  hostLength: number;
}

function ipv4Rules(ctx: IpContext): RuleFamilyAccess<number> {
  const k = ctx.kernel;
  return {
    rules: () => k.rules(),
    add: (rule, priorityGiven) => k.addRule(rule, priorityGiven),
    delete: (spec) => k.deleteRule(spec),
    flush: () => k.flushRules(),
    blank: blankRule,
    // Without -4/-6 iproute2 sends an IPv6 prefix in an AF_INET request; fib_nl2rule refuses its length.
    prefix: (arg) => {
      if (ctx.family !== 0) return getPrefix(arg, ctx.family);
      const prefix = getPrefixAny(arg, 0);
      return prefix.family === 4 ? prefix : null;
    },
    format: formatIpv4,
    hostLength: 32,
  };
}

function ipv6Rules(ctx: IpContext): RuleFamilyAccess<Ipv6Number> {
  const list = ctx.kernel.rules6;
  return {
    rules: () => list.rules,
    add: (rule, priorityGiven) => list.add(rule, priorityGiven),
    delete: (spec) => list.delete(spec),
    flush: () => list.flush(),
    blank: blankRule6,
    prefix: (arg) => getPrefixAny(arg, 6) as { address: Ipv6Number; prefixLength: number },
    format: formatIpv6Number,
    hostLength: 128,
  };
}

export function ipRule(ctx: IpContext, argv: string[]): number {
  return ctx.family === 6 ? ipRuleOf(ctx, argv, ipv6Rules(ctx)) : ipRuleOf(ctx, argv, ipv4Rules(ctx));
}

function ipRuleOf<A>(ctx: IpContext, argv: string[], family: RuleFamilyAccess<A>): number {
  if (argv.length === 0) return listRules(ctx, family);
  const cmd = argv[0]!;
  const rest = argv.slice(1);
  if (matches(cmd, 'add')) return modifyRule(ctx, rest, true, family);
  if (matches(cmd, 'delete')) return modifyRule(ctx, rest, false, family);
  if (matches(cmd, 'flush')) {
    family.flush();
    return 0;
  }
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return listRules(ctx, family);
  if (matches(cmd, 'help')) throw new IpExit(255, 'Usage: ip rule { add | del } SELECTOR ACTION\n       ip rule { flush | save | restore }\n       ip rule [ list [ SELECTOR ]]');
  throw new IpExit(255, `Command "${cmd}" is unknown, try "ip rule help".`);
}

function parsePortRange(arg: string): [number, number] | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(arg);
  if (!m) return null;
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  if (start > 65535 || end > 65535) return null;
  return [start, end];
}

function modifyRule<A>(ctx: IpContext, argv: string[], add: boolean, family: RuleFamilyAccess<A>): number {
  if (argv.length === 0) {
    ctx.err(`"ip rule ${add ? 'add' : 'del'}" requires arguments.`);
    return 1;
  }
  const rule: FibRule<A> = family.blank();
  const given = new Set<keyof FibRule<A>>();
  let priorityGiven = false;
  let tableGiven = false;
  /** fib_nl2rule's extack for an address of the wrong length (the source is checked first). */
  let refusal: string | null = null;
  const args = new Args(argv);
  while (!args.done) {
    const a = args.current;
    if (a === 'not') {
      rule.not = true;
      given.add('not');
    } else if (a === 'from' || a === 'to') {
      const prefix = family.prefix(args.next());
      if (prefix === null) refusal = a === 'from' ? 'Invalid source address' : refusal ?? 'Invalid dst address';
      else if (a === 'from') {
        rule.src = prefix.address;
        rule.srcLength = prefix.prefixLength;
        given.add('src').add('srcLength');
      } else {
        rule.dst = prefix.address;
        rule.dstLength = prefix.prefixLength;
        given.add('dst').add('dstLength');
      }
    } else if (matches(a, 'preference') || matches(a, 'order') || matches(a, 'priority')) {
      const value = args.next();
      const p = parseUnsigned(value);
      if (p === null) invarg('preference value is invalid\n', value);
      rule.priority = p;
      priorityGiven = true;
      if (p) given.add('priority');
    } else if (a === 'tos' || matches(a, 'dsfield')) {
      const value = args.next();
      const t = parseDsfield(value);
      if (t === null) invarg('TOS value is invalid\n', value);
      rule.tos = t;
      given.add('tos');
    } else if (a === 'fwmark') {
      const value = args.next();
      const [markText, maskText] = value.split('/', 2);
      const mark = parseUnsigned(markText ?? '');
      if (mark === null) invarg('fwmark value is invalid\n', markText ?? '');
      rule.fwmark = mark;
      rule.fwmask = 0xffffffff;
      if (maskText !== undefined) {
        const mask = parseUnsigned(maskText);
        if (mask === null) invarg('fwmask value is invalid\n', maskText);
        rule.fwmask = mask;
        rule.fwmaskGiven = true;
      }
      given.add('fwmark').add('fwmask');
    } else if (matches(a, 'realms')) {
      args.next();
    } else if (matches(a, 'protocol')) {
      const value = args.next();
      const p = parseProtocol(value);
      if (p === null) invarg('"protocol" value is invalid\n', value);
      rule.protocol = p;
      given.add('protocol');
    } else if (matches(a, 'table') || a === 'lookup') {
      const value = args.next();
      const t = parseTable(ctx.kernel, value);
      if (t === null) invarg('invalid table ID\n', value);
      rule.table = t;
      tableGiven = true;
      given.add('table');
    } else if (matches(a, 'suppress_prefixlength') || a === 'sup_pl') {
      const value = args.next();
      const pl = parseUnsigned(value);
      if (pl === null) invarg('suppress_prefixlength value is invalid\n', value);
      rule.suppressPrefixLength = pl;
      given.add('suppressPrefixLength');
    } else if (matches(a, 'suppress_ifgroup') || a === 'sup_group') {
      args.next();
    } else if (a === 'dev' || a === 'iif') {
      rule.iif = args.next();
      given.add('iif');
    } else if (a === 'oif') {
      rule.oif = args.next();
      given.add('oif');
    } else if (a === 'uidrange') {
      const value = args.next();
      const m = /^(\d+)-(\d+)$/.exec(value);
      if (!m) invarg('invalid UID range\n', value);
      rule.uidRange = [Number(m[1]), Number(m[2])];
      given.add('uidRange');
    } else if (a === 'ipproto') {
      const value = args.next();
      const p = parseIpProtocol(value);
      if (p === null) invarg('Invalid "ipproto" value\n', value);
      rule.ipproto = p;
      given.add('ipproto');
    } else if (a === 'sport' || a === 'dport') {
      const value = args.next();
      const range = parsePortRange(value);
      if (!range) invarg('invalid port range\n', value);
      if (a === 'sport') rule.sport = range;
      else rule.dport = range;
      given.add(a);
    } else if (a === 'l3mdev' || a === 'tun_id') {
      if (a === 'tun_id') args.next();
    } else {
      let word = a;
      if (word === 'type') word = args.next();
      if (matches(word, 'help')) throw new IpExit(255, 'Usage: ip rule { add | del } SELECTOR ACTION');
      if (matches(word, 'goto')) {
        const value = args.next();
        const target = parseUnsigned(value);
        if (target === null) invarg('invalid target\n', value);
        rule.action = 'goto';
        rule.gotoTarget = target;
        given.add('gotoTarget');
      } else if (matches(word, 'nop')) rule.action = 'nop';
      else if (word === 'blackhole' || word === 'unreachable' || word === 'prohibit') rule.action = word;
      else if (word === 'unicast') rule.action = 'lookup';
      else invarg('Failed to parse rule type', word);
      given.add('action');
      tableGiven = true;
    }
    args.advance();
  }
  if (refusal !== null) {
    ctx.err(`Error: ${refusal}.`);
    return 2;
  }
  if (add) {
    if (!tableGiven) rule.table = RT_TABLE_MAIN;
    if (rule.action !== 'lookup') rule.table = tableGiven && given.has('table') ? rule.table : 0;
    if (rule.action === 'lookup' && !rule.table) rule.table = RT_TABLE_MAIN;
    const result = family.add(rule, priorityGiven);
    if (!result.ok) {
      ctx.err(rtnetlinkErrorText(result));
      return 2;
    }
    return 0;
  }
  const spec: RuleDeleteSpec<A> = { rule, given };
  const result = family.delete(spec);
  if (!result.ok) {
    ctx.err(rtnetlinkErrorText(result));
    return 2;
  }
  return 0;
}

function formatRule<A>(ctx: IpContext, rule: FibRule<A>, family: RuleFamilyAccess<A>): { text: string; json: { [key: string]: JsonValue } } {
  const parts: string[] = [];
  const json: { [key: string]: JsonValue } = { priority: rule.priority };
  if (rule.not) {
    parts.push('not');
    json['not'] = null;
  }
  const host = family.hostLength;
  if (rule.srcLength) {
    const src = family.format(rule.src);
    parts.push(rule.srcLength === host ? `from ${src}` : `from ${src}/${rule.srcLength}`);
    json['src'] = src;
    if (rule.srcLength !== host) json['srclen'] = rule.srcLength;
  } else {
    parts.push('from all');
    json['src'] = 'all';
  }
  if (rule.dstLength) {
    const dst = family.format(rule.dst);
    parts.push(rule.dstLength === host ? `to ${dst}` : `to ${dst}/${rule.dstLength}`);
    json['dst'] = dst;
    if (rule.dstLength !== host) json['dstlen'] = rule.dstLength;
  }
  if (rule.tos) {
    parts.push(`tos ${dsfieldName(rule.tos)}`);
    json['tos'] = dsfieldName(rule.tos);
  }
  if (rule.fwmask) {
    const mark = `0x${rule.fwmark.toString(16)}`;
    if (rule.fwmask !== 0xffffffff) {
      parts.push(`fwmark ${mark}/0x${rule.fwmask.toString(16)}`);
      json['fwmark'] = mark;
      json['fwmask'] = `0x${rule.fwmask.toString(16)}`;
    } else {
      parts.push(`fwmark ${mark}`);
      json['fwmark'] = mark;
    }
  }
  if (rule.iif) {
    parts.push(`iif ${rule.iif}`);
    json['iif'] = rule.iif;
    if (!ctx.kernel.device(rule.iif)) {
      parts.push('[detached]');
      json['iif_detached'] = null;
    }
  }
  if (rule.oif) {
    parts.push(`oif ${rule.oif}`);
    json['oif'] = rule.oif;
    if (!ctx.kernel.device(rule.oif)) {
      parts.push('[detached]');
      json['oif_detached'] = null;
    }
  }
  if (rule.uidRange) {
    parts.push(`uidrange ${rule.uidRange[0]}-${rule.uidRange[1]}`);
    json['uid_start'] = rule.uidRange[0];
    json['uid_end'] = rule.uidRange[1];
  }
  if (rule.ipproto) {
    parts.push(`ipproto ${ipProtocolName(rule.ipproto)}`);
    json['ipproto'] = ipProtocolName(rule.ipproto);
  }
  for (const [name, range] of [['sport', rule.sport], ['dport', rule.dport]] as const) {
    if (!range) continue;
    if (range[0] === range[1]) {
      parts.push(`${name} ${range[0]}`);
      json[name] = range[0];
    } else {
      parts.push(`${name} ${range[0]}-${range[1]}`);
      json[`${name}_start`] = range[0];
      json[`${name}_end`] = range[1];
    }
  }
  if (rule.table) {
    parts.push(`lookup ${ctx.kernel.tableName(rule.table)}`);
    json['table'] = ctx.kernel.tableName(rule.table);
    if (rule.suppressPrefixLength !== -1) {
      parts.push(`suppress_prefixlength ${rule.suppressPrefixLength}`);
      json['suppress_prefixlen'] = rule.suppressPrefixLength;
    }
  }
  if (rule.action === 'goto') {
    parts.push(`goto ${rule.gotoTarget}`);
    json['goto'] = rule.gotoTarget;
    if (!family.rules().some((r) => r.priority === rule.gotoTarget)) {
      parts.push('[unresolved]');
      json['unresolved'] = null;
    }
  } else if (rule.action === 'nop') {
    parts.push('nop');
    json['nop'] = null;
  } else if (rule.action !== 'lookup') {
    parts.push(rule.action);
    json['action'] = rule.action;
  }
  if ((rule.protocol && rule.protocol !== 2) || ctx.details) {
    parts.push(`proto ${protocolName(rule.protocol)}`);
    json['protocol'] = protocolName(rule.protocol);
  }
  return { text: `${rule.priority}:\t${parts.join(' ')}\n`, json };
}

function listRules<A>(ctx: IpContext, family: RuleFamilyAccess<A>): number {
  let text = '';
  const items: JsonValue[] = [];
  if (typeof ctx.family === 'string') {
    // fib rules exist for IPv4, IPv6 and MPLS-less families only: the dump itself is refused (after -j's opening bracket).
    if (ctx.json) ctx.out('[');
    ctx.err('RTNETLINK answers: Address family not supported by protocol\nDump terminated');
    return 255;
  }
  for (const rule of family.rules()) {
    const formatted = formatRule(ctx, rule, family);
    text += formatted.text;
    items.push(formatted.json);
  }
  ctx.out(ctx.json ? formatJson(items, ctx.pretty) : text);
  return 0;
}
