/**
 * UDP over IPv6 (net/ipv6/udp.c, datagram.c, af_inet6.c): the node's udp6 sockets and the udpv6
 * transport registered as (6, 17), with its receive handler (__udp6_lib_rcv) and error handler
 * (__udp6_lib_err).
 *
 * Covers: bind (EINVAL for text that is no IPv6 address, for a second bind, and for a link-local
 * address without SO_BINDTODEVICE — inet6_bind wants a scope; EADDRNOTAVAIL for an address that is
 * not ours, or not on the bound device; EADDRINUSE), connect (ip6_datagram_connect: EINVAL for an
 * unscoped link-local or link-scoped multicast destination, the route lookup's errno, the source it
 * picks kept; inet_dgram_connect binds an ephemeral port first, as a send does), sendto
 * (EDESTADDRREQ, EINVAL for an explicit port 0 — a link-local destination needs no scope here, the
 * route lookup picks the device, and a socket connected to port 0 sends to it —, EMSGSIZE beyond 65527 bytes (a datagram larger
 * than the path MTU is fragmented by the IPv6 layer, ip6_fragment), the route lookup's ENETUNREACH / EHOSTUNREACH / EACCES / EINVAL; IPV6_PKTINFO's
 * source address for one send, EINVAL when it is not ours), SO_BINDTODEVICE (ENODEV), the unicast
 * hop limit (IP_TTL stands for IPV6_UNICAST_HOPS), IPV6_RECVPKTINFO on receive, and errors:
 * icmpv6_err_convert's errno of a fatal ICMPv6 error (port unreachable → ECONNREFUSED) is reported
 * on a connected socket at once and kept as sk_err for the next send. The checksum is mandatory
 * both ways: a datagram with a zero or wrong checksum is dropped (badChecksum).
 * Delivery picks the best-matching socket (udp6_lib_lookup's score: bound address, connected
 * peer, bound device); with none, `noSocket` and ICMPv6 port unreachable.
 * Dual stack (Linux's ipv6_only / net.ipv6.bindv6only, 0 by default): a socket that is not
 * IPV6_V6ONLY and is bound to :: or to an IPv4-mapped ::ffff:a.b.c.d also holds the port in IPv4's
 * table — through a companion IPv4 socket (sockets/socket-table.ts) bound to 0.0.0.0 or a.b.c.d
 * with the same port, which `ss` does not list — so it conflicts with IPv4 binds of the port both
 * ways (EADDRINUSE), receives IPv4 datagrams as from ::ffff:a.b.c.d (their errors too), and sends
 * and connects to ::ffff:a.b.c.d over IPv4 (udp_sendmsg, __ip4_datagram_connect); a V6ONLY socket
 * sending or connecting to a mapped address is ENETUNREACH, binding one EINVAL; IPV6_V6ONLY on a
 * bound socket is EINVAL. A socket bound to a specific IPv6 address takes no IPv4 and keeps its
 * IPv4-mapped sends EAFNOSUPPORT (Linux sends them from 127.0.0.6). An IPv4 socket and a dual one
 * matching the same datagram: the IPv4 table's own score decides (Linux also scores the family).
 * Leaves out: IPV6_PKTINFO's ifindex on send, multicast,
 * IPV6_DONTFRAG, flow labels and traffic class, SO_REUSEADDR.
 */
import {
  buildUdpIpv6Packet,
  isWireError,
  parseUdp,
  formatIpv6Number,
  ipv6ToBytes,
  isIpv4Mapped,
  isIpv6LinkLocal,
  isIpv6Multicast,
  parseIpv6Number,
  type Ipv6Number,
} from '@netloom/wire';
import type { DropReason, Nanos } from '../node-host.js';
import type { Datagram, Errno, PktInfo, SendResult, SockAddr, SocketResult, UdpProbeError, UdpSocket } from '../process.js';
import type { TransportRegistry } from '../protocol-table.js';
import type { Prng } from '../timers.js';
import type { Icmpv6ErrorReport, Ipv6Delivery, Ipv6Layer } from '../ipv6/ipv6-layer.js';
import { ephemeralPort, isPortFree } from './socket-table.js';
import { OpenSocket, SocketList, type DescriptorOwner, type Descriptors } from './socket-list.js';
import { deviceToBind } from './bind-to-device.js';
import { socketProcess, type UdpSocketInfo } from '../tcp/socket-info.js';

