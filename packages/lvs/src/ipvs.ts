/**
 * One node's IPVS: the service table, the real servers (and their trash), the connection table,
 * the protocol timeouts, the net.ipv4.vs settings and the statistics — the control plane that
 * ipvsadm edits (ip_vs_ctl.c) and the scheduling and connection handling the datapath asks for
 * (ip_vs_core.c: ip_vs_in's connection lookup, ip_vs_schedule, ip_vs_sched_persist, ip_vs_leave's
 * decision; ip_vs_out's lookup for masquerading replies).
 *
 * Time is virtual and passed in (`now`, nanoseconds). The datapath calls `inbound` for each packet
 * from a client to a virtual address (LOCAL_IN), `outbound` for each reply of a masqueraded real
 * server (FORWARD), and `tick(now)` when `nextDeadline()` is due; the returned decision says what
 * to do with the packet. What inbound follows:
 *  - an existing connection is used; a SYN on a TIME_WAIT connection (conn_reuse_mode 1) or on one
 *    whose real server has weight 0 (with expire_nodest_conn) expires it and schedules anew, unless a
 *    persistence template controls it (kernels since 5.16);
 *  - a connection whose real server was deleted: with expire_nodest_conn 0 the packet is dropped
 *    and the timer not restarted; with 1 the connection expires and the packet is scheduled anew
 *    (kernels since 5.9) — and deleting the server already flushed its connections;
 *  - no connection: TCP schedules only on a SYN without RST (or any segment with sloppy_tcp), UDP on
 *    any datagram; a non-persistent service schedules only packets to its port; persistence uses or
 *    creates a template <protocol, client network, vaddr or fwmark, vport> (FTP's port 21 and port
 *    zero services template with vport 0); no real server → `noDestination` (ip_vs_leave: ICMP port
 *    unreachable); the connection table full → `drop`.
 * Counting: ip_vs_conn_stats on each new connection, ip_vs_in_stats / ip_vs_out_stats per packet
 * (only while the real server is available), on the real server, its service and the totals.
 * Connection synchronisation (connection-sync.ts): with a master daemon, each packet from a client
 * counts towards its connection's sync (ip_vs_sync_conn); a backup's daemon hands the connections it
 * reads to `processSyncedConnection` (ip_vs_proc_conn).
 * Leaves out: SCTP, FTP helpers,
 * cache_bypass, the drop_entry/drop_packet defences, conntrack integration.
 */
import { addressEquals, addressKey, formatAddressPort, inet4, maskAddress, type AddressFamily, type InetAddress } from './inet-address.js';
import { ConnectionTable, CONN_F_FWD_MASK, CONN_F_INACTIVE, CONN_F_NOOUTPUT, CONN_F_ONE_PACKET, CONN_F_TEMPLATE, IpvsConnection, TEMPLATE_STATE_ASSURED, templateKey, type ConnectionParams } from './connection-table.js';
import { IPVS_SYNC_GROUP, IPVS_SYNC_PORT, type IpvsSyncConnRepr } from '@netloom/wire/ipvs-sync';
import { CONN_F_BACKUP_UPD_MASK, CONN_F_SYNC, newSyncBackupCounters, SYNC_THRESHOLD, SyncMaster, syncedTemplateKey, type SyncBackupCounters } from './connection-sync.js';
import { EstimatorClock, IpvsStats } from './ipvs-stats.js';
import { isActiveTcpState, nextTcpState, ProtocolTimeouts, TCP_S, type TcpFlags } from './protocol-states.js';
import { createScheduler } from './schedulers/scheduler-registry.js';
import { defaultVsSettings, type VsSettings } from './vs-settings.js';
import {
  DEST_F_AVAILABLE,
  DEST_F_OVERLOAD,
  FORWARDING_FLAGS,
  IPPROTO_TCP,
  IPPROTO_UDP,
  RealServer,
  SVC_F_HASHED,
  SVC_F_ONEPACKET,
  serviceFamily,
  VirtualService,
  type RealServerOptions,
  type ServiceKey,
  type ServiceOptions,
} from './virtual-service.js';

const SECOND_NS = 1e9;
const FTP_PORT = 21;
/** Lines of scheduler errors kept (the kernel rate-limits them into the kernel log). */
const MAX_LOG_LINES = 256;

/** What a control operation answers: ok or the errno the kernel returns (ipvsadm prints ipvs_strerror's text). */
export type IpvsResult = 'ok' | 'EEXIST' | 'ENOENT' | 'ESRCH' | 'EINVAL' | 'ENOMEM' | 'ERANGE' | 'ENODEV' | 'EAFNOSUPPORT';

/** Bounds netloom keeps on the tables (the kernel's are memory): past them, ENOMEM. */
export const MAX_SERVICES = 1024;
export const MAX_DESTINATIONS = 1024;

