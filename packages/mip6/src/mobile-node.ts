/**
 * The mobile node (RFC 6275 §11, RFC 5648 §5): its home address on the ip6tnl device (flag
 * `home`), a binding update list with one entry per interface and binding identifier (BID = the
 * interface's place in the configuration, from 1; BID-PRI = its MnIfPreference), and the reverse
 * tunnel to the home agent.
 *
 * Follows:
 * - Movement detection (§11.5): the interfaces are looked at on every change the stack reports (a
 *   link going down or losing its carrier, routes, addresses) and once a second (a SLAAC address
 *   from a router advertisement, or one that finished DAD, raises no change of its own); the care-of
 *   address of an interface is its first global address that is not tentative, not deprecated and
 *   off the home prefix, while the interface is up with a carrier. A new or changed CoA is
 *   registered; an interface that loses its CoA has its BID deregistered (a BU with lifetime 0 and
 *   that BID, RFC 5648 §5.6) through another interface that has one, so that the home agent stops
 *   tunnelling to it. With MCoA off there is one entry, without a BID option, on the most
 *   preferred interface that has a CoA.
 * - Sending BUs right (§11.7.1): each BU leaves through its CoA's interface (the route lookup is
 *   held to that device), with source = that CoA, a Home Address option with the home address,
 *   and the Mobility Header checksum over the home address (§6.1.1); A and H set; sequence numbers
 *   from one counter, increased for every BU (retransmissions too, §11.8).
 * - Retransmission (§11.8): no BA within InitialBindackTimeout (1 s) sends the BU again, the
 *   timeout doubling up to MAX_BINDACK_TIMEOUT (32 s) and staying there. A BA with status 135
 *   (sequence out of window) takes the home agent's number and sends again at once; another
 *   refusal stops the entry (shown by `mip6d bul`).
 * - Refresh (§11.7.1): a binding is refreshed when three quarters of the lifetime granted have
 *   passed since its BU was sent (the lifetime counts from then), or at the Binding Refresh Advice
 *   interval if the BA carries one and it is sooner.
 * - Reverse tunnelling (§11.3.1): a packet the node sends from its home address goes to the home
 *   agent inside an IPv6 packet from the most preferred registered CoA, out of its interface; with
 *   no registered binding it is dropped (`noRoute`). Tunnelled packets from the home agent to a CoA
 *   are decapsulated and received on the ip6tnl device; a BA's type 2 routing header is accepted
 *   for the home address only.
 *
 * The seed's three causes, each a compatibility setting (docs/compatibility.md):
 * - `mip6-bu-first-default-route`: every BU goes where the route lookup alone sends it (the
 *   interface of the first default route), whatever IPV6_PKTINFO's ifindex asked;
 * - `mip6-checksum-over-coa`: the checksum's pseudo-header source is the CoA (the home agent
 *   drops the BU);
 * - `mip6-hao-swaps-source`: the source of every BU is the care-of address of the first binding
 *   registered (the XFRM state's), whichever CoA the BU is for.
 * Route optimisation (DoRouteOptimizationMN) is correspondent-registration.ts's: a packet the home
 * agent tunnels from a correspondent starts return routability, and once the correspondent's
 * binding holds, packets to it leave from the CoA with the Home Address option instead of the
 * reverse tunnel.
 * Leaves out: DHAAD
 * (the home agent's address is configured), returning home, IPsec, flow bindings (RFC 6089).
 */
import type { CompatSettings, LinuxNode, Nanos } from '@netloom/stack';
import { ACCEPT, drop, NF_IP_PRI, STOLEN, type HookPacket, type HookVerdict } from '@netloom/stack/netfilter/hooks';
import { BindingAckStatus, formatIpv6Number, IpProtocol, isInIpv6Prefix, isIpv6LinkLocal, isIpv6Multicast, MOBILITY_LIFETIME_UNIT_SECONDS } from '@netloom/wire';
import { CorrespondentRegistrations, type CareOfPath } from './correspondent-registration.js';
import { addressesOf, buildBindingUpdate, encapsulate, nextHeaderOf, sendFromCareOf, type ReceivedMobilityMessage } from './mobility-packets.js';
import type { Mip6Counters, Mip6Stack } from './mip6-stack.js';

