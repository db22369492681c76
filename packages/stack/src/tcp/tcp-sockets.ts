/**
 * The node's TCP: the transport registered as (4, 6) and (6, 6) (tcp_v4_rcv / tcp_v6_rcv and
 * tcp_v4_err / tcp_v6_err), one socket table per family — the established hash (every
 * connection by its four-tuple, SYN-RECV request sockets and TIME-WAIT included), the listening
 * hash by port, the ports bound — and what `ss`/`netstat -t` list (`tcpSocketSnapshot`).
 *
 * Follows Linux: a segment goes to the connection of its four-tuple, else to the best listener of
 * its port (a bound address and SO_BINDTODEVICE make a listener more specific), else it is a
 * `noSocket` drop answered with RST (tcp_v4_send_reset: seq = the segment's ACK, or ACK = its end
 * with seq 0; never an RST for an RST). A malformed segment or a bad checksum is a counted drop with
 * the wire parser's reason (TCP_MIB_INERRS / CSUMERRORS). Ports: bind(0) and listen() draw an odd
 * ephemeral port first, connect() an even one (inet_csk_find_open_port, __inet_hash_connect, Linux
 * 6.x), from ip_local_port_range 32768-60999 at a PRNG offset; a bind conflicts with a socket on the
 * same port and an overlapping address unless both set SO_REUSEADDR and that one is not listening
 * (inet_csk_bind_conflict); TIME-WAIT pairs stay taken (tcp_tw_reuse 0 for other than loopback, and
 * off here). ICMP errors reach the connection of the quoted segment (its sequence number must be in
 * flight); a frag-needed / packet-too-big lowers its MSS. Counts the Tcp MIB as `netstat -s` and
 * `nstat` name it. Bounded: at most MAX_TCP_SOCKETS sockets per family (ENOBUFS), and socket(2) by
 * the owner's descriptors (EMFILE, sockets/socket-list.ts), freed at close(2) while the connection
 * may live on (FIN-WAIT, TIME-WAIT). An accepted connection takes no descriptor here (accept(2)'s
 * EMFILE is left out).
 * Leaves out: SO_REUSEPORT, IPv4-mapped addresses on IPv6 sockets (one port space per family here),
 * early demux, the per-socket backlog while a program is "inside" a socket call.
 */
import { IpProtocol, isWireError, ipv6ToBytes, parseTcp, TcpFlag, type TcpRepr } from '@netloom/wire';
import type { DropReason, Nanos, StackEvent } from '../node-host.js';
import type { Errno, TcpSocket } from '../process.js';
import type { TransportRegistry } from '../protocol-table.js';
import type { RoutingApi } from '../routing-api.js';
import type { Ipv4Layer } from '../ipv4/ipv4-layer.js';
import type { Ipv4Delivery, IcmpErrorReport } from '../ipv4/transport.js';
import type { Icmpv6ErrorReport, Ipv6Delivery, Ipv6Layer } from '../ipv6/ipv6-layer.js';
import type { Prng, TimerHeap } from '../timers.js';
import type { SocketOwner } from '../sockets/socket-table.js';
import type { Descriptors } from '../sockets/socket-list.js';
import type { TcpSocketInfo } from './socket-info.js';
import { TcpConnection, type TcpSegmentIn } from './tcp-connection.js';
import { ipv4Network, ipv6Network, type TcpNetwork } from './tcp-network.js';

/** Sockets of one family a node may hold (each is a descriptor of some process, or a connection the kernel finishes). */
export const MAX_TCP_SOCKETS = 65536;
const EPHEMERAL_LOW = 32768;
const EPHEMERAL_HIGH = 60999;
const ICMP_SOURCE_QUENCH = 4;
const ICMP_REDIRECT = 5;
const ICMP_DEST_UNREACH = 3;
const ICMP_FRAG_NEEDED = 4;
const ICMPV6_PKT_TOOBIG = 2;

/** The program owning a socket: its process id, name and descriptor numbers when it has them (`ss -p`). */
export type TcpOwner = SocketOwner & { readonly pid?: number; readonly name?: string; descriptor?(socket: object): number };