/** A packet as IPVS sees it: addresses, ports, the firewall mark, TCP flags, length. */
export interface IpvsPacket {
  readonly family: AddressFamily;
  readonly protocol: number;
  readonly source: InetAddress;
  readonly sourcePort: number;
  readonly destination: InetAddress;
  readonly destinationPort: number;
  /** skb->mark (fwmark services). */
  readonly fwmark: number;
  /** The TCP flags (TCP only). */
  readonly tcp?: TcpFlags;
  /** skb->len: the IP packet's length in bytes. */
  readonly length: number;
}

/** What the datapath does with a packet from a client (ip_vs_in's verdicts). */
export type InboundDecision =
  /** Not IPVS traffic (no service, or a TCP segment that cannot start a connection): NF_ACCEPT. */
  | { readonly kind: 'accept' }
  /** Forward to conn.dest with conn's method (masq: DNAT to daddr:dport). */
  | { readonly kind: 'forward'; readonly conn: IpvsConnection; readonly isNew: boolean }
  /** No real server available: ICMP port unreachable (ICMPv6 for IPv6) and drop (ip_vs_leave). */
  | { readonly kind: 'noDestination'; readonly service: VirtualService }
  /** NF_DROP, with why. */
  | { readonly kind: 'drop'; readonly reason: 'destinationUnavailable' | 'connectionTableFull' | 'portMismatch' };

/** The kernel's IPVS version, shown by ipvsadm and /proc/net/ip_vs. */
export const IPVS_VERSION = '1.2.1';

/**
 * ip_vs_add_dest/ip_vs_edit_dest's checks: ERANGE for a lower threshold above the upper one, EINVAL
 * for an address that is not unicast (inet_addr_type) or of another family (only tunnels may mix, not
 * modelled).
 */
function checkDestination(service: VirtualService, options: RealServerOptions): IpvsResult | undefined {
  if (options.lowerThreshold > options.upperThreshold) return 'ERANGE';
  const a = options.address;
  if (a.family !== service.family) return 'EINVAL';
  const unicast = a.family === 4 ? a.v4 !== 0 && a.v4 !== 0xffffffff && a.v4 >>> 28 !== 0xe : a.v6 !== 0n && a.v6 >> 120n !== 0xffn;
  return unicast ? undefined : 'EINVAL';
}

function serviceKeyText(key: ServiceKey): string {
  return key.kind === 'fwmark' ? `fwm|${key.family}|${key.fwmark}` : `${key.kind}|${addressKey(key.address)}|${key.port}`;
}

function countOne(stats: IpvsStats, direction: 'in' | 'out', bytes: number): void {
  if (direction === 'in') {
    stats.inpkts++;
    stats.inbytes += bytes;
  } else {
    stats.outpkts++;
    stats.outbytes += bytes;
  }
}

/** A sync daemon as --start-daemon asks for it and -L --daemon shows it (ipvs_sync_daemon_cfg). */
export interface SyncDaemon {
  readonly state: 'master' | 'backup';
  readonly mcastInterface: string;
  readonly syncId: number;
  /** The largest message (sync_maxlen): given, or from the interface's MTU. */
  readonly syncMaxlen: number;
  readonly mcastGroup: InetAddress;
  readonly mcastPort: number;
  readonly mcastTtl: number;
}

/** What --start-daemon gives (0 / undefined: the kernel's default). */
export type SyncDaemonRequest = Pick<SyncDaemon, 'state' | 'mcastInterface' | 'syncId'> & { readonly syncMaxlen: number; readonly mcastGroup?: InetAddress; readonly mcastPort: number; readonly mcastTtl: number };

/** What starting a daemon needs of the node: the interface's MTU, and the daemon's sockets and timers. */
export interface SyncDaemonHost {
  /** The interface's MTU, or undefined when there is no such device. */
  deviceMtu(name: string): number | undefined;
  /** Start the daemon's thread (its sockets); an errno when that fails. */
  start(daemon: SyncDaemon, ipvs: Ipvs): IpvsResult;
  stop(state: 'master' | 'backup'): void;
  /** A master's buffer was queued (`queued` now waiting): the daemon sends soon. */
  wakeMaster(queued: number, now: number): void;
}

export class Ipvs {
  /** Services in the order they were added (ipvsadm sorts its listing). */
  private readonly services = new Map<string, VirtualService>();
  /** Deleted real servers still referenced by connections, by service key and address:port. */
  private readonly trash = new Map<string, RealServer>();
  readonly connections: ConnectionTable;
  readonly timeouts = new ProtocolTimeouts();
  readonly settings: VsSettings = defaultVsSettings();
  /** ipvs->tot_stats (/proc/net/ip_vs_stats). */
  readonly totals = new IpvsStats();
  private readonly estimator: EstimatorClock;
  readonly daemons: SyncDaemon[] = [];
  /** The master's sync buffers while a master daemon runs (ipvs->ms). */
  syncMaster: SyncMaster | null = null;
  /** What the backup daemon read and did. */
  readonly syncBackupCounters: SyncBackupCounters = newSyncBackupCounters();
  /** The kernel's scheduler error log ("IPVS: wlc: TCP 10.0.0.1:80 - no destination available"), bounded. */
  readonly log: string[] = [];

