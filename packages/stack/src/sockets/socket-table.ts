/**
 * The node's socket layer: the table of open UDP and ICMP (ping) sockets, the demultiplexing of
 * received datagrams and ICMP errors to them (the TransportDemux the IPv4 layer calls), ephemeral
 * ports, and what sockets share (routing, output, identification numbers).
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
import type { Nanos } from '../node-host.js';
import type { Errno, UdpProbeError } from '../process.js';
import type { RoutingApi } from '../routing-api.js';
import type { Ipv4Layer } from '../ipv4/ipv4-layer.js';
import type { QuotedDatagram, ReceivedIcmp, ReceivedUdp, TransportDemux } from '../ipv4/transport.js';
import type { Prng } from '../timers.js';
import { IcmpEchoSocket } from './icmp-socket.js';
import { UdpDatagramSocket } from './udp-socket.js';

/** Who owns sockets: a process, so its sockets close with it and probe errors reach it. */
export interface SocketOwner {
  onUdpProbeError?: (error: UdpProbeError) => void;
}

export interface SocketEnvironment {
  routing: RoutingApi;
  ipv4: Ipv4Layer;
  prng: Prng;
  /** Compatibility: sockets cache route and source as NetBSD 2004 did (seed 000). */
  netbsd2004: boolean;
  /** Identification for a packet that is not DF on an unconnected socket (__ip_select_ident). */
  nextIdentification(destination: number): number;
  now(): Nanos;
}

const EPHEMERAL_LOW = 32768;
const EPHEMERAL_HIGH = 60999;

/** icmp_err_convert: errno and "fatal" (hard error) per destination-unreachable code. */
const UNREACH_ERRORS: readonly { errno: Errno | null; fatal: boolean }[] = [
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

export class SocketTable implements TransportDemux {
  private readonly udpSockets = new Set<UdpDatagramSocket>();
  private readonly icmpSockets = new Set<IcmpEchoSocket>();

  constructor(readonly env: SocketEnvironment) {}

  openUdp(owner: SocketOwner): UdpDatagramSocket {
    const socket = new UdpDatagramSocket(this, owner);
    this.udpSockets.add(socket);
    return socket;
  }

  openIcmp(owner: SocketOwner): IcmpEchoSocket {
    const socket = new IcmpEchoSocket(this, owner);
    this.icmpSockets.add(socket);
    return socket;
  }

  /** Forget a closed socket. */
  release(socket: UdpDatagramSocket | IcmpEchoSocket): void {
    if (socket instanceof UdpDatagramSocket) this.udpSockets.delete(socket);
    else this.icmpSockets.delete(socket);
  }

  /** Close every socket of an owner (process exit). */
  closeOwnedBy(owner: SocketOwner): void {
    for (const socket of [...this.udpSockets]) if (socket.owner === owner) socket.close();
    for (const socket of [...this.icmpSockets]) if (socket.owner === owner) socket.close();
  }

  /** Is (address, port) free to bind? Wildcard conflicts with everything on the port. */
  isPortFree(address: number, port: number, except: UdpDatagramSocket): boolean {
    for (const socket of this.udpSockets) {
      if (socket === except || socket.boundPort !== port) continue;
      if (socket.boundAddress === 0 || address === 0 || socket.boundAddress === address) return false;
    }
    return true;
  }

  /** inet_autobind / udp_lib_get_port(0): a free ephemeral port, starting at a random offset. */
  ephemeralPort(address: number, socket: UdpDatagramSocket): number | null {
    const span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    const start = this.env.prng.below(span);
    for (let i = 0; i < span; i++) {
      const port = EPHEMERAL_LOW + ((start + i) % span);
      if (this.isPortFree(address, port, socket)) return port;
    }
    return null;
  }

  // ---------------------------------------------------------------- TransportDemux

  deliverUdp(datagram: ReceivedUdp, now: Nanos): boolean {
    void now;
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
    let best: UdpDatagramSocket | null = null;
    let bestScore = -1;
    for (const socket of this.udpSockets) {
      const score = socket.matchScore(datagram);
      if (score > bestScore) {
        best = socket;
        bestScore = score;
      }
    }
    if (best === null) return false;
    best.receive(datagram);
    return true;
  }

  deliverEchoReply(message: ReceivedIcmp, now: Nanos): void {
    for (const socket of this.icmpSockets) if (socket.matchesReply(message)) socket.receive(message, now);
  }

  deliverIcmpError(message: ReceivedIcmp & { quoted: QuotedDatagram }, now: Nanos): void {
    const quoted = message.quoted;
    if (quoted.protocol === 17) {
      const socket = this.udpSocketFor(quoted);
      if (socket === undefined) return;
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
      return;
    }
    if (quoted.protocol === 1 && quoted.icmpType === 8) {
      for (const socket of this.icmpSockets) if (socket.sentEcho(quoted)) socket.receive(message, now);
    }
  }

  hasSocketFor(quoted: QuotedDatagram): boolean {
    if (quoted.protocol === 17) return this.udpSocketFor(quoted) !== undefined;
    if (quoted.protocol === 1 && quoted.icmpType === 8) return [...this.icmpSockets].some((socket) => socket.sentEcho(quoted));
    return false;
  }

  /** The socket that sent a quoted UDP datagram (__udp4_lib_lookup with the roles swapped). */
  private udpSocketFor(quoted: QuotedDatagram): UdpDatagramSocket | undefined {
    let best: UdpDatagramSocket | undefined;
    let bestScore = -1;
    for (const socket of this.udpSockets) {
      const score = socket.matchScore({
        ifname: '',
        ifindex: 0,
        source: quoted.destination,
        destination: quoted.source,
        sourcePort: quoted.destinationPort,
        destinationPort: quoted.sourcePort,
        payload: new Uint8Array(0),
        ttl: 0,
        isBroadcast: false,
      }, true);
      if (score > bestScore) {
        best = socket;
        bestScore = score;
      }
    }
    return best;
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

export function formatAddress(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}
