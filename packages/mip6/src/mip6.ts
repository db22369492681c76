/**
 * Mobile IPv6 on a node: the `mip6` kernel module and the `mip6d` daemon and console.
 *
 * `registerMip6(node)` makes `mip6` a module the node can load (kernel-modules.ts) and gives the
 * node the `mip6d` command; nothing runs per packet until the module is loaded, which `mip6d`
 * does. Loading follows what Linux's mip6 and ip6_tunnel modules add, on the stack's seams:
 * - the Mobility Header as IPv6 next header 135 in the node's TransportRegistry (mip6_mh_filter +
 *   the daemon's raw socket): the checksum is verified over the §6.1.1 pseudo-header and a wrong one
 *   is a counted drop (`badChecksum`, `mip6d stats`' checksum errors); a BU with the H flag goes to
 *   the home agent, one without to the correspondent (correspondent.ts); HoTI and CoTI to the
 *   correspondent; HoT, CoT and a correspondent's BA to the mobile node's route optimisation
 *   (correspondent-registration.ts), the home agent's BA to the mobile node; other messages, or a
 *   role that does not take them, are dropped (`unsupportedProtocol`);
 * - the Home Address option (ipv6_dest_hao): taken on a Mobility Header (a BU carries it), and on
 *   anything else only when the correspondent's binding maps the home address to the packet's
 *   source; then the IPv6 layer hands the home address on as the source. Otherwise the packet is
 *   dropped (`martianSource`), as xfrm6_input_addr finds no state, and a correspondent answers it
 *   with a Binding Error; a Binding Error from a correspondent goes to the mobile node's route
 *   optimisation;
 * - the type 2 routing header (ipv6_rthdr_rcv's IPV6_SRCRT_TYPE_2): accepted only for the mobile
 *   node's home address;
 * - IPv6-in-IPv6 (next header 41, ip6ip6_rcv) decapsulated for the role that expects it: packets
 *   from the home agent to the mobile node, reverse-tunnelled packets at the home agent; others are
 *   dropped as ip6_tnl_rcv drops a packet no tunnel matches (`noSocket`);
 * - the `ip6tnl` device kind (stack's IP6TNL_KIND) with the fallback `ip6tnl0` (down, as the
 *   module creates it) and, when the daemon starts, `ip6tnl1` (up, MTU 1460: no encapsulation
 *   limit option) carrying the mobile node's home address (`home`, nodad), on which decapsulated
 *   packets arrive; the netfilter hooks the roles register (home-agent.ts, mobile-node.ts).
 *
 * `mip6d [-c FILE]` reads mip6d.conf (default /etc/mip6d.conf; mip6d-conf.ts) and starts the home
 * agent or mobile node; `mip6d bc`, `mip6d bul` and `mip6d stats` print the binding cache, the
 * binding update list and the counters (mip6d-console.ts), as UMIP's console does over its vt
 * socket. `NodeConfig CN` starts the correspondent (no ip6tnl1). Leaves out: mip6d's other options
 * and signals, a home agent or mobile node that is also a correspondent.
 */
import type { CommandIo, CompatSettings, LinuxNode, Nanos } from '@netloom/stack';
import { IP6TNL_KIND } from '@netloom/stack/device-kinds';
import { formatIpv6Number, IpProtocol, ipv6FromBytes, isWireError } from '@netloom/wire';
import { Correspondent } from './correspondent.js';
import { HomeAgent } from './home-agent.js';
import { formatBindingCache, formatBindingUpdateList, formatStatistics } from './mip6d-console.js';
import { parseMip6dConf } from './mip6d-conf.js';
import { MobileNode } from './mobile-node.js';
import { readMobilityPacket } from './mobility-packets.js';
import { Mip6Stack, zeroCounters, type Mip6Counters } from './mip6-stack.js';

export const MIP6_MODULE = 'mip6';
export const FALLBACK_TUNNEL = 'ip6tnl0';
export const TUNNEL_DEVICE = 'ip6tnl1';
/** ip6_tnl MTU without the encapsulation limit option: ETH_DATA_LEN − 40. */
export const TUNNEL_MTU = 1460;
export const DEFAULT_CONFIG_FILE = '/etc/mip6d.conf';

