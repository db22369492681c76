/**
 * The FIB's tables, policy rules and lookups: which tables exist (and in which order a dump visits
 * them), their names, the rule list, and the lookup of a flow through the rules into a table.
 *
 * Follows net/ipv4/fib_frontend.c, fib_trie.c and fib_rules.c (net/core/fib_rules.c): fib_new_table,
 * fib_table_lookup (longest prefix, then TOS, dead routes and nexthops skipped, scope at least the
 * flow's, reject types answering their error, `throw` continuing), fib_lookup without custom rules
 * (local and main as one trie — fib_unmerge has not happened — then default) and with them
 * (fib_rules_lookup: selectors, goto, nop, suppress_prefixlength, the reject actions),
 * __inet_dev_addr_type, and fib_nl_newrule / fib_nl_delrule for the rule list.
 * Leaves out routing by ifgroup, l3mdev and VRF rules, and IPv6 tables.
 */
import { isIpv4LimitedBroadcast, isIpv4Multicast, isIpv4ZeroNet } from '@netloom/wire';
import type { Flow4, RouteType } from '../routing-api.js';
import type { KernelErrno, KernelResult } from '../fib/errors.js';
import { defaultRules, IPV4_RULE_FAMILY, PolicyRules } from '../fib/rules.js';
import type { RuleDeleteSpec, RuleFlow } from '../fib/rules.js';
import { FibTable } from '../fib/table.js';
import { RT_SCOPE_UNIVERSE, RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN, type FibRoute, type FibRule } from '../fib/types.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { DeviceTable } from './devices.js';

/** A FIB match (fib_result): the route alias, which of its nexthops, and the table it came from. */
export interface FibResult {
  route: FibRoute;
  nexthop: number;
  table: FibTable;
  prefixLength: number;
  type: RouteType;
  scope: number;
}

export type FibLookupOutcome = { ok: true; res: FibResult } | { ok: false; errno: KernelErrno };

/** A flow as fib_lookup sees it (flowi4 with its scope and FIB_LOOKUP_IGNORE_LINKSTATE). */
export interface LookupFlow extends RuleFlow {
  scope: number;
  ignoreLinkState: boolean;
}

const ERRNO_OF_TYPE: Partial<Record<RouteType, KernelErrno>> = {
  blackhole: 'EINVAL',
  unreachable: 'EHOSTUNREACH',
  prohibit: 'EACCES',
  throw: 'EAGAIN',
};

/** A lookup flow with the fields not given zero (flowi4_init_output): a flow whose source and input device are known, with the scope asked for. */
export function lookupFlow(f: Flow4 & { src: number; iif: string; scope: number; ignoreLinkState: boolean }): LookupFlow {
  return {
    dst: f.dst >>> 0,
    src: f.src >>> 0,
    iif: f.iif,
    oif: f.oif ?? '',
    tos: f.tos ?? 0,
    mark: f.mark ?? 0,
    proto: f.proto ?? 0,
    sport: f.sport ?? 0,
    dport: f.dport ?? 0,
    uid: 0,
    scope: f.scope,
    ignoreLinkState: f.ignoreLinkState,
  };
}

export class Fib {
  private readonly tableMap = new Map<number, FibTable>();
  private readonly tableCreation = new Map<number, number>();
  private tableSequence = 0;
  private readonly policy: PolicyRules<number>;
  private customLocalRoutesAdded = false;
  /** Names from /etc/iproute2/rt_tables (plus user additions). */
  readonly tableNames = new Map<number, string>([
    [RT_TABLE_LOCAL, 'local'],
    [RT_TABLE_MAIN, 'main'],
    [RT_TABLE_DEFAULT, 'default'],
    [0, 'unspec'],
  ]);

  constructor(
    private readonly devices: DeviceTable,
    private readonly sysctls: SysctlTree,
    private readonly notifier: ChangeNotifier,
  ) {
    this.policy = new PolicyRules(IPV4_RULE_FAMILY, defaultRules(), () => notifier.routesChanged());
    this.ensureTable(RT_TABLE_MAIN);
    this.ensureTable(RT_TABLE_LOCAL);
  }

