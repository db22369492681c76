/**
 * Neighbour Discovery (RFC 4861) as the IPv6 neighbour protocol: Linux's net/ipv6/ndisc.c over the
 * family-generic neighbour table (nd_tbl: NeighbourTable<bigint>, the same state machine and timers
 * as ARP's arp_tbl, with net.ipv6.neigh.* parameters).
 *
 * Covers: `ndisc_solicit` (the neighbour table's probe: a unicast NS to the target while the
 * entry's unicast probes last, else an NS to the target's solicited-node group; the source is the
 * triggering packet's when it is a usable address of the device, else the device's link-local
 * address — none, no NS — and the source link-layer option whenever the source is not ::),
 * `ndisc_send_na` (router, solicited and override flags; the target link-layer option when asked or
 * `force_tllao`; the source is the target when it is ours, else the source selected for the
 * destination), `ndisc_recv_ns` (§7.2.3: multicast targets and malformed DAD probes dropped; our own
 * tentative address probed by someone's DAD → the DAD failure; otherwise answered for a local
 * address, or for a proxy entry when forwarding and proxy_ndp are on — a multicast NS to a proxy
 * after a random share of proxy_delay, as pneigh_enqueue; the solicitor entered as STALE with
 * weak override when the NS carried its link-layer address or was unicast; a DAD probe answered to
 * ff02::1 without S), `ndisc_recv_na` (§7.2.5: multicast targets and multicast solicited NAs
 * dropped, drop_unsolicited_na, an NA for our tentative address → the DAD failure, for another of
 * our addresses ignored; otherwise the entry (FAILED ones excepted) goes REACHABLE for a solicited
 * NA, STALE otherwise, the O flag overriding a different address and without it only weakening a
 * connected entry, R setting or clearing NTF_ROUTER; accept_untracked_na creating STALE entries on
 * routers, RFC 9131), `ndisc_recv_rs` (a router learns the solicitor's link-layer address, STALE),
 * the neighbour part of `ndisc_router_discovery` (`routerAdvertised`: STALE, NTF_ROUTER set), and
 * unsolicited NAs (`ndisc_send_unsol_na`, ndisc_notify: to ff02::1, O set, S clear).
 * `ndisc_rcv`'s checks: hop limit 255 and code 0, else the message is dropped.
 * The IPv6 layer sends and delivers: NDP messages leave through `sendIcmpv6` (ip6_output with hop
 * limit 255; the IPv6 layer finds the link-layer destination: the group's MAC for a multicast
 * destination, nd_tbl for a unicast one) and come in through `processNdisc` (ndisc_rcv, ICMPv6
 * types 133, 135 and 136; RA and redirect are the IPv6 layer's router discovery, which calls
 * `routerAdvertised`).
 * `announce` is called by ipv6/ndisc-notify.ts (ndisc_notify on a device coming up or changing its
 * MAC: NETDEV_NOTIFY_PEERS), `routerAdvertised` by ipv6/router-discovery.ts for each accepted RA.
 * `sendDadProbe` (ndisc_send_ns from ::) and `sendRouterSolicitation` (ndisc_send_rs) are what
 * ipv6/addrconf-probes.ts sends for addrconf.
 * Leaves out: RA and redirect processing beyond the neighbour entry, anycast addresses, the NTF_ROUTER → host change
 * cleaning routes (rt6_clean_tohost), SEND, non-Ethernet link layers.
 */
import {
  formatIpv6,
  Icmpv6Type,
  type NdpOption,
  type NdpRepr,
  formatIpv6Number,
  IPV6_ALL_ONES,
  ipv6FromBytes,
  ipv6ToBytes,
  isIpv6LinkLocal,
  isIpv6Multicast,
} from '@netloom/wire';
import type { DropReason, Nanos } from '../node-host.js';
import type { Prng, TimerHeap } from '../timers.js';
import type { PacketType } from './arp.js';
import { DEFAULT_NEIGHBOUR_PARAMS, type NeighbourEntry, type NeighbourFamily, type NeighbourTable, type QueuedPacket } from './neighbour-table.js';

