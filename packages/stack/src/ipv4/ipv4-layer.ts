/**
 * The IPv4 datapath of one node: input, local delivery, forwarding, ICMP and output.
 *
 * Follows Linux: `ip_rcv` (malformed and checksum failures are counted drops, frames for another
 * host's MAC are dropped), `ip_route_input` via the RoutingApi and `ip_error` for its errors (net /
 * host unreachable, packet filtered for prohibit, silent for blackhole and when the input device
 * does not forward), `ip_forward` (TTL ≤ 1 → time exceeded; DF and larger than the route MTU →
 * frag-needed with the MTU; TTL decremented with Linux's incremental checksum; the host redirect
 * when the packet leaves by the interface it came in on, the sender is on-link and send_redirects
 * is on — with the inet_peer back-off), `ip_local_deliver` (ICMP, UDP, protocol unreachable),
 * `icmp_rcv` (echo with icmp_echo_ignore_all / _broadcasts, errors — source quench included — to sockets, redirects accepted
 * as in `__ip_do_redirect`, frag-needed recorded as PMTU), `icmp_send` (never about ICMP errors,
 * broadcasts or non-first fragments; source = the address the packet was sent to when it was for
 * us, else the route's source towards the sender; TOS 0xc0; quote up to 576 bytes; rate limited
 * per peer by icmp_ratelimit/icmp_ratemask, never towards ourselves) and the output path: one
 * `localOut` (ip_local_out) for every packet the node originates — sockets, ICMP errors, echo
 * replies, redirects — which re-routes when a LOCAL_OUT hook changed the destination, source, TOS or
 * mark (ip_route_me_harder), and one `output` tail (ip_output → ip_finish_output: fragmentation,
 * neighbour resolution with the unresolved queue, loopback for local routes, broadcast MAC) shared
 * with forwarding.
 * Transports are looked up in the node's TransportRegistry by (4, protocol): their receive handler
 * gets what ip_local_deliver delivers, their error handler the ICMP errors quoting their datagrams
 * (icmp_socket_deliver; ICMP's own is ping's, registered with `registerPing`). The netfilter hook
 * points (netfilter/hooks.ts) sit where Linux has them: PREROUTING in ip_rcv before the input route,
 * LOCAL_IN in ip_local_deliver after reassembly, FORWARD in ip_forward after the TTL, MTU and
 * redirect steps, LOCAL_OUT in ip_local_out, POSTROUTING in ip_output before fragmentation.
 *
 * Packets without DF that exceed the MTU are fragmented (ours and forwarded ones); fragments for us
 * are reassembled before local delivery (fragmentation.ts, bounded by ipfrag_high_thresh). The
 * `Ip:` counters of /proc/net/snmp (ip-mib.ts) are counted where Linux counts them: InReceives and
 * InHdrErrors in ip_rcv_core, InAddrErrors in ip_error when not forwarding, ForwDatagrams in
 * ip_forward_finish, InDelivers / InUnknownProtos in ip_protocol_deliver_rcu, OutRequests in
 * __ip_local_out, OutTransmits in ip_finish_output2, Frag* in ip_do_fragment.
 * Leaves out: IP options (kept in forwarded packets, never acted on), multicast routing, conntrack.
 */
import {
  buildIcmpv4Packet,
  decrementTtl,
  EtherType,
  formatIpv4,
  IpProtocol,
  Ipv4PacketView,
  isInPrefix,
  isIpv4Multicast,
  isWireError,
  MAC_BROADCAST,
  parseIcmpv4,
  parseIpv4Packet,
  readIpv4,
  type Icmpv4Repr,
  type Ipv4Repr,
} from '@netloom/wire';
import type { ProtocolTable, TransportOf, TransportRegistry } from '../protocol-table.js';
import type { DropReason, Nanos, StackEvent } from '../node-host.js';
import type { Errno } from '../process.js';
import type { DeviceView, Flow4, Route4, RouteInputDropReason, RoutingApi } from '../routing-api.js';
import type { PacketType } from '../neigh/arp.js';
import { isValidState, type NeighbourTable, type QueuedPacket } from '../neigh/neighbour-table.js';
import type { HookChains, HookEntry, HookPacket, HookPoint, NetfilterHooks } from '../netfilter/hooks.js';
import type { TimerHeap } from '../timers.js';
import { fragmentPacket, Reassembler } from './fragmentation.js';
import type { IpMib } from './ip-mib.js';
import type { InetPeers } from './inet-peer.js';
import type { IcmpErrorReport, InputContext, Ipv4Delivery, PingProtocol, QuotedDatagram } from './transport.js';

export type { InputContext } from './transport.js';

const ICMP_ECHO_REPLY = 0;
const ICMP_DEST_UNREACH = 3;
const ICMP_SOURCE_QUENCH = 4;
const ICMP_REDIRECT = 5;
const ICMP_ECHO = 8;
const ICMP_TIME_EXCEEDED = 11;
const ICMP_PARAMETERPROB = 12;

/** The ICMP errors icmp_unreach hands to the sockets (a source quench has no kind of its own in wire). */
type IcmpErrorMessage =
  | Extract<Icmpv4Repr, { kind: 'destinationUnreachable' | 'timeExceeded' | 'redirect' | 'parameterProblem' }>
  | { kind: 'sourceQuench'; code: number; datagram: Uint8Array };

const ICMP_ERROR_TYPES: Record<IcmpErrorMessage['kind'], number> = {
  destinationUnreachable: ICMP_DEST_UNREACH,
  sourceQuench: ICMP_SOURCE_QUENCH,
  redirect: ICMP_REDIRECT,
  timeExceeded: ICMP_TIME_EXCEEDED,
  parameterProblem: ICMP_PARAMETERPROB,
};

const UNREACH_NET = 0;
const UNREACH_HOST = 1;
const UNREACH_PROTOCOL = 2;
const UNREACH_PORT = 3;
const UNREACH_FRAG_NEEDED = 4;
const UNREACH_PKT_FILTERED = 13;

const SCOPE_LINK = 253;
const DEFAULT_TTL = 64;
/** icmp_send quotes at most 576 bytes of IP minus its own headers. */
const ICMP_ERROR_MAX = 576;

