/**
 * The FIB's records: route aliases (Linux's `fib_alias` + `fib_info`), nexthops, policy rules, and the
 * numeric names Linux and iproute2 use for scopes, tables, protocols and route types
 * (include/uapi/linux/rtnetlink.h, /etc/iproute2/rt_*). Leaves out IPv6 and nexthop objects (`nhid`).
 */
import type { RouteType } from '../routing-api.js';

export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

export const RTPROT_UNSPEC = 0;
export const RTPROT_REDIRECT = 1;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;

/** fib_props[]: minimal scope a route of the type may have, and the lookup error of reject types. */
export const ROUTE_TYPE_PROPS: Record<RouteType, { scope: number; error?: 'EINVAL' | 'EHOSTUNREACH' | 'EACCES' | 'EAGAIN' }> = {
  unicast: { scope: RT_SCOPE_UNIVERSE },
  local: { scope: RT_SCOPE_HOST },
  broadcast: { scope: RT_SCOPE_LINK },
  anycast: { scope: RT_SCOPE_LINK },
  multicast: { scope: RT_SCOPE_UNIVERSE },
  blackhole: { scope: RT_SCOPE_UNIVERSE, error: 'EINVAL' },
  unreachable: { scope: RT_SCOPE_UNIVERSE, error: 'EHOSTUNREACH' },
  prohibit: { scope: RT_SCOPE_UNIVERSE, error: 'EACCES' },
  throw: { scope: RT_SCOPE_UNIVERSE, error: 'EAGAIN' },
};

/** One nexthop of a route (fib_nh). */
export interface FibNexthop {
  /** Gateway, 0 when the destination is on-link. */
  gateway: number;
  /** Output device; '' for reject routes. */
  dev: string;
  weight: number;
  onlink: boolean;
  /** RTNH_F_DEAD: device admin down (or, with the compat setting, a static route kept through it). */
  dead: boolean;
  /** RTNH_F_LINKDOWN: carrier lost. */
  linkdown: boolean;
  /** fib_nh_scope: link when the gateway is used, host for on-link, nowhere for host-scope routes. */
  scope: number;
  /** Multipath upper bound (fib_rebalance), -1 when the nexthop must not be chosen. */
  upperBound: number;
  /**
   * Nexthop exceptions by destination (fib_nh_exception: redirects, PMTU); null until the first is
   * learned, as most nexthops never get one (a 1,000-node boot holds ~11,000 nexthops).
   */
  exceptions: Map<number, NexthopException> | null;
}

/** A learned nexthop exception (fib_nh_exception): redirect gateway and/or PMTU. */
export interface NexthopException {
  dst: number;
  /** Gateway learned from an ICMP redirect, 0 when none. */
  gateway: number;
  /** Expiry of the redirect (gc_timeout after it was learned), 0 when no redirect. */
  redirectExpiresAt: number;
  pmtu: number;
  pmtuExpiresAt: number;
}

/** A route in a table (fib_alias and its fib_info). */
export interface FibRoute {
  table: number;
  dst: number;
  prefixLength: number;
  tos: number;
  /** Metric (RTA_PRIORITY). */
  priority: number;
  type: RouteType;
  protocol: number;
  scope: number;
  /** Preferred source (RTA_PREFSRC), 0 when unset. */
  prefsrc: number;
  nexthops: FibNexthop[];
  /** Given with `nexthop …` syntax (printed as multipath even with one nexthop). */
  multipath: boolean;
  /** RTAX_MTU metric, 0 when unset, with its lock bit. */
  mtu: number;
  mtuLock: boolean;
  /** fib_info dead flag: every nexthop dead. */
  dead: boolean;
  /** Dead but kept in the table (compat `static-routes-survive-down`: proto static through device down). */
  keptDead: boolean;
  /** fa_default: the index fib_select_default chose last time (-1 none). */
  lastDefault: number;
}

export type RuleAction = 'lookup' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';

/**
 * A policy rule (fib_rule with its family's part): `A` is the family's address, a number for IPv4
 * (fib4_rule) and a bigint for IPv6 (fib6_rule); every other field is the shared fib_rule's.
 */
export interface FibRule<A = number> {
  priority: number;
  not: boolean;
  src: A;
  srcLength: number;
  dst: A;
  dstLength: number;
  tos: number;
  fwmark: number;
  fwmask: number;
  /** Mask given explicitly (`fwmark 0x10/0xff`). */
  fwmaskGiven: boolean;
  iif: string;
  oif: string;
  ipproto: number;
  sport: [number, number] | null;
  dport: [number, number] | null;
  uidRange: [number, number] | null;
  action: RuleAction;
  table: number;
  gotoTarget: number;
  suppressPrefixLength: number;
  suppressIfgroup: number;
  protocol: number;
}
