/**
 * The IPv6 datapath of one node: input, extension headers, local delivery, forwarding, ICMPv6 and
 * output through the neighbour table (nd_tbl, with NDP as its protocol). node.ts registers it for
 * EtherType 0x86DD.
 *
 * Follows Linux 6.x net/ipv6:
 * - ip6_rcv_core: frames for another host's MAC are dropped; a packet shorter than its header or
 *   its payload length, a version other than 6, a multicast or loopback source, or a loopback
 *   destination from the wire is a counted drop (`malformed` / `martianSource` /
 *   `martianDestination`).
 * - The input route: our unicast addresses (not tentative), the groups every node joins (ff01::1,
 *   ff02::1, the solicited-node groups of our addresses and of our proxy entries') → local delivery; anything else is
 *   forwarded when net.ipv6.conf.all.forwarding is on (ip6_forward: hop limit ≤ 1 → time exceeded,
 *   route lookup, no route → destination unreachable "no route", reject routes their codes), else
 *   dropped (`forwardingDisabled`).
 * - Extension headers (ip6_protocol_deliver_rcu + the inet6_protos of exthdrs.c): a registry by next
 *   header number; Hop-by-Hop, Destination Options, Routing and Fragment are registered here (the
 *   known options (Pad1, PadN, Home Address) and unknown ones whose type says skip are passed, any
 *   other unknown option drops the packet; a Routing header with segments left is dropped with a
 *   parameter problem at its type field (source routing is not modelled); a fragment is checked and
 *   queued for reassembly (ipv6_frag_rcv, reassembly.ts), an atomic one taken whole). A protocol with no handler gets a parameter problem code 1
 *   pointing at the next-header field that named it (ICMPV6_UNK_NEXTHDR), as Linux.
 * - ICMPv6 (icmpv6_rcv): checksum checked (`badChecksum`); echo request → echo reply from the
 *   address it was sent to (or the selected source for a multicast one); NS/NA/RS to ndisc
 *   (neigh/ndisc.ts); error messages go to the transport their quoted datagram belongs to.
 * - icmp6_send: never about an ICMPv6 error, a multicast destination (except packet too big and
 *   parameter problem option 2) or an unspecified/multicast source; the source is the offending
 *   packet's destination when it was ours, else the source selected towards the sender; the quote
 *   is cut so the error fits 1280 bytes; rate limited per destination by net.ipv6.icmp.ratelimit
 *   (100 ms, halved per 32 bits the route back is shorter than /128; inet_peer_xrlim_allow's token
 *   bucket with burst 6).
 * - Output (ip6_output → ip6_finish_output2): multicast destinations go to 33:33:xx:xx:xx:xx, a
 *   unicast next hop through nd_tbl (queued while INCOMPLETE; a failed entry gives "address
 *   unreachable"); a destination that is ours loops back through lo.
 * A packet forwarded out of the device it came in on draws an ICMPv6 redirect (redirect.ts); a
 * host takes one from its current first hop into a route exception (ndisc_redirect_rcv,
 * rt6_do_redirect; fib/fib6-exceptions.ts).
 * Family 6's netfilter hook points LOCAL_IN (ip6_input, for a packet for us before its extension
 * headers), FORWARD (ip6_forward, after the hop limit is decremented) and
 * LOCAL_OUT (__ip6_local_out, for what sendLocal and sendIcmpv6 send, after their route lookup) run
 * the node's chains (netfilter/hooks.ts) with an Ipv6PacketView: accept, drop (traced; EPERM for a
 * socket's send) or stolen; a hook that rewrites addresses is not re-routed. Routing headers other
 * than those with no segments left go to a handler registered for their type (`routingTypes`:
 * Mobile IPv6 registers type 2, ipv6_rthdr_rcv's IPV6_SRCRT_TYPE_2 case, whose home address is then
 * the destination the transport sees), else a parameter problem. Once Mobile IPv6 registers a Home
 * Address option handler (ipv6_dest_hao), a packet with the option is delivered with the home
 * address as its source (mip6_addr_swap) or dropped by the handler; the packet's bytes stay as
 * received.
 * Our own packets larger than the route's MTU (the device's, or net.ipv6.conf.DEV.mtu from an RA)
 * leave in fragments (ip6_fragment, reassembly.ts); a forwarded one that does not fit is dropped
 * with a packet too big carrying the MTU (ip6_pkt_too_big; not rate limited, as the default
 * ratemask). A packet too big about a packet of ours lowers the path MTU (updatePmtu: a route
 * exception, kernel/ipv6-route.ts), which later packets are fragmented for or refused with EMSGSIZE
 * (IPV6_PMTUDISC_DO). Leaves out MLD, PREROUTING/LOCAL_IN/POSTROUTING for family 6,
 * reroute verdicts, flow labels, jumbograms and source routing.
 */
import {
  EtherType,
  ICMPV6_ERROR_MAX_QUOTE,
  emitIcmpv6,
  emitIpv6HeaderFor,
  formatIpv6,
  icmpv6BufferLen,
  Icmpv6ParameterProblemCode,
  Icmpv6TimeExceededCode,
  Icmpv6Type,
  Icmpv6UnreachableCode,
  IPV6_HEADER_LENGTH,
  FRAGMENT_HEADER_LENGTH,
  isIcmpv6Error,
  isWireError,
  Ipv6ExtensionHeaderView,
  MAX_EXTENSION_HEADERS,
  parseIcmpv6,
  parseIpv6ExtensionHeader,
  parseIpv6Packet,
  parseQuotedIpv6Packet,
  unrecognizedOptionAction,
  type Icmpv6Repr,
  type Ipv6Repr,
  type NdpRepr,
  isIpv6LinkLocal,
  ipv6ToBytes,
  ipv6FromBytes,
  isIpv6Multicast,
  Ipv6PacketView,
} from '@netloom/wire';
import { NetfilterHooks, type HookChains, type HookEntry, type HookPacket, type HookPoint } from '../netfilter/hooks.js';
import type { DropReason, Nanos } from '../node-host.js';
import type { DeviceView } from '../routing-api.js';
import type { Route6Outcome, Route6Query } from '../kernel.js';
import type { PacketType } from '../neigh/arp.js';
import { isValidState, type NeighbourEntry, type NeighbourTable, type QueuedPacket } from '../neigh/neighbour-table.js';
import { ALL_NODES, ALL_ROUTERS, multicastMac, Ndisc, NDISC_RECEIVED_TYPES, solicitedNodeAddress } from '../neigh/ndisc.js';
import { ProtocolTable, type TransportOf, type TransportRegistry } from '../protocol-table.js';
import type { Prng, TimerHeap } from '../timers.js';
import type { Errno } from '../process.js';
import type { Ping6Message } from './ping6-socket.js';
import type { ReceivedRouterAdvertisement } from './router-discovery.js';
import { RedirectSender } from './redirect.js';
import { createIpMib, type IpMib } from '../ipv4/ip-mib.js';
import { Reassembler } from '../ipv4/fragmentation.js';
import { FragmentIdentifiers, fragmentIpv6Packet, IPV6_FRAGMENTS } from './reassembly.js';

