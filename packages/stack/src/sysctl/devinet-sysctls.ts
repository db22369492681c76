/**
 * The net.ipv4 directory IPv4 registers (devinet_init, ipv4_sysctl_init): the global keys
 * (ip_forward, route.*, fib_*, icmp_*, ipfrag_*) and net.ipv4.conf.{all,default,DEV}.*.
 * net.ipv4.neigh is ARP's (neigh-sysctls.ts).
 *
 * Follows Linux's devinet.c: a device copies `default` when it is registered (inetdev_init); a later
 * write to `default.X` reaches every device whose X was never written and that has no IPv4 address
 * yet (devinet_copy_dflt_conf + ipv4_devconf_setall on address add); writing `all.forwarding` or
 * `ip_forward` sets forwarding on every device and on default, and sets all.accept_redirects to
 * !forwarding (inet_forward_change); `default.forwarding` only affects future devices.
 * Effective values combine `all` and the device by the rule of each key (conf-keys.ts).
 * net.ipv4.route.flush is write-only: any text flushes the route cache.
 */
import { CONF_KEYS, GLOBAL_KEYS, READ_ONLY_CONF_KEYS, type ConfKey } from './conf-keys.js';
import { ConfScopes } from './conf-scopes.js';
import { OverlayValues } from './overlay-values.js';
import { INT_MAX, type ProcHandler } from './proc-handlers.js';
import type { Ipv4ConfAccessors, SysctlDirectory, SysctlWriteResult } from './sysctl-tree.js';

const CONF_BY_NAME = new Map<string, ConfKey>(CONF_KEYS.map((k) => [k.name, k]));
const GLOBAL_HANDLERS = new Map<string, ProcHandler>(GLOBAL_KEYS.map((k) => [k.name, k.handler]));
const CONF_HANDLER: ProcHandler = { kind: 'int' };
const ROUTE_FLUSH = 'net.ipv4.route.flush';
const CONF_NAME = /^net\.ipv4\.conf\.([^.]+)\.([a-z0-9_]+)$/;
/** The defaults every node starts from (OverlayValues shares them). */
const GLOBAL_DEFAULTS: ReadonlyMap<string, number> = new Map(GLOBAL_KEYS.map((k) => [k.name, k.value]));
const ALL_DEFAULTS: ReadonlyMap<string, number> = new Map(CONF_KEYS.map((k) => [k.name, k.value]));
const DEFAULT_DEFAULTS: ReadonlyMap<string, number> = new Map(CONF_KEYS.map((k) => [k.name, k.defaultValue ?? k.value]));

interface DeviceConf {
  values: OverlayValues;
  /** Keys written explicitly (the per-field "state" bits); null until the first (most devices get none). */
  written: Set<string> | null;
  /** Once an IPv4 address was added, `default` no longer propagates (all bits set). */
  locked: boolean;
}

export class DevinetSysctls implements SysctlDirectory, Ipv4ConfAccessors {
  readonly prefix = 'net.ipv4';
  private readonly globals = new OverlayValues(GLOBAL_DEFAULTS);
  private readonly scopes = new ConfScopes<DeviceConf>('net.ipv4.conf', new OverlayValues(ALL_DEFAULTS), new OverlayValues(DEFAULT_DEFAULTS));
  private readonly all = this.scopes.all;
  private readonly dflt = this.scopes.dflt;
  private readonly devices = this.scopes.devices;

  constructor(private readonly onWrite: (name: string) => void) {}

  /** inetdev_init: the device's conf is a copy of `default` (lo also gets disable_policy/xfrm). */
  addDevice(name: string, isLoopback: boolean): void {
    const values = this.dflt.copy();
    if (isLoopback) {
      values.set('disable_policy', 1);
      values.set('disable_xfrm', 1);
    }
    this.devices.set(name, { values, written: null, locked: false });
  }

  removeDevice(name: string): void {
    this.devices.delete(name);
  }

  renameDevice(from: string, to: string): void {
    this.scopes.rename(from, to);
  }

  lockDefaults(name: string): void {
    const conf = this.devices.get(name);
    if (conf) conf.locked = true;
  }

  confRaw(scope: string, key: string): number | undefined {
    return this.scopes.raw(scope, key);
  }