/** The Tcp MIB (RFC 4022 names as /proc/net/snmp prints them) and the TcpExt counters used. */
export interface TcpMib {
  activeOpens: number;
  passiveOpens: number;
  attemptFails: number;
  estabResets: number;
  currEstab: number;
  inSegs: number;
  outSegs: number;
  retransSegs: number;
  inErrs: number;
  outRsts: number;
  inCsumErrors: number;
  listenOverflows: number;
  listenDrops: number;
}

export function createTcpMib(): TcpMib {
  return {
    activeOpens: 0,
    passiveOpens: 0,
    attemptFails: 0,
    estabResets: 0,
    currEstab: 0,
    inSegs: 0,
    outSegs: 0,
    retransSegs: 0,
    inErrs: 0,
    outRsts: 0,
    inCsumErrors: 0,
    listenOverflows: 0,
    listenDrops: 0,
  };
}

/** What TCP needs of its node. */
export interface TcpEnvironment {
  routing: RoutingApi;
  ipv4: Ipv4Layer;
  ipv6: Ipv6Layer;
  transports: TransportRegistry;
  timers: TimerHeap;
  prng: Prng;
  now(): Nanos;
  sysctl(name: string): number;
  hasDevice(name: string): boolean;
  drop(dev: string | null, reason: DropReason, frame?: Uint8Array, detail?: string): void;
  trace(event: StackEvent): void;
  /** The node's descriptors, shared by all its socket kinds (sockets/socket-list.ts). */
  descriptors: Descriptors;
}

/** The program callbacks a segment or timer causes run after it is processed (in order), not inside it. */
class Deferred {
  private readonly queue: (() => void)[] = [];
  private depth = 0;
  private flushArmed = false;

  constructor(private readonly env: TcpEnvironment) {}

  run(work: () => void): void {
    this.depth++;
    try {
      work();
    } finally {
      this.depth--;
    }
    if (this.depth === 0) this.flush();
  }

  defer(callback: () => void): void {
    this.queue.push(callback);
    if (this.depth === 0 && !this.flushArmed) {
      // Asked for outside any segment or timer (a program's own call): run at the current time.
      this.flushArmed = true;
      this.env.timers.schedule(this.env.now(), () => {
        this.flushArmed = false;
        this.run(() => {});
      });
    }
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const callback = this.queue.shift()!;
      this.depth++;
      try {
        callback();
      } finally {
        this.depth--;
      }
    }
  }
}

/** What a table without sockets walks; never written. */
const NO_SOCKETS: ReadonlySet<never> = new Set();

/** One family's TCP sockets (tcp_hashinfo's ehash, lhash and bhash for that family). */
export class TcpTable<A extends number | bigint> {
  // Made with the first socket, connection and listener: most nodes of a big network have none.
  /** Every socket of the family that is not released: for ports, the owner's exit and the listing. */
  private sockets: Set<TcpConnection<A>> | null = null;
  private connections: Map<string, TcpConnection<A>> | null = null;
  private listeners: Map<number, Set<TcpConnection<A>>> | null = null;

  constructor(
    readonly network: TcpNetwork<A>,
    readonly env: TcpEnvironment,
    readonly mib: TcpMib,
    private readonly deferred: Deferred,
  ) {}

  /** The family's sockets are at MAX_TCP_SOCKETS: no new socket, no new request socket for a SYN. */
  get isFull(): boolean {
    return (this.sockets?.size ?? 0) >= MAX_TCP_SOCKETS;
  }

  /** socket(2): ENOBUFS when the family's table is full, EMFILE when the owner has no descriptor left. */
  open(owner: TcpOwner): TcpConnection<A> | { errno: Errno } {
    if (this.isFull) return { errno: 'ENOBUFS' };
    return this.env.descriptors.open(owner, () => {
      const socket = new TcpConnection<A>(this, owner);
      (this.sockets ??= new Set()).add(socket);
      return socket;
    });
  }

  /** close(2) by the program: its descriptor is free, whatever TCP still does with the connection. */
  closed(socket: TcpConnection<A>): void {
    this.env.descriptors.close(socket);
  }

  run(work: () => void): void {
    this.deferred.run(work);
  }

