/**
 * The IPVS datapath of a director: ip_vs_core.c's hooks on the node's netfilter points and
 * ip_vs_xmit.c's transmitters, over the control plane's services and connection table.
 *
 * Hooks (ip_vs_ops4, with the kernel's priorities): at LOCAL_IN ip_vs_out (NF_IP_PRI_NAT_SRC − 2)
 * then ip_vs_in (NF_IP_PRI_NAT_SRC − 1); at FORWARD ip_vs_forward_icmp (99) then ip_vs_out (100).
 * - ip_vs_in: a TCP/UDP packet to a virtual service finds its connection (client → VIP) or, for a
 *   new one (TCP only on a SYN without RST, as tcp_conn_schedule), is scheduled; no real server
 *   available is ip_vs_leave's ICMP port unreachable (TCP and UDP alike) and a drop; a connection
 *   whose real server was deleted drops the packet silently (expire_nodest_conn 0). The segment
 *   updates the connection's state (the control plane's TCP state machine) and the packet leaves
 *   by the connection's forwarding method; the hook answers NF_STOLEN. A packet for no service is
 *   accepted: the director's own sockets get it.
 * - ip_vs_out: a reply from a masqueraded real server (RIP:rport → CIP:cport, being forwarded) has
 *   its source rewritten to VIP:vport (handle_response) and goes on; other methods' packets and
 *   packets of no connection are not touched.
 * - ICMP errors: one from the client side about a packet of a connection (ip_vs_in_icmp, the quoted
 *   packet VIP → CIP) goes to the real server — rewritten for masquerading (ip_vs_nat_icmp), as it
 *   is for direct routing and tunnelling; one from a masqueraded real server about a request
 *   (ip_vs_out_icmp) is rewritten to come from the VIP.
 * Transmitters (__ip_vs_get_out_rt: route to the real server, TTL decremented with time exceeded
 * at 1, DF packets larger than the route's MTU answered with frag-needed):
 * - masquerading (ip_vs_nat_xmit): destination rewritten to RIP:rport, incremental checksums;
 * - direct routing (ip_vs_dr_xmit): the packet unchanged but for its TTL, sent to the real server's
 *   MAC (FLOWI_FLAG_KNOWN_NH: the next hop is the RIP on its link, or the route's gateway to it);
 * - tunnelling (ip_vs_tunnel_xmit): an IPIP packet from the route's source to the RIP, outer TTL and
 *   TOS the inner ones (ECN: CE becomes ECT(0), INET_ECN_encapsulate), DF copied when pmtu_disc is
 *   on, the MTU 20 bytes less.
 * Packets leave through the IPv4 layer's output (POSTROUTING, fragmentation, neighbours).
 * IPv6 services (ip_vs_ops6, the same points and priorities): TCP or UDP right after the fixed
 * header, masquerading (addresses and ports rewritten, the transport checksum updated over the
 * 128-bit pseudo header) and direct routing to the real server's link-layer address, the hop limit
 * decremented, packet too big for what does not fit the route's MTU, ICMPv6 port unreachable when no
 * real server is available. Leaves out: IPv6 tunnelling (IPv6-in-IPv6), IPv6 packets with extension
 * headers before the transport, ICMPv6 errors about IPv6 connections, fragmented replies at FORWARD (ip_vs_gather_frags: netloom leaves fragments
 * alone), the LOCAL_OUT hooks (a client on the director itself is balanced when its packet comes
 * back in on lo, at LOCAL_IN: the same outcome), local real servers
 * (LOCALNODE), SCTP, one-packet scheduling, conntrack, snat_reroute and ip_vs_route_me_harder, the
 * identification of tunnel packets (0 under DF, the inner one otherwise: netloom has no per-node
 * IP ID generator outside the IPv4 layer), and the OutRequests count Linux skips for IPVS packets.
 */