/** An IPv6 address as the neighbour table keys it: the 128-bit number (the IPv6 layer's form). */
export type Ipv6NeighbourAddress = bigint;

/** nd_tbl's addresses: the number is its own key. */
export const IPV6_NEIGHBOUR_FAMILY: NeighbourFamily<Ipv6NeighbourAddress> = Object.freeze({
  name: 'inet6',
  key: (address: bigint) => address,
  canonical: (address: bigint) => address & IPV6_ALL_ONES,
  format: formatIpv6Number,
});

/** ff02::1, all nodes on the link (in6addr_linklocal_allnodes). */
export const ALL_NODES: bigint = (0xff02n << 112n) | 1n;
/** ff02::2, all routers on the link (in6addr_linklocal_allrouters). */
export const ALL_ROUTERS: bigint = (0xff02n << 112n) | 2n;
const SOLICITED_NODE_PREFIX = 0xff020000000000000000000000000000n | 0x1ff000000n;

/** addrconf_addr_solicit_mult: ff02::1:ffXX:XXXX from the address's low 24 bits. */
export function solicitedNodeAddress(address: bigint): bigint {
  return SOLICITED_NODE_PREFIX | (address & 0xffffffn);
}

/** ipv6_eth_mc_map: 33:33 and the group's low 32 bits. */
export function multicastMac(group: bigint): Uint8Array {
  const low = Number(group & 0xffffffffn);
  return new Uint8Array([0x33, 0x33, low >>> 24, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff]);
}

/** The NDP messages with ICMPv6 types ndisc_rcv takes from the IPv6 layer here. */
export const NDISC_RECEIVED_TYPES: readonly number[] = [Icmpv6Type.routerSolicitation, Icmpv6Type.neighbourSolicitation, Icmpv6Type.neighbourAdvertisement];

/** An IPv6 address of a device as ndisc sees it (inet6_ifaddr). */
export interface NdiscAddress {
  address: bigint;
  /** IFA_F_TENTATIVE: DAD has not finished. */
  tentative: boolean;
  /** IFA_F_OPTIMISTIC (RFC 4429). */
  optimistic: boolean;
}

export interface NdiscDevice {
  name: string;
  mac: Uint8Array;
  adminUp: boolean;
}

/** What ndisc needs from the IPv6 layer: a narrow interface, so ndisc can be tested on its own. */
export interface NdiscDependencies {
  neighbours: NeighbourTable<Ipv6NeighbourAddress>;
  timers: TimerHeap;
  prng: Prng;
  device(dev: string): NdiscDevice | undefined;
  /** The IPv6 addresses of `dev` (ipv6_get_ifaddr, ipv6_get_lladdr look here). */
  addresses(dev: string): readonly NdiscAddress[];
  /** net.ipv6.conf.SCOPE.KEY (SCOPE `all` or a device): forwarding, proxy_ndp, force_tllao, … */
  conf(scope: string, key: string): number;
  /** ipv6_dev_get_saddr(dev, destination): the source for an NA not sent from its target; null when none. */
  selectSource(dev: string, destination: bigint): bigint | null;
  /** ipv6_chk_prefix: `address` is in an on-link prefix of `dev` (accept_untracked_na 2). */
  isOnLink(dev: string, address: bigint): boolean;
  /** ndisc_send_skb: ip6_output of the ICMPv6 message with this hop limit (255). */
  sendIcmpv6(dev: string, source: bigint, destination: bigint, hopLimit: number, message: NdpRepr): void;
  /** addrconf_dad_failure: another node (link-layer source `from`) uses, or is probing for, our tentative `address`. */
  dadFailed(dev: string, address: bigint, now: Nanos, from?: Uint8Array): void;
  drop(dev: string, reason: DropReason, detail: string): void;
}

