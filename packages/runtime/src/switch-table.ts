/**
 * A MAC-learning switch's forwarding table, as one replica per receiving port.
 *
 * Every LAN frame reaches every member port's replica (the sender's too), at the frame's delivery
 * time and in the queue's deterministic order, so all replicas hold the same table and agree on
 * whether a frame is forwarded to a port — without a shared switch object that would tie the LAN
 * to one thread. Follows the Linux bridge (net/bridge/br_fdb.c, br_input.c): learn the source on
 * ingress, flood group and unknown destinations, forward known unicast only to its port, filter
 * frames whose destination sits on the ingress port. A port whose member's device goes down loses
 * carrier (br_port_carrier_check): it is disabled — nothing is learned from it or sent out of it — and
 * the entries learned on it are deleted (br_stp_disable_port → br_fdb_delete_by_port), so frames for
 * those MACs are flooded until they are learned again.
 *
 * Bounds, in virtual time only:
 * - ageing: an entry not refreshed for `ageingTime` (bridge ageing_time, 300 s by default) is
 *   gone — it is not used for forwarding once older, and it is deleted as time passes (the table
 *   is kept in order of last refresh, so br_fdb_cleanup's sweep only looks at the oldest entries).
 * - size: at most `maxLearned` learned entries (the bridge's fdb_max_learned, Linux 6.8+; 0 there
 *   means no limit, netloom defaults to 16384). When full, a new source is not learned — frames
 *   for it are flooded, as in fdb_create — and `learningRefused` counts it (the kernel keeps no
 *   such counter). Known sources are still refreshed and may move port.
 * Leaves out STP, VLANs, static entries and the drop of frames with a multicast source.
 */

/** Bridge ageing_time (BR_DEFAULT_AGEING_TIME, 300 s), in ns. */
export const DEFAULT_AGEING_TIME = 300e9;
/** The learned-entry cap netloom puts on every switch (fdb_max_learned). */
export const DEFAULT_MAX_LEARNED = 16384;

export interface SwitchTableOptions {
  /** ns; default 300 s. */
  ageingTime?: number;
  /** Learned entries at most; default 16384. */
  maxLearned?: number;
}

interface FdbEntry {
  port: number;
  /** Last time a frame from this address was seen (fdb->updated). */
  updated: number;
}

function macKey(frame: Uint8Array, offset: number): number {
  // 48 bits fit exactly in a double.
  return (
    frame[offset]! * 2 ** 40 +
    frame[offset + 1]! * 2 ** 32 +
    ((frame[offset + 2]! << 24) >>> 0) +
    (frame[offset + 3]! << 16) +
    (frame[offset + 4]! << 8) +
    frame[offset + 5]!
  );
}

export class SwitchTable {
  /** Learned addresses in order of last refresh, oldest first. */
  private readonly entries = new Map<number, FdbEntry>();
  private readonly ageingTime: number;
  private readonly maxLearned: number;
  private refused = 0;
  /** Ports without carrier (their member's device is down). */
  private readonly disabledPorts = new Set<number>();

  constructor(options: SwitchTableOptions = {}) {
    this.ageingTime = options.ageingTime ?? DEFAULT_AGEING_TIME;
    this.maxLearned = options.maxLearned ?? DEFAULT_MAX_LEARNED;
  }

  /** Entries held now (fdb_n_learned). */
  get size(): number {
    return this.entries.size;
  }

  /** New sources not learned because the table was full. */
  get learningRefused(): number {
    return this.refused;
  }

  /** Learn the frame's source on `ingressPort`; return whether the switch sends it out of `egressPort`. */
  process(frame: Uint8Array, ingressPort: number, egressPort: number, now: number): boolean {
    if (frame.length < 14) return false;
    if (this.disabledPorts.has(ingressPort)) return false;
    this.expire(now);
    // Every replica learns, also the one of a disabled port: the bridge has one table.
    this.learn(macKey(frame, 6), ingressPort, now);
    if (egressPort === ingressPort || this.disabledPorts.has(egressPort)) return false;
    if ((frame[0]! & 1) !== 0) return true;
    const entry = this.entries.get(macKey(frame, 0));
    if (entry === undefined || now - entry.updated > this.ageingTime) return true;
    return entry.port === egressPort;
  }

  /** br_port_carrier_check: a port without carrier is disabled and its learned entries deleted. */
  setPortCarrier(port: number, carrier: boolean, now: number): void {
    this.expire(now);
    if (carrier) {
      this.disabledPorts.delete(port);
      return;
    }
    this.disabledPorts.add(port);
    for (const [mac, entry] of this.entries) if (entry.port === port) this.entries.delete(mac);
  }

  /** br_fdb_update: refresh (moving it to the young end) or create the source's entry. */
  private learn(source: number, port: number, now: number): void {
    const entry = this.entries.get(source);
    if (entry !== undefined) {
      entry.port = port;
      if (entry.updated !== now) {
        entry.updated = now;
        this.entries.delete(source);
        this.entries.set(source, entry);
      }
      return;
    }
    if (this.maxLearned > 0 && this.entries.size >= this.maxLearned) {
      this.refused++;
      return;
    }
    this.entries.set(source, { port, updated: now });
  }

  /** br_fdb_cleanup: delete the entries older than ageing_time (they are at the old end). */
  private expire(now: number): void {
    for (const [mac, entry] of this.entries) {
      if (now - entry.updated <= this.ageingTime) return;
      this.entries.delete(mac);
    }
  }
}