/** Mobile IPv6 loaded on one node: the seams, and the role mip6d started. */
export class Mip6 {
  readonly counters: Mip6Counters = zeroCounters();
  readonly stack: Mip6Stack;
  homeAgent: HomeAgent | undefined;
  mobileNode: MobileNode | undefined;
  correspondent: Correspondent | undefined;

  constructor(
    private readonly node: LinuxNode,
    private readonly compat: CompatSettings,
  ) {
    this.stack = new Mip6Stack(node, TUNNEL_DEVICE);
    node.kernel.registerDeviceKind(IP6TNL_KIND);
    const added = node.kernel.addDevice(FALLBACK_TUNNEL, IP6TNL_KIND.name, new Uint8Array(16), 1452);
    if (!added.ok) throw new Error(`mip6: cannot create ${FALLBACK_TUNNEL}: ${added.errno}`);
    node.parts.transports.register(6, IpProtocol.mobility, {
      receive: (delivery, now) => this.processMobility(delivery.dev, delivery.packet, now),
      error: () => false,
    });
    node.parts.transports.register(6, IpProtocol.ipv6, {
      receive: (delivery, now) => this.processTunnelled(delivery.dev, delivery.source, delivery.payload, delivery.packet, now),
      error: () => false,
    });
    node.parts.ipv6.routingTypes.register(2, (dev, address, segmentsLeft) => {
      const home = this.mobileNode?.homeAddress;
      if (segmentsLeft === 1 && home !== undefined && ipv6FromBytes(address) === home) return true;
      this.node.recordDrop(dev, 'notForUs', undefined, 'type 2 routing header: not our home address');
      return false;
    });
    node.parts.ipv6.registerHomeAddressOption((dev, homeAddress, source, nextHeader, now) => {
      if (nextHeader === IpProtocol.mobility || this.correspondent?.acceptsHomeAddress(homeAddress, source, now) === true) return true;
      this.node.recordDrop(dev, 'martianSource', undefined, `home address option: no binding of ${formatIpv6Number(homeAddress)} to ${formatIpv6Number(source)}`);
      this.correspondent?.sendBindingError(dev, homeAddress, source, now);
      return false;
    });
  }

  get isRunning(): boolean {
    return this.homeAgent !== undefined || this.mobileNode !== undefined || this.correspondent !== undefined;
  }

  /** mip6d: start the role `text` (mip6d.conf) configures; an error line when it cannot. */
  start(text: string, path: string, now: Nanos): string | null {
    if (this.isRunning) return 'mip6d: already running';
    const config = parseMip6dConf(text, path);
    if ('error' in config) return config.error;
    this.stack.observe(now);
    if (config.role === 'CN') {
      this.correspondent = new Correspondent(this.node, this.stack, config.correspondent, this.counters);
      return null;
    }
    const added = this.node.kernel.addDevice(TUNNEL_DEVICE, IP6TNL_KIND.name, new Uint8Array(16), TUNNEL_MTU);
    if (!added.ok) return `mip6d: cannot create ${TUNNEL_DEVICE}: ${added.errno}`;
    this.node.kernel.setLinkUp(TUNNEL_DEVICE, true, now);
    if (config.role === 'HA') {
      this.homeAgent = new HomeAgent(this.node, this.stack, config.homeAgent, this.counters);
      return null;
    }
    const mn = config.mobileNode;
    const home = this.node.kernel.addAddress6(TUNNEL_DEVICE, { address: mn.homeAddress, prefixLength: mn.homePrefixLength, home: true, nodad: true, noprefixroute: true }, now);
    if (!home.ok) return `mip6d: cannot add the home address: ${home.errno}`;
    this.mobileNode = new MobileNode(this.node, this.stack, mn, this.compat, this.counters);
    this.mobileNode.start(now);
    return null;
  }

