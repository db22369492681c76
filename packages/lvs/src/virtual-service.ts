/**
 * The IPVS data model: virtual services and their real servers (struct ip_vs_service and struct
 * ip_vs_dest in include/net/ip_vs.h, managed by ip_vs_ctl.c).
 *
 * A virtual service is TCP or UDP on an address and port, or a firewall mark (-f), in IPv4 or IPv6;
 * it has a scheduler, flags (persistent, one-packet, the scheduler flags -b), a persistence timeout
 * (-p, seconds) and netmask (-M: svc->netmask, an IPv4 mask — any, even non-contiguous — or an IPv6
 * prefix length; 255.255.255.255 and 128 when not given). Its real servers are kept in
 * the kernel's list order, **newest first** (`list_add` at the head in __ip_vs_update_dest), which
 * decides the schedulers' tie-breaks.
 *
 * A real server has its address and port, the forwarding method (-m masquerading, -g direct routing,
 * -i tunnelling; local when the address is the director's own), weight 0..65535, the upper and lower
 * connection thresholds (-x/-y) and the connection counters the schedulers read: activeconns,
 * inactconns and persistconns (templates). IP_VS_DEST_F_OVERLOAD follows ip_vs_bind_dest and
 * ip_vs_unbind_dest (ip_vs_conn.c): set when active+inactive reaches the upper threshold, cleared
 * below the lower one, or below three quarters of the upper one when no lower is set.
 * IP_VS_DEST_F_AVAILABLE is cleared when the server is deleted (it may live on in the trash while
 * connections still point at it).
 * Leaves out: SCTP services, persistence engines (--pe sip), the tunnel types of 5.x (GUE, GRE).
 */
import { addressEquals, formatAddressPort, type AddressFamily, type InetAddress } from './inet-address.js';
import { IpvsStats } from './ipvs-stats.js';

/** IP protocol numbers of the services IPVS balances. */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export type ServiceProtocol = typeof IPPROTO_TCP | typeof IPPROTO_UDP;

/** How packets reach a real server (IP_VS_CONN_F_FWD_MASK values). */
export type ForwardingMethod = 'masq' | 'local' | 'tunnel' | 'droute';
/** The kernel's numbers for each method (libipvs/ip_vs.h). */
export const FORWARDING_FLAGS: Readonly<Record<ForwardingMethod, number>> = { masq: 0, local: 1, tunnel: 2, droute: 3 };
/** ipvsadm -L's Forward column. */
export const FORWARDING_NAMES: Readonly<Record<ForwardingMethod, string>> = { masq: 'Masq', local: 'Local', tunnel: 'Tunnel', droute: 'Route' };

/** Service flags (IP_VS_SVC_F_*). */
export const SVC_F_PERSISTENT = 0x0001;
export const SVC_F_HASHED = 0x0002;
export const SVC_F_ONEPACKET = 0x0004;
export const SVC_F_SCHED1 = 0x0008;
export const SVC_F_SCHED2 = 0x0010;
export const SVC_F_SCHED3 = 0x0020;

/** Destination flags (IP_VS_DEST_F_*). */
export const DEST_F_AVAILABLE = 0x0001;
export const DEST_F_OVERLOAD = 0x0002;

/** Weight bounds (ipvsadm: string_to_number(optarg, 0, 65535)); the default weight is 1. */
export const MAX_WEIGHT = 65535;
/** Default persistence timeout when -p has no value (IPVS_SVC_PERSISTENT_TIMEOUT). */
export const DEFAULT_PERSISTENT_TIMEOUT_S = 360;

/** What identifies a service: protocol, address and port, or a firewall mark (with its family). */
export type ServiceKey =
  | { readonly kind: 'tcp' | 'udp'; readonly address: InetAddress; readonly port: number }
  | { readonly kind: 'fwmark'; readonly family: AddressFamily; readonly fwmark: number };

