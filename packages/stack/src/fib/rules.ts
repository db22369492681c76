/**
 * Policy routing rules (net/core/fib_rules.c with net/ipv4/fib_rules.c and net/ipv6/fib6_rules.c):
 * one rule list per family, each with its own default rules (IPv4: local 0, main 32766, default
 * 32767; IPv6: local 0, main 32766), rule matching (fib_rule_match with fib4_rule_match /
 * fib6_rule_match), insertion order and automatic priority (fib_default_rule_pref: the second
 * rule's priority minus one), duplicate and delete matching, and fib_rules_lookup's walk (goto, nop,
 * the reject actions) — the table lookup and suppress test stay with each family's caller.
 * The record is generic over the family's address (a number for IPv4, a bigint for IPv6).
 * Leaves out l3mdev, tun_id, realms, and IPv6's FIB_RULE_FIND_SADDR (a `from` rule never matches a
 * flow without a source).
 */
import { prefixMask, ipv6PrefixMask, type Ipv6Number } from '@netloom/wire';
import type { FibRule } from './types.js';
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN } from './types.js';
import { fail, OK, type KernelResult } from './errors.js';

/** What the rules need of an address family: its zero address and a prefix test. */
export interface RuleFamily<A> {
  readonly zero: A;
  /** Do `a` and `b` agree in the first `prefixLength` bits? */
  prefixMatches(a: A, b: A, prefixLength: number): boolean;
}

export const IPV4_RULE_FAMILY: RuleFamily<number> = {
  zero: 0,
  prefixMatches: (a, b, prefixLength) => ((a ^ b) & prefixMask(prefixLength)) === 0,
};

export const IPV6_RULE_FAMILY: RuleFamily<Ipv6Number> = {
  zero: 0n,
  prefixMatches: (a, b, prefixLength) => ((a ^ b) & ipv6PrefixMask(prefixLength)) === 0n,
};

function blankRuleOf<A>(zero: A): FibRule<A> {
  return {
    priority: 0,
    not: false,
    src: zero,
    srcLength: 0,
    dst: zero,
    dstLength: 0,
    tos: 0,
    fwmark: 0,
    fwmask: 0,
    fwmaskGiven: false,
    iif: '',
    oif: '',
    ipproto: 0,
    sport: null,
    dport: null,
    uidRange: null,
    action: 'lookup',
    table: 0,
    gotoTarget: 0,
    suppressPrefixLength: -1,
    suppressIfgroup: -1,
    protocol: 0,
  };
}

export function blankRule(): FibRule {
  return blankRuleOf(0);
}

export function blankRule6(): FibRule<Ipv6Number> {
  return blankRuleOf(0n);
}

// A list never changes a rule it holds (add copies, delete and flush drop), so every node's list
// starts with the same frozen default rules, one set per thread.
const DEFAULT_RULES: readonly FibRule[] = [
  Object.freeze({ ...blankRule(), priority: 0, table: RT_TABLE_LOCAL, protocol: 2 }),
  Object.freeze({ ...blankRule(), priority: 32766, table: RT_TABLE_MAIN, protocol: 2 }),
  Object.freeze({ ...blankRule(), priority: 32767, table: RT_TABLE_DEFAULT, protocol: 2 }),
];
const DEFAULT_RULES6: readonly FibRule<Ipv6Number>[] = [
  Object.freeze({ ...blankRule6(), priority: 0, table: RT_TABLE_LOCAL, protocol: 2 }),
  Object.freeze({ ...blankRule6(), priority: 32766, table: RT_TABLE_MAIN, protocol: 2 }),
];

/** The rules of a fresh namespace: local 0, main 32766, default 32767 (proto kernel). */
export function defaultRules(): FibRule[] {
  return DEFAULT_RULES.slice();
}

/** IPv6's rules of a fresh namespace (fib6_rules_net_init): local 0 and main 32766, no default rule. */
export function defaultRules6(): FibRule<Ipv6Number>[] {
  return DEFAULT_RULES6.slice();
}

