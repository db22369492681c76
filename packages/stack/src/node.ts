/**
 * One node: the control plane (devices, addresses, routes, sysctl, shell — kernel.ts, shell/)
 * composed with the datapath (neighbour table and ARP, IPv4, sockets, processes) behind the
 * NodeHost contract the runtime drives.
 *
 * Covers: frame reception (`processEthernet` → the handler registered for the frame's EtherType in
 * `parts.linkLayer`: ARP, IPv4 and IPv6; anything else a counted drop), the node's timer heap (ordered by time, then arming order) and seeded PRNG, carrier and address
 * changes reaching the neighbour table (entries of a device flushed when it goes down or its last
 * IPv4 address goes, as arp_ifdown, and all but PERMANENT ones when it loses carrier, as
 * neigh_carrier_down), a port's device set up or down reported to the
 * host (the link partner's carrier follows, as for a veth pair), frames reaching a device that is down
 * dropped before any counter, counters, the process table and the ProcessContext
 * services (sockets, ARP sockets, resolution of names, route source), and renamed devices (the
 * datapath follows the new name; frames, carrier and trace events keep the topology's port name).
 * A malformed frame is a drop: the wire parsers return their error values (WireError) and each layer
 * drops what they reject as `malformed` or `badChecksum`. Any exception is a bug and leaves receive()
 * (the runtime ends the run naming the node); none is turned into a drop.
 * IPv6 frames go to the IPv6 layer (ipv6/ipv6-layer.ts) with its own neighbour table (nd_tbl, NDP),
 * flushed on a device's down and carrier loss as arp_tbl is. Leaves out VLAN sub-interfaces.
 */
import {
  EtherType,
  ETHERNET_HEADER_LENGTH,
  EthernetFrameView,
  formatIpv4,
  formatMac,
  parseIpv4,
  formatIpv6Number,
  isIpv6LinkLocal,
  parseIpv6Number,
} from '@netloom/wire';
import type {
  CommandHandle,
  CommandIo,
  DropReason,
  Nanos,
  NodeConfig,
  NodeCounters,
  NodeEnvironment,
  NodeHost,
  StackEvent,
} from './node-host.js';
import type { ArpSocket, Errno, InterfaceAddress, Program } from './process.js';
import type { DeviceView, RoutingApi } from './routing-api.js';
import { ArpLayer, packetTypeOf, type PacketType } from './neigh/arp.js';
import { ProtocolTable, TransportRegistry } from './protocol-table.js';
import { NetfilterHooks } from './netfilter/hooks.js';
import { createIpMib, type IpMib } from './ipv4/ip-mib.js';
import { INET_FAMILY, NeighbourTable, neighbourParams } from './neigh/neighbour-table.js';
import { IPV6_NEIGHBOUR_FAMILY } from './neigh/ndisc.js';
import { Ipv6Layer } from './ipv6/ipv6-layer.js';
import { Ping6Sockets } from './ipv6/ping6-socket.js';
import { Icmp6RawSockets } from './ipv6/icmp6-raw-socket.js';
import { Udp6Sockets } from './sockets/udp6-socket.js';
import { RouterDiscovery, type RouterDiscoveryKernel } from './ipv6/router-discovery.js';
import { RouterAdvertiser, runRaCommand } from './ipv6/router-advertiser.js';
import { NdiscNotifier } from './ipv6/ndisc-notify.js';
import { AddrconfProbes } from './ipv6/addrconf-probes.js';
import { InetPeers } from './ipv4/inet-peer.js';
import { Ipv4Layer } from './ipv4/ipv4-layer.js';
import { SocketTable } from './sockets/socket-table.js';
import { Descriptors } from './sockets/socket-list.js';
import { runUlimit } from './shell/ulimit-command.js';
import { TcpSockets, type TcpMib } from './tcp/tcp-sockets.js';
import type { TcpSocketInfo, UdpSocketInfo } from './tcp/socket-info.js';
import { ProcessTable, type ProcessOwner, type ProcessServices } from './process-table.js';
import { Prng, TimerHeap } from './timers.js';
import { Kernel, ZERO_DEVICE_STATS, type DadProber, type DeviceStats, type Inet6AddressState, type Route6Outcome, type Route6Query } from './kernel.js';
import { FileStore } from './shell/file-store.js';
import { neighbourOptionsOf, runIpNeigh } from './neigh/ip-neigh-command.js';
import { Shell, type IpObjectHandler, type ShellHandler } from './shell/shell.js';
import { formatJson, type JsonValue } from './shell/json-writer.js';
import { runNstat } from './shell/nstat-command.js';
import { KernelModules } from './kernel-modules.js';
import { loadIpip } from './ipv4/ipip.js';