export function serviceFamily(key: ServiceKey): AddressFamily {
  return key.kind === 'fwmark' ? key.family : key.address.family;
}

/** svc->netmask when -M is not given: 255.255.255.255, or 128 for IPv6. */
export function defaultNetmask(family: AddressFamily): number {
  return family === 4 ? 0xffffffff : 128;
}

export function serviceKeyEquals(a: ServiceKey, b: ServiceKey): boolean {
  if (a.kind === 'fwmark') return b.kind === 'fwmark' && a.family === b.family && a.fwmark === b.fwmark;
  return b.kind === a.kind && a.port === b.port && addressEquals(a.address, b.address);
}

/** What -A/-E set on a service. */
export interface ServiceOptions {
  scheduler: string;
  /** Persistence timeout in seconds, or undefined when not persistent. */
  persistentTimeout?: number;
  /** Persistence netmask (svc->netmask): an IPv4 mask (-M 255.255.255.0 → 0xffffff00) or an IPv6 prefix length; all ones / 128 when not given. */
  netmask?: number;
  /** --ops: one-packet scheduling (UDP only). */
  onePacket?: boolean;
  /** -b: scheduler flags (sh-fallback/mh-fallback = SCHED1, sh-port/mh-port = SCHED2, SCHED3). */
  schedulerFlags?: number;
}

/** What -a/-e set on a real server. */
export interface RealServerOptions {
  address: InetAddress;
  port: number;
  forwarding: ForwardingMethod;
  weight: number;
  /** -x: upper connection threshold, 0 = none. */
  upperThreshold: number;
  /** -y: lower connection threshold, 0 = none. */
  lowerThreshold: number;
}

/** A real server of one virtual service (struct ip_vs_dest). */
export class RealServer {
  readonly address: InetAddress;
  readonly port: number;
  forwarding: ForwardingMethod;
  weight: number;
  /** The weight before the last edit (mh builds its table from it: dest->last_weight). */
  lastWeight: number;
  upperThreshold: number;
  lowerThreshold: number;
  /** DEST_F_AVAILABLE | DEST_F_OVERLOAD. */
  flags = DEST_F_AVAILABLE;
  activeConns = 0;
  inactConns = 0;
  persistConns = 0;
  readonly stats = new IpvsStats();

  constructor(
    readonly service: VirtualService,
    options: RealServerOptions,
  ) {
    this.address = options.address;
    this.port = options.port;
    this.forwarding = options.forwarding;
    this.weight = options.weight;
    this.lastWeight = options.weight;
    this.upperThreshold = options.upperThreshold;
    this.lowerThreshold = options.lowerThreshold;
  }

  get isAvailable(): boolean {
    return (this.flags & DEST_F_AVAILABLE) !== 0;
  }

  get isOverloaded(): boolean {
    return (this.flags & DEST_F_OVERLOAD) !== 0;
  }

  /** ip_vs_dest_totalconns: active + inactive (templates not counted). */
  get totalConns(): number {
    return this.activeConns + this.inactConns;
  }

  /** `addr:port` as ipvsadm prints it. */
  get name(): string {
    return formatAddressPort(this.address, this.port);
  }

  /** ip_vs_bind_dest's counting: a new connection (inactive first) or a template, then the upper threshold. */
  bindConnection(isTemplate: boolean, isInactive: boolean): void {
    if (isTemplate) this.persistConns++;
    else if (isInactive) this.inactConns++;
    else this.activeConns++;
    if (this.upperThreshold !== 0 && this.totalConns >= this.upperThreshold) this.flags |= DEST_F_OVERLOAD;
  }

