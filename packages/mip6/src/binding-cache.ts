/**
 * The home agent's binding cache (RFC 6275 §9.1, §10.3.1) keyed by (home address, binding
 * identifier) as RFC 5648 §6.2 keys it, and the decision a Binding Update gets: its status, the
 * per-BID statuses copied into the Binding Acknowledgement's BID options, the lifetime granted.
 *
 * Follows, in this order:
 * - RFC 6275 §9.5.1/§10.3.1: a BU without the H flag is refused with 131 (this node is a home
 *   agent only, no correspondent); a home address off the home subnet with 132; a sequence number
 *   not greater than the last accepted one for the home address (modulo 2^16, the 32768 before it
 *   counting as "not greater") with 135, the BA carrying the last accepted number. The lifetime
 *   granted is the one asked for, at most the configured maximum (HaMaxBindingLife).
 * - A BU without Binding Identifier options is RFC 6275's: lifetime 0 deletes every binding of the
 *   home address (133 when there is none), a lifetime registers one binding without a BID (BID 0)
 *   replacing all others (RFC 5648 §5.7, the mobile node going back to a single binding).
 * - With BID options (RFC 5648 §6.2): MCoA turned off answers 166; a BID of 0 or one given twice
 *   164; more than one BID (bulk registration) with bulk registration off 168; an H flag 169
 *   (simultaneous home and foreign bindings are not modelled). Lifetime 0 deletes each named BID,
 *   one that does not exist getting 133 (the other BIDs of the home address untouched). A lifetime
 *   with the O flag replaces all bindings of the home address; without it a binding without a BID
 *   makes the BU fail with 165; each BID is registered or updated (its CoA from the option, or the
 *   packet's source; an IPv4 CoA, which needs DSMIPv6, is 167 for that BID). When some BIDs fail
 *   and others succeed the BA's status is 4 (MCOA NOTCOMPLETE); when all fail, the first failure.
 * - Which binding the home agent tunnels to (RFC 5648 leaves it to policy; netloom's rule): the
 *   live binding with the best BID-PRI (RFC 6089: lower is preferred; 0, "not given", after any
 *   given one), then the most recently registered or refreshed, then the lower BID.
 * Bounded: at most `maxEntries` bindings (4096 by default); a new binding beyond is refused with
 * 130 (insufficient resources). Expired bindings are removed by `expire(now)`, which the home
 * agent calls at the next expiry. Leaves out: DAD for the home address before a first
 * registration (134), IPsec, the K and L flags' processing, mobile router prefixes (NEMO).
 */
import type { Nanos } from '@netloom/stack';
import { BindingAckStatus, ipv6FromBytes, MOBILITY_LIFETIME_UNIT_SECONDS } from '@netloom/wire';

const SECOND = 1_000_000_000;

/** One binding: a home address's care-of address under one BID (0: an RFC 6275 binding without one). */
export interface Binding {
  homeAddress: bigint;
  bindingId: number;
  careOfAddress: bigint;
  /** BID-PRI (RFC 6089), 0 when the BU gave none. */
  priority: number;
  /** Granted lifetime in seconds. */
  lifetime: number;
  expires: Nanos;
  /** When it was registered or last refreshed. */
  registeredAt: Nanos;
  sequence: number;
}

/** One BID option of a Binding Update, as the home agent reads it. */
export interface BindingIdentifierRequest {
  bindingId: number;
  /** The option's CoA: absent, 4 bytes (IPv4) or 16 (IPv6). */
  careOfAddress?: Uint8Array;
  priority: number;
  simultaneousHomeAndForeign: boolean;
}

export interface BindingUpdateRequest {
  homeAddress: bigint;
  /** The packet's source (the CoA when no option names one), or the Alternate CoA option's address. */
  source: bigint;
  sequence: number;
  homeRegistration: boolean;
  overwrite: boolean;
  /** In 4-second units. */
  lifetime: number;
  bindingIds: readonly BindingIdentifierRequest[];
}

export interface BindingDecision {
  status: number;
  /** The sequence number the BA carries (the BU's, or the last accepted one for 135). */
  sequence: number;
  /** In 4-second units (0 when refused or deleted). */
  lifetime: number;
  /** Each BID option's own status, in the BU's order. */
  bindingIdStatuses: { bindingId: number; status: number }[];
}

export interface BindingCacheOptions {
  /** HaMaxBindingLife in seconds (UMIP's default 262140). */
  maxLifetime: number;
  /** Whether BID options are accepted (MCoA on). */
  multipleCareOf: boolean;
  /** Whether a BU may carry more than one BID option. */
  bulkRegistration: boolean;
  /** Whether a home address is on the home agent's home subnet. */
  isHomeSubnet(homeAddress: bigint): boolean;
  maxEntries?: number;
}