  conf(dev: string, key: string): number {
    const spec = CONF_BY_NAME.get(key);
    if (!spec) throw new RangeError(`sysctl: no such key net.ipv4.conf.${dev}.${key}`);
    const all = this.all.get(key) ?? 0;
    const own = this.devices.get(dev)?.values.get(key) ?? (dev === 'all' ? all : this.dflt.get(key) ?? 0);
    switch (spec.rule) {
      case 'dev':
        return own;
      case 'and':
        return all !== 0 && own !== 0 ? 1 : 0;
      case 'or':
        return all !== 0 || own !== 0 ? 1 : 0;
      case 'max':
        return Math.max(all, own);
      case 'accept_redirects': {
        const forwarding = this.devices.get(dev)?.values.get('forwarding') ?? 0;
        return forwarding !== 0 ? (all !== 0 && own !== 0 ? 1 : 0) : all !== 0 || own !== 0 ? 1 : 0;
      }
    }
  }

  get(name: string): number | undefined {
    return this.globals.get(name) ?? this.scopes.read(name);
  }

  writeOnly(): readonly string[] {
    return [ROUTE_FLUSH];
  }

  /** net.ipv4.route.flush takes any text (ipv4_sysctl_rtcache_flush). */
  writeSpecial(name: string): SysctlWriteResult | undefined {
    return name === ROUTE_FLUSH ? this.set(name, 0) : undefined;
  }

  handlerOf(name: string): ProcHandler | undefined {
    // ipfrag_high_thresh and ipfrag_low_thresh bound each other (extra1 / extra2 point at the other).
    if (name === 'net.ipv4.ipfrag_high_thresh') return { kind: 'uint-minmax', min: this.globals.get('net.ipv4.ipfrag_low_thresh') ?? 0, max: INT_MAX };
    if (name === 'net.ipv4.ipfrag_low_thresh') return { kind: 'uint-minmax', min: 0, max: this.globals.get('net.ipv4.ipfrag_high_thresh') ?? INT_MAX };
    const global = GLOBAL_HANDLERS.get(name);
    if (global) return global;
    return CONF_NAME.test(name) && this.get(name) !== undefined ? CONF_HANDLER : undefined;
  }

  set(name: string, value: number): SysctlWriteResult {
    if (name === ROUTE_FLUSH) {
      this.onWrite(name);
      return 'ok';
    }
    if (!Number.isInteger(value)) return 'EINVAL';
    if (name === 'net.ipv4.ip_forward') {
      this.setForwarding(value);
      return 'ok';
    }
    if (this.globals.has(name)) {
      this.globals.set(name, value);
      this.onWrite(name);
      return 'ok';
    }
    const conf = CONF_NAME.exec(name);
    return conf ? this.setConf(conf[1]!, conf[2]!, value) : 'ENOENT';
  }

  private setConf(scope: string, key: string, value: number): SysctlWriteResult {
    if (!CONF_BY_NAME.has(key)) return 'ENOENT';
    if (scope !== 'all' && scope !== 'default' && !this.devices.has(scope)) return 'ENOENT';
    if (READ_ONLY_CONF_KEYS.has(key)) return 'EPERM';
    if (key === 'forwarding' && scope === 'all') {
      this.setForwarding(value);
      return 'ok';
    }
    if (scope === 'all') this.all.set(key, value);
    else if (scope === 'default') {
      this.dflt.set(key, value);
      if (key !== 'forwarding') {
        for (const conf of this.devices.values()) if (!conf.locked && conf.written?.has(key) !== true) conf.values.set(key, value);
      }
    } else {
      const conf = this.devices.get(scope)!;
      conf.values.set(key, value);
      (conf.written ??= new Set()).add(key);
    }
    this.onWrite(`net.ipv4.conf.${scope}.${key}`);
    return 'ok';
  }

  /** inet_forward_change (the value is stored as written; any non-zero value means on). */
  private setForwarding(on: number): void {
    this.globals.set('net.ipv4.ip_forward', on);
    this.all.set('forwarding', on);
    this.all.set('accept_redirects', on ? 0 : 1);
    this.dflt.set('forwarding', on);
    for (const conf of this.devices.values()) conf.values.set('forwarding', on);
    this.onWrite('net.ipv4.ip_forward');
  }

  /** net.ipv4.route holds only the write-only flush beside its keys. */
  isDirectory(name: string): boolean {
    return name === 'net.ipv4.route';
  }

  list(): [string, number][] {
    return [...this.globals, ...this.scopes.list()];
  }
}