/** What ip6_input hands a transport (family 6 of the TransportRegistry). */
export interface Ipv6Delivery {
  dev: string;
  source: bigint;
  destination: bigint;
  hopLimit: number;
  /** The upper-layer bytes. */
  payload: Uint8Array;
  /** The whole IPv6 packet (for an ICMPv6 error about it). */
  packet: Uint8Array;
  /** The Ethernet frame it came in (absent when looped back through lo). */
  frame?: Uint8Array;
}

/** What raw ICMPv6 sockets receive (raw6_local_deliver's copy): an NDP message whose checksum was good. */
export interface RawIcmpv6Delivery {
  dev: string;
  source: bigint;
  destination: bigint;
  hopLimit: number;
  type: number;
  code: number;
  message: NdpRepr;
}

/** An ICMPv6 error quoting a datagram of the transport (icmpv6_notify → err_handler). */
export interface Icmpv6ErrorReport {
  dev: string;
  type: number;
  code: number;
  info: number;
  /** The ICMPv6 message's sender. */
  from: bigint;
  /** The quoted packet (its IPv6 header first). */
  quoted: Uint8Array;
}

declare module '../protocol-table.js' {
  interface TransportFamilies {
    6: { delivery: Ipv6Delivery; error: Icmpv6ErrorReport };
  }
}

declare module '../netfilter/hooks.js' {
  interface HookHeaders {
    6: Ipv6PacketView;
  }
}

/**
 * A routing header type's handler (ipv6_rthdr_rcv's per-type case) for a header with segments left
 * that arrived on `dev`: true to go on with the header after it, false when it dropped the packet.
 */
export type RoutingTypeHandler = (dev: string, address: Uint8Array, segmentsLeft: number, now: Nanos) => boolean;

/**
 * The Home Address option's handler (ipv6_dest_hao with its xfrm6_input_addr check), registered by
 * Mobile IPv6: `homeAddress` arrived in a packet from `source` on `dev` whose header after the
 * Destination Options is `nextHeader`; true to deliver the packet with the home address as its
 * source (mip6_addr_swap), false when it dropped the packet.
 */
export type HomeAddressOptionHandler = (dev: string, homeAddress: bigint, source: bigint, nextHeader: number, now: Nanos) => boolean;

/** An IPv6 address of a device as the layer sees it. */
export interface Ipv6LayerAddress {
  address: bigint;
  prefixLength: number;
  tentative: boolean;
}

/** Router discovery's receivers: RAs for the host side, RSs (after ndisc's) for a router advertiser. */
export interface RouterDiscoveryReceiver {
  processRouterAdvertisement(received: ReceivedRouterAdvertisement, now: Nanos): void;
  processRouterSolicitation(dev: string, source: bigint, now: Nanos): void;
}

/** What the IPv6 layer needs from the control plane and the node. */
export interface Ipv6Dependencies {
  device(name: string): DeviceView | undefined;
  /** The addresses of a device at `now` (addrconf's list). */
  addresses(dev: string, now: Nanos): readonly Ipv6LayerAddress[];
  isLocalAddress(address: bigint, now: Nanos): boolean;
  lookupRoute(query: Route6Query, now: Nanos): Route6Outcome;
  selectSource(dst: bigint, now: Nanos, dev?: string): bigint | undefined;
  /** net.ipv6.conf.SCOPE.KEY. */
  conf(scope: string, key: string): number;
  /** Any sysctl (net.ipv6.icmp.ratelimit). */
  sysctl(name: string): number;
  /** addrconf_dad_failure: `from` is the link-layer source of the NS or NA that showed the duplicate. */
  dadFailed(dev: string, address: bigint, now: Nanos, from?: Uint8Array): void;
  /** rt6_do_redirect: the redirect from `from` taken into a route exception (false: not from the current first hop). */
  learnRedirect(dev: string, from: bigint, dst: bigint, target: bigint, now: Nanos): boolean;
  /** __ip6_rt_update_pmtu: `mtu` (checked: at least 1280, below the path's) for `dst` out of `dev` into a route exception. */
  learnPmtu(dev: string, dst: bigint, mtu: number, now: Nanos): void;
  neighbours: NeighbourTable<bigint>;
  timers: TimerHeap;
  prng: Prng;
  transports: TransportRegistry;
  transmit(dev: string, frame: Uint8Array): void;
  drop(dev: string | null, reason: DropReason, frame?: Uint8Array, detail?: string): void;
  /** The node's netfilter hooks, whose family 6 chains run at FORWARD and LOCAL_OUT (none: no hooks). */
  netfilter?: NetfilterHooks;
}

/**
 * An extension header's handler (inet6_protos of exthdrs.c) for the header of type `protocol` at
 * `offset` in the payload: go on with the protocol it names after it, or stop (dropped or answered).
 */
export type ExtensionHeaderHandler = (packet: ParsedPacket, protocol: number, offset: number, now: Nanos) => ExtensionHeaderStep | null;

/** Where the walk goes on, and the addresses the header swapped in for delivery (a Home Address option's source, a type 2 routing header's destination). */
export interface ExtensionHeaderStep {
  next: number;
  offset: number;
  source?: bigint;
  destination?: bigint;
}

interface ParsedPacket {
  dev: string;
  ip: Ipv6Repr;
  source: bigint;
  destination: bigint;
  packet: Uint8Array;
  frame: Uint8Array;
}

const DEFAULT_HOP_LIMIT = 64;
const NEXTHDR_HOP = 0;
const NEXTHDR_ROUTING = 43;
const NEXTHDR_FRAGMENT = 44;
const NEXTHDR_NONE = 59;
const NEXTHDR_DEST = 60;
const IPPROTO_ICMPV6 = 58;
/** XRLIM_BURST_FACTOR: an inet_peer's token bucket holds six intervals. */
const XRLIM_BURST_FACTOR = 6;
/** The peers the ICMPv6 rate limit remembers (inet_peer's tree is bounded by inet_peer_threshold). */
const MAX_RATE_PEERS = 4096;
const MS = 1_000_000;
/** HZ 250 (the reference machine): a jiffy is 4 ms. */
const MS_PER_JIFFY = 4;
/** IPV6_MIN_MTU. */
const IPV6_MIN_MTU = 1280;
/** IPV6_MAXPLEN. */
const IPV6_MAX_PAYLOAD = 65535;

