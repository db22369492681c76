/**
 * The home agent (RFC 6275 §10, RFC 5648 §6.2): Binding Updates into the binding cache
 * (binding-cache.ts) and Binding Acknowledgements back; proxy Neighbour Discovery for the home
 * addresses it holds bindings for (§10.4.1: a proxy entry on the home link while any binding of the
 * address lives, as `ip -6 neigh add proxy HOA dev IF` makes one; the node's ndisc answers the
 * solicitations with proxy_ndp on); the tunnel (§10.4.2, RFC 2473): a packet for a home address
 * that the node forwards or sends itself is encapsulated to the care-of address the cache selects
 * and sent from the home agent's address; a packet the mobile node reverse-tunnels (§10.4.5) is
 * decapsulated and, when its outer source is a care-of address registered for its inner source
 * (the home address), received again as arriving on the home agent's ip6tnl device and forwarded.
 *
 * Drops are counted and traced with a reason: a Mobility Header whose checksum fails
 * (`badChecksum`, the seed's fault seen from here), a BU without a Home Address option (the
 * home address is then the source, as for a mobile node at home, which this model does not
 * accept: 131), a reverse-tunnelled packet from a source that holds no binding (`martianSource`).
 * Leaves out: DHAAD, mobile prefix discovery, the home agent's own DAD for a home address, IPsec,
 * Binding Refresh Requests (sent by the home agent as a binding ages; here the mobile node
 * refreshes on its own), binding errors (BE) for packets with a HAO and no binding.
 */
import type { LinuxNode, Nanos } from '@netloom/stack';
import { ACCEPT, NF_IP_PRI, STOLEN, type HookPacket, type HookVerdict } from '@netloom/stack/netfilter/hooks';
import { BindingAckStatus, formatIpv6Number, ipv6FromBytes, isInIpv6Prefix, type MobilityHeaderRepr } from '@netloom/wire';
import { BindingCache, type BindingDecision } from './binding-cache.js';
import { addressesOf, buildBindingAck, encapsulate, type ReceivedMobilityMessage } from './mobility-packets.js';
import type { Mip6Counters, Mip6Stack } from './mip6-stack.js';

export interface HomeAgentConfig {
  /** The home link's interfaces (mip6d.conf `Interface`): their prefixes are the home subnets. */
  interfaces: readonly string[];
  /** HaMaxBindingLife, seconds. */
  maxBindingLife: number;
  /** MCoA accepted (BID options). */
  multipleCareOf: boolean;
  /** Bulk registration accepted (more than one BID per BU). */
  bulkRegistration: boolean;
}

export class HomeAgent {
  readonly cache: BindingCache;
  private expiryTimer: { cancel(): void } | undefined;
  private readonly proxied = new Set<bigint>();

  constructor(
    private readonly node: LinuxNode,
    private readonly stack: Mip6Stack,
    private readonly config: HomeAgentConfig,
    private readonly counters: Mip6Counters,
  ) {
    this.cache = new BindingCache({
      maxLifetime: config.maxBindingLife,
      multipleCareOf: config.multipleCareOf,
      bulkRegistration: config.bulkRegistration,
      isHomeSubnet: (address) => this.homeInterfaceOf(address) !== undefined,
    });
    // ip6_mip6 tunnel egress: packets for a home address, forwarded or our own, go into the tunnel.
    const tunnel = (packet: HookPacket<6>, now: Nanos): HookVerdict => this.tunnelToCareOf(packet, now);
    node.netfilter.register({ hook: 'forward', family: 6, priority: NF_IP_PRI.filter, fn: tunnel });
    node.netfilter.register({ hook: 'localOut', family: 6, priority: NF_IP_PRI.filter, fn: tunnel });
  }

  /** The home-link interface whose prefix holds `address`. */
  private homeInterfaceOf(address: bigint): string | undefined {
    return this.config.interfaces.find((dev) =>
      this.node.kernel.addresses6Of(dev, this.stack.now()).some((s) => s.address.prefixLength < 128 && isInIpv6Prefix(address, s.address.address, s.address.prefixLength) && s.address.address !== address),
    );
  }

