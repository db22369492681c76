/**
 * Raw ICMPv6 sockets for Neighbor Discovery (socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)), as the
 * ndisc6 package's tools use them: ndisc6 sends a neighbour solicitation and reads neighbour
 * advertisements, rdisc6 a router solicitation and router advertisements.
 *
 * Covers: bind to one of our addresses (EADDRNOTAVAIL otherwise; a bound socket then receives only
 * what was sent to that address, as raw6's lookup), ICMP6_FILTER by ICMPv6 type (Linux's default
 * passes every type; here NDP's types 133–137, the only ones delivered), IPV6_UNICAST_HOPS and
 * IPV6_MULTICAST_HOPS (Linux's defaults 64 and 1; -1 restores them), and sendto of an NDP message
 * to an address with its scope (sin6_scope_id: the interface it leaves by, as SO_DONTROUTE with a
 * scope id does): the route lookup's errno (ENETUNREACH on a device that is down), the kernel's
 * source for the destination on that device (ip6_route_get_saddr, EADDRNOTAVAIL when there is
 * none), the checksum computed by the kernel. Reception is raw6_local_deliver's copy: every NDP
 * message with a good checksum that reaches this node's ICMPv6 input, before ndisc and router
 * discovery take it, with its source, the interface's index and its hop limit (IPV6_RECVHOPLIMIT).
 * Leaves out: other ICMPv6 types, IPV6_CHECKSUM, IPV6_HDRINCL, ancillary data on send, and queueing
 * (a message is handed to the program when it arrives; nothing is held).
 */
import { formatIpv6Number, icmpv6BufferLen, isIpv6Multicast, parseIpv6Number, type NdpRepr } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { Errno, Icmp6RawMessage, Icmp6RawSocket, SendResult, SocketResult } from '../process.js';
import type { Ipv6Layer, RawIcmpv6Delivery } from './ipv6-layer.js';
import { SocketList, type DescriptorOwner, type Descriptors } from '../sockets/socket-list.js';
import { Icmpv6Socket } from './icmpv6-socket.js';

/** ICMPv6 types of the NDP messages (RFC 4861 §4): RS, RA, NS, NA, Redirect. */
const NDP_TYPES: readonly number[] = [133, 134, 135, 136, 137];
/** inet6_create's np->hop_limit (-1: the route's, 64) and np->mcast_hops (IPV6_DEFAULT_MCASTHOPS). */
const DEFAULT_UNICAST_HOPS = 64;
const DEFAULT_MULTICAST_HOPS = 1;

/** The owner a socket is closed with (a process). */
export type Icmp6RawOwner = DescriptorOwner;

/** The node's raw ICMPv6 sockets (raw_v6_hashinfo for IPPROTO_ICMPV6). */
export class Icmp6RawSockets {
  private readonly sockets: SocketList<NdiscRawSocket>;

  constructor(
    private readonly layer: Ipv6Layer,
    private readonly ifindex: (ifname: string) => number,
    readonly now: () => Nanos,
    descriptors: Descriptors,
  ) {
    this.sockets = new SocketList(descriptors);
    layer.registerRawIcmpv6((delivery, now) => this.deliver(delivery, now));
  }

  /** socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6); EMFILE when the owner has no descriptor left. */
  open(owner: Icmp6RawOwner): NdiscRawSocket | { errno: Errno } {
    return this.sockets.open(owner, () => new NdiscRawSocket(this, this.layer, owner));
  }

  closeOwnedBy(owner: Icmp6RawOwner): void {
    this.sockets.closeOwnedBy(owner);
  }

  release(socket: NdiscRawSocket): void {
    this.sockets.release(socket);
  }

  /** raw6_local_deliver: a copy to every socket whose bound address and filter take it. */
  private deliver(delivery: RawIcmpv6Delivery, now: Nanos): void {
    if (this.sockets.size === 0) return;
    const ifindex = this.ifindex(delivery.dev);
    for (const socket of [...this.sockets]) socket.receive(delivery, ifindex, now);
  }
}

export class NdiscRawSocket extends Icmpv6Socket<Icmp6RawMessage> implements Icmp6RawSocket {
  private unicastHops = DEFAULT_UNICAST_HOPS;
  private multicastHops = DEFAULT_MULTICAST_HOPS;
  private passed = new Set<number>(NDP_TYPES);

  setsockopt(option: 'IPV6_UNICAST_HOPS' | 'IPV6_MULTICAST_HOPS', value: number): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    if (!Number.isInteger(value) || value < -1 || value > 255) return { ok: false, errno: 'EINVAL' };
    if (option === 'IPV6_UNICAST_HOPS') this.unicastHops = value === -1 ? DEFAULT_UNICAST_HOPS : value;
    else this.multicastHops = value === -1 ? DEFAULT_MULTICAST_HOPS : value;
    return { ok: true };
  }

  setFilter(types: readonly number[]): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    this.passed = new Set(types);
    return { ok: true };
  }

  /** rawv6_sendmsg to `to` with sin6_scope_id naming `ifname`. */
  sendNdp(ifname: string, to: string, message: NdpRepr): SendResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const destination = parseIpv6Number(to);
    if (destination === null) return { ok: false, errno: 'EINVAL' };
    if (this.layer.device(ifname) === undefined) return { ok: false, errno: 'ENODEV' };
    const now = this.table.now();
    const routed = this.route(destination, ifname, now);
    if (!routed.ok) return routed;
    const source = routed.source;
    const hopLimit = isIpv6Multicast(destination) ? this.multicastHops : this.unicastHops;
    this.layer.sendNdisc(routed.dev, source, destination, hopLimit, message, now);
    return { ok: true, info: { ifname: routed.dev, source: formatIpv6Number(source), bytes: icmpv6BufferLen(message) } };
  }

  receive(delivery: RawIcmpv6Delivery, ifindex: number, now: Nanos): void {
    if (this.closed || !this.passed.has(delivery.type)) return;
    if (this.boundAddress !== 0n && delivery.destination !== this.boundAddress) return;
    this.messageHandler?.({ from: formatIpv6Number(delivery.source), ifindex, hopLimit: delivery.hopLimit, type: delivery.type, code: delivery.code, message: delivery.message, receivedAt: now });
  }
}