export class Ipv6Layer {
  readonly ndisc: Ndisc;
  /** Extension headers by next-header number (0, 43, 44, 60 registered here). */
  readonly extensionHeaders = new ProtocolTable<ExtensionHeaderHandler>('IPv6 extension header', 255);
  /** Routing header handlers by routing type, for headers with segments left (Mobile IPv6's type 2). */
  readonly routingTypes = new ProtocolTable<RoutingTypeHandler>('IPv6 routing type', 255);
  /** The Home Address option's handler once Mobile IPv6 is loaded; until then the option is passed as known, without a swap. */
  private homeAddressOption: HomeAddressOptionHandler | undefined;
  /** Family 6's hook chains: an empty chain is one length read per packet. */
  private readonly hooks: HookChains;
  private readonly netfilter: NetfilterHooks;
  private readonly transports: ProtocolTable<TransportOf<6>>;
  /** inet_peer rate tokens per ICMPv6 error destination: [tokens (ns), last (ns)]; made with the first error sent. */
  private ratePeers: Map<bigint, { tokens: number; last: Nanos }> | null = null;
  /** The time of the call being served (ndisc's callbacks do not carry it). */
  private clock: Nanos = 0;
  /** ping_rcv / ping_err for family 6: the ICMPv6 ping sockets (ping6-socket.ts). */
  private ping: { receive(message: Ping6Message, now: Nanos): boolean } | undefined;
  /** The fragment queues (reassembly.c over the shared Reassembler), bounded by net.ipv6.ip6frag_high_thresh. */
  readonly reassembler: Reassembler;
  /** Ip6Reasm* counters (snmp6). */
  readonly reassemblyMib: IpMib = createIpMib();
  /** ipv6_select_ident's identifications of our fragments. */
  private readonly identifiers: FragmentIdentifiers;
  /** ICMPv6 redirects of forwarded packets (redirect.ts). */
  readonly redirects: RedirectSender;
  /** ndisc_router_discovery: router discovery's RA processing (router-discovery.ts), and a router advertiser's RSs (router-advertiser.ts). */
  private routerDiscovery: RouterDiscoveryReceiver | undefined;
  /** raw6_local_deliver for IPPROTO_ICMPV6: the raw sockets' receive. */
  private rawIcmpv6: ((delivery: RawIcmpv6Delivery, now: Nanos) => void) | undefined;

  constructor(private readonly deps: Ipv6Dependencies) {
    this.transports = deps.transports.table(6);
    this.netfilter = deps.netfilter ?? new NetfilterHooks();
    this.hooks = this.netfilter.chains(6);
    this.redirects = new RedirectSender({
      linkLocalAddress: (dev, now) => deps.addresses(dev, now).find((a) => isIpv6LinkLocal(a.address) && !a.tentative)?.address,
      isNeighbour: (dev, source, now) => {
        const back = deps.lookupRoute({ dst: source }, now);
        return back.ok && back.decision.dev === dev && back.decision.route.gateway === 0n;
      },
      neighbourMac: (dev, address) => {
        const entry = deps.neighbours.lookup(dev, address);
        return entry !== undefined && isValidState(entry.state) ? entry.mac : null;
      },
      rateAllowed: (address, interval, now) => this.rateAllowed(address, now, interval),
      sendNdisc: (dev, source, destination, hopLimit, message, now) => this.sendNdisc(dev, source, destination, hopLimit, message, now),
    });
    this.ndisc = new Ndisc({
      neighbours: deps.neighbours,
      timers: deps.timers,
      prng: deps.prng,
      device: (dev) => deps.device(dev),
      addresses: (dev) => deps.addresses(dev, this.clock).map((a) => ({ address: a.address, tentative: a.tentative, optimistic: false })),
      conf: (scope, key) => deps.conf(scope, key),
      selectSource: (dev, destination) => deps.selectSource(destination, this.clock, dev) ?? null,
      isOnLink: (dev, address) => deps.addresses(dev, this.clock).some((a) => (a.address ^ address) >> BigInt(128 - a.prefixLength) === 0n),
      sendIcmpv6: (dev, source, destination, hopLimit, message) => this.sendNdisc(dev, source, destination, hopLimit, message),
      dadFailed: (dev, address, now, from) => deps.dadFailed(dev, address, now, from),
      drop: (dev, reason, detail) => deps.drop(dev, reason, undefined, detail),
    });
    deps.neighbours.attachOps({
      solicit: (entry, unicastTo, trigger, now) => this.ndisc.solicit(entry, unicastTo, trigger, now),
      transmit: (entry, queued) => {
        if (entry.mac === null) throw new Error('a neighbour entry transmitted without a link-layer address');
        this.transmitResolved(entry.dev, entry.mac, queued.packet);
      },
      unreachable: (entry, queued, now) => this.neighbourFailed(entry, queued, now),
    });
    deps.transports.register(6, IPPROTO_ICMPV6, {
      receive: (delivery, now) => this.processIcmpv6(delivery, now),
      error: () => false,
    });
    const skipOptions: ExtensionHeaderHandler = (p, protocol, offset, now) => this.skipOptionsHeader(p, protocol, offset, now);
    this.extensionHeaders.register(NEXTHDR_HOP, skipOptions);
    this.extensionHeaders.register(NEXTHDR_DEST, skipOptions);
    this.extensionHeaders.register(NEXTHDR_ROUTING, (p, _protocol, offset, now) => this.processRoutingHeader(p, offset, now));
    this.extensionHeaders.register(NEXTHDR_FRAGMENT, (p, _protocol, offset, now) => this.processFragment(p, offset, now));
    this.reassembler = new Reassembler(
      {
        timers: deps.timers,
        limits: () => ({ highThresh: deps.sysctl('net.ipv6.ip6frag_high_thresh'), timeSeconds: deps.sysctl('net.ipv6.ip6frag_time') }),
        mib: this.reassemblyMib,
        expired: (first, now) => this.reassemblyExpired(first, now),
        dropped: (fragment, reason) => deps.drop(null, 'reassemblyFailed', fragment, reason),
      },
      IPV6_FRAGMENTS,
    );
    this.identifiers = new FragmentIdentifiers(deps.prng);
  }

  /** The ICMPv6 ping sockets' receive (echo replies and errors quoting echo requests); once per layer. */
  registerPing(ping: { receive(message: Ping6Message, now: Nanos): boolean }): void {
    if (this.ping !== undefined) throw new Error('the IPv6 layer already has ping sockets registered');
    this.ping = ping;
  }

  /** Mobile IPv6's Home Address option processing; once per layer. */
  registerHomeAddressOption(handler: HomeAddressOptionHandler): void {
    if (this.homeAddressOption !== undefined) throw new Error('the IPv6 layer already has a Home Address option handler');
    this.homeAddressOption = handler;
  }

  /** Raw ICMPv6 sockets' copy of each NDP message received (icmp6-raw-socket.ts); once per layer. */
  registerRawIcmpv6(listener: (delivery: RawIcmpv6Delivery, now: Nanos) => void): void {
    if (this.rawIcmpv6 !== undefined) throw new Error('the IPv6 layer already has raw ICMPv6 sockets registered');
    this.rawIcmpv6 = listener;
  }

  /** Router discovery's RA processing (router-discovery.ts); once per layer. */
  registerRouterDiscovery(routerDiscovery: RouterDiscoveryReceiver): void {
    if (this.routerDiscovery !== undefined) throw new Error('the IPv6 layer already has router discovery registered');
    this.routerDiscovery = routerDiscovery;
  }

