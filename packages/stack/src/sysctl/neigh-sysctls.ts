/**
 * A neighbour protocol's sysctl directory, net.ipv4.neigh (ARP's arp_tbl) or net.ipv6.neigh (NDP's
 * nd_tbl): `default` and one directory per device, with the same keys for both families
 * (neigh_sysctl_register's template, net/core/neighbour.c) and each table's compiled defaults
 * (IPv6 differs only in locktime 0). `default` also holds the table-wide gc_interval and
 * gc_thresh1..3.
 *
 * Follows neigh_proc_update / neigh_parms_data_state: a write to `default.X` reaches every device
 * whose X was never written; `unres_qlen` is a view of `unres_qlen_bytes`
 * (neigh_proc_dointvec_unres_qlen): writing either sets both. Each key's proc_handler decides
 * which values a write may set (conf-keys.ts, proc-handlers.ts). The compiled defaults are one
 * table per thread (overlay-values.ts): a node holds only the values written to it.
 */
import { NEIGH_DEFAULT_ONLY_KEYS, NEIGH_KEYS, type ValueKey } from './conf-keys.js';
import { OverlayValues } from './overlay-values.js';
import { UNRES_QLEN_TRUESIZE, type ProcHandler } from './proc-handlers.js';
import type { NeighParamAccessor, SysctlDirectory, SysctlWriteResult } from './sysctl-tree.js';

const HANDLERS = new Map<string, ProcHandler>([...NEIGH_KEYS, ...NEIGH_DEFAULT_ONLY_KEYS].map((k) => [k.name, k.handler]));
const PER_DEVICE = new Set(NEIGH_KEYS.map((k) => k.name));

/** nd_tbl's compiled defaults where they differ from arp_tbl's (net/ipv6/ndisc.c: no locktime). */
export const ND_TBL_OVERRIDES: Readonly<Record<string, number>> = Object.freeze({ locktime: 0 });

/** What every node's table of one prefix and defaults shares: the name pattern and the compiled defaults. */
interface NeighCompiled {
  readonly name: RegExp;
  /** `default`'s keys (the per-device ones and gc_interval, gc_thresh1..3). */
  readonly defaults: ReadonlyMap<string, number>;
  /** A device's keys. */
  readonly device: ReadonlyMap<string, number>;
}

/** One entry per prefix and overrides (two in a Linux node: arp_tbl's and nd_tbl's). */
const COMPILED = new Map<string, NeighCompiled>();

function compiledFor(prefix: string, overrides: Readonly<Record<string, number>>): NeighCompiled {
  const key = `${prefix} ${JSON.stringify(overrides)}`;
  let compiled = COMPILED.get(key);
  if (compiled === undefined) {
    const value = (k: ValueKey): [string, number] => [k.name, overrides[k.name] ?? k.value];
    compiled = {
      name: new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.([^.]+)\\.([a-z0-9_]+)$`),
      defaults: new Map([...NEIGH_KEYS.map(value), ...NEIGH_DEFAULT_ONLY_KEYS.map(value)]),
      device: new Map(NEIGH_KEYS.map(value)),
    };
    COMPILED.set(key, compiled);
  }
  return compiled;
}

export class NeighSysctls implements SysctlDirectory, NeighParamAccessor {
  private readonly name: RegExp;
  private readonly compiled: NeighCompiled;
  private readonly tables = new Map<string, OverlayValues>();
  /** Keys written to each device (neigh_parms' data_state); made with the first such write. */
  private written: Map<string, Set<string>> | null = null;
  /** Whether anything was ever written to `default`. */
  private defaultWritten = false;

  /** `prefix` is net.ipv4.neigh or net.ipv6.neigh; `overrides` the table's own compiled defaults. */
  constructor(
    readonly prefix: string,
    private readonly onWrite: (name: string) => void,
    overrides: Readonly<Record<string, number>> = {},
  ) {
    this.compiled = compiledFor(prefix, overrides);
    this.name = this.compiled.name;
    this.tables.set('default', new OverlayValues(this.compiled.defaults));
  }

  /** neigh_parms_alloc: the device starts from `default`'s current values. */
  addDevice(name: string): void {
    const device = this.compiled.device;
    // Nothing written to `default` yet (every node as it boots): its values are the compiled ones.
    if (!this.defaultWritten) {
      this.tables.set(name, new OverlayValues(device));
      return;
    }
    const dflt = this.tables.get('default')!;
    let own: Map<string, number> | null = null;
    for (const [key, compiled] of device) {
      const value = dflt.get(key) ?? compiled;
      if (value !== compiled) (own ??= new Map()).set(key, value);
    }
    this.tables.set(name, new OverlayValues(device, own));
  }

  removeDevice(name: string): void {
    this.tables.delete(name);
    this.written?.delete(name);
  }

  renameDevice(from: string, to: string): void {
    const table = this.tables.get(from);
    if (table !== undefined) {
      this.tables.delete(from);
      this.tables.set(to, table);
    }
    const written = this.written?.get(from);
    if (written !== undefined) {
      this.written!.delete(from);
      this.written!.set(to, written);
    }
  }

  /** A device's value, `default`'s when the device has none. */
  neighParam(dev: string, key: string): number | undefined {
    return (this.tables.get(dev) ?? this.tables.get('default'))?.get(key);
  }

  get(name: string): number | undefined {
    const match = this.name.exec(name);
    return match ? this.tables.get(match[1]!)?.get(match[2]!) : undefined;
  }

  handlerOf(name: string): ProcHandler | undefined {
    const match = this.name.exec(name);
    return match && this.get(name) !== undefined ? HANDLERS.get(match[2]!) : undefined;
  }

  set(name: string, value: number): SysctlWriteResult {
    if (!Number.isInteger(value)) return 'EINVAL';
    const match = this.name.exec(name);
    if (!match) return 'ENOENT';
    const [, scope, key] = match as unknown as [string, string, string];
    const table = this.tables.get(scope);
    if (!table || !table.has(key)) return 'ENOENT';
    // unres_qlen and unres_qlen_bytes are one parameter (QUEUE_LEN_BYTES) seen in two units.
    const values: [string, number][] =
      key === 'unres_qlen'
        ? [['unres_qlen', value], ['unres_qlen_bytes', value * UNRES_QLEN_TRUESIZE]]
        : key === 'unres_qlen_bytes'
          ? [['unres_qlen_bytes', value], ['unres_qlen', Math.floor(value / UNRES_QLEN_TRUESIZE)]]
          : [[key, value]];
    for (const [k, v] of values) table.set(k, v);
    if (scope === 'default') this.defaultWritten = true;
    if (scope === 'default' && PER_DEVICE.has(key)) {
      // Devices inherit default neighbour parameters they never had written (neigh_parms_data_state).
      for (const [dev, params] of this.tables) {
        if (dev !== 'default' && this.written?.get(dev)?.has(key) !== true) for (const [k, v] of values) params.set(k, v);
      }
    } else if (scope !== 'default') {
      const writtenByDevice = (this.written ??= new Map());
      const written = writtenByDevice.get(scope) ?? new Set<string>();
      for (const [k] of values) written.add(k);
      writtenByDevice.set(scope, written);
    }
    this.onWrite(name);
    return 'ok';
  }

  list(): [string, number][] {
    const entries: [string, number][] = [];
    for (const [scope, values] of this.tables) for (const [k, v] of values) entries.push([`${this.prefix}.${scope}.${k}`, v]);
    return entries;
  }
}