  /** A BU (checksum already verified by the mobility transport). */
  processBindingUpdate(dev: string, received: ReceivedMobilityMessage, now: Nanos): void {
    const message = received.message.message;
    if (message.kind !== 'bindingUpdate') return;
    this.counters.bindingUpdatesReceived++;
    const homeAddress = received.homeAddress ?? received.source;
    const bids = bindingIdsOf(received.message);
    const alternate = received.message.options.find((o) => o.kind === 'alternateCareOfAddress');
    const decision: BindingDecision =
      received.homeAddress === undefined
        ? { status: BindingAckStatus.homeRegistrationNotSupported, sequence: message.sequence, lifetime: 0, bindingIdStatuses: bids.map((b) => ({ bindingId: b.bindingId, status: BindingAckStatus.homeRegistrationNotSupported })) }
        : this.cache.process(
            {
              homeAddress,
              source: alternate?.kind === 'alternateCareOfAddress' ? ipv6FromBytes(alternate.address) : received.source,
              sequence: message.sequence,
              homeRegistration: message.homeRegistration,
              overwrite: message.overwrite,
              lifetime: message.lifetime,
              bindingIds: bids.map((b) => ({ bindingId: b.bindingId, priority: b.priority, simultaneousHomeAndForeign: b.simultaneousHomeAndForeign, ...(b.careOfAddress !== undefined ? { careOfAddress: b.careOfAddress } : {}) })),
            },
            now,
          );
    if (decision.status >= 128) this.counters.bindingUpdatesRefused++;
    this.updateProxy(homeAddress);
    this.scheduleExpiry(now);
    if (!message.acknowledge) return;
    const packet = buildBindingAck({
      homeAgent: received.destination,
      careOfAddress: received.source,
      homeAddress,
      status: decision.status,
      sequence: decision.sequence,
      lifetime: decision.lifetime,
      bindingIds: decision.bindingIdStatuses.map((s) => ({ bindingId: s.bindingId, priority: 0, status: s.status })),
    });
    this.counters.bindingAcksSent++;
    const errno = this.stack.send(packet, received.destination, received.source, undefined, now);
    if (errno !== null) this.node.recordDrop(dev, 'noRoute', packet, `binding acknowledgement to ${formatIpv6Number(received.source)}: ${errno}`);
  }

  /** A proxy NDP entry on the home link while the home address has a binding (§10.4.1). */
  private updateProxy(homeAddress: bigint): void {
    const dev = this.homeInterfaceOf(homeAddress);
    if (dev === undefined) return;
    const bound = this.cache.hasHomeAddress(homeAddress);
    if (bound && !this.proxied.has(homeAddress)) {
      this.node.parts.neighbours6.addProxy(dev, homeAddress);
      this.proxied.add(homeAddress);
    } else if (!bound && this.proxied.has(homeAddress)) {
      this.node.parts.neighbours6.removeProxy(dev, homeAddress);
      this.proxied.delete(homeAddress);
    }
  }

  private scheduleExpiry(now: Nanos): void {
    this.expiryTimer?.cancel();
    this.expiryTimer = undefined;
    const next = this.cache.nextExpiry();
    if (next === undefined) return;
    this.expiryTimer = this.node.parts.timers.schedule(Math.max(next, now), (at) => {
      this.expiryTimer = undefined;
      for (const binding of this.cache.expire(at)) {
        this.counters.bindingsExpired++;
        this.updateProxy(binding.homeAddress);
      }
      this.scheduleExpiry(at);
    });
  }

  /** FORWARD / LOCAL_OUT: a packet for a home address with a live binding goes into the tunnel. */
  private tunnelToCareOf(packet: HookPacket<6>, now: Nanos): HookVerdict {
    if (this.cache.size === 0) return ACCEPT;
    const { destination } = addressesOf(packet.bytes);
    const binding = this.cache.selectCareOf(destination, now);
    if (binding === undefined) return ACCEPT;
    const source = this.stack.sourceToward(binding.careOfAddress, now);
    if (source === undefined) return ACCEPT;
    const outer = encapsulate(packet.bytes.slice(0, 40 + packet.header.payloadLength), source, binding.careOfAddress);
    this.counters.packetsTunnelled++;
    const errno = this.stack.send(outer, source, binding.careOfAddress, undefined, now);
    if (errno !== null) this.node.recordDrop(packet.outDev, 'noRoute', outer, `ip6tnl to ${formatIpv6Number(binding.careOfAddress)}: ${errno}`);
    return STOLEN;
  }

  /** A reverse-tunnelled packet: forwarded when its outer source is a CoA registered for its inner source. */
  processTunnelled(dev: string, outerSource: bigint, inner: Uint8Array, now: Nanos): boolean {
    if (inner.length < 40 || (inner[0] ?? 0) >> 4 !== 6) return false;
    const { source } = addressesOf(inner);
    const registered = this.cache.bindingsOf(source).some((b) => b.careOfAddress === outerSource && b.expires > now);
    if (!registered) {
      this.node.recordDrop(dev, 'martianSource', inner, `ip6tnl: ${formatIpv6Number(outerSource)} holds no binding for ${formatIpv6Number(source)}`);
      return true;
    }
    this.counters.packetsDecapsulated++;
    this.stack.receiveOnTunnel(inner, now);
    return true;
  }
}

/** The BID options of a received BU. */
function bindingIdsOf(repr: MobilityHeaderRepr): { bindingId: number; priority: number; simultaneousHomeAndForeign: boolean; careOfAddress?: Uint8Array }[] {
  const bids: { bindingId: number; priority: number; simultaneousHomeAndForeign: boolean; careOfAddress?: Uint8Array }[] = [];
  for (const option of repr.options) {
    if (option.kind !== 'bindingIdentifier') continue;
    bids.push({ bindingId: option.bindingId, priority: option.priority, simultaneousHomeAndForeign: option.simultaneousHomeAndForeign, ...(option.careOfAddress !== undefined ? { careOfAddress: option.careOfAddress } : {}) });
  }
  return bids;
}
