/**
 * The net.ipv6 directory IPv6 registers (addrconf_init, ipv6_sysctl_register): the global keys
 * (bindv6only, icmp.*, ip6frag_*, route.*, flow labels, extension header limits) and
 * net.ipv6.conf.{all,default,DEV}.*. net.ipv6.neigh is NDP's (neigh-sysctls.ts).
 *
 * Follows addrconf.c as observed in a fresh namespace on kernel 6.18: a device's conf is a copy
 * of `default` when it is registered (ipv6_add_dev), with `mtu` its device's MTU and, on
 * loopback, accept_dad and use_tempaddr -1; `all` has accept_dad 0. Unlike IPv4, a write to
 * `default.X` reaches no existing device; a write to `all.X` is kept in `all` only, except
 * forwarding (addrconf_fixup_forwarding), disable_ipv6 (addrconf_disable_ipv6), addr_gen_mode and
 * ignore_routes_with_linkdown, which set `default` and every device too. The effective value is
 * the caller's to combine (proxy_ndp is all OR device, accept_dad the larger, most others the
 * device's alone). Each key's proc_handler and bounds were found by writing values in a namespace:
 * hop_limit 1–255, mtu from 1280 to the device's MTU, addr_gen_mode 0–3 but a device refuses 2
 * (stable-privacy needs a stable_secret: only mode 3, random, draws one), and so on. stable_secret
 * is a text file that reads EIO until set: the model lists it as unreadable and never sets it.
 * Leaves out: stable_secret's value and icmp.ratemask (text files), ioam6_id_wide's global
 * (2^56 − 1 is past a double's exact integers).
 */
import { ConfScopes } from './conf-scopes.js';
import { OverlayValues } from './overlay-values.js';
import { INT_MAX, type ProcHandler } from './proc-handlers.js';
import type { SysctlDirectory, SysctlWriteResult } from './sysctl-tree.js';

const INT: ProcHandler = { kind: 'int' };
const U8: ProcHandler = { kind: 'u8-minmax', min: 0, max: 255 };
const U8_BOOL: ProcHandler = { kind: 'u8-minmax', min: 0, max: 1 };
const JIFFIES: ProcHandler = { kind: 'jiffies' };
const MS_JIFFIES: ProcHandler = { kind: 'ms-jiffies' };
const U32_MAX = 0xffffffff;
/** IPV6_MIN_MTU. */
const MIN_MTU = 1280;

interface Ipv6Key {
  name: string;
  value: number;
  handler: ProcHandler;
}