/** The control plane as the node composes it: the RoutingApi, device management, and what router discovery changes. */
export interface ControlPlane extends RoutingApi, RouterDiscoveryKernel {
  addEthernet(ifname: string, mac: Uint8Array, mtu: number): void;
  setCarrier(ifname: string, carrier: boolean, now: Nanos): void;
  /** ip_fib_check_default: is `gateway` the gateway of a route through `dev` (secure_redirects)? */
  isGatewayOnDevice(dev: string, gateway: number): boolean;
  /** IPv6 output route with its source (a connect()ed socket's, for the resolver's routeSource). */
  lookupRoute6(query: Route6Query, now: Nanos): Route6Outcome;
  /** A device's IPv6 addresses (the resolver's address list). */
  addresses6Of(dev: string, now: Nanos): Inet6AddressState[];
  /** ipv6_chk_addr: one of our IPv6 addresses, not tentative. */
  isLocalAddress6(address: bigint, now: Nanos): boolean;
  /** ipv6_dev_get_saddr towards `dst` (through `dev` when given). */
  selectSource6(dst: bigint, now: Nanos, dev?: string): { address: bigint; dev: string } | undefined;
  /** addrconf_dad_failure, reported by NDP (`from`: the duplicate's link-layer address). */
  ipv6DadFailed(dev: string, address: bigint, now: Nanos, from?: Uint8Array): void;
  /** The node's DAD prober: DAD's initial delay and probes (ipv6/addrconf-probes.ts). */
  registerDadProber(prober: DadProber): void;
  /** rt6_do_redirect: an ICMPv6 redirect taken into a route exception, or not. */
  learnRedirect6(dev: string, from: bigint, dst: bigint, target: bigint, now: Nanos): boolean;
  /** __ip6_rt_update_pmtu: a packet too big's path MTU into a route exception. */
  learnPmtu6(dev: string, dst: bigint, mtu: number, now: Nanos): void;
}

/** The node shell as the node composes it (shell/shell.ts's Shell). */
export interface NodeShell {
  exec(line: string, now: Nanos, io: CommandIo): CommandHandle;
  /** A program or a datapath command by name; the handler gets the whole argv. */
  register(name: string, handler: ShellHandler): void;
  /** An `ip` object (`neigh`); the handler gets the global options `ip` parsed and the words after the object. */
  registerIpObject(object: string, handler: IpObjectHandler): void;
  /** The node's files (`/etc/hosts`, `/etc/gai.conf`, redirected output). */
  readonly files: FileStore;
}

/** The datapath's own parts, for tests and for the shell commands that show them. */
export interface NodeParts {
  readonly routing: ControlPlane;
  readonly timers: TimerHeap;
  readonly prng: Prng;
  readonly neighbours: NeighbourTable;
  readonly arp: ArpLayer;
  readonly ipv4: Ipv4Layer;
  /** nd_tbl: IPv6 neighbours, resolved by NDP. */
  readonly neighbours6: NeighbourTable<bigint>;
  readonly ipv6: Ipv6Layer;
  readonly sockets: SocketTable;
  /** UDP over IPv6 (sockets/udp6-socket.ts). */
  readonly udp6: Udp6Sockets;
  /** TCP over both families (tcp/tcp-sockets.ts). */
  readonly tcp: TcpSockets;
  readonly processes: ProcessTable;
  /** The handlers of received frames by EtherType (ptype_base): ARP, IPv4 and IPv6 here. */
  readonly linkLayer: ProtocolTable<LinkLayerHandler>;
  /** Transports by (family, protocol) (inet_protos, inet6_protos): ICMP, UDP. */
  readonly transports: TransportRegistry;
  /** The netfilter hook points (PREROUTING, LOCAL_IN, FORWARD, LOCAL_OUT, POSTROUTING) per family. */
  readonly netfilter: NetfilterHooks;
}

/**
 * The counters a node keeps, made before the kernel so that it reads them from its construction:
 * per-device packets and bytes (`ip -s link`, `ifconfig`) and the IP MIB (`netstat -s`, `nstat`).
 */
export interface NodeStatistics {
  /** By device name; a device gets its entry on first use. */
  readonly links: Map<string, DeviceStats>;
  readonly ip: IpMib;
}

export function createNodeStatistics(): NodeStatistics {
  return { links: new Map(), ip: createIpMib() };
}

/**
 * A link-layer protocol's receive handler (packet_type.func): the device, the frame's packet type,
 * the frame and where its payload begins (after the Ethernet header) — an offset, not a view, so a
 * protocol that reads the payload in place (IPv4's forwarding path) makes none.
 */
export type LinkLayerHandler = (device: DeviceView, packetType: PacketType, frame: Uint8Array, payloadAt: number, now: Nanos) => void;

const IPV4_IDENT_MASK = 0xffff;

export class StackNode implements NodeHost {
  readonly name: string;
  readonly parts: NodeParts;
  /** The hook points: `node.netfilter.register({ hook, family, priority, fn })` (netfilter/hooks.ts). */
  readonly netfilter: NetfilterHooks;
  private drops = 0;
  /**
   * Per-device packet and byte counters (`ip -s link`, `ifconfig`): whole frames, no FCS, as Linux.
   * The node's framesIn / framesOut are their sums.
   */
  private readonly linkStats: Map<string, DeviceStats>;
  /**
   * The runtime names a port by its topology name for ever; `ip link set DEV name NEW` renames the
   * device behind it. Frames, carrier changes and trace events cross the NodeHost boundary under the
   * port's name; inside, the device's current name is used. Both maps hold every Ethernet port.
   */
  private readonly deviceOfPort = new Map<string, string>();
  private readonly portOfDevice = new Map<string, string>();
  /** Some port's device has another name than the port (until then the maps are not consulted per frame). */
  private portsRenamed = false;
  /** Virtual time of the event being processed (timers and commands read it). */
  private now = 0;
  private identification: number;

