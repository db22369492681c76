/**
 * ARP (RFC 826) as Linux's net/ipv4/arp.c runs it.
 *
 * Covers `arp_process`: duplicate-address probes (sender 0.0.0.0), requests for local targets
 * answered subject to `arp_ignore` (0–3, 8) and `arp_filter`, the requester entered as STALE
 * (neigh_event_ns); proxy ARP for forwarded targets (`proxy_arp`, with the random proxy_delay for
 * broadcast requests); other packets update an existing entry (REACHABLE for a reply unicast to us,
 * STALE otherwise, override after locktime or for gratuitous ARP) and create one only as
 * `arp_accept` allows (0/1/2). Covers `arp_solicit`: the probe's source address by `arp_announce`
 * (0/1/2), unicast or broadcast as the neighbour state machine asks, target MAC zero.
 * Also the raw side for arping (requests, gratuitous announcements, replies to listeners).
 * ARP is the IPv4 neighbour protocol: the family-generic neighbour table (neighbour-table.ts) holds
 * its entries (arp_tbl, keyed by the address as an unsigned number: INET_FAMILY) and calls
 * `solicit` as its neigh_ops; `ip neigh add proxy ADDR dev D` entries (pneigh) are answered for
 * like proxy_arp, for forwarded targets reached through another device.
 *
 * Leaves out: arp_notify, arp_evict_nocarrier knobs (carrier loss always flushes), medium_id,
 * proxy_arp_pvlan, ARP on non-Ethernet devices.
 */
import {
  ArpOperation,
  buildArpFrame,
  macEquals,
  isBroadcastMac,
  isInPrefix,
  isMulticastMac,
  MAC_BROADCAST,
  MAC_ZERO,
  parseArp,
  isWireError,
  type Ipv4Address,
  isIpv4Loopback,
  isIpv4Multicast,
} from '@netloom/wire';
import type { DropReason, Nanos } from '../node-host.js';
import type { DeviceView, RoutingApi } from '../routing-api.js';
import type { Prng, TimerHeap } from '../timers.js';
import { NS_PER_MS } from '../timers.js';
import type { NeighbourEntry, NeighbourTable, QueuedPacket } from './neighbour-table.js';

/** How the link layer saw a frame (skb->pkt_type). */
export type PacketType = 'host' | 'broadcast' | 'multicast' | 'otherhost';

/** skb->pkt_type from a destination MAC: `destination`'s first 6 bytes (a MAC, or a whole frame). */
export function packetTypeOf(destination: Uint8Array, deviceMac: Uint8Array): PacketType {
  if (isBroadcastMac(destination)) return 'broadcast';
  if (isMulticastMac(destination)) return 'multicast';
  for (let i = 0; i < 6; i++) if (destination[i] !== deviceMac[i]) return 'otherhost';
  return 'host';
}

export interface ArpDependencies {
  routing: RoutingApi;
  neighbours: NeighbourTable<Ipv4Address>;
  timers: TimerHeap;
  prng: Prng;
  transmit(dev: string, frame: Uint8Array): void;
  drop(dev: string, reason: DropReason, frame: Uint8Array, detail?: string): void;
}

/** An ARP packet seen on an interface, for arping's listeners. */
export interface ArpObservation {
  operation: number;
  senderIp: number;
  senderMac: Uint8Array;
  targetIp: number;
  receivedAt: Nanos;
}

/** proxy_delay (0.8 s): broadcast requests to proxied addresses are answered after a random share. */
const PROXY_DELAY = 800 * NS_PER_MS;

const SCOPE_LINK = 253;
const SCOPE_HOST = 254;

export class ArpLayer {
  private readonly listeners = new Map<string, Set<(seen: ArpObservation) => void>>();

  constructor(private readonly deps: ArpDependencies) {}