  /**
   * `isLocalAddress` tells the director's own addresses: a real server on one is forwarded `Local`.
   * `syncHost` runs the sync daemons (without one, --start-daemon only records them).
   */
  constructor(
    private readonly isLocalAddress: (address: InetAddress) => boolean = () => false,
    private readonly syncHost?: SyncDaemonHost,
  ) {
    this.connections = new ConnectionTable((conn) => this.expire(conn));
    this.estimator = new EstimatorClock(() => this.allStats());
  }

  private *allStats(): Iterable<IpvsStats> {
    yield this.totals;
    for (const service of this.services.values()) {
      yield service.stats;
      for (const dest of service.destinations) yield dest.stats;
    }
  }

  // ---- the control plane (ip_vs_ctl.c) ----

  /** Services in insertion order. */
  listServices(): VirtualService[] {
    return [...this.services.values()];
  }

  findService(key: ServiceKey): VirtualService | undefined {
    return this.services.get(serviceKeyText(key));
  }

  /** ip_vs_add_service. */
  addService(key: ServiceKey, options: ServiceOptions): IpvsResult {
    const text = serviceKeyText(key);
    if (this.services.has(text)) return 'EEXIST';
    if (options.netmask !== undefined && serviceFamily(key) === 6 && (options.netmask < 1 || options.netmask > 128)) return 'EINVAL';
    if (this.services.size >= MAX_SERVICES) return 'ENOMEM';
    let missing = false;
    const service = new VirtualService(key, options, (svc) => {
      const scheduler = createScheduler(options.scheduler, svc);
      if (scheduler !== null) return scheduler;
      missing = true;
      return createScheduler('wlc', svc)!;
    });
    if (missing) return 'ENOENT';
    service.flags |= SVC_F_HASHED;
    this.services.set(text, service);
    return 'ok';
  }

  /** ip_vs_edit_service: flags, timeout, netmask and (a new binding of) the scheduler. */
  editService(key: ServiceKey, options: ServiceOptions): IpvsResult {
    const service = this.findService(key);
    if (service === undefined) return 'ESRCH';
    if (options.scheduler !== service.scheduler.name) {
      const scheduler = createScheduler(options.scheduler, service);
      if (scheduler === null) return 'ENOENT';
      service.scheduler = scheduler;
    }
    service.apply(options);
    return 'ok';
  }

  /** ip_vs_del_service: the service and its real servers go (servers with connections to the trash). */
  deleteService(key: ServiceKey): IpvsResult {
    const text = serviceKeyText(key);
    const service = this.services.get(text);
    if (service === undefined) return 'ESRCH';
    for (const dest of [...service.destinations]) this.unlinkDestination(service, dest, false);
    this.services.delete(text);
    this.flushNodestConnections();
    return 'ok';
  }

  /** ip_vs_flush: every service. */
  flush(): void {
    for (const service of [...this.services.values()]) this.deleteService(service.key);
  }

  /** ip_vs_add_dest (a server found in the trash comes back with its counters). */
  addDestination(key: ServiceKey, options: RealServerOptions): IpvsResult {
    const service = this.findService(key);
    if (service === undefined) return 'ESRCH';
    const refused = checkDestination(service, options);
    if (refused !== undefined) return refused;
    if (service.findDestination(options.address, options.port) !== undefined) return 'EEXIST';
    if (service.destinations.length >= MAX_DESTINATIONS) return 'ENOMEM';
    const trashKey = `${serviceKeyText(key)}|${addressKey(options.address)}|${options.port}`;
    let dest = this.trash.get(trashKey);
    if (dest !== undefined) {
      this.trash.delete(trashKey);
      this.updateDestination(dest, options, true);
    } else {
      dest = new RealServer(service, options);
      if (this.isLocalAddress(options.address)) dest.forwarding = 'local';
    }
    service.destinations.unshift(dest);
    service.scheduler.destinationsChanged(service, 'add', dest, 0);
    return 'ok';
  }

  /** ip_vs_edit_dest. */
  editDestination(key: ServiceKey, options: RealServerOptions): IpvsResult {
    const service = this.findService(key);
    if (service === undefined) return 'ESRCH';
    const refused = checkDestination(service, options);
    if (refused !== undefined) return refused;
    const dest = service.findDestination(options.address, options.port);
    if (dest === undefined) return 'ENOENT';
    this.updateDestination(dest, options, false);
    service.scheduler.destinationsChanged(service, 'upd', dest, service.destinations.indexOf(dest));
    return 'ok';
  }

