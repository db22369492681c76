/**
 * The neighbour table's index: entries by device and address key without building a combined
 * string per lookup (the forwarding path looks a next hop up on every hop), and in creation order
 * for listing (`ip neigh show` lists in the order Linux's hash walk gives, which the model keeps as
 * creation order), as a `Map` keyed by `"dev|address"` did. The key is the family's (neigh_table's
 * key_len bytes in Linux): an unsigned number for an IPv4 address, so the IPv4 path allocates
 * nothing, and a bigint for an IPv6 one (Map compares bigints by value). An entry's device name is read when it is added: after
 * renaming a device the table clears and re-adds its entries.
 * Leaves out everything about states and timers (neighbour-table.ts).
 */

/** An address as the index holds it: equal addresses give equal keys (neigh_table.key_eq). */
export type NeighbourKey = number | bigint;

export interface IndexedNeighbour {
  readonly dev: string;
  readonly key: NeighbourKey;
}

/** What values() walks while an index is empty; never written. */
const NO_ENTRIES: ReadonlySet<never> = new Set();

/**
 * Its maps are made with the first entry: a node has four indexes (ARP's and NDP's entries and
 * proxies) and most never hold a proxy, a host's few entries come late.
 */
export class NeighbourIndex<Entry extends IndexedNeighbour> {
  private byDevice: Map<string, Map<NeighbourKey, Entry>> | null = null;
  private inOrder: Set<Entry> | null = null;

  get size(): number {
    return this.inOrder?.size ?? 0;
  }

  get(dev: string, key: NeighbourKey): Entry | undefined {
    return this.byDevice?.get(dev)?.get(key);
  }

  /** Adds `entry` under its device and key; one already there keeps its place in the order, as Map.set does. */
  set(entry: Entry): void {
    const byDevice = (this.byDevice ??= new Map());
    const inOrder = (this.inOrder ??= new Set());
    let byKey = byDevice.get(entry.dev);
    if (byKey === undefined) {
      byKey = new Map();
      byDevice.set(entry.dev, byKey);
    }
    const existing = byKey.get(entry.key);
    byKey.set(entry.key, entry);
    if (existing === undefined) inOrder.add(entry);
    else if (existing !== entry) {
      const order = [...inOrder].map((e) => (e === existing ? entry : e));
      inOrder.clear();
      for (const e of order) inOrder.add(e);
    }
  }

  delete(dev: string, key: NeighbourKey): boolean {
    const byKey = this.byDevice?.get(dev);
    const entry = byKey?.get(key);
    if (byKey === undefined || entry === undefined) return false;
    byKey.delete(key);
    if (byKey.size === 0) this.byDevice!.delete(dev);
    this.inOrder!.delete(entry);
    return true;
  }

  clear(): void {
    this.byDevice?.clear();
    this.inOrder?.clear();
  }

  /** In the order the entries were first added. */
  values(): IterableIterator<Entry> {
    return (this.inOrder ?? (NO_ENTRIES as ReadonlySet<Entry>)).values();
  }
}