/** An NDP message as the IPv6 layer hands it over (ndisc_rcv's view of the skb). */
export interface ReceivedNdisc {
  dev: string;
  packetType: PacketType;
  source: bigint;
  destination: bigint;
  hopLimit: number;
  code: number;
  message: NdpRepr;
  /** The Ethernet source of the frame (eth_hdr(skb)->h_source); absent when looped back. */
  sourceMac?: Uint8Array;
}

const NDISC_HOP_LIMIT = 255;
const ETH_ALEN = 6;

export class Ndisc {
  constructor(private readonly deps: NdiscDependencies) {}

  /** ndisc_rcv for the NDP messages ndisc handles: the IPv6 layer calls it for types 133, 135 and 136. */
  processNdisc(received: ReceivedNdisc, now: Nanos): void {
    const { dev, message } = received;
    if (received.hopLimit !== NDISC_HOP_LIMIT) {
      this.deps.drop(dev, 'malformed', `NDISC: invalid hop-limit: ${received.hopLimit}`);
      return;
    }
    if (received.code !== 0) {
      this.deps.drop(dev, 'malformed', `NDISC: invalid ICMPv6 code: ${received.code}`);
      return;
    }
    if (message.kind === 'neighbourSolicitation') this.processSolicitation(received, message, now);
    else if (message.kind === 'neighbourAdvertisement') this.processAdvertisement(received, message, now);
    else if (message.kind === 'routerSolicitation') this.processRouterSolicitation(received, message, now);
    else this.deps.drop(dev, 'unsupportedProtocol', `NDISC: ${message.kind} is router discovery's`);
  }

  /** The neighbour table's solicit (ndisc_solicit). */
  solicit(entry: NeighbourEntry<Ipv6NeighbourAddress>, unicastTo: Uint8Array | null, trigger: QueuedPacket<Ipv6NeighbourAddress> | undefined, now: Nanos): void {
    void now;
    const device = this.deps.device(entry.dev);
    if (device === undefined || !device.adminUp) return;
    let source: bigint | null = null;
    if (trigger !== undefined && this.usableAddress(entry.dev, trigger.source) !== undefined) source = trigger.source;
    const destination = unicastTo !== null ? entry.address : solicitedNodeAddress(entry.address);
    this.sendSolicitation(device, entry.address, destination, source);
  }

  /**
   * ndisc_send_ns: an NS for `target` to `destination`. `source` null: the device's link-local
   * address (none usable: nothing is sent); `0n` (::): a DAD probe, without the link-layer option.
   */
  sendSolicitation(device: NdiscDevice, target: bigint, destination: bigint, source: bigint | null, nonce?: Uint8Array): void {
    const from = source ?? this.linkLocalAddress(device.name);
    if (from === undefined) return;
    const options: NdpOption[] = [];
    if (from !== 0n) options.push({ kind: 'sourceLinkLayerAddress', address: device.mac.slice(0, ETH_ALEN) });
    // RFC 7527 enhanced DAD: the nonce option (type 14), six bytes.
    if (nonce !== undefined) options.push({ kind: 'other', type: 14, data: nonce.slice(0, 6) });
    this.deps.sendIcmpv6(device.name, from, destination, NDISC_HOP_LIMIT, { kind: 'neighbourSolicitation', target: ipv6ToBytes(target), options });
  }

  /** addrconf_dad_work's probe: an NS for our tentative `target` from :: to its solicited-node group. */
  sendDadProbe(dev: string, target: bigint, nonce?: Uint8Array): void {
    const device = this.deps.device(dev);
    if (device === undefined || !device.adminUp) return;
    this.sendSolicitation(device, target, solicitedNodeAddress(target), 0n, nonce);
  }

  /** ndisc_send_rs: to ff02::2 from `source`, with the source link-layer option unless `source` is ::. */
  sendRouterSolicitation(dev: string, source: bigint): void {
    const device = this.deps.device(dev);
    if (device === undefined || !device.adminUp) return;
    const options: NdpOption[] = source !== 0n ? [{ kind: 'sourceLinkLayerAddress', address: device.mac.slice(0, ETH_ALEN) }] : [];
    this.deps.sendIcmpv6(dev, source, ALL_ROUTERS, NDISC_HOP_LIMIT, { kind: 'routerSolicitation', options });
  }