  /** __ip_vs_update_dest's settings: last_weight, weight, method, thresholds (a higher or no upper threshold clears OVERLOAD). */
  private updateDestination(dest: RealServer, options: RealServerOptions, add: boolean): void {
    if (add || options.weight !== 0) dest.lastWeight = options.weight;
    dest.weight = options.weight;
    dest.forwarding = this.isLocalAddress(options.address) ? 'local' : options.forwarding;
    dest.flags |= DEST_F_AVAILABLE;
    if (options.upperThreshold === 0 || options.upperThreshold > dest.upperThreshold) dest.flags &= ~DEST_F_OVERLOAD;
    dest.upperThreshold = options.upperThreshold;
    dest.lowerThreshold = options.lowerThreshold;
  }

  /** ip_vs_del_dest. */
  deleteDestination(key: ServiceKey, address: InetAddress, port: number): IpvsResult {
    const service = this.findService(key);
    if (service === undefined) return 'ESRCH';
    const dest = service.findDestination(address, port);
    if (dest === undefined) return 'ENOENT';
    this.unlinkDestination(service, dest, true);
    this.flushNodestConnections();
    return 'ok';
  }

  /**
   * ip_vs_expire_nodest_conn_flush (5.9+): with expire_nodest_conn, the connections of deleted real
   * servers go, and a template left controlling nothing goes with its last connection. The kernel
   * runs it from a work item a jiffy after the deletion; here it runs at once.
   */
  private flushNodestConnections(): void {
    if (this.settings.expire_nodest_conn === 0) return;
    for (const conn of [...this.connections.all()]) {
      const dest = conn.dest;
      if (!conn.hashed || dest === null || dest.isAvailable || conn.controlled > 0) continue;
      const template = conn.control;
      this.connections.remove(conn);
      this.release(conn);
      if (template !== null && template.hashed && template.controlled === 0) {
        this.connections.remove(template);
        this.release(template);
      }
    }
  }

  /** __ip_vs_unlink_dest + __ip_vs_del_dest: out of the list, not available, to the trash while referenced. */
  private unlinkDestination(service: VirtualService, dest: RealServer, notify: boolean): void {
    const index = service.destinations.indexOf(dest);
    service.destinations.splice(index, 1);
    dest.flags &= ~DEST_F_AVAILABLE;
    if (notify) service.scheduler.destinationsChanged(service, 'del', dest, index);
    if (dest.totalConns + dest.persistConns > 0) {
      this.trash.set(`${serviceKeyText(service.key)}|${addressKey(dest.address)}|${dest.port}`, dest);
    }
  }

  /** Real servers in the trash (deleted, still referenced by connections). */
  get trashSize(): number {
    return this.trash.size;
  }

  /** ip_vs_zero_service / ip_vs_zero_all: counters of one service (and its servers) or of everything. */
  zero(key?: ServiceKey): IpvsResult {
    if (key !== undefined) {
      const service = this.findService(key);
      if (service === undefined) return 'ESRCH';
      service.stats.zero();
      for (const dest of service.destinations) dest.stats.zero();
      return 'ok';
    }
    for (const service of this.services.values()) {
      service.stats.zero();
      for (const dest of service.destinations) dest.stats.zero();
    }
    this.totals.zero();
    return 'ok';
  }

  // ---- the datapath (ip_vs_core.c) ----

  /**
   * The service a packet to a virtual address belongs to (ip_vs_service_find): a fwmark service
   * first, then protocol/address/port, then a persistent port-zero service on the address.
   */
  serviceFor(packet: IpvsPacket): VirtualService | undefined {
    if (packet.fwmark !== 0) {
      const byMark = this.findService({ kind: 'fwmark', family: packet.family, fwmark: packet.fwmark });
      if (byMark !== undefined) return byMark;
    }
    const kind = packet.protocol === IPPROTO_TCP ? 'tcp' : packet.protocol === IPPROTO_UDP ? 'udp' : undefined;
    if (kind === undefined) return undefined;
    const exact = this.findService({ kind, address: packet.destination, port: packet.destinationPort });
    if (exact !== undefined || packet.destinationPort === 0) return exact;
    const portZero = this.findService({ kind, address: packet.destination, port: 0 });
    return portZero?.isPersistent === true ? portZero : undefined;
  }

