/**
 * UDP datagram sockets with Linux semantics (net/ipv4/udp.c, datagram.c, af_inet.c).
 *
 * Covers: bind (EADDRNOTAVAIL for a non-local address, EADDRINUSE, EINVAL when already bound),
 * connect (a route lookup whose errors connect returns; the source chosen then is kept —
 * inet_saddr — and the route is cached until the routing generation changes, `sk_dst_check`),
 * sendto on unconnected sockets (route and source chosen on every send; IP_PKTINFO's ifindex and
 * spec_dst override the bound device and source for one send), SO_BINDTODEVICE (ENODEV for an
 * unknown device), SO_BROADCAST (EACCES without it), IP_TTL, IP_PKTINFO on receive, asynchronous
 * errors (a hard ICMP error on a connected socket is reported at once and also kept as sk_err, which
 * the next send returns and clears — sock_error() in sock_alloc_send_pskb, so only after the route
 * lookup, the broadcast check and the size check), and the errno of every failure of udp_sendmsg:
 * EMSGSIZE (> 65507 bytes; larger than the path MTU is fragmented, IP_PMTUDISC_WANT), EDESTADDRREQ,
 * EINVAL (port 0), the route lookup's ENETUNREACH / EHOSTUNREACH (unreachable) / EACCES
 * (prohibit) / EINVAL (blackhole).
 * IP identification as ip_select_ident_segs: a connected socket counts its own; an unconnected DF
 * packet has id 0, a fragmented one a number from the node's generator.
 * The route comes first, as in udp_sendmsg (its source and MTU shape the datagram); the built packet
 * then goes to the IPv4 layer's ip_local_out with that route and the socket's flow, where a LOCAL_OUT
 * hook may re-route it (its errno, or EPERM for a hook's drop, is then the send's).
 *
 * Compatibility `netbsd-2004` (seed 000): the socket keeps its route and the source address of the
 * route's interface address (in_pcb's inp_route). While the cached source address is gone the send
 * fails with EADDRNOTAVAIL, even if the table has another way; with the route's interface down it
 * fails with ENETDOWN; the route is looked up again only when the cached one has gone from the table
 * (and its source address exists again), so a more specific route that appears later is not used.
 * A pending so_error is returned before any of that, as sosend checks it first.
 */
import { buildUdpIpv4Packet, IpProtocol, parseIpv4 } from '@netloom/wire';
import type { Datagram, Errno, PktInfo, SendResult, SockAddr, SocketResult, UdpSocket } from '../process.js';
import type { Flow4, Route4 } from '../routing-api.js';
import type { ReceivedUdp } from '../ipv4/transport.js';
import { formatAddress, type SocketOwner, type SocketTable } from './socket-table.js';
import { socketProcess, type UdpSocketInfo } from '../tcp/socket-info.js';
import { OpenSocket } from './socket-list.js';
import { deviceToBind } from './bind-to-device.js';

const MAX_UDP_PAYLOAD = 65507;
const DEFAULT_TTL = 64;

type RouteChoice = { ok: true; route: Route4; source: number } | { ok: false; errno: Errno };

interface CachedRoute {
  route: Route4;
  generation: number;
  destination: number;
}

export class UdpDatagramSocket extends OpenSocket<Datagram, SocketOwner> implements UdpSocket {
  readonly family = 4 as const;
  boundAddress = 0;
  boundPort = 0;
  /** sk_bound_dev_if: SO_BINDTODEVICE keeps the device's index, so a renamed device stays bound (0: none). */
  private boundIfindex = 0;
  private peer: { address: number; port: number } | null = null;
  /** inet_saddr: the source fixed by bind or connect. */
  private source = 0;
  private cache: CachedRoute | null = null;
  private ttl = DEFAULT_TTL;
  private wantsPktinfo = false;
  private allowsBroadcast = false;
  private identification: number;
  private errorHandler: ((errno: Errno, from: string) => void) | null = null;
  /** sk_err: the last hard ICMP error of a connected socket, not yet returned by a send. */
  private pendingError: Errno | null = null;

  constructor(
    private readonly table: SocketTable,
    owner: SocketOwner,
  ) {
    super(table, owner);
    this.identification = table.env.prng.below(0x10000);
  }

  get isConnected(): boolean {
    return this.peer !== null;
  }

