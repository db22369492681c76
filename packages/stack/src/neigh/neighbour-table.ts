/**
 * The neighbour table with Linux's NUD state machine, for any address family: one instance per
 * protocol, as Linux has arp_tbl (IPv4, arp.ts) and nd_tbl (IPv6, ndisc.ts) built from the same
 * net/core/neighbour.c. The table knows an address only through its family (the index key and
 * how it prints); soliciting and sending are the protocol's (NeighbourOps, Linux's neigh_ops), the
 * parameters are the protocol's sysctl directory (net.ipv4.neigh / net.ipv6.neigh, neighbourParams).
 *
 * Follows net/core/neighbour.c: `__neigh_event_send` (NONE/FAILED → INCOMPLETE with the first
 * probe at once; STALE → DELAY; `used` refreshed only there, not by packets sent while
 * NUD_CONNECTED), `neigh_timer_handler` (REACHABLE → DELAY only if used within
 * delay_first_probe_time, so in practice → STALE; DELAY → REACHABLE/PROBE, INCOMPLETE/PROBE
 * re-probing every retrans_time until `neigh_max_probes` =
 * ucast + app + (PROBE ? mcast_reprobes : mcast_probes) → FAILED), `__neigh_update` (confirmation,
 * override/locktime, the NTF_ROUTER flag, queued packets sent once the entry becomes valid),
 * `neigh_invalidate` (queued packets get an error report — the ICMP host unreachable path — on
 * FAILED), the unresolved queue bounded by unres_qlen_bytes (oldest dropped first) and
 * reachable_time drawn from [base/2, 3·base/2) and re-drawn every 300 s (neigh_rand_reach_time).
 * Proxy entries (pneigh_lookup / pneigh_delete: `ip neigh add proxy ADDR dev D`) are kept apart
 * from the neighbours, as Linux's phash_buckets, bounded by gc_thresh3 (a model bound; Linux has none).
 *
 * Garbage collection as neigh_periodic_work: only while the table holds more than gc_thresh1 (128)
 * entries — so on a small host FAILED entries stay visible, as they do on a real one — every
 * base_reachable_time/2, removing entries outside the timer states that are FAILED or unused for
 * gc_stale_time (PERMANENT ones stay). The table is bounded as neigh_alloc bounds it: a new entry
 * at gc_thresh3 (1024, PERMANENT ones not counted), or at gc_thresh2 (512) 5 s after the last one,
 * first runs neigh_forced_gc, and at gc_thresh3 with nothing freed it is refused (the packet is
 * dropped as `neighbourTableFull`; `ip neigh add` says No buffer space available).
 * Leaves out: the gc_thresh sysctls (their compiled defaults are used), NTF_* flags other than the
 * state and NTF_ROUTER.
 * The IPv4 address is the default type argument of the table, its entries and queued packets, for
 * the IPv4 layer's code written before the family seam.
 * Plain IP traffic does not confirm a neighbour (as Linux: only ARP replies / solicited NAs, and
 * upper layers through `confirm()`, the MSG_CONFIRM / TCP path).
 */
import { formatIpv4, type Ipv4Address } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import { NeighbourIndex, type NeighbourKey } from './neighbour-index.js';
import type { NeighbourReachability } from '../routing-api.js';
import { NS_PER_MS, NS_PER_S, type Prng, type TimerHandle, type TimerHeap } from '../timers.js';

export type NudState = 'NONE' | 'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'NOARP' | 'PERMANENT';

/** NUD_VALID: an entry with a usable link-layer address. */
export function isValidState(state: NudState): boolean {
  return state === 'PERMANENT' || state === 'NOARP' || state === 'REACHABLE' || state === 'PROBE' || state === 'STALE' || state === 'DELAY';
}

/** NUD_CONNECTED: valid and confirmed (no probing needed before use). */
export function isConnectedState(state: NudState): boolean {
  return state === 'PERMANENT' || state === 'NOARP' || state === 'REACHABLE';
}

function isInTimer(state: NudState): boolean {
  return state === 'INCOMPLETE' || state === 'REACHABLE' || state === 'DELAY' || state === 'PROBE';
}

/** net.ipv4.neigh.DEV.* / net.ipv6.neigh.DEV.* in nanoseconds / counts. */
export interface NeighbourParams {
  baseReachableTime: Nanos;
  retransTime: Nanos;
  delayFirstProbeTime: Nanos;
  ucastProbes: number;
  mcastProbes: number;
  appProbes: number;
  mcastReprobes: number;
  gcStaleTime: Nanos;
  locktime: Nanos;
  unresQlenBytes: number;
  /** How long at most a proxy waits before answering a broadcast / multicast solicitation (DEFAULT_NEIGHBOUR_PARAMS's when absent). */
  proxyDelay?: Nanos;
}