  /** ip_vs_in for a packet from a client. */
  inbound(packet: IpvsPacket, now: number): InboundDecision {
    this.tick(now);
    let conn = this.connections.lookupIn(packet.protocol, packet.source, packet.sourcePort, packet.destination, packet.destinationPort);
    if (conn !== undefined && packet.tcp?.syn === true && conn.control === null) {
      // is_new_conn: a SYN on an entry no template controls (5.16+); reschedule if its server is
      // quiesced (expire_nodest_conn) or the entry is done (conn_reuse_mode, is_new_conn_expected).
      const mode = this.settings.conn_reuse_mode;
      const quiesced = this.settings.expire_nodest_conn !== 0 && conn.dest !== null && conn.dest.weight === 0;
      const reusable = mode !== 0 && conn.protocol === IPPROTO_TCP && (conn.state === TCP_S.TIME_WAIT || ((mode & 2) !== 0 && conn.state === TCP_S.FIN_WAIT && (conn.flags & CONN_F_NOOUTPUT) !== 0));
      if (quiesced || reusable) {
        if (conn.controlled === 0) this.expireNowAndRun(conn, now);
        conn = undefined;
      }
    }
    if (conn !== undefined && conn.dest !== null && !conn.dest.isAvailable) {
      if (this.settings.expire_nodest_conn === 0) return { kind: 'drop', reason: 'destinationUnavailable' };
      this.expireNowAndRun(conn, now);
      conn = undefined;
    }
    let isNew = false;
    if (conn === undefined) {
      const service = this.serviceFor(packet);
      if (service === undefined) return { kind: 'accept' };
      if (packet.protocol === IPPROTO_TCP) {
        const flags = packet.tcp;
        if (flags === undefined || flags.rst || !(flags.syn || this.settings.sloppy_tcp !== 0)) return { kind: 'accept' };
      }
      const scheduled = this.schedule(service, packet, now);
      if (scheduled === 'noDestination') {
        this.schedulerError(service);
        return { kind: 'noDestination', service };
      }
      if (scheduled === 'portMismatch' || scheduled === 'tableFull') return { kind: 'drop', reason: scheduled === 'tableFull' ? 'connectionTableFull' : 'portMismatch' };
      conn = scheduled;
      isNew = true;
    }
    this.countPacket(conn, 'in', packet.length);
    this.transition(conn, 'input', packet.tcp, now);
    // ip_vs_in: count the packet towards the connection's sync, and sync it when a master runs.
    const pkts = (conn.flags & CONN_F_ONE_PACKET) !== 0 ? SYNC_THRESHOLD : ++conn.sync.inPkts;
    this.syncMaster?.syncConnection(conn, pkts, now);
    if ((conn.flags & CONN_F_ONE_PACKET) !== 0) this.expireNowAndRun(conn, now);
    return { kind: 'forward', conn, isNew };
  }

  /** ip_vs_out for a reply from a masqueraded real server (source daddr:dport, destination caddr:cport); undefined when not ours. */
  outbound(packet: IpvsPacket, now: number): IpvsConnection | undefined {
    this.tick(now);
    const conn = this.connections.lookupOut(packet.protocol, packet.source, packet.sourcePort, packet.destination, packet.destinationPort);
    if (conn === undefined) return undefined;
    this.countPacket(conn, 'out', packet.length);
    this.transition(conn, 'output', packet.tcp, now);
    return conn;
  }

  /** ip_vs_set_state + the timer restart of ip_vs_conn_put. */
  private transition(conn: IpvsConnection, direction: 'input' | 'output', flags: TcpFlags | undefined, now: number): void {
    if (conn.protocol === IPPROTO_TCP && flags !== undefined) {
      let table: 'input' | 'output' | 'inputOnly' = direction;
      if ((conn.flags & CONN_F_NOOUTPUT) !== 0) {
        if (direction === 'output') conn.flags &= ~CONN_F_NOOUTPUT;
        else table = 'inputOnly';
      }
      const next = nextTcpState(conn.state, table, flags);
      if (next !== conn.state) {
        const dest = conn.dest;
        if (dest !== null) {
          if (!conn.isInactive && !isActiveTcpState(next)) {
            dest.moveConnection(false);
            conn.flags |= CONN_F_INACTIVE;
          } else if (conn.isInactive && isActiveTcpState(next)) {
            dest.moveConnection(true);
            conn.flags &= ~CONN_F_INACTIVE;
          }
        }
        if (next === TCP_S.ESTABLISHED && conn.control !== null) conn.control.state = TEMPLATE_STATE_ASSURED;
      }
      conn.state = next;
      conn.timeoutNs = this.timeouts.tcp[next]! * SECOND_NS;
    } else if (conn.protocol === IPPROTO_UDP) {
      conn.timeoutNs = this.timeouts.udp * SECOND_NS;
    }
    this.connections.restartTimer(conn, now);
  }

  /** ip_vs_in_stats / ip_vs_out_stats. */
  private countPacket(conn: IpvsConnection, direction: 'in' | 'out', bytes: number): void {
    const dest = conn.dest;
    if (dest === null || !dest.isAvailable) return;
    countOne(dest.stats, direction, bytes);
    countOne(dest.service.stats, direction, bytes);
    countOne(this.totals, direction, bytes);
  }

