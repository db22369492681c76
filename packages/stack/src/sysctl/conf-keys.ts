/**
 * The net.ipv4.conf.{all,default,DEV}.* keys with their compiled defaults (devinet.c) and the rule
 * that combines `all` with the device value (include/linux/inetdevice.h: IN_DEV_ANDCONF, ORCONF,
 * MAXCONF, plain). Values observed in a fresh namespace on kernel 6.18 (linux-stack-facts.md §5).
 * Every key also names the kernel's proc_handler (proc-handlers.ts), which decides which values a
 * write may set; the bounds were checked by writing each key in a namespace on 6.18. The conf keys
 * are all plain ints (devinet_conf_proc, devinet_sysctl_forward).
 */
import { INT_MAX, UNRES_QLEN_TRUESIZE, type ProcHandler } from './proc-handlers.js';

export type CombineRule = 'dev' | 'and' | 'or' | 'max' | 'accept_redirects';

export interface ConfKey {
  name: string;
  /** Compiled default for `all` and for devices (`default` may differ: accept_source_route). */
  value: number;
  defaultValue?: number;
  rule: CombineRule;
}

export const CONF_KEYS: readonly ConfKey[] = [
  { name: 'accept_local', value: 0, rule: 'or' },
  { name: 'accept_redirects', value: 1, rule: 'accept_redirects' },
  { name: 'accept_source_route', value: 0, defaultValue: 1, rule: 'and' },
  { name: 'arp_accept', value: 0, rule: 'max' },
  { name: 'arp_announce', value: 0, rule: 'max' },
  { name: 'arp_evict_nocarrier', value: 1, rule: 'and' },
  { name: 'arp_filter', value: 0, rule: 'or' },
  { name: 'arp_ignore', value: 0, rule: 'max' },
  { name: 'arp_notify', value: 0, rule: 'max' },
  { name: 'bc_forwarding', value: 0, rule: 'and' },
  { name: 'bootp_relay', value: 0, rule: 'and' },
  { name: 'disable_policy', value: 0, rule: 'or' },
  { name: 'disable_xfrm', value: 0, rule: 'or' },
  { name: 'drop_gratuitous_arp', value: 0, rule: 'or' },
  { name: 'drop_unicast_in_l2_multicast', value: 0, rule: 'or' },
  { name: 'force_igmp_version', value: 0, rule: 'max' },
  { name: 'forwarding', value: 0, rule: 'dev' },
  { name: 'igmpv2_unsolicited_report_interval', value: 10000, rule: 'dev' },
  { name: 'igmpv3_unsolicited_report_interval', value: 1000, rule: 'dev' },
  { name: 'ignore_routes_with_linkdown', value: 0, rule: 'or' },
  { name: 'log_martians', value: 0, rule: 'or' },
  { name: 'mc_forwarding', value: 0, rule: 'and' },
  { name: 'medium_id', value: 0, rule: 'dev' },
  { name: 'promote_secondaries', value: 0, rule: 'or' },
  { name: 'proxy_arp', value: 0, rule: 'or' },
  { name: 'proxy_arp_pvlan', value: 0, rule: 'dev' },
  { name: 'route_localnet', value: 0, rule: 'or' },
  { name: 'rp_filter', value: 0, rule: 'max' },
  { name: 'secure_redirects', value: 1, rule: 'or' },
  { name: 'send_redirects', value: 1, rule: 'or' },
  { name: 'shared_media', value: 1, rule: 'or' },
  { name: 'src_valid_mark', value: 0, rule: 'or' },
  { name: 'tag', value: 0, rule: 'dev' },
];

/** A key outside net.ipv4.conf: its compiled default and its proc_handler. */
export interface ValueKey {
  name: string;
  value: number;
  handler: ProcHandler;
}

const INT: ProcHandler = { kind: 'int' };
const ZERO_INTMAX: ProcHandler = { kind: 'int-minmax', min: 0, max: INT_MAX };
const BOOL_U8: ProcHandler = { kind: 'u8-minmax', min: 0, max: 1 };

/** Keys that are read-only (mc_forwarding). */
export const READ_ONLY_CONF_KEYS: ReadonlySet<string> = new Set(['mc_forwarding']);

/**
 * net.ipv4.neigh.{default,DEV}.* (arp_tbl defaults, §6). Units as the files show them:
 * *_ms in milliseconds, delay_first_probe_time/gc_stale_time in seconds, locktime/proxy_delay/
 * anycast_delay in USER_HZ (1/100 s).
 */
