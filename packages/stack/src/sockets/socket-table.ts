/**
 * The node's socket layer: the table of open UDP and ICMP (ping) sockets, the demultiplexing of
 * received datagrams and ICMP errors to them, ephemeral ports, and what sockets share (routing,
 * output through the IPv4 layer's ip_local_out, identification numbers). It registers UDP as the
 * transport (4, 17) — udp_rcv (a datagram nobody takes is a `noSocket` drop and port unreachable)
 * and udp_err — and the ping sockets with the ICMP layer (ping_rcv, ping_err).
 *
 * Follows Linux: `__udp4_lib_lookup`'s compute_score (port must match; bound address, connected
 * peer and SO_BINDTODEVICE each must match when set and make a socket a better match), broadcast
 * delivered to every matching socket, `__udp4_lib_err` (ICMP errors become asynchronous errors on
 * connected sockets only when icmp_err_convert calls them fatal, e.g. port unreachable →
 * ECONNREFUSED; traceroute-style probe errors reach the owning process), ping sockets matched by
 * echo identifier. Ephemeral ports from ip_local_port_range 32768–60999, drawn from the node's PRNG.
 * Leaves out: SO_REUSEADDR/SO_REUSEPORT (a second bind to a busy port is EADDRINUSE), IPv6
 * sockets (EAFNOSUPPORT), receive buffers (a socket without a handler drops what arrives).
 */
import { IpProtocol, isWireError, parseUdp } from '@netloom/wire';
import type { DropReason, Nanos, StackEvent } from '../node-host.js';
import type { Errno, UdpProbeError } from '../process.js';
import type { TransportRegistry } from '../protocol-table.js';
import type { RoutingApi } from '../routing-api.js';
import type { Ipv4Layer } from '../ipv4/ipv4-layer.js';
import type { IcmpErrorReport, Ipv4Delivery, QuotedDatagram, ReceivedIcmp, ReceivedUdp } from '../ipv4/transport.js';
import type { Prng } from '../timers.js';
import { IcmpEchoSocket } from './icmp-socket.js';
import { UdpDatagramSocket } from './udp-socket.js';
import { SocketList, type Descriptors, type DescriptorOwner } from './socket-list.js';
import type { UdpSocketInfo } from '../tcp/socket-info.js';

/** Who owns sockets: a process, so its sockets close with it, probe errors reach it, and its descriptors bound them. */
export interface SocketOwner extends DescriptorOwner {
  onUdpProbeError?: (error: UdpProbeError) => void;
}

export interface SocketEnvironment {
  routing: RoutingApi;
  /** Output (localOut), ICMP errors (icmpSend) and the ping registration. */
  ipv4: Ipv4Layer;
  /** Where UDP registers as a transport. */
  transports: TransportRegistry;
  drop(dev: string | null, reason: DropReason, frame?: Uint8Array, detail?: string): void;
  trace(event: StackEvent): void;
  prng: Prng;
  /** Compatibility: sockets cache route and source as NetBSD 2004 did (seed 000). */
  netbsd2004: boolean;
  /** Identification for a packet that is not DF on an unconnected socket (__ip_select_ident). */
  nextIdentification(destination: number): number;
  now(): Nanos;
  /** The node's descriptors, shared by all its socket kinds (socket-list.ts). */
  descriptors: Descriptors;
}

const ICMP_DEST_UNREACH = 3;
const ICMP_SOURCE_QUENCH = 4;
const ICMP_REDIRECT = 5;
const UNREACH_PORT = 3;
const EPHEMERAL_LOW = 32768;
const EPHEMERAL_HIGH = 60999;

/** icmp_err_convert: errno and "fatal" (hard error) per destination-unreachable code (null: an errno process.ts does not name). */
export const UNREACH_ERRORS: readonly { errno: Errno | null; fatal: boolean }[] = [
  { errno: 'ENETUNREACH', fatal: false },
  { errno: 'EHOSTUNREACH', fatal: false },
  { errno: null, fatal: true }, // ENOPROTOOPT: not an Errno of process.ts
  { errno: 'ECONNREFUSED', fatal: true },
  { errno: 'EMSGSIZE', fatal: false },
  { errno: null, fatal: false }, // EOPNOTSUPP
  { errno: 'ENETUNREACH', fatal: true },
  { errno: null, fatal: true }, // EHOSTDOWN
  { errno: null, fatal: true }, // ENONET
  { errno: 'ENETUNREACH', fatal: true },
  { errno: 'EHOSTUNREACH', fatal: true },
  { errno: 'ENETUNREACH', fatal: false },
  { errno: 'EHOSTUNREACH', fatal: false },
  { errno: 'EHOSTUNREACH', fatal: true },
  { errno: 'EHOSTUNREACH', fatal: true },
  { errno: 'EHOSTUNREACH', fatal: true },
];