  /** arp_rcv + arp_process for the ARP payload of a frame received on `dev`. */
  processArp(dev: DeviceView, packetType: PacketType, payload: Uint8Array, frame: Uint8Array, now: Nanos): void {
    const arp = parseArp(payload);
    if (isWireError(arp)) {
      this.deps.drop(dev.name, arp.error === 'unsupported' ? 'unsupportedProtocol' : 'malformed', frame, `arp ${arp.error}`);
      return;
    }
    if (packetType === 'otherhost') {
      this.deps.drop(dev.name, 'notForUs', frame);
      return;
    }
    const { routing, neighbours } = this.deps;
    const { operation, senderIp: sip, targetIp: tip, senderMac: sha } = arp;
    if (operation !== ArpOperation.request && operation !== ArpOperation.reply) {
      this.deps.drop(dev.name, 'unsupportedProtocol', frame, `arp op ${operation}`);
      return;
    }
    for (const listener of this.listeners.get(dev.name) ?? []) listener({ operation, senderIp: sip, senderMac: sha, targetIp: tip, receivedAt: now });
    if (isIpv4Multicast(tip) || (isIpv4Loopback(tip) && routing.conf(dev.name, 'route_localnet') === 0)) {
      this.deps.drop(dev.name, 'martianDestination', frame, 'arp target');
      return;
    }

    // RFC 2131 duplicate address detection: answer for our address, learn nothing.
    if (sip === 0) {
      if (operation === ArpOperation.request && this.isAddressOf(dev, tip) && !this.ignores(dev, sip, tip)) {
        this.sendReply(dev, tip, sha, sip, sha);
      }
      return;
    }

    if (operation === ArpOperation.request) {
      const input = routing.routeInput({ dst: tip, src: sip, iif: dev.name }, now);
      if (input.ok && input.route.type === 'local') {
        let dontSend = this.ignores(dev, sip, tip);
        if (!dontSend && routing.conf(dev.name, 'arp_filter') !== 0) dontSend = this.filters(dev, sip, tip, now);
        if (!dontSend) {
          neighbours.update(dev.name, sip, sha, 'STALE', { override: true }, now, true);
          this.sendReply(dev, tip, sha, sip, sha);
        }
        return;
      }
      if (input.ok && input.route.forward === true && input.route.type === 'unicast' && routing.conf(dev.name, 'forwarding') !== 0) {
        // arp_fwd_proxy, or a proxy entry (pneigh_lookup) for a target reached through another device.
        if (input.route.dev !== dev.name && (routing.conf(dev.name, 'proxy_arp') !== 0 || neighbours.lookupProxy(dev.name, tip) !== undefined)) {
          neighbours.update(dev.name, sip, sha, 'STALE', { override: true }, now, true);
          if (packetType === 'host') {
            this.sendReply(dev, tip, sha, sip, sha);
          } else {
            const delay = this.deps.prng.below(PROXY_DELAY);
            this.deps.timers.schedule(now + delay, () => {
              const current = routing.device(dev.name);
              if (current !== undefined) this.sendReply(current, tip, sha, sip, sha);
            });
          }
          return;
        }
      }
    }

    // Update our tables.
    let entry = neighbours.lookup(dev.name, sip);
    const accept = this.accepts(dev, sip);
    const isGarp = (entry !== undefined || accept) && this.isGratuitous(operation, sip, tip, sha, arp.targetMac);
    if (entry === undefined && accept) {
      const senderIsUnicast = !routing.isLocalAddress(sip) && !this.isBroadcastAddress(sip);
      if (isGarp || (operation === ArpOperation.reply && senderIsUnicast)) {
        neighbours.update(dev.name, sip, null, 'NONE', {}, now, true);
        entry = neighbours.lookup(dev.name, sip);
      }
    }
    if (entry === undefined) return;
    const override = now > entry.updated + neighbours.params(dev.name).locktime || isGarp;
    const state = operation === ArpOperation.reply && packetType === 'host' ? 'REACHABLE' : 'STALE';
    neighbours.update(dev.name, sip, sha, state, { override }, now);
  }

  /** The neighbour table's solicit hook (arp_solicit). */
  solicit(entry: NeighbourEntry<Ipv4Address>, unicastTo: Uint8Array | null, trigger: QueuedPacket<Ipv4Address> | undefined, now: Nanos): void {
    void now;
    const dev = this.deps.routing.device(entry.dev);
    if (dev === undefined || !dev.adminUp) return;
    const source = this.probeSource(dev, entry.address, trigger);
    const frame = buildArpFrame(
      { operation: ArpOperation.request, senderMac: dev.mac, senderIp: source, targetMac: MAC_ZERO, targetIp: entry.address },
      unicastTo ?? MAC_BROADCAST,
    );
    this.deps.transmit(dev.name, frame);
  }

  /** arping: a who-has for `target` from `source` (0 for DAD), broadcast or to a known MAC. */
  sendRequest(dev: DeviceView, target: number, source: number, destination: Uint8Array = MAC_BROADCAST): void {
    this.deps.transmit(
      dev.name,
      buildArpFrame({ operation: ArpOperation.request, senderMac: dev.mac, senderIp: source, targetMac: MAC_ZERO, targetIp: target }, destination),
    );
  }