  defer(callback: () => void): void {
    this.deferred.defer(callback);
  }

  // ---------------------------------------------------------------- hashes

  private key(local: A, localPort: number, remote: A, remotePort: number): string {
    return `${local}|${localPort}|${remote}|${remotePort}`;
  }

  hashConnection(socket: TcpConnection<A>): void {
    (this.sockets ??= new Set()).add(socket);
    (this.connections ??= new Map()).set(this.key(socket.localAddr, socket.boundPort, socket.remoteAddr, socket.remotePort), socket);
  }

  unhashConnection(socket: TcpConnection<A>): void {
    const key = this.key(socket.localAddr, socket.boundPort, socket.remoteAddr, socket.remotePort);
    if (this.connections?.get(key) === socket) this.connections.delete(key);
  }

  /** A socket got its port (bind, listen's autobind, connect). */
  bound(socket: TcpConnection<A>): void {
    (this.sockets ??= new Set()).add(socket);
  }

  listening(socket: TcpConnection<A>): void {
    const listeners = (this.listeners ??= new Map());
    let set = listeners.get(socket.boundPort);
    if (set === undefined) listeners.set(socket.boundPort, (set = new Set()));
    set.add(socket);
  }

  unlisten(socket: TcpConnection<A>): void {
    const set = this.listeners?.get(socket.boundPort);
    set?.delete(socket);
    if (set?.size === 0) this.listeners!.delete(socket.boundPort);
  }

  /** Forget a socket: closed by its program and finished by TCP, or a request socket that ended. */
  release(socket: TcpConnection<A>): void {
    this.unhashConnection(socket);
    this.sockets?.delete(socket);
  }

  closeOwnedBy(owner: SocketOwner): void {
    if (this.sockets === null) return;
    for (const socket of [...this.sockets]) if (socket.owner === owner && socket.parent === null) socket.close();
  }

  // ---------------------------------------------------------------- ports

  /** The sockets holding a port as bind sees them: bound or listening or connected, not finished. */
  private holders(port: number, except: TcpConnection<A>): TcpConnection<A>[] {
    const holders: TcpConnection<A>[] = [];
    for (const socket of this.sockets ?? NO_SOCKETS) {
      if (socket === except || socket.boundPort !== port || socket.parent !== null) continue;
      if (socket.state() === 'CLOSE' && socket.remotePort !== 0) continue;
      holders.push(socket);
    }
    return holders;
  }

  /** inet_csk_bind_conflict. */
  isBindable(address: A, port: number, socket: TcpConnection<A>): boolean {
    const any = this.network.any;
    for (const other of this.holders(port, socket)) {
      const overlaps = other.boundAddress === any || address === any || other.boundAddress === address;
      if (!overlaps) continue;
      if (socket.reuseAddress && other.reuseAddress && other.state() !== 'LISTEN') continue;
      return false;
    }
    return true;
  }

  /** inet_csk_get_port again at listen(): no other listener on an overlapping address of the port. */
  isListenable(socket: TcpConnection<A>): boolean {
    const any = this.network.any;
    for (const other of this.listeners?.get(socket.boundPort) ?? []) {
      if (other === socket) continue;
      if (other.boundAddress === any || socket.boundAddress === any || other.boundAddress === socket.boundAddress) return false;
    }
    return true;
  }

  /** A free port of the ephemeral range for bind(0) or listen (odd ones first, as Linux 6.x). */
  ephemeralPort(address: A, socket: TcpConnection<A>, even: boolean): number | null {
    return this.searchPorts(even, (port) => this.isBindable(address, port, socket));
  }

  /** __inet_hash_connect: an even port first, whose pair with the destination is free and that no bind holds. */
  connectPort(local: A, remote: A, remotePort: number, socket: TcpConnection<A>): number | null {
    return this.searchPorts(true, (port) => {
      for (const other of this.holders(port, socket)) if (other.remotePort === 0) return false;
      return this.isTupleFree(local, port, remote, remotePort, socket);
    });
  }

  /** The connection holding a four-tuple (any state in the established hash, TIME-WAIT included). */
  connectionOf(local: A, localPort: number, remote: A, remotePort: number): TcpConnection<A> | undefined {
    return this.connections?.get(this.key(local, localPort, remote, remotePort));
  }

