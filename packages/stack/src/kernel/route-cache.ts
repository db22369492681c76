/**
 * The per-flow route cache: what `route -C` lists, and the decisions repeated lookups are served
 * from. Modern Linux has no per-flow cache (it went in 3.6); this is Linux 2.4's layout as seed 004
 * shows it: every lookup leaves an entry, and a repeated lookup of the same flow is answered from
 * it until the routing generation moves (rt_cache_flush on any route, address, link, rule or
 * sysctl change), a redirect or PMTU exception it used expires, or it idles for route.gc_timeout.
 * A decision its lookup marked not cacheable (fib_select_default's) is listed but looked up again
 * each time. Nothing is cached while lookups depend on ports (an L4 multipath hash policy, or rules
 * with ipproto/sport/dport), as the key has no ports.
 * Follows the 2.4 rt_hash_table's key (dst, src, iif, oif, tos, mark) and rt_intern_hash. Entries
 * of an old generation or idle past gc_timeout are pruned when the cache is listed; there is no
 * size bound yet (2.4's rt_garbage_collect at max_size is left to do).
 */
import type { Nanos } from '../node-host.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { Fib } from './fib-lookup.js';
import type { RouteDecision, RouteFlags, RouteQuery } from './route-decision.js';

const NANOS_PER_SECOND = 1_000_000_000;

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

export class RouteCache {
  private readonly entriesByKey = new Map<string, RouteCacheEntry>();

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

  /** Lookups depend on protocol and ports (L4 multipath hash, or rules with ipproto/sport/dport). */
  private portsMatter(): boolean {
    return (this.sysctls.get('net.ipv4.fib_multipath_hash_policy') ?? 0) % 2 === 1 || this.fib.rulesUsePorts;
  }

  /** A still valid cached decision for this flow, counted as used. */
  lookup(query: RouteQuery, input: boolean, now: Nanos): RouteDecision | null {
    if (this.portsMatter()) return null;
    const entry = this.entriesByKey.get(RouteCache.key(query, input));
    if (!entry || entry.volatile || entry.generation !== this.notifier.generation) return null;
    if (entry.decision.expiresAt && now >= entry.decision.expiresAt) return null;
    if (now - entry.lastUsed > this.gcTimeout) return null;
    entry.use++;
    entry.lastUsed = now;
    return entry.decision;
  }

  /** rt_intern_hash: the decision of a lookup; a not cacheable one is listed but never served. */
  remember(query: RouteQuery, decision: RouteDecision, cacheable: boolean, now: Nanos): void {
    const key = RouteCache.key(query, decision.input);
    const existing = this.entriesByKey.get(key);
    this.entriesByKey.set(key, {
      key,
      src: decision.src,
      dst: decision.dst,
      gateway: decision.gateway || decision.dst,
      dev: decision.dev,
      flags: { ...decision.flags },
      input: decision.input,
      use: (existing?.use ?? 0) + 1,
      generation: this.notifier.generation,
      volatile: !cacheable,
      lastUsed: now,
      decision,
    });
  }

  /** Live per-flow cache entries (what `route -C` lists), oldest first; stale ones are dropped. */
  entries(now: Nanos): RouteCacheEntry[] {
    const timeout = this.gcTimeout;
    const out: RouteCacheEntry[] = [];
    for (const [key, entry] of this.entriesByKey) {
      if (entry.generation !== this.notifier.generation || now - entry.lastUsed > timeout) {
        this.entriesByKey.delete(key);
        continue;
      }
      out.push(entry);
    }
    return out;
  }

  clear(): void {
    this.entriesByKey.clear();
  }
}