const IPPROTO_UDP = 17;
const UDP_HEADER = 8;
const IPV6_HEADER = 40;
/** The largest UDP payload an IPv6 packet without jumbogram carries (65535 - 8). */
const MAX_UDP6_PAYLOAD = 65527;
const DEFAULT_HOP_LIMIT = 64;
/** ICMPv6 types and the destination-unreachable codes' errors (icmpv6_err_convert, tab_unreach). */
const ICMPV6_DEST_UNREACH = 1;
const ICMPV6_PKT_TOOBIG = 2;
const ICMPV6_TIME_EXCEED = 3;
const ICMPV6_PORT_UNREACH = 4;
export const UNREACH_ERRORS: readonly { errno: Errno; fatal: boolean }[] = [
  { errno: 'ENETUNREACH', fatal: false },
  { errno: 'EACCES', fatal: true },
  { errno: 'EHOSTUNREACH', fatal: false },
  { errno: 'EHOSTUNREACH', fatal: false },
  { errno: 'ECONNREFUSED', fatal: true },
  { errno: 'EACCES', fatal: true },
  { errno: 'EACCES', fatal: true },
];

/** icmpv6_err_convert: the errno and whether the error is hard; null where the errno (EPROTO) has no name here. */
function icmpv6ErrConvert(type: number, code: number): { errno: Errno; fatal: boolean } | null {
  if (type === ICMPV6_DEST_UNREACH) return UNREACH_ERRORS[code] ?? null;
  if (type === ICMPV6_PKT_TOOBIG) return { errno: 'EMSGSIZE', fatal: false };
  if (type === ICMPV6_TIME_EXCEED) return { errno: 'EHOSTUNREACH', fatal: false };
  return null;
}

/** What udp6 needs of the node. */
export interface Udp6Environment {
  /** An IPv4 UDP socket for a dual-stack socket's IPv4 side (the node's SocketTable.openUdp). */
  openIpv4(owner: Udp6Owner): UdpSocket | { errno: Errno };
  /** Is the IPv4 port free to bind at `address` (0: any)? */
  isIpv4PortFree(address: string, port: number): boolean;
  /** net.ipv6.bindv6only: new sockets are IPV6_V6ONLY. */
  bindv6only(): boolean;
  layer: Ipv6Layer;
  transports: TransportRegistry;
  prng: Prng;
  now(): Nanos;
  /** The IPv6 addresses of a device (for a link-local bind's scope). */
  addressesOf(dev: string, now: Nanos): readonly Ipv6Number[];
  drop(dev: string | null, reason: DropReason, frame?: Uint8Array, detail?: string): void;
  /** The node's descriptors, shared by all its socket kinds (socket-list.ts). */
  descriptors: Descriptors;
}

/** A received datagram as the sockets match it. */
interface Received6 {
  dev: string;
  source: Ipv6Number;
  destination: Ipv6Number;
  sourcePort: number;
  destinationPort: number;
  payload: Uint8Array;
  hopLimit: number;
}

/** The owner a socket is closed with (a process); it may take the ICMPv6 errors of its datagrams (traceroute's probes). */
export interface Udp6Owner extends DescriptorOwner {
  onUdpProbeError?: (error: UdpProbeError) => void;
}

/** The node's UDP-over-IPv6 sockets (udp_table for family 6) and the udpv6 transport. */
export class Udp6Sockets {
  private readonly sockets: SocketList<Udp6DatagramSocket>;

  constructor(readonly env: Udp6Environment) {
    this.sockets = new SocketList(env.descriptors);
    env.transports.register(6, IPPROTO_UDP, {
      receive: (delivery, now) => this.receive(delivery, now),
      error: (report, now) => this.error(report, now),
    });
  }