export class SocketTable {
  private readonly udpSockets: SocketList<UdpDatagramSocket>;
  private readonly icmpSockets: SocketList<IcmpEchoSocket>;

  constructor(readonly env: SocketEnvironment) {
    this.udpSockets = new SocketList(env.descriptors);
    this.icmpSockets = new SocketList(env.descriptors);
    env.transports.register(4, IpProtocol.udp, {
      receive: (delivery, now) => this.udpReceive(delivery, now),
      error: (report, now) => this.udpError(report, now),
    });
    env.ipv4.registerPing({
      receiveReply: (message, now) => this.pingReceive(message, now),
      error: (report, now) => this.pingError(report, now),
    });
  }

  /** socket(AF_INET, SOCK_DGRAM, 0); EMFILE when the owner has no descriptor left. */
  openUdp(owner: SocketOwner): UdpDatagramSocket | { errno: Errno } {
    return this.udpSockets.open(owner, () => new UdpDatagramSocket(this, owner));
  }

  /** socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP); EMFILE when the owner has no descriptor left. */
  openIcmp(owner: SocketOwner): IcmpEchoSocket | { errno: Errno } {
    return this.icmpSockets.open(owner, () => new IcmpEchoSocket(this, owner));
  }

  /** Forget a closed socket. */
  release(socket: UdpDatagramSocket | IcmpEchoSocket): void {
    if (socket instanceof UdpDatagramSocket) this.udpSockets.release(socket);
    else this.icmpSockets.release(socket);
  }

  /** The UDP sockets `ss -u` and `netstat -u` list: the bound ones. */
  udpSocketSnapshot(): UdpSocketInfo[] {
    // A dual-stack IPv6 socket's IPv4 side (owned by `mappedFor`, udp6-socket.ts) is listed as the IPv6 socket.
    return [...this.udpSockets].flatMap((socket) => ('mappedFor' in socket.owner ? [] : (socket.listing() ?? [])));
  }

  /** Close every socket of an owner (process exit). */
  closeOwnedBy(owner: SocketOwner): void {
    this.udpSockets.closeOwnedBy(owner);
    this.icmpSockets.closeOwnedBy(owner);
  }

  /** Is (address, port) free to bind? Wildcard conflicts with everything on the port. */
  isPortFree(address: number, port: number, except?: UdpDatagramSocket): boolean {
    return isPortFree(this.udpSockets, 0, address, port, except ?? this);
  }

  /** inet_autobind / udp_lib_get_port(0): a free ephemeral port, starting at a random offset. */
  ephemeralPort(address: number, socket: UdpDatagramSocket): number | null {
    return ephemeralPort(this.env.prng, (port) => this.isPortFree(address, port, socket));
  }

  // ---------------------------------------------------------------- UDP and ping as transports

  /** udp_rcv → __udp4_lib_rcv: checksum, then the socket(s); nobody: `noSocket` and port unreachable. */
  private udpReceive(delivery: Ipv4Delivery, now: Nanos): void {
    const { context, packet, ip, frame } = delivery;
    const udp = parseUdp(ip.payload, { family: 4, source: ip.source, destination: ip.destination });
    if (isWireError(udp)) {
      this.env.drop(context.dev, udp.error === 'badChecksum' ? 'badChecksum' : 'malformed', frame, `udp ${udp.error}`);
      return;
    }
    const delivered = this.deliverUdp({
      ifname: context.dev,
      ifindex: this.env.routing.device(context.dev)?.ifindex ?? 0,
      source: ip.source,
      destination: ip.destination,
      sourcePort: udp.sourcePort,
      destinationPort: udp.destinationPort,
      payload: udp.payload,
      ttl: ip.ttl,
      isBroadcast: context.isBroadcast,
    });
    if (delivered) {
      this.env.trace({ type: 'deliver', ifname: context.dev, protocol: 'udp', frame });
      return;
    }
    this.env.drop(context.dev, 'noSocket', frame, `udp port ${udp.destinationPort}`);
    if (!context.isBroadcast) this.env.ipv4.icmpSend(packet, context, ICMP_DEST_UNREACH, UNREACH_PORT, 0, now);
  }

