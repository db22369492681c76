/**
 * The net.core directory (net/core/sysctl_net_core.c) as far as the model reads it: somaxconn,
 * the cap of a listen(2) backlog (4096 since Linux 5.4), and the socket buffer limits as a
 * namespace shows them. Per-namespace in Linux as here; no per-device keys.
 * Leaves out the rest of net.core (netdev_*, busy polling, BPF JIT, …).
 */
import { OverlayValues } from './overlay-values.js';
import { INT_MAX, type ProcHandler } from './proc-handlers.js';
import type { SysctlDirectory, SysctlWriteResult } from './sysctl-tree.js';

const KEYS: readonly { name: string; value: number; handler: ProcHandler }[] = [
  { name: 'net.core.rmem_default', value: 212992, handler: { kind: 'int-minmax', min: 2304, max: INT_MAX } },
  { name: 'net.core.rmem_max', value: 4194304, handler: { kind: 'int-minmax', min: 2304, max: INT_MAX } },
  { name: 'net.core.somaxconn', value: 4096, handler: { kind: 'int-minmax', min: 0, max: INT_MAX } },
  { name: 'net.core.wmem_default', value: 212992, handler: { kind: 'int-minmax', min: 4608, max: INT_MAX } },
  { name: 'net.core.wmem_max', value: 4194304, handler: { kind: 'int-minmax', min: 4608, max: INT_MAX } },
];
const HANDLERS = new Map(KEYS.map((k) => [k.name, k.handler]));
/** The defaults every node starts from (OverlayValues shares them). */
const DEFAULTS: ReadonlyMap<string, number> = new Map(KEYS.map((k) => [k.name, k.value]));

export class CoreSysctls implements SysctlDirectory {
  readonly prefix = 'net.core';
  private readonly values = new OverlayValues(DEFAULTS);

  get(name: string): number | undefined {
    return this.values.get(name);
  }

  handlerOf(name: string): ProcHandler | undefined {
    return HANDLERS.get(name);
  }

  set(name: string, value: number): SysctlWriteResult {
    if (!this.values.has(name)) return 'ENOENT';
    if (!Number.isInteger(value)) return 'EINVAL';
    this.values.set(name, value);
    return 'ok';
  }

  list(): [string, number][] {
    return [...this.values];
  }

  addDevice(): void {}
  removeDevice(): void {}
  renameDevice(): void {}
}