  /** socket(AF_INET6, SOCK_DGRAM, 0); EMFILE when the owner has no descriptor left. */
  open(owner: Udp6Owner): Udp6DatagramSocket | { errno: Errno } {
    return this.sockets.open(owner, () => new Udp6DatagramSocket(this, owner));
  }

  closeOwnedBy(owner: Udp6Owner): void {
    this.sockets.closeOwnedBy(owner);
  }

  /** The sockets `ss -u` and `netstat -u` list: the bound ones. */
  udpSocketSnapshot(): UdpSocketInfo[] {
    return [...this.sockets].flatMap((socket) => socket.listing() ?? []);
  }

  release(socket: Udp6DatagramSocket): void {
    this.sockets.release(socket);
  }

  /** Is (address, port) free to bind? A wildcard conflicts with everything on the port. */
  isPortFree(address: Ipv6Number, port: number, except: Udp6DatagramSocket): boolean {
    return isPortFree(this.sockets, 0n, address, port, except);
  }

  /** inet_autobind / udp_lib_get_port(0): a free ephemeral port, starting at a random offset. */
  ephemeralPort(address: Ipv6Number, socket: Udp6DatagramSocket, ipv4Address: string | null = null): number | null {
    return ephemeralPort(this.env.prng, (port) => this.isPortFree(address, port, socket) && (ipv4Address === null || this.env.isIpv4PortFree(ipv4Address, port)));
  }

  /** __udp6_lib_rcv: the checksum (mandatory), then the best socket; nobody: port unreachable. */
  private receive(d: Ipv6Delivery, now: Nanos): void {
    const checksumAbsent = d.payload.length >= UDP_HEADER && d.payload[6] === 0 && d.payload[7] === 0;
    const udp = parseUdp(d.payload, { family: 6, source: ipv6ToBytes(d.source), destination: ipv6ToBytes(d.destination) });
    if (checksumAbsent || isWireError(udp)) {
      const bad = checksumAbsent || (isWireError(udp) && udp.error === 'badChecksum');
      this.env.drop(d.dev, bad ? 'badChecksum' : 'malformed', d.packet, checksumAbsent ? 'udp6 zero checksum' : `udp6 ${isWireError(udp) ? udp.error : ''}`);
      return;
    }
    const received: Received6 = { dev: d.dev, source: d.source, destination: d.destination, sourcePort: udp.sourcePort, destinationPort: udp.destinationPort, payload: udp.payload, hopLimit: d.hopLimit };
    const best = this.sockets.best((socket) => socket.matchScore(received));
    if (best !== null) {
      best.receive(received);
      return;
    }
    this.env.drop(d.dev, 'noSocket', d.packet, `udp6 port ${udp.destinationPort}`);
    if (!isIpv6Multicast(d.destination)) this.env.layer.destinationUnreachable(d, ICMPV6_PORT_UNREACH, now);
  }

  /** __udp6_lib_err: the socket that sent the quoted datagram (its addresses and ports). */
  private error(report: Icmpv6ErrorReport, now: Nanos): boolean {
    const q = report.quoted;
    if (q.length < IPV6_HEADER + 4) return false;
    const source = bytesToNumber(q.subarray(8, 24));
    const destination = bytesToNumber(q.subarray(24, 40));
    const sourcePort = ((q[IPV6_HEADER] ?? 0) << 8) | (q[IPV6_HEADER + 1] ?? 0);
    const destinationPort = ((q[IPV6_HEADER + 2] ?? 0) << 8) | (q[IPV6_HEADER + 3] ?? 0);
    // The lookup is the receive lookup turned around: the datagram's destination is the socket's peer.
    const turned: Received6 = { dev: report.dev, source: destination, destination: source, sourcePort: destinationPort, destinationPort: sourcePort, payload: new Uint8Array(0), hopLimit: 0 };
    const best = this.sockets.best((socket) => socket.matchScore(turned, true));
    if (best === null) return false;
    // The process reads the error from the socket's queue (IPV6_RECVERR), as traceroute's probes do.
    best.owner.onUdpProbeError?.({
      from: formatIpv6Number(report.from),
      type: report.type,
      code: report.code,
      sport: sourcePort,
      dport: destinationPort,
      receivedAt: now,
      ...(report.type === ICMPV6_PKT_TOOBIG ? { mtu: report.info } : {}),
    });
    best.icmpError(report);
    return true;
  }
}