export interface Ipv4Dependencies {
  routing: RoutingApi;
  neighbours: NeighbourTable;
  timers: TimerHeap;
  peers: InetPeers;
  /** The node's transports (inet_protos): ICMP registers here, UDP from the socket table. */
  transports: TransportRegistry;
  /** The node's netfilter hooks; family 4's chains are run at the five points. */
  netfilter: NetfilterHooks;
  /** The node's IP counters (/proc/net/snmp `Ip:`), which netstat -s and nstat read too. */
  mib: IpMib;
  transmit(dev: string, frame: Uint8Array): void;
  /** loopback_xmit counted a packet of `bytes` on the loopback device `dev`. */
  loopbackTransmitted(dev: string, bytes: number): void;
  drop(dev: string | null, reason: DropReason, frame?: Uint8Array, detail?: string): void;
  trace(event: StackEvent): void;
  /** Whether anyone records trace events now (NodeEnvironment.tracing): the forward event is built only then. */
  isTracing(): boolean;
  nextIdentification(destination: number): number;
  /** ip_fib_check_default: is `gateway` the gateway of some route on `dev` (secure_redirects)? */
  isGatewayOnDevice(dev: string, gateway: number): boolean;
}

/** Why a locally generated packet could not be sent (the socket's errno). */
export type OutputResult = { ok: true; dev: string } | { ok: false; errno: Errno };

export class Ipv4Layer {
  /** The node's fragment queues (their memory is /proc/net/sockstat's FRAG line). */
  readonly reassembler: Reassembler;
  /** The node's IP counters (/proc/net/snmp `Ip:`). */
  readonly mib: IpMib;
  /** Family 4 of the node's transports, looked up per delivered packet and per ICMP error. */
  private readonly transports: ProtocolTable<TransportOf<4>>;
  /** Family 4's hook chains: an empty chain is one length read per packet. */
  private readonly hooks: HookChains;
  /** ping_rcv and ping_err: the ping sockets, registered by the socket table. */
  private ping: PingProtocol | undefined;
  /**
   * The flow of the packet being routed on input (flowi4), rewritten for each packet: routeInput
   * reads it and keeps none of it (the route cache copies its key), so a hop builds no flow.
   */
  private readonly inputFlow: Flow4 & { iif: string; src: number } = { dst: 0, src: 0, iif: '', tos: 0, proto: 0, sport: undefined, dport: undefined, mark: undefined };
  /**
   * Each device's conf `forwarding` as ip_forward reads it per packet, kept for one routing
   * generation: every sysctl write, device added, removed or renamed moves it. At most one entry
   * per device.
   */
  private readonly forwardingByDevice = new Map<string, boolean>();
  private forwardingGeneration = -1;

  constructor(private readonly deps: Ipv4Dependencies) {
    this.mib = deps.mib;
    this.transports = deps.transports.table(4);
    this.hooks = deps.netfilter.chains(4);
    // icmp_protocol: icmp_rcv, and errors quoting an ICMP message go to the ping sockets (ping_err).
    deps.transports.register(4, IpProtocol.icmp, {
      receive: (delivery, now) => this.processIcmp(delivery, now),
      error: (report, now) => this.ping?.error(report, now) ?? false,
    });
    this.reassembler = new Reassembler({
      timers: deps.timers,
      mib: this.mib,
      limits: () => ({
        highThresh: sysctlOr(deps.routing, 'net.ipv4.ipfrag_high_thresh', 4194304),
        timeSeconds: sysctlOr(deps.routing, 'net.ipv4.ipfrag_time', 30),
      }),
      expired: (first, now) => {
        this.deps.drop(null, 'ttlExpired', first ?? undefined, 'fragment reassembly time exceeded');
        if (first !== null) this.icmpSend(first, null, ICMP_TIME_EXCEEDED, 1, 0, now);
      },
      dropped: (fragment, reason) => this.deps.drop(null, 'reassemblyFailed', fragment, reason),
    });
  }

  /**
   * The ping sockets' receive and error handlers (icmp_pointers' ping_rcv, ping_err). Once per layer;
   * returns the function that removes them. Without them echo replies find no socket and are dropped.
   */
  registerPing(ping: PingProtocol): () => void {
    if (this.ping !== undefined) throw new Error('the IPv4 layer already has ping sockets registered');
    this.ping = ping;
    return () => {
      if (this.ping === ping) this.ping = undefined;
    };
  }

  // ---------------------------------------------------------------- input

  /**
   * ip_rcv for the IPv4 packet that begins at `at` in a frame that arrived on `dev` (after its
   * Ethernet header; 0 for a packet without one, as ipip's inner packet). The packet stays where it
   * arrived: the forwarding path reads its header in place, rewrites its TTL and then the frame's
   * Ethernet header, as a router's skb does, and makes a view of it only off that path.
   */
  processIpv4(dev: DeviceView, packetType: PacketType, frame: Uint8Array, at: number, now: Nanos): void {
    if (packetType === 'otherhost') {
      this.deps.drop(dev.name, 'notForUs', frame);
      return;
    }
    this.mib.inReceives++;
    const length = Ipv4PacketView.checkedLengthAt(frame, at);
    if (typeof length !== 'number') {
      // A short total length is IpExt InTruncatedPkts; every other header fault is InHdrErrors.
      if (length.error !== 'truncated' || frame.length - at < 20) this.mib.inHdrErrors++;
      this.deps.drop(dev.name, length.error === 'badChecksum' ? 'badChecksum' : 'malformed', frame, `ipv4 ${length.error}`);
      return;
    }
    if (this.hooks.prerouting.length === 0) {
      this.routeReceived(dev.name, packetType, frame, at, length, 0, now);
      return;
    }
    const packet = packetIn(frame, at, length);
    const hooked = this.filter('prerouting', this.hooks.prerouting, packet, 0, dev.name, null, dev.name, frame, now);
    if (hooked === null) return;
    reparsed(packet, 'prerouting');
    this.routeReceived(dev.name, packetType, frame, at, length, hooked.mark, now);
  }