  device(name: string): DeviceView | undefined {
    return this.deps.device(name);
  }

  isLocalAddress(address: bigint, now: Nanos): boolean {
    return this.deps.isLocalAddress(address, now);
  }

  /** ip6_dst_lookup for a socket: the device, the kernel's source and the MTU, or the errno. */
  routeFor(destination: bigint, source: bigint, oif: string | undefined, now: Nanos): { ok: true; dev: string; source: bigint | null; mtu: number } | { ok: false; errno: Errno } {
    const outcome = this.deps.lookupRoute({ dst: destination, ...(source !== 0n ? { src: source } : {}), ...(oif !== undefined ? { oif } : {}) }, now);
    if (!outcome.ok) return { ok: false, errno: outcome.errno };
    const dev = outcome.decision.dev;
    return { ok: true, dev, source: outcome.decision.src, mtu: outcome.decision.route.metrics?.mtu ?? this.pathMtu(dev) };
  }

  /** ip6_dst_mtu of a route out of `dev`: the device's IPv6 MTU (net.ipv6.conf.DEV.mtu, which an RA's MTU option lowers), at most the device's. */
  pathMtu(dev: string): number {
    const device = this.deps.device(dev);
    if (device === undefined) return IPV6_MIN_MTU;
    const mtu6 = device.kind === 'loopback' ? device.mtu : this.deps.conf(dev, 'mtu');
    return Math.min(device.mtu, mtu6 > 0 ? mtu6 : device.mtu);
  }

  // ---------------------------------------------------------------- input

  /** ipv6_rcv for the IPv6 payload of a frame that arrived on `dev`. */
  processIpv6(dev: DeviceView, packetType: PacketType, packet: Uint8Array, frame: Uint8Array, now: Nanos): void {
    this.clock = now;
    if (packetType === 'otherhost') {
      this.deps.drop(dev.name, 'notForUs', frame);
      return;
    }
    const ip = parseIpv6Packet(packet);
    if (isWireError(ip)) {
      this.deps.drop(dev.name, 'malformed', frame, ip.error);
      return;
    }
    const source = ipv6FromBytes(ip.source);
    const destination = ipv6FromBytes(ip.destination);
    // ip6_rcv_core: a multicast source, or ::1 from the wire, is a martian.
    if (isIpv6Multicast(source) || (source === 1n && dev.kind !== 'loopback')) {
      this.deps.drop(dev.name, 'martianSource', frame);
      return;
    }
    if (destination === 1n && dev.kind !== 'loopback') {
      this.deps.drop(dev.name, 'martianDestination', frame);
      return;
    }
    const parsed: ParsedPacket = { dev: dev.name, ip, source, destination, packet: packet.subarray(0, IPV6_HEADER_LENGTH + ip.payload.length), frame };
    if (this.isForUs(dev.name, destination, now)) {
      // ip6_input: LOCAL_IN before the extension headers and the transport (fragments are seen one by one).
      if (this.hooks.localIn.length > 0 && this.filter('localIn', this.hooks.localIn, parsed.packet, dev.name, null, now) !== 'accept') return;
      this.localDeliver(parsed, now);
      return;
    }
    if (isIpv6Multicast(destination)) {
      this.deps.drop(dev.name, 'notForUs', frame, 'multicast group not joined');
      return;
    }
    if (!this.deps.conf('all', 'forwarding')) {
      this.deps.drop(dev.name, 'forwardingDisabled', frame);
      return;
    }
    this.forward(parsed, now);
  }

  /** ipv6_chk_addr or a group every node joins (ff01::1, ff02::1, our solicited-node groups). */
  private isForUs(dev: string, destination: bigint, now: Nanos): boolean {
    if (!isIpv6Multicast(destination)) return this.deps.isLocalAddress(destination, now);
    if (destination === ALL_NODES || destination === ((0xff01n << 112n) | 1n)) return true;
    // A forwarding device has joined ff02::2, all routers (dev_forward_change).
    if (destination === ALL_ROUTERS && this.deps.conf(dev, 'forwarding') !== 0) return true;
    return this.deps.addresses(dev, now).some((a) => solicitedNodeAddress(a.address) === destination) || this.ndisc.isProxyGroup(dev, destination);
  }

  /** ip6_forward. */
  private forward(p: ParsedPacket, now: Nanos): void {
    // ip6_route_input comes first: without a route the packet goes to ip6_pkt_discard (or _prohibit)
    // whatever its hop limit, so traceroute sees `!N` at the router, not a time exceeded.
    const outcome = this.deps.lookupRoute({ dst: p.destination, src: p.source, iif: p.dev }, now);
    if (!outcome.ok) {
      // ip6_pkt_prohibit: administratively prohibited; ip6_pkt_discard (no route, unreachable routes): no route; blackhole: silent.
      const code = outcome.errno === 'EACCES' ? Icmpv6UnreachableCode.adminProhibited : Icmpv6UnreachableCode.noRoute;
      this.deps.drop(p.dev, outcome.errno === 'EACCES' ? 'prohibited' : outcome.errno === 'EINVAL' ? 'blackhole' : 'noRoute', p.frame);
      if (outcome.errno !== 'EINVAL') this.icmpSend(p, Icmpv6Type.destinationUnreachable, code, 0, now);
      return;
    }
    if (p.ip.hopLimit <= 1) {
      this.deps.drop(p.dev, 'ttlExpired', p.frame);
      this.icmpSend(p, Icmpv6Type.timeExceeded, Icmpv6TimeExceededCode.hopLimit, 0, now);
      return;
    }
    const route = outcome.decision.route;
    this.redirects.forwarded(p, route.dev, route.gateway, now);
    // ip6_pkt_too_big: a router never fragments; the sender learns the MTU.
    const mtu = this.pathMtu(route.dev);
    if (p.packet.length > mtu) {
      this.deps.drop(p.dev, 'fragmentationNeeded', p.frame);
      this.icmpSend(p, Icmpv6Type.packetTooBig, 0, mtu, now);
      return;
    }
    const forwarded = new Uint8Array(p.packet);
    forwarded[7] = p.ip.hopLimit - 1;
    if (this.hooks.forward.length > 0 && this.filter('forward', this.hooks.forward, forwarded, p.dev, route.dev, now) !== 'accept') return;
    const nextHop = route.gateway !== 0n ? route.gateway : p.destination;
    this.output(route.dev, nextHop, forwarded, p.source, now);
  }