  /** The best-matching socket, or every matching one for a broadcast; false when none takes it. */
  private deliverUdp(datagram: ReceivedUdp): boolean {
    if (datagram.isBroadcast) {
      let delivered = false;
      for (const socket of this.udpSockets) {
        if (socket.matchScore(datagram) >= 0) {
          socket.receive(datagram);
          delivered = true;
        }
      }
      return delivered;
    }
    const best = this.udpSockets.best((socket) => socket.matchScore(datagram));
    if (best === null) return false;
    best.receive(datagram);
    return true;
  }

  /** ping_rcv: the echo reply to every ping socket with its identifier. */
  private pingReceive(message: ReceivedIcmp, now: Nanos): void {
    for (const socket of this.icmpSockets) if (socket.matchesReply(message)) socket.receive(message, now);
  }

  /** ping_err: an error quoting one of our echo requests reaches the socket(s) that sent it, redirects included. */
  private pingError(report: IcmpErrorReport, now: Nanos): boolean {
    if (report.quoted.icmpType !== 8) return false;
    let found = false;
    for (const socket of this.icmpSockets) {
      if (!socket.sentEcho(report.quoted)) continue;
      socket.receive(report, now);
      found = true;
    }
    return found;
  }

  /**
   * udp_err (__udp4_lib_err): the socket that sent the quoted datagram gets the error — a probe
   * error for its process, an asynchronous error when connected and icmp_err_convert calls it hard;
   * a redirect only updates the route (the caller's) and queues nothing, nor does a source quench.
   */
  private udpError(message: IcmpErrorReport, now: Nanos): boolean {
    const quoted = message.quoted;
    const socket = this.udpSocketFor(quoted);
    if (socket === null) return false;
    // __udp4_lib_err: a redirect only updates the route (the caller's), a source quench is ignored.
    if (message.type === ICMP_REDIRECT || message.type === ICMP_SOURCE_QUENCH) return true;
    socket.owner.onUdpProbeError?.({
        from: formatAddress(message.source),
        type: message.type,
        code: message.code,
        sport: quoted.sourcePort,
        dport: quoted.destinationPort,
        receivedAt: now,
      });
    const error = udpErrorOf(message.type, message.code);
    if (error !== null && error.fatal && socket.isConnected) socket.asyncError(error.errno, message.source);
    return true;
  }

  /** The socket that sent a quoted UDP datagram (__udp4_lib_lookup with the roles swapped). */
  private udpSocketFor(quoted: QuotedDatagram): UdpDatagramSocket | null {
    const turned: ReceivedUdp = {
      ifname: '',
      ifindex: 0,
      source: quoted.destination,
      destination: quoted.source,
      sourcePort: quoted.destinationPort,
      destinationPort: quoted.sourcePort,
      payload: new Uint8Array(0),
      ttl: 0,
      isBroadcast: false,
    };
    return this.udpSockets.best((socket) => socket.matchScore(turned, true));
  }
}

/** The errno and hardness of an ICMP error for a UDP socket (__udp4_lib_err). */
function udpErrorOf(type: number, code: number): { errno: Errno; fatal: boolean } | null {
  if (type === 11) return { errno: 'EHOSTUNREACH', fatal: false };
  if (type === 12) return null; // EPROTO, hard: not an Errno of process.ts
  if (type !== 3) return null;
  if (code === 4) return { errno: 'EMSGSIZE', fatal: true };
  const entry = UNREACH_ERRORS[code];
  if (entry === undefined) return { errno: 'EHOSTUNREACH', fatal: false };
  return entry.errno === null ? null : { errno: entry.errno, fatal: entry.fatal };
}

/** udp_lib_lport_inuse over one family's sockets: is (address, port) free? A wildcard (`any`) conflicts with every address. */
export function isPortFree<A>(sockets: Iterable<{ boundAddress: A; boundPort: number }>, any: A, address: A, port: number, except: object): boolean {
  for (const socket of sockets) {
    if (socket === except || socket.boundPort !== port) continue;
    if (socket.boundAddress === any || address === any || socket.boundAddress === address) return false;
  }
  return true;
}

/** inet_autobind / udp_lib_get_port(0): a free port of the ephemeral range (32768-60999), from a random offset; null when all are taken. */
export function ephemeralPort(prng: Prng, isFree: (port: number) => boolean): number | null {
  const span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
  const start = prng.below(span);
  for (let i = 0; i < span; i++) {
    const port = EPHEMERAL_LOW + ((start + i) % span);
    if (isFree(port)) return port;
  }
  return null;
}

export function formatAddress(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}