  /**
   * ip_rcv_finish: the input route of the packet at `at` (with the mark a PREROUTING hook set:
   * fwmark rules see it), then its outcome.
   */
  private routeReceived(ifname: string, packetType: PacketType, frame: Uint8Array, at: number, length: number, mark: number, now: Nanos): void {
    const routing = this.deps.routing;
    const flow = this.inputFlow;
    flow.dst = Ipv4PacketView.destinationAt(frame, at);
    flow.src = Ipv4PacketView.sourceAt(frame, at);
    flow.iif = ifname;
    flow.tos = Ipv4PacketView.tosAt(frame, at);
    flow.proto = Ipv4PacketView.protocolAt(frame, at);
    // The ports (for rules and the multipath hash) of a whole UDP or TCP datagram or its first fragment.
    const sport = Ipv4PacketView.sourcePortAt(frame, at, length);
    flow.sport = sport < 0 ? undefined : sport;
    flow.dport = sport < 0 ? undefined : Ipv4PacketView.destinationPortAt(frame, at, length);
    flow.mark = mark !== 0 ? mark : undefined;
    const outcome = routing.routeInput(flow, now);
    if (!outcome.ok) {
      this.inputError(ifname, packetType, packetIn(frame, at, length), outcome.errno, frame, now, outcome.dropReason);
      return;
    }
    const route = outcome.route;
    if (route.type === 'unicast' || route.type === 'anycast') {
      this.forward(ifname, packetType, frame, at, length, route, mark, now);
      return;
    }
    const packet = packetIn(frame, at, length);
    if (route.type === 'local' || route.type === 'broadcast' || route.type === 'multicast') {
      const isBroadcastMac = packetType === 'broadcast' || packetType === 'multicast';
      const context: InputContext = { dev: ifname, packetType, isLocal: route.type === 'local', isBroadcast: route.type !== 'local' || isBroadcastMac };
      if (!Ipv4PacketView.isFragmentAt(frame, at)) {
        this.localDeliver(context, packet, reparsed(packet, null), frame, mark, now);
        return;
      }
      // ip_local_deliver → ip_defrag: only datagrams for us are reassembled.
      const whole = this.reassembler.add(packet, now);
      if (whole === null) return;
      const reassembled = parseIpv4Packet(whole);
      if (isWireError(reassembled)) {
        this.deps.drop(ifname, 'malformed', frame, `reassembled ${reassembled.error}`);
        return;
      }
      this.localDeliver(context, whole, reassembled, frame, mark, now);
      return;
    }
    if (route.type === 'blackhole') {
      this.deps.drop(ifname, 'blackhole', frame);
      return;
    }
    const errno: Errno = route.type === 'prohibit' ? 'EACCES' : route.type === 'throw' ? 'ENETUNREACH' : 'EHOSTUNREACH';
    this.inputError(ifname, packetType, packet, errno, frame, now);
  }

  /**
   * ip_error: what a forwarding node does with a packet it has no route for. A martian or an
   * rp_filter failure (EINVAL from ip_route_input_slow) is dropped silently with that reason.
   */
  private inputError(ifname: string, packetType: PacketType, packet: Uint8Array, errno: Errno, frame: Uint8Array, now: Nanos, routeDropReason?: RouteInputDropReason): void {
    const reason: DropReason = routeDropReason ?? dropReasonOf(errno);
    if (this.deps.routing.conf(ifname, 'forwarding') === 0) {
      if (errno === 'EHOSTUNREACH') this.mib.inAddrErrors++;
      this.deps.drop(ifname, errno === 'EHOSTUNREACH' || errno === 'ENETUNREACH' ? 'forwardingDisabled' : reason, frame, errno);
      return;
    }
    this.deps.drop(ifname, reason, frame, errno);
    const code = errno === 'EHOSTUNREACH' ? UNREACH_HOST : errno === 'ENETUNREACH' ? UNREACH_NET : errno === 'EACCES' ? UNREACH_PKT_FILTERED : -1;
    if (code < 0) return;
    // ip_error charges the sender's inet_peer itself before icmp_send charges it again (inet-peer.ts).
    const sender = readIpv4(packet, 12);
    const cost = sysctlOr(this.deps.routing, 'net.ipv4.route.error_cost', 250);
    if (!this.deps.peers.allowRouteError(sender, now, cost, sysctlOr(this.deps.routing, 'net.ipv4.route.error_burst', 1250))) {
      this.deps.drop(ifname, 'rateLimited', undefined, `ip_error: icmp type ${ICMP_DEST_UNREACH} code ${code} to ${formatIpv4(sender)}`);
      return;
    }
    this.icmpSend(packet, { dev: ifname, packetType, isLocal: false, isBroadcast: packetType !== 'host' }, ICMP_DEST_UNREACH, code, 0, now);
  }

  // ---------------------------------------------------------------- forwarding

  /** ip_forward for the packet of `length` bytes at `at` in the received frame. */
  private forward(ifname: string, packetType: PacketType, frame: Uint8Array, at: number, length: number, route: Route4, mark: number, now: Nanos): void {
    if (!this.isForwarding(ifname)) {
      // ip_route_input_slow answers EHOSTUNREACH here; ip_error counts it.
      this.mib.inAddrErrors++;
      this.deps.drop(ifname, 'forwardingDisabled', frame);
      return;
    }
    if (packetType !== 'host') {
      this.deps.drop(ifname, 'notForUs', frame, 'link-layer broadcast not forwarded');
      return;
    }
    if (Ipv4PacketView.ttlAt(frame, at) <= 1) {
      this.deps.drop(ifname, 'ttlExpired', frame);
      this.icmpSend(packetIn(frame, at, length), forwardingContext(ifname, packetType), ICMP_TIME_EXCEEDED, 0, 0, now);
      return;
    }
    if (length > route.mtu && Ipv4PacketView.dontFragmentAt(frame, at)) {
      this.mib.fragFails++;
      this.deps.drop(ifname, 'fragmentationNeeded', frame, `mtu ${route.mtu}`);
      this.icmpSend(packetIn(frame, at, length), forwardingContext(ifname, packetType), ICMP_DEST_UNREACH, UNREACH_FRAG_NEEDED, route.mtu, now);
      return;
    }
    decrementTtl(frame, at);
    const source = Ipv4PacketView.sourceAt(frame, at);
    const destination = Ipv4PacketView.destinationAt(frame, at);
    if (route.dev === ifname) this.maybeRedirect(ifname, frame, at, length, source, destination, route, now);
    let outMark = mark;
    if (this.hooks.forward.length !== 0) {
      const hooked = this.filter('forward', this.hooks.forward, packetIn(frame, at, length), mark, ifname, route.dev, ifname, frame, now);
      if (hooked === null) return;
      outMark = hooked.mark;
    }
    // ip_forward_finish.
    if (this.deps.isTracing()) this.deps.trace(new ForwardEvent(ifname, route.dev, frame, at, length));
    this.mib.forwDatagrams++;
    // The packet is still in the received frame: its Ethernet header is written in front of it.
    this.output(frame, at, length, route.dev, route.gateway ?? destination, route.type === 'broadcast', route.mtu, source, outMark, ifname, at >= 14, now);
  }