  /** ip6_input_finish: walk the extension headers through the registry, then the transport. */
  private localDeliver(p: ParsedPacket, now: Nanos): void {
    let next = p.ip.nextHeader;
    let offset = 0;
    // Where the field naming `next` sits in the packet: the fixed header's, then each extension header's first byte.
    let nextHeaderField = 6;
    let { source, destination } = p;
    for (let walked = 0; walked <= MAX_EXTENSION_HEADERS; walked++) {
      if (next === NEXTHDR_NONE) return;
      const header = this.extensionHeaders.handlerFor(next);
      if (header === undefined) break;
      const result = header(p, next, offset, now);
      if (result === null) return;
      nextHeaderField = IPV6_HEADER_LENGTH + offset;
      next = result.next;
      offset = result.offset;
      source = result.source ?? source;
      destination = result.destination ?? destination;
    }
    const transport = this.transports.handlerFor(next);
    if (transport === undefined) {
      this.deps.drop(p.dev, 'unsupportedProtocol', p.frame, `next header ${next}`);
      this.icmpSend(p, Icmpv6Type.parameterProblem, Icmpv6ParameterProblemCode.unrecognizedNextHeader, nextHeaderField, now);
      return;
    }
    const frame = p.frame !== p.packet ? { frame: p.frame } : {};
    transport.receive({ dev: p.dev, source, destination, hopLimit: p.ip.hopLimit, payload: p.ip.payload.subarray(offset), packet: p.packet, ...frame }, now);
  }

  /** The length of the extension header of type `protocol` at `offset`. */
  private headerLength(p: ParsedPacket, protocol: number, offset: number): number {
    return Ipv6ExtensionHeaderView.over(p.ip.payload.subarray(offset)).headerLengthAs(protocol);
  }

  /** ip6_parse_tlv for Hop-by-Hop and Destination Options: options whose type says skip are skipped. */
  private skipOptionsHeader(p: ParsedPacket, protocol: number, offset: number, now: Nanos): ExtensionHeaderStep | null {
    const header = parseIpv6ExtensionHeader(p.ip.payload.subarray(offset), protocol);
    if (isWireError(header)) {
      this.deps.drop(p.dev, 'malformed', p.frame, header.error);
      return null;
    }
    let homeAddress: bigint | undefined;
    if (header.kind === 'hopByHop' || header.kind === 'destinationOptions') {
      for (const option of header.options) {
        if (option.kind === 'homeAddress' && header.kind === 'destinationOptions' && this.homeAddressOption !== undefined) {
          homeAddress = ipv6FromBytes(option.address);
          if (!this.homeAddressOption(p.dev, homeAddress, p.source, header.nextHeader, now)) return null;
        }
        if (option.kind !== 'other') continue;
        if (unrecognizedOptionAction(option.type) === 'skip') continue;
        this.deps.drop(p.dev, 'unsupportedProtocol', p.frame, `IPv6 option type ${option.type}`);
        return null;
      }
    }
    return { next: header.nextHeader, offset: offset + this.headerLength(p, protocol, offset), ...(homeAddress !== undefined ? { source: homeAddress } : {}) };
  }

  /**
   * ipv6_frag_rcv: an atomic fragment (offset 0, no M) goes on as a whole packet (RFC 6946); any other
   * is checked (RFC 8200 §4.5: a non-last fragment's data a multiple of 8 bytes, else a parameter
   * problem at the payload length; the datagram within 65535 bytes, else one at the fragment offset)
   * and queued; the fragment that completes a datagram has it delivered.
   */
  private processFragment(p: ParsedPacket, offset: number, now: Nanos): { next: number; offset: number } | null {
    const header = parseIpv6ExtensionHeader(p.ip.payload.subarray(offset), NEXTHDR_FRAGMENT);
    if (isWireError(header) || header.kind !== 'fragment') {
      this.deps.drop(p.dev, 'malformed', p.frame, isWireError(header) ? header.error : 'not a fragment header');
      return null;
    }
    if (header.fragmentOffset === 0 && !header.moreFragments) return { next: header.nextHeader, offset: offset + FRAGMENT_HEADER_LENGTH };
    const end = header.fragmentOffset + p.ip.payload.length - offset - FRAGMENT_HEADER_LENGTH;
    if (header.moreFragments && (end & 7) !== 0) {
      this.deps.drop(p.dev, 'malformed', p.frame, 'IPv6 fragment: length not a multiple of 8');
      this.icmpSend(p, Icmpv6Type.parameterProblem, Icmpv6ParameterProblemCode.erroneousHeaderField, 4, now);
      return null;
    }
    if (end > IPV6_MAX_PAYLOAD) {
      this.deps.drop(p.dev, 'malformed', p.frame, 'IPv6 fragment: past 65535 bytes');
      this.icmpSend(p, Icmpv6Type.parameterProblem, Icmpv6ParameterProblemCode.erroneousHeaderField, IPV6_HEADER_LENGTH + offset + 2, now);
      return null;
    }
    const whole = this.reassembler.add(p.packet, now);
    if (whole === null) return null;
    const ip = parseIpv6Packet(whole);
    if (isWireError(ip)) {
      this.deps.drop(p.dev, 'malformed', whole, ip.error);
      return null;
    }
    this.localDeliver({ ...p, ip, packet: whole }, now);
    return null;
  }

  /** ip6_expire_frag_queue: time exceeded "fragment reassembly" about the first fragment, when it came. */
  private reassemblyExpired(first: Uint8Array | null, now: Nanos): void {
    if (first === null) return;
    const ip = parseIpv6Packet(first);
    if (isWireError(ip)) return;
    const source = ipv6FromBytes(ip.source);
    const back = this.deps.lookupRoute({ dst: source }, now);
    const dev = back.ok ? back.decision.dev : 'lo';
    this.icmpSend({ dev, ip, source, destination: ipv6FromBytes(ip.destination), packet: first, frame: first }, Icmpv6Type.timeExceeded, Icmpv6TimeExceededCode.reassembly, 0, now);
  }

  /** ipv6_rthdr_rcv: with no segments left the header is passed; otherwise a parameter problem (source routing is not modelled). */
  private processRoutingHeader(p: ParsedPacket, offset: number, now: Nanos): ExtensionHeaderStep | null {
    const header = parseIpv6ExtensionHeader(p.ip.payload.subarray(offset), NEXTHDR_ROUTING);
    if (isWireError(header) || (header.kind !== 'routing' && header.kind !== 'routingType2')) {
      this.deps.drop(p.dev, 'malformed', p.frame, isWireError(header) ? header.error : 'not a routing header');
      return null;
    }
    const after = { next: header.nextHeader, offset: offset + this.headerLength(p, NEXTHDR_ROUTING, offset) };
    if (header.segmentsLeft === 0) return after;
    const typed = header.kind === 'routingType2' ? this.routingTypes.handlerFor(2) : undefined;
    // ipv6_rthdr_rcv's type 2: the home address becomes the destination the packet is delivered to.
    if (typed !== undefined && header.kind === 'routingType2') return typed(p.dev, header.homeAddress, header.segmentsLeft, now) ? { ...after, destination: ipv6FromBytes(header.homeAddress) } : null;
    const routingType = header.kind === 'routingType2' ? 2 : header.routingType;
    this.deps.drop(p.dev, 'unsupportedProtocol', p.frame, `routing header type ${routingType}`);
    // Pointer at the routing type field (ICMPV6_HDR_FIELD).
    this.icmpSend(p, Icmpv6Type.parameterProblem, Icmpv6ParameterProblemCode.erroneousHeaderField, IPV6_HEADER_LENGTH + offset + 2, now);
    return null;
  }