  constructor(
    config: NodeConfig,
    private readonly env: NodeEnvironment,
    programs: Readonly<Record<string, Program>>,
    private readonly routing: ControlPlane,
    readonly shell: NodeShell,
    statistics: NodeStatistics,
  ) {
    this.name = config.name;
    this.linkStats = statistics.links;
    const transports = new TransportRegistry();
    const netfilter = (this.netfilter = new NetfilterHooks());
    const timers = new TimerHeap();
    const prng = new Prng(config.seed);
    this.identification = prng.below(0x10000);
    // One closure of each kind per node, shared by every part that takes it (a node made seven drops).
    const transmit = (dev: string, frame: Uint8Array): void => this.transmit(dev, frame);
    const drop = (dev: string | null, reason: DropReason, frame?: Uint8Array, detail?: string): void => this.drop(dev, reason, frame, detail);
    const trace = (event: StackEvent): void => this.env.event(this.atPorts(event));
    const now = (): Nanos => this.now;
    const nextIdentification = (): number => this.nextIdentification();
    const device = (dev: string): DeviceView | undefined => routing.device(dev);
    const sysctl = (name: string): number => routing.sysctl(name);
    // arp_tbl: net.ipv4.neigh parameters, ARP's solicit (attached below).
    const neighbours = new NeighbourTable(
      timers,
      prng,
      {
        discard: (entry, queued, reason) => this.drop(entry.dev, reason, queued.packet),
        reachability: (dev, address, state) => routing.setNeighbourReachability(dev, address, state),
        params: (dev) => neighbourParams(sysctl, 'net.ipv4.neigh', dev),
      },
      INET_FAMILY,
    );
    const arp = new ArpLayer({
      routing,
      neighbours,
      timers,
      prng,
      transmit,
      drop,
    });
    const peers = new InetPeers();
    const ipv4 = new Ipv4Layer({
      routing,
      neighbours,
      timers,
      peers,
      transports,
      netfilter,
      mib: statistics.ip,
      transmit,
      loopbackTransmitted: (dev, bytes) => this.countLoopback(dev, bytes),
      drop,
      trace,
      isTracing: () => this.env.tracing?.() ?? true,
      nextIdentification,
      isGatewayOnDevice: (dev, gateway) => routing.isGatewayOnDevice(dev, gateway),
    });
    // The neighbour table's protocol is ARP's solicit and the IPv4 layer's output (arp_generic_ops).
    neighbours.attachOps({
      solicit: (entry, unicastTo, trigger, now) => arp.solicit(entry, unicastTo, trigger, now),
      transmit: (entry, queued) => {
        if (entry.mac !== null) ipv4.transmitResolved(entry.dev, entry.mac, queued.packet);
      },
      unreachable: (entry, queued, now) => ipv4.neighbourFailed(entry.dev, queued, now),
    });
    // nd_tbl and the IPv6 layer, which attaches NDP (ndisc_generic_ops) to it and registers ICMPv6.
    const neighbours6 = new NeighbourTable<bigint>(
      timers,
      prng,
      {
        discard: (entry, queued, reason) => this.drop(entry.dev, reason, queued.packet),
        reachability: () => {},
        params: (dev) => neighbourParams(sysctl, 'net.ipv6.neigh', dev),
      },
      IPV6_NEIGHBOUR_FAMILY,
    );
    const ipv6 = new Ipv6Layer({
      device,
      addresses: (dev, now) => routing.addresses6Of(dev, now).map((s) => ({ address: s.address.address, prefixLength: s.address.prefixLength, tentative: s.tentative })),
      isLocalAddress: (address, now) => routing.isLocalAddress6(address, now),
      lookupRoute: (query, now) => routing.lookupRoute6(query, now),
      selectSource: (dst, now, dev) => routing.selectSource6(dst, now, dev)?.address,
      conf: (scope, key) => routing.conf6(scope, key),
      sysctl,
      dadFailed: (dev, address, now, from) => routing.ipv6DadFailed(dev, address, now, from),
      learnRedirect: (dev, from, dst, target, now) => routing.learnRedirect6(dev, from, dst, target, now),
      learnPmtu: (dev, dst, mtu, now) => routing.learnPmtu6(dev, dst, mtu, now),
      neighbours: neighbours6,
      timers,
      prng,
      transports,
      netfilter,
      transmit,
      drop,
    });
    // One count of descriptors for every socket kind: a process's RLIMIT_NOFILE bounds them all.
    const descriptors = new Descriptors();
    const ping6 = new Ping6Sockets(ipv6, now, descriptors);
    const raw6 = new Icmp6RawSockets(ipv6, (ifname) => routing.device(ifname)?.ifindex ?? 0, now, descriptors);
    const udp6 = new Udp6Sockets({
      descriptors,
      layer: ipv6,
      transports,
      prng,
      now,
      addressesOf: (dev, now) => routing.addresses6Of(dev, now).map((s) => s.address.address),
      drop,
      // A dual-stack socket's IPv4 side lives in the IPv4 table (made below).
      openIpv4: (owner) => sockets.openUdp(owner),
      isIpv4PortFree: (address, port) => sockets.isPortFree(parseIpv4(address) ?? 0, port),
      bindv6only: () => routing.sysctl('net.ipv6.bindv6only') !== 0,
    });
    const routerDiscovery = new RouterDiscovery(routing, {
      routerAdvertised: (dev, source, lladdr, now) => ipv6.ndisc.routerAdvertised(dev, source, lladdr, now),
      drop: (dev, reason, detail) => this.drop(dev, reason, undefined, detail),
    });
    // radvd on the node when its topology gives an ra: block; its first RAs at time 0.
    const advertiser =
      config.routerAdvertisements !== undefined && config.routerAdvertisements.length > 0
        ? new RouterAdvertiser(
            {
              timers,
              prng,
              device,
              linkLocalAddress: (dev, now) => routing.addresses6Of(dev, now).find((s) => isIpv6LinkLocal(s.address.address) && !s.tentative)?.address.address,
              sendNdisc: (dev, source, destination, hopLimit, message, now) => ipv6.sendNdisc(dev, source, destination, hopLimit, message, now),
            },
            config.routerAdvertisements,
          )
        : undefined;
    advertiser?.start(0);
    shell.register('ra', (argv, now, io) => {
      const result = runRaCommand(argv, advertiser, now);
      io.stderr(result.stderr);
      io.exit(result.status);
    });
    // DAD probes and router solicitations on the wire, when the topology configures IPv6 (NodeConfig.ndiscProbes).
    const probes = config.ndiscProbes === true ? this.addrconfProbes(timers, prng, ipv6) : undefined;
    ipv6.registerRouterDiscovery({
      processRouterAdvertisement: (received, now) => {
        if (isIpv6LinkLocal(received.source) && received.hopLimit === 255 && received.code === 0) probes?.advertisementReceived(received.dev);
        routerDiscovery.processRouterAdvertisement(received, now);
      },
      processRouterSolicitation: (dev, _source, now) => advertiser?.processRouterSolicitation(dev, now),
    });
    const sockets = new SocketTable({
      descriptors,
      routing,
      ipv4,
      transports,
      drop,
      trace,
      prng,
      netbsd2004: config.compat?.['netbsd-2004'] === true,
      nextIdentification,
      now,
    });
    const tcp = new TcpSockets({
      descriptors,
      routing,
      ipv4,
      ipv6,
      transports,
      timers,
      prng,
      now,
      sysctl,
      hasDevice: (name) => routing.device(name) !== undefined,
      drop,
      trace,
    });
    const processes = new ProcessTable(this.processServices(config.name, timers, sockets, arp, ping6, udp6, tcp, raw6, descriptors));
    const linkLayer = new ProtocolTable<LinkLayerHandler>('EtherType', 0xffff);
    linkLayer.register(EtherType.arp, (device, packetType, frame, payloadAt, now) => arp.processArp(device, packetType, frame.subarray(payloadAt), frame, now));
    linkLayer.register(EtherType.ipv4, (device, packetType, frame, payloadAt, now) => ipv4.processIpv4(device, packetType, frame, payloadAt, now));
    linkLayer.register(EtherType.ipv6, (device, packetType, frame, payloadAt, now) => ipv6.processIpv6(device, packetType, frame.subarray(payloadAt), frame, now));
    this.parts = { routing, timers, prng, neighbours, arp, ipv4, neighbours6, ipv6, sockets, udp6, tcp, processes, linkLayer, transports, netfilter };

    const ndiscNotifier = new NdiscNotifier({
      device,
      conf: (scope, key) => routing.conf6(scope, key),
      announce: (dev) => ipv6.ndisc.announce(dev),
    });
    routing.onChange((change) => {
      // A device set down loses every neighbour (NETDEV_DOWN: fib_disable_ip → arp_ifdown), one that
      // lost its carrier all but PERMANENT ones (neigh_carrier_down), one whose last IPv4 address went
      // every one too (fib_inetaddr_event → fib_disable_ip): the next packet re-resolves.
      if (change.type === 'link' && (!change.adminUp || !change.carrier)) {
        neighbours.flushDevice(change.dev, this.now, change.adminUp);
        neighbours6.flushDevice(change.dev, this.now, change.adminUp);
      }
      if (change.type === 'address' && !change.added && routing.device(change.dev)?.addresses.length === 0) neighbours.flushDevice(change.dev, this.now, false);
      if (change.type === 'link' && this.portOfDevice.has(change.dev)) this.reportAdminState(change.dev, change.adminUp);
      if (change.type === 'rename') this.deviceRenamed(change.from, change.to);
      if (change.type === 'link') ndiscNotifier.linkChanged(change.dev);
      if (change.type === 'rename') ndiscNotifier.renamed(change.from, change.to);
      if (change.type === 'rename') probes?.renamed(change.from, change.to);
    });
    shell.register('ulimit', (argv, _now, io) => {
      const result = runUlimit(argv, processes);
      io.stdout(result.stdout);
      io.stderr(result.stderr);
      io.exit(result.status);
    });
    for (const [name, program] of Object.entries(programs)) {
      shell.register(name, (argv, now, io) => {
        this.advance(now);
        return processes.start(program, argv, io);
      });
    }
  }

