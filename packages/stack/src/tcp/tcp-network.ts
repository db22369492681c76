/**
 * What TCP needs of one address family, so that the connection code is written once for both:
 * parsing and printing addresses, whether an address is ours, the output route of a connection
 * (device, source address, path MTU — ip_route_connect / ip6_dst_lookup), sending a built segment
 * (ip_queue_xmit → ip_local_out with DF set and the socket's own IP ID counter, as Linux sends
 * TCP; ip6_xmit), and the errno an ICMP / ICMPv6 error converts to (icmp_err_convert,
 * icmpv6_err_convert) with whether it is "hard".
 *
 * IPv4 addresses are host-order numbers, IPv6 addresses bigints; connection keys use their decimal
 * text, so one Map serves both. Leaves out IPv4-mapped IPv6 addresses (EAFNOSUPPORT, as the UDPv6
 * sockets do), IP options, TOS/traffic class and flow labels (always 0).
 */
import {
  buildTcpIpv4Packet,
  buildTcpIpv6Packet,
  formatIpv6Number,
  IpProtocol,
  ipv6ToBytes,
  isIpv4Mapped,
  parseIpv4,
  parseIpv6Number,
  type TcpRepr,
} from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { Errno } from '../process.js';
import type { RoutingApi } from '../routing-api.js';
import type { Ipv4Layer } from '../ipv4/ipv4-layer.js';
import type { Ipv6Layer } from '../ipv6/ipv6-layer.js';
import { formatAddress, UNREACH_ERRORS as ICMP_UNREACH } from '../sockets/socket-table.js';
import { UNREACH_ERRORS as ICMPV6_UNREACH } from '../sockets/udp6-socket.js';

/** The route of a connection: where its segments leave and with what source and path MTU. */
export interface TcpRoute<A> {
  dev: string;
  source: A;
  mtu: number;
}

export type TcpRouteOutcome<A> = { ok: true; route: TcpRoute<A> } | { ok: false; errno: Errno };

/** One address family as TCP uses it. */
export interface TcpNetwork<A extends number | bigint> {
  readonly family: 4 | 6;
  /** The wildcard address (INADDR_ANY, in6addr_any). */
  readonly any: A;
  /** IP header plus the fixed TCP header: the MSS is the MTU minus this (40 for IPv4, 60 for IPv6). */
  readonly headerBytes: number;
  /** The MSS assumed when the peer sends no MSS option (RFC 9293 §3.7.1: 536; RFC 8200: 1220). */
  readonly defaultMss: number;
  /** An address of the socket API's text, or the errno (EINVAL; EAFNOSUPPORT for a v4-mapped one). */
  parse(text: string): A | { errno: Errno };
  format(address: A): string;
  isLocal(address: A, now: Nanos): boolean;
  route(destination: A, source: A, device: string | undefined, sport: number, dport: number, now: Nanos): TcpRouteOutcome<A>;
  /** ip_queue_xmit / ip6_xmit: the segment in an IP packet from `source` to `destination`; the errno of a failed output, else null. */
  transmit(segment: TcpRepr, source: A, destination: A, device: string | undefined, identification: number, now: Nanos): Errno | null;
  /** The errno of an ICMP error and whether it is hard (fatal), or null when TCP ignores it. */
  icmpErrno(type: number, code: number): { errno: Errno; fatal: boolean } | null;
}

const ICMP_DEST_UNREACH = 3;
const ICMP_TIME_EXCEEDED = 11;
const ICMP_PARAMETERPROB = 12;
const ICMP_FRAG_NEEDED = 4;

export interface Ipv4NetworkDeps {
  routing: RoutingApi;
  ipv4: Ipv4Layer;
}