  /** ndisc_send_na. */
  sendAdvertisement(dev: string, destination: bigint, target: bigint, flags: { router: boolean; solicited: boolean; override: boolean; includeTargetLinkLayer: boolean }): void {
    const device = this.deps.device(dev);
    if (device === undefined) return;
    let { override, includeTargetLinkLayer } = flags;
    const ours = this.ownAddress(dev, target);
    let source: bigint;
    if (ours !== undefined) {
      source = target;
      if (ours.optimistic) override = false;
      if (this.deps.conf(dev, 'force_tllao') !== 0) includeTargetLinkLayer = true;
    } else {
      const selected = this.deps.selectSource(dev, destination);
      if (selected === null) return;
      source = selected;
    }
    const options: NdpOption[] = includeTargetLinkLayer ? [{ kind: 'targetLinkLayerAddress', address: device.mac.slice(0, ETH_ALEN) }] : [];
    this.deps.sendIcmpv6(dev, source, destination, NDISC_HOP_LIMIT, {
      kind: 'neighbourAdvertisement',
      router: flags.router,
      solicited: flags.solicited,
      override,
      target: ipv6ToBytes(target),
      options,
    });
  }

  /** ndisc_send_unsol_na for one address (ndisc_notify, or an address that finished DAD): to ff02::1, O set, S clear. */
  sendUnsolicitedAdvertisement(dev: string, address: bigint): void {
    this.sendAdvertisement(dev, ALL_NODES, address, { router: this.isForwarding(dev), solicited: false, override: true, includeTargetLinkLayer: true });
  }

  /** ndisc_send_unsol_na: every usable address of `dev` announced (NETDEV_NOTIFY_PEERS, a MAC change). */
  announce(dev: string): void {
    for (const ifa of this.deps.addresses(dev)) if (!ifa.tentative) this.sendUnsolicitedAdvertisement(dev, ifa.address);
  }

  /** pndisc_constructor: each proxy entry's device has joined the solicited-node group of its address. */
  isProxyGroup(dev: string, group: bigint): boolean {
    return this.deps.neighbours.listProxies().some((proxy) => proxy.dev === dev && solicitedNodeAddress(proxy.address) === group);
  }

  /**
   * The neighbour entry part of ndisc_router_discovery: an RA from `source` makes it a router
   * neighbour, STALE, with the link-layer address of its source link-layer option.
   */
  routerAdvertised(dev: string, source: bigint, lladdr: Uint8Array | null, now: Nanos): void {
    this.deps.neighbours.update(dev, source, lladdr, 'STALE', { override: true, weakOverride: true, isRouter: true }, now, true);
  }