  /** addrconf's probes (ipv6/addrconf-probes.ts), registered with the kernel's addrconf. */
  private addrconfProbes(timers: TimerHeap, prng: Prng, ipv6: Ipv6Layer): AddrconfProbes {
    const routing = this.routing;
    const probes = new AddrconfProbes({
      timers,
      prng,
      isProbing: (dev, address, now) => routing.addresses6Of(dev, now).some((s) => s.address.address === address && s.tentative && !s.address.dadfailed),
      linkLocalAddress: (dev, now) => routing.addresses6Of(dev, now).find((s) => isIpv6LinkLocal(s.address.address) && !s.tentative)?.address.address,
      isReady: (dev) => routing.device(dev)?.adminUp === true && routing.device(dev)?.carrier === true,
      conf: (dev, key) => routing.conf6(dev, key),
      sendDadProbe: (dev, target, nonce) => ipv6.ndisc.sendDadProbe(dev, target, nonce),
      sendRouterSolicitation: (dev, source) => ipv6.ndisc.sendRouterSolicitation(dev, source),
    });
    routing.registerDadProber(probes);
    return probes;
  }

  // ---------------------------------------------------------------- NodeHost

  addEthernet(ifname: string, mac: Uint8Array, mtu: number): void {
    this.routing.addEthernet(ifname, mac, mtu);
    this.deviceOfPort.set(ifname, ifname);
    this.portOfDevice.set(ifname, ifname);
  }

