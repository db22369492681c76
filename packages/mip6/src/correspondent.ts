/**
 * The correspondent node (RFC 6275 §9, mip6d's NodeConfig CN with DoRouteOptimizationCN): return
 * routability's answering side and the binding cache it fills, and the route-optimised path.
 *
 * Follows:
 * - §9.4.1–§9.4.4: a HoTI (from the home address, through the home agent) is answered with a HoT
 *   to the home address, a CoTI (from the care-of address) with a CoT to it; each carries the
 *   cookie back, the current nonce's index and the keygen token of that address and nonce under
 *   Kcn (return-routability.ts). Kcn and the nonces come from the node's PRNG.
 * - §9.5.1: a BU without the H flag, with the Home Address option, Nonce Indices and Binding
 *   Authorization Data: nonce indices that are no longer kept get 136/137/138 in an
 *   unauthenticated BA; an Authenticator that does not verify is dropped silently (traced, counted
 *   in `mip6d stats`' authorisation failures); a sequence number not newer than the binding's gets
 *   135. Lifetime 0 deletes the binding (Kbm from the home token alone); otherwise the binding is
 *   made or updated with the lifetime asked, at most MAX_RR_BINDING_LIFETIME (420 s). A BU with
 *   the H flag gets 131 (this node is no home agent). At most MAX_CORRESPONDENT_BINDINGS bindings:
 *   a new one beyond is refused with 130.
 * - §9.5.4: the BA (when the A flag asks for one) goes to the care-of address through a type 2
 *   routing header, with Binding Authorization Data made with the same Kbm.
 * - §9.3.1 / ipv6_dest_hao: a packet with the Home Address option is taken (its source swapped to
 *   the home address by the IPv6 layer) only when a live binding maps that home address to the
 *   packet's source; a Mobility Header always (a BU brings its own). Others are dropped
 *   (`martianSource`) and answered with a Binding Error, status 1 (unknown binding for the Home
 *   Address option), to the packet's source — at most one a second (§9.3.1 asks for a limit;
 *   the figure is netloom's).
 * - §9.3.2: a packet this node sends to a home address with a live binding leaves for the care-of
 *   address with a type 2 routing header carrying the home address (LOCAL_OUT, as the XFRM
 *   route-optimisation state does); Mobility Header messages are left alone (§6.1: HoT goes to the
 *   home address).
 * Leaves out: Binding Refresh Requests, Binding Errors with status 2 (an unknown MH type is only
 * dropped), CnBindingPolicySet, IPsec.
 */
import type { LinuxNode, Nanos } from '@netloom/stack';
import { ACCEPT, NF_IP_PRI, STOLEN, type HookPacket, type HookVerdict } from '@netloom/stack/netfilter/hooks';
import { BindingAckStatus, BindingErrorStatus, formatIpv6Number, IpProtocol, ipv6ToBytes, MOBILITY_LIFETIME_UNIT_SECONDS } from '@netloom/wire';
import { isSequenceNewer } from './binding-cache.js';
import type { Mip6Counters, Mip6Stack } from './mip6-stack.js';
import { addressesOf, buildBindingError, buildCorrespondentBindingAck, buildTest, nextHeaderOf, routeToCareOf, type BindingAuthorization, type ReceivedMobilityMessage } from './mobility-packets.js';
import {
  authenticatorOf,
  bindingManagementKey,
  careOfKeygenToken,
  homeKeygenToken,
  isSameBytes,
  MAX_RR_BINDING_LIFETIME_SECONDS,
  NonceTable,
} from './return-routability.js';

const SECOND = 1_000_000_000;
/** How often the correspondent makes a new nonce (netloom's choice; §5.2.7 leaves it open). */
export const NONCE_INTERVAL = 30 * SECOND;
/** At most one Binding Error per this interval (netloom's rate limit). */
export const BINDING_ERROR_INTERVAL = 1 * SECOND;
/** The bound of the correspondent's binding cache. */
export const MAX_CORRESPONDENT_BINDINGS = 4096;

export interface CorrespondentConfig {
  /** DoRouteOptimizationCN: answer return routability and accept BUs. */
  routeOptimisation: boolean;
}

/** One binding of the correspondent's cache (§9.1). */
export interface CorrespondentBinding {
  homeAddress: bigint;
  careOfAddress: bigint;
  /** Granted, seconds. */
  lifetime: number;
  expires: Nanos;
  sequence: number;
}

export class Correspondent {
  readonly bindings = new Map<bigint, CorrespondentBinding>();
  private readonly nonces: NonceTable;
  private lastBindingError: Nanos = -BINDING_ERROR_INTERVAL;