  /** ndisc_recv_ns (RFC 4861 §7.2.3). */
  private processSolicitation(received: ReceivedNdisc, message: Extract<NdpRepr, { kind: 'neighbourSolicitation' }>, now: Nanos): void {
    const { dev, source, destination } = received;
    const target = ipv6FromBytes(message.target);
    if (isIpv6Multicast(target)) {
      this.deps.drop(dev, 'malformed', 'NS: multicast target address');
      return;
    }
    const dad = source === 0n;
    if (dad && destination !== solicitedNodeAddress(target)) {
      this.deps.drop(dev, 'malformed', 'NS: bad DAD packet (wrong destination)');
      return;
    }
    const lladdr = linkLayerOption(message.options, 'sourceLinkLayerAddress');
    if (lladdr === 'invalid') {
      this.deps.drop(dev, 'malformed', 'NS: invalid link-layer address length');
      return;
    }
    if (lladdr !== null && dad) {
      this.deps.drop(dev, 'malformed', 'NS: bad DAD packet (link-layer address option)');
      return;
    }
    const isMulticast = isIpv6Multicast(destination);
    const ours = this.ownAddress(dev, target);
    // is_router: a proxy entry's NTF_ROUTER, else the device's forwarding.
    let isRouter: boolean;
    if (ours !== undefined) {
      if (ours.tentative || ours.optimistic) {
        if (dad) {
          this.deps.dadFailed(dev, target, now, received.sourceMac);
          return;
        }
        if (!ours.optimistic) return;
      }
      isRouter = this.isForwarding(dev);
    } else if (this.isForwarding(dev) && (this.deps.conf('all', 'proxy_ndp') !== 0 || this.deps.conf(dev, 'proxy_ndp') !== 0) && this.deps.neighbours.lookupProxy(dev, target) !== undefined) {
      const proxy = this.deps.neighbours.lookupProxy(dev, target)!;
      isRouter = proxy.isRouter;
      // A multicast NS for a proxied address is answered after a random share of proxy_delay (pneigh_enqueue).
      const proxyDelay = this.proxyDelay(dev);
      if (received.packetType !== 'host' && isMulticast && proxyDelay > 0) {
        const delay = this.deps.prng.below(proxyDelay);
        this.deps.timers.schedule(now + delay, (at) => this.answerSolicitation(received, target, lladdr, false, isRouter, at));
        return;
      }
    } else {
      this.deps.drop(dev, 'notForUs', `NS: target ${formatIpv6(message.target)} is not ours`);
      return;
    }
    this.answerSolicitation(received, target, lladdr, ours !== undefined, isRouter, now);
  }

  /** The answer to an NS we take (ndisc_recv_ns from `if (dad)` on). */
  private answerSolicitation(received: ReceivedNdisc, target: bigint, lladdr: Uint8Array | null, isOurs: boolean, isRouter: boolean, now: Nanos): void {
    const { dev, source, destination } = received;
    if (source === 0n) {
      this.sendAdvertisement(dev, ALL_NODES, target, { router: isRouter, solicited: false, override: isOurs, includeTargetLinkLayer: true });
      return;
    }
    const isMulticast = isIpv6Multicast(destination);
    const neighbours = this.deps.neighbours;
    // __neigh_lookup(…, creat = !inc || lladdr): a multicast NS without the option creates nothing.
    if (neighbours.lookup(dev, source) === undefined && isMulticast && lladdr === null) return;
    neighbours.update(dev, source, lladdr, 'STALE', { override: true, weakOverride: true }, now, true);
    this.sendAdvertisement(dev, source, target, { router: isRouter, solicited: true, override: isOurs && isMulticast, includeTargetLinkLayer: isMulticast });
  }

  /** ndisc_recv_na (RFC 4861 §7.2.5). */
  private processAdvertisement(received: ReceivedNdisc, message: Extract<NdpRepr, { kind: 'neighbourAdvertisement' }>, now: Nanos): void {
    const { dev, source, destination } = received;
    const target = ipv6FromBytes(message.target);
    if (isIpv6Multicast(target)) {
      this.deps.drop(dev, 'malformed', 'NA: target address is multicast');
      return;
    }
    if (isIpv6Multicast(destination) && message.solicited) {
      this.deps.drop(dev, 'malformed', 'NA: solicited NA is multicasted');
      return;
    }
    if (!message.solicited && this.deps.conf(dev, 'drop_unsolicited_na') !== 0) return;
    const lladdr = linkLayerOption(message.options, 'targetLinkLayerAddress');
    if (lladdr === 'invalid') {
      this.deps.drop(dev, 'malformed', 'NA: invalid link-layer address length');
      return;
    }
    const ours = this.ownAddress(dev, target);
    if (ours !== undefined) {
      if (ours.tentative) this.deps.dadFailed(dev, target, now, received.sourceMac);
      return;
    }
    const neighbours = this.deps.neighbours;
    let entry = neighbours.lookup(dev, target);
    let state: 'REACHABLE' | 'STALE' = message.solicited ? 'REACHABLE' : 'STALE';
    if (entry === undefined && lladdr !== null && this.isForwarding(dev) && this.acceptsUntracked(dev, source)) {
      neighbours.update(dev, target, null, 'NONE', {}, now, true);
      entry = neighbours.lookup(dev, target);
      state = 'STALE';
    }
    if (entry === undefined || entry.state === 'FAILED') return;
    // A proxy's own NA (our MAC) for a proxied target: the proxied node is off link, nothing to learn.
    const device = this.deps.device(dev);
    if (
      lladdr !== null &&
      device !== undefined &&
      macEqual(lladdr, device.mac) &&
      this.deps.conf('all', 'forwarding') !== 0 &&
      this.deps.conf('all', 'proxy_ndp') !== 0 &&
      neighbours.lookupProxy(dev, target) !== undefined
    ) {
      return;
    }
    neighbours.update(dev, target, lladdr, state, { override: message.override, weakOverride: true, isRouter: message.router }, now);
  }

