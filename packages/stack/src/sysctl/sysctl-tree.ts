/**
 * One node's sysctl tree: the dotted names of /proc/sys/net, as directories registered by the
 * protocols that own them (Linux's register_net_sysctl: devinet_init for net.ipv4.conf and the
 * IPv4 globals, addrconf_init for net.ipv6.conf and the IPv6 globals, neigh_sysctl_register from
 * arp_init and ndisc_init for net.ipv4.neigh and net.ipv6.neigh). The tree itself knows no
 * protocol: it finds the directory that owns a name, reads and writes through it (a written text
 * goes through the key's proc_handler, proc-handlers.ts), tells every directory about devices
 * coming, going and being renamed, and lists all keys sorted as `sysctl -a` prints them.
 * The constructor registers a Linux node's directories (net-sysctls.ts) unless told otherwise; `conf`,
 * `confRaw`, `neighParam` and `lockDefaults` are the IPv4 directories' accessors that the routing
 * code reads through the tree, `conf6Raw` the IPv6 conf directory's that addrconf reads.
 * Leaves out net.core and the other non-net trees.
 */
import { registerNetSysctls } from './net-sysctls.js';
import { procWrite, type ProcHandler } from './proc-handlers.js';

export type SysctlWriteResult = 'ok' | 'ENOENT' | 'EINVAL' | 'EPERM';

/** A directory of the tree, registered by the protocol that owns it. */
export interface SysctlDirectory {
  /** The dotted names it owns start with this and a dot (`net.ipv4`, `net.ipv6.neigh`). */
  readonly prefix: string;
  get(name: string): number | undefined;
  /** The proc_handler a write goes through; undefined when the name is not a writable key here. */
  handlerOf(name: string): ProcHandler | undefined;
  /** Store a value already checked by the handler; EINVAL for a value that is not an integer. */
  set(name: string, value: number): SysctlWriteResult;
  /** Every key with its value. */
  list(): [string, number][];
  /** A write that bypasses the handler (write-only files such as net.ipv4.route.flush); undefined: the usual path. */
  writeSpecial?(name: string, text: string): SysctlWriteResult | undefined;
  /** Files that can be written but not read (mode 0200: the route.flush files). */
  writeOnly?(): readonly string[];
  /** Keys that exist but whose read fails (EIO: net.ipv6.conf.*.stable_secret while unset). */
  unreadable?(): string[];
  /** Directories with no readable key below them (net.ipv4.route: only flush). */
  isDirectory?(name: string): boolean;
  addDevice(name: string, isLoopback: boolean, mtu: number): void;
  removeDevice(name: string): void;
  renameDevice(from: string, to: string): void;
  /** The device's MTU changed (addrconf's NETDEV_CHANGEMTU keeps net.ipv6.conf.DEV.mtu equal to it). */
  deviceMtuChanged?(name: string, mtu: number): void;
}

/** The IPv4 directories' accessors the routing code reads (devinet-sysctls.ts, neigh-sysctls.ts). */
export interface Ipv4ConfAccessors {
  conf(dev: string, key: string): number;
  confRaw(scope: string, key: string): number | undefined;
  lockDefaults(name: string): void;
}

/** The IPv6 conf directory's accessor addrconf reads through (addrconf-sysctls.ts). */
export interface Ipv6ConfAccessor {
  confRaw(scope: string, key: string): number | undefined;
}

export interface NeighParamAccessor {
  neighParam(dev: string, key: string): number | undefined;
}

export class SysctlTree {
  private readonly directories: SysctlDirectory[] = [];
  private ipv4Conf: Ipv4ConfAccessors | undefined;
  private ipv4Neigh: NeighParamAccessor | undefined;
  private ipv6Conf: Ipv6ConfAccessor | undefined;

  /**
   * `onWrite` is called after any write that can change routing decisions (rt_cache_flush);
   * `register` registers the owners' directories (a Linux node's: net-sysctls.ts).
   */
  constructor(
    readonly onWrite: (name: string) => void = () => {},
    register: (tree: SysctlTree) => void = registerNetSysctls,
  ) {
    register(this);
  }

  /** register_net_sysctl: `directory` owns every name below its prefix; a prefix registered twice is a wiring bug. */
  register(directory: SysctlDirectory): void {
    if (this.directories.some((d) => d.prefix === directory.prefix)) throw new Error(`sysctl: ${directory.prefix} is registered already`);
    // Longest prefix first, so net.ipv4.neigh wins over net.ipv4; among equal lengths, in the order registered.
    const at = this.directories.findIndex((d) => d.prefix.length < directory.prefix.length);
    this.directories.splice(at < 0 ? this.directories.length : at, 0, directory);
  }

  /** The IPv4 conf and neigh directories whose accessors `conf`, `confRaw`, `lockDefaults` and `neighParam` are. */
  attachIpv4(conf: Ipv4ConfAccessors, neigh: NeighParamAccessor): void {
    this.ipv4Conf = conf;
    this.ipv4Neigh = neigh;
  }

