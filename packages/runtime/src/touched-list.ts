/**
 * The nodes or ports a shard touched since its last report, in the order it first touched them: a
 * flag on each item and a list, so that marking one already touched (every hop marks its node and
 * port) is a property read, not a Set's hash lookup. Iterates in insertion order, as the Set it
 * replaces did, so reports list their records in the same order.
 */
export interface Touchable {
  /** Whether the item is in a TouchedList now (owned by that list: set and cleared only by it). */
  touched: boolean;
}

export class TouchedList<T extends Touchable> {
  private items: T[] = [];

  add(item: T): void {
    if (item.touched) return;
    item.touched = true;
    this.items.push(item);
  }

  get size(): number {
    return this.items.length;
  }

  /** Every item touched, oldest first; the list is empty after, and each item may be touched again. */
  take(): T[] {
    const items = this.items;
    this.items = [];
    for (const item of items) item.touched = false;
    return items;
  }
}