  constructor(
    private readonly node: LinuxNode,
    private readonly stack: Mip6Stack,
    private readonly config: CorrespondentConfig,
    private readonly counters: Mip6Counters,
  ) {
    this.nonces = new NonceTable(node.parts.prng, NONCE_INTERVAL);
    node.netfilter.register({ hook: 'localOut', family: 6, priority: NF_IP_PRI.filter, fn: (packet, now) => this.routeOptimise(packet, now) });
  }

  /** The live binding of `homeAddress`, if any. */
  bindingOf(homeAddress: bigint, now: Nanos): CorrespondentBinding | undefined {
    const binding = this.bindings.get(homeAddress);
    return binding !== undefined && binding.expires > now ? binding : undefined;
  }

  /** ipv6_dest_hao for a data packet: taken when a live binding maps the home address to the source. */
  acceptsHomeAddress(homeAddress: bigint, source: bigint, now: Nanos): boolean {
    return this.bindingOf(homeAddress, now)?.careOfAddress === source;
  }

  /** §9.3.1: a Home Address option no binding holds draws a Binding Error (status 1) to the packet's source. */
  sendBindingError(dev: string, homeAddress: bigint, source: bigint, now: Nanos): void {
    if (now - this.lastBindingError < BINDING_ERROR_INTERVAL) return;
    const from = this.stack.sourceToward(source, now);
    if (from === undefined) return;
    this.lastBindingError = now;
    const packet = buildBindingError(from, source, BindingErrorStatus.unknownBindingForHomeAddressOption, homeAddress);
    this.counters.bindingErrorsSent++;
    const errno = this.stack.send(packet, from, source, undefined, now);
    if (errno !== null) this.node.recordDrop(dev, 'noRoute', packet, `binding error to ${formatIpv6Number(source)}: ${errno}`);
  }

  /** HoTI → HoT, CoTI → CoT (§9.4.1–§9.4.4). */
  processTestInit(dev: string, received: ReceivedMobilityMessage, now: Nanos): void {
    const message = received.message.message;
    if (message.kind !== 'homeTestInit' && message.kind !== 'careOfTestInit') return;
    if (!this.config.routeOptimisation) {
      this.node.recordDrop(dev, 'unsupportedProtocol', received.mobilityHeader, 'mobility header: route optimisation disabled (DoRouteOptimizationCN)');
      return;
    }
    const nonce = this.nonces.current(now);
    const address = ipv6ToBytes(received.source);
    const home = message.kind === 'homeTestInit';
    const token = home ? homeKeygenToken(this.nonces.kcn, address, nonce.value) : careOfKeygenToken(this.nonces.kcn, address, nonce.value);
    const packet = buildTest(home ? 'homeTest' : 'careOfTest', received.destination, received.source, message.cookie, token, nonce.index);
    if (home) this.counters.homeTestsSent++;
    else this.counters.careOfTestsSent++;
    const errno = this.stack.send(packet, received.destination, received.source, undefined, now);
    if (errno !== null) this.node.recordDrop(dev, 'noRoute', packet, `${home ? 'HoT' : 'CoT'} to ${formatIpv6Number(received.source)}: ${errno}`);
  }