  // ---------------------------------------------------------------- tables

  /** fib_new_table. */
  ensureTable(id: number): FibTable {
    let table = this.tableMap.get(id);
    if (!table) {
      table = new FibTable(id);
      this.tableMap.set(id, table);
      this.tableCreation.set(id, this.tableSequence++);
    }
    return table;
  }

  table(id: number): FibTable | undefined {
    return this.tableMap.get(id);
  }

  /** Tables in creation order (for walks whose order does not show). */
  allTables(): IterableIterator<FibTable> {
    return this.tableMap.values();
  }

  /** Tables in the order a full dump visits them (hash bucket id & 255, newest first within one). */
  tablesInDumpOrder(): FibTable[] {
    return [...this.tableMap.values()].sort((a, b) => {
      const bucket = (a.id & 255) - (b.id & 255);
      if (bucket !== 0) return bucket;
      return this.tableCreation.get(b.id)! - this.tableCreation.get(a.id)!;
    });
  }

  tableName(id: number): string {
    return this.tableNames.get(id) ?? String(id);
  }

  tableIdByName(name: string): number | null {
    for (const [id, n] of this.tableNames) if (n === name) return id;
    return null;
  }

  /** Remove every route `predicate` picks from every table; returns how many went. */
  removeRoutesWhere(predicate: (r: FibRoute) => boolean): number {
    let count = 0;
    for (const table of this.tableMap.values()) {
      for (const r of [...table.routes]) {
        if (predicate(r)) {
          table.remove(r);
          count++;
        }
      }
    }
    return count;
  }

  /** fib_has_custom_rules: once a rule was added, local and main are looked up separately. */
  get hasCustomRules(): boolean {
    return this.policy.hasCustomRules;
  }

  private get customRulesAdded(): boolean {
    return this.policy.hasCustomRules;
  }

  /** fib_has_custom_local_routes: a `local` route was added by hand (fib_validate_source looks up). */
  get hasCustomLocalRoutes(): boolean {
    return this.customLocalRoutesAdded;
  }

  noteCustomLocalRoute(): void {
    this.customLocalRoutesAdded = true;
  }

  // ---------------------------------------------------------------- rules

  rules(): readonly FibRule[] {
    return this.policy.rules;
  }

  /** Do lookups depend on protocol and ports through the rules (ipproto/sport/dport selectors)? */
  get rulesUsePorts(): boolean {
    return this.customRulesAdded && this.policy.rules.some((r) => r.ipproto || r.sport || r.dport);
  }

  /** `ip rule add` (fib_nl_newrule); without a priority given, the automatic one. */
  addRule(rule: FibRule, priorityGiven: boolean): KernelResult {
    return this.policy.add(rule, priorityGiven);
  }

  /** `ip rule del` (fib_nl_delrule): the first rule matching the attributes given. */
  deleteRule(spec: RuleDeleteSpec): KernelResult {
    return this.policy.delete(spec);
  }

  /** `ip rule flush`: every rule but priority 0 goes (the main and default rules too). */
  flushRules(): void {
    this.policy.flush();
  }

  // ---------------------------------------------------------------- lookup

  private ignoresLinkdown(dev: string): boolean {
    return this.sysctls.conf(dev, 'ignore_routes_with_linkdown') !== 0;
  }

