/**
 * ICMP echo sockets: Linux's ping sockets (net/ipv4/ping.c) with what iputils ping also gets from
 * its raw socket — the ICMP errors that quote its echo requests.
 *
 * Covers: bind to a local address (EADDRNOTAVAIL otherwise), SO_BINDTODEVICE, IP_TTL, IP_TOS,
 * sendEcho with the route lookup's errno (the packet then goes through ip_local_out), DF set when the packet fits (IP_PMTUDISC_WANT: larger
 * ones are fragmented; with IP_MTU_DISCOVER do they fail with EMSGSIZE and a local error carrying the MTU, with dont DF is never set), echo replies matched by identifier and, when bound, by
 * address; errors matched by the quoted request's identifier.
 * Leaves out: SO_BROADCAST (ping -b is allowed without it), IPv6 ping sockets.
 */
import { buildIcmpv4Packet, IpProtocol, parseIpv4 } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { IcmpMessage, IcmpSocket, PmtuDiscover, SendResult, SocketResult } from '../process.js';
import type { Flow4 } from '../routing-api.js';
import type { QuotedDatagram, ReceivedIcmp } from '../ipv4/transport.js';
import { formatAddress, type SocketOwner, type SocketTable } from './socket-table.js';
import { OpenSocket } from './socket-list.js';
import { deviceToBind } from './bind-to-device.js';

const DEFAULT_TTL = 64;

export class IcmpEchoSocket extends OpenSocket<IcmpMessage, SocketOwner> implements IcmpSocket {
  readonly family = 4 as const;
  private boundAddress = 0;
  /** sk_bound_dev_if (0: none): the index, so a renamed device stays bound. */
  private boundIfindex = 0;
  private ttl = DEFAULT_TTL;
  private tos = 0;
  /** IP_MTU_DISCOVER: DO (ping -M do) never fragments, EMSGSIZE instead; DONT never sets DF. */
  private pmtudisc: PmtuDiscover = 'want';
  private readonly identifiers = new Set<number>();

  constructor(
    private readonly table: SocketTable,
    owner: SocketOwner,
  ) {
    super(table, owner);
  }

  bind(address: string): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const local = parseIpv4(address);
    if (local === null) return { ok: false, errno: 'EINVAL' };
    if (local !== 0 && !this.table.env.routing.isLocalAddress(local)) return { ok: false, errno: 'EADDRNOTAVAIL' };
    this.boundAddress = local;
    return { ok: true };
  }

  setsockopt(option: 'SO_BINDTODEVICE', value: string): SocketResult;
  setsockopt(option: 'IP_TTL' | 'IP_TOS', value: number): SocketResult;
  setsockopt(option: 'IP_MTU_DISCOVER', value: PmtuDiscover): SocketResult;
  setsockopt(option: string, value: string | number | boolean): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    switch (option) {
      case 'SO_BINDTODEVICE': {
        const bound = deviceToBind(value, (name) => this.table.env.routing.device(name));
        if (!bound.ok) return bound;
        this.boundIfindex = bound.device?.ifindex ?? 0;
        return { ok: true };
      }
      case 'IP_TTL': {
        const ttl = Number(value);
        if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) return { ok: false, errno: 'EINVAL' };
        this.ttl = ttl;
        return { ok: true };
      }
      case 'IP_TOS':
        this.tos = Number(value) & 0xfc;
        return { ok: true };
      case 'IP_MTU_DISCOVER':
        if (value !== 'do' && value !== 'want' && value !== 'dont') return { ok: false, errno: 'EINVAL' };
        this.pmtudisc = value;
        return { ok: true };
      default:
        return { ok: false, errno: 'EINVAL' };
    }
  }

  sendEcho(to: string, id: number, sequence: number, payload: Uint8Array): SendResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const destination = parseIpv4(to);
    if (destination === null) return { ok: false, errno: 'EINVAL' };
    const env = this.table.env;
    const now = env.now();
    const flow: Flow4 = {
      dst: destination,
      ...(this.boundAddress !== 0 ? { src: this.boundAddress } : {}),
      ...(this.boundIfindex !== 0 ? { oif: env.routing.deviceByIndex(this.boundIfindex)?.name ?? '' } : {}),
      tos: this.tos,
      proto: IpProtocol.icmp,
    };
    const outcome = env.routing.routeOutput(flow, now);
    if (!outcome.ok) return outcome;
    const route = outcome.route;
    const source = this.boundAddress !== 0 ? this.boundAddress : route.src;
    // raw_sendmsg refuses an ICMP message over 65535 bytes; ip_append_data one whose IP packet
    // would be, and queues a local error carrying the MTU.
    if (payload.length + 8 > 0xffff) return { ok: false, errno: 'EMSGSIZE' };
    if (payload.length + 28 > 0xffff) return { ok: false, errno: 'EMSGSIZE', localErrorMtu: route.mtu };
    const fits = payload.length + 28 <= route.mtu;
    // ip_append_data under IP_PMTUDISC_DO: EMSGSIZE with a local error carrying the path MTU.
    if (!fits && this.pmtudisc === 'do') return { ok: false, errno: 'EMSGSIZE', localErrorMtu: route.mtu };
    const dontFragment = fits && this.pmtudisc !== 'dont';
    this.identifiers.add(id & 0xffff);
    const packet = buildIcmpv4Packet(
      { source, destination, ttl: this.ttl, tos: this.tos, dontFragment, identification: dontFragment ? 0 : env.nextIdentification(destination) },
      { kind: 'echoRequest', identifier: id & 0xffff, sequence: sequence & 0xffff, data: payload },
    );
    const sent = env.ipv4.localOut(packet, route, flow, now);
    if (!sent.ok) return sent;
    return { ok: true, info: { ifname: sent.dev, source: formatAddress(source), bytes: payload.length } };
  }

  matchesReply(message: ReceivedIcmp): boolean {
    if (this.closed || !this.identifiers.has(message.identifier)) return false;
    return this.boundAddress === 0 || this.boundAddress === message.destination;
  }

  sentEcho(quoted: QuotedDatagram): boolean {
    if (this.closed || !this.identifiers.has(quoted.sourcePort)) return false;
    return this.boundAddress === 0 || this.boundAddress === quoted.source;
  }

  receive(message: ReceivedIcmp, now: Nanos): void {
    this.messageHandler?.(icmpMessageOf(formatAddress(message.source), message, message.ttl, message.ipLength, now));
  }
}

/** What either family's ping socket hands its program: an echo reply, or an error quoting one of its requests. */
export function icmpMessageOf(
  from: string,
  message: { type: number; code: number; identifier: number; sequence: number; payload: Uint8Array; info: number },
  ttl: number,
  ipLength: number,
  now: Nanos,
): IcmpMessage {
  return {
    from,
    type: message.type,
    code: message.code,
    id: message.identifier,
    sequence: message.sequence,
    payload: message.payload.slice(),
    ttl,
    ipLength,
    info: message.info >>> 0,
    receivedAt: now,
  };
}