  /** ip_vs_schedule / ip_vs_sched_persist. */
  private schedule(service: VirtualService, packet: IpvsPacket, now: number): IpvsConnection | 'noDestination' | 'portMismatch' | 'tableFull' {
    const input = { source: packet.source, sourcePort: packet.sourcePort, destination: packet.destination, destinationPort: packet.destinationPort, now };
    const svcPort = service.key.kind === 'fwmark' ? 0 : service.key.port;
    const onePacket = (service.flags & SVC_F_ONEPACKET) !== 0 && packet.protocol === IPPROTO_UDP ? CONN_F_ONE_PACKET : 0;
    if (service.isPersistent) {
      const clientNet = maskAddress(packet.source, service.netmask);
      let protocol = packet.protocol;
      let vaddr: InetAddress | number = packet.destination;
      let vport = 0;
      if (packet.destinationPort === svcPort) {
        if (svcPort !== FTP_PORT) vport = packet.destinationPort;
      } else if (service.key.kind === 'fwmark') {
        protocol = 0;
        vaddr = service.key.fwmark;
      }
      const key = templateKey(protocol, clientNet, vaddr, vport);
      let template = this.connections.lookupTemplate(key);
      if (template !== undefined && !this.isTemplateValid(template)) {
        this.connections.invalidateTemplate(template);
        template = undefined;
      }
      let dest: RealServer;
      if (template === undefined) {
        const chosen = service.scheduler.schedule(service, input);
        if (chosen === null) return 'noDestination';
        if (this.connections.isFull) return 'tableFull';
        dest = chosen;
        const dport = packet.destinationPort === svcPort && svcPort !== FTP_PORT ? dest.port : 0;
        const params: ConnectionParams = {
          family: service.family,
          protocol,
          caddr: clientNet,
          cport: 0,
          vaddr: typeof vaddr === 'number' ? packet.destination : vaddr,
          vport,
          daddr: dest.address,
          dport,
          fwmark: typeof vaddr === 'number' ? vaddr : 0,
        };
        template = this.newConnection(params, CONN_F_TEMPLATE, dest, now, service.timeout * SECOND_NS, key);
      } else {
        dest = template.dest!;
      }
      if (this.connections.isFull) return 'tableFull';
      let dport = packet.destinationPort;
      if (dport === svcPort && dest.port !== 0) dport = dest.port;
      const conn = this.newConnection(this.clientParams(service, packet, dest, dport), onePacket, dest, now, 3 * SECOND_NS);
      conn.control = template;
      template.controlled++;
      this.connections.restartTimer(template, now);
      this.countNewConnection(conn, service);
      return conn;
    }
    if (service.key.kind !== 'fwmark' && packet.destinationPort !== svcPort) return 'portMismatch';
    const dest = service.scheduler.schedule(service, input);
    if (dest === null) return 'noDestination';
    if (this.connections.isFull) return 'tableFull';
    const conn = this.newConnection(this.clientParams(service, packet, dest, dest.port !== 0 ? dest.port : packet.destinationPort), onePacket, dest, now, 3 * SECOND_NS);
    this.countNewConnection(conn, service);
    return conn;
  }

  private clientParams(service: VirtualService, packet: IpvsPacket, dest: RealServer, dport: number): ConnectionParams {
    return {
      family: service.family,
      protocol: packet.protocol,
      caddr: packet.source,
      cport: packet.sourcePort,
      vaddr: packet.destination,
      vport: packet.destinationPort,
      daddr: dest.address,
      dport,
    };
  }

  /** ip_vs_conn_new + ip_vs_bind_dest: the server's conn_flags (method, INACTIVE, NOOUTPUT unless masquerading). */
  private newConnection(params: ConnectionParams, flags: number, dest: RealServer, now: number, timeoutNs: number, templateKeyText?: string): IpvsConnection {
    let connFlags = FORWARDING_FLAGS[dest.forwarding] | CONN_F_INACTIVE;
    if (dest.forwarding !== 'masq') connFlags |= CONN_F_NOOUTPUT;
    if (params.protocol !== IPPROTO_UDP) flags &= ~CONN_F_ONE_PACKET;
    const conn = new IpvsConnection(params, flags | connFlags, dest, now, timeoutNs);
    dest.bindConnection(conn.isTemplate, conn.isInactive);
    this.connections.insert(conn, templateKeyText);
    return conn;
  }

  /** ip_vs_conn_stats. */
  private countNewConnection(conn: IpvsConnection, service: VirtualService): void {
    conn.dest!.stats.conns++;
    service.stats.conns++;
    this.totals.conns++;
  }

  /** ip_vs_check_template. */
  private isTemplateValid(template: IpvsConnection): boolean {
    const dest = template.dest;
    if (dest === null || !dest.isAvailable) return false;
    return !(this.settings.expire_quiescent_template !== 0 && dest.weight === 0);
  }