  isTupleFree(local: A, localPort: number, remote: A, remotePort: number, socket: TcpConnection<A>): boolean {
    const holder = this.connections?.get(this.key(local, localPort, remote, remotePort));
    return holder === undefined || holder === socket;
  }

  private searchPorts(evenFirst: boolean, isFree: (port: number) => boolean): number | null {
    const span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    const offset = this.env.prng.below(span);
    for (const parity of evenFirst ? [0, 1] : [1, 0]) {
      for (let i = 0; i < span; i++) {
        const port = EPHEMERAL_LOW + ((offset + i) % span);
        if ((port & 1) !== parity) continue;
        if (isFree(port)) return port;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- input

  /** tcp_v4_rcv / tcp_v6_rcv after the checksum: the connection, the listener, or RST. */
  dispatch(segment: TcpSegmentIn<A>, now: Nanos): void {
    const tcp = segment.tcp;
    const connection = this.connections?.get(this.key(segment.destination, tcp.destinationPort, segment.source, tcp.sourcePort));
    if (connection !== undefined) {
      connection.processSegment(segment, now);
      return;
    }
    const listener = this.listenerFor(segment);
    if (listener !== null) {
      listener.processListen(segment, now);
      return;
    }
    this.env.drop(segment.dev, 'noSocket', undefined, `tcp port ${tcp.destinationPort}`);
    this.sendResetFor(segment, now);
  }

  /** __inet_lookup_listener's score: the port; a bound address and device must match and count. */
  private listenerFor(segment: TcpSegmentIn<A>): TcpConnection<A> | null {
    let best: TcpConnection<A> | null = null;
    let bestScore = -1;
    for (const listener of this.listeners?.get(segment.tcp.destinationPort) ?? []) {
      let score = 0;
      if (listener.boundAddress !== this.network.any) {
        if (listener.boundAddress !== segment.destination) continue;
        score += 4;
      }
      if (listener.boundDevice !== undefined) {
        if (listener.boundDevice !== segment.dev) continue;
        score += 4;
      }
      if (score > bestScore) {
        best = listener;
        bestScore = score;
      }
    }
    return best;
  }

  /** tcp_v4_send_reset for a segment no socket takes (none for an RST). */
  sendResetFor(segment: TcpSegmentIn<A>, now: Nanos): void {
    const tcp = segment.tcp;
    if ((tcp.flags & TcpFlag.rst) !== 0) return;
    const length = tcp.payload.length + ((tcp.flags & TcpFlag.syn) !== 0 ? 1 : 0) + ((tcp.flags & TcpFlag.fin) !== 0 ? 1 : 0);
    const hasAck = (tcp.flags & TcpFlag.ack) !== 0;
    this.mib.outRsts++;
    this.mib.outSegs++;
    const reset: TcpRepr = {
      sourcePort: tcp.destinationPort,
      destinationPort: tcp.sourcePort,
      sequenceNumber: hasAck ? tcp.acknowledgementNumber : 0,
      acknowledgementNumber: hasAck ? 0 : (tcp.sequenceNumber + length) >>> 0,
      flags: hasAck ? TcpFlag.rst : TcpFlag.rst | TcpFlag.ack,
      window: 0,
      urgentPointer: 0,
      options: [],
      payload: new Uint8Array(0),
    };
    this.network.transmit(reset, segment.destination, segment.source, undefined, 0, now);
  }

  /** An RST (or RST|ACK) on a connection's four-tuple. */
  sendReset(socket: TcpConnection<A>, seq: number, ack: number, flags: number, now: Nanos): void {
    this.mib.outRsts++;
    this.mib.outSegs++;
    const reset: TcpRepr = {
      sourcePort: socket.boundPort,
      destinationPort: socket.remotePort,
      sequenceNumber: seq >>> 0,
      acknowledgementNumber: (flags & TcpFlag.ack) !== 0 ? ack >>> 0 : 0,
      flags,
      window: 0,
      urgentPointer: 0,
      options: [],
      payload: new Uint8Array(0),
    };
    this.network.transmit(reset, socket.localAddr, socket.remoteAddr, socket.boundDevice, 0, now);
  }

  /** tcp_v4_err / tcp_v6_err: the connection that sent the quoted segment, if any. */
  icmpError(local: A, localPort: number, remote: A, remotePort: number, seq: number, error: { errno: Errno; fatal: boolean } | null, mtu: number | null, revertsBackoff = false): boolean {
    const connection = this.connections?.get(this.key(local, localPort, remote, remotePort));
    if (connection === undefined) return false;
    if (mtu !== null) connection.mtuReduced(mtu);
    else if (error !== null) this.run(() => connection.icmpError(error.errno, error.fatal, seq, revertsBackoff));
    return true;
  }

  /** The sockets `ss -t` lists: listeners and connections, not sockets only bound or never bound. */
  snapshot(fds: Map<object, Map<object, number>>): TcpSocketInfo[] {
    const list: TcpSocketInfo[] = [];
    const format = (address: A): string => this.network.format(address);
    for (const socket of this.sockets ?? NO_SOCKETS) {
      const state = socket.state();
      if (state === 'CLOSE') continue;
      const listening = state === 'LISTEN';
      const info: TcpSocketInfo = {
        family: this.network.family,
        state,
        recvQ: socket.receiveQueue,
        sendQ: socket.sendQueue,
        local: { address: format(listening ? socket.boundAddress : socket.localAddr), port: socket.boundPort },
        remote: listening ? { address: format(this.network.any), port: 0 } : { address: format(socket.remoteAddr), port: socket.remotePort },
      };
      if (socket.boundDevice !== undefined) info.boundDevice = socket.boundDevice;
      const owner = socket.owner;
      if (owner !== null && socket.parent === null && state !== 'TIME-WAIT' && owner.pid !== undefined) {
        let fd = owner.descriptor?.(socket);
        if (fd === undefined) {
          let numbers = fds.get(owner);
          if (numbers === undefined) fds.set(owner, (numbers = new Map()));
          fd = numbers.get(socket);
          if (fd === undefined) numbers.set(socket, (fd = 3 + numbers.size));
        }
        info.process = { name: owner.name ?? '', pid: owner.pid, fd };
      }
      list.push(info);
    }
    return list;
  }
}

/** The node's TCP over both families. */
export class TcpSockets {
  readonly mib = createTcpMib();
  readonly ipv4: TcpTable<number>;
  readonly ipv6: TcpTable<bigint>;
  /** Descriptor numbers given out per owner for `ss -p` (3, 4, … in the order sockets are listed first); made by the first listing. */
  private fds: Map<object, Map<object, number>> | null = null;

  constructor(private readonly env: TcpEnvironment) {
    const deferred = new Deferred(env);
    this.ipv4 = new TcpTable(ipv4Network({ routing: env.routing, ipv4: env.ipv4 }), env, this.mib, deferred);
    this.ipv6 = new TcpTable(ipv6Network({ ipv6: env.ipv6 }), env, this.mib, deferred);
    env.transports.register(4, IpProtocol.tcp, {
      receive: (delivery, now) => this.receive4(delivery, now),
      error: (report) => this.error4(report),
    });
    env.transports.register(6, IpProtocol.tcp, {
      receive: (delivery, now) => this.receive6(delivery, now),
      error: (report) => this.error6(report),
    });
  }

  /** socket(AF_INET or AF_INET6, SOCK_STREAM, 0). */
  open(owner: TcpOwner, family: 4 | 6): TcpSocket | { errno: Errno } {
    return family === 4 ? this.ipv4.open(owner) : this.ipv6.open(owner);
  }

  closeOwnedBy(owner: SocketOwner): void {
    this.ipv4.closeOwnedBy(owner);
    this.ipv6.closeOwnedBy(owner);
    this.fds?.delete(owner);
  }

  /** What `ss -t` and `netstat -t` list: IPv4 sockets, then IPv6. */
  tcpSocketSnapshot(): TcpSocketInfo[] {
    const fds = (this.fds ??= new Map());
    return [...this.ipv4.snapshot(fds), ...this.ipv6.snapshot(fds)];
  }

  private malformed(dev: string, error: string, frame: Uint8Array): void {
    this.mib.inErrs++;
    if (error === 'badChecksum') this.mib.inCsumErrors++;
    this.env.drop(dev, error === 'badChecksum' ? 'badChecksum' : 'malformed', frame, `tcp ${error}`);
  }

  private receive4(delivery: Ipv4Delivery, now: Nanos): void {
    const { context, ip, frame } = delivery;
    const tcp = parseTcp(ip.payload, { family: 4, source: ip.source, destination: ip.destination });
    if (isWireError(tcp)) {
      this.malformed(context.dev, tcp.error, frame);
      return;
    }
    this.mib.inSegs++;
    if (context.isBroadcast) {
      // tcp_v4_rcv: a segment to a broadcast or multicast address is not TCP's.
      this.env.drop(context.dev, 'notForUs', frame, 'tcp to a broadcast address');
      return;
    }
    this.env.trace({ type: 'deliver', ifname: context.dev, protocol: 'tcp', frame });
    this.ipv4.run(() => this.ipv4.dispatch({ tcp, source: ip.source, destination: ip.destination, dev: context.dev }, now));
  }

  private receive6(delivery: Ipv6Delivery, now: Nanos): void {
    const tcp = parseTcp(delivery.payload, { family: 6, source: ipv6ToBytes(delivery.source), destination: ipv6ToBytes(delivery.destination) });
    if (isWireError(tcp)) {
      this.malformed(delivery.dev, tcp.error, delivery.packet);
      return;
    }
    this.mib.inSegs++;
    this.ipv6.run(() => this.ipv6.dispatch({ tcp, source: delivery.source, destination: delivery.destination, dev: delivery.dev }, now));
  }

  /** tcp_v4_err. */
  private error4(report: IcmpErrorReport): boolean {
    const q = report.quoted;
    const quoted = report.payload;
    const headerLength = ((quoted[0] ?? 0) & 0x0f) * 4;
    const seq = readU32(quoted, headerLength + 4);
    if (report.type === ICMP_REDIRECT || report.type === ICMP_SOURCE_QUENCH) return this.ipv4.icmpError(q.source, q.sourcePort, q.destination, q.destinationPort, seq, null, null);
    const mtu = report.type === ICMP_DEST_UNREACH && report.code === ICMP_FRAG_NEEDED && report.info >= 68 ? report.info : null;
    // A network or host unreachable lets tcp_v4_err undo a back-off (RFC 6069).
    const reverts = report.type === ICMP_DEST_UNREACH && (report.code === 0 || report.code === 1);
    return this.ipv4.icmpError(q.source, q.sourcePort, q.destination, q.destinationPort, seq, this.ipv4.network.icmpErrno(report.type, report.code), mtu, reverts);
  }

  /** tcp_v6_err. */
  private error6(report: Icmpv6ErrorReport): boolean {
    const q = report.quoted;
    if (q.length < 48) return false;
    const source = bytesToBigint(q.subarray(8, 24));
    const destination = bytesToBigint(q.subarray(24, 40));
    const sourcePort = ((q[40] ?? 0) << 8) | (q[41] ?? 0);
    const destinationPort = ((q[42] ?? 0) << 8) | (q[43] ?? 0);
    const seq = readU32(q, 44);
    // tcp_v6_err: a packet too big under IPV6_MIN_MTU is ignored (Linux 6.x, as ip6_update_pmtu ignores it).
    if (report.type === ICMPV6_PKT_TOOBIG && report.info < IPV6_MIN_MTU) return this.ipv6.icmpError(source, sourcePort, destination, destinationPort, seq, null, null);
    const mtu = report.type === ICMPV6_PKT_TOOBIG ? report.info : null;
    // No route or address unreachable lets tcp_v6_err undo a back-off (RFC 6069).
    const reverts = report.type === 1 && (report.code === 0 || report.code === 3);
    return this.ipv6.icmpError(source, sourcePort, destination, destinationPort, seq, this.ipv6.network.icmpErrno(report.type, report.code), mtu, reverts);
  }
}

/** IPV6_MIN_MTU. */
const IPV6_MIN_MTU = 1280;

function readU32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>> 0;
}

function bytesToBigint(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}