export const NEIGH_KEYS: readonly ValueKey[] = [
  { name: 'anycast_delay', value: 100, handler: { kind: 'userhz-jiffies' } },
  { name: 'app_solicit', value: 0, handler: ZERO_INTMAX },
  { name: 'base_reachable_time_ms', value: 30000, handler: { kind: 'ms-jiffies' } },
  { name: 'delay_first_probe_time', value: 5, handler: { kind: 'jiffies' } },
  { name: 'gc_stale_time', value: 60, handler: { kind: 'jiffies' } },
  { name: 'interval_probe_time_ms', value: 5000, handler: { kind: 'ms-jiffies', minJiffies: 1 } },
  { name: 'locktime', value: 100, handler: { kind: 'userhz-jiffies' } },
  { name: 'mcast_resolicit', value: 0, handler: ZERO_INTMAX },
  { name: 'mcast_solicit', value: 3, handler: ZERO_INTMAX },
  { name: 'proxy_delay', value: 80, handler: { kind: 'userhz-jiffies' } },
  { name: 'proxy_qlen', value: 64, handler: ZERO_INTMAX },
  { name: 'retrans_time_ms', value: 1000, handler: { kind: 'ms-jiffies' } },
  { name: 'ucast_solicit', value: 3, handler: ZERO_INTMAX },
  { name: 'unres_qlen', value: 101, handler: { kind: 'int-minmax', min: 0, max: Math.floor(INT_MAX / UNRES_QLEN_TRUESIZE) } },
  { name: 'unres_qlen_bytes', value: 212992, handler: ZERO_INTMAX },
];

/** net.ipv4.neigh.default-only GC thresholds and interval. */
export const NEIGH_DEFAULT_ONLY_KEYS: readonly ValueKey[] = [
  { name: 'gc_interval', value: 30, handler: { kind: 'jiffies' } },
  { name: 'gc_thresh1', value: 128, handler: ZERO_INTMAX },
  { name: 'gc_thresh2', value: 512, handler: ZERO_INTMAX },
  { name: 'gc_thresh3', value: 1024, handler: ZERO_INTMAX },
];

const U8: ProcHandler = { kind: 'u8-minmax', min: 0, max: 255 };
/** MAX_TCP_SYNCNT: tcp_syn_retries and tcp_syn_linear_timeouts stop there. */
const SYNCNT: ProcHandler = { kind: 'u8-minmax', min: 1, max: 127 };

/** The net.ipv4.tcp_* keys TCP reads (tcp/), with Linux 6.18's defaults and proc handlers (sysctl_net_ipv4.c). */
const TCP_KEYS: readonly ValueKey[] = [
  { name: 'net.ipv4.tcp_abort_on_overflow', value: 0, handler: BOOL_U8 },
  { name: 'net.ipv4.tcp_fin_timeout', value: 60, handler: { kind: 'jiffies' } },
  { name: 'net.ipv4.tcp_keepalive_intvl', value: 75, handler: { kind: 'jiffies' } },
  { name: 'net.ipv4.tcp_keepalive_probes', value: 9, handler: U8 },
  { name: 'net.ipv4.tcp_keepalive_time', value: 7200, handler: { kind: 'jiffies' } },
  { name: 'net.ipv4.tcp_max_syn_backlog', value: 2048, handler: INT },
  { name: 'net.ipv4.tcp_orphan_retries', value: 0, handler: U8 },
  { name: 'net.ipv4.tcp_retries1', value: 3, handler: U8 },
  { name: 'net.ipv4.tcp_retries2', value: 15, handler: U8 },
  { name: 'net.ipv4.tcp_sack', value: 1, handler: BOOL_U8 },
  { name: 'net.ipv4.tcp_syn_linear_timeouts', value: 4, handler: { kind: 'u8-minmax', min: 0, max: 127 } },
  { name: 'net.ipv4.tcp_syn_retries', value: 6, handler: SYNCNT },
  { name: 'net.ipv4.tcp_synack_retries', value: 5, handler: U8 },
  { name: 'net.ipv4.tcp_timestamps', value: 1, handler: { kind: 'u8-minmax', min: 0, max: 2 } },
  { name: 'net.ipv4.tcp_tw_reuse', value: 2, handler: { kind: 'u8-minmax', min: 0, max: 2 } },
  { name: 'net.ipv4.tcp_window_scaling', value: 1, handler: BOOL_U8 },
];