  /** arping -U (request) / -A (reply): gratuitous ARP announcing `address`. */
  announce(dev: DeviceView, address: number, asReply: boolean): void {
    const operation = asReply ? ArpOperation.reply : ArpOperation.request;
    const targetMac = asReply ? dev.mac : MAC_ZERO;
    this.deps.transmit(dev.name, buildArpFrame({ operation, senderMac: dev.mac, senderIp: address, targetMac, targetIp: address }, MAC_BROADCAST));
  }

  /** NETDEV_CHANGENAME: a packet socket is bound to the device, whatever it is called now. */
  renameDevice(from: string, to: string): void {
    const set = this.listeners.get(from);
    if (set === undefined) return;
    this.listeners.delete(from);
    this.listeners.set(to, set);
  }

  /** Listen to every ARP packet on `dev` (arping's packet socket). Returns the unsubscribe. */
  listen(dev: string, listener: (seen: ArpObservation) => void): () => void {
    let set = this.listeners.get(dev);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(dev, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  private sendReply(dev: DeviceView, ourIp: number, theirMac: Uint8Array, theirIp: number, destination: Uint8Array): void {
    this.deps.transmit(
      dev.name,
      buildArpFrame({ operation: ArpOperation.reply, senderMac: dev.mac, senderIp: ourIp, targetMac: theirMac, targetIp: theirIp }, destination),
    );
  }

  /** arp_announce: the source address of a probe for `target`. */
  private probeSource(dev: DeviceView, target: number, trigger: QueuedPacket<Ipv4Address> | undefined): number {
    const routing = this.deps.routing;
    const announce = routing.conf(dev.name, 'arp_announce');
    let source = 0;
    if (announce === 0) {
      if (trigger !== undefined && routing.isLocalAddress(trigger.source)) source = trigger.source;
    } else if (announce === 1) {
      if (trigger !== undefined && routing.isLocalAddress(trigger.source) && this.isOnLink(dev, target, trigger.source)) source = trigger.source;
    }
    return source !== 0 ? source : routing.selectSource(dev.name, target, SCOPE_LINK);
  }

  /** inet_addr_onlink: `a` and `b` in one subnet of a primary address of `dev`. */
  private isOnLink(dev: DeviceView, a: number, b: number): boolean {
    return dev.addresses.some((ifa) => !ifa.secondary && isInPrefix(a, ifa.address, ifa.prefixLength) && isInPrefix(b, ifa.address, ifa.prefixLength));
  }

  private isAddressOf(dev: DeviceView, address: number): boolean {
    return dev.addresses.some((ifa) => ifa.address === address);
  }

  /** arp_ignore: true when the request must not be answered. */
  private ignores(dev: DeviceView, sip: number, tip: number): boolean {
    const mode = this.deps.routing.conf(dev.name, 'arp_ignore');
    switch (mode) {
      case 0:
        return false;
      case 1:
        return !dev.addresses.some((ifa) => ifa.address === tip);
      case 2:
        return !dev.addresses.some((ifa) => ifa.address === tip && isInPrefix(sip, ifa.address, ifa.prefixLength));
      case 3:
        return !this.deps.routing.devices().some((d) => d.addresses.some((ifa) => ifa.address === tip && ifa.scope <= SCOPE_LINK));
      case 8:
        return true;
      default:
        return false;
    }
  }

  /** arp_filter: reply only when our route back to the sender leaves by `dev`. */
  private filters(dev: DeviceView, sip: number, tip: number, now: Nanos): boolean {
    const back = this.deps.routing.routeOutput({ dst: sip, src: tip }, now);
    return !back.ok || back.route.dev !== dev.name;
  }

  /** arp_accept 0/1/2 for an unsolicited packet from `sip`. */
  private accepts(dev: DeviceView, sip: number): boolean {
    const mode = this.deps.routing.conf(dev.name, 'arp_accept');
    if (mode === 1) return true;
    if (mode === 2) return dev.addresses.some((ifa) => isInPrefix(sip, ifa.address, ifa.prefixLength));
    return false;
  }

  private isGratuitous(operation: number, sip: number, tip: number, sha: Uint8Array, tha: Uint8Array): boolean {
    if (sip !== tip) return false;
    if (operation === ArpOperation.reply && !macEquals(tha, 0, sha)) return false;
    return !this.deps.routing.isLocalAddress(sip) && !this.isBroadcastAddress(sip);
  }

  private isBroadcastAddress(address: number): boolean {
    if (address === 0xffffffff) return true;
    return this.deps.routing.devices().some((d) => d.addresses.some((ifa) => ifa.broadcast === address && ifa.prefixLength < 31));
  }
}