  /** IN_DEV_FORWARD(in_dev), read by name once per routing generation (forwardingByDevice). */
  private isForwarding(dev: string): boolean {
    const generation = this.deps.routing.generation;
    if (generation !== this.forwardingGeneration) {
      this.forwardingByDevice.clear();
      this.forwardingGeneration = generation;
    }
    let on = this.forwardingByDevice.get(dev);
    if (on === undefined) {
      on = this.deps.routing.conf(dev, 'forwarding') !== 0;
      this.forwardingByDevice.set(dev, on);
    }
    return on;
  }

  /**
   * __mkroute_input's IPSKB_DOREDIRECT and ip_rt_send_redirect: out device = in device, the
   * sender is directly connected on it (fib_validate_source > 0), send_redirects (all OR dev), and
   * shared_media or sender and next hop on one subnet; then the per-host back-off.
   */
  private maybeRedirect(ifname: string, frame: Uint8Array, at: number, length: number, source: number, destination: number, route: Route4, now: Nanos): void {
    const routing = this.deps.routing;
    if (routing.conf(ifname, 'send_redirects') === 0) return;
    const back = routing.routeOutput({ dst: source }, now);
    if (!back.ok || back.route.dev !== ifname || back.route.gateway !== undefined || back.route.type !== 'unicast') return;
    const nextHop = route.gateway ?? destination;
    const device = routing.device(ifname);
    if (device === undefined) return;
    if (routing.conf(ifname, 'shared_media') === 0 && !isOnLink(device, source, nextHop)) return;
    // route/redirect_* are in jiffies (HZ=250 here), as the kernel's files show them.
    const limits = {
      load: sysctlOr(routing, 'net.ipv4.route.redirect_load', 5),
      number: sysctlOr(routing, 'net.ipv4.route.redirect_number', 9),
      silence: sysctlOr(routing, 'net.ipv4.route.redirect_silence', 5120),
    };
    // The back-off counts this redirect even when icmpSend declines it (an ICMP error, a non-first
    // fragment), as ip_rt_send_redirect bumps n_redirects whatever icmp_send does.
    if (this.deps.peers.redirect(source, now, limits) !== 'send') return;
    this.icmpSend(packetIn(frame, at, length), { dev: ifname, packetType: 'host', isLocal: false, isBroadcast: false }, ICMP_REDIRECT, 1, nextHop, now);
  }

  // ---------------------------------------------------------------- local delivery

  /**
   * ip_local_deliver (a whole datagram): LOCAL_IN, then ip_protocol_deliver_rcu — the transport
   * registered for (4, protocol), or protocol unreachable.
   */
  private localDeliver(context: InputContext, packet: Uint8Array, ip: Ipv4Repr, frame: Uint8Array, mark: number, now: Nanos): void {
    let delivered = ip;
    if (this.hooks.localIn.length !== 0) {
      if (this.filter('localIn', this.hooks.localIn, packet, mark, context.dev, null, context.dev, frame, now) === null) return;
      delivered = reparsed(packet, 'localIn');
    }
    const transport = this.transports.handlerFor(delivered.protocol);
    if (transport === undefined) {
      this.mib.inUnknownProtos++;
      this.deps.drop(context.dev, 'unsupportedProtocol', frame, `ip protocol ${delivered.protocol}`);
      if (!context.isBroadcast) this.icmpSend(packet, context, ICMP_DEST_UNREACH, UNREACH_PROTOCOL, 0, now);
      return;
    }
    this.mib.inDelivers++;
    const delivery: Ipv4Delivery = { context, packet, ip: delivered, frame };
    transport.receive(delivery, now);
  }

  /**
   * One hook point's chain over a packet (nf_hook): the packet view when every hook accepted, null
   * when one dropped it (traced on `dropDev` with the hook's reason) or stole it.
   */
  private filter(point: HookPoint, chain: readonly HookEntry[], packet: Uint8Array, mark: number, inDev: string | null, outDev: string | null, dropDev: string, frame: Uint8Array, now: Nanos): HookPacket<4> | null {
    const hooked: HookPacket<4> = { family: 4, hook: point, bytes: packet, header: Ipv4PacketView.over(packet), mark, inDev, outDev };
    const verdict = this.deps.netfilter.run(chain, hooked, now);
    if (verdict === 'accept') return hooked;
    if (typeof verdict === 'object') this.deps.drop(dropDev, verdict.drop, frame, verdict.detail);
    return null;
  }

  /** icmp_rcv. */
  private processIcmp(delivery: Ipv4Delivery, now: Nanos): void {
    const { context, packet, ip, frame } = delivery;
    const icmp = parseIcmpv4(ip.payload);
    if (isWireError(icmp)) {
      this.deps.drop(context.dev, icmp.error === 'badChecksum' ? 'badChecksum' : 'malformed', frame, `icmp ${icmp.error}`);
      return;
    }
    const routing = this.deps.routing;
    this.deps.trace({ type: 'deliver', ifname: context.dev, protocol: 'icmp', frame });
    switch (icmp.kind) {
      case 'echoRequest': {
        if (sysctlOr(routing, 'net.ipv4.icmp_echo_ignore_all', 0) === 1) return;
        if (context.isBroadcast && sysctlOr(routing, 'net.ipv4.icmp_echo_ignore_broadcasts', 1) !== 0) return;
        this.icmpReply(ip, { kind: 'echoReply', identifier: icmp.identifier, sequence: icmp.sequence, data: icmp.data }, context, now);
        return;
      }
      case 'echoReply':
        this.ping?.receiveReply(
          {
            ifname: context.dev,
            source: ip.source,
            destination: ip.destination,
            type: ICMP_ECHO_REPLY,
            code: 0,
            identifier: icmp.identifier,
            sequence: icmp.sequence,
            payload: icmp.data,
            ttl: ip.ttl,
            ipLength: packet.length,
            info: 0,
          },
          now,
        );
        return;
      case 'destinationUnreachable':
      case 'timeExceeded':
      case 'redirect':
      case 'parameterProblem':
        this.processIcmpError(delivery, icmp, now);
        return;
      case 'other':
        // icmp_pointers[ICMP_SOURCE_QUENCH] is icmp_unreach too: the quoted datagram's err_handler
        // decides (ping_err reports it with EREMOTEIO, as ping wants to see it; udp_err ignores it).
        if (icmp.type === ICMP_SOURCE_QUENCH) this.processIcmpError(delivery, { kind: 'sourceQuench', code: icmp.code, datagram: icmp.data }, now);
        return;
      default:
        return;
    }
  }