/** arp_tbl defaults (net/ipv4/arp.c); nd_tbl's (net/ipv6/ndisc.c) differ only in locktime 0. */
export const DEFAULT_NEIGHBOUR_PARAMS: Readonly<Required<NeighbourParams>> = Object.freeze({
  baseReachableTime: 30 * NS_PER_S,
  retransTime: 1 * NS_PER_S,
  delayFirstProbeTime: 5 * NS_PER_S,
  ucastProbes: 3,
  mcastProbes: 3,
  appProbes: 0,
  mcastReprobes: 0,
  gcStaleTime: 60 * NS_PER_S,
  locktime: 1 * NS_PER_S,
  unresQlenBytes: 212_992,
  proxyDelay: 800 * NS_PER_MS,
});

/**
 * A device's parameters read from its protocol's sysctl directory (`net.ipv4.neigh` or
 * `net.ipv6.neigh`), each file in its unit; `defaults` where the tree has no value.
 */
export function neighbourParams(sysctl: (name: string) => number, directory: string, dev: string, defaults: Readonly<Required<NeighbourParams>> = DEFAULT_NEIGHBOUR_PARAMS): Required<NeighbourParams> {
  const read = (name: string, fallback: number, scale: number): number => {
    const value = sysctl(`${directory}.${dev}.${name}`);
    return Number.isFinite(value) ? value * scale : fallback;
  };
  const d = defaults;
  return {
    baseReachableTime: read('base_reachable_time_ms', d.baseReachableTime, NS_PER_MS),
    retransTime: read('retrans_time_ms', d.retransTime, NS_PER_MS),
    delayFirstProbeTime: read('delay_first_probe_time', d.delayFirstProbeTime, NS_PER_S),
    ucastProbes: read('ucast_solicit', d.ucastProbes, 1),
    mcastProbes: read('mcast_solicit', d.mcastProbes, 1),
    appProbes: read('app_solicit', d.appProbes, 1),
    mcastReprobes: read('mcast_resolicit', d.mcastReprobes, 1),
    gcStaleTime: read('gc_stale_time', d.gcStaleTime, NS_PER_S),
    locktime: read('locktime', d.locktime, 10 * NS_PER_MS),
    unresQlenBytes: read('unres_qlen_bytes', d.unresQlenBytes, 1),
    proxyDelay: read('proxy_delay', d.proxyDelay, 10 * NS_PER_MS),
  };
}

/** arp_tbl's addresses: an IPv4 address is its own (unsigned) index key, so a lookup allocates nothing. */
export const INET_FAMILY: NeighbourFamily<Ipv4Address> = Object.freeze({
  name: 'inet',
  key: (address: Ipv4Address) => address >>> 0,
  canonical: (address: Ipv4Address) => address >>> 0,
  format: formatIpv4,
});

/**
 * An address family as the table sees it (neigh_table's key_len, hash and key_eq; iproute2's
 * family word): how an address becomes an index key, and how it prints.
 */
export interface NeighbourFamily<Address> {
  /** `inet` for arp_tbl, `inet6` for nd_tbl (iproute2's -family words). */
  readonly name: 'inet' | 'inet6';
  key(address: Address): NeighbourKey;
  /** The address as an entry keeps it (an IPv4 number made unsigned, IPv6 bytes copied). */
  canonical(address: Address): Address;
  format(address: Address): string;
}

/** A packet waiting for resolution: the whole network-layer packet and its source (the probe's source: arp_announce, ndisc_solicit). */
export interface QueuedPacket<Address = Ipv4Address> {
  packet: Uint8Array;
  source: Address;
}

/**
 * Accounting size of a queued packet against unres_qlen_bytes: Linux counts skb->truesize, which
 * is the data plus the sk_buff and shared-info overhead; modelled as length + 768.
 */
const SKB_OVERHEAD = 768;