/** net.ipv6.conf.default.* (ipv6_devconf_dflt) on 6.18, with each file's handler. */
export const IPV6_CONF_KEYS: readonly Ipv6Key[] = [
  { name: 'accept_dad', value: 1, handler: INT },
  { name: 'accept_ra', value: 1, handler: INT },
  { name: 'accept_ra_defrtr', value: 1, handler: INT },
  { name: 'accept_ra_from_local', value: 0, handler: INT },
  { name: 'accept_ra_min_hop_limit', value: 1, handler: INT },
  { name: 'accept_ra_min_lft', value: 0, handler: INT },
  { name: 'accept_ra_mtu', value: 1, handler: INT },
  { name: 'accept_ra_pinfo', value: 1, handler: INT },
  { name: 'accept_ra_rt_info_max_plen', value: 0, handler: INT },
  { name: 'accept_ra_rt_info_min_plen', value: 0, handler: INT },
  { name: 'accept_ra_rtr_pref', value: 1, handler: INT },
  { name: 'accept_redirects', value: 1, handler: INT },
  { name: 'accept_source_route', value: 0, handler: INT },
  { name: 'accept_untracked_na', value: 0, handler: { kind: 'int-minmax', min: 0, max: 2 } },
  { name: 'addr_gen_mode', value: 0, handler: { kind: 'int-minmax', min: 0, max: 3 } },
  { name: 'autoconf', value: 1, handler: INT },
  { name: 'dad_transmits', value: 1, handler: INT },
  { name: 'disable_ipv6', value: 0, handler: INT },
  { name: 'disable_policy', value: 0, handler: INT },
  { name: 'drop_unicast_in_l2_multicast', value: 0, handler: INT },
  { name: 'drop_unsolicited_na', value: 0, handler: INT },
  { name: 'enhanced_dad', value: 1, handler: INT },
  { name: 'force_forwarding', value: 0, handler: U8_BOOL },
  { name: 'force_mld_version', value: 0, handler: INT },
  { name: 'force_tllao', value: 0, handler: INT },
  { name: 'forwarding', value: 0, handler: INT },
  { name: 'hop_limit', value: 64, handler: { kind: 'int-minmax', min: 1, max: 255 } },
  { name: 'ignore_routes_with_linkdown', value: 0, handler: INT },
  { name: 'ioam6_enabled', value: 0, handler: U8_BOOL },
  { name: 'ioam6_id', value: 65535, handler: { kind: 'uint-minmax', min: 0, max: 0xffff } },
  { name: 'ioam6_id_wide', value: U32_MAX, handler: { kind: 'uint-minmax', min: 0, max: U32_MAX } },
  { name: 'keep_addr_on_down', value: 0, handler: INT },
  { name: 'max_addresses', value: 16, handler: INT },
  { name: 'max_desync_factor', value: 600, handler: INT },
  { name: 'mldv1_unsolicited_report_interval', value: 10000, handler: MS_JIFFIES },
  { name: 'mldv2_unsolicited_report_interval', value: 1000, handler: MS_JIFFIES },
  { name: 'mtu', value: MIN_MTU, handler: { kind: 'int-minmax', min: MIN_MTU, max: INT_MAX } },
  { name: 'ndisc_evict_nocarrier', value: 1, handler: U8_BOOL },
  { name: 'ndisc_notify', value: 0, handler: INT },
  { name: 'ndisc_tclass', value: 0, handler: { kind: 'int-minmax', min: 0, max: 255 } },
  { name: 'optimistic_dad', value: 0, handler: INT },
  { name: 'proxy_ndp', value: 0, handler: INT },
  { name: 'ra_defrtr_metric', value: 1024, handler: { kind: 'uint-minmax', min: 1, max: U32_MAX } },
  { name: 'ra_honor_pio_life', value: 0, handler: U8_BOOL },
  { name: 'ra_honor_pio_pflag', value: 0, handler: U8_BOOL },
  { name: 'regen_max_retry', value: 3, handler: INT },
  { name: 'regen_min_advance', value: 2, handler: INT },
  { name: 'router_probe_interval', value: 60, handler: JIFFIES },
  { name: 'router_solicitation_delay', value: 1, handler: JIFFIES },
  { name: 'router_solicitation_interval', value: 4, handler: JIFFIES },
  { name: 'router_solicitation_max_interval', value: 3600, handler: JIFFIES },
  { name: 'router_solicitations', value: -1, handler: { kind: 'int-minmax', min: -1, max: INT_MAX } },
  { name: 'rpl_seg_enabled', value: 0, handler: { kind: 'int-minmax', min: 0, max: 1 } },
  { name: 'seg6_enabled', value: 0, handler: INT },
  { name: 'suppress_frag_ndisc', value: 1, handler: INT },
  { name: 'temp_prefered_lft', value: 86400, handler: INT },
  { name: 'temp_valid_lft', value: 604800, handler: INT },
  { name: 'use_oif_addrs_only', value: 0, handler: INT },
  { name: 'use_optimistic', value: 0, handler: INT },
  { name: 'use_tempaddr', value: 0, handler: INT },
];

