/**
 * The records the route lookups hand out: a route decision with everything `ip route get` and
 * `route -C` print (the rtable: type, device, gateway, source, MTU and the RTCF_* flags), and the
 * query that asks for it (flowi4 plus the uid of `uidrange` rules).
 * Shared by output-route.ts, input-route.ts and route-cache.ts; no behaviour here.
 */
import type { Nanos } from '../node-host.js';
import type { Flow4, RouteInputDropReason, RouteType } from '../routing-api.js';
import type { KernelErrno } from '../fib/errors.js';
import type { FibRoute } from '../fib/types.js';

/** Route cache flags (RTCF_*), the ones `ip route get` and `route -C` show. */
export interface RouteFlags {
  local: boolean;
  broadcast: boolean;
  multicast: boolean;
  redirected: boolean;
  /** RTCF_DOREDIRECT: a forwarded packet would trigger an ICMP redirect. */
  doRedirect: boolean;
  /** RTCF_DIRECTSRC: the input packet's source is on-link via the input device. */
  directSrc: boolean;
}

export function noRouteFlags(): RouteFlags {
  return { local: false, broadcast: false, multicast: false, redirected: false, doRedirect: false, directSrc: false };
}

/** A route decision with everything `ip route get` prints. */
export interface RouteDecision {
  type: RouteType;
  dst: number;
  /** Chosen source (output) or packet source (input). */
  src: number;
  dev: string;
  gateway: number;
  table: number;
  scope: number;
  mtu: number;
  /** The route's MTU metric when set (printed as `mtu N`), else 0. */
  mtuMetric: number;
  mtuLock: boolean;
  /** Learned path MTU (exception), 0 when none. */
  pmtu: number;
  /** TOS of the FIB entry used (what `ip route get` prints as `tos`), 0 when none. */
  tos: number;
  flags: RouteFlags;
  input: boolean;
  iif: string;
  forward: boolean;
  /** Absolute expiry of a redirect/PMTU exception used, or 0. */
  expiresAt: Nanos;
  /** Error of an input route that exists but drops (ip_error), e.g. unreachable forward. */
  error?: KernelErrno;
  /** Why an input packet is dropped by the route (no route to forward it). */
  dropReason?: RouteInputDropReason;
  /** The FIB entry and nexthop used. */
  fib?: { route: FibRoute; nexthop: number };
}

export type DecisionOutcome =
  | { ok: true; decision: RouteDecision }
  | { ok: false; errno: KernelErrno; dropReason?: RouteInputDropReason };

/** The query of `ip route get`: a flow, plus the uid for `uidrange` rules. */
export interface RouteQuery extends Flow4 {
  uid?: number;
}