import { buildIpv4Packet, decrementTtl, formatIpv4, formatIpv6Number, IpProtocol, isWireError, parseIpv6Packet } from '@netloom/wire';
import type { LinuxNode } from '@netloom/stack';
import type { HookPacket, HookVerdict } from '@netloom/stack/netfilter/hooks';
import { ACCEPT, drop, NF_IP_PRI, STOLEN } from '@netloom/stack/netfilter/hooks';
import type { InputContext } from '@netloom/stack/ipv4/transport';
import type { Flow4, Route4 } from '@netloom/stack/routing-api';
import { CONN_F_FWD_MASK, type IpvsConnection } from '../connection-table.js';
import { inet4, inet6 } from '../inet-address.js';
import type { InboundDecision, Ipvs, IpvsPacket } from '../ipvs.js';
import type { TcpFlags } from '../protocol-states.js';
import { FORWARDING_FLAGS, type ForwardingMethod } from '../virtual-service.js';
import { ipv4PacketParts, ipv6PacketParts, quotedPacket, readAddress, readAddress6, rewriteDestination, rewriteDestination6, rewriteIcmpError, rewriteSource, rewriteSource6, type PacketParts, type QuotedPacket } from './packet-rewrite.js';

/** IP_VS_FWD_METHOD(cp). */
export function forwardingOf(connection: IpvsConnection): ForwardingMethod {
  const method = connection.flags & CONN_F_FWD_MASK;
  return method === FORWARDING_FLAGS.masq ? 'masq' : method === FORWARDING_FLAGS.tunnel ? 'tunnel' : method === FORWARDING_FLAGS.droute ? 'droute' : 'local';
}

const ICMP_DEST_UNREACH = 3;
const ICMP_SOURCE_QUENCH = 4;
const ICMP_TIME_EXCEEDED = 11;
const UNREACH_PORT = 3;
const UNREACH_FRAG_NEEDED = 4;
const TCP_FLAGS = 13;
const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
const TCP_RST = 0x04;
const ICMPV6_DEST_UNREACH = 1;
const ICMPV6_PACKET_TOO_BIG = 2;
const ICMPV6_TIME_EXCEEDED = 3;
const ICMPV6_PORT_UNREACH = 4;
const ECN_MASK = 0x03;
const ECN_CE = 0x03;
const ECN_ECT0 = 0x02;

/** The IPVS hooks installed on one node; `uninstall` takes them off again (ip_vs unloaded). */
export class IpvsDatapath {
  private readonly unregister: (() => void)[] = [];

  /** `packetSeen` runs after each packet IPVS handled (the owner re-arms the node timer for `ipvs.tick`). */
  constructor(
    private readonly node: LinuxNode,
    private readonly ipvs: Ipvs,
    private readonly packetSeen: () => void = () => {},
  ) {
    const netfilter = node.netfilter;
    this.unregister.push(
      netfilter.register({ hook: 'localIn', family: 4, priority: NF_IP_PRI.natSrc - 2, fn: (p, now) => this.processReply(p, now) }),
      netfilter.register({ hook: 'localIn', family: 4, priority: NF_IP_PRI.natSrc - 1, fn: (p, now) => this.processRequest(p, now) }),
      netfilter.register({ hook: 'forward', family: 4, priority: 99, fn: (p, now) => this.processForwardedIcmp(p, now) }),
      netfilter.register({ hook: 'forward', family: 4, priority: 100, fn: (p, now) => this.processReply(p, now) }),
      // ip_vs_ops6: the same points and priorities for IPv6 services.
      netfilter.register({ hook: 'localIn', family: 6, priority: NF_IP_PRI.natSrc - 1, fn: (p, now) => this.processRequest6(p, now) }),
      netfilter.register({ hook: 'forward', family: 6, priority: 100, fn: (p, now) => this.processReply6(p, now) }),
    );
  }

  uninstall(): void {
    for (const off of this.unregister.splice(0)) off();
  }

  // ---------------------------------------------------------------- ip_vs_in