function bytesToNumber(bytes: Uint8Array): Ipv6Number {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** An address of our API's text, or EINVAL for no address. */
function parseAddress(text: string): Ipv6Number | { errno: Errno } {
  const address = parseIpv6Number(text);
  if (address === null) return { errno: 'EINVAL' };
  return address;
}

/** The IPv4 address inside ::ffff:a.b.c.d, as text. */
function mappedIpv4(address: Ipv6Number): string {
  const v4 = Number(address & 0xffffffffn);
  return `${v4 >>> 24}.${(v4 >>> 16) & 0xff}.${(v4 >>> 8) & 0xff}.${v4 & 0xff}`;
}

/** a.b.c.d as ::ffff:a.b.c.d. */
function asMapped(text: string): string {
  return `::ffff:${text}`;
}

/** The owner of a dual-stack socket's IPv4 side: not listed by `ss`, its probe errors the process's. */
export interface MappedCompanionOwner {
  readonly mappedFor: Udp6DatagramSocket;
  readonly onUdpProbeError?: (error: UdpProbeError) => void;
}



/** A destination that needs a scope (an interface): link-local unicast or link-scoped multicast. */
function needsScope(address: Ipv6Number): boolean {
  return isIpv6LinkLocal(address) || (isIpv6Multicast(address) && ((address >> 112n) & 0xfn) <= 2n);
}

export class Udp6DatagramSocket extends OpenSocket<Datagram, Udp6Owner> implements UdpSocket {
  readonly family = 6 as const;
  boundAddress: Ipv6Number = 0n;
  boundPort = 0;
  private boundDevice: string | undefined;
  private peer: { address: Ipv6Number; port: number } | null = null;
  /** The source fixed by bind or connect. */
  private source: Ipv6Number = 0n;
  private hopLimit = DEFAULT_HOP_LIMIT;
  private wantsPktinfo = false;
  private errorHandler: ((errno: Errno, from: string) => void) | null = null;
  /** sk_err: the last hard ICMPv6 error of a connected socket, not yet returned by a send. */
  private pendingError: Errno | null = null;
  /** IPV6_V6ONLY (sk_ipv6only), from net.ipv6.bindv6only when the socket is made. */
  private v6only: boolean;
  /** The IPv4 side of a dual-stack socket, once bound to :: or a mapped address. */
  private ipv4: UdpSocket | null = null;

  constructor(
    private readonly table: Udp6Sockets,
    owner: Udp6Owner,
  ) {
    super(table, owner);
    this.v6only = table.env.bindv6only();
  }

  private get layer(): Ipv6Layer {
    return this.table.env.layer;
  }

  /** What `ss -u` and `netstat -u` show; null until bound (Linux lists the sockets of its UDP hash). */
  listing(): UdpSocketInfo | null {
    if (this.closed || this.boundPort === 0) return null;
    const process = socketProcess(this.owner, this);
    return {
      family: 6,
      connected: this.peer !== null,
      // Datagrams go to the program as they arrive and leave at once: nothing waits in the queues.
      recvQ: 0,
      sendQ: 0,
      local: { address: formatIpv6Number(this.boundAddress), port: this.boundPort },
      remote: this.peer === null ? { address: '::', port: 0 } : { address: formatIpv6Number(this.peer.address), port: this.peer.port },
      ...(this.boundDevice !== undefined ? { boundDevice: this.boundDevice } : {}),
      ...(process !== undefined ? { process } : {}),
    };
  }

  bind(address: string, port: number): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const local = parseAddress(address);
    if (typeof local !== 'bigint') return { ok: false, errno: local.errno };
    if (this.boundPort !== 0) return { ok: false, errno: 'EINVAL' };
    if (!Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, errno: 'EINVAL' };
    const now = this.table.env.now();
    if (isIpv4Mapped(local)) {
      if (this.v6only) return { ok: false, errno: 'EINVAL' };
    } else if (local !== 0n) {
      // inet6_bind: a link-local address needs the socket's device, and must be on it.
      if (needsScope(local) && this.boundDevice === undefined) return { ok: false, errno: 'EINVAL' };
      if (!this.layer.isLocalAddress(local, now)) return { ok: false, errno: 'EADDRNOTAVAIL' };
      if (isIpv6LinkLocal(local) && !this.table.env.addressesOf(this.boundDevice!, now).includes(local)) return { ok: false, errno: 'EADDRNOTAVAIL' };
    }
    const ipv4Address = this.ipv4AddressFor(local);
    let chosen = port;
    if (chosen === 0) {
      const ephemeral = this.table.ephemeralPort(local, this, ipv4Address);
      if (ephemeral === null) return { ok: false, errno: 'EADDRINUSE' };
      chosen = ephemeral;
    } else if (!this.table.isPortFree(local, chosen, this) || (ipv4Address !== null && !this.table.env.isIpv4PortFree(ipv4Address, chosen))) return { ok: false, errno: 'EADDRINUSE' };
    if (ipv4Address !== null) {
      const opened = this.openIpv4Side(ipv4Address, chosen);
      if (opened !== null) return { ok: false, errno: opened };
    }
    this.boundAddress = local;
    this.source = local;
    this.boundPort = chosen;
    return { ok: true };
  }

  /** The IPv4 side for a mapped destination: ENETUNREACH on a V6ONLY socket, EAFNOSUPPORT when bound to an IPv6 address. */
  private mappedSide(): UdpSocket | { errno: Errno } {
    if (this.v6only) return { errno: 'ENETUNREACH' };
    return this.ipv4 ?? { errno: 'EAFNOSUPPORT' };
  }

  /** The IPv4 address a dual-stack socket bound to `local` holds its port at; null when it holds none. */
  private ipv4AddressFor(local: Ipv6Number): string | null {
    if (this.v6only) return null;
    if (local === 0n) return '0.0.0.0';
    return isIpv4Mapped(local) ? mappedIpv4(local) : null;
  }

  /** The companion IPv4 socket: bound, its datagrams and errors this socket's, as from ::ffff:a.b.c.d. */
  private openIpv4Side(address: string, port: number): Errno | null {
    const owner: MappedCompanionOwner = {
      mappedFor: this,
      onUdpProbeError: (error) => this.owner.onUdpProbeError?.({ ...error, from: asMapped(error.from) }),
    };
    const opened = this.table.env.openIpv4(owner);
    if ('errno' in opened) return opened.errno;
    const bound = opened.bind(address, port);
    if (!bound.ok) {
      opened.close();
      return bound.errno;
    }
    opened.setsockopt('IP_PKTINFO', true);
    if (this.boundDevice !== undefined) opened.setsockopt('SO_BINDTODEVICE', this.boundDevice);
    if (this.hopLimit !== DEFAULT_HOP_LIMIT) opened.setsockopt('IP_TTL', this.hopLimit);
    opened.onMessage((d) => {
      const dgram: Datagram = { data: d.data, from: { address: asMapped(d.from.address), port: d.from.port }, ttl: d.ttl };
      if (this.wantsPktinfo && d.pktinfo !== undefined) dgram.pktinfo = { ...d.pktinfo, address: asMapped(d.pktinfo.address ?? '0.0.0.0') };
      this.messageHandler?.(dgram);
    });
    opened.onError((errno, from) => this.errorHandler?.(errno, asMapped(from)));
    this.ipv4 = opened;
    return null;
  }

  /** inet_autobind, as inet_dgram_connect and inet_send_prepare do before anything else: an ephemeral port. */
  private autobind(): Errno | null {
    if (this.boundPort !== 0) return null;
    const ipv4Address = this.ipv4AddressFor(0n);
    const ephemeral = this.table.ephemeralPort(0n, this, ipv4Address);
    if (ephemeral === null) return 'EAGAIN';
    if (ipv4Address !== null) {
      const opened = this.openIpv4Side(ipv4Address, ephemeral);
      if (opened !== null) return opened;
    }
    this.boundPort = ephemeral;
    return null;
  }

  /** ip6_datagram_connect (after inet_dgram_connect's autobind): the route and source now. */
  connect(address: string, port: number): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const unbound = this.autobind();
    if (unbound !== null) return { ok: false, errno: unbound };
    const destination = parseAddress(address);
    if (typeof destination !== 'bigint') return { ok: false, errno: destination.errno };
    if (!Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, errno: 'EINVAL' };
    if (isIpv4Mapped(destination)) {
      // ip6_datagram_connect → __ip4_datagram_connect on the socket's IPv4 side.
      const side = this.mappedSide();
      if ('errno' in side) return { ok: false, errno: side.errno };
      const connected = side.connect(mappedIpv4(destination), port);
      if (!connected.ok) return connected;
      const local = side.localAddress();
      this.source = local !== null ? (parseIpv6Number(asMapped(local.address)) ?? 0n) : 0n;
      this.peer = { address: destination, port };
      this.pendingError = null;
      return { ok: true };
    }
    if (needsScope(destination) && this.boundDevice === undefined) return { ok: false, errno: 'EINVAL' };
    const routed = this.layer.routeFor(destination === 0n ? 1n : destination, this.boundAddress, this.boundDevice, this.table.env.now());
    if (!routed.ok) return { ok: false, errno: routed.errno };
    const source = this.boundAddress !== 0n ? this.boundAddress : routed.source;
    if (source === null) return { ok: false, errno: 'EADDRNOTAVAIL' };
    this.source = source;
    this.peer = { address: destination === 0n ? 1n : destination, port };
    this.pendingError = null;
    return { ok: true };
  }

  /** udpv6_sendmsg. */
  sendto(data: Uint8Array, to?: SockAddr, control?: { pktinfo?: PktInfo }): SendResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const unbound = this.autobind();
    if (unbound !== null) return { ok: false, errno: unbound };
    let destination: Ipv6Number;
    let port: number;
    if (to !== undefined) {
      const parsed = parseAddress(to.address);
      if (typeof parsed !== 'bigint') return { ok: false, errno: parsed.errno };
      if (to.port === 0 || !Number.isInteger(to.port) || to.port < 0 || to.port > 65535) return { ok: false, errno: 'EINVAL' };
      destination = parsed === 0n ? 1n : parsed;
      port = to.port;
    } else if (this.peer !== null) {
      destination = this.peer.address;
      // A socket connected to port 0 sends to port 0: only an explicit port 0 is EINVAL.
      port = this.peer.port;
    } else return { ok: false, errno: 'EDESTADDRREQ' };
    if (isIpv4Mapped(destination)) {
      // udpv6_sendmsg → udp_sendmsg over the socket's IPv4 side.
      const side = this.mappedSide();
      if ('errno' in side) return { ok: false, errno: side.errno };
      const sent = to !== undefined ? side.sendto(data, { address: mappedIpv4(destination), port }) : side.sendto(data);
      if (!sent.ok) return sent;
      return { ok: true, info: { ...sent.info, source: asMapped(sent.info.source) } };
    }
    if (data.length > MAX_UDP6_PAYLOAD) return { ok: false, errno: 'EMSGSIZE' };
    const now = this.table.env.now();
    let source = to === undefined ? this.source : this.boundAddress;
    // IPV6_PKTINFO (ip6_datagram_send_ctl): a source address for this send must be ours.
    if (control?.pktinfo?.address !== undefined) {
      const wanted = parseIpv6Number(control.pktinfo.address);
      if (wanted === null || (wanted !== 0n && !this.layer.isLocalAddress(wanted, now))) return { ok: false, errno: 'EINVAL' };
      if (wanted !== 0n) source = wanted;
    }
    const routed = this.layer.routeFor(destination, source, this.boundDevice, now);
    if (!routed.ok) return { ok: false, errno: routed.errno };
    if (this.pendingError !== null) {
      const errno = this.pendingError;
      this.pendingError = null;
      return { ok: false, errno };
    }
    if (source === 0n) source = routed.source ?? 0n;
    if (source === 0n) return { ok: false, errno: 'EADDRNOTAVAIL' };
    const packet = buildUdpIpv6Packet({ trafficClass: 0, flowLabel: 0, hopLimit: this.hopLimit, source: ipv6ToBytes(source), destination: ipv6ToBytes(destination) }, this.boundPort, port, data);
    const errno = this.layer.sendLocal(packet, source, destination, this.boundDevice, now);
    if (errno !== null) return { ok: false, errno };
    return { ok: true, info: { ifname: routed.dev, source: formatIpv6Number(source), bytes: data.length } };
  }

  setsockopt(option: 'SO_BINDTODEVICE', value: string): SocketResult;
  setsockopt(option: 'IP_PKTINFO' | 'IPV6_RECVPKTINFO' | 'SO_BROADCAST', value: boolean): SocketResult;
  setsockopt(option: 'IP_TTL', value: number): SocketResult;
  setsockopt(option: 'IPV6_V6ONLY', value: boolean): SocketResult;
  setsockopt(option: string, value: string | number | boolean): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    if (option === 'SO_BINDTODEVICE') {
      const bound = deviceToBind(value, (name) => this.layer.device(name));
      if (!bound.ok) return bound;
      this.boundDevice = bound.device?.name;
      this.ipv4?.setsockopt('SO_BINDTODEVICE', bound.device?.name ?? '');
      return { ok: true };
    }
    if (option === 'IP_TTL') {
      // IPV6_UNICAST_HOPS: -1 (the default) to 255.
      const hops = Number(value);
      if (!Number.isInteger(hops) || hops < -1 || hops > 255) return { ok: false, errno: 'EINVAL' };
      this.hopLimit = hops === -1 ? DEFAULT_HOP_LIMIT : hops;
      this.ipv4?.setsockopt('IP_TTL', this.hopLimit);
      return { ok: true };
    }
    if (option === 'IPV6_V6ONLY') {
      // ipv6_setsockopt: only before the socket has a port.
      if (this.boundPort !== 0) return { ok: false, errno: 'EINVAL' };
      this.v6only = Boolean(value);
      return { ok: true };
    }
    if (option === 'IPV6_RECVPKTINFO') this.wantsPktinfo = Boolean(value);
    return { ok: true };
  }

  localAddress(): SockAddr | null {
    if (this.boundPort === 0) return null;
    return { address: formatIpv6Number(this.source), port: this.boundPort };
  }

  onError(handler: (errno: Errno, from: string) => void): void {
    this.errorHandler = handler;
  }

  /** A dual-stack socket's IPv4 side closes with it. */
  protected override closing(): void {
    this.ipv4?.close();
    this.ipv4 = null;
  }

  /** udp6_lib_lookup's score; -1 when the socket does not take it (`error`: the lookup of __udp6_lib_err). */
  matchScore(d: Received6, error = false): number {
    if (this.closed || this.boundPort === 0 || this.boundPort !== d.destinationPort) return -1;
    let score = 0;
    if (this.boundAddress !== 0n) {
      if (this.boundAddress !== d.destination) return -1;
      score += 4;
    }
    if (this.peer !== null) {
      if (this.peer.address !== d.source || (this.peer.port !== 0 && this.peer.port !== d.sourcePort)) return -1;
      score += 4;
    } else if (error) return -1;
    if (this.boundDevice !== undefined) {
      if (this.boundDevice !== d.dev) return -1;
      score += 4;
    }
    return score;
  }

  receive(d: Received6): void {
    const dgram: Datagram = { data: d.payload.slice(), from: { address: formatIpv6Number(d.source), port: d.sourcePort }, ttl: d.hopLimit };
    if (this.wantsPktinfo) dgram.pktinfo = { address: formatIpv6Number(d.destination), ifindex: this.layer.device(d.dev)?.ifindex ?? 0, ifname: d.dev };
    this.messageHandler?.(dgram);
  }

  /** __udp6_lib_err without IPV6_RECVERR: only a hard error, and only on a connected socket. */
  icmpError(report: Icmpv6ErrorReport): void {
    const converted = icmpv6ErrConvert(report.type, report.code);
    if (converted === null || !converted.fatal || this.peer === null) return;
    this.pendingError = converted.errno;
    this.errorHandler?.(converted.errno, formatIpv6Number(report.from));
  }
}