  /** icmp_unreach → icmp_socket_deliver: an ICMP error to the err_handler of the protocol of the datagram it quotes. */
  private processIcmpError(delivery: Ipv4Delivery, icmp: IcmpErrorMessage, now: Nanos): void {
    const { context, packet, ip, frame } = delivery;
    const routing = this.deps.routing;
    const quoted = quotedDatagram(icmp.datagram);
    if (quoted === null) {
      this.deps.drop(context.dev, 'malformed', frame, 'icmp error quotes a short datagram');
      return;
    }
    const type = ICMP_ERROR_TYPES[icmp.kind];
    // The kernel's ee_info: the redirect's gateway, the frag-needed MTU, the parameter problem's pointer.
    const info =
      icmp.kind === 'redirect' ? icmp.gateway : icmp.kind === 'destinationUnreachable' ? icmp.nextHopMtu : icmp.kind === 'parameterProblem' ? icmp.pointer : 0;
    if (icmp.kind === 'destinationUnreachable' && icmp.code === UNREACH_FRAG_NEEDED && icmp.nextHopMtu >= 68) {
      routing.learnPmtu(quoted.destination, icmp.nextHopMtu, now);
    }
    // icmp_socket_deliver: the err_handler of the quoted datagram's protocol, redirects included
    // (ping_err reports every redirect to ping, as its raw socket sees them; udp_err queues no
    // error for one). A redirect is acted on only when a socket sent the datagram it quotes.
    const report: IcmpErrorReport = {
      ifname: context.dev,
      source: ip.source,
      destination: ip.destination,
      type,
      code: icmp.code,
      identifier: quoted.protocol === IpProtocol.icmp ? quoted.sourcePort : 0,
      sequence: quoted.protocol === IpProtocol.icmp ? quoted.destinationPort : 0,
      payload: icmp.datagram,
      ttl: ip.ttl,
      ipLength: packet.length,
      quoted,
      info,
    };
    const found = this.transports.handlerFor(quoted.protocol)?.error(report, now) ?? false;
    if (icmp.kind === 'redirect') this.processRedirect(context, ip, icmp.code, icmp.gateway, quoted, found, frame, now);
  }

  /** __ip_do_redirect (reached through a socket's err_handler, as in Linux: `hasSocket` is what it found). */
  private processRedirect(context: InputContext, ip: Ipv4Repr, code: number, newGateway: number, quoted: QuotedDatagram, hasSocket: boolean, frame: Uint8Array, now: Nanos): void {
    const routing = this.deps.routing;
    const reject = (detail: string): void => this.deps.drop(context.dev, 'redirectRejected', frame, detail);
    if ((code & 7) > 3) return reject(`code ${code}`);
    if (!hasSocket) return reject('no socket for the quoted datagram');
    const oldGateway = ip.source;
    const current = routing.routeOutput({ dst: quoted.destination, src: quoted.source, tos: quoted.tos }, now);
    if (!current.ok || current.route.gateway !== oldGateway) return reject(`${formatIpv4(oldGateway)} is not our gateway to ${formatIpv4(quoted.destination)}`);
    const dev = context.dev;
    if (
      newGateway === oldGateway ||
      routing.conf(dev, 'accept_redirects') === 0 ||
      isIpv4Multicast(newGateway) ||
      newGateway === 0xffffffff ||
      newGateway >>> 24 === 0
    ) {
      return reject('accept_redirects or new gateway');
    }
    const device = routing.device(dev);
    if (device === undefined) return reject('no device');
    if (routing.conf(dev, 'shared_media') === 0) {
      if (!isOnLink(device, newGateway, oldGateway)) return reject('new gateway not on-link');
      if (routing.conf(dev, 'secure_redirects') !== 0 && !this.deps.isGatewayOnDevice(dev, newGateway)) return reject('secure_redirects: not a known gateway');
    } else if (routing.isLocalAddress(newGateway) || isBroadcastOf(routing, newGateway)) {
      return reject('new gateway is not unicast');
    }
    const routeDev = current.route.dev;
    const neighbour = this.deps.neighbours.lookup(routeDev, newGateway);
    if (neighbour === undefined || !isValidState(neighbour.state)) {
      // Linux starts resolving the new gateway and ignores this redirect.
      this.deps.neighbours.touch(routeDev, newGateway, now);
      return reject('new gateway unresolved');
    }
    routing.learnRedirect(quoted.destination, newGateway, routeDev, now);
  }

  /** icmp_reply: answer a request addressed to us (echo). */
  private icmpReply(request: Ipv4Repr, reply: Icmpv4Repr, context: InputContext, now: Nanos): void {
    const source = context.isLocal ? request.destination : this.deps.routing.selectSource(context.dev, request.source, SCOPE_LINK);
    const flow: Flow4 = { dst: request.source, src: source, tos: request.tos, proto: IpProtocol.icmp };
    const outcome = this.deps.routing.routeOutput(flow, now);
    if (!outcome.ok) {
      this.deps.drop(context.dev, 'noRoute', undefined, `echo reply to ${formatIpv4(request.source)}: ${outcome.errno}`);
      return;
    }
    const packet = buildIcmpv4Packet(
      { source, destination: request.source, ttl: DEFAULT_TTL, tos: request.tos, identification: this.deps.nextIdentification(request.source) },
      reply,
    );
    this.localOut(packet, outcome.route, flow, now);
  }

