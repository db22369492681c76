/**
 * The seam inside the stack between the control plane (devices, addresses, sysctl, rules,
 * tables, route cache, and the shell commands that show and change them — `kernel.ts`, `fib/`,
 * `shell/`) and the datapath (neighbours, IPv4 input/forward/output, ICMP, sockets — `neigh/`,
 * `ipv4/`, `sockets/`, `node.ts`).
 *
 * IPv4 addresses are unsigned 32-bit numbers (`>>> 0`) on this seam; text only at the edges.
 * A lookup returns an outcome and never acts (ns-3 style): the datapath decides what to do with it.
 */
import type { DeviceKind } from './device-kinds.js';
import type { Nanos } from './node-host.js';
import type { Errno } from './process.js';

export type RouteType =
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'multicast'
  | 'anycast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw';

/** A flow to route, as `ip route get` and the datapath describe it (flowi4). */
export interface Flow4 {
  dst: number;
  /** Source address if already chosen (bound socket, `from`, or the packet's source on input). */
  src?: number;
  /** Input interface: set for a received packet (input route), unset for locally generated. */
  iif?: string;
  /** Output interface constraint (SO_BINDTODEVICE, `oif`, IP_PKTINFO ifindex). */
  oif?: string;
  tos?: number;
  mark?: number;
  /** IP protocol and ports for rule selectors (ipproto/sport/dport). */
  proto?: number;
  sport?: number;
  dport?: number;
}

/** A successful route: where a packet for the flow goes. */
export interface Route4 {
  type: RouteType;
  /** Output device (for local routes: the device owning the address, or lo). */
  dev: string;
  /** Next hop gateway, or undefined when the destination is on-link. */
  gateway?: number;
  /** Chosen source address (prefsrc or inet_select_addr), 0 if none available. */
  src: number;
  table: number;
  scope: number;
  /** Path MTU for the route (route mtu metric, else device mtu). */
  mtu: number;
  /** The route came from (or was stored in) the route cache; `redirected` when an ICMP redirect made it. */
  cached?: { redirected: boolean; expiresAt?: Nanos };
  /** For input routes: forwarding (true) or local delivery (false). */
  forward?: boolean;
}

/** Why the input route drops a packet (ip_route_input_slow's martian and rp_filter checks, or no route). */
export type RouteInputDropReason = 'martianSource' | 'martianDestination' | 'rpFilter' | 'noRoute';

/**
 * A route, or why there is none. `dropReason` is set by the input route when it drops for a reason
 * more precise than the errno (a martian, rp_filter): the datapath traces that reason.
 */
export type RouteOutcome = { ok: true; route: Route4 } | { ok: false; errno: Errno; dropReason?: RouteInputDropReason };

/**
 * What the datapath tells the control plane about neighbours (dead gateway detection, §3).
 * 'unknown' = no entry (NUD_NONE, or deleted); 'reachable' = REACHABLE; 'failed' = FAILED;
 * 'valid' = STALE/DELAY/PROBE/PERMANENT/NOARP (NUD_VALID but not REACHABLE); 'incomplete' = INCOMPLETE.
 */
export type NeighbourReachability = 'unknown' | 'reachable' | 'failed' | 'valid' | 'incomplete';

/**
 * What the control plane offers the datapath. `Kernel` in kernel.ts implements it.
 */
export interface RoutingApi {
  /** Bumped by every change that can invalidate a cached route (rt_genid). */
  readonly generation: number;
  /** Output route for a locally generated packet (ip_route_output_key). */
  routeOutput(flow: Flow4, now: Nanos): RouteOutcome;
  /** Input route for a received packet (ip_route_input): local delivery, forward, or error with its drop reason. */
  routeInput(flow: Flow4 & { iif: string; src: number }, now: Nanos): RouteOutcome;
  /** Is `addr` one of this node's addresses (any device)? */
  isLocalAddress(addr: number): boolean;
  /** inet_select_addr(dev, dst, scope). 0 when none. */
  selectSource(dev: string, dst: number, scope: number): number;
  /** Effective value of net.ipv4.conf.DEV.NAME with Linux's all/default/dev combining rule. */
  conf(dev: string, name: string): number;
  /** Any sysctl by dotted name (net.ipv4.ip_forward, net.ipv4.route.gc_timeout, …). */
  sysctl(name: string): number;
  /** Record an accepted ICMP redirect as a route-cache exception (dst → new gateway via dev). */
  learnRedirect(dst: number, newGateway: number, dev: string, now: Nanos): void;
  /** Record a learned path MTU for dst (frag-needed). */
  learnPmtu(dst: number, mtu: number, now: Nanos): void;
  /** The datapath reports neighbour state changes for gateways (fib_select_default uses it). */
  setNeighbourReachability(dev: string, addr: number, state: NeighbourReachability): void;
  /** Device facts. */
  device(name: string): DeviceView | undefined;
  deviceByIndex(ifindex: number): DeviceView | undefined;
  devices(): readonly DeviceView[];
  /** Subscribe to device admin/carrier changes and address changes (sockets, neighbours react). */
  onChange(listener: (change: KernelChange) => void): void;
}

export interface DeviceView {
  name: string;
  ifindex: number;
  /** The device kind's name (`loopback`, `ether`, `dummy`). */
  kind: string;
  /** What the kind is: link type, flags, whether it resolves neighbours, its xmit (device-kinds.ts). */
  ops: DeviceKind;
  mac: Uint8Array;
  mtu: number;
  adminUp: boolean;
  carrier: boolean;
  /** IPv4 addresses on the device, primary first. */
  addresses: readonly { address: number; prefixLength: number; broadcast: number; label: string; secondary: boolean; scope: number }[];
}

export type KernelChange =
  | { type: 'link'; dev: string; adminUp: boolean; carrier: boolean }
  /** The device `from` is now called `to` (NETDEV_CHANGENAME): whatever is keyed by its name follows. */
  | { type: 'rename'; from: string; to: string }
  | { type: 'address'; dev: string; address: number; added: boolean }
  | { type: 'route' }
  | { type: 'flushCache' };