  /** A BU to this correspondent (§9.5.1), answered by an authorised BA (§9.5.4) when it asks. */
  processBindingUpdate(dev: string, received: ReceivedMobilityMessage, now: Nanos): void {
    const message = received.message.message;
    if (message.kind !== 'bindingUpdate') return;
    this.counters.bindingUpdatesReceived++;
    const homeAddress = received.homeAddress;
    const careOfAddress = received.source;
    const nonces = received.message.options.find((o) => o.kind === 'nonceIndices');
    const authorization = received.message.options.find((o) => o.kind === 'bindingAuthorizationData');
    const answer = (status: number, lifetime: number, key?: Uint8Array): void => {
      if (status >= 128) this.counters.bindingUpdatesRefused++;
      if (!message.acknowledge || homeAddress === undefined) return;
      const packet = buildCorrespondentBindingAck({
        correspondent: received.destination,
        careOfAddress,
        homeAddress,
        status,
        sequence: message.sequence,
        lifetime,
        ...(key !== undefined ? { authorization: this.authorization(key, careOfAddress, received.destination) } : {}),
      });
      this.counters.bindingAcksSent++;
      const errno = this.stack.send(packet, received.destination, careOfAddress, undefined, now);
      if (errno !== null) this.node.recordDrop(dev, 'noRoute', packet, `binding acknowledgement to ${formatIpv6Number(careOfAddress)}: ${errno}`);
    };
    if (message.homeRegistration) return answer(BindingAckStatus.homeRegistrationNotSupported, 0);
    if (!this.config.routeOptimisation || homeAddress === undefined || nonces?.kind !== 'nonceIndices' || authorization?.kind !== 'bindingAuthorizationData') {
      this.node.recordDrop(dev, 'prohibited', received.mobilityHeader, 'binding update: no home address option, nonce indices or binding authorization data');
      return;
    }
    const deregistering = message.lifetime === 0;
    const homeNonce = this.nonces.lookup(nonces.homeNonceIndex, now);
    const careOfNonce = deregistering ? undefined : this.nonces.lookup(nonces.careOfNonceIndex, now);
    if (homeNonce === undefined || (!deregistering && careOfNonce === undefined)) {
      const status = homeNonce === undefined && !deregistering && careOfNonce === undefined ? BindingAckStatus.expiredNonces : homeNonce === undefined ? BindingAckStatus.expiredHomeNonceIndex : BindingAckStatus.expiredCareOfNonceIndex;
      return answer(status, 0);
    }
    const homeToken = homeKeygenToken(this.nonces.kcn, ipv6ToBytes(homeAddress), homeNonce.value);
    const careOfToken = careOfNonce === undefined ? null : careOfKeygenToken(this.nonces.kcn, ipv6ToBytes(careOfAddress), careOfNonce.value);
    const key = bindingManagementKey(homeToken, careOfToken);
    const expected = authenticatorOf(key, ipv6ToBytes(careOfAddress), ipv6ToBytes(received.destination), received.mobilityHeader);
    if (!isSameBytes(expected, authorization.authenticator)) {
      this.counters.authorizationFailures++;
      this.node.recordDrop(dev, 'prohibited', received.mobilityHeader, 'binding update: binding authorization data does not verify');
      return;
    }
    const existing = this.bindings.get(homeAddress);
    if (existing !== undefined && !isSequenceNewer(message.sequence, existing.sequence)) return answer(BindingAckStatus.sequenceNumberOutOfWindow, 0, key);
    if (deregistering) {
      this.bindings.delete(homeAddress);
      return answer(BindingAckStatus.accepted, 0, key);
    }
    if (existing === undefined) this.expire(now);
    if (existing === undefined && this.bindings.size >= MAX_CORRESPONDENT_BINDINGS) return answer(BindingAckStatus.insufficientResources, 0, key);
    const lifetime = Math.min(message.lifetime * MOBILITY_LIFETIME_UNIT_SECONDS, MAX_RR_BINDING_LIFETIME_SECONDS);
    this.bindings.set(homeAddress, { homeAddress, careOfAddress, lifetime, expires: now + lifetime * SECOND, sequence: message.sequence });
    answer(BindingAckStatus.accepted, Math.floor(lifetime / MOBILITY_LIFETIME_UNIT_SECONDS), key);
  }

  private authorization(key: Uint8Array, careOfAddress: bigint, correspondent: bigint): BindingAuthorization {
    return { key, careOfAddress, correspondent, authenticate: authenticatorOf };
  }

  /** Expired bindings removed (when the cache is about to grow). */
  private expire(now: Nanos): void {
    for (const [home, binding] of this.bindings) if (binding.expires <= now) this.bindings.delete(home);
  }

  /** LOCAL_OUT: a packet for a home address with a live binding goes to the CoA through a type 2 routing header. */
  private routeOptimise(packet: HookPacket<6>, now: Nanos): HookVerdict {
    if (this.bindings.size === 0) return ACCEPT;
    const { destination } = addressesOf(packet.bytes);
    const binding = this.bindingOf(destination, now);
    const next = nextHeaderOf(packet.bytes);
    if (binding === undefined || next === IpProtocol.mobility || next === IpProtocol.hopByHop || next === IpProtocol.routing) return ACCEPT;
    const direct = routeToCareOf(packet.bytes.slice(0, 40 + packet.header.payloadLength), binding.careOfAddress);
    this.counters.packetsRouteOptimised++;
    const source = addressesOf(packet.bytes).source;
    const errno = this.stack.send(direct, source, binding.careOfAddress, undefined, now);
    if (errno !== null) this.node.recordDrop(packet.outDev, 'noRoute', direct, `route optimisation to ${formatIpv6Number(binding.careOfAddress)}: ${errno}`);
    return STOLEN;
  }
}