  /** ip_vs_in (LOCAL_IN): requests to a virtual service, and ICMP errors about its connections. */
  private processRequest(packet: HookPacket<4>, now: number): HookVerdict {
    const bytes = packet.bytes;
    const parts = ipv4PacketParts(bytes);
    if (parts === null) return ACCEPT;
    if (parts.protocol === IpProtocol.icmp) return this.processInboundIcmp(packet, parts, now);
    if (parts.protocol !== IpProtocol.tcp && parts.protocol !== IpProtocol.udp) return ACCEPT;
    return this.verdict(
      this.ipvs.inbound(this.ipvsPacket(packet, parts), now),
      // ip_vs_leave: "the TCP RST packet cannot be sent, instead that ICMP_PORT_UNREACH is sent here no matter it is TCP/UDP".
      () => this.node.parts.ipv4.icmpSend(bytes, this.inputContext(packet), ICMP_DEST_UNREACH, UNREACH_PORT, 0, now),
      (conn) => this.transmit(packet, parts, conn, now),
    );
  }

  /** ip_vs_in's verdict on the control plane's decision: accepted, ip_vs_leave's error and a drop, a drop, or sent on (stolen). */
  private verdict(decision: InboundDecision, leave: () => void, send: (conn: IpvsConnection) => void): HookVerdict {
    this.packetSeen();
    switch (decision.kind) {
      case 'accept':
        return ACCEPT;
      case 'noDestination':
        leave();
        return drop('ipvs', 'no destination available');
      case 'drop':
        return drop('ipvs', decision.reason);
      case 'forward':
        send(decision.conn);
        return STOLEN;
    }
  }

  /** What IPVS reads from a TCP or UDP packet over IPv4. */
  private ipvsPacket(packet: HookPacket<4>, parts: PacketParts): IpvsPacket {
    const bytes = packet.bytes;
    return { ...this.transportFields(bytes, parts, packet.mark), family: 4, source: inet4(readAddress(bytes, 12)), destination: inet4(readAddress(bytes, 16)) };
  }

  /** The ports, TCP flags, mark and length IPVS reads from either family's packet. */
  private transportFields(bytes: Uint8Array, parts: PacketParts, mark: number): Omit<IpvsPacket, 'family' | 'source' | 'destination'> {
    const at = parts.headerLength;
    const flags = bytes[at + TCP_FLAGS] ?? 0;
    const tcp: TcpFlags | undefined =
      parts.protocol === IpProtocol.tcp ? { syn: (flags & TCP_SYN) !== 0, fin: (flags & TCP_FIN) !== 0, ack: (flags & TCP_ACK) !== 0, rst: (flags & TCP_RST) !== 0 } : undefined;
    return {
      protocol: parts.protocol,
      sourcePort: read16(bytes, at),
      destinationPort: read16(bytes, at + 2),
      fwmark: mark,
      ...(tcp !== undefined ? { tcp } : {}),
      length: bytes.length,
    };
  }

  /** ip_vs_in_icmp: an error about a packet the service sent (VIP:vport → CIP:cport) goes to the real server. */
  private processInboundIcmp(packet: HookPacket<4>, parts: PacketParts, now: number): HookVerdict {
    const bytes = packet.bytes;
    const quoted = quotedTransportPacket(bytes, parts);
    if (quoted === null) return ACCEPT;
    const connection = this.ipvs.connections.lookupIn(quoted.protocol, inet4(quoted.destination), quoted.destinationPort, inet4(quoted.source), quoted.sourcePort);
    if (connection === undefined || connection.dest === null || !connection.dest.isAvailable) return ACCEPT;
    if (forwardingOf(connection) === 'masq') {
      const { daddr, dport } = connection;
      if (daddr.family !== 4) return ACCEPT;
      this.transmitTo(packet, connection, 'masq', now, () => rewriteIcmpError(bytes, parts, quoted, true, daddr.v4, dport));
    } else {
      this.transmit(packet, parts, connection, now);
    }
    return STOLEN;
  }

  /** ip_vs_forward_icmp (FORWARD, before ip_vs_out): ICMP errors being forwarded that belong to a connection. */
  private processForwardedIcmp(packet: HookPacket<4>, now: number): HookVerdict {
    const parts = ipv4PacketParts(packet.bytes);
    if (parts === null || parts.protocol !== IpProtocol.icmp || isFragment(packet.bytes)) return ACCEPT;
    return this.processInboundIcmp(packet, parts, now);
  }