/** Global net.ipv6.* values of a fresh namespace on 6.18, with each file's handler. */
export const IPV6_GLOBAL_KEYS: readonly Ipv6Key[] = [
  { name: 'net.ipv6.anycast_src_echo_reply', value: 0, handler: U8 },
  { name: 'net.ipv6.auto_flowlabels', value: 1, handler: { kind: 'u8-minmax', min: 0, max: 3 } },
  { name: 'net.ipv6.bindv6only', value: 0, handler: U8 },
  { name: 'net.ipv6.fib_multipath_hash_fields', value: 7, handler: { kind: 'uint-minmax', min: 1, max: 0xfff } },
  { name: 'net.ipv6.fib_multipath_hash_policy', value: 0, handler: { kind: 'u8-minmax', min: 0, max: 3 } },
  { name: 'net.ipv6.fib_notify_on_flag_change', value: 0, handler: { kind: 'u8-minmax', min: 0, max: 2 } },
  { name: 'net.ipv6.flowlabel_consistency', value: 1, handler: U8 },
  { name: 'net.ipv6.flowlabel_reflect', value: 0, handler: { kind: 'int-minmax', min: 0, max: 7 } },
  { name: 'net.ipv6.flowlabel_state_ranges', value: 0, handler: U8 },
  { name: 'net.ipv6.fwmark_reflect', value: 0, handler: U8 },
  { name: 'net.ipv6.icmp.echo_ignore_all', value: 0, handler: U8 },
  { name: 'net.ipv6.icmp.echo_ignore_anycast', value: 0, handler: U8 },
  { name: 'net.ipv6.icmp.echo_ignore_multicast', value: 0, handler: U8 },
  { name: 'net.ipv6.icmp.error_anycast_as_unicast', value: 0, handler: U8_BOOL },
  { name: 'net.ipv6.icmp.ratelimit', value: 100, handler: MS_JIFFIES },
  { name: 'net.ipv6.idgen_delay', value: 1, handler: JIFFIES },
  { name: 'net.ipv6.idgen_retries', value: 3, handler: INT },
  { name: 'net.ipv6.ioam6_id', value: 0xffffff, handler: { kind: 'uint-minmax', min: 0, max: 0xffffff } },
  { name: 'net.ipv6.ip6frag_high_thresh', value: 4194304, handler: { kind: 'uint-minmax', min: 0, max: INT_MAX } },
  { name: 'net.ipv6.ip6frag_low_thresh', value: 3145728, handler: { kind: 'uint-minmax', min: 0, max: INT_MAX } },
  { name: 'net.ipv6.ip6frag_time', value: 60, handler: JIFFIES },
  { name: 'net.ipv6.ip_nonlocal_bind', value: 0, handler: U8 },
  { name: 'net.ipv6.max_dst_opts_length', value: INT_MAX, handler: INT },
  { name: 'net.ipv6.max_dst_opts_number', value: 8, handler: INT },
  { name: 'net.ipv6.max_hbh_length', value: INT_MAX, handler: INT },
  { name: 'net.ipv6.max_hbh_opts_number', value: 8, handler: INT },
  { name: 'net.ipv6.route.gc_elasticity', value: 9, handler: INT },
  { name: 'net.ipv6.route.gc_interval', value: 30, handler: JIFFIES },
  { name: 'net.ipv6.route.gc_min_interval', value: 0, handler: JIFFIES },
  { name: 'net.ipv6.route.gc_min_interval_ms', value: 500, handler: MS_JIFFIES },
  { name: 'net.ipv6.route.gc_thresh', value: 1024, handler: INT },
  { name: 'net.ipv6.route.gc_timeout', value: 60, handler: JIFFIES },
  { name: 'net.ipv6.route.max_size', value: INT_MAX, handler: INT },
  { name: 'net.ipv6.route.min_adv_mss', value: 1220, handler: INT },
  { name: 'net.ipv6.route.mtu_expires', value: 600, handler: JIFFIES },
  { name: 'net.ipv6.route.skip_notify_on_dev_down', value: 0, handler: { kind: 'int-minmax', min: 0, max: 1 } },
  { name: 'net.ipv6.seg6_flowlabel', value: 0, handler: INT },
  { name: 'net.ipv6.xfrm6_gc_thresh', value: 32768, handler: INT },
];

const CONF_HANDLERS = new Map<string, ProcHandler>(IPV6_CONF_KEYS.map((k) => [k.name, k.handler]));
const GLOBAL_HANDLERS = new Map<string, ProcHandler>(IPV6_GLOBAL_KEYS.map((k) => [k.name, k.handler]));
/** `all.X` writes that also set `default` and every device. */
const ALL_SETS_EVERY_DEVICE: ReadonlySet<string> = new Set(['forwarding', 'disable_ipv6', 'addr_gen_mode', 'ignore_routes_with_linkdown']);
/** IN6_ADDR_GEN_MODE_STABLE_PRIVACY: refused without a stable_secret. */
const ADDR_GEN_MODE_STABLE_PRIVACY = 2;
const ADDR_GEN_MODE_RANDOM = 3;
const ROUTE_FLUSH = 'net.ipv6.route.flush';
const CONF_NAME = /^net\.ipv6\.conf\.([^.]+)\.([a-z0-9_]+)$/;

/** The defaults every node starts from (OverlayValues shares them). */
const GLOBAL_DEFAULTS: ReadonlyMap<string, number> = new Map(IPV6_GLOBAL_KEYS.map((k) => [k.name, k.value]));
const ALL_DEFAULTS: ReadonlyMap<string, number> = new Map(IPV6_CONF_KEYS.map((k) => [k.name, k.name === 'accept_dad' ? 0 : k.value]));
const DEFAULT_DEFAULTS: ReadonlyMap<string, number> = new Map(IPV6_CONF_KEYS.map((k) => [k.name, k.value]));

interface Ipv6DeviceConf {
  values: OverlayValues;
  /** The device's MTU: the upper bound of net.ipv6.conf.DEV.mtu. */
  deviceMtu: number;
  /** stable_secret initialised: addr_gen_mode 3 (random) draws one (ipv6_gen_mode_random_init). */
  hasSecret: boolean;
}

export class AddrconfSysctls implements SysctlDirectory {
  readonly prefix = 'net.ipv6';
  private readonly globals = new OverlayValues(GLOBAL_DEFAULTS);
  private readonly scopes = new ConfScopes<Ipv6DeviceConf>('net.ipv6.conf', new OverlayValues(ALL_DEFAULTS), new OverlayValues(DEFAULT_DEFAULTS));
  private readonly all = this.scopes.all;
  private readonly dflt = this.scopes.dflt;
  private readonly devices = this.scopes.devices;

  constructor(private readonly onWrite: (name: string) => void) {}