  /** What `ss -u` and `netstat -u` show; null until bound (Linux lists the sockets of its UDP hash). */
  listing(): UdpSocketInfo | null {
    if (this.closed || this.boundPort === 0) return null;
    const device = this.boundDevice();
    const process = socketProcess(this.owner, this);
    return {
      family: 4,
      connected: this.peer !== null,
      // Datagrams go to the program as they arrive and leave at once: nothing waits in the queues.
      recvQ: 0,
      sendQ: 0,
      local: { address: formatAddress(this.boundAddress), port: this.boundPort },
      remote: this.peer === null ? { address: '0.0.0.0', port: 0 } : { address: formatAddress(this.peer.address), port: this.peer.port },
      ...(device !== null ? { boundDevice: device } : {}),
      ...(process !== undefined ? { process } : {}),
    };
  }

  bind(address: string, port: number): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    if (this.boundPort !== 0) return { ok: false, errno: 'EINVAL' };
    const local = parseIpv4(address);
    if (local === null || !Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, errno: 'EINVAL' };
    const routing = this.table.env.routing;
    const broadcast = this.isBroadcastAddress(local);
    if (local !== 0 && !routing.isLocalAddress(local) && !broadcast) return { ok: false, errno: 'EADDRNOTAVAIL' };
    const chosen = port === 0 ? this.table.ephemeralPort(local, this) : port;
    if (chosen === null || !this.table.isPortFree(local, chosen, this)) return { ok: false, errno: 'EADDRINUSE' };
    this.boundAddress = local;
    this.source = broadcast ? 0 : local;
    this.boundPort = chosen;
    return { ok: true };
  }

  connect(address: string, port: number): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const remote = parseIpv4(address);
    if (remote === null || !Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, errno: 'EINVAL' };
    let outcome = this.lookup(remote, port, this.source, this.boundDevice());
    if (!outcome.ok) return outcome;
    if (this.source === 0) {
      // ip_route_connect: the first lookup chose the source; the route kept is looked up again with
      // it (a multipath hash or a `from` rule sees the source then).
      outcome = this.lookup(remote, port, outcome.route.src, this.boundDevice());
      if (!outcome.ok) return outcome;
    }
    if (outcome.route.type === 'broadcast' && !this.allowsBroadcast) return { ok: false, errno: 'EACCES' };
    if (this.source === 0) this.source = outcome.route.src;
    if (this.boundAddress === 0) this.boundAddress = outcome.route.src;
    if (this.boundPort === 0) {
      const chosen = this.table.ephemeralPort(this.boundAddress, this);
      if (chosen === null) return { ok: false, errno: 'EAGAIN' };
      this.boundPort = chosen;
    }
    this.peer = { address: remote, port };
    this.cache = { route: outcome.route, generation: this.table.env.routing.generation, destination: remote };
    return { ok: true };
  }

  sendto(data: Uint8Array, to?: SockAddr, control?: { pktinfo?: PktInfo }): SendResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    if (data.length > 0xffff) return { ok: false, errno: 'EMSGSIZE' };
    const env = this.table.env;
    let destination: number;
    let port: number;
    let connected = false;
    if (to !== undefined) {
      const parsed = parseIpv4(to.address);
      if (parsed === null) return { ok: false, errno: 'EINVAL' };
      if (to.port === 0 || !Number.isInteger(to.port) || to.port < 0 || to.port > 65535) return { ok: false, errno: 'EINVAL' };
      destination = parsed;
      port = to.port;
    } else {
      if (this.peer === null) return { ok: false, errno: 'EDESTADDRREQ' };
      destination = this.peer.address;
      port = this.peer.port;
      connected = true;
    }
    let source = this.source;
    let device = this.boundDevice();
    const pktinfo = control?.pktinfo;
    if (pktinfo !== undefined) {
      if (pktinfo.ifindex !== undefined && pktinfo.ifindex !== 0) {
        const byIndex = env.routing.deviceByIndex(pktinfo.ifindex);
        if (byIndex === undefined) return { ok: false, errno: 'ENODEV' };
        device = byIndex.name;
      }
      if (pktinfo.address !== undefined) {
        const spec = parseIpv4(pktinfo.address);
        if (spec === null) return { ok: false, errno: 'EINVAL' };
        if (spec !== 0) source = spec;
      }
      connected = false;
    }
    if (this.boundPort === 0) {
      const chosen = this.table.ephemeralPort(this.boundAddress, this);
      if (chosen === null) return { ok: false, errno: 'EAGAIN' };
      this.boundPort = chosen;
    }
    // BSD's sosend returns so_error before the protocol looks at anything.
    const bsdError = env.netbsd2004 ? this.takePendingError() : null;
    if (bsdError !== null) return bsdError;

    const outcome = env.netbsd2004 ? this.netbsdRoute(destination, port, source, device) : this.routeFor(destination, port, source, device, connected);
    if (!outcome.ok) return outcome;
    const route = outcome.route;
    const chosenSource = outcome.source;
    if ((route.type === 'broadcast' || destination === 0xffffffff) && !this.allowsBroadcast) return { ok: false, errno: 'EACCES' };
    if (data.length > MAX_UDP_PAYLOAD) return { ok: false, errno: 'EMSGSIZE' };
    const pending = this.takePendingError();
    if (pending !== null) return pending;
    // IP_PMTUDISC_WANT: DF when the datagram fits the path MTU, else fragmented locally.
    const dontFragment = data.length + 28 <= route.mtu;
    // ip_select_ident_segs: a connected socket's own counter; DF without a peer: 0; else hashed.
    const identification = this.peer !== null ? (this.identification = (this.identification + 1) & 0xffff) : dontFragment ? 0 : env.nextIdentification(destination);
    const packet = buildUdpIpv4Packet(
      { source: chosenSource, destination, ttl: this.ttl, dontFragment, identification },
      this.boundPort,
      port,
      data,
    );
    // ip_local_out with the route looked up for it and that lookup's flow (a LOCAL_OUT hook may re-route).
    const sent = env.ipv4.localOut(packet, route, this.flowOf(destination, port, source, device), env.now());
    if (!sent.ok) return sent;
    return { ok: true, info: { ifname: sent.dev, source: formatAddress(chosenSource), bytes: data.length } };
  }

  setsockopt(option: 'SO_BINDTODEVICE', value: string): SocketResult;
  setsockopt(option: 'IP_PKTINFO' | 'IPV6_RECVPKTINFO' | 'SO_BROADCAST', value: boolean): SocketResult;
  setsockopt(option: 'IP_TTL', value: number): SocketResult;
  setsockopt(option: string, value: string | boolean | number): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    switch (option) {
      case 'SO_BINDTODEVICE': {
        const bound = deviceToBind(value, (name) => this.table.env.routing.device(name));
        if (!bound.ok) return bound;
        this.boundIfindex = bound.device?.ifindex ?? 0;
        this.cache = null;
        return { ok: true };
      }
      case 'IP_PKTINFO':
        this.wantsPktinfo = value === true;
        return { ok: true };
      case 'IPV6_RECVPKTINFO':
        return { ok: false, errno: 'EINVAL' };
      case 'SO_BROADCAST':
        this.allowsBroadcast = value === true;
        return { ok: true };
      case 'IP_TTL': {
        const ttl = Number(value);
        if (ttl === -1) this.ttl = DEFAULT_TTL;
        else if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) return { ok: false, errno: 'EINVAL' };
        else this.ttl = ttl;
        return { ok: true };
      }
      default:
        return { ok: false, errno: 'EINVAL' };
    }
  }

  localAddress(): SockAddr | null {
    if (this.boundPort === 0) return null;
    return { address: formatAddress(this.boundAddress), port: this.boundPort };
  }

  onError(handler: (errno: Errno, from: string) => void): void {
    this.errorHandler = handler;
  }

  // ---------------------------------------------------------------- used by the table

  /** compute_score: -1 when the socket does not take the datagram, higher = better match. */
  matchScore(datagram: ReceivedUdp, forError = false): number {
    if (this.closed || this.boundPort !== datagram.destinationPort) return -1;
    let score = 0;
    if (this.boundAddress !== 0) {
      if (this.boundAddress !== datagram.destination) return -1;
      score += 4;
    }
    if (this.peer !== null) {
      if (this.peer.address !== datagram.source || this.peer.port !== datagram.sourcePort) return -1;
      score += 8;
    }
    if (this.boundIfindex !== 0 && !forError) {
      if (this.boundIfindex !== datagram.ifindex) return -1;
      score += 4;
    }
    return score;
  }

  receive(datagram: ReceivedUdp): void {
    const handler = this.messageHandler;
    if (handler === null) return;
    const message: Datagram = {
      data: datagram.payload.slice(),
      from: { address: formatAddress(datagram.source), port: datagram.sourcePort },
      ttl: datagram.ttl,
    };
    if (this.wantsPktinfo) message.pktinfo = { address: formatAddress(datagram.destination), ifindex: datagram.ifindex, ifname: datagram.ifname };
    handler(message);
  }

  /** A hard ICMP error for this connected socket (__udp4_lib_err: sk_err set, sk_error_report). */
  asyncError(errno: Errno, from: number): void {
    this.pendingError = errno;
    this.errorHandler?.(errno, formatAddress(from));
  }

  /** sock_error(): the pending error as a failed send, cleared as it is returned; null when none. */
  private takePendingError(): { ok: false; errno: Errno } | null {
    const errno = this.pendingError;
    if (errno === null) return null;
    this.pendingError = null;
    return { ok: false, errno };
  }

  // ---------------------------------------------------------------- routing

  /** The bound device's current name, null when unbound. */
  private boundDevice(): string | null {
    return this.boundIfindex === 0 ? null : this.table.env.routing.deviceByIndex(this.boundIfindex)?.name ?? null;
  }

  private lookup(destination: number, port: number, source: number, device: string | null): { ok: true; route: Route4 } | { ok: false; errno: Errno } {
    const env = this.table.env;
    return env.routing.routeOutput(this.flowOf(destination, port, source, device), env.now());
  }

  /** The socket's flow towards (destination, port): flowi4 of ip_route_output_ports. */
  private flowOf(destination: number, port: number, source: number, device: string | null): Flow4 {
    return {
      dst: destination,
      ...(source !== 0 ? { src: source } : {}),
      ...(device !== null ? { oif: device } : {}),
      proto: IpProtocol.udp,
      sport: this.boundPort,
      dport: port,
    };
  }

  /** Linux: a connected socket reuses its route until the generation moves (sk_dst_check). */
  private routeFor(destination: number, port: number, source: number, device: string | null, connected: boolean): RouteChoice {
    const generation = this.table.env.routing.generation;
    if (connected && this.cache !== null && this.cache.generation === generation && this.cache.destination === destination) {
      return { ok: true, route: this.cache.route, source: source !== 0 ? source : this.cache.route.src };
    }
    const outcome = this.lookup(destination, port, source, device);
    if (connected) this.cache = outcome.ok ? { route: outcome.route, generation, destination } : null;
    if (!outcome.ok) return outcome;
    return { ok: true, route: outcome.route, source: source !== 0 ? source : outcome.route.src };
  }

  /** NetBSD 2004's in_pcb route cache (see the module comment). */
  private netbsdRoute(destination: number, port: number, source: number, device: string | null): RouteChoice {
    const routing = this.table.env.routing;
    let cache = this.cache;
    if (cache !== null && cache.destination !== destination) cache = this.cache = null;
    if (cache !== null) {
      const cachedSource = source !== 0 ? source : cache.route.src;
      if (!routing.isLocalAddress(cachedSource)) return { ok: false, errno: 'EADDRNOTAVAIL' };
      if (cache.generation !== routing.generation) {
        if (this.isStillInTable(cache.route, destination, port)) cache.generation = routing.generation;
        else cache = this.cache = null;
      }
    }
    if (cache === null) {
      const outcome = this.lookup(destination, port, source, device);
      if (!outcome.ok) return { ok: false, errno: outcome.errno === 'ENETUNREACH' ? 'EHOSTUNREACH' : outcome.errno };
      cache = this.cache = { route: outcome.route, generation: routing.generation, destination };
    }
    const dev = routing.device(cache.route.dev);
    if (dev === undefined || !dev.adminUp) return { ok: false, errno: 'ENETDOWN' };
    return { ok: true, route: cache.route, source: source !== 0 ? source : cache.route.src };
  }

  /** 255.255.255.255 or the directed broadcast of one of our subnets (binding to it is allowed). */
  private isBroadcastAddress(address: number): boolean {
    if (address === 0xffffffff) return true;
    return this.table.env.routing.devices().some((d) => d.addresses.some((ifa) => ifa.prefixLength < 31 && ifa.broadcast === address));
  }

  /** The cached route is still what the table says for its interface (NetBSD: still RTF_UP). */
  private isStillInTable(route: Route4, destination: number, port: number): boolean {
    const device = this.table.env.routing.device(route.dev);
    if (device !== undefined && !device.adminUp) return true; // NetBSD keeps routes through a down interface
    const again = this.lookup(destination, port, 0, route.dev);
    return again.ok && again.route.dev === route.dev && again.route.gateway === route.gateway;
  }
}

