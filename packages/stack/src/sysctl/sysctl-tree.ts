/**
 * One node's sysctl tree for net.ipv4: global keys (ip_forward, route.*, fib_*, icmp_*),
 * net.ipv4.conf.{all,default,DEV}.* and net.ipv4.neigh.{default,DEV}.*.
 *
 * Follows Linux's devinet.c: a device copies `default` when it is registered (inetdev_init); a later
 * write to `default.X` reaches every device whose X was never written and that has no IPv4 address
 * yet (devinet_copy_dflt_conf + ipv4_devconf_setall on address add); writing `all.forwarding` or
 * `ip_forward` sets forwarding on every device and on default, and sets all.accept_redirects to
 * !forwarding (inet_forward_change); `default.forwarding` only affects future devices.
 * Effective values combine `all` and the device by the rule of each key (conf-keys.ts).
 * A written text goes through the key's proc_handler (proc-handlers.ts): out-of-range values are
 * EINVAL, jiffies-backed values are rounded as the kernel rounds them. neigh `unres_qlen` is a view
 * of `unres_qlen_bytes` (neigh_proc_dointvec_unres_qlen): writing either sets both.
 * Leaves out IPv6 and net.core.
 */
import { CONF_KEYS, GLOBAL_KEYS, NEIGH_DEFAULT_ONLY_KEYS, NEIGH_KEYS, READ_ONLY_CONF_KEYS, type ConfKey } from './conf-keys.js';
import { INT_MAX, procWrite, UNRES_QLEN_TRUESIZE, type ProcHandler } from './proc-handlers.js';

export type SysctlWriteResult = 'ok' | 'ENOENT' | 'EINVAL' | 'EPERM';

const CONF_BY_NAME = new Map<string, ConfKey>(CONF_KEYS.map((k) => [k.name, k]));
const GLOBAL_HANDLERS = new Map<string, ProcHandler>(GLOBAL_KEYS.map((k) => [k.name, k.handler]));
const NEIGH_HANDLERS = new Map<string, ProcHandler>([...NEIGH_KEYS, ...NEIGH_DEFAULT_ONLY_KEYS].map((k) => [k.name, k.handler]));
const CONF_HANDLER: ProcHandler = { kind: 'int' };

interface DeviceConf {
  values: Map<string, number>;
  /** Keys written explicitly (the per-field "state" bits). */
  written: Set<string>;
  /** Once an IPv4 address was added, `default` no longer propagates (all bits set). */
  locked: boolean;
}

export class SysctlTree {
  private readonly globals = new Map<string, number>(GLOBAL_KEYS.map((k) => [k.name, k.value]));
  private readonly all: Map<string, number> = new Map(CONF_KEYS.map((k) => [k.name, k.value]));
  private readonly dflt: Map<string, number> = new Map(CONF_KEYS.map((k) => [k.name, k.defaultValue ?? k.value]));
  private readonly devices = new Map<string, DeviceConf>();
  private readonly neigh = new Map<string, Map<string, number>>();
  private readonly neighWritten = new Map<string, Set<string>>();
  /** `onWrite` is called after any write that can change routing decisions (rt_cache_flush). */
  constructor(private readonly onWrite: (name: string) => void = () => {}) {
    const neighDefault = new Map(NEIGH_KEYS.map((k) => [k.name, k.value]));
    for (const k of NEIGH_DEFAULT_ONLY_KEYS) neighDefault.set(k.name, k.value);
    this.neigh.set('default', neighDefault);
  }

  /** inetdev_init: the device's conf is a copy of `default` (lo also gets disable_policy/xfrm). */
  addDevice(name: string, isLoopback: boolean): void {
    const values = new Map(this.dflt);
    if (isLoopback) {
      values.set('disable_policy', 1);
      values.set('disable_xfrm', 1);
    }
    this.devices.set(name, { values, written: new Set(), locked: false });
    const neighDefault = this.neigh.get('default')!;
    this.neigh.set(name, new Map(NEIGH_KEYS.map((k) => [k.name, neighDefault.get(k.name) ?? k.value])));
  }

  removeDevice(name: string): void {
    this.devices.delete(name);
    this.neigh.delete(name);
  }

  /** NETDEV_CHANGENAME: the device's conf and neigh directories move to the new name with their values. */
  renameDevice(from: string, to: string): void {
    const conf = this.devices.get(from);
    const neigh = this.neigh.get(from);
    if (conf) {
      this.devices.delete(from);
      this.devices.set(to, conf);
    }
    if (neigh) {
      this.neigh.delete(from);
      this.neigh.set(to, neigh);
    }
    const written = this.neighWritten.get(from);
    if (written) {
      this.neighWritten.delete(from);
      this.neighWritten.set(to, written);
    }
  }

  /** ipv4_devconf_setall: an address was added to the device. */
  lockDefaults(name: string): void {
    const conf = this.devices.get(name);
    if (conf) conf.locked = true;
  }

  /** Raw value of net.ipv4.conf.SCOPE.KEY (SCOPE = all, default or a device). */
  confRaw(scope: string, key: string): number | undefined {
    if (scope === 'all') return this.all.get(key);
    if (scope === 'default') return this.dflt.get(key);
    return this.devices.get(scope)?.values.get(key);
  }

  /** Effective value for a device with Linux's all/device combining rule. */
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

  neighParam(dev: string, key: string): number | undefined {
    return (this.neigh.get(dev) ?? this.neigh.get('default'))?.get(key);
  }

