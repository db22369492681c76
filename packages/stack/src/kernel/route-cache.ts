/**
 * The per-flow route cache: what `route -C` lists, and the decisions repeated lookups are served
 * from. Modern Linux has no per-flow cache (it went in 3.6); this is Linux 2.4's layout as seed 004
 * shows it: every lookup leaves an entry, and a repeated lookup of the same flow is answered from
 * it until the routing generation moves (rt_cache_flush on any route, address, link, rule or
 * sysctl change), a redirect or PMTU exception it used expires, or it idles for route.gc_timeout.
 * A decision its lookup marked not cacheable (fib_select_default's) is listed but looked up again
 * each time. Nothing is cached while lookups depend on the protocol or ports (a multipath hash over
 * them: policy 1, or 3 with such fields; or rules with ipproto/sport/dport), as the key has neither.
 * Follows the 2.4 rt_hash_table's key (dst, src, iif, oif, tos, mark) and rt_intern_hash; a lookup
 * finds the destination's entries and compares the other fields, building no key string. Entries
 * of an old generation or idle past gc_timeout are pruned when the cache is listed.
 *
 * Bounded as that cache was (not as the nexthop exceptions that replaced it, which nexthop-exceptions.ts
 * models): ip_rt_max_size, 16 entries per bucket of the hash table (ip_rt_init), here a fixed table
 * of 4096 buckets (what 2.6's alloc_large_system_hash gave a machine of a few hundred MiB), so at most
 * 65,536 entries, or `net.ipv4.route.max_size` when that is lower. A new flow past the bound makes
 * room as rt_garbage_collect does, dropping entries that have expired (an old generation, idle past
 * gc_timeout) — here simply the entry cached first, which is the oldest, stale or not, so the
 * cost per flow stays constant under a flood of new flows. Linux 2.4 could also fail the lookup
 * ("dst cache overflow", ENOBUFS) when its collector freed nothing; netloom always makes room.
 */
import { DEFAULT_HASH_FIELDS, hashUsesTransport } from '../fib/multipath.js';
import type { Nanos } from '../node-host.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { Fib } from './fib-lookup.js';
import type { RouteDecision, RouteFlags, RouteQuery } from './route-decision.js';

const NANOS_PER_SECOND = 1_000_000_000;

/** Buckets of the route cache's hash table (rt_hash_mask + 1), fixed here. */
export const RT_HASH_BUCKETS = 4096;
/** ip_rt_max_size: 16 entries per bucket. */
export const RT_MAX_SIZE = RT_HASH_BUCKETS * 16;

/** A per-flow route cache entry (what `route -C` lists). */
export interface RouteCacheEntry {
  key: string;
  src: number;
  dst: number;
  gateway: number;
  dev: string;
  flags: RouteFlags;
  input: boolean;
  use: number;
  generation: number;
  /** Made by fib_select_default: shown, but looked up again each time. */
  volatile: boolean;
  lastUsed: Nanos;
  decision: RouteDecision;
}

/** Where an entry is filed for the per-packet lookup: its flow's fields, compared without a string key. */
interface Slot {
  dst: number;
  input: boolean;
  src: number;
  iif: string;
  oif: string;
  tos: number;
  mark: number;
  uid: number;
  entry: RouteCacheEntry;
}

export class RouteCache {
  // Both made with the first flow cached (a node that forwards nothing caches none).
  /** Every entry by its key, in the order the flows were first cached (what `route -C` lists). */
  private slotsByKey: Map<string, Slot> | null = null;
  /** The same entries by destination, for lookups that build no key. */
  private slotsByDst: Map<number, Slot[]> | null = null;

  constructor(
    private readonly fib: Fib,
    private readonly sysctls: SysctlTree,
    private readonly notifier: ChangeNotifier,
  ) {}

  private get gcTimeout(): Nanos {
    return (this.sysctls.get('net.ipv4.route.gc_timeout') ?? 0) * NANOS_PER_SECOND;
  }

  private static key(query: RouteQuery, input: boolean): string {
    return `${input ? 'i' : 'o'}|${query.dst >>> 0}|${(query.src ?? 0) >>> 0}|${query.iif ?? ''}|${query.oif ?? ''}|${query.tos ?? 0}|${query.mark ?? 0}|${query.uid ?? 0}`;
  }

  /** Lookups depend on protocol and ports (a multipath hash over them, or rules with ipproto/sport/dport). */
  private portsMatter(): boolean {
    const policy = this.sysctls.get('net.ipv4.fib_multipath_hash_policy') ?? 0;
    return hashUsesTransport(policy, this.sysctls.get('net.ipv4.fib_multipath_hash_fields') ?? DEFAULT_HASH_FIELDS) || this.fib.rulesUsePorts;
  }

  /**
   * What a lookup reads of the settings — portsMatter() and gc_timeout — read again only when the
   * routing generation moves (every sysctl write and rule change moves it), not by name on every
   * lookup of the forwarding path.
   */
  private settings: { generation: number; portsMatter: boolean; gcTimeout: Nanos; maxSize: number } = { generation: -1, portsMatter: false, gcTimeout: 0, maxSize: RT_MAX_SIZE };