  // ---------------------------------------------------------------- ip_vs_out

  /** ip_vs_out (FORWARD, LOCAL_IN): replies of masqueraded connections leave as the VIP. */
  private processReply(packet: HookPacket<4>, now: number): HookVerdict {
    const bytes = packet.bytes;
    const parts = ipv4PacketParts(bytes);
    // A fragment being forwarded carries no whole transport header: left alone (ip_vs_gather_frags is not modelled).
    if (parts === null || isFragment(bytes)) return ACCEPT;
    if (parts.protocol === IpProtocol.icmp) return this.processOutboundIcmp(packet, parts, now);
    if (parts.protocol !== IpProtocol.tcp && parts.protocol !== IpProtocol.udp) return ACCEPT;
    const reply = this.ipvsPacket(packet, parts);
    // ip_vs_out: only masquerading rewrites replies (the lookup finds no other: their replies bypass the director).
    const found = this.ipvs.connections.lookupOut(reply.protocol, reply.source, reply.sourcePort, reply.destination, reply.destinationPort);
    if (found === undefined || forwardingOf(found) !== 'masq' || found.vaddr.family !== 4) return ACCEPT;
    const connection = this.ipvs.outbound(reply, now);
    this.packetSeen();
    if (connection === undefined || connection.vaddr.family !== 4) return ACCEPT;
    rewriteSource(bytes, parts, connection.vaddr.v4, connection.vport);
    return ACCEPT;
  }

  /** ip_vs_out_icmp: an error from a masqueraded real server about a request (CIP → RIP) is made the VIP's. */
  private processOutboundIcmp(packet: HookPacket<4>, parts: PacketParts, now: number): HookVerdict {
    const bytes = packet.bytes;
    const quoted = quotedTransportPacket(bytes, parts);
    if (quoted === null) return ACCEPT;
    const connection = this.ipvs.connections.lookupOut(quoted.protocol, inet4(quoted.destination), quoted.destinationPort, inet4(quoted.source), quoted.sourcePort);
    if (connection === undefined || forwardingOf(connection) !== 'masq' || connection.vaddr.family !== 4) return ACCEPT;
    rewriteIcmpError(bytes, parts, quoted, false, connection.vaddr.v4, connection.vport);
    return ACCEPT;
  }

  // ---------------------------------------------------------------- IPv6 (ip_vs_in/ip_vs_out for AF_INET6)

  /** ip_vs_in for an IPv6 packet for a virtual service (TCP or UDP right after the fixed header). */
  private processRequest6(packet: HookPacket<6>, now: number): HookVerdict {
    const bytes = packet.bytes;
    const parts = ipv6PacketParts(bytes);
    if (parts === null) return ACCEPT;
    return this.verdict(
      this.ipvs.inbound(this.ipvsPacket6(packet, parts), now),
      // ip_vs_leave: ICMPv6 destination unreachable, port unreachable.
      () => this.icmpv6Send(packet, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0, now),
      (conn) => this.transmit6(packet, parts, conn, now),
    );
  }

  /** ip_vs_out for IPv6: a masqueraded real server's reply leaves as VIP:vport. */
  private processReply6(packet: HookPacket<6>, now: number): HookVerdict {
    const bytes = packet.bytes;
    const parts = ipv6PacketParts(bytes);
    if (parts === null) return ACCEPT;
    const reply = this.ipvsPacket6(packet, parts);
    const found = this.ipvs.connections.lookupOut(reply.protocol, reply.source, reply.sourcePort, reply.destination, reply.destinationPort);
    if (found === undefined || forwardingOf(found) !== 'masq' || found.vaddr.family !== 6) return ACCEPT;
    const connection = this.ipvs.outbound(reply, now);
    this.packetSeen();
    if (connection === undefined || connection.vaddr.family !== 6) return ACCEPT;
    rewriteSource6(bytes, parts, connection.vaddr.v6, connection.vport);
    return ACCEPT;
  }