export interface NeighbourEntry<Address = Ipv4Address> {
  /** The device's current name (an entry follows its device through a rename). */
  dev: string;
  readonly address: Address;
  /** The family's index key of `address`. */
  readonly key: NeighbourKey;
  mac: Uint8Array | null;
  state: NudState;
  /** Last confirmation of reachability (ARP reply, upper-layer confirm). */
  confirmed: Nanos;
  /** Last state or address change. */
  updated: Nanos;
  /** Last use for output through the slow path (sending while not NUD_CONNECTED, or NTF_USE). */
  used: Nanos;
  probes: number;
  /** NTF_ROUTER: the neighbour said it is a router (an NA's R flag, an RA); never set by ARP. */
  isRouter: boolean;
  queue: QueuedPacket<Address>[];
  queueBytes: number;
  timer: TimerHandle | null;
}

/**
 * The protocol side of the table (neigh_ops in Linux: arp_generic_ops, ndisc_generic_ops): sending
 * probes, and sending or failing queued packets. Attached once, after the protocol and IP layers
 * that implement it exist.
 */
export interface NeighbourOps<Address = Ipv4Address> {
  /**
   * Send a probe for `entry` (an ARP request, a neighbour solicitation): unicast to `unicastTo`, or
   * broadcast / to the solicited-node group when null. `trigger` is the newest queued packet.
   */
  solicit(entry: NeighbourEntry<Address>, unicastTo: Uint8Array | null, trigger: QueuedPacket<Address> | undefined, now: Nanos): void;
  /** The entry became valid: transmit this queued packet to entry.mac. */
  transmit(entry: NeighbourEntry<Address>, queued: QueuedPacket<Address>, now: Nanos): void;
  /** The entry failed (or was deleted) with this packet queued: the error report (ICMP host / ICMPv6 address unreachable). */
  unreachable(entry: NeighbourEntry<Address>, queued: QueuedPacket<Address>, now: Nanos): void;
}

/** What the table needs from the node: dropping queued packets, reporting reachability, parameters. */
export interface NeighbourHooks<Address = Ipv4Address> {
  /** A queued packet thrown away: pushed out by a newer one (unres_qlen_bytes), or its device went down. */
  discard(entry: NeighbourEntry<Address>, queued: QueuedPacket<Address>, reason: 'neighbourQueueFull' | 'interfaceDown', now: Nanos): void;
  /** Reachability as the dead-gateway logic sees it (fib_detect_death). */
  reachability(dev: string, address: Address, state: NeighbourReachability): void;
  /** Per-device parameters (sysctl net.ipv4.neigh.DEV.* / net.ipv6.neigh.DEV.*). */
  params(dev: string): NeighbourParams;
}

export interface NeighbourUpdateFlags {
  /** NEIGH_UPDATE_F_OVERRIDE: a different lladdr may replace a valid one. */
  override?: boolean;
  /** NEIGH_UPDATE_F_ADMIN: an `ip neigh` command (may touch PERMANENT/NOARP entries). */
  admin?: boolean;
  /** NEIGH_UPDATE_F_ISROUTER with this value: set or clear NTF_ROUTER (an NA's R flag). */
  isRouter?: boolean;
  /** NEIGH_UPDATE_F_WEAK_OVERRIDE: a different lladdr only makes a valid connected entry STALE (an NA without O). */
  weakOverride?: boolean;
}

/** A proxy entry (pneigh_entry): the node answers solicitations for `address` arriving on `dev`. */
export interface ProxyEntry<Address> {
  readonly dev: string;
  readonly address: Address;
  readonly key: NeighbourKey;
  /** NTF_ROUTER (`ip neigh add proxy ADDR dev D router`): the R flag of the NAs sent for it. */
  readonly isRouter: boolean;
}

export type NeighbourAdminError = 'exists' | 'notFound' | 'noLladdr' | 'tableFull';

/** How the output path may proceed: send now to `mac`, or the packet was queued / dropped. */
export type ResolveOutcome = { send: true; mac: Uint8Array } | { send: false; queued: boolean; /** No entry could be made (neighbour table overflow). */ tableFull?: true };

const REACHABLE_TIME_REDRAW = 300 * NS_PER_S;
/** gc_thresh1: below this many entries the periodic GC removes nothing. */
const GC_THRESH1 = 128;
/** gc_thresh3: the proxy entries a table holds at most (a model bound; pneigh has none). */
const PROXY_LIMIT = 1024;
/** gc_thresh2: with this many entries (PERMANENT ones not counted) a new one first runs a forced GC, at most every 5 s. */
const GC_THRESH2 = 512;
/** gc_thresh3: the table's bound; a new entry past it needs a forced GC to free room, else it is refused. */
const GC_THRESH3 = 1024;
const FORCED_GC_INTERVAL = 5 * NS_PER_S;
/** neigh_forced_gc removes entries not updated for this long (or FAILED / NOARP ones). */
const FORCED_GC_AGE = 5 * NS_PER_S;
const MIN_RETRANS = 10 * NS_PER_MS; // HZ/100

