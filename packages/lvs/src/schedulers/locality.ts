/**
 * Locality-based schedulers: lblc (ip_vs_lblc.c) and lblcr (ip_vs_lblcr.c), which remember, per
 * destination address of the packets (a cache server per web site), the real server(s) last used.
 *
 * lblc keeps one server per destination address: it is used while it is available, has weight > 0
 * and is not "overloaded" in lblc's sense (activeconns > weight while some server of the service has
 * activeconns × 2 < weight); otherwise wlc over all servers picks one and the entry is replaced.
 * lblcr keeps a set (newest member first): the member with the least overhead/weight serves
 * (ip_vs_dest_set_min); a set of more than one member unchanged for lblcr_expiration (a day) loses
 * its most loaded member (ip_vs_dest_set_max); when the chosen one is missing or overloaded wlc picks a
 * server, which joins the set.
 * Entries unused for a day (sysctl lblc_expiration / lblcr_expiration, 24 h) are collected; the tables
 * hold at most 16384 entries (IP_VS_LBLC_TAB_SIZE × 16): past that, the least recently used entry is
 * dropped first (the kernel's full check every minute drops entries idle for 6 minutes instead).
 */
import { addressKey, type InetAddress } from '../inet-address.js';
import { connectionOverhead, weightedLeast } from './least-connection.js';
import type { RealServer, Scheduler, SchedulingInput, VirtualService } from '../virtual-service.js';

/** Entry lifetime without use and lblcr's set expiration: 24 h, in nanoseconds. */
export const LOCALITY_EXPIRATION_NS = 24 * 3600 * 1e9;
/** IP_VS_LBLC_TAB_SIZE (1024) × 16. */
export const LOCALITY_TABLE_MAX = 16384;

/** lblc's and lblcr's is_overloaded. */
function isLocallyOverloaded(dest: RealServer, service: VirtualService): boolean {
  if (dest.activeConns <= dest.weight) return false;
  return service.destinations.some((d) => d.activeConns * 2 < d.weight);
}

/** A table keyed by destination address, in least-recently-used order (a Map keeps insertion order). */
class LocalityTable<T extends { lastUse: number }> {
  private readonly entries = new Map<string, T>();

  get(address: InetAddress, now: number): T | undefined {
    const key = addressKey(address);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now - entry.lastUse > LOCALITY_EXPIRATION_NS) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.lastUse = now;
    return entry;
  }

  put(address: InetAddress, entry: T): void {
    const key = addressKey(address);
    this.entries.delete(key);
    if (this.entries.size >= LOCALITY_TABLE_MAX) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }

}

export class LocalityLeastConnectionScheduler implements Scheduler {
  readonly name = 'lblc';
  private readonly table = new LocalityTable<{ dest: RealServer; lastUse: number }>();

  destinationsChanged(): void {}

  get entryCount(): number {
    return this.table.size;
  }

  schedule(service: VirtualService, packet: SchedulingInput): RealServer | null {
    const entry = this.table.get(packet.destination, packet.now);
    if (entry !== undefined) {
      const dest = entry.dest;
      if (dest.isAvailable && dest.weight > 0 && !isLocallyOverloaded(dest, service)) return dest;
    }
    const dest = weightedLeast(service.destinations, connectionOverhead);
    if (dest === null) return null;
    if (entry !== undefined) entry.dest = dest;
    else this.table.put(packet.destination, { dest, lastUse: packet.now });
    return dest;
  }
}

interface DestinationSet {
  /** Members, newest first (list_add_rcu at the head). */
  members: RealServer[];
  /** When the set last changed (set->lastmod). */
  lastModified: number;
  lastUse: number;
}

/** ip_vs_dest_set_min: wlc's walk over the members that are still available. */
function setMin(set: DestinationSet): RealServer | null {
  return weightedLeast(set.members, connectionOverhead, (dest) => dest.isAvailable);
}

/** ip_vs_dest_set_max: the most loaded member with weight > 0. */
function setMax(set: DestinationSet): RealServer | null {
  const members = set.members;
  let index = members.findIndex((d) => d.weight > 0);
  if (index < 0) return null;
  let most = members[index]!;
  let mostOverhead = connectionOverhead(most);
  for (index++; index < members.length; index++) {
    const dest = members[index]!;
    const overhead = connectionOverhead(dest);
    if (mostOverhead * dest.weight < overhead * most.weight && dest.weight > 0) {
      most = dest;
      mostOverhead = overhead;
    }
  }
  return most;
}

export class LocalityLeastConnectionReplicationScheduler implements Scheduler {
  readonly name = 'lblcr';
  private readonly table = new LocalityTable<DestinationSet>();

  destinationsChanged(): void {}

  get entryCount(): number {
    return this.table.size;
  }

  /** The members of the set kept for a destination address (newest first), for tests and display. */
  members(address: InetAddress, now: number): readonly RealServer[] {
    return this.table.get(address, now)?.members ?? [];
  }

  schedule(service: VirtualService, packet: SchedulingInput): RealServer | null {
    const now = packet.now;
    const set = this.table.get(packet.destination, now);
    if (set !== undefined) {
      let dest = setMin(set);
      if (set.members.length > 1 && now - set.lastModified > LOCALITY_EXPIRATION_NS) {
        const most = setMax(set);
        if (most !== null) {
          set.members.splice(set.members.indexOf(most), 1);
          set.lastModified = now;
        }
      }
      if (dest !== null && !isLocallyOverloaded(dest, service)) return dest;
      dest = weightedLeast(service.destinations, connectionOverhead);
      if (dest === null) return null;
      if (!set.members.includes(dest)) {
        set.members.unshift(dest);
        set.lastModified = now;
      }
      return dest;
    }
    const dest = weightedLeast(service.destinations, connectionOverhead);
    if (dest === null) return null;
    this.table.put(packet.destination, { members: [dest], lastModified: now, lastUse: now });
    return dest;
  }
}