const SECOND = 1_000_000_000;
/** INITIAL_BINDACK_TIMEOUT and MAX_BINDACK_TIMEOUT (RFC 6275 §12). */
export const INITIAL_BINDACK_TIMEOUT = 1 * SECOND;
export const MAX_BINDACK_TIMEOUT = 32 * SECOND;
/** How often movement detection looks at the interfaces without a change to prompt it. */
export const MOVEMENT_POLL = 1 * SECOND;

export interface MobileNodeInterface {
  name: string;
  /** MnIfPreference: 1 (most preferred) to 10; sent as the BID-PRI. */
  preference: number;
}

export interface MobileNodeConfig {
  homeAddress: bigint;
  homePrefixLength: number;
  homeAgent: bigint;
  interfaces: readonly MobileNodeInterface[];
  /** MCoA: one binding per interface (BID options); off: one binding. */
  multipleCareOf: boolean;
  /** MnMaxHaBindingLife, seconds. */
  maxBindingLife: number;
  /** DoRouteOptimizationMN: return routability and bindings with correspondents. */
  routeOptimisation: boolean;
}

export type BindingUpdateListState = 'unregistered' | 'registering' | 'registered' | 'refused';

/** A binding update list entry (§11.1): one per BID. */
export interface BindingUpdateListEntry {
  /** 0 with MCoA off (no BID option). */
  bindingId: number;
  priority: number;
  /** The interface the entry's CoA is on (with MCoA off, the one in use). */
  dev: string;
  careOfAddress: bigint | undefined;
  state: BindingUpdateListState;
  /** The last BU's sequence number. */
  sequence: number;
  sentAt: Nanos;
  /** Lifetime asked, then granted, in seconds. */
  lifetime: number;
  expires: Nanos;
  /** The current retransmission timeout. */
  timeout: Nanos;
  retransmissions: number;
  /** The last refusal's status, when refused. */
  status: number;
  timer: { cancel(): void } | undefined;
}

/** A deregistration of a BID whose interface lost its CoA, until acknowledged or the CoA returns. */
interface PendingDeregistration {
  bindingId: number;
  sequence: number;
  timeout: Nanos;
  timer: { cancel(): void } | undefined;
}

export class MobileNode {
  readonly entries: BindingUpdateListEntry[];
  /** Route optimisation's correspondent bindings (DoRouteOptimizationMN), if on. */
  readonly correspondents: CorrespondentRegistrations | undefined;
  private readonly deregistrations = new Map<number, PendingDeregistration>();
  private sequence = 0;
  /** The CoA the XFRM state would rewrite every BU's source to (mip6-hao-swaps-source). */
  private xfrmCareOf: bigint | undefined;
  private evaluation: { cancel(): void } | undefined;

  constructor(
    private readonly node: LinuxNode,
    private readonly stack: Mip6Stack,
    private readonly config: MobileNodeConfig,
    private readonly compat: CompatSettings,
    private readonly counters: Mip6Counters,
  ) {
    const interfaces = config.multipleCareOf ? config.interfaces : config.interfaces.slice(0, 1);
    this.entries = interfaces.map((ifc, i) => ({
      bindingId: config.multipleCareOf ? i + 1 : 0,
      priority: ifc.preference,
      dev: ifc.name,
      careOfAddress: undefined,
      state: 'unregistered',
      sequence: 0,
      sentAt: 0,
      lifetime: 0,
      expires: 0,
      timeout: INITIAL_BINDACK_TIMEOUT,
      retransmissions: 0,
      status: 0,
      timer: undefined,
    }));
    this.correspondents = config.routeOptimisation ? new CorrespondentRegistrations(node, stack, config.homeAddress, config.homeAgent, (now) => this.preferredCareOf(now), counters) : undefined;
    node.netfilter.register({ hook: 'localOut', family: 6, priority: NF_IP_PRI.filter, fn: (packet, now) => this.reverseTunnel(packet, now) });
    node.parts.routing.onChange(() => this.scheduleEvaluation(this.stack.now()));
  }

  get homeAddress(): bigint {
    return this.config.homeAddress;
  }