  // ---------------------------------------------------------------- ICMPv6

  /** icmpv6_rcv. */
  private processIcmpv6(d: Ipv6Delivery, now: Nanos): void {
    const message = parseIcmpv6(d.payload, { source: ipv6ToBytes(d.source), destination: ipv6ToBytes(d.destination) });
    if (isWireError(message)) {
      this.deps.drop(d.dev, message.error === 'badChecksum' ? 'badChecksum' : 'malformed', d.packet, message.error);
      return;
    }
    if (this.rawIcmpv6 !== undefined && isNdpRepr(message)) this.rawIcmpv6({ dev: d.dev, source: d.source, destination: d.destination, hopLimit: d.hopLimit, type: d.payload[0] ?? 0, code: d.payload[1] ?? 0, message }, now);
    if (message.kind === 'echoRequest') {
      const source = isIpv6Multicast(d.destination) ? this.deps.selectSource(d.source, now, d.dev) : d.destination;
      if (source === undefined) return;
      this.sendIcmpv6(source, d.source, DEFAULT_HOP_LIMIT, { kind: 'echoReply', identifier: message.identifier, sequence: message.sequence, data: message.data }, now);
      return;
    }
    if (message.kind === 'neighbourSolicitation' || message.kind === 'neighbourAdvertisement' || message.kind === 'routerSolicitation') {
      const device = this.deps.device(d.dev);
      if (!device) return;
      const sourceMac = d.frame !== undefined ? { sourceMac: d.frame.subarray(6, 12) } : {};
      this.ndisc.processNdisc({ dev: d.dev, packetType: isIpv6Multicast(d.destination) ? 'multicast' : 'host', source: d.source, destination: d.destination, hopLimit: d.hopLimit, code: d.payload[1] ?? 0, message, ...sourceMac }, now);
      // radvd's raw socket sees the RS too.
      if (message.kind === 'routerSolicitation' && d.hopLimit === 255) this.routerDiscovery?.processRouterSolicitation(d.dev, d.source, now);
      return;
    }
    if (message.kind === 'routerAdvertisement' && this.routerDiscovery !== undefined) {
      this.routerDiscovery.processRouterAdvertisement({ dev: d.dev, source: d.source, hopLimit: d.hopLimit, code: d.payload[1] ?? 0, message }, now);
      return;
    }
    if (message.kind === 'redirect') {
      this.processRedirect(d, message, now);
      return;
    }
    if (message.kind === 'echoReply') {
      const delivered = this.ping?.receive({ dev: d.dev, source: d.source, destination: d.destination, type: 129, code: 0, identifier: message.identifier, sequence: message.sequence, payload: message.data, hopLimit: d.hopLimit, packetLength: d.packet.length, info: 0 }, now);
      if (delivered !== true) this.deps.drop(d.dev, 'noSocket', d.packet, 'echo reply: no ICMPv6 ping socket');
      return;
    }
    if (message.kind === 'destinationUnreachable' || message.kind === 'timeExceeded' || message.kind === 'packetTooBig' || message.kind === 'parameterProblem') {
      this.processIcmpv6Error(d, message, now);
      return;
    }
    if (!NDISC_RECEIVED_TYPES.includes(d.payload[0] ?? 0) && !isIcmpv6Error(d.payload[0] ?? 0)) this.deps.drop(d.dev, 'unsupportedProtocol', d.packet, `ICMPv6 type ${d.payload[0] ?? 0}`);
  }

  /** ndisc_redirect_rcv and rt6_do_redirect: a host takes a redirect from its current first hop. */
  private processRedirect(d: Ipv6Delivery, message: Extract<Icmpv6Repr, { kind: 'redirect' }>, now: Nanos): void {
    const refuse = (detail: string): void => this.deps.drop(d.dev, 'malformed', d.packet, detail);
    if (d.hopLimit !== 255 || (d.payload[1] ?? 0) !== 0) return refuse('NDISC: invalid hop-limit or code');
    if (!isIpv6LinkLocal(d.source)) return refuse('Redirect: source address is not link-local');
    const destination = ipv6FromBytes(message.destination);
    const target = ipv6FromBytes(message.target);
    if (isIpv6Multicast(destination)) return refuse('rt6_redirect: destination address is multicast');
    const onLink = target === destination;
    if (!onLink && !isIpv6LinkLocal(target)) return refuse('rt6_redirect: target address is not link-local unicast');
    if (this.deps.conf(d.dev, 'forwarding') !== 0 || this.deps.conf(d.dev, 'accept_redirects') === 0) {
      this.deps.drop(d.dev, 'notForUs', d.packet, 'redirect: not accepted (forwarding or accept_redirects 0)');
      return;
    }
    if (!this.deps.learnRedirect(d.dev, d.source, destination, target, now)) {
      this.deps.drop(d.dev, 'notForUs', d.packet, 'redirect: not from the current first hop');
      return;
    }
    const option = message.options.find((o) => o.kind === 'targetLinkLayerAddress');
    if (option?.kind === 'targetLinkLayerAddress' && option.address.length === 6) {
      this.deps.neighbours.update(d.dev, target, option.address.slice(0, 6), 'STALE', { override: true, weakOverride: true, ...(onLink ? {} : { isRouter: true }) }, now, true);
    }
  }

  /** icmpv6_notify: an error quoting one of our echo requests reaches the ping socket that sent it. */
  private processIcmpv6Error(d: Ipv6Delivery, message: Extract<Icmpv6Repr, { packet: Uint8Array }>, now: Nanos): void {
    const quoted = parseQuotedIpv6Packet(message.packet);
    const info = message.kind === 'packetTooBig' ? message.mtu : message.kind === 'parameterProblem' ? message.pointer : 0;
    const learnPmtu = (dev: string | undefined): void => {
      if (message.kind === 'packetTooBig' && !isWireError(quoted)) this.updatePmtu(dev, ipv6FromBytes(quoted.source), ipv6FromBytes(quoted.destination), message.mtu, now);
    };
    // icmpv6_err: a packet too big quoting any ICMPv6 message of ours updates the path MTU (ip6_update_pmtu with the device it came in on).
    if (!isWireError(quoted) && quoted.nextHeader === IPPROTO_ICMPV6) learnPmtu(d.dev);
    if (!isWireError(quoted) && quoted.nextHeader === IPPROTO_ICMPV6 && quoted.payload[0] === Icmpv6Type.echoRequest && quoted.payload.length >= 8) {
      const identifier = ((quoted.payload[4] ?? 0) << 8) | (quoted.payload[5] ?? 0);
      const sequence = ((quoted.payload[6] ?? 0) << 8) | (quoted.payload[7] ?? 0);
      const type = d.payload[0] ?? 0;
      if (this.ping?.receive({ dev: d.dev, source: d.source, destination: d.destination, type, code: message.code, identifier, sequence, payload: message.packet, hopLimit: d.hopLimit, packetLength: d.packet.length, info }, now) === true) return;
    }
    // icmpv6_notify: the quoted packet's transport (its err_handler, e.g. udpv6_err) finds the socket.
    if (!isWireError(quoted) && quoted.nextHeader !== IPPROTO_ICMPV6) {
      const transport = this.transports.handlerFor(quoted.nextHeader);
      if (transport?.error({ dev: d.dev, type: d.payload[0] ?? 0, code: message.code, info, from: d.source, quoted: message.packet }, now) === true) {
        // __udp6_lib_err / tcp_v6_err: only a socket's error updates the path MTU (ip6_sk_update_pmtu).
        learnPmtu(undefined);
        return;
      }
    }
    this.deps.drop(d.dev, 'noSocket', d.packet, `ICMPv6 ${message.kind}: no socket sent the quoted packet`);
  }