  /** ip_vs_scheduler_err's line (IPVS: wlc: TCP 10.0.0.1:80 - no destination available), kept in a bounded log. */
  private schedulerError(service: VirtualService): void {
    const key = service.key;
    const hex = key.kind === 'fwmark' ? key.fwmark.toString(16).toUpperCase().padStart(8, '0') : '';
    const name = key.kind === 'fwmark' ? `FWM ${key.fwmark} 0x${hex}` : `${key.kind.toUpperCase()} ${formatAddressPort(key.address, key.port)}`;
    this.log.push(`IPVS: ${service.scheduler.name}: ${name} - no destination available`);
    if (this.log.length > MAX_LOG_LINES) this.log.shift();
  }

  private expireNowAndRun(conn: IpvsConnection, now: number): void {
    this.connections.expireNow(conn, now);
    this.connections.expireDue(now);
  }

  /** ip_vs_conn_expire: free the entry unless it controls others. */
  private expire(conn: IpvsConnection): 'free' | 'retry' {
    if (conn.controlled > 0) return 'retry';
    this.connections.remove(conn);
    this.release(conn);
    return 'free';
  }

  /** What freeing an unhashed entry undoes: its template's count (ip_vs_control_del) and the server's counters (ip_vs_unbind_dest). */
  private release(conn: IpvsConnection): void {
    if (conn.control !== null) {
      conn.control.controlled--;
      conn.control = null;
    }
    const dest = conn.dest;
    if (dest !== null) {
      dest.unbindConnection(conn.isTemplate, conn.isInactive);
      conn.dest = null;
      if (!dest.isAvailable && dest.totalConns + dest.persistConns === 0) this.dropFromTrash(dest);
    }
  }

  private dropFromTrash(dest: RealServer): void {
    for (const [key, value] of this.trash) {
      if (value === dest) {
        this.trash.delete(key);
        return;
      }
    }
  }

  // ---- connection synchronisation (ip_vs_sync.c) ----

  /**
   * start_sync_thread: the interface must exist (ENODEV), the daemon of that state must not run
   * (EEXIST); the defaults (224.0.0.81, port 8848, TTL 1) filled in; sync_maxlen clamped to
   * [1 (a backup: 1024), 65535 − IP and UDP headers], or when not given the MTU (a master's is taken
   * as 1500, a backup's as the interface's, at least 1500) less those headers. An IPv6 group is
   * EAFNOSUPPORT here (netloom's daemons speak IPv4 only).
   */
  startDaemon(request: SyncDaemonRequest): IpvsResult {
    const mtu = this.syncHost === undefined ? 1500 : this.syncHost.deviceMtu(request.mcastInterface);
    if (mtu === undefined) return 'ENODEV';
    const group = request.mcastGroup ?? inet4(IPVS_SYNC_GROUP);
    const headers = group.family === 6 ? 48 : 28;
    const isBackup = request.state === 'backup';
    const linkMtu = isBackup ? Math.min(Math.max(mtu, 1500), 65535) : 1500;
    const syncMaxlen = request.syncMaxlen !== 0 ? Math.min(Math.max(request.syncMaxlen, isBackup ? 1024 : 1), 65535 - headers) : linkMtu - headers;
    if (this.daemons.some((d) => d.state === request.state)) return 'EEXIST';
    if (group.family === 6) return 'EAFNOSUPPORT';
    const daemon: SyncDaemon = {
      state: request.state,
      mcastInterface: request.mcastInterface,
      syncId: request.syncId,
      syncMaxlen,
      mcastGroup: group,
      mcastPort: request.mcastPort !== 0 ? request.mcastPort : IPVS_SYNC_PORT,
      mcastTtl: request.mcastTtl !== 0 ? request.mcastTtl : 1,
    };
    if (daemon.state === 'master') this.syncMaster = new SyncMaster(daemon.syncId, syncMaxlen, this.settings, (queued, now) => this.syncHost?.wakeMaster(queued, now));
    const started = this.syncHost?.start(daemon, this) ?? 'ok';
    if (started !== 'ok') {
      if (daemon.state === 'master') this.syncMaster = null;
      return started;
    }
    this.daemons.push(daemon);
    return 'ok';
  }

  /** stop_sync_thread: ESRCH when that daemon does not run; a master's unsent buffers are dropped. */
  stopDaemon(state: 'master' | 'backup'): IpvsResult {
    const index = this.daemons.findIndex((d) => d.state === state);
    if (index < 0) return 'ESRCH';
    this.daemons.splice(index, 1);
    if (state === 'master') this.syncMaster = null;
    this.syncHost?.stop(state);
    return 'ok';
  }