/** What a rule is matched against (flowi4 / flowi6 as the rules see it). */
export interface RuleFlow<A = number> {
  src: A;
  dst: A;
  /** IPv6: the flow has no source yet (RT6_LOOKUP_F_HAS_SADDR unset): a `from` rule does not match. */
  noSource?: boolean;
  /** Input device name; "lo" for locally generated packets (flowi_iif = LOOPBACK_IFINDEX). */
  iif: string;
  oif: string;
  tos: number;
  mark: number;
  proto: number;
  sport: number;
  dport: number;
  uid: number;
}

export function ruleMatches<A>(rule: FibRule<A>, flow: RuleFlow<A>, family: RuleFamily<A>): boolean {
  return rule.not ? !ruleSelectorsMatch(rule, flow, family) : ruleSelectorsMatch(rule, flow, family);
}

function ruleSelectorsMatch<A>(rule: FibRule<A>, flow: RuleFlow<A>, family: RuleFamily<A>): boolean {
  if (rule.iif && rule.iif !== flow.iif) return false;
  if (rule.oif && rule.oif !== flow.oif) return false;
  if (((rule.fwmark ^ flow.mark) & rule.fwmask) !== 0) return false;
  if (rule.uidRange && (flow.uid < rule.uidRange[0] || flow.uid > rule.uidRange[1])) return false;
  if (rule.srcLength && flow.noSource) return false;
  if (!family.prefixMatches(flow.src, rule.src, rule.srcLength)) return false;
  if (!family.prefixMatches(flow.dst, rule.dst, rule.dstLength)) return false;
  if (rule.tos && rule.tos !== flow.tos) return false;
  if (rule.ipproto && rule.ipproto !== flow.proto) return false;
  if (rule.sport && (flow.sport < rule.sport[0] || flow.sport > rule.sport[1])) return false;
  if (rule.dport && (flow.dport < rule.dport[0] || flow.dport > rule.dport[1])) return false;
  return true;
}

/** fib_default_rule_pref. */
export function defaultRulePriority<A>(rules: readonly FibRule<A>[]): number {
  const second = rules[1];
  if (second && second.priority) return second.priority - 1;
  return 0;
}

/** Insert after every rule whose priority is <= the new one's. */
export function insertRule<A>(rules: FibRule<A>[], rule: FibRule<A>): void {
  let index = 0;
  while (index < rules.length && rules[index]!.priority <= rule.priority) index++;
  rules.splice(index, 0, rule);
}

function sameRange(a: [number, number] | null, b: [number, number] | null): boolean {
  if (!a || !b) return a === b;
  return a[0] === b[0] && a[1] === b[1];
}

/**
 * rule_exists (fib_rules.c) for a new rule: same action, table, priority, interfaces, mark and mask,
 * suppressors, uid range, protocol and ports; source, destination and TOS only count when the new
 * rule gives them (fib4_rule_compare), and `not` is not compared.
 */
export function isSameRule<A>(existing: FibRule<A>, added: FibRule<A>): boolean {
  return (
    existing.priority === added.priority &&
    existing.action === added.action &&
    existing.table === added.table &&
    existing.iif === added.iif &&
    existing.oif === added.oif &&
    existing.fwmark === added.fwmark &&
    existing.fwmask === added.fwmask &&
    existing.suppressPrefixLength === added.suppressPrefixLength &&
    existing.suppressIfgroup === added.suppressIfgroup &&
    sameRange(existing.uidRange, added.uidRange) &&
    existing.ipproto === added.ipproto &&
    existing.protocol === added.protocol &&
    sameRange(existing.sport, added.sport) &&
    sameRange(existing.dport, added.dport) &&
    (!added.srcLength || (existing.srcLength === added.srcLength && existing.src === added.src)) &&
    (!added.dstLength || (existing.dstLength === added.dstLength && existing.dst === added.dst)) &&
    (!added.tos || existing.tos === added.tos)
  );
}

/** What `ip rule del` gave: only the given attributes must match (rule_find). */
export interface RuleDeleteSpec<A = number> {
  rule: FibRule<A>;
  given: ReadonlySet<keyof FibRule<A>>;
}