  /**
   * ip6_update_pmtu → __ip6_rt_update_pmtu: the route our packet from `source` to `destination` takes
   * learns `mtu` as a route exception — never one under IPV6_MIN_MTU (Linux 6.18 ignores such a
   * packet too big: no exception at all, as seen in a namespace with a crafted mtu 1000), nor one not
   * below the path's MTU now (a larger MTU never raises it).
   */
  private updatePmtu(dev: string | undefined, source: bigint, destination: bigint, mtu: number, now: Nanos): void {
    if (mtu < IPV6_MIN_MTU) return;
    const routed = this.routeFor(destination, source, dev, now);
    if (!routed.ok || mtu >= routed.mtu) return;
    this.deps.learnPmtu(routed.dev, destination, mtu, now);
  }

  /**
   * icmp6_send about the packet `p`: never about an ICMPv6 error or a packet from an unspecified or
   * multicast source, nor to a multicast destination (but packet too big and parameter problem), and
   * within net.ipv6.icmp.ratelimit per destination.
   */
  icmpSend(p: ParsedPacket, type: number, code: number, info: number, now: Nanos): void {
    if (p.source === 0n || isIpv6Multicast(p.source)) return;
    if (isIpv6Multicast(p.destination) && type !== Icmpv6Type.packetTooBig && !(type === Icmpv6Type.parameterProblem && code === Icmpv6ParameterProblemCode.unrecognizedOption)) return;
    if (p.ip.nextHeader === IPPROTO_ICMPV6 && (p.ip.payload.length < 1 || isIcmpv6Error(p.ip.payload[0]!))) return;
    // net.ipv6.icmp.ratemask's default (0-1,3-127) leaves packet too big unlimited.
    if (type !== Icmpv6Type.packetTooBig && !this.rateAllowed(p.source, now, this.errorInterval(p.source, now))) {
      this.deps.drop(p.dev, 'rateLimited', p.frame, 'icmpv6 ratelimit');
      return;
    }
    const source = this.deps.isLocalAddress(p.destination, now) ? p.destination : this.deps.selectSource(p.source, now, p.dev);
    if (source === undefined) return;
    const quoted = p.packet.subarray(0, Math.min(p.packet.length, ICMPV6_ERROR_MAX_QUOTE));
    let error: Icmpv6Repr;
    if (type === Icmpv6Type.timeExceeded) error = { kind: 'timeExceeded', code, packet: quoted };
    else if (type === Icmpv6Type.parameterProblem) error = { kind: 'parameterProblem', code, pointer: info, packet: quoted };
    else if (type === Icmpv6Type.packetTooBig) error = { kind: 'packetTooBig', code: 0, mtu: info, packet: quoted };
    else error = { kind: 'destinationUnreachable', code, packet: quoted };
    this.sendIcmpv6(source, p.source, DEFAULT_HOP_LIMIT, error, now);
  }

  /**
   * icmpv6_xrlim_allow's interval for an error to `destination`: net.ipv6.icmp.ratelimit in jiffies,
   * halved for every 32 bits the route towards it is shorter than /128 ("more bandwidth to wider
   * prefixes": the default 100 ms is 24 ms through a /64 route, 4 ms through a default route); none
   * through the loopback.
   */
  private errorInterval(destination: bigint, now: Nanos): Nanos {
    const back = this.deps.lookupRoute({ dst: destination }, now);
    if (back.ok && (back.decision.route.type === 'local' || this.deps.device(back.decision.dev)?.kind === 'loopback')) return 0;
    const jiffies = Math.round(this.deps.sysctl('net.ipv6.icmp.ratelimit') / MS_PER_JIFFY);
    const prefixLength = back.ok ? back.decision.route.prefixLength : 128;
    const shift = prefixLength < 128 ? (128 - prefixLength) >> 5 : 0;
    return (jiffies >> shift) * MS_PER_JIFFY * MS;
  }

  /**
   * inet_peer_xrlim_allow: tokens accrue with time up to six intervals; a message costs one interval
   * (net.ipv6.icmp.ratelimit for ICMPv6 errors, 1 s for redirects: one peer's bucket serves both).
   */
  private rateAllowed(destination: bigint, now: Nanos, interval: Nanos = this.deps.sysctl('net.ipv6.icmp.ratelimit') * MS): boolean {
    if (interval === 0) return true;
    const ratePeers = (this.ratePeers ??= new Map());
    let peer = ratePeers.get(destination);
    if (peer === undefined) {
      if (ratePeers.size >= MAX_RATE_PEERS) ratePeers.delete(ratePeers.keys().next().value!);
      // A new inet_peer's rate_last lies 60 s back: it starts with a full bucket.
      peer = { tokens: 0, last: now - 60_000 * MS };
      ratePeers.set(destination, peer);
    }
    peer.tokens = Math.min(peer.tokens + (now - peer.last), XRLIM_BURST_FACTOR * interval);
    peer.last = now;
    if (peer.tokens < interval) return false;
    peer.tokens -= interval;
    return true;
  }

  /** An ICMPv6 message of ours, routed (ip6_dst_lookup) and sent. */
  sendIcmpv6(source: bigint, destination: bigint, hopLimit: number, message: Icmpv6Repr, now: Nanos): void {
    this.clock = now;
    const outcome = this.deps.lookupRoute({ dst: destination, src: source }, now);
    if (!outcome.ok) {
      this.deps.drop(null, 'noRoute', undefined, `icmpv6 to ${formatIpv6(ipv6ToBytes(destination))}`);
      return;
    }
    const route = outcome.decision.route;
    const packet = this.buildIcmpv6(source, destination, hopLimit, message);
    const dev = route.type === 'local' ? 'lo' : route.dev;
    if (this.hooks.localOut.length > 0 && this.filter('localOut', this.hooks.localOut, packet, null, dev, now) !== 'accept') return;
    this.outputLocal(dev, route.gateway !== 0n ? route.gateway : destination, packet, source, destination, route.metrics?.mtu, now);
  }

