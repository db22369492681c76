/**
 * The neighbour table's index: entries by device and IPv4 address without building a string key
 * per lookup (the forwarding path looks a next hop up on every hop), and in creation order for
 * listing (`ip neigh show` lists in the order Linux's hash walk gives, which the model keeps as
 * creation order), as a `Map` keyed by `"dev|address"` did. An entry's device name is read when
 * it is added: after renaming a device the table clears and re-adds its entries.
 * Leaves out everything about states and timers (neighbour-table.ts).
 */

export interface IndexedNeighbour {
  readonly dev: string;
  readonly address: number;
}

export class NeighbourIndex<Entry extends IndexedNeighbour> {
  private readonly byDevice = new Map<string, Map<number, Entry>>();
  private readonly inOrder = new Set<Entry>();

  get size(): number {
    return this.inOrder.size;
  }

  get(dev: string, address: number): Entry | undefined {
    return this.byDevice.get(dev)?.get(address >>> 0);
  }

  /** Adds `entry` under its device and address; one already there keeps its place in the order, as Map.set does. */
  set(entry: Entry): void {
    let byAddress = this.byDevice.get(entry.dev);
    if (byAddress === undefined) {
      byAddress = new Map();
      this.byDevice.set(entry.dev, byAddress);
    }
    const address = entry.address >>> 0;
    const existing = byAddress.get(address);
    byAddress.set(address, entry);
    if (existing === undefined) this.inOrder.add(entry);
    else if (existing !== entry) {
      const order = [...this.inOrder].map((e) => (e === existing ? entry : e));
      this.inOrder.clear();
      for (const e of order) this.inOrder.add(e);
    }
  }

  delete(dev: string, address: number): boolean {
    const byAddress = this.byDevice.get(dev);
    const entry = byAddress?.get(address >>> 0);
    if (byAddress === undefined || entry === undefined) return false;
    byAddress.delete(address >>> 0);
    if (byAddress.size === 0) this.byDevice.delete(dev);
    this.inOrder.delete(entry);
    return true;
  }

  clear(): void {
    this.byDevice.clear();
    this.inOrder.clear();
  }

  /** In the order the entries were first added. */
  values(): IterableIterator<Entry> {
    return this.inOrder.values();
  }
}