/** One protocol's neighbour table (neigh_table): arp_tbl is NeighbourTable<Ipv4Address>, nd_tbl NeighbourTable<Uint8Array>. */
export class NeighbourTable<Address = Ipv4Address> {
  private readonly entries = new NeighbourIndex<NeighbourEntry<Address>>();
  /** Proxy entries (pneigh): answered for, never resolved. */
  private readonly proxies = new NeighbourIndex<ProxyEntry<Address>>();
  private readonly reachableTimes = new Map<string, { base: Nanos; value: Nanos; drawnAt: Nanos }>();
  private gcTimer: TimerHandle | null = null;
  /** tbl->last_flush: the last forced GC. */
  private lastForcedGc = -Infinity;
  private attachedOps: NeighbourOps<Address> | undefined;

  /** The address family (IPv4 when none is given: the IPv4 layer's table, built before the family seam). */
  readonly family: NeighbourFamily<Address>;

  constructor(
    private readonly timers: TimerHeap,
    private readonly prng: Prng,
    private readonly hooks: NeighbourHooks<Address>,
    family?: NeighbourFamily<Address>,
  ) {
    this.family = family ?? (INET_FAMILY as unknown as NeighbourFamily<Address>);
  }

  /** neigh_table_init's protocol: attached once; using the table for output before is a wiring bug. */
  attachOps(ops: NeighbourOps<Address>): void {
    if (this.attachedOps !== undefined) throw new Error('the neighbour table already has its protocol attached');
    this.attachedOps = ops;
  }

  private get ops(): NeighbourOps<Address> {
    if (this.attachedOps === undefined) throw new Error('the neighbour table has no protocol attached (NeighbourTable.attachOps)');
    return this.attachedOps;
  }

  /** Per-device parameters (net.ipv4.neigh.DEV.* / net.ipv6.neigh.DEV.*). */
  params(dev: string): NeighbourParams {
    return this.hooks.params(dev);
  }

  lookup(dev: string, address: Address): NeighbourEntry<Address> | undefined {
    return this.entries.get(dev, this.family.key(address));
  }

  /** All entries in creation order. */
  list(): NeighbourEntry<Address>[] {
    return [...this.entries.values()];
  }

  /** pneigh_lookup: a proxy entry for `address` on `dev`. */
  lookupProxy(dev: string, address: Address): ProxyEntry<Address> | undefined {
    return this.proxies.get(dev, this.family.key(address));
  }

  /** Proxy entries in creation order. */
  listProxies(): ProxyEntry<Address>[] {
    return [...this.proxies.values()];
  }

  /** `ip neigh add|replace proxy ADDR dev D [router]` (pneigh_create): false when the table holds its bound already. */
  addProxy(dev: string, address: Address, isRouter = false): boolean {
    const key = this.family.key(address);
    if (this.proxies.get(dev, key) === undefined && this.proxies.size >= PROXY_LIMIT) return false;
    this.proxies.set({ dev, address: this.family.canonical(address), key, isRouter });
    return true;
  }

  /** `ip neigh del proxy ADDR dev D` (pneigh_delete): false when there is none. */
  removeProxy(dev: string, address: Address): boolean {
    return this.proxies.delete(dev, this.family.key(address));
  }