  /**
   * icmp_send: an ICMP error about `offending` (a whole IP packet), to its sender. `info` is the
   * redirect gateway or the frag-needed MTU.
   */
  icmpSend(offending: Uint8Array, context: InputContext | null, type: number, code: number, info: number, now: Nanos): void {
    if (offending.length < 20) return;
    const view = Ipv4PacketView.over(offending);
    const headerLength = view.headerLength;
    if (offending.length < headerLength) return;
    if (context !== null && (context.isBroadcast || context.packetType !== 'host')) return;
    if ((view.flagsAndFragmentOffset & 0x1fff) !== 0) return;
    const sender = view.source;
    if (sender === 0 || isIpv4Multicast(sender) || sender === 0xffffffff) return;
    // Redirects included: ip_rt_send_redirect goes through icmp_send, which never answers an ICMP error.
    if (view.protocol === IpProtocol.icmp) {
      const innerType = offending[headerLength] ?? 0;
      if (innerType > 18 || innerType === 3 || innerType === 4 || innerType === 5 || innerType === 11 || innerType === 12) return;
    }
    const routing = this.deps.routing;
    // saddr: the address the packet was sent to when it was for us; with
    // icmp_errors_use_inbound_ifaddr the receiving interface's address; else the route's choice.
    let source = context?.isLocal === true ? view.destination : 0;
    if (source === 0 && context !== null && context.dev !== 'lo' && sysctlOr(routing, 'net.ipv4.icmp_errors_use_inbound_ifaddr', 0) !== 0) {
      source = routing.selectSource(context.dev, sender, SCOPE_LINK);
    }
    const tos = ((view.tos & 0x1e) | 0xc0) & 0xff;
    const flow: Flow4 = { dst: sender, ...(source !== 0 ? { src: source } : {}), tos, proto: IpProtocol.icmp };
    const outcome = routing.routeOutput(flow, now);
    if (!outcome.ok) return;
    const route = outcome.route;
    const towardsUs = route.type === 'local';
    if (!towardsUs) {
      const ratelimit = sysctlOr(routing, 'net.ipv4.icmp_ratelimit', 1000);
      const ratemask = sysctlOr(routing, 'net.ipv4.icmp_ratemask', 0x1818);
      if (!this.deps.peers.allowIcmp(sender, type, code, now, ratelimit, ratemask)) {
        this.deps.drop(context?.dev ?? null, 'rateLimited', undefined, `icmp type ${type} code ${code} to ${formatIpv4(sender)}`);
        return;
      }
    }
    const icmpSource = source !== 0 ? source : route.src;
    const room = Math.min(route.mtu, ICMP_ERROR_MAX) - 20 - 8;
    const datagram = offending.slice(0, Math.min(offending.length, room));
    const repr: Icmpv4Repr =
      type === ICMP_DEST_UNREACH
        ? { kind: 'destinationUnreachable', code, nextHopMtu: code === UNREACH_FRAG_NEEDED ? info : 0, datagram }
        : type === ICMP_TIME_EXCEEDED
          ? { kind: 'timeExceeded', code, datagram }
          : type === ICMP_REDIRECT
            ? { kind: 'redirect', code, gateway: info, datagram }
            : { kind: 'parameterProblem', code, pointer: info, datagram };
    const packet = buildIcmpv4Packet(
      { source: icmpSource, destination: sender, ttl: DEFAULT_TTL, tos, identification: this.deps.nextIdentification(sender) },
      repr,
    );
    this.localOut(packet, route, flow, now);
  }

  // ---------------------------------------------------------------- output

  /**
   * ip_local_out for every packet this node originates, with the route its sender looked up for it
   * (skb_dst: sockets need its source and MTU to build the packet, as udp_sendmsg does) and the flow
   * of that lookup. LOCAL_OUT runs here; when a hook answers reroute or changed the destination,
   * source, TOS or mark, the packet is routed again (ip_route_me_harder) and its route's errno is the
   * send's. A drop is EPERM (NF_DROP), a stolen packet counts as sent. Then `localOutput`.
   */
  localOut(packet: Uint8Array, route: Route4, flow: Flow4, now: Nanos): OutputResult {
    const mark = flow.mark ?? 0;
    if (this.hooks.localOut.length === 0) return this.localOutput(packet, route, mark, now);
    const header = Ipv4PacketView.over(packet);
    const before = { destination: header.destination, source: header.source, tos: header.tos };
    const hooked: HookPacket<4> = { family: 4, hook: 'localOut', bytes: packet, header, mark, inDev: null, outDev: route.dev };
    const verdict = this.deps.netfilter.run(this.hooks.localOut, hooked, now);
    if (verdict === 'stolen') return { ok: true, dev: route.type === 'local' ? 'lo' : route.dev };
    if (typeof verdict === 'object') {
      this.deps.drop(route.dev, verdict.drop, packet, verdict.detail);
      return { ok: false, errno: 'EPERM' };
    }
    const changed = header.destination !== before.destination || header.source !== before.source || header.tos !== before.tos || hooked.mark !== mark;
    if (verdict !== 'reroute' && !changed) return this.localOutput(packet, route, mark, now);
    // ip_route_me_harder: the same flow with the packet's addresses, TOS and mark now; the source
    // only when it is still ours.
    const source = header.source;
    const again: Flow4 = { ...flow, dst: header.destination, tos: header.tos, mark: hooked.mark };
    if (this.deps.routing.isLocalAddress(source)) again.src = source;
    else delete again.src;
    const outcome = this.deps.routing.routeOutput(again, now);
    if (!outcome.ok) {
      this.deps.drop(null, dropReasonOf(outcome.errno), packet, `ip_route_me_harder: ${outcome.errno}`);
      return { ok: false, errno: outcome.errno };
    }
    return this.localOutput(packet, outcome.route, hooked.mark, now);
  }