  /** The IPv6 conf directory whose accessor `conf6Raw` is. */
  attachIpv6(conf: Ipv6ConfAccessor): void {
    this.ipv6Conf = conf;
  }

  /** Raw value of net.ipv6.conf.SCOPE.KEY (SCOPE = all, default or a device): what `get` reads for that name. */
  conf6Raw(scope: string, key: string): number | undefined {
    if (this.ipv6Conf === undefined) throw new Error('sysctl: no net.ipv6.conf directory attached (SysctlTree.attachIpv6)');
    return this.ipv6Conf.confRaw(scope, key);
  }

  private get ipv4(): Ipv4ConfAccessors {
    if (this.ipv4Conf === undefined) throw new Error('sysctl: no net.ipv4 directory attached (SysctlTree.attachIpv4)');
    return this.ipv4Conf;
  }

  private directoryOf(name: string): SysctlDirectory | undefined {
    // Every sysctl read comes here (addrconf reads a dozen per address): no string built per directory.
    for (const d of this.directories) if (name.startsWith(d.prefix) && name.charCodeAt(d.prefix.length) === 0x2e) return d;
    return undefined;
  }

  /** A device was registered: each directory gives it its per-device keys (inetdev_init, ipv6_add_dev, neigh_parms_alloc). */
  addDevice(name: string, isLoopback: boolean, mtu = isLoopback ? 65536 : 1500): void {
    for (const d of this.directories) d.addDevice(name, isLoopback, mtu);
  }

  removeDevice(name: string): void {
    for (const d of this.directories) d.removeDevice(name);
  }

  /** NETDEV_CHANGENAME: the device's directories move to the new name with their values. */
  renameDevice(from: string, to: string): void {
    for (const d of this.directories) d.renameDevice(from, to);
  }

  /** NETDEV_CHANGEMTU. */
  deviceMtuChanged(name: string, mtu: number): void {
    for (const d of this.directories) d.deviceMtuChanged?.(name, mtu);
  }

  /** ipv4_devconf_setall: an IPv4 address was added to the device. */
  lockDefaults(name: string): void {
    this.ipv4.lockDefaults(name);
  }

  /** Raw value of net.ipv4.conf.SCOPE.KEY (SCOPE = all, default or a device). */
  confRaw(scope: string, key: string): number | undefined {
    return this.ipv4.confRaw(scope, key);
  }

  /** Effective IPv4 value for a device with Linux's all/device combining rule. */
  conf(dev: string, key: string): number {
    return this.ipv4.conf(dev, key);
  }

  /** net.ipv4.neigh.DEV.KEY (the default's when the device has none). */
  neighParam(dev: string, key: string): number | undefined {
    if (this.ipv4Neigh === undefined) throw new Error('sysctl: no net.ipv4.neigh directory attached (SysctlTree.attachIpv4)');
    return this.ipv4Neigh.neighParam(dev, key);
  }

  /** Value of a dotted sysctl name, or undefined when no such key exists. */
  get(name: string): number | undefined {
    return this.directoryOf(name)?.get(name);
  }

  /**
   * Write the text a user wrote (`sysctl -w NAME=TEXT`, `echo TEXT > /proc/sys/…`) through the
   * key's proc_handler: EINVAL when the kernel would refuse it.
   */
  write(name: string, text: string): SysctlWriteResult {
    const directory = this.directoryOf(name);
    if (directory === undefined) return 'ENOENT';
    const special = directory.writeSpecial?.(name, text);
    if (special !== undefined) return special;
    const handler = directory.handlerOf(name);
    if (handler === undefined) return 'ENOENT';
    const value = procWrite(handler, text);
    return value === null ? 'EINVAL' : directory.set(name, value);
  }

  /** Write a dotted sysctl name with a value already in range (a directory refuses a non-integer: EINVAL). */
  set(name: string, value: number): SysctlWriteResult {
    return this.directoryOf(name)?.set(name, value) ?? 'ENOENT';
  }

  /** Whether a dotted name is a directory of the tree (net.ipv4.conf.all, net.ipv4.route, …). */
  isDirectory(name: string): boolean {
    const prefix = name + '.';
    return this.directories.some((d) => d.isDirectory?.(name) === true) || this.list().some(([key]) => key.startsWith(prefix));
  }

  /** A file that exists but only for writing (reading it is silent in procps; writing takes any text). */
  isWriteOnly(name: string): boolean {
    return this.directoryOf(name)?.writeOnly?.().includes(name) === true;
  }

  /** Keys that exist but cannot be read (EIO). */
  unreadableKeys(): string[] {
    return this.directories.flatMap((d) => d.unreadable?.() ?? []);
  }

  /** Every key with its value, sorted as `sysctl -a` prints them. */
  list(): [string, number][] {
    const entries: [string, number][] = [];
    for (const d of this.directories) entries.push(...d.list());
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return entries;
  }
}