  /** Start: look at the interfaces now, and once a second from then on. */
  start(now: Nanos): void {
    this.scheduleEvaluation(now);
    const poll = (at: Nanos): void => {
      this.stack.observe(at);
      this.scheduleEvaluation(at);
      this.node.parts.timers.schedule(at + MOVEMENT_POLL, poll);
    };
    this.node.parts.timers.schedule(now + MOVEMENT_POLL, poll);
  }

  private scheduleEvaluation(at: Nanos): void {
    if (this.evaluation !== undefined) return;
    this.evaluation = this.node.parts.timers.schedule(at, (now) => {
      this.evaluation = undefined;
      this.stack.observe(now);
      this.evaluate(now);
    });
  }

  /** The care-of address `dev` offers now, if any (see the module comment). */
  careOfAddressOf(dev: string, now: Nanos): bigint | undefined {
    const device = this.node.parts.routing.device(dev);
    if (device === undefined || !device.adminUp || !device.carrier) return undefined;
    const usable = this.node.kernel
      .addresses6Of(dev, now)
      .find((s) => !s.tentative && !s.deprecated && !isIpv6LinkLocal(s.address.address) && !isIpv6Multicast(s.address.address) && !isInIpv6Prefix(s.address.address, this.config.homeAddress, this.config.homePrefixLength));
    return usable?.address.address;
  }

  /** Movement detection: register new CoAs, deregister lost ones. */
  private evaluate(now: Nanos): void {
    for (const entry of this.entries) {
      if (!this.config.multipleCareOf) this.follow(entry, now);
      const careOf = this.careOfAddressOf(entry.dev, now);
      if (careOf === undefined) {
        if (entry.careOfAddress !== undefined) this.lose(entry, now);
        continue;
      }
      this.deregistrations.get(entry.bindingId)?.timer?.cancel();
      this.deregistrations.delete(entry.bindingId);
      if (entry.careOfAddress !== careOf || entry.state === 'unregistered') {
        if (this.xfrmCareOf === entry.careOfAddress) this.xfrmCareOf = careOf;
        entry.careOfAddress = careOf;
        entry.timeout = INITIAL_BINDACK_TIMEOUT;
        entry.retransmissions = 0;
        this.sendBindingUpdate(entry, now);
      }
    }
    this.correspondents?.careOfChanged(now);
  }

  /** MCoA off: the single entry moves to the most preferred interface with a CoA. */
  private follow(entry: BindingUpdateListEntry, now: Nanos): void {
    const ranked = [...this.config.interfaces].sort((a, b) => a.preference - b.preference);
    const best = ranked.find((ifc) => this.careOfAddressOf(ifc.name, now) !== undefined);
    if (best !== undefined && best.name !== entry.dev) {
      entry.dev = best.name;
      entry.priority = best.preference;
    }
  }

  /** The entry's interface lost its CoA: stop using it, and deregister its BID through another interface. */
  private lose(entry: BindingUpdateListEntry, now: Nanos): void {
    entry.timer?.cancel();
    entry.timer = undefined;
    const wasBound = entry.state === 'registered' || entry.state === 'registering';
    entry.careOfAddress = undefined;
    entry.state = 'unregistered';
    if (!wasBound || !this.config.multipleCareOf) return;
    const pending: PendingDeregistration = { bindingId: entry.bindingId, sequence: 0, timeout: INITIAL_BINDACK_TIMEOUT, timer: undefined };
    this.deregistrations.set(entry.bindingId, pending);
    this.sendDeregistration(pending, now);
  }

  private nextSequence(): number {
    this.sequence = (this.sequence + 1) & 0xffff;
    return this.sequence;
  }

  /** Where a BU from `careOf` leaves, and with which source and checksum (the compatibility settings). */
  private sendBu(careOf: bigint, dev: string, sequence: number, lifetime: number, bindingIds: { bindingId: number; priority: number }[], now: Nanos): void {
    if (this.xfrmCareOf === undefined) this.xfrmCareOf = careOf;
    const source = this.compat['mip6-hao-swaps-source'] === true ? this.xfrmCareOf : careOf;
    const packet = buildBindingUpdate({
      source,
      homeAgent: this.config.homeAgent,
      homeAddress: this.config.homeAddress,
      sequence,
      lifetime,
      bindingIds,
      ...(this.compat['mip6-checksum-over-coa'] === true ? { checksumSource: source } : {}),
    });
    this.counters.bindingUpdatesSent++;
    const oif = this.compat['mip6-bu-first-default-route'] === true ? undefined : dev;
    const errno = this.stack.send(packet, source, this.config.homeAgent, oif, now);
    if (errno !== null) this.node.recordDrop(oif ?? null, 'noRoute', packet, `binding update for ${formatIpv6Number(careOf)}: ${errno}`);
  }