  /**
   * __ip_local_out's tail → ip_output: a `local` route loops the packet back through lo (a
   * broadcast is looped back too); a packet larger than the route MTU is EMSGSIZE under DF, else
   * fragmented by `output`.
   */
  private localOutput(packet: Uint8Array, route: Route4, mark: number, now: Nanos): OutputResult {
    const destination = readIpv4(packet, 16);
    if (route.type === 'local') {
      this.mib.outRequests++;
      if (this.hooks.postrouting.length !== 0 && this.filter('postrouting', this.hooks.postrouting, packet, mark, null, 'lo', 'lo', packet, now) === null) {
        return { ok: false, errno: 'EPERM' };
      }
      this.mib.outTransmits++;
      this.loopbackXmit(route.dev, packet, now);
      return { ok: true, dev: 'lo' };
    }
    const isBroadcast = route.type === 'broadcast' || destination === 0xffffffff;
    if (isBroadcast) this.loopback(packet.slice(), now);
    if (packet.length > route.mtu && Ipv4PacketView.over(packet).dontFragment) return { ok: false, errno: 'EMSGSIZE' };
    this.mib.outRequests++;
    const sent = this.output(packet, 0, packet.length, route.dev, route.gateway ?? destination, isBroadcast, route.mtu, readIpv4(packet, 12), mark, null, false, now);
    return sent ? { ok: true, dev: route.dev } : { ok: false, errno: 'EPERM' };
  }

  /**
   * ip_output → ip_finish_output, for forwarded and local packets alike, on the packet of `length`
   * bytes at `at` in `bytes` (a received frame, or the packet alone at 0): POSTROUTING, then
   * fragments for the MTU (ip_do_fragment) and neighbour output. `inPlace`: `bytes` is a received
   * frame whose Ethernet header (the 14 bytes before `at`) may be overwritten. False when a hook
   * dropped it.
   */
  private output(bytes: Uint8Array, at: number, length: number, dev: string, nextHop: number, isBroadcast: boolean, mtu: number, source: number, mark: number, inDev: string | null, inPlace: boolean, now: Nanos): boolean {
    if (this.hooks.postrouting.length !== 0) {
      const packet = packetIn(bytes, at, length);
      if (this.filter('postrouting', this.hooks.postrouting, packet, mark, inDev, dev, dev, packet, now) === null) return false;
    }
    if (length <= mtu) {
      this.linkOutput(dev, nextHop, isBroadcast, bytes, at, length, source, now, inPlace);
      return true;
    }
    for (const piece of this.fragment(packetIn(bytes, at, length), mtu)) this.linkOutput(dev, nextHop, isBroadcast, piece, 0, piece.length, source, now, false);
    return true;
  }

  /** ip_do_fragment with its counters: FragOKs and FragCreates when it splits, FragFails when it cannot. */
  private fragment(packet: Uint8Array, mtu: number): Uint8Array[] {
    const pieces = fragmentPacket(packet, mtu);
    if (pieces.length === 0) this.mib.fragFails++;
    else if (pieces.length > 1) {
      this.mib.fragOKs++;
      this.mib.fragCreates += pieces.length;
    }
    return pieces;
  }

  /** Deliver a packet to ourselves through lo, after the current event (netif_rx backlog). */
  /**
   * dev_queue_xmit on lo → loopback_xmit: lo counts the packet as sent and received, without the
   * 14-byte Ethernet header (eth_type_trans pulled it before the length is taken), then it comes in
   * again. A broadcast's looped-back copy (ip_mc_output's dev_loopback_xmit) is not counted.
   */
  private loopbackXmit(dev: string, packet: Uint8Array, now: Nanos): void {
    this.deps.loopbackTransmitted(dev, packet.length);
    this.loopback(packet, now);
  }

  private loopback(packet: Uint8Array, now: Nanos): void {
    this.deps.timers.schedule(now, (at) => {
      const ip = parseIpv4Packet(packet);
      if (isWireError(ip)) {
        this.deps.drop('lo', 'malformed', packet);
        return;
      }
      let delivered = ip;
      let mark = 0;
      // The packet comes in again on lo (netif_rx → ip_rcv): PREROUTING sees it there.
      if (this.hooks.prerouting.length !== 0) {
        const hooked = this.filter('prerouting', this.hooks.prerouting, packet, 0, 'lo', null, 'lo', packet, at);
        if (hooked === null) return;
        delivered = reparsed(packet, 'prerouting');
        mark = hooked.mark;
      }
      const isLocal = this.deps.routing.isLocalAddress(delivered.destination);
      const context: InputContext = { dev: 'lo', packetType: 'host', isLocal, isBroadcast: !isLocal };
      this.localDeliver(context, packet, delivered, packet, mark, at);
    });
  }

  /** ip_finish_output2: neighbour output on an Ethernet device, of the packet of `length` bytes at `at` in `bytes` (as `output`). */
  private linkOutput(dev: string, nextHop: number, isBroadcast: boolean, bytes: Uint8Array, at: number, length: number, source: number, now: Nanos, inPlace: boolean): void {
    const device = this.deps.routing.device(dev);
    if (device === undefined || !device.adminUp) {
      this.deps.drop(dev, 'interfaceDown', packetIn(bytes, at, length));
      return;
    }
    this.mib.outTransmits++;
    if (device.kind === 'loopback') {
      this.loopbackXmit(dev, packetIn(bytes, at, length), now);
      return;
    }
    if (isBroadcast || nextHop === 0xffffffff || isBroadcastOn(device, nextHop)) {
      this.transmitIp(device, MAC_BROADCAST, bytes, at, length, inPlace);
      return;
    }
    if (!device.ops.hasArp) {
      // arp_constructor on an IFF_NOARP device: the entry is NUD_NOARP with the device's own address.
      this.transmitIp(device, device.mac, bytes, at, length, inPlace);
      return;
    }
    if (isIpv4Multicast(nextHop)) {
      this.transmitIp(device, multicastMac(nextHop), bytes, at, length, inPlace);
      return;
    }
    // neigh_output: an entry that may be used at once needs no queued packet (the path of every hop in steady state).
    const usable = this.deps.neighbours.usableMac(dev, nextHop, now);
    if (usable !== null) {
      this.transmitIp(device, usable, bytes, at, length, inPlace);
      return;
    }
    const queued: QueuedPacket = { packet: packetIn(bytes, at, length), source };
    const outcome = this.deps.neighbours.resolve(dev, nextHop, queued, now);
    if (outcome.send) this.transmitIp(device, outcome.mac, bytes, at, length, inPlace);
    else if (outcome.tableFull === true) this.deps.drop(dev, 'neighbourTableFull', queued.packet);
    else if (!outcome.queued) this.neighbourFailed(dev, queued, now);
  }