  private processMobility(dev: string, packet: Uint8Array, now: Nanos): void {
    this.stack.observe(now);
    const received = readMobilityPacket(packet);
    if (isWireError(received)) {
      if (received.error === 'badChecksum') this.counters.checksumErrors++;
      this.node.recordDrop(dev, received.error === 'badChecksum' ? 'badChecksum' : 'malformed', packet, `mobility header: ${received.error}`);
      return;
    }
    const message = received.message.message;
    const kind = message.kind;
    const correspondents = this.mobileNode?.correspondents;
    if (kind === 'bindingUpdate' && this.correspondent !== undefined && (!message.homeRegistration || this.homeAgent === undefined)) this.correspondent.processBindingUpdate(dev, received, now);
    else if (kind === 'bindingUpdate' && this.homeAgent !== undefined) this.homeAgent.processBindingUpdate(dev, received, now);
    else if ((kind === 'homeTestInit' || kind === 'careOfTestInit') && this.correspondent !== undefined) this.correspondent.processTestInit(dev, received, now);
    else if ((kind === 'homeTest' || kind === 'careOfTest') && correspondents !== undefined) correspondents.processTest(received, now);
    else if (kind === 'bindingAcknowledgement' && correspondents?.isCorrespondent(received.source) === true) correspondents.processBindingAck(received, now);
    else if (kind === 'bindingError' && correspondents?.isCorrespondent(received.source) === true) correspondents.processBindingError(received, now);
    else if (kind === 'bindingAcknowledgement' && this.mobileNode !== undefined) this.mobileNode.processBindingAck(received, now);
    else this.node.recordDrop(dev, 'unsupportedProtocol', packet, `mobility header ${kind}: not handled here`);
  }

  private processTunnelled(dev: string, outerSource: bigint, inner: Uint8Array, packet: Uint8Array, now: Nanos): void {
    this.stack.observe(now);
    const taken = this.mobileNode?.processTunnelled(dev, outerSource, inner, now) ?? this.homeAgent?.processTunnelled(dev, outerSource, inner, now) ?? false;
    if (!taken) this.node.recordDrop(dev, 'noSocket', packet, 'ip6tnl: no tunnel for the packet');
  }
}

const loaded = new WeakMap<LinuxNode, Mip6>();

/** The node's Mobile IPv6, if its module is loaded. */
export function mip6Of(node: LinuxNode): Mip6 | undefined {
  return loaded.get(node);
}

/** Make `mip6` a loadable module of `node` and give it the `mip6d` command. */
export function registerMip6(node: LinuxNode, compat: CompatSettings = {}): void {
  node.modules.register(MIP6_MODULE, () => {
    loaded.set(node, new Mip6(node, compat));
  });
  node.shell.register('mip6d', (argv, now, io) => runMip6d(node, argv, now, io));
}

function runMip6d(node: LinuxNode, argv: readonly string[], now: Nanos, io: CommandIo): void {
  const [, first, second] = argv;
  if (first === 'bc' || first === 'bul' || first === 'stats') {
    const mip6 = mip6Of(node);
    if (mip6 === undefined || !mip6.isRunning) {
      io.stderr('mip6d: not running\n');
      io.exit(1);
      return;
    }
    io.stdout(first === 'bc' ? formatBindingCache(mip6, now) : first === 'bul' ? formatBindingUpdateList(mip6, now) : formatStatistics(mip6.counters));
    io.exit(0);
    return;
  }
  let path = DEFAULT_CONFIG_FILE;
  if (first === '-c' && second !== undefined && argv.length === 3) path = second;
  else if (first !== undefined) {
    io.stderr(`mip6d: invalid option -- '${first.replace(/^-+/, '')}'\nUsage: mip6d [-c FILE] | mip6d bc|bul|stats\n`);
    io.exit(1);
    return;
  }
  const text = node.shell.files.read(path);
  if (text === undefined) {
    io.stderr(`mip6d: ${path}: No such file or directory\n`);
    io.exit(1);
    return;
  }
  node.modules.load(MIP6_MODULE);
  const mip6 = mip6Of(node);
  if (mip6 === undefined) throw new Error('mip6: the module loaded without registering');
  const error = mip6.start(text, path, now);
  if (error !== null) {
    io.stderr(`${error}\n`);
    io.exit(1);
    return;
  }
  io.exit(0);
}