  /** ndisc_recv_rs: a router enters the solicitor's link-layer address (STALE). */
  private processRouterSolicitation(received: ReceivedNdisc, message: Extract<NdpRepr, { kind: 'routerSolicitation' }>, now: Nanos): void {
    const { dev, source } = received;
    if (!this.isForwarding(dev)) return;
    if (source === 0n) return;
    const lladdr = linkLayerOption(message.options, 'sourceLinkLayerAddress');
    if (lladdr === 'invalid') {
      this.deps.drop(dev, 'malformed', 'RS: invalid link-layer address length');
      return;
    }
    if (lladdr === null) return;
    this.deps.neighbours.update(dev, source, lladdr, 'STALE', { override: true, weakOverride: true, isRouter: false }, now, true);
  }

  private isForwarding(dev: string): boolean {
    return this.deps.conf(dev, 'forwarding') !== 0;
  }

  /** accept_untracked_na: 1 any source, 2 a source in an on-link prefix of the device. */
  private acceptsUntracked(dev: string, source: bigint): boolean {
    const mode = this.deps.conf(dev, 'accept_untracked_na');
    if (mode === 1) return true;
    return mode === 2 && this.deps.isOnLink(dev, source);
  }

  /** net.ipv6.neigh.DEV.proxy_delay. */
  private proxyDelay(dev: string): Nanos {
    return Math.max(0, this.deps.neighbours.params(dev).proxyDelay ?? DEFAULT_NEIGHBOUR_PARAMS.proxyDelay);
  }

  /** ipv6_get_ifaddr(target, dev): an address of ours on this device, tentative or not. */
  private ownAddress(dev: string, address: bigint): NdiscAddress | undefined {
    return this.deps.addresses(dev).find((ifa) => ifa.address === address);
  }

  /** ipv6_chk_addr_and_flags with TENTATIVE|OPTIMISTIC banned. */
  private usableAddress(dev: string, address: bigint): NdiscAddress | undefined {
    const ifa = this.ownAddress(dev, address);
    return ifa !== undefined && !ifa.tentative && !ifa.optimistic ? ifa : undefined;
  }

  /** ipv6_get_lladdr(dev, TENTATIVE|OPTIMISTIC banned). */
  private linkLocalAddress(dev: string): bigint | undefined {
    return this.deps.addresses(dev).find((ifa) => isIpv6LinkLocal(ifa.address) && !ifa.tentative && !ifa.optimistic)?.address;
  }
}

/** ndisc_opt_addr_data: the option's address, null without the option, 'invalid' when its length is not Ethernet's. */
function linkLayerOption(options: readonly NdpOption[], kind: 'sourceLinkLayerAddress' | 'targetLinkLayerAddress'): Uint8Array | null | 'invalid' {
  const option = options.find((o) => o.kind === kind);
  if (option === undefined || option.kind !== kind) return null;
  return option.address.length === ETH_ALEN ? option.address.slice(0, ETH_ALEN) : 'invalid';
}

function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < ETH_ALEN; i++) if (a[i] !== b[i]) return false;
  return true;
}