  /** ip_vs_unbind_dest's counting: the connection goes, then the lower threshold (or 3/4 of the upper). */
  unbindConnection(isTemplate: boolean, isInactive: boolean): void {
    if (isTemplate) this.persistConns--;
    else if (isInactive) this.inactConns--;
    else this.activeConns--;
    if (this.lowerThreshold !== 0) {
      if (this.totalConns < this.lowerThreshold) this.flags &= ~DEST_F_OVERLOAD;
    } else if (this.upperThreshold !== 0) {
      if (this.totalConns * 4 < this.upperThreshold * 3) this.flags &= ~DEST_F_OVERLOAD;
    } else {
      this.flags &= ~DEST_F_OVERLOAD;
    }
  }

  /** A connection moved between active and inactive (set_tcp_state). */
  moveConnection(toActive: boolean): void {
    if (toActive) {
      this.inactConns--;
      this.activeConns++;
    } else {
      this.activeConns--;
      this.inactConns++;
    }
  }
}

/** What a scheduler sees of a service and does for it (struct ip_vs_scheduler). */
export interface Scheduler {
  readonly name: string;
  /**
   * The service's destination list changed (add_dest, del_dest, upd_dest), already in the list:
   * rebuild tables, move cursors. `formerIndex` is where a deleted server was in the list.
   */
  destinationsChanged(service: VirtualService, change: 'add' | 'del' | 'upd', dest: RealServer, formerIndex: number): void;
  /** Pick a real server for a new connection, or null: "no destination available". */
  schedule(service: VirtualService, packet: SchedulingInput): RealServer | null;
}

/** What schedulers read from the packet being scheduled. */
export interface SchedulingInput {
  readonly source: InetAddress;
  readonly sourcePort: number;
  readonly destination: InetAddress;
  readonly destinationPort: number;
  /** The scheduler's own clock (lblc/lblcr expiry), in nanoseconds of virtual time. */
  readonly now: number;
}

/** A virtual service (struct ip_vs_service). */
export class VirtualService {
  readonly key: ServiceKey;
  /** The scheduler bound to this service (init_service); replaced by -E -s. */
  scheduler: Scheduler;
  /** SVC_F_* bits. */
  flags = 0;
  /** Persistence timeout in seconds (meaningful with SVC_F_PERSISTENT). */
  timeout = 0;
  /** Persistence netmask: the IPv4 mask, or the IPv6 prefix length. */
  netmask: number;
  /** Real servers in the kernel's list order: newest first. */
  readonly destinations: RealServer[] = [];
  readonly stats = new IpvsStats();

  /** `bindScheduler` creates the scheduler for this service (schedulers/scheduler-registry.ts). */
  constructor(key: ServiceKey, options: ServiceOptions, bindScheduler: (service: VirtualService) => Scheduler) {
    this.key = key;
    this.netmask = defaultNetmask(serviceFamily(key));
    this.apply(options);
    this.scheduler = bindScheduler(this);
  }

  get family(): AddressFamily {
    return serviceFamily(this.key);
  }

  get protocol(): ServiceProtocol | 0 {
    return this.key.kind === 'tcp' ? IPPROTO_TCP : this.key.kind === 'udp' ? IPPROTO_UDP : 0;
  }

  get isPersistent(): boolean {
    return (this.flags & SVC_F_PERSISTENT) !== 0;
  }

  /** The flags, timeout and netmask of -A/-E (the scheduler is swapped by the owner). */
  apply(options: ServiceOptions): void {
    this.flags &= SVC_F_HASHED;
    if (options.persistentTimeout !== undefined) {
      this.flags |= SVC_F_PERSISTENT;
      this.timeout = options.persistentTimeout;
    } else {
      this.timeout = 0;
    }
    if (options.onePacket === true) this.flags |= SVC_F_ONEPACKET;
    this.flags |= (options.schedulerFlags ?? 0) & (SVC_F_SCHED1 | SVC_F_SCHED2 | SVC_F_SCHED3);
    this.netmask = options.netmask ?? defaultNetmask(this.family);
  }

  findDestination(address: InetAddress, port: number): RealServer | undefined {
    return this.destinations.find((d) => d.port === port && addressEquals(d.address, address));
  }
}