/** Global net.ipv4.* values (init_net on a HZ=250 kernel, where route/* are in jiffies or seconds). */
export const GLOBAL_KEYS: readonly ValueKey[] = [
  { name: 'net.ipv4.fib_multipath_hash_fields', value: 7, handler: { kind: 'uint-minmax', min: 1, max: 0xfff } },
  { name: 'net.ipv4.fib_multipath_hash_policy', value: 0, handler: { kind: 'u8-minmax', min: 0, max: 3 } },
  // proc_fib_multipath_hash_seed: any u32; 0 (the default) is a random key drawn by the kernel (fib/multipath.ts).
  { name: 'net.ipv4.fib_multipath_hash_seed', value: 0, handler: { kind: 'uint-minmax', min: 0, max: 0xffffffff } },
  { name: 'net.ipv4.fib_multipath_use_neigh', value: 0, handler: BOOL_U8 },
  { name: 'net.ipv4.icmp_echo_ignore_all', value: 0, handler: BOOL_U8 },
  { name: 'net.ipv4.icmp_echo_ignore_broadcasts', value: 1, handler: BOOL_U8 },
  { name: 'net.ipv4.icmp_errors_use_inbound_ifaddr', value: 0, handler: BOOL_U8 },
  { name: 'net.ipv4.icmp_ignore_bogus_error_responses', value: 1, handler: BOOL_U8 },
  { name: 'net.ipv4.icmp_msgs_burst', value: 50, handler: ZERO_INTMAX },
  { name: 'net.ipv4.icmp_msgs_per_sec', value: 1000, handler: ZERO_INTMAX },
  { name: 'net.ipv4.icmp_ratelimit', value: 1000, handler: { kind: 'ms-jiffies' } },
  { name: 'net.ipv4.icmp_ratemask', value: 6168, handler: INT },
  { name: 'net.ipv4.ip_default_ttl', value: 64, handler: { kind: 'u8-minmax', min: 1, max: 255 } },
  { name: 'net.ipv4.ip_forward', value: 0, handler: INT },
  { name: 'net.ipv4.ip_no_pmtu_disc', value: 0, handler: { kind: 'u8-minmax', min: 0, max: 255 } },
  // Fragment reassembly (ipv4/fragmentation.ts). The kernel's thresholds are unsigned longs bounded
  // by each other (high >= low, sysctl-tree.ts); here they stop at INT_MAX.
  { name: 'net.ipv4.ipfrag_high_thresh', value: 4194304, handler: { kind: 'uint-minmax', min: 0, max: INT_MAX } },
  { name: 'net.ipv4.ipfrag_low_thresh', value: 3145728, handler: { kind: 'uint-minmax', min: 0, max: INT_MAX } },
  { name: 'net.ipv4.ipfrag_time', value: 30, handler: { kind: 'jiffies' } },
  { name: 'net.ipv4.route.error_burst', value: 1250, handler: INT },
  { name: 'net.ipv4.route.error_cost', value: 250, handler: INT },
  { name: 'net.ipv4.route.gc_elasticity', value: 8, handler: INT },
  { name: 'net.ipv4.route.gc_interval', value: 60, handler: { kind: 'jiffies' } },
  { name: 'net.ipv4.route.gc_min_interval', value: 0, handler: { kind: 'jiffies' } },
  { name: 'net.ipv4.route.gc_min_interval_ms', value: 500, handler: { kind: 'ms-jiffies' } },
  { name: 'net.ipv4.route.gc_thresh', value: -1, handler: INT },
  { name: 'net.ipv4.route.gc_timeout', value: 300, handler: { kind: 'jiffies' } },
  { name: 'net.ipv4.route.max_size', value: 2147483647, handler: INT },
  { name: 'net.ipv4.route.min_adv_mss', value: 256, handler: INT },
  { name: 'net.ipv4.route.min_pmtu', value: 552, handler: { kind: 'int-minmax', min: 68, max: INT_MAX } },
  { name: 'net.ipv4.route.mtu_expires', value: 600, handler: { kind: 'jiffies' } },
  { name: 'net.ipv4.route.redirect_load', value: 5, handler: INT },
  { name: 'net.ipv4.route.redirect_number', value: 9, handler: INT },
  { name: 'net.ipv4.route.redirect_silence', value: 5120, handler: INT },
  ...TCP_KEYS,
];
