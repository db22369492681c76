/**
 * ICMPv6 echo sockets: Linux's IPv6 ping sockets (net/ipv6/ping.c, ping_v6_sendmsg, and ping_rcv /
 * ping_err for family 6), with the ICMPv6 errors that quote their echo requests, which iputils ping
 * also reads.
 *
 * Covers: bind to one of our addresses (EADDRNOTAVAIL otherwise), SO_BINDTODEVICE, the unicast hop
 * limit (IPV6_UNICAST_HOPS, set through IP_TTL as ping does), sendEcho with the route lookup's
 * errno and the kernel's source, echo replies matched by identifier (and by the bound address),
 * errors (destination unreachable, packet too big, time exceeded, parameter problem) matched by the
 * quoted request's identifier; the hop limit of a reply is reported as its `ttl`. A request larger
 * than the path MTU is fragmented by the IPv6 layer (ip6_fragment), unless IPV6_MTU_DISCOVER is
 * IPV6_PMTUDISC_DO (ping -M do, set through IP_MTU_DISCOVER): then EMSGSIZE with the MTU.
 * Leaves out: IPV6_TCLASS, flow labels, multicast destinations.
 */
import { formatIpv6Number, parseIpv6Number } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { Errno, IcmpMessage, IcmpSocket, PmtuDiscover, SendResult, SocketResult } from '../process.js';
import type { Ipv6Layer } from './ipv6-layer.js';
import { SocketList, type DescriptorOwner, type Descriptors } from '../sockets/socket-list.js';
import { icmpMessageOf } from '../sockets/icmp-socket.js';
import { deviceToBind } from '../sockets/bind-to-device.js';
import { Icmpv6Socket } from './icmpv6-socket.js';

const DEFAULT_HOP_LIMIT = 64;
const ICMPV6_ECHO_HEADER = 8;
const IPV6_HEADER = 40;

/** A received echo reply or an error about one of our requests, as the IPv6 layer hands it over. */
export interface Ping6Message {
  dev: string;
  /** The ICMPv6 message's source and the address it was sent to. */
  source: bigint;
  destination: bigint;
  type: number;
  code: number;
  identifier: number;
  sequence: number;
  /** Echo data, or for an error the quoted packet. */
  payload: Uint8Array;
  hopLimit: number;
  /** The IPv6 packet's length as received. */
  packetLength: number;
  /** The MTU of packet too big, the pointer of parameter problem; else 0. */
  info: number;
}

/** The owner a socket is closed with (a process). */
export type Ping6Owner = DescriptorOwner;

/** The node's ICMPv6 ping sockets (ping_table for family 6). */
export class Ping6Sockets {
  private readonly sockets: SocketList<Icmpv6EchoSocket>;

  constructor(
    private readonly layer: Ipv6Layer,
    readonly now: () => Nanos,
    descriptors: Descriptors,
  ) {
    this.sockets = new SocketList(descriptors);
    layer.registerPing({ receive: (message, now) => this.receive(message, now) });
  }

  /** socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6); EMFILE when the owner has no descriptor left. */
  open(owner: Ping6Owner): Icmpv6EchoSocket | { errno: Errno } {
    return this.sockets.open(owner, () => new Icmpv6EchoSocket(this, this.layer, owner));
  }

  closeOwnedBy(owner: Ping6Owner): void {
    this.sockets.closeOwnedBy(owner);
  }

  release(socket: Icmpv6EchoSocket): void {
    this.sockets.release(socket);
  }

  /** ping_rcv / ping_err: the socket that sent the request; false when none. */
  private receive(message: Ping6Message, now: Nanos): boolean {
    for (const socket of this.sockets) {
      if (socket.matches(message)) {
        socket.deliver(message, now);
        return true;
      }
    }
    return false;
  }
}

export class Icmpv6EchoSocket extends Icmpv6Socket<IcmpMessage> implements IcmpSocket {
  readonly family = 6 as const;
  private boundDevice: string | undefined;
  private hopLimit = DEFAULT_HOP_LIMIT;
  /** IPV6_MTU_DISCOVER is IPV6_PMTUDISC_DO: no fragmentation at the source. */
  private dontFragment = false;
  private readonly identifiers = new Set<number>();

  setsockopt(option: 'SO_BINDTODEVICE', value: string): SocketResult;
  setsockopt(option: 'IP_TTL' | 'IP_TOS', value: number): SocketResult;
  setsockopt(option: 'IP_MTU_DISCOVER', value: PmtuDiscover): SocketResult;
  setsockopt(option: string, value: string | number | boolean): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    if (option === 'SO_BINDTODEVICE') {
      const bound = deviceToBind(value, (name) => this.layer.device(name));
      if (!bound.ok) return bound;
      this.boundDevice = bound.device?.name;
      return { ok: true };
    }
    if (option === 'IP_TTL') {
      // IPV6_UNICAST_HOPS: -1 (default) to 255.
      const hops = Number(value);
      if (!Number.isInteger(hops) || hops < 0 || hops > 255) return { ok: false, errno: 'EINVAL' };
      this.hopLimit = hops;
      return { ok: true };
    }
    // IPV6_MTU_DISCOVER: DONT and WANT both fragment for the path MTU (ip6_sk_ignore_df); DO refuses.
    if (option === 'IP_MTU_DISCOVER') {
      if (value !== 'do' && value !== 'want' && value !== 'dont') return { ok: false, errno: 'EINVAL' };
      this.dontFragment = value === 'do';
    }
    return { ok: true };
  }

  /** ping_v6_sendmsg. */
  sendEcho(to: string, id: number, sequence: number, payload: Uint8Array): SendResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const destination = parseIpv6Number(to);
    if (destination === null) return { ok: false, errno: 'EINVAL' };
    const now = this.table.now();
    const routed = this.route(destination, this.boundDevice, now);
    if (!routed.ok) return routed;
    const source = routed.source;
    if (this.dontFragment && payload.length + ICMPV6_ECHO_HEADER + IPV6_HEADER > routed.mtu) return { ok: false, errno: 'EMSGSIZE', localErrorMtu: routed.mtu };
    this.identifiers.add(id & 0xffff);
    this.layer.sendIcmpv6(source, destination, this.hopLimit, { kind: 'echoRequest', identifier: id & 0xffff, sequence: sequence & 0xffff, data: payload }, now);
    return { ok: true, info: { ifname: routed.dev, source: formatIpv6Number(source), bytes: payload.length } };
  }

  matches(message: Ping6Message): boolean {
    if (this.closed || !this.identifiers.has(message.identifier)) return false;
    if (this.boundAddress === 0n) return true;
    // A reply is for the address it was sent to; an error quotes our request's source.
    return message.type === 129 ? message.destination === this.boundAddress : true;
  }

  deliver(message: Ping6Message, now: Nanos): void {
    this.messageHandler?.(icmpMessageOf(formatIpv6Number(message.source), message, message.hopLimit, message.packetLength, now));
  }
}