  private sendBindingUpdate(entry: BindingUpdateListEntry, now: Nanos): void {
    if (entry.careOfAddress === undefined) return;
    entry.timer?.cancel();
    entry.sequence = this.nextSequence();
    entry.sentAt = now;
    entry.lifetime = this.config.maxBindingLife;
    if (entry.state !== 'registered') entry.state = 'registering';
    const units = Math.min(0xffff, Math.floor(this.config.maxBindingLife / MOBILITY_LIFETIME_UNIT_SECONDS));
    this.sendBu(entry.careOfAddress, entry.dev, entry.sequence, units, entry.bindingId === 0 ? [] : [{ bindingId: entry.bindingId, priority: entry.priority }], now);
    entry.timer = this.node.parts.timers.schedule(now + entry.timeout, (at) => {
      entry.timer = undefined;
      this.stack.observe(at);
      entry.timeout = Math.min(entry.timeout * 2, MAX_BINDACK_TIMEOUT);
      entry.retransmissions++;
      this.counters.bindingUpdateRetransmissions++;
      this.sendBindingUpdate(entry, at);
    });
  }

  /** A BU with lifetime 0 for a lost BID, from the most preferred entry that still has a CoA. */
  private sendDeregistration(pending: PendingDeregistration, now: Nanos): void {
    const carrier = this.preferredUsable();
    if (carrier === undefined || carrier.careOfAddress === undefined) return;
    pending.sequence = this.nextSequence();
    this.sendBu(carrier.careOfAddress, carrier.dev, pending.sequence, 0, [{ bindingId: pending.bindingId, priority: 0 }], now);
    pending.timer = this.node.parts.timers.schedule(now + pending.timeout, (at) => {
      pending.timer = undefined;
      this.stack.observe(at);
      if (this.deregistrations.get(pending.bindingId) !== pending) return;
      pending.timeout = Math.min(pending.timeout * 2, MAX_BINDACK_TIMEOUT);
      this.counters.bindingUpdateRetransmissions++;
      this.sendDeregistration(pending, at);
    });
  }

  /** The most preferred entry with a CoA whose binding is registered (or being registered). */
  private preferredUsable(): BindingUpdateListEntry | undefined {
    const usable = this.entries.filter((e) => e.careOfAddress !== undefined && (e.state === 'registered' || e.state === 'registering'));
    return usable.sort((a, b) => (a.state === b.state ? a.priority - b.priority || a.bindingId - b.bindingId : a.state === 'registered' ? -1 : 1))[0];
  }

  /** A BA (checksum verified by the mobility transport). */
  processBindingAck(received: ReceivedMobilityMessage, now: Nanos): void {
    const message = received.message.message;
    if (message.kind !== 'bindingAcknowledgement') return;
    this.counters.bindingAcksReceived++;
    const bidStatus = new Map<number, number>();
    for (const option of received.message.options) if (option.kind === 'bindingIdentifier') bidStatus.set(option.bindingId, option.status);
    for (const pending of this.deregistrations.values()) {
      if (pending.sequence !== message.sequence) continue;
      pending.timer?.cancel();
      this.deregistrations.delete(pending.bindingId);
      return;
    }
    const entry = this.entries.find((e) => e.sequence === message.sequence && e.state !== 'unregistered');
    if (entry === undefined) return;
    const status = bidStatus.get(entry.bindingId) || message.status;
    entry.timer?.cancel();
    entry.timer = undefined;
    if (status === BindingAckStatus.sequenceNumberOutOfWindow) {
      this.sequence = message.sequence;
      this.sendBindingUpdate(entry, now);
      return;
    }
    if (status >= 128) {
      entry.state = 'refused';
      entry.status = status;
      return;
    }
    entry.state = 'registered';
    entry.status = status;
    entry.timeout = INITIAL_BINDACK_TIMEOUT;
    entry.retransmissions = 0;
    entry.lifetime = message.lifetime * MOBILITY_LIFETIME_UNIT_SECONDS;
    entry.expires = entry.sentAt + entry.lifetime * SECOND;
    const advice = received.message.options.find((o) => o.kind === 'bindingRefreshAdvice');
    let refresh = entry.sentAt + Math.floor((entry.lifetime * SECOND * 3) / 4);
    if (advice?.kind === 'bindingRefreshAdvice') refresh = Math.min(refresh, entry.sentAt + advice.interval * MOBILITY_LIFETIME_UNIT_SECONDS * SECOND);
    if (entry.lifetime === 0) return;
    entry.timer = this.node.parts.timers.schedule(Math.max(refresh, now), (at) => {
      entry.timer = undefined;
      this.stack.observe(at);
      this.sendBindingUpdate(entry, at);
    });
  }