  private currentSettings(): { portsMatter: boolean; gcTimeout: Nanos; maxSize: number } {
    const generation = this.notifier.generation;
    if (this.settings.generation !== generation) this.settings = { generation, portsMatter: this.portsMatter(), gcTimeout: this.gcTimeout, maxSize: this.maxSize() };
    return this.settings;
  }

  /** The bound: ip_rt_max_size, or route.max_size when lower (at least one entry). */
  private maxSize(): number {
    const configured = this.sysctls.get('net.ipv4.route.max_size') ?? RT_MAX_SIZE;
    return Math.max(1, Math.min(RT_MAX_SIZE, configured));
  }

  /** How many entries the cache holds (listed or not yet pruned). */
  get size(): number {
    return this.slotsByKey?.size ?? 0;
  }

  /** rt_garbage_collect, when a new flow finds the cache full: the entry cached first goes. */
  private makeRoom(): void {
    const maxSize = this.currentSettings().maxSize;
    while (this.slotsByKey !== null && this.slotsByKey.size >= maxSize) {
      const oldest = this.slotsByKey.entries().next().value;
      if (oldest === undefined) return;
      this.forget(oldest[0], oldest[1]);
    }
  }

  private slot(query: RouteQuery, input: boolean): Slot | undefined {
    const slots = this.slotsByDst?.get(query.dst >>> 0);
    if (slots === undefined) return undefined;
    const src = (query.src ?? 0) >>> 0;
    const iif = query.iif ?? '';
    const oif = query.oif ?? '';
    const tos = query.tos ?? 0;
    const mark = query.mark ?? 0;
    const uid = query.uid ?? 0;
    for (const s of slots) {
      if (s.input === input && s.src === src && s.iif === iif && s.oif === oif && s.tos === tos && s.mark === mark && s.uid === uid) return s;
    }
    return undefined;
  }

  /** A still valid cached decision for this flow, counted as used. */
  lookup(query: RouteQuery, input: boolean, now: Nanos): RouteDecision | null {
    const settings = this.currentSettings();
    if (settings.portsMatter) return null;
    const entry = this.slot(query, input)?.entry;
    if (!entry || entry.volatile || entry.generation !== this.notifier.generation) return null;
    if (entry.decision.expiresAt && now >= entry.decision.expiresAt) return null;
    if (now - entry.lastUsed > settings.gcTimeout) return null;
    entry.use++;
    entry.lastUsed = now;
    return entry.decision;
  }

  /** rt_intern_hash: the decision of a lookup; a not cacheable one is listed but never served. */
  remember(query: RouteQuery, decision: RouteDecision, cacheable: boolean, now: Nanos): void {
    const key = RouteCache.key(query, decision.input);
    const existing = this.slot(query, decision.input);
    const entry: RouteCacheEntry = {
      key,
      src: decision.src,
      dst: decision.dst,
      gateway: decision.gateway || decision.dst,
      dev: decision.dev,
      flags: { ...decision.flags },
      input: decision.input,
      use: (existing?.entry.use ?? 0) + 1,
      generation: this.notifier.generation,
      volatile: !cacheable,
      lastUsed: now,
      decision,
    };
    if (existing) {
      existing.entry = entry;
      return;
    }
    this.makeRoom();
    const dst = query.dst >>> 0;
    const slot: Slot = {
      dst,
      input: decision.input,
      src: (query.src ?? 0) >>> 0,
      iif: query.iif ?? '',
      oif: query.oif ?? '',
      tos: query.tos ?? 0,
      mark: query.mark ?? 0,
      uid: query.uid ?? 0,
      entry,
    };
    (this.slotsByKey ??= new Map()).set(key, slot);
    const slotsByDst = (this.slotsByDst ??= new Map());
    const slots = slotsByDst.get(dst);
    if (slots) slots.push(slot);
    else slotsByDst.set(dst, [slot]);
  }

  /** Live per-flow cache entries (what `route -C` lists), oldest first; stale ones are dropped. */
  entries(now: Nanos): RouteCacheEntry[] {
    const timeout = this.gcTimeout;
    const out: RouteCacheEntry[] = [];
    if (this.slotsByKey === null) return out;
    for (const [key, slot] of this.slotsByKey) {
      const entry = slot.entry;
      if (entry.generation !== this.notifier.generation || now - entry.lastUsed > timeout) {
        this.forget(key, slot);
        continue;
      }
      out.push(entry);
    }
    return out;
  }

  private forget(key: string, slot: Slot): void {
    this.slotsByKey!.delete(key);
    const slots = this.slotsByDst!.get(slot.dst)!;
    slots.splice(slots.indexOf(slot), 1);
    if (slots.length === 0) this.slotsByDst!.delete(slot.dst);
  }

  clear(): void {
    this.slotsByKey?.clear();
    this.slotsByDst?.clear();
  }
}