  setCarrier(port: string, carrier: boolean, now: Nanos): void {
    this.advance(now);
    this.routing.setCarrier(this.deviceOf(port), carrier, now);
  }

  receive(port: string, frame: Uint8Array, now: Nanos): void {
    this.advance(now);
    const ifname = this.deviceOf(port);
    const device = this.routing.device(ifname);
    // A device that is down takes nothing off the wire: nothing is counted (ip -s link).
    if (device?.adminUp === false) {
      this.drop(ifname, 'interfaceDown', frame);
      return;
    }
    const stats = this.statsOf(ifname);
    stats.rxPackets++;
    stats.rxBytes += frame.length;
    this.processEthernet(ifname, device, frame, now);
  }

  nextDeadline(): Nanos {
    return this.parts.timers.nextDeadline();
  }

  runTimers(now: Nanos): void {
    this.advance(now);
    this.parts.timers.runDue(now);
  }

  exec(line: string, now: Nanos, io: CommandIo): CommandHandle {
    this.advance(now);
    return this.shell.exec(line, now, io);
  }

  counters(): NodeCounters {
    let framesIn = 0;
    let framesOut = 0;
    for (const [dev, stats] of this.linkStats) {
      // Frames on links: what lo loops back never leaves the node.
      if (this.routing.device(dev)?.kind === 'loopback') continue;
      framesIn += stats.rxPackets;
      framesOut += stats.txPackets;
    }
    return { framesIn, framesOut, drops: this.drops };
  }

  interfaceNames(): string[] {
    return [...this.routing.devices()].sort((a, b) => a.ifindex - b.ifindex).map((d) => d.name);
  }