  /**
   * fib_table_lookup over one table (or main merged with local): null = no match (EAGAIN),
   * otherwise the result or the reject type's error.
   */
  tableLookup(tables: FibTable[], resultTable: FibTable, flow: LookupFlow): FibLookupOutcome | null {
    const candidates: FibRoute[] = [];
    for (const t of tables) for (const r of t.candidates(flow.dst)) candidates.push(r);
    if (tables.length > 1) {
      candidates.sort((a, b) => b.prefixLength - a.prefixLength || b.table - a.table);
    }
    for (const route of candidates) {
      if (route.tos && route.tos !== flow.tos) continue;
      if (route.dead) continue;
      if (route.scope < flow.scope) continue;
      const error = ERRNO_OF_TYPE[route.type];
      if (error) return { ok: false, errno: error };
      for (let i = 0; i < route.nexthops.length; i++) {
        const nh = route.nexthops[i]!;
        if (nh.dead) continue;
        if (!flow.ignoreLinkState && nh.linkdown && this.ignoresLinkdown(nh.dev)) continue;
        if (flow.oif && flow.oif !== nh.dev) continue;
        return { ok: true, res: { route, nexthop: i, table: resultTable, prefixLength: route.prefixLength, type: route.type, scope: route.scope } };
      }
    }
    return null;
  }

  /** The local table alone, or merged with main while no custom rule exists (__ip_dev_find's lookup). */
  localTableLookup(flow: LookupFlow): FibLookupOutcome | null {
    const local = this.tableMap.get(RT_TABLE_LOCAL)!;
    const tables = this.customRulesAdded ? [local] : [local, this.tableMap.get(RT_TABLE_MAIN)!];
    return this.tableLookup(tables, local, flow);
  }

  /** fib_lookup: the rules (or, without custom rules, main merged with local, then default). */
  lookup(flow: LookupFlow): FibLookupOutcome {
    if (!this.customRulesAdded) {
      const main = this.tableMap.get(RT_TABLE_MAIN)!;
      const local = this.tableMap.get(RT_TABLE_LOCAL)!;
      const first = this.tableLookup([local, main], main, flow);
      if (first && (first.ok || first.errno !== 'EAGAIN')) return first;
      const dflt = this.tableMap.get(RT_TABLE_DEFAULT);
      if (dflt) {
        const second = this.tableLookup([dflt], dflt, flow);
        if (second && (second.ok || second.errno !== 'EAGAIN')) return second;
      }
      return { ok: false, errno: 'ENETUNREACH' };
    }
    const verdict = this.policy.walk<FibLookupOutcome>(flow, (rule) => {
      const table = this.tableMap.get(rule.table);
      const outcome = table ? this.tableLookup([table], table, flow) : null;
      if (!outcome) return null;
      if (outcome.ok && outcome.res.prefixLength <= rule.suppressPrefixLength) return null;
      if (!outcome.ok && outcome.errno === 'EAGAIN') return null;
      return { answer: outcome };
    });
    if (verdict && 'answer' in verdict) return verdict.answer;
    if (verdict) return { ok: false, errno: verdict.reject };
    return { ok: false, errno: 'ENETUNREACH' };
  }

  /**
   * __inet_dev_addr_type: the type of the best route for `addr` in a table (0 = main), `unicast` when
   * nothing (or a reject route) matches, or when `dev` is given and the route's first nexthop is on
   * another device. While no custom rule exists, local and main are one trie (fib_unmerge), so a
   * lookup in either sees both.
   */
  addressType(addr: number, tableId = 0, dev?: string): RouteType {
    const a = addr >>> 0;
    if (isIpv4ZeroNet(a) || isIpv4LimitedBroadcast(a)) return 'broadcast';
    if (isIpv4Multicast(a)) return 'multicast';
    const id = tableId || RT_TABLE_MAIN;
    const table = this.tableMap.get(id);
    if (!table) return 'unicast';
    const merged = (id === RT_TABLE_MAIN || id === RT_TABLE_LOCAL) && !this.customRulesAdded;
    const tables = merged ? [this.tableMap.get(RT_TABLE_LOCAL)!, this.tableMap.get(RT_TABLE_MAIN)!] : [table];
    const flow = lookupFlow({ dst: a, src: 0, iif: this.devices.loopback.name, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false });
    const result = this.tableLookup(tables, table, flow);
    if (!result || !result.ok) return 'unicast';
    if (dev !== undefined && result.res.route.nexthops[0]?.dev !== dev) return 'unicast';
    return result.res.type;
  }
}