export const DEFAULT_MAX_BINDINGS = 4096;

/** Whether `received` is greater than `last` in 16-bit sequence space (RFC 6275 §9.5.1). */
export function isSequenceNewer(received: number, last: number): boolean {
  const distance = (received - last) & 0xffff;
  return distance !== 0 && distance < 0x8000;
}

export class BindingCache {
  private readonly bindings = new Map<string, Binding>();
  /** The last accepted sequence number per home address (kept while it has bindings). */
  private readonly lastSequence = new Map<bigint, number>();
  private readonly maxEntries: number;

  constructor(private readonly options: BindingCacheOptions) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_BINDINGS;
  }

  get size(): number {
    return this.bindings.size;
  }

  /** Process a Binding Update at `now` and change the cache as its decision says. */
  process(request: BindingUpdateRequest, now: Nanos): BindingDecision {
    this.expire(now);
    const refuse = (status: number, sequence = request.sequence): BindingDecision => ({
      status,
      sequence,
      lifetime: 0,
      bindingIdStatuses: request.bindingIds.map((b) => ({ bindingId: b.bindingId, status })),
    });
    if (!request.homeRegistration) return refuse(BindingAckStatus.homeRegistrationNotSupported);
    if (!this.options.isHomeSubnet(request.homeAddress)) return refuse(BindingAckStatus.notHomeSubnet);
    const last = this.lastSequence.get(request.homeAddress);
    if (last !== undefined && !isSequenceNewer(request.sequence, last)) return refuse(BindingAckStatus.sequenceNumberOutOfWindow, last);
    const lifetime = Math.min(request.lifetime, Math.floor(this.options.maxLifetime / MOBILITY_LIFETIME_UNIT_SECONDS));
    const decision = request.bindingIds.length === 0 ? this.processSingle(request, lifetime, now) : this.processMultiple(request, lifetime, now);
    if (decision.status < 128) {
      this.lastSequence.set(request.homeAddress, request.sequence);
      if (this.bindingsOf(request.homeAddress).length === 0) this.lastSequence.delete(request.homeAddress);
    }
    return decision;
  }

  /** RFC 6275: one binding per home address. */
  private processSingle(request: BindingUpdateRequest, lifetime: number, now: Nanos): BindingDecision {
    const existing = this.bindingsOf(request.homeAddress);
    if (request.lifetime === 0) {
      if (existing.length === 0) return { status: BindingAckStatus.notHomeAgentForThisMobileNode, sequence: request.sequence, lifetime: 0, bindingIdStatuses: [] };
      for (const binding of existing) this.bindings.delete(keyOf(binding.homeAddress, binding.bindingId));
      return { status: BindingAckStatus.accepted, sequence: request.sequence, lifetime: 0, bindingIdStatuses: [] };
    }
    if (existing.length === 0 && this.bindings.size >= this.maxEntries) {
      return { status: BindingAckStatus.insufficientResources, sequence: request.sequence, lifetime: 0, bindingIdStatuses: [] };
    }
    for (const binding of existing) this.bindings.delete(keyOf(binding.homeAddress, binding.bindingId));
    this.store(request.homeAddress, 0, request.source, 0, lifetime, request.sequence, now);
    return { status: BindingAckStatus.accepted, sequence: request.sequence, lifetime, bindingIdStatuses: [] };
  }

  /** RFC 5648 §6.2: one binding per (home address, BID). */
  private processMultiple(request: BindingUpdateRequest, lifetime: number, now: Nanos): BindingDecision {
    const bids = request.bindingIds;
    const all = (status: number): BindingDecision => ({ status, sequence: request.sequence, lifetime: 0, bindingIdStatuses: bids.map((b) => ({ bindingId: b.bindingId, status })) });
    if (!this.options.multipleCareOf) return all(BindingAckStatus.mcoaProhibited);
    const ids = bids.map((b) => b.bindingId);
    if (ids.some((id) => id === 0) || new Set(ids).size !== ids.length) return all(BindingAckStatus.mcoaMalformed);
    if (bids.length > 1 && !this.options.bulkRegistration) return all(BindingAckStatus.mcoaBulkRegistrationProhibited);
    if (bids.some((b) => b.simultaneousHomeAndForeign)) return all(BindingAckStatus.mcoaSimultaneousHomeAndForeignProhibited);
    const statuses: { bindingId: number; status: number }[] = [];
    if (request.lifetime === 0) {
      for (const bid of bids) {
        const deleted = this.bindings.delete(keyOf(request.homeAddress, bid.bindingId));
        statuses.push({ bindingId: bid.bindingId, status: deleted ? BindingAckStatus.accepted : BindingAckStatus.notHomeAgentForThisMobileNode });
      }
      return { ...summarise(statuses), sequence: request.sequence, lifetime: 0, bindingIdStatuses: statuses };
    }
    const existing = this.bindingsOf(request.homeAddress);
    if (request.overwrite) {
      for (const binding of existing) this.bindings.delete(keyOf(binding.homeAddress, binding.bindingId));
    } else if (existing.some((b) => b.bindingId === 0)) {
      return all(BindingAckStatus.mcoaNonMcoaBindingExists);
    }
    for (const bid of bids) {
      const careOf = bid.careOfAddress === undefined ? request.source : bid.careOfAddress.length === 16 ? ipv6FromBytes(bid.careOfAddress) : null;
      if (careOf === null) {
        statuses.push({ bindingId: bid.bindingId, status: BindingAckStatus.mcoaUnknownCoa });
        continue;
      }
      if (!this.bindings.has(keyOf(request.homeAddress, bid.bindingId)) && this.bindings.size >= this.maxEntries) {
        statuses.push({ bindingId: bid.bindingId, status: BindingAckStatus.insufficientResources });
        continue;
      }
      this.store(request.homeAddress, bid.bindingId, careOf, bid.priority, lifetime, request.sequence, now);
      statuses.push({ bindingId: bid.bindingId, status: BindingAckStatus.accepted });
    }
    const summary = summarise(statuses);
    return { ...summary, sequence: request.sequence, lifetime: summary.status < 128 ? lifetime : 0, bindingIdStatuses: statuses };
  }

  private store(homeAddress: bigint, bindingId: number, careOfAddress: bigint, priority: number, lifetimeUnits: number, sequence: number, now: Nanos): void {
    const lifetime = lifetimeUnits * MOBILITY_LIFETIME_UNIT_SECONDS;
    this.bindings.set(keyOf(homeAddress, bindingId), { homeAddress, bindingId, careOfAddress, priority, lifetime, expires: now + lifetime * SECOND, registeredAt: now, sequence });
  }

  /** Remove the bindings whose lifetime has run out; returns them. */
  expire(now: Nanos): Binding[] {
    const expired: Binding[] = [];
    for (const [key, binding] of this.bindings) {
      if (binding.expires <= now) {
        this.bindings.delete(key);
        expired.push(binding);
      }
    }
    for (const binding of expired) if (this.bindingsOf(binding.homeAddress).length === 0) this.lastSequence.delete(binding.homeAddress);
    return expired;
  }

  /** The earliest expiry, if any binding is held. */
  nextExpiry(): Nanos | undefined {
    let next: Nanos | undefined;
    for (const binding of this.bindings.values()) if (next === undefined || binding.expires < next) next = binding.expires;
    return next;
  }

  bindingsOf(homeAddress: bigint): Binding[] {
    return [...this.bindings.values()].filter((b) => b.homeAddress === homeAddress).sort((a, b) => a.bindingId - b.bindingId);
  }

  hasHomeAddress(homeAddress: bigint): boolean {
    return this.bindingsOf(homeAddress).length > 0;
  }

  /** Every binding, by home address then BID. */
  entries(): Binding[] {
    return [...this.bindings.values()].sort((a, b) => (a.homeAddress < b.homeAddress ? -1 : a.homeAddress > b.homeAddress ? 1 : a.bindingId - b.bindingId));
  }

  /** The binding packets for `homeAddress` are tunnelled to (see the module comment for the rule). */
  selectCareOf(homeAddress: bigint, now: Nanos): Binding | undefined {
    let best: Binding | undefined;
    for (const binding of this.bindings.values()) {
      if (binding.homeAddress !== homeAddress || binding.expires <= now) continue;
      if (best === undefined || isPreferred(binding, best)) best = binding;
    }
    return best;
  }
}

/** Is `a` preferred to `b`: BID-PRI (lower first, 0 last), then the most recent, then the lower BID. */
function isPreferred(a: Binding, b: Binding): boolean {
  const rank = (priority: number): number => (priority === 0 ? 0x100 : priority);
  if (rank(a.priority) !== rank(b.priority)) return rank(a.priority) < rank(b.priority);
  if (a.registeredAt !== b.registeredAt) return a.registeredAt > b.registeredAt;
  return a.bindingId < b.bindingId;
}

function summarise(statuses: readonly { status: number }[]): { status: number } {
  const failed = statuses.filter((s) => s.status >= 128);
  if (failed.length === 0) return { status: BindingAckStatus.accepted };
  if (failed.length === statuses.length) return { status: failed[0]?.status ?? BindingAckStatus.reasonUnspecified };
  return { status: BindingAckStatus.mcoaNotComplete };
}

function keyOf(homeAddress: bigint, bindingId: number): string {
  return `${homeAddress.toString(16)}/${bindingId}`;
}