/** IPv4 (tcp_ipv4.c's side of it). */
export function ipv4Network(deps: Ipv4NetworkDeps): TcpNetwork<number> {
  const flowOf = (destination: number, source: number, device: string | undefined, sport: number, dport: number) => ({
    dst: destination,
    ...(source !== 0 ? { src: source } : {}),
    ...(device !== undefined ? { oif: device } : {}),
    proto: IpProtocol.tcp,
    sport,
    dport,
  });
  return {
    family: 4,
    any: 0,
    headerBytes: 40,
    defaultMss: 536,
    parse: (text) => parseIpv4(text) ?? { errno: 'EINVAL' },
    format: formatAddress,
    isLocal: (address) => deps.routing.isLocalAddress(address),
    route: (destination, source, device, sport, dport, now) => {
      const outcome = deps.routing.routeOutput(flowOf(destination, source, device, sport, dport), now);
      if (!outcome.ok) return outcome;
      const route = outcome.route;
      // A TCP socket cannot talk to a broadcast or multicast address (tcp_v4_connect: ENETUNREACH).
      if (route.type === 'broadcast' || route.type === 'multicast') return { ok: false, errno: 'ENETUNREACH' };
      return { ok: true, route: { dev: route.type === 'local' ? 'lo' : route.dev, source: source !== 0 ? source : route.src, mtu: route.mtu } };
    },
    transmit: (segment, source, destination, device, identification, now) => {
      const flow = flowOf(destination, source, device, segment.sourcePort, segment.destinationPort);
      const outcome = deps.routing.routeOutput(flow, now);
      if (!outcome.ok) return outcome.errno;
      const packet = buildTcpIpv4Packet({ source, destination, ttl: 64, dontFragment: true, identification }, segment);
      const sent = deps.ipv4.localOut(packet, outcome.route, flow, now);
      return sent.ok ? null : sent.errno;
    },
    icmpErrno: (type, code) => {
      if (type === ICMP_TIME_EXCEEDED) return { errno: 'EHOSTUNREACH', fatal: false };
      if (type === ICMP_PARAMETERPROB) return { errno: 'EPROTO', fatal: true };
      if (type !== ICMP_DEST_UNREACH || code === ICMP_FRAG_NEEDED) return null;
      const entry = ICMP_UNREACH[code];
      return entry === undefined || entry.errno === null ? null : { errno: entry.errno, fatal: entry.fatal };
    },
  };
}

export interface Ipv6NetworkDeps {
  ipv6: Ipv6Layer;
}

const ICMPV6_DEST_UNREACH = 1;
const ICMPV6_TIME_EXCEED = 3;
const ICMPV6_PARAMPROB = 4;

/** IPv6 (tcp_ipv6.c's side of it). */
export function ipv6Network(deps: Ipv6NetworkDeps): TcpNetwork<bigint> {
  return {
    family: 6,
    any: 0n,
    headerBytes: 60,
    defaultMss: 1220,
    parse: (text) => {
      const address = parseIpv6Number(text);
      if (address === null) return { errno: 'EINVAL' };
      if (isIpv4Mapped(address)) return { errno: 'EAFNOSUPPORT' };
      return address;
    },
    format: formatIpv6Number,
    isLocal: (address, now) => deps.ipv6.isLocalAddress(address, now),
    route: (destination, source, device, _sport, _dport, now) => {
      const routed = deps.ipv6.routeFor(destination, source, device, now);
      if (!routed.ok) return routed;
      const chosen = source !== 0n ? source : routed.source;
      if (chosen === null || chosen === 0n) return { ok: false, errno: 'EADDRNOTAVAIL' };
      return { ok: true, route: { dev: routed.dev, source: chosen, mtu: routed.mtu } };
    },
    transmit: (segment, source, destination, device, _identification, now) => {
      const packet = buildTcpIpv6Packet({ source: ipv6ToBytes(source), destination: ipv6ToBytes(destination), hopLimit: 64 }, segment);
      return deps.ipv6.sendLocal(packet, source, destination, device, now);
    },
    icmpErrno: (type, code) => {
      if (type === ICMPV6_DEST_UNREACH) return ICMPV6_UNREACH[code] ?? null;
      if (type === ICMPV6_TIME_EXCEED) return { errno: 'EHOSTUNREACH', fatal: false };
      if (type === ICMPV6_PARAMPROB) return { errno: 'EPROTO', fatal: true };
      return null;
    },
  };
}