  /** ipv6_add_dev: a copy of `default`, mtu the device's; loopback without DAD or temporary addresses. */
  addDevice(name: string, isLoopback: boolean, mtu: number): void {
    const values = this.dflt.copy();
    values.set('mtu', mtu);
    if (isLoopback) {
      values.set('accept_dad', -1);
      values.set('use_tempaddr', -1);
    }
    this.devices.set(name, { values, deviceMtu: mtu, hasSecret: false });
  }

  removeDevice(name: string): void {
    this.devices.delete(name);
  }

  renameDevice(from: string, to: string): void {
    this.scopes.rename(from, to);
  }

  /** NETDEV_CHANGEMTU: the IPv6 MTU follows the device's. */
  deviceMtuChanged(name: string, mtu: number): void {
    const conf = this.devices.get(name);
    if (conf === undefined) return;
    conf.deviceMtu = mtu;
    conf.values.set('mtu', mtu);
  }

  /** net.ipv6.conf.SCOPE.KEY as stored (SCOPE all, default or a device). */
  confRaw(scope: string, key: string): number | undefined {
    return this.scopes.raw(scope, key);
  }

  get(name: string): number | undefined {
    return this.globals.get(name) ?? this.scopes.read(name);
  }

  writeOnly(): readonly string[] {
    return [ROUTE_FLUSH];
  }

  /** net.ipv6.route.flush takes any text (ipv6_sysctl_rtcache_flush). */
  writeSpecial(name: string): SysctlWriteResult | undefined {
    if (name !== ROUTE_FLUSH) return undefined;
    this.onWrite(name);
    return 'ok';
  }

  handlerOf(name: string): ProcHandler | undefined {
    // ip6frag_high_thresh and ip6frag_low_thresh bound each other, as IPv4's do.
    if (name === 'net.ipv6.ip6frag_high_thresh') return { kind: 'uint-minmax', min: this.globals.get('net.ipv6.ip6frag_low_thresh') ?? 0, max: INT_MAX };
    if (name === 'net.ipv6.ip6frag_low_thresh') return { kind: 'uint-minmax', min: 0, max: this.globals.get('net.ipv6.ip6frag_high_thresh') ?? INT_MAX };
    const global = GLOBAL_HANDLERS.get(name);
    if (global !== undefined) return global;
    const conf = CONF_NAME.exec(name);
    if (!conf || this.get(name) === undefined) return undefined;
    const [, scope, key] = conf as unknown as [string, string, string];
    // addrconf_sysctl_mtu: a device's IPv6 MTU lies between IPV6_MIN_MTU and the device's MTU.
    const device = this.devices.get(scope);
    if (key === 'mtu' && device !== undefined) return { kind: 'int-minmax', min: MIN_MTU, max: device.deviceMtu };
    return CONF_HANDLERS.get(key);
  }

  set(name: string, value: number): SysctlWriteResult {
    if (!Number.isInteger(value)) return 'EINVAL';
    if (this.globals.has(name)) {
      this.globals.set(name, value);
      this.onWrite(name);
      return 'ok';
    }
    const conf = CONF_NAME.exec(name);
    if (!conf) return 'ENOENT';
    const [, scope, key] = conf as unknown as [string, string, string];
    if (!CONF_HANDLERS.has(key)) return 'ENOENT';
    if (scope === 'all') {
      this.all.set(key, value);
      if (ALL_SETS_EVERY_DEVICE.has(key)) {
        this.dflt.set(key, value);
        for (const device of this.devices.values()) this.setDevice(device, key, value);
      }
    } else if (scope === 'default') {
      this.dflt.set(key, value);
    } else {
      const device = this.devices.get(scope);
      if (device === undefined) return 'ENOENT';
      // check_stable_privacy: only a device refuses stable-privacy without a secret (all and default take it).
      if (key === 'addr_gen_mode' && value === ADDR_GEN_MODE_STABLE_PRIVACY && !device.hasSecret) return 'EINVAL';
      this.setDevice(device, key, value);
    }
    this.onWrite(name);
    return 'ok';
  }

  private setDevice(device: Ipv6DeviceConf, key: string, value: number): void {
    device.values.set(key, value);
    if (key === 'addr_gen_mode' && value === ADDR_GEN_MODE_RANDOM) device.hasSecret = true;
  }

  /** stable_secret exists in every conf directory but reads EIO while it is not set (the model never sets it). */
  unreadable(): string[] {
    return ['all', 'default', ...this.devices.keys()].map((scope) => `net.ipv6.conf.${scope}.stable_secret`);
  }

  /** net.ipv6.route holds the write-only flush beside its keys. */
  isDirectory(name: string): boolean {
    return name === 'net.ipv6.route';
  }

  list(): [string, number][] {
    return [...this.globals, ...this.scopes.list()];
  }
}
