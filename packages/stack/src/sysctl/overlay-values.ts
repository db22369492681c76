/**
 * A sysctl table as one node sees it: the defaults, one table shared by every node of the thread
 * and never written, and this node's own writes on top, kept only once something is written. A
 * node that boots and changes nothing (most hosts of a big network) holds no copy of the defaults;
 * the kernel's own tables are per namespace (struct ipv4_devconf copied from the init net's), which
 * this reproduces by value.
 *
 * Reads, writes, copies and iteration behave as a `Map` built from the defaults would: iteration in
 * the defaults' order with this node's values, then the keys only this node has, in write order.
 */
export class OverlayValues implements Iterable<[string, number]> {
  private own: Map<string, number> | null;

  constructor(
    private readonly base: ReadonlyMap<string, number>,
    own: ReadonlyMap<string, number> | null = null,
  ) {
    this.own = own !== null && own.size > 0 ? new Map(own) : null;
  }

  get(key: string): number | undefined {
    const own = this.own?.get(key);
    return own !== undefined ? own : this.base.get(key);
  }

  has(key: string): boolean {
    return this.base.has(key) || (this.own?.has(key) ?? false);
  }

  set(key: string, value: number): void {
    (this.own ??= new Map()).set(key, value);
  }

  /** An independent copy (a write to either later does not reach the other), as `new Map(values)`. */
  copy(): OverlayValues {
    return new OverlayValues(this.base, this.own);
  }

  *[Symbol.iterator](): Iterator<[string, number]> {
    const own = this.own;
    for (const [key, value] of this.base) yield [key, own?.get(key) ?? value];
    if (own !== null) for (const entry of own) if (!this.base.has(entry[0])) yield entry;
  }
}