  private ipvsPacket6(packet: HookPacket<6>, parts: PacketParts): IpvsPacket {
    const bytes = packet.bytes;
    return { ...this.transportFields(bytes, parts, packet.mark), family: 6, source: inet6(readAddress6(bytes, 8)), destination: inet6(readAddress6(bytes, 24)) };
  }

  /** icmp6_send through the IPv6 layer (its source choice and rate limit), about `packet` as it came in. */
  private icmpv6Send(packet: HookPacket<6>, type: number, code: number, info: number, now: number): void {
    const ip = parseIpv6Packet(packet.bytes);
    if (isWireError(ip)) return;
    const p = { dev: packet.inDev ?? 'lo', ip, source: readAddress6(packet.bytes, 8), destination: readAddress6(packet.bytes, 24), packet: packet.bytes, frame: packet.bytes };
    this.node.parts.ipv6.icmpSend(p, type, code, info, now);
  }

  /** __ip_vs_get_out_rt_v6 and ip_vs_nat_xmit_v6 / ip_vs_dr_xmit_v6 (no IPv6 tunnels: the packet is dropped). */
  private transmit6(packet: HookPacket<6>, parts: PacketParts, connection: IpvsConnection, now: number): void {
    const node = this.node;
    const bytes = packet.bytes;
    const method = forwardingOf(connection);
    const { daddr, dport } = connection;
    if (daddr.family !== 6 || (method !== 'masq' && method !== 'droute')) {
      node.recordDrop(packet.inDev, 'ipvs', bytes, `ipvs: ${method} is not modelled for IPv6`);
      return;
    }
    const outcome = node.kernel.lookupRoute6({ dst: daddr.v6 }, now);
    if (!outcome.ok || outcome.decision.dev === 'lo') {
      this.icmpv6Send(packet, ICMPV6_DEST_UNREACH, 3, 0, now);
      node.recordDrop(packet.inDev, 'noRoute', bytes, `ipvs: no route to real server ${formatIpv6Number(daddr.v6)}`);
      return;
    }
    const dev = outcome.decision.dev;
    if ((bytes[7] ?? 0) <= 1) {
      this.icmpv6Send(packet, ICMPV6_TIME_EXCEEDED, 0, 0, now);
      node.recordDrop(packet.inDev, 'ttlExpired', bytes, 'ipvs');
      return;
    }
    const mtu = node.parts.ipv6.pathMtu(dev);
    if (bytes.length > mtu) {
      this.icmpv6Send(packet, ICMPV6_PACKET_TOO_BIG, 0, mtu, now);
      node.recordDrop(packet.inDev, 'fragmentationNeeded', bytes, `ipvs: mtu ${mtu}`);
      return;
    }
    const out = new Uint8Array(bytes);
    out[7] = (bytes[7] ?? 1) - 1;
    if (method === 'masq') rewriteDestination6(out, parts, daddr.v6, dport);
    const gateway = outcome.decision.route.gateway;
    node.parts.ipv6.output(dev, gateway !== 0n ? gateway : daddr.v6, out, readAddress6(out, 8), now);
  }

  // ---------------------------------------------------------------- transmitters

  private transmit(packet: HookPacket<4>, parts: PacketParts, connection: IpvsConnection, now: number): void {
    const method = forwardingOf(connection);
    const { daddr, dport } = connection;
    if (method !== 'masq' || daddr.family !== 4) return this.transmitTo(packet, connection, method, now);
    this.transmitTo(packet, connection, method, now, () => rewriteDestination(packet.bytes, parts, daddr.v4, dport));
  }