  /** Value of a dotted sysctl name, or undefined when no such key exists. */
  get(name: string): number | undefined {
    const global = this.globals.get(name);
    if (global !== undefined) return global;
    const conf = /^net\.ipv4\.conf\.([^.]+)\.([a-z0-9_]+)$/.exec(name);
    if (conf) return this.confRaw(conf[1]!, conf[2]!);
    const neigh = /^net\.ipv4\.neigh\.([^.]+)\.([a-z0-9_]+)$/.exec(name);
    if (neigh) return this.neigh.get(neigh[1]!)?.get(neigh[2]!);
    return undefined;
  }

  /**
   * Write the text a user wrote (`sysctl -w NAME=TEXT`, `echo TEXT > /proc/sys/…`) through the
   * key's proc_handler: EINVAL when the kernel would refuse it.
   */
  write(name: string, text: string): SysctlWriteResult {
    if (name === 'net.ipv4.route.flush') return this.set(name, 0);
    const handler = this.handlerOf(name);
    if (!handler) return 'ENOENT';
    const value = procWrite(handler, text);
    return value === null ? 'EINVAL' : this.set(name, value);
  }

  private handlerOf(name: string): ProcHandler | undefined {
    // ipfrag_high_thresh and ipfrag_low_thresh bound each other (extra1 / extra2 point at the other).
    if (name === 'net.ipv4.ipfrag_high_thresh') return { kind: 'uint-minmax', min: this.globals.get('net.ipv4.ipfrag_low_thresh') ?? 0, max: INT_MAX };
    if (name === 'net.ipv4.ipfrag_low_thresh') return { kind: 'uint-minmax', min: 0, max: this.globals.get('net.ipv4.ipfrag_high_thresh') ?? INT_MAX };
    const global = GLOBAL_HANDLERS.get(name);
    if (global) return global;
    if (/^net\.ipv4\.conf\.[^.]+\.[a-z0-9_]+$/.test(name)) return this.get(name) === undefined ? undefined : CONF_HANDLER;
    const neigh = /^net\.ipv4\.neigh\.[^.]+\.([a-z0-9_]+)$/.exec(name);
    return neigh && this.get(name) !== undefined ? NEIGH_HANDLERS.get(neigh[1]!) : undefined;
  }

  /** Write a dotted sysctl name with a value already in range. Also accepts net.ipv4.route.flush (write-only). */
  set(name: string, value: number): SysctlWriteResult {
    if (name === 'net.ipv4.route.flush') {
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
    const conf = /^net\.ipv4\.conf\.([^.]+)\.([a-z0-9_]+)$/.exec(name);
    if (conf) return this.setConf(conf[1]!, conf[2]!, value);
    const neigh = /^net\.ipv4\.neigh\.([^.]+)\.([a-z0-9_]+)$/.exec(name);
    if (neigh) {
      const table = this.neigh.get(neigh[1]!);
      if (!table || !table.has(neigh[2]!)) return 'ENOENT';
      // unres_qlen and unres_qlen_bytes are one parameter (QUEUE_LEN_BYTES) seen in two units.
      const values: [string, number][] =
        neigh[2] === 'unres_qlen'
          ? [['unres_qlen', value], ['unres_qlen_bytes', value * UNRES_QLEN_TRUESIZE]]
          : neigh[2] === 'unres_qlen_bytes'
            ? [['unres_qlen_bytes', value], ['unres_qlen', Math.floor(value / UNRES_QLEN_TRUESIZE)]]
            : [[neigh[2]!, value]];
      for (const [key, v] of values) table.set(key, v);
      if (neigh[1] === 'default' && NEIGH_KEYS.some((k) => k.name === neigh[2])) {
        // Devices inherit default neighbour parameters they never had written (neigh_parms_data_state).
        for (const [dev, params] of this.neigh) {
          if (dev !== 'default' && !this.neighWritten.get(dev)?.has(neigh[2]!)) for (const [key, v] of values) params.set(key, v);
        }
      } else if (neigh[1] !== 'default') {
        const written = this.neighWritten.get(neigh[1]!) ?? new Set<string>();
        for (const [key] of values) written.add(key);
        this.neighWritten.set(neigh[1]!, written);
      }
      this.onWrite(name);
      return 'ok';
    }
    return 'ENOENT';
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
        for (const conf of this.devices.values()) if (!conf.locked && !conf.written.has(key)) conf.values.set(key, value);
      }
    } else {
      const conf = this.devices.get(scope)!;
      conf.values.set(key, value);
      conf.written.add(key);
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

  /** Whether a dotted name is a directory of the tree (net.ipv4.conf.all, net.ipv4.route, …). */
  isDirectory(name: string): boolean {
    const prefix = name + '.';
    return this.list().some(([key]) => key.startsWith(prefix)) || name === 'net.ipv4.route';
  }

  /** Every key with its value, sorted as `sysctl -a` prints them. */
  list(): [string, number][] {
    const entries: [string, number][] = [...this.globals];
    const scopes: [string, Map<string, number>][] = [['all', this.all], ['default', this.dflt]];
    for (const [dev, conf] of this.devices) scopes.push([dev, conf.values]);
    for (const [scope, values] of scopes) for (const [k, v] of values) entries.push([`net.ipv4.conf.${scope}.${k}`, v]);
    for (const [scope, values] of this.neigh) for (const [k, v] of values) entries.push([`net.ipv4.neigh.${scope}.${k}`, v]);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return entries;
  }
}