  /** A packet whose next hop could not be resolved (neigh_invalidate's error report). */
  neighbourFailed(dev: string, queued: QueuedPacket, now: Nanos): void {
    this.deps.drop(dev, 'neighbourFailed', queued.packet);
    this.icmpSend(queued.packet, null, ICMP_DEST_UNREACH, UNREACH_HOST, 0, now);
  }

  /** Send a queued packet once its neighbour resolved. */
  transmitResolved(dev: string, mac: Uint8Array, packet: Uint8Array): void {
    const device = this.deps.routing.device(dev);
    if (device === undefined || !device.adminUp) {
      this.deps.drop(dev, 'interfaceDown', packet);
      return;
    }
    this.transmitIp(device, mac, packet, 0, packet.length, false);
  }

  /**
   * The Ethernet frame of the packet of `length` bytes at `at` in `bytes`: written into the
   * received frame in front of it when `inPlace` (a router reusing its skb) — the frame itself when
   * the packet fills it — else a copy.
   */
  private transmitIp(device: DeviceView, mac: Uint8Array, bytes: Uint8Array, at: number, length: number, inPlace: boolean): void {
    let frame: Uint8Array;
    if (inPlace && at >= 14) frame = at === 14 && bytes.length === 14 + length ? bytes : bytes.subarray(at - 14, at + length);
    else {
      frame = new Uint8Array(14 + length);
      frame.set(packetIn(bytes, at, length), 14);
    }
    for (let i = 0; i < 6; i++) {
      frame[i] = mac[i] ?? 0;
      frame[6 + i] = device.mac[i] ?? 0;
    }
    frame[12] = EtherType.ipv4 >>> 8;
    frame[13] = EtherType.ipv4 & 0xff;
    this.deps.transmit(device.name, frame);
  }
}

/**
 * The header again after hooks ran at `point` (they may have rewritten it), or, with null, of a
 * packet whose header input checked (parsed for local delivery). A header that no longer parses is
 * a bug — a hook's, or ours — not the input's fault, so it throws.
 */
function reparsed(packet: Uint8Array, point: HookPoint | null): Ipv4Repr {
  const ip = parseIpv4Packet(packet, { verifyChecksum: false });
  if (!isWireError(ip)) return ip;
  throw new Error(point === null ? `ipv4: a packet checked on input no longer parses (${ip.error})` : `netfilter: a ${point} hook left a malformed IPv4 header (${ip.error})`);
}

/** The drop reason of a route lookup's errno (ip_error's, and ip_route_me_harder's). */
function dropReasonOf(errno: Errno): DropReason {
  return errno === 'EHOSTUNREACH' ? 'hostUnreachable' : errno === 'EACCES' ? 'prohibited' : errno === 'EINVAL' ? 'blackhole' : 'noRoute';
}

/** The packet of `length` bytes at `at` in `bytes` as a view of its own (`bytes` itself when it is exactly that). */
function packetIn(bytes: Uint8Array, at: number, length: number): Uint8Array {
  return at === 0 && length === bytes.length ? bytes : bytes.subarray(at, at + length);
}

/** The context of a packet being forwarded, for the ICMP error about it. */
function forwardingContext(dev: string, packetType: PacketType): InputContext {
  return { dev, packetType, isLocal: false, isBroadcast: packetType !== 'host' };
}

/**
 * ip_forward_finish's trace event. Its `frame`, the forwarded packet, is cut out of the received
 * frame only when read: a host that does not trace never reads it, so a hop makes no view for it.
 */
class ForwardEvent {
  readonly type = 'forward';
  constructor(
    readonly inIf: string,
    readonly outIf: string,
    private readonly received: Uint8Array,
    private readonly at: number,
    private readonly length: number,
  ) {}

  get frame(): Uint8Array {
    return packetIn(this.received, this.at, this.length);
  }
}

/** The identity of the datagram an ICMP error quotes (its header and first 8 bytes). */
export function quotedDatagram(datagram: Uint8Array): QuotedDatagram | null {
  if (datagram.length < 20) return null;
  const view = Ipv4PacketView.over(datagram);
  if (view.version !== 4) return null;
  const headerLength = view.headerLength;
  if (headerLength < 20 || datagram.length < headerLength + 4) return null;
  const protocol = view.protocol;
  const at = headerLength;
  let sourcePort = ((datagram[at] ?? 0) << 8) | (datagram[at + 1] ?? 0);
  let destinationPort = ((datagram[at + 2] ?? 0) << 8) | (datagram[at + 3] ?? 0);
  let icmpType = -1;
  if (protocol === IpProtocol.icmp) {
    icmpType = datagram[at] ?? -1;
    sourcePort = ((datagram[at + 4] ?? 0) << 8) | (datagram[at + 5] ?? 0);
    destinationPort = ((datagram[at + 6] ?? 0) << 8) | (datagram[at + 7] ?? 0);
  }
  return { source: readIpv4(datagram, 12), destination: readIpv4(datagram, 16), protocol, tos: view.tos, sourcePort, destinationPort, icmpType };
}

/** inet_addr_onlink: `a` and `b` in one subnet of a primary address of `dev` (b = 0 matches). */
function isOnLink(dev: DeviceView, a: number, b: number): boolean {
  return dev.addresses.some((ifa) => !ifa.secondary && isInPrefix(a, ifa.address, ifa.prefixLength) && (b === 0 || isInPrefix(b, ifa.address, ifa.prefixLength)));
}

function isBroadcastOf(routing: RoutingApi, address: number): boolean {
  return address === 0xffffffff || routing.devices().some((d) => isBroadcastOn(d, address));
}

/** `address` is the broadcast address of one of the device's subnets (a loop: the output path calls it per packet). */
function isBroadcastOn(device: DeviceView, address: number): boolean {
  const addresses = device.addresses;
  for (let i = 0; i < addresses.length; i++) {
    const ifa = addresses[i]!;
    if (ifa.prefixLength < 31 && ifa.broadcast === address) return true;
  }
  return false;
}

function multicastMac(group: number): Uint8Array {
  return new Uint8Array([0x01, 0x00, 0x5e, (group >>> 16) & 0x7f, (group >>> 8) & 0xff, group & 0xff]);
}

function sysctlOr(routing: RoutingApi, name: string, fallback: number): number {
  const value = routing.sysctl(name);
  return Number.isFinite(value) ? value : fallback;
}