  addresses(): { ifname: string; family: 4 | 6; address: string; prefixLength: number }[] {
    const result: { ifname: string; family: 4 | 6; address: string; prefixLength: number }[] = [];
    for (const device of [...this.routing.devices()].sort((a, b) => a.ifindex - b.ifindex)) {
      for (const ifa of device.addresses) result.push({ ifname: device.name, family: 4, address: formatIpv4(ifa.address), prefixLength: ifa.prefixLength });
      // IPv6 after IPv4 on each device, as `ip addr` lists them (link-local ones included).
      for (const s of this.routing.addresses6Of(device.name, this.now)) {
        result.push({ ifname: device.name, family: 6, address: formatIpv6Number(s.address.address), prefixLength: s.address.prefixLength });
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- datapath

  /** A frame arrived on `ifname` (its device, looked up by receive): hand it to ARP or IPv4 by EtherType. */
  private processEthernet(ifname: string, device: DeviceView | undefined, frame: Uint8Array, now: Nanos): void {
    if (device === undefined) {
      this.drop(ifname, 'notForUs', frame, 'no such interface');
      return;
    }
    // Checked and read in place, not parseEthernet: no copies of the MACs, no view, for every frame.
    const headerLength = EthernetFrameView.checkedHeaderLength(frame);
    if (typeof headerLength !== 'number') {
      this.drop(ifname, 'malformed', frame, `ethernet ${headerLength.error}`);
      return;
    }
    if (headerLength !== ETHERNET_HEADER_LENGTH) {
      this.drop(ifname, 'unsupportedProtocol', frame, `802.1Q vlan ${EthernetFrameView.over(frame).vlanTci & 0x0fff}`);
      return;
    }
    const ethertype = EthernetFrameView.ethertypeOf(frame);
    const protocol = this.parts.linkLayer.handlerFor(ethertype);
    if (protocol === undefined) {
      this.drop(ifname, 'unsupportedProtocol', frame, `ethertype 0x${ethertype.toString(16).padStart(4, '0')}`);
      return;
    }
    // The frame begins with its destination MAC: classified in place.
    protocol(device, packetTypeOf(frame, device.mac), frame, headerLength, now);
  }

  private transmit(dev: string, frame: Uint8Array): void {
    const stats = this.statsOf(dev);
    const device = this.routing.device(dev);
    if (device?.ops.xmit === 'discard') {
      // dummy_xmit: counted as sent, then freed; nothing leaves the node.
      stats.txPackets++;
      stats.txBytes += frame.length;
      return;
    }
    if (device?.carrier === false) {
      // veth_xmit toward a partner that is down: the frame is dropped and counted as TX dropped.
      stats.txDropped++;
      this.drop(dev, 'interfaceDown', frame, 'no carrier');
      return;
    }
    stats.txPackets++;
    stats.txBytes += frame.length;
    this.env.transmit(this.portOf(dev), frame);
  }

  /** The current name of the device behind a port. */
  /** The admin state each port's device last reported to the host, by port (a new device is down). */
  private readonly reportedAdminUp = new Map<string, boolean>();

  private reportAdminState(dev: string, up: boolean): void {
    const port = this.portOf(dev);
    if ((this.reportedAdminUp.get(port) ?? false) === up) return;
    this.reportedAdminUp.set(port, up);
    this.env.adminStateChanged?.(port, up);
  }

  private deviceOf(port: string): string {
    return this.portsRenamed ? this.deviceOfPort.get(port) ?? port : port;
  }

  /** The port a device is (its own name for the loopback). */
  private portOf(dev: string): string {
    return this.portsRenamed ? this.portOfDevice.get(dev) ?? dev : dev;
  }

  /** A device was renamed: everything of the datapath keyed by its name follows it. */
  private deviceRenamed(from: string, to: string): void {
    this.parts.neighbours.renameDevice(from, to);
    this.parts.arp.renameDevice(from, to);
    const stats = this.linkStats.get(from);
    if (stats !== undefined) {
      this.linkStats.delete(from);
      this.linkStats.set(to, stats);
    }
    const port = this.portOfDevice.get(from);
    if (port !== undefined) {
      this.portOfDevice.delete(from);
      this.portOfDevice.set(to, port);
      this.deviceOfPort.set(port, to);
      this.portsRenamed = true;
    }
  }

  /** A trace event with device names replaced by the names of their ports. */
  private atPorts(event: StackEvent): StackEvent {
    if (!this.portsRenamed) return event;
    switch (event.type) {
      case 'drop':
        return event.ifname === null ? event : { ...event, ifname: this.portOf(event.ifname) };
      case 'forward':
        // Not a spread: the IPv4 layer's event makes its frame when read, and a spread copies no getter.
        return { type: 'forward', inIf: this.portOf(event.inIf), outIf: this.portOf(event.outIf), frame: event.frame };
      case 'deliver':
        return { ...event, ifname: this.portOf(event.ifname) };
      case 'log':
        return event;
    }
  }

  /** loopback_xmit's count: lo has one counter, shown as both its RX and its TX (loopback_get_stats64). */
  private countLoopback(dev: string, bytes: number): void {
    const stats = this.statsOf(dev);
    stats.txPackets++;
    stats.txBytes += bytes;
    stats.rxPackets++;
    stats.rxBytes += bytes;
  }

  /** The counters of `dev` (created at zero on first use). */
  statsOf(dev: string): DeviceStats {
    let stats = this.linkStats.get(dev);
    if (stats === undefined) {
      stats = { ...ZERO_DEVICE_STATS };
      this.linkStats.set(dev, stats);
    }
    return stats;
  }

  /** A line a daemon of the node logs (syslog's, as the trace and the TUI show it). */
  logLine(text: string): void {
    this.env.event({ type: 'log', text });
  }

  /** A drop by a part that plugs into the node (a module's protocol handler, a hook's transmitter): traced and counted as the node's own. */
  recordDrop(dev: string | null, reason: DropReason, frame?: Uint8Array, detail?: string): void {
    this.drop(dev, reason, frame, detail);
  }

  private drop(dev: string | null, reason: DropReason, frame?: Uint8Array, detail?: string): void {
    this.drops++;
    const event: StackEvent = { type: 'drop', ifname: dev === null ? null : this.portOf(dev), reason };
    if (frame !== undefined) event.frame = frame;
    if (detail !== undefined) event.detail = detail;
    this.env.event(event);
  }

  private advance(now: Nanos): void {
    if (now > this.now) this.now = now;
  }

  private nextIdentification(): number {
    this.identification = (this.identification + 1) & IPV4_IDENT_MASK;
    return this.identification;
  }

  private processServices(hostname: string, timers: TimerHeap, sockets: SocketTable, arp: ArpLayer, ping6: Ping6Sockets, udp6: Udp6Sockets, tcp: TcpSockets, raw6: Icmp6RawSockets, descriptors: Descriptors): ProcessServices {
    const routing = this.routing;
    return {
      hostname,
      timers,
      now: () => this.now,
      udpSocket: (owner, family) => (family === 4 ? sockets.openUdp(owner) : udp6.open(owner)),
      icmpSocket: (owner, family) => (family === 4 ? sockets.openIcmp(owner) : ping6.open(owner)),
      tcpSocket: (owner, family) => tcp.open(owner, family),
      icmp6RawSocket: (owner) => raw6.open(owner),
      arp: (owner, ifname) => this.openArpSocket(owner, ifname, arp, descriptors),
      closeSockets: (owner) => {
        sockets.closeOwnedBy(owner);
        ping6.closeOwnedBy(owner);
        udp6.closeOwnedBy(owner);
        tcp.closeOwnedBy(owner);
        raw6.closeOwnedBy(owner);
      },
      resolve: (name, family) => {
        if (family === 6) return null;
        if (parseIpv4(name) !== null) return name;
        if (name === 'localhost') return '127.0.0.1';
        if (name === hostname) {
          const first = this.addresses().find((a) => a.ifname !== 'lo');
          return first?.address ?? '127.0.0.1';
        }
        return null;
      },
      hardwareAddress: (ifname) => {
        const device = routing.device(ifname);
        return device === undefined ? null : formatMac(device.mac);
      },
      ifindex: (ifname) => routing.device(ifname)?.ifindex ?? 0,
      ifname: (ifindex) => routing.deviceByIndex(ifindex)?.name ?? null,
      routeSource: (dst, ifname) => {
        const address6 = dst.includes(':') ? parseIpv6Number(dst) : null;
        if (address6 !== null) {
          const outcome = routing.lookupRoute6({ dst: address6, ...(ifname !== undefined ? { oif: ifname } : {}) }, this.now);
          if (!outcome.ok) return { errno: outcome.errno };
          // ip6_dst_lookup_tail: no source address for the route's device is EADDRNOTAVAIL.
          if (outcome.decision.src === null) return { errno: 'EADDRNOTAVAIL' };
          return { source: formatIpv6Number(outcome.decision.src), ifname: outcome.decision.dev };
        }
        const address = parseIpv4(dst);
        if (address === null) return { errno: 'EINVAL' };
        const outcome = routing.routeOutput({ dst: address, ...(ifname !== undefined ? { oif: ifname } : {}) }, this.now);
        if (!outcome.ok) return { errno: outcome.errno };
        return { source: formatIpv4(outcome.route.src), ifname: outcome.route.type === 'local' ? 'lo' : outcome.route.dev };
      },
      readFile: (path) => this.shell.files.read(FileStore.resolve(path)) ?? null,
      writeFile: (path, text, append) => {
        if (path === '/dev/null') return { ok: true };
        const file = FileStore.resolve(path);
        if (!FileStore.isWritable(file)) return { ok: false, errno: 'EROFS' };
        const opened = this.shell.files.open(file, append);
        const written = opened.ok ? this.shell.files.append(file, text) : opened;
        return written.ok ? { ok: true } : { ok: false, errno: written.errno };
      },
      interfaceAddresses: () => this.interfaceAddresses(),
    };
  }

  /** Every address, device by device in ifindex order, IPv4 then IPv6 (an RTM_GETADDR dump). */
  private interfaceAddresses(): InterfaceAddress[] {
    const list: InterfaceAddress[] = [];
    for (const device of [...this.routing.devices()].sort((a, b) => a.ifindex - b.ifindex)) {
      for (const a of device.addresses) list.push({ family: 4, address: formatIpv4(a.address), prefixLength: a.prefixLength, ifindex: device.ifindex, deprecated: false, home: false });
      for (const a of this.routing.addresses6Of(device.name, this.now)) {
        list.push({ family: 6, address: formatIpv6Number(a.address.address), prefixLength: a.address.prefixLength, ifindex: device.ifindex, deprecated: a.deprecated, home: a.address.home });
      }
    }
    return list;
  }

  /** arping's packet socket on `ifname`. */
  private openArpSocket(owner: ProcessOwner, ifname: string, arp: ArpLayer, descriptors: Descriptors): ArpSocket | { errno: Errno } {
    const device = this.routing.device(ifname);
    if (device === undefined || device.kind !== 'ether') return { errno: 'ENODEV' };
    if (!device.adminUp) return { errno: 'ENETDOWN' };
    // socket(PF_PACKET): a descriptor of the process, as every socket kind's (EMFILE past its limit).
    return descriptors.open(owner, () => this.arpSocket(owner, device, arp, descriptors));
  }

  /** The packet socket on `device` that arping sends requests and announcements through. */
  private arpSocket(owner: ProcessOwner, device: DeviceView, arp: ArpLayer, descriptors: Descriptors): ArpSocket {
    const routing = this.routing;
    const ifname = device.name;
    const known = new Map<number, Uint8Array>();
    let handler: ((reply: { senderIp: string; senderMac: string; receivedAt: Nanos }) => void) | null = null;
    let closed = false;
    const unsubscribe = arp.listen(ifname, (seen) => {
      if (closed || seen.operation !== 2) return;
      known.set(seen.senderIp, seen.senderMac.slice());
      handler?.({ senderIp: formatIpv4(seen.senderIp), senderMac: formatMac(seen.senderMac), receivedAt: seen.receivedAt });
    });
    const close = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      descriptors.close(socket);
    };
    owner.addCleanup(close);
    const socket: ArpSocket = {
      request: (target, source, broadcastOnly) => {
        const current = routing.deviceByIndex(device.ifindex);
        const targetIp = parseIpv4(target);
        const sourceIp = parseIpv4(source);
        if (closed) return { ok: false, errno: 'EBADF' };
        if (current === undefined || targetIp === null || sourceIp === null) return { ok: false, errno: 'EINVAL' };
        if (!current.adminUp) return { ok: false, errno: 'ENETDOWN' };
        const mac = broadcastOnly ? undefined : known.get(targetIp);
        arp.sendRequest(current, targetIp, sourceIp, mac);
        return { ok: true };
      },
      announce: (address, asReply) => {
        const current = routing.deviceByIndex(device.ifindex);
        const ip = parseIpv4(address);
        if (closed) return { ok: false, errno: 'EBADF' };
        if (current === undefined || ip === null) return { ok: false, errno: 'EINVAL' };
        if (!current.adminUp) return { ok: false, errno: 'ENETDOWN' };
        arp.announce(current, ip, asReply);
        return { ok: true };
      },
      onReply: (h) => {
        handler = h;
      },
      localMac: () => formatMac(device.mac),
      close,
    };
    return socket;
  }
}

/** A node built by createNode: the NodeHost, its kernel (control plane), datapath parts, shell and loadable modules. */
export type LinuxNode = StackNode & { readonly kernel: Kernel; readonly modules: KernelModules };

/** A StackNode whose control plane is the Kernel, kept visible for the shell commands and tests. */
class LinuxStackNode extends StackNode {
  /** ipip here; IPVS registers ip_vs (kernel-modules.ts). */
  readonly modules = new KernelModules();

  constructor(
    config: NodeConfig,
    env: NodeEnvironment,
    programs: Readonly<Record<string, Program>>,
    readonly kernel: Kernel,
    shell: NodeShell,
    statistics: NodeStatistics,
  ) {
    super(config, env, programs, kernel, shell, statistics);
    this.modules.register('ipip', () => loadIpip(this));
    shell.register('modprobe', (argv, _now, io) => this.modules.modprobe(argv, io));
  }
}

/**
 * A node as the runtime builds it: the Linux-like Kernel, the node shell, the datapath, and the
 * given programs registered as shell commands (`ping`, `udpsend`, …) with `ip neigh`.
 */
export function createNode(config: NodeConfig, env: NodeEnvironment, programs: Readonly<Record<string, Program>>): LinuxNode {
  const statistics = createNodeStatistics();
  const kernel = new Kernel({
    hostname: config.name,
    ...(config.compat !== undefined ? { compat: config.compat } : {}),
    deviceStats: (dev) => statistics.links.get(dev) ?? ZERO_DEVICE_STATS,
    ipStatistics: () => statistics.ip,
    tcpStatistics: (): TcpMib => node.parts.tcp.mib,
    // Temporary addresses draw their interface identifiers from the node's PRNG (none without use_tempaddr).
    random: { nextUint32: (): number => node.parts.prng.nextUint32() },
  });
  // `ss` and `netstat -t/-u` read the node's socket tables, built with the node below.
  const shell = new Shell(kernel, {
    sockets: {
      tcp: (): readonly TcpSocketInfo[] => node.parts.tcp.tcpSocketSnapshot(),
      udp: (): readonly UdpSocketInfo[] => [...node.parts.sockets.udpSocketSnapshot(), ...node.parts.udp6.udpSocketSnapshot()],
    },
  });
  for (const file of config.files ?? []) {
    const path = FileStore.resolve(file.path);
    const opened = shell.files.open(path, false);
    const written = opened.ok ? shell.files.append(path, file.text) : opened;
    if (!written.ok) throw new Error(`node ${config.name}: cannot write ${path}: ${written.errno}`);
  }
  const node = new LinuxStackNode(config, env, programs, kernel, shell, statistics);
  const nstatHistory = new Map<string, number>();
  shell.register('nstat', (argv, _now, io) => {
    const result = runNstat(argv, node.parts.ipv4.mib, nstatHistory, node.parts.tcp.mib);
    io.stdout(result.stdout);
    io.stderr(result.stderr);
    io.exit(result.status);
  });
  shell.register('dmesg', (argv, _now, io) => {
    // util-linux dmesg: the kernel's ring buffer; its options are not modelled.
    const word = argv[1];
    if (word === undefined) io.stdout(kernel.log.format());
    else io.stderr(`dmesg: ${word.startsWith('--') ? `unrecognized option '${word}'` : word.startsWith('-') ? `invalid option -- '${word[1] ?? ''}'` : 'bad usage'}\nTry 'dmesg --help' for more information.\n`);
    io.exit(word === undefined ? 0 : 1);
  });
  shell.registerIpObject('neigh', (options, args, now, io) => {
    // arp_tbl then nd_tbl; -0, -M and -B select neither.
    const result = runIpNeigh(args, { inet: node.parts.neighbours, inet6: node.parts.neighbours6 }, kernel, now, neighbourOptionsOf(options));
    // -p: iproute2's pretty form of the same document.
    const stdout = options.json && options.pretty && result.status === 0 && result.stdout !== '' ? formatJson(JSON.parse(result.stdout) as JsonValue, true) : result.stdout;
    io.stdout(stdout);
    io.stderr(result.stderr);
    io.exit(result.status);
  });
  return node;
}