  /**
   * __ip_vs_get_out_rt and the method's send: the route to the real server, the TTL, the MTU — their
   * ICMP errors quote the packet as it came — then `mangle` (masquerading's rewriting, as
   * ip_vs_nat_xmit's dnat_handler runs after the route) and out through the IPv4 layer.
   */
  private transmitTo(packet: HookPacket<4>, connection: IpvsConnection, method: ForwardingMethod, now: number, mangle?: () => void): void {
    const node = this.node;
    const ipv4 = node.parts.ipv4;
    const bytes = packet.bytes;
    if (connection.daddr.family !== 4) return;
    const realServer = connection.daddr.v4;
    const flow: Flow4 = { dst: realServer, tos: bytes[1] ?? 0 };
    const outcome = node.kernel.routeOutput(flow, now);
    if (!outcome.ok || outcome.route.type === 'local') {
      // dst_link_failure: host unreachable to the sender.
      ipv4.icmpSend(bytes, this.inputContext(packet), ICMP_DEST_UNREACH, 1, 0, now);
      node.recordDrop(packet.inDev, 'noRoute', bytes, `ipvs: no route to real server ${formatIpv4(realServer)}`);
      return;
    }
    const route = outcome.route;
    // decrement_ttl.
    if ((bytes[8] ?? 0) <= 1) {
      ipv4.icmpSend(bytes, this.inputContext(packet), ICMP_TIME_EXCEEDED, 0, 0, now);
      node.recordDrop(packet.inDev, 'ttlExpired', bytes, 'ipvs');
      return;
    }
    decrementTtl(bytes, 0);
    const isTunnel = method === 'tunnel';
    const mtu = isTunnel ? route.mtu - 20 : route.mtu;
    const dontFragment = ((bytes[6] ?? 0) & 0x40) !== 0;
    const pmtuDisc = this.ipvs.settings.pmtu_disc !== 0;
    // ensure_mtu_is_adequate: a tunnel with pmtu_disc off fragments instead.
    if (dontFragment && bytes.length > mtu && !(isTunnel && !pmtuDisc)) {
      ipv4.icmpSend(bytes, this.inputContext(packet), ICMP_DEST_UNREACH, UNREACH_FRAG_NEEDED, mtu, now);
      node.recordDrop(packet.inDev, 'fragmentationNeeded', bytes, `ipvs: mtu ${mtu}`);
      return;
    }
    mangle?.();
    if (isTunnel) {
      const tos = bytes[1] ?? 0;
      const ecn = (tos & ECN_MASK) === ECN_CE ? ECN_ECT0 : tos & ECN_MASK;
      const outerDf = pmtuDisc && dontFragment;
      const outer = buildIpv4Packet(
        { source: route.src, destination: realServer, protocol: IpProtocol.ipip, ttl: bytes[8] ?? 0, tos: (tos & ~ECN_MASK) | ecn, dontFragment: outerDf, identification: outerDf ? 0 : read16(bytes, 4) },
        bytes,
      );
      ipv4.localOut(outer, route, { dst: realServer, src: route.src, proto: IpProtocol.ipip }, now);
      return;
    }
    // Direct routing: FLOWI_FLAG_KNOWN_NH makes the real server the next hop on its link.
    const nextHop: Route4 = method === 'droute' ? { ...route, gateway: route.gateway ?? realServer } : route;
    ipv4.localOut(bytes, nextHop, flow, now);
  }

  /** How the packet came in, for icmp_send's source choice (a packet for the VIP: the VIP). */
  private inputContext(packet: HookPacket<4>): InputContext {
    return { dev: packet.inDev ?? 'lo', packetType: 'host', isLocal: packet.hook === 'localIn', isBroadcast: false };
  }
}

/** The TCP or UDP packet an ICMP error IPVS handles quotes (destination unreachable, source quench, time exceeded), or null. */
function quotedTransportPacket(bytes: Uint8Array, parts: PacketParts): QuotedPacket | null {
  const type = bytes[parts.headerLength] ?? 0;
  if (type !== ICMP_DEST_UNREACH && type !== ICMP_SOURCE_QUENCH && type !== ICMP_TIME_EXCEEDED) return null;
  const quoted = quotedPacket(bytes, parts);
  return quoted !== null && (quoted.protocol === IpProtocol.tcp || quoted.protocol === IpProtocol.udp) ? quoted : null;
}

/** MF set or a fragment offset: part of a datagram (LOCAL_IN sees datagrams whole, after reassembly; FORWARD does not). */
function isFragment(bytes: Uint8Array): boolean {
  return (read16(bytes, 6) & 0x3fff) !== 0;
}

function read16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}
