/**
 * A sysctl table as one node sees it: the defaults, one table shared by every node of the thread
 * and never written, and this node's own writes on top, kept only once something is written. A
 * node that boots and changes nothing (most hosts of a big network) holds no copy of the defaults;
 * the kernel's own tables are per namespace (struct ipv4_devconf copied from the init net's), which
 * this reproduces by value.
 *
 * Writes that many nodes make alike (each device's net.ipv6.conf.DEV.mtu 1500, ip_forward 1 on
 * every router) share a table too: a node's first writes move it onto the table its defaults and
 * those writes give, made once per thread (DERIVED). At most MAX_DERIVED such tables are made;
 * past that, and after a write that does not fit, the node keeps its writes in its own map.
 *
 * Reads, writes, copies and iteration behave as a `Map` built from the defaults would: iteration in
 * the defaults' order with this node's values, then the keys only this node has, in write order.
 */

type Table = ReadonlyMap<string, number>;

/** The table one write (key, value) gives from a shared table, for each shared table; never written. */
const DERIVED = new WeakMap<Table, Map<string, Map<number, Table>>>();
/** Bounds the memory DERIVED holds per thread (a table is ~60 keys): ~20 are made by a boot. */
const MAX_DERIVED = 256;
let derivedCount = 0;

/** The shared table `base` with `key` set to `value`, or null when the bound is reached. */
function derivedTable(base: Table, key: string, value: number): Table | null {
  let byKey = DERIVED.get(base);
  let byValue = byKey?.get(key);
  const known = byValue?.get(value);
  if (known !== undefined) return known;
  // -0 would be found again for 0 (Map keys compare SameValueZero) and read back as -0.
  if (derivedCount >= MAX_DERIVED || Object.is(value, -0)) return null;
  const table = new Map(base).set(key, value);
  if (byKey === undefined) DERIVED.set(base, (byKey = new Map()));
  if (byValue === undefined) byKey.set(key, (byValue = new Map()));
  byValue.set(value, table);
  derivedCount++;
  return table;
}

export class OverlayValues implements Iterable<[string, number]> {
  private own: Map<string, number> | null;

  constructor(
    /** Shared and never written: the defaults, or a table derived from them (derivedTable). */
    private base: Table,
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
    if (this.own === null) {
      if (this.base.get(key) === value && !Object.is(value, -0)) return;
      const shared = derivedTable(this.base, key, value);
      if (shared !== null) {
        this.base = shared;
        return;
      }
    }
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