  /** LOCAL_OUT: a packet from the home address goes to the home agent through the tunnel. */
  private reverseTunnel(packet: HookPacket<6>, now: Nanos): HookVerdict {
    const { source, destination } = addressesOf(packet.bytes);
    if (source !== this.config.homeAddress || destination === this.config.homeAddress) return ACCEPT;
    const inner = packet.bytes.slice(0, 40 + packet.header.payloadLength);
    const next = nextHeaderOf(inner);
    const direct = next === IpProtocol.mobility || next === IpProtocol.hopByHop ? undefined : this.correspondents?.directPath(destination, now);
    if (direct !== undefined) {
      const optimised = sendFromCareOf(inner, direct.careOfAddress);
      this.counters.packetsRouteOptimised++;
      const errno = this.stack.send(optimised, direct.careOfAddress, destination, direct.dev, now);
      if (errno !== null) this.node.recordDrop(direct.dev, 'noRoute', optimised, `mip6: to ${formatIpv6Number(destination)} from ${formatIpv6Number(direct.careOfAddress)}: ${errno}`);
      return STOLEN;
    }
    const carrier = this.preferredCareOf(now);
    if (carrier === undefined) return drop('noRoute', 'mip6: no registered care-of address for the reverse tunnel');
    const outer = encapsulate(inner, carrier.careOfAddress, this.config.homeAgent);
    this.counters.packetsTunnelled++;
    const errno = this.stack.send(outer, carrier.careOfAddress, this.config.homeAgent, carrier.dev, now);
    if (errno !== null) this.node.recordDrop(carrier.dev, 'noRoute', outer, `ip6tnl to ${formatIpv6Number(this.config.homeAgent)}: ${errno}`);
    return STOLEN;
  }

  /** The reverse tunnel's start: the most preferred registered binding whose CoA its interface still has. */
  private preferredCareOf(now: Nanos): CareOfPath | undefined {
    const carrier = this.entries
      .filter((e) => e.state === 'registered' && e.careOfAddress !== undefined && this.careOfAddressOf(e.dev, now) === e.careOfAddress)
      .sort((a, b) => a.priority - b.priority || a.bindingId - b.bindingId)[0];
    return carrier?.careOfAddress === undefined ? undefined : { careOfAddress: carrier.careOfAddress, dev: carrier.dev };
  }

  /** A tunnelled packet from the home agent: received on ip6tnl when it is for the home address. */
  processTunnelled(dev: string, outerSource: bigint, inner: Uint8Array, now: Nanos): boolean {
    if (outerSource !== this.config.homeAgent || inner.length < 40 || (inner[0] ?? 0) >> 4 !== 6) return false;
    const { destination } = addressesOf(inner);
    if (destination !== this.config.homeAddress) {
      this.node.recordDrop(dev, 'notForUs', inner, 'ip6tnl: not for the home address');
      return true;
    }
    this.counters.packetsDecapsulated++;
    this.stack.receiveOnTunnel(inner, now);
    // A correspondent's packet came the long way: try route optimisation with it.
    const { source } = addressesOf(inner);
    if (this.correspondents !== undefined && nextHeaderOf(inner) !== IpProtocol.mobility && !isIpv6LinkLocal(source) && !isIpv6Multicast(source)) this.correspondents.trigger(source, now);
    return true;
  }
}