export function ruleMatchesDeleteSpec<A>(candidate: FibRule<A>, spec: RuleDeleteSpec<A>): boolean {
  const { rule, given } = spec;
  for (const key of given) {
    const a = candidate[key];
    const b = rule[key];
    if (Array.isArray(a) || Array.isArray(b) || a === null || b === null) {
      if (!sameRange(a as [number, number] | null, b as [number, number] | null)) return false;
    } else if (a !== b) return false;
  }
  return true;
}

/** What a rule's action gave: an answer, a reject action's errno, or nothing (on to the next rule). */
export type RuleVerdict<R> = { answer: R } | { reject: 'ENETUNREACH' | 'EACCES' | 'EINVAL' } | null;

/**
 * One family's rule list (fib_rules_ops): the rules in priority order, whether one was ever added or
 * flushed (fib_has_custom_rules / fib6_has_custom_rules), and fib_nl_newrule / fib_nl_delrule.
 * Bounded: a list never holds more than MAX_RULES rules (`ip rule add` beyond it is ENOBUFS).
 */
export class PolicyRules<A> {
  static readonly MAX_RULES = 4096;
  private readonly list: FibRule<A>[];
  private custom = false;

  constructor(
    readonly family: RuleFamily<A>,
    defaults: FibRule<A>[],
    private readonly changed: () => void,
  ) {
    this.list = defaults;
  }

  get rules(): readonly FibRule<A>[] {
    return this.list;
  }

  get hasCustomRules(): boolean {
    return this.custom;
  }

  /** `ip rule add` (fib_nl_newrule); without a priority given, the automatic one. */
  add(rule: FibRule<A>, priorityGiven: boolean): KernelResult {
    const r = { ...rule };
    if (!priorityGiven) r.priority = defaultRulePriority(this.list);
    if (r.action === 'goto' && r.gotoTarget <= r.priority) return fail('EINVAL', 'Backward goto not supported');
    if (this.list.some((x) => isSameRule(x, r))) return fail('EEXIST');
    if (this.list.length >= PolicyRules.MAX_RULES) return fail('ENOBUFS');
    insertRule(this.list, r);
    this.custom = true;
    this.changed();
    return OK;
  }

  /** `ip rule del` (fib_nl_delrule): the first rule matching the attributes given. */
  delete(spec: RuleDeleteSpec<A>): KernelResult {
    const index = this.list.findIndex((r) => ruleMatchesDeleteSpec(r, spec));
    if (index < 0) return fail('ENOENT');
    this.list.splice(index, 1);
    this.changed();
    return OK;
  }

  /** `ip rule flush`: every rule but priority 0 goes (the main and default rules too). */
  flush(): void {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.priority !== 0) this.list.splice(i, 1);
    this.custom = true;
    this.changed();
  }

  /**
   * fib_rules_lookup: each matching rule in order (a `goto` jumps to its target when that matches,
   * `nop` goes on), the reject actions answer their errno (ENETUNREACH, EACCES, EINVAL), a lookup
   * rule asks `lookup` (null: on to the next rule); no answer at all is null.
   */
  walk<R>(flow: RuleFlow<A>, lookup: (rule: FibRule<A>) => RuleVerdict<R>): RuleVerdict<R> {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      let rule = list[i]!;
      if (!ruleMatches(rule, flow, this.family)) continue;
      let jumped = 0;
      while (rule.action === 'goto' && jumped++ < list.length) {
        const targetIndex = list.findIndex((r) => r.priority === rule.gotoTarget);
        if (targetIndex < 0) break;
        i = targetIndex;
        rule = list[i]!;
        if (!ruleMatches(rule, flow, this.family)) break;
      }
      if (!ruleMatches(rule, flow, this.family) || rule.action === 'goto' || rule.action === 'nop') continue;
      switch (rule.action) {
        case 'unreachable':
          return { reject: 'ENETUNREACH' };
        case 'prohibit':
          return { reject: 'EACCES' };
        case 'blackhole':
          return { reject: 'EINVAL' };
        default: {
          const verdict = lookup(rule);
          if (verdict) return verdict;
        }
      }
    }
    return null;
  }
}