  /** icmpv6_send(ICMPV6_DEST_UNREACH, code) about a delivered packet no socket took (e.g. __udp6_lib_rcv's port unreachable). */
  destinationUnreachable(d: Ipv6Delivery, code: number, now: Nanos): void {
    const ip = parseIpv6Packet(d.packet);
    if (isWireError(ip)) return;
    this.icmpSend({ dev: d.dev, ip, source: d.source, destination: d.destination, packet: d.packet, frame: d.packet }, Icmpv6Type.destinationUnreachable, code, 0, now);
  }

  /** ip6_xmit for a transport's built packet (a UDP socket's): routed from its source (out of `oif` if given), then sent. */
  sendLocal(packet: Uint8Array, source: bigint, destination: bigint, oif: string | undefined, now: Nanos): Errno | null {
    this.clock = now;
    const outcome = this.deps.lookupRoute({ dst: destination, src: source, ...(oif !== undefined ? { oif } : {}) }, now);
    if (!outcome.ok) return outcome.errno;
    const route = outcome.decision.route;
    if (this.hooks.localOut.length > 0) {
      const verdict = this.filter('localOut', this.hooks.localOut, packet, null, outcome.decision.dev, now);
      if (verdict !== 'accept') return verdict === 'drop' ? 'EPERM' : null;
    }
    this.outputLocal(outcome.decision.dev, route.gateway !== 0n ? route.gateway : destination, packet, source, destination, route.metrics?.mtu, now);
    return null;
  }

  /** One hook point's chain over a packet (nf_hook): a drop is traced on the device it was to leave by (or came in on). */
  private filter(point: HookPoint, chain: readonly HookEntry[], packet: Uint8Array, inDev: string | null, outDev: string | null, now: Nanos): 'accept' | 'drop' | 'stolen' {
    const hooked: HookPacket<6> = { family: 6, hook: point, bytes: packet, header: Ipv6PacketView.over(packet), mark: 0, inDev, outDev };
    const verdict = this.netfilter.run(chain, hooked, now);
    if (verdict === 'accept' || verdict === 'reroute') return 'accept';
    if (verdict === 'stolen') return 'stolen';
    this.deps.drop(outDev ?? inDev, verdict.drop, packet, verdict.detail);
    return 'drop';
  }

  /** ndisc_send_skb: NDP leaves on the given device without a route lookup. */
  sendNdisc(dev: string, source: bigint, destination: bigint, hopLimit: number, message: NdpRepr, now: Nanos = this.clock): void {
    const packet = this.buildIcmpv6(source, destination, hopLimit, message);
    this.output(dev, destination, packet, source, now);
  }

  private buildIcmpv6(source: bigint, destination: bigint, hopLimit: number, message: Icmpv6Repr): Uint8Array {
    const length = icmpv6BufferLen(message);
    const packet = new Uint8Array(IPV6_HEADER_LENGTH + length);
    const src = ipv6ToBytes(source);
    const dst = ipv6ToBytes(destination);
    emitIpv6HeaderFor({ trafficClass: 0, flowLabel: 0, nextHeader: IPPROTO_ICMPV6, hopLimit, source: src, destination: dst }, length, packet, 0);
    emitIcmpv6(message, packet, IPV6_HEADER_LENGTH, { source: src, destination: dst });
    return packet;
  }

  // ---------------------------------------------------------------- output

  /** ip6_finish_output for a packet of ours: ip6_fragment when it is larger than the route's MTU (its `mtu` metric, else the device's, ip6_mtu). */
  private outputLocal(dev: string, nextHop: bigint, packet: Uint8Array, source: bigint, destination: bigint, routeMtu: number | undefined, now: Nanos): void {
    const mtu = routeMtu ?? this.pathMtu(dev);
    if (packet.length <= mtu) {
      this.output(dev, nextHop, packet, source, now);
      return;
    }
    const fragments = fragmentIpv6Packet(packet, mtu, this.identifiers.select(source, destination));
    if (fragments.length === 0) this.deps.drop(dev, 'fragmentationNeeded', packet, `mtu ${mtu}`);
    for (const fragment of fragments) this.output(dev, nextHop, fragment, source, now);
  }

  /** ip6_finish_output2: loopback for our own addresses, multicast MACs, nd_tbl for unicast. */
  output(dev: string, nextHop: bigint, packet: Uint8Array, source: bigint, now: Nanos): void {
    this.clock = now;
    const device = this.deps.device(dev);
    if (device === undefined || !device.adminUp) {
      this.deps.drop(dev, 'interfaceDown', packet);
      return;
    }
    if (device.kind === 'loopback') {
      this.deps.timers.schedule(now, (at) => this.processIpv6(device, 'host', packet, packet, at));
      return;
    }
    if (isIpv6Multicast(nextHop)) {
      this.transmitIpv6(device, multicastMac(nextHop), packet);
      return;
    }
    const queued: QueuedPacket<bigint> = { packet, source };
    const outcome = this.deps.neighbours.resolve(dev, nextHop, queued, now);
    if (outcome.send) this.transmitIpv6(device, outcome.mac, packet);
    else if (!outcome.queued) this.deps.drop(dev, outcome.tableFull === true ? 'neighbourTableFull' : 'neighbourFailed', packet);
  }

  private transmitResolved(dev: string, mac: Uint8Array, packet: Uint8Array): void {
    const device = this.deps.device(dev);
    if (device === undefined || !device.adminUp) {
      this.deps.drop(dev, 'interfaceDown', packet);
      return;
    }
    this.transmitIpv6(device, mac, packet);
  }

  /** ndisc_error_report → icmp6_send address unreachable for the queued packet. */
  private neighbourFailed(entry: NeighbourEntry<bigint>, queued: QueuedPacket<bigint>, now: Nanos): void {
    this.deps.drop(entry.dev, 'neighbourFailed', queued.packet);
    const ip = parseIpv6Packet(queued.packet);
    if (isWireError(ip)) return;
    this.icmpSend({ dev: entry.dev, ip, source: ipv6FromBytes(ip.source), destination: ipv6FromBytes(ip.destination), packet: queued.packet, frame: queued.packet }, Icmpv6Type.destinationUnreachable, Icmpv6UnreachableCode.address, 0, now);
  }

  private transmitIpv6(device: DeviceView, mac: Uint8Array, packet: Uint8Array): void {
    const frame = new Uint8Array(14 + packet.length);
    frame.set(mac.subarray(0, 6), 0);
    frame.set(device.mac.subarray(0, 6), 6);
    frame[12] = EtherType.ipv6 >>> 8;
    frame[13] = EtherType.ipv6 & 0xff;
    frame.set(packet, 14);
    this.deps.transmit(device.name, frame);
  }
}

const NDP_KINDS: ReadonlySet<Icmpv6Repr['kind']> = new Set(['routerSolicitation', 'routerAdvertisement', 'neighbourSolicitation', 'neighbourAdvertisement', 'redirect']);

/** An NDP message (RS, RA, NS, NA, Redirect) among the ICMPv6 records. */
function isNdpRepr(message: Icmpv6Repr): message is NdpRepr {
  return NDP_KINDS.has(message.kind);
}