  /** ip_vs_proc_conn: create or update the connection a backup read (flags masked, with IP_VS_CONN_F_SYNC). */
  processSyncedConnection(entry: IpvsSyncConnRepr, flags: number, timeoutS: number, now: number): 'created' | 'updated' | 'ignored' {
    this.tick(now);
    const isTemplate = (flags & CONN_F_TEMPLATE) !== 0;
    let conn: IpvsConnection | undefined;
    if (!isTemplate) {
      conn = this.connections.lookupIn(entry.protocol, entry.caddr, entry.cport, entry.vaddr, entry.vport);
      if (conn !== undefined && (conn.dport !== entry.dport || !addressEquals(conn.daddr, entry.daddr))) {
        // Another real server: the master replaced the connection; an inactive one is the old one's expiry message.
        if ((flags & CONN_F_INACTIVE) !== 0) return 'ignored';
        this.expireNowAndRun(conn, now);
        conn = undefined;
      }
    } else {
      conn = this.connections.lookupTemplate(syncedTemplateKey(entry));
    }
    let outcome: 'created' | 'updated';
    if (conn !== undefined) {
      const dest = conn.dest;
      if (((conn.flags ^ flags) & CONN_F_INACTIVE) !== 0 && !isTemplate && dest !== null) dest.moveConnection((flags & CONN_F_INACTIVE) === 0);
      conn.flags = (flags & CONN_F_BACKUP_UPD_MASK) | (conn.flags & ~CONN_F_BACKUP_UPD_MASK);
      if (dest === null) this.bindSynced(conn, this.findSyncedDestination(entry, conn.flags));
      outcome = 'updated';
    } else {
      if (this.connections.isFull) return 'ignored';
      const params: ConnectionParams = { family: entry.caddr.family, protocol: entry.protocol, caddr: entry.caddr, cport: entry.cport, vaddr: entry.vaddr, vport: entry.vport, daddr: entry.daddr, dport: entry.dport, fwmark: entry.fwmark };
      conn = new IpvsConnection(params, flags, null, now, 0);
      this.bindSynced(conn, this.findSyncedDestination(entry, flags));
      this.connections.insert(conn, isTemplate ? syncedTemplateKey(entry) : undefined);
      outcome = 'created';
    }
    conn.sync.inPkts = SYNC_THRESHOLD;
    conn.state = entry.state;
    conn.sync.oldState = entry.state;
    let timeout = timeoutS;
    if (timeout === 0) timeout = isTemplate ? 180 : entry.protocol === IPPROTO_TCP ? this.timeouts.tcp[entry.state]! : this.timeouts.udp;
    conn.timeoutNs = timeout * SECOND_NS;
    this.connections.restartTimer(conn, now);
    return outcome;
  }

  /** ip_vs_find_dest: the real server the backup's own service has for the entry, if any. */
  private findSyncedDestination(entry: IpvsSyncConnRepr, flags: number): RealServer | undefined {
    const family = entry.caddr.family;
    let service: VirtualService | undefined;
    if (entry.fwmark !== 0) service = this.findService({ kind: 'fwmark', family, fwmark: entry.fwmark });
    else if (entry.protocol === IPPROTO_TCP || entry.protocol === IPPROTO_UDP) {
      service = this.serviceFor({ family, protocol: entry.protocol, source: entry.caddr, sourcePort: entry.cport, destination: entry.vaddr, destinationPort: entry.vport, fwmark: 0, length: 0 });
    }
    if (service === undefined) return undefined;
    const port = entry.fwmark !== 0 && (flags & CONN_F_FWD_MASK) !== FORWARDING_FLAGS.masq ? 0 : entry.dport;
    return service.findDestination(entry.daddr, port) ?? service.findDestination(entry.daddr, port ^ entry.dport);
  }

  /** ip_vs_bind_dest for a synced entry: the method (and NOOUTPUT) from the real server, the activity as sent; then its counters. */
  private bindSynced(conn: IpvsConnection, dest: RealServer | undefined): void {
    if (dest === undefined) return;
    let destFlags = FORWARDING_FLAGS[dest.forwarding] | CONN_F_INACTIVE;
    if (dest.forwarding !== 'masq') destFlags |= CONN_F_NOOUTPUT;
    if (!conn.isTemplate) destFlags &= ~CONN_F_INACTIVE;
    conn.flags = (conn.flags & ~(CONN_F_FWD_MASK | CONN_F_NOOUTPUT)) | destFlags | CONN_F_SYNC;
    conn.dest = dest;
    dest.bindConnection(conn.isTemplate, conn.isInactive);
  }

  /** Run the connection timers and the rate estimator up to `now`. */
  tick(now: number): void {
    this.estimator.catchUp(now);
    this.connections.expireDue(now);
  }

  /** When `tick` is next needed, or undefined. */
  nextDeadline(): number | undefined {
    const a = this.connections.nextDeadline();
    const b = this.estimator.nextDeadline();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }
}
