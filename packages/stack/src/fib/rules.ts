/**
 * Policy routing rules (net/core/fib_rules.c + net/ipv4/fib_rules.c): the default rule set, rule
 * matching (fib_rule_match/fib4_rule_match), insertion order and automatic priority
 * (fib_default_rule_pref: the second rule's priority minus one), duplicate and delete matching.
 * The lookup loop that applies actions lives in kernel.ts. Leaves out l3mdev, tun_id, realms.
 */
import type { FibRule } from './types.js';
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN } from './types.js';
import { prefixMask } from './ipv4.js';

export function blankRule(): FibRule {
  return {
    priority: 0,
    not: false,
    src: 0,
    srcLength: 0,
    dst: 0,
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

/** The rules of a fresh namespace: local 0, main 32766, default 32767 (proto kernel). */
export function defaultRules(): FibRule[] {
  return [
    { ...blankRule(), priority: 0, table: RT_TABLE_LOCAL, protocol: 2 },
    { ...blankRule(), priority: 32766, table: RT_TABLE_MAIN, protocol: 2 },
    { ...blankRule(), priority: 32767, table: RT_TABLE_DEFAULT, protocol: 2 },
  ];
}

/** What a rule is matched against (flowi4 as the rules see it). */
export interface RuleFlow {
  src: number;
  dst: number;
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

export function ruleMatches(rule: FibRule, flow: RuleFlow): boolean {
  return rule.not ? !ruleSelectorsMatch(rule, flow) : ruleSelectorsMatch(rule, flow);
}

function ruleSelectorsMatch(rule: FibRule, flow: RuleFlow): boolean {
  if (rule.iif && rule.iif !== flow.iif) return false;
  if (rule.oif && rule.oif !== flow.oif) return false;
  if (((rule.fwmark ^ flow.mark) & rule.fwmask) !== 0) return false;
  if (rule.uidRange && (flow.uid < rule.uidRange[0] || flow.uid > rule.uidRange[1])) return false;
  if (((flow.src ^ rule.src) & prefixMask(rule.srcLength)) !== 0) return false;
  if (((flow.dst ^ rule.dst) & prefixMask(rule.dstLength)) !== 0) return false;
  if (rule.tos && rule.tos !== flow.tos) return false;
  if (rule.ipproto && rule.ipproto !== flow.proto) return false;
  if (rule.sport && (flow.sport < rule.sport[0] || flow.sport > rule.sport[1])) return false;
  if (rule.dport && (flow.dport < rule.dport[0] || flow.dport > rule.dport[1])) return false;
  return true;
}

/** fib_default_rule_pref. */
export function defaultRulePriority(rules: readonly FibRule[]): number {
  const second = rules[1];
  if (second && second.priority) return second.priority - 1;
  return 0;
}

/** Insert after every rule whose priority is <= the new one's. */
export function insertRule(rules: FibRule[], rule: FibRule): void {
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
export function isSameRule(existing: FibRule, added: FibRule): boolean {
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
export interface RuleDeleteSpec {
  rule: FibRule;
  given: ReadonlySet<keyof FibRule>;
}

export function ruleMatchesDeleteSpec(candidate: FibRule, spec: RuleDeleteSpec): boolean {
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