  /** NETDEV_CHANGENAME: entries point at the device, not at its name; they keep their order and timers. */
  renameDevice(from: string, to: string): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      if (entry.dev === from) entry.dev = to;
      this.entries.set(entry);
    }
    const proxies = [...this.proxies.values()];
    this.proxies.clear();
    for (const proxy of proxies) this.proxies.set(proxy.dev === from ? { ...proxy, dev: to } : proxy);
    const reachable = this.reachableTimes.get(from);
    if (reachable !== undefined) {
      this.reachableTimes.delete(from);
      this.reachableTimes.set(to, reachable);
    }
  }

  /** The current randomised reachable_time of a device (neigh_rand_reach_time). */
  reachableTime(dev: string, now: Nanos): Nanos {
    const base = this.hooks.params(dev).baseReachableTime;
    const current = this.reachableTimes.get(dev);
    if (current !== undefined && current.base === base && now < current.drawnAt + REACHABLE_TIME_REDRAW) return current.value;
    const value = base === 0 ? 0 : this.prng.below(base) + Math.floor(base / 2);
    this.reachableTimes.set(dev, { base, value, drawnAt: now });
    return value;
  }

  /**
   * The output path (neigh_resolve_output → neigh_event_send): returns the MAC to send to now, or
   * queues the packet while resolution is in progress.
   */
  resolve(dev: string, address: Address, queued: QueuedPacket<Address>, now: Nanos): ResolveOutcome {
    const usable = this.usableMac(dev, address, now);
    if (usable !== null) return { send: true, mac: usable };
    const entry = this.lookup(dev, address) ?? this.create(dev, address, now);
    if (entry === undefined) return { send: false, queued: false, tableFull: true };
    // neigh_output takes the fast path (neigh_hh_output) for a NUD_CONNECTED entry: only the slow
    // path (neigh_resolve_output → neigh_event_send) refreshes `used`, so a REACHABLE entry in
    // steady use still times out to STALE, not DELAY.
    if (!isConnectedState(entry.state)) entry.used = now;
    if (this.eventSend(entry, now, queued) && entry.mac !== null) return { send: true, mac: entry.mac };
    return { send: false, queued: entry.state === 'INCOMPLETE' };
  }

  /**
   * neigh_output for an entry that may be used at once — NUD_CONNECTED, DELAY, PROBE, or STALE
   * (which moves to DELAY) with an address — exactly as `resolve` treats it: the MAC to send to.
   * Otherwise null with nothing changed, and the caller goes through `resolve` with its packet. The
   * output path asks this first, so a hop in steady state builds no queued packet and no outcome.
   */
  usableMac(dev: string, address: Address, now: Nanos): Uint8Array | null {
    const entry = this.lookup(dev, address);
    if (entry === undefined || entry.mac === null) return null;
    const state = entry.state;
    if (isConnectedState(state)) return entry.mac;
    if (state !== 'DELAY' && state !== 'PROBE' && state !== 'STALE') return null;
    entry.used = now;
    this.eventSend(entry, now);
    return entry.mac;
  }

  /**
   * __neigh_event_send: move NONE/FAILED to INCOMPLETE (probing at once, after queueing `packet`
   * so that the probe's source can follow it) and STALE to DELAY. Returns true when the entry may
   * be used right away.
   */
  private eventSend(entry: NeighbourEntry<Address>, now: Nanos, packet?: QueuedPacket<Address>): boolean {
    const state = entry.state;
    if (isConnectedState(state) || state === 'DELAY' || state === 'PROBE') return true;
    if (state === 'STALE') {
      this.setState(entry, 'DELAY', now);
      this.arm(entry, now + this.hooks.params(entry.dev).delayFirstProbeTime);
      return true;
    }
    if (state === 'INCOMPLETE') {
      if (packet !== undefined) this.enqueue(entry, packet, now);
      return false;
    }
    const params = this.hooks.params(entry.dev);
    if (params.mcastProbes + params.appProbes === 0) {
      this.setState(entry, 'FAILED', now);
      return false;
    }
    entry.probes = params.ucastProbes;
    this.setState(entry, 'INCOMPLETE', now);
    this.arm(entry, now + Math.max(params.retransTime, MIN_RETRANS));
    if (packet !== undefined) this.enqueue(entry, packet, now);
    this.probe(entry, now);
    return false;
  }

  /** Start or refresh resolution without a packet (arping's kernel side, NTF_USE). */
  touch(dev: string, address: Address, now: Nanos): void {
    const entry = this.lookup(dev, address) ?? this.create(dev, address, now);
    if (entry === undefined) return;
    entry.used = now;
    this.eventSend(entry, now);
  }

  /** Upper-layer confirmation (MSG_CONFIRM, dst_confirm_neigh). */
  confirm(dev: string, address: Address, now: Nanos): void {
    const entry = this.lookup(dev, address);
    if (entry !== undefined) entry.confirmed = now;
  }

  /**
   * __neigh_update: a received ARP (or an `ip neigh` command) says `address` is at `mac` with the
   * given state. Creates the entry when `create`.
   */
  update(dev: string, address: Address, mac: Uint8Array | null, newState: NudState, flags: NeighbourUpdateFlags, now: Nanos, create = false): { ok: true } | { ok: false; error: NeighbourAdminError } {
    let entry = this.lookup(dev, address);
    if (entry === undefined) {
      if (!create) return { ok: false, error: 'notFound' };
      entry = this.create(dev, address, now);
      if (entry === undefined) return { ok: false, error: 'tableFull' };
    }
    return this.updateEntry(entry, mac, newState, flags, now);
  }

  private updateEntry(entry: NeighbourEntry<Address>, lladdr: Uint8Array | null, newState: NudState, flags: NeighbourUpdateFlags, now: Nanos): { ok: true } | { ok: false; error: NeighbourAdminError } {
    const old = entry.state;
    if (flags.admin !== true && (old === 'NOARP' || old === 'PERMANENT')) return { ok: true };
    if (!isValidState(newState)) {
      this.cancelTimer(entry);
      const wasProbing = old === 'INCOMPLETE' || old === 'PROBE';
      this.setState(entry, newState, now);
      if (wasProbing && newState === 'FAILED') this.invalidate(entry, now);
      return { ok: true };
    }
    let mac = lladdr;
    if (mac === null) {
      if (!isValidState(old) || entry.mac === null) return { ok: false, error: 'noLladdr' };
      mac = entry.mac;
    }
    let sameMac = entry.mac !== null && macEqual(entry.mac, mac);
    if (isConnectedState(newState)) entry.confirmed = now;
    let state = newState;
    // NEIGH_UPDATE_F_OVERRIDE_ISROUTER, dropped when a different lladdr is not allowed to override.
    let updateIsRouter = flags.isRouter !== undefined;
    if (isValidState(old)) {
      if (!sameMac && flags.override !== true) {
        updateIsRouter = false;
        // NEIGH_UPDATE_F_WEAK_OVERRIDE: the old address stays and a connected entry becomes suspect.
        if (flags.weakOverride !== true || !isConnectedState(old)) return { ok: true };
        mac = entry.mac!;
        sameMac = true;
        state = 'STALE';
      } else if (sameMac && state === 'STALE' && flags.admin !== true) state = old;
    }
    if (updateIsRouter) entry.isRouter = flags.isRouter === true;
    const macChanged = !sameMac;
    if (state !== old || macChanged) entry.updated = now;
    if (state !== old) {
      this.cancelTimer(entry);
      if (state === 'PROBE') entry.probes = 0;
      if (isInTimer(state)) this.arm(entry, now + (state === 'REACHABLE' ? this.reachableTime(entry.dev, now) : 0));
      this.setState(entry, state, now);
    }
    if (macChanged) {
      entry.mac = mac.slice(0, 6);
      if (!isConnectedState(state)) entry.confirmed = now - 2 * this.hooks.params(entry.dev).baseReachableTime;
    }
    if (state !== old && !isValidState(old)) this.flushQueue(entry, now);
    return { ok: true };
  }

  /** `ip neigh add|replace|change [router]`: create flags as iproute2 sends them; NTF_ROUTER as given (neigh_add). */
  adminSet(dev: string, address: Address, mac: Uint8Array | null, state: NudState, mode: 'add' | 'replace' | 'change', now: Nanos, isRouter = false): { ok: true } | { ok: false; error: NeighbourAdminError } {
    const existing = this.lookup(dev, address);
    if (existing === undefined && mode === 'change') return { ok: false, error: 'notFound' };
    if (existing !== undefined && mode === 'add') return { ok: false, error: 'exists' };
    if (isValidState(state) && mac === null && (existing === undefined || !isValidState(existing.state))) return { ok: false, error: 'noLladdr' };
    // neigh_add: a PERMANENT entry is exempt from the GC and its bound.
    const entry = existing ?? this.create(dev, address, now, state === 'PERMANENT');
    if (entry === undefined) return { ok: false, error: 'tableFull' };
    return this.updateEntry(entry, mac, state, { admin: true, override: mode !== 'add' || existing === undefined, isRouter }, now);
  }

  /** `ip neigh del`: the entry fails (queued packets get their errors) and is removed. */
  remove(dev: string, address: Address, now: Nanos): boolean {
    const entry = this.lookup(dev, address);
    if (entry === undefined) return false;
    this.cancelTimer(entry);
    this.setState(entry, 'FAILED', now);
    this.invalidate(entry, now);
    this.entries.delete(dev, entry.key);
    this.hooks.reachability(dev, address, 'unknown');
    return true;
  }

  /**
   * neigh_ifdown (every entry of `dev`, and its proxy entries: pneigh_ifdown) or, keeping PERMANENT
   * ones and every proxy entry, carrier loss (neigh_carrier_down) — as observed on 6.18.
   */
  flushDevice(dev: string, now: Nanos, keepPermanent = true): void {
    if (!keepPermanent) for (const proxy of this.listProxies()) if (proxy.dev === dev) this.proxies.delete(dev, proxy.key);
    for (const entry of this.list()) {
      if (entry.dev !== dev) continue;
      if (keepPermanent && entry.state === 'PERMANENT') continue;
      this.cancelTimer(entry);
      for (const queued of entry.queue) this.hooks.discard(entry, queued, 'interfaceDown', now);
      entry.queue = [];
      entry.queueBytes = 0;
      this.entries.delete(entry.dev, entry.key);
      this.hooks.reachability(entry.dev, entry.address, 'unknown');
    }
  }

  /**
   * neigh_alloc: past gc_thresh3 (or gc_thresh2, 5 s after the last forced GC) a forced GC runs
   * first; when it frees nothing and the table is at gc_thresh3 the entry is refused (undefined).
   */
  private create(dev: string, address: Address, now: Nanos, exemptFromGc = false): NeighbourEntry<Address> | undefined {
    if (!exemptFromGc && this.entries.size >= GC_THRESH2) {
      const counted = this.gcEntries();
      if (counted >= GC_THRESH3 || (counted >= GC_THRESH2 && now > this.lastForcedGc + FORCED_GC_INTERVAL)) {
        if (this.forcedGc(counted, now) === 0 && counted >= GC_THRESH3) return undefined;
      }
    }
    const entry: NeighbourEntry<Address> = {
      dev,
      address: this.family.canonical(address),
      key: this.family.key(address),
      mac: null,
      state: 'NONE',
      confirmed: now - 2 * this.hooks.params(dev).baseReachableTime,
      updated: now,
      used: now,
      probes: 0,
      isRouter: false,
      queue: [],
      queueBytes: 0,
      timer: null,
    };
    this.entries.set(entry);
    if (this.entries.size > GC_THRESH1 && this.gcTimer === null) this.gcTimer = this.timers.schedule(now + this.gcInterval(dev), (at) => this.collect(at));
    return entry;
  }

  /** tbl->gc_entries: the entries the GC may take (all but PERMANENT ones). */
  private gcEntries(): number {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.state !== 'PERMANENT') count++;
    return count;
  }

  /**
   * neigh_forced_gc: in creation order, remove unreferenced entries (none in a timer state, not
   * PERMANENT) that are FAILED, NOARP or not updated for 5 s, until gc_thresh2 would be reached.
   * Returns how many went.
   */
  private forcedGc(counted: number, now: Nanos): number {
    const maxClean = counted - GC_THRESH2;
    let shrunk = 0;
    for (const entry of this.list()) {
      if (entry.state === 'PERMANENT' || isInTimer(entry.state)) continue;
      if (entry.state === 'FAILED' || entry.state === 'NOARP' || now - entry.updated > FORCED_GC_AGE) {
        this.entries.delete(entry.dev, entry.key);
        this.hooks.reachability(entry.dev, entry.address, 'unknown');
        shrunk++;
      }
      if (shrunk >= maxClean) break;
    }
    this.lastForcedGc = now;
    return shrunk;
  }

  /** neigh_periodic_work: collect stale and failed entries while the table is above gc_thresh1. */
  private collect(now: Nanos): void {
    this.gcTimer = null;
    if (this.entries.size <= GC_THRESH1) return;
    for (const entry of this.list()) {
      if (entry.state === 'PERMANENT' || isInTimer(entry.state)) continue;
      if (entry.used < entry.confirmed && entry.confirmed <= now) entry.used = entry.confirmed;
      const params = this.hooks.params(entry.dev);
      if (entry.state === 'FAILED' || now >= entry.used + params.gcStaleTime) {
        this.entries.delete(entry.dev, entry.key);
        this.hooks.reachability(entry.dev, entry.address, 'unknown');
      }
    }
    const first = this.list()[0];
    if (this.entries.size > GC_THRESH1 && first !== undefined) this.gcTimer = this.timers.schedule(now + this.gcInterval(first.dev), (at) => this.collect(at));
  }

  private gcInterval(dev: string): Nanos {
    return Math.max(Math.floor(this.hooks.params(dev).baseReachableTime / 2), MIN_RETRANS);
  }

  private enqueue(entry: NeighbourEntry<Address>, queued: QueuedPacket<Address>, now: Nanos): void {
    const limit = this.hooks.params(entry.dev).unresQlenBytes;
    const size = queued.packet.length + SKB_OVERHEAD;
    while (entry.queue.length > 0 && entry.queueBytes + size > limit) {
      const dropped = entry.queue.shift()!;
      entry.queueBytes -= dropped.packet.length + SKB_OVERHEAD;
      this.hooks.discard(entry, dropped, 'neighbourQueueFull', now);
    }
    entry.queue.push(queued);
    entry.queueBytes += size;
  }

  private flushQueue(entry: NeighbourEntry<Address>, now: Nanos): void {
    while (isValidState(entry.state) && entry.queue.length > 0) {
      const queued = entry.queue.shift()!;
      entry.queueBytes -= queued.packet.length + SKB_OVERHEAD;
      // Each packet goes through neigh->output again: a STALE entry moves to DELAY.
      this.eventSend(entry, now);
      this.ops.transmit(entry, queued, now);
    }
  }

  private invalidate(entry: NeighbourEntry<Address>, now: Nanos): void {
    entry.updated = now;
    while (entry.state === 'FAILED' && entry.queue.length > 0) {
      const queued = entry.queue.shift()!;
      entry.queueBytes -= queued.packet.length + SKB_OVERHEAD;
      this.ops.unreachable(entry, queued, now);
    }
  }

  private probe(entry: NeighbourEntry<Address>, now: Nanos): void {
    const params = this.hooks.params(entry.dev);
    const trigger = entry.queue[entry.queue.length - 1];
    // arp_solicit: the first ucast_probes probes of a valid entry go unicast, the rest broadcast.
    const unicast = entry.probes < params.ucastProbes && entry.mac !== null ? entry.mac : null;
    entry.probes++;
    this.ops.solicit(entry, unicast, trigger, now);
  }

  /** neigh_timer_handler. */
  private onTimer(entry: NeighbourEntry<Address>, now: Nanos): void {
    entry.timer = null;
    const params = this.hooks.params(entry.dev);
    const state = entry.state;
    if (!isInTimer(state)) return;
    const retrans = Math.max(params.retransTime, MIN_RETRANS);
    let next = now + NS_PER_S;
    if (state === 'REACHABLE') {
      const reachable = this.reachableTime(entry.dev, now);
      if (now <= entry.confirmed + reachable) {
        next = entry.confirmed + reachable;
      } else if (now <= entry.used + params.delayFirstProbeTime) {
        entry.updated = now;
        this.setState(entry, 'DELAY', now);
        next = now + params.delayFirstProbeTime;
      } else {
        entry.updated = now;
        this.setState(entry, 'STALE', now);
      }
    } else if (state === 'DELAY') {
      if (now <= entry.confirmed + params.delayFirstProbeTime) {
        entry.updated = now;
        this.setState(entry, 'REACHABLE', now);
        next = entry.confirmed + this.reachableTime(entry.dev, now);
      } else {
        entry.updated = now;
        entry.probes = 0;
        this.setState(entry, 'PROBE', now);
        next = now + retrans;
      }
    } else {
      next = now + retrans;
    }
    if ((entry.state === 'INCOMPLETE' || entry.state === 'PROBE') && entry.probes >= this.maxProbes(entry)) {
      this.setState(entry, 'FAILED', now);
      this.invalidate(entry, now);
      return;
    }
    if (isInTimer(entry.state)) this.arm(entry, Math.max(next, now + MIN_RETRANS));
    if (entry.state === 'INCOMPLETE' || entry.state === 'PROBE') this.probe(entry, now);
  }

  private maxProbes(entry: NeighbourEntry<Address>): number {
    const params = this.hooks.params(entry.dev);
    return params.ucastProbes + params.appProbes + (entry.state === 'PROBE' ? params.mcastReprobes : params.mcastProbes);
  }

  private arm(entry: NeighbourEntry<Address>, at: Nanos): void {
    this.cancelTimer(entry);
    entry.timer = this.timers.schedule(at, (now) => this.onTimer(entry, now));
  }

  private cancelTimer(entry: NeighbourEntry<Address>): void {
    entry.timer?.cancel();
    entry.timer = null;
  }

  private setState(entry: NeighbourEntry<Address>, state: NudState, now: Nanos): void {
    void now;
    if (entry.state === state) return;
    entry.state = state;
    this.hooks.reachability(entry.dev, entry.address, reachabilityOf(state));
  }
}

/** What fib_detect_death needs from an entry (routing-api.ts NeighbourReachability). */
export function reachabilityOf(state: NudState): NeighbourReachability {
  switch (state) {
    case 'NONE':
      return 'unknown';
    case 'REACHABLE':
      return 'reachable';
    case 'FAILED':
      return 'failed';
    case 'INCOMPLETE':
      return 'incomplete';
    default:
      return 'valid';
  }
}

function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}
