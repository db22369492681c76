/**
 * The mobile node's side of route optimisation (RFC 6275 §11.6, §11.7.2, mip6d's
 * DoRouteOptimizationMN): return routability with a correspondent, the correspondent registration,
 * and the binding update list entries for correspondents.
 *
 * Follows:
 * - Trigger: a packet the home agent tunnels to the mobile node from a correspondent (its inner
 *   source, not the home agent, not a Mobility Header) starts return routability with that
 *   correspondent, as UMIP starts it on the kernel's report of a tunnelled packet. At most
 *   MAX_CORRESPONDENTS correspondents are followed.
 * - §11.6.1: a HoTI from the home address (so through the reverse tunnel and the home agent) and a
 *   CoTI from the care-of address of the preferred registered binding, straight out of its
 *   interface, each with a fresh 64-bit cookie from the node's PRNG. No HoT and CoT within
 *   INITIAL_BINDACK_TIMEOUT sends both again, the timeout doubling; after MAX_RR_ATTEMPTS the
 *   entry is `failed` and the correspondent stays on the home agent's path (the fall-back) until
 *   RR_RETRY_HOLD has passed and another tunnelled packet triggers again.
 * - §11.6.2, §11.7.2: a HoT and CoT whose cookies match give the keygen tokens and nonce indices;
 *   Kbm = SHA1(home token | care-of token); the BU to the correspondent (A set, H not, lifetime at
 *   most MnMaxCnBindingLife = MAX_RR_BINDING_LIFETIME, 420 s) leaves from the care-of address with
 *   the Home Address option, Nonce Indices and Binding Authorization Data.
 * - §11.7.3: the correspondent's BA is taken when its Binding Authorization Data verifies under
 *   Kbm; status < 128 makes the entry `registered`. 136–138 (expired nonces) run return
 *   routability again at once; any other refusal is `failed` (the home agent's path).
 * - §11.3.6: a Binding Error with status 1 from the correspondent about our home address (it holds
 *   no binding for it) drops the binding here and runs return routability again; meanwhile the
 *   home agent's path is used.
 * - While the correspondent's binding lives and holds the preferred binding's care-of address,
 *   packets from the home address to the correspondent leave from the care-of address with the
 *   Home Address option (§11.3.1) instead of the reverse tunnel. Three quarters of the lifetime
 *   granted (counted from the BU) runs return routability again, the binding still used meanwhile;
 *   a change of care-of address runs it too, the home agent's path used until the new BA.
 * Leaves out: deregistration with correspondents on returning home, Binding Refresh Requests,
 * Binding Errors with status 2, MnRoPolicy, UseCnBuAck (the A flag is always set).
 */
import type { LinuxNode, Nanos } from '@netloom/stack';
import { BindingErrorStatus, formatIpv6Number, ipv6FromBytes, ipv6ToBytes, MOBILITY_LIFETIME_UNIT_SECONDS, type MobilityOption } from '@netloom/wire';
import type { Mip6Counters, Mip6Stack } from './mip6-stack.js';
import { buildCorrespondentBindingUpdate, buildTestInit, type BindingAuthorization, type ReceivedMobilityMessage } from './mobility-packets.js';
import { authenticatorOf, bindingManagementKey, isSameBytes, MAX_RR_BINDING_LIFETIME_SECONDS, randomBytes, TOKEN_LENGTH } from './return-routability.js';

const SECOND = 1_000_000_000;
/** INITIAL_BINDACK_TIMEOUT, also the first wait for HoT/CoT. */
const RR_INITIAL_TIMEOUT = 1 * SECOND;
/** Tries of HoTI/CoTI or of the BU before the correspondent is left on the home agent's path (netloom's). */
export const MAX_RR_ATTEMPTS = 3;
/** How long a failed correspondent is not tried again (netloom's). */
export const RR_RETRY_HOLD = 60 * SECOND;
/** The correspondents followed at once. */
export const MAX_CORRESPONDENTS = 32;

export type CorrespondentState = 'testing' | 'registering' | 'registered' | 'failed';

/** A binding update list entry for a correspondent (§11.1), with its return-routability state. */
export interface CorrespondentEntry {
  correspondent: bigint;
  state: CorrespondentState;
  careOfAddress: bigint;
  dev: string;
  homeCookie: Uint8Array;
  careOfCookie: Uint8Array;
  homeTest: { token: Uint8Array; nonceIndex: number } | undefined;
  careOfTest: { token: Uint8Array; nonceIndex: number } | undefined;
  key: Uint8Array | undefined;
  /** The CoA the correspondent's binding holds (while `expires` is ahead), kept through a refresh. */
  boundCareOf: bigint | undefined;
  sequence: number;
  sentAt: Nanos;
  /** Granted, seconds. */
  lifetime: number;
  expires: Nanos;
  attempts: number;
  timeout: Nanos;
  /** The last refusal's status, or 0. */
  status: number;
  failedAt: Nanos;
  timer: { cancel(): void } | undefined;
}

/** Where the mobile node's direct path leaves from. */
export interface CareOfPath {
  careOfAddress: bigint;
  dev: string;
}

export class CorrespondentRegistrations {
  readonly entries = new Map<bigint, CorrespondentEntry>();

  constructor(
    private readonly node: LinuxNode,
    private readonly stack: Mip6Stack,
    private readonly homeAddress: bigint,
    private readonly homeAgent: bigint,
    /** The preferred registered binding's CoA and interface (the reverse tunnel's), if any. */
    private readonly careOfPath: (now: Nanos) => CareOfPath | undefined,
    private readonly counters: Mip6Counters,
  ) {}

  /** A packet tunnelled from `correspondent` arrived: start return routability unless under way. */
  trigger(correspondent: bigint, now: Nanos): void {
    if (correspondent === this.homeAgent || correspondent === this.homeAddress) return;
    const entry = this.entries.get(correspondent);
    if (entry !== undefined && (entry.state !== 'failed' || now - entry.failedAt < RR_RETRY_HOLD)) return;
    if (entry === undefined && this.entries.size >= MAX_CORRESPONDENTS) return;
    const path = this.careOfPath(now);
    if (path === undefined) return;
    const fresh: CorrespondentEntry = entry ?? {
      correspondent,
      state: 'testing',
      careOfAddress: path.careOfAddress,
      dev: path.dev,
      homeCookie: new Uint8Array(TOKEN_LENGTH),
      careOfCookie: new Uint8Array(TOKEN_LENGTH),
      homeTest: undefined,
      careOfTest: undefined,
      key: undefined,
      boundCareOf: undefined,
      sequence: 0,
      sentAt: 0,
      lifetime: 0,
      expires: 0,
      attempts: 0,
      timeout: RR_INITIAL_TIMEOUT,
      status: 0,
      failedAt: 0,
      timer: undefined,
    };
    this.entries.set(correspondent, fresh);
    this.startTest(fresh, path, now);
  }

  /** The direct path to `correspondent` if its binding is registered for the current CoA. */
  directPath(correspondent: bigint, now: Nanos): CareOfPath | undefined {
    const entry = this.entries.get(correspondent);
    if (entry === undefined || entry.state === 'failed' || entry.boundCareOf === undefined || entry.expires <= now) return undefined;
    const path = this.careOfPath(now);
    if (path === undefined || path.careOfAddress !== entry.boundCareOf) return undefined;
    return path;
  }

  /** Movement: a registered or pending correspondent whose CoA is no longer the preferred one is tested again. */
  careOfChanged(now: Nanos): void {
    const path = this.careOfPath(now);
    if (path === undefined) return;
    for (const entry of this.entries.values()) {
      if (entry.state === 'failed' || entry.careOfAddress === path.careOfAddress) continue;
      this.startTest(entry, path, now);
    }
  }

  private startTest(entry: CorrespondentEntry, path: CareOfPath, now: Nanos): void {
    entry.timer?.cancel();
    entry.state = 'testing';
    entry.careOfAddress = path.careOfAddress;
    entry.dev = path.dev;
    entry.homeTest = undefined;
    entry.careOfTest = undefined;
    entry.attempts = 0;
    entry.timeout = RR_INITIAL_TIMEOUT;
    entry.status = 0;
    this.sendTestInits(entry, now);
  }

  private sendTestInits(entry: CorrespondentEntry, now: Nanos): void {
    entry.attempts++;
    entry.homeCookie = randomBytes(this.node.parts.prng, TOKEN_LENGTH);
    entry.careOfCookie = randomBytes(this.node.parts.prng, TOKEN_LENGTH);
    const hoti = buildTestInit('homeTestInit', this.homeAddress, entry.correspondent, entry.homeCookie);
    const coti = buildTestInit('careOfTestInit', entry.careOfAddress, entry.correspondent, entry.careOfCookie);
    this.counters.homeTestInitsSent++;
    this.counters.careOfTestInitsSent++;
    this.send(hoti, this.homeAddress, entry.correspondent, undefined, now);
    this.send(coti, entry.careOfAddress, entry.correspondent, entry.dev, now);
    this.arm(entry, now, (at) => this.sendTestInits(entry, at));
  }

  /** The retransmission (or, after MAX_RR_ATTEMPTS, the fall-back) of what `entry` waits for. */
  private arm(entry: CorrespondentEntry, now: Nanos, again: (at: Nanos) => void): void {
    entry.timer?.cancel();
    entry.timer = this.node.parts.timers.schedule(now + entry.timeout, (at) => {
      entry.timer = undefined;
      this.stack.observe(at);
      if (entry.attempts >= MAX_RR_ATTEMPTS) return this.fail(entry, 0, at);
      entry.timeout *= 2;
      again(at);
    });
  }

  private fail(entry: CorrespondentEntry, status: number, now: Nanos): void {
    entry.timer?.cancel();
    entry.timer = undefined;
    entry.state = 'failed';
    entry.status = status;
    entry.failedAt = now;
    this.node.recordDrop(null, 'noRoute', undefined, `mip6: route optimisation with ${formatIpv6Number(entry.correspondent)} failed${status === 0 ? '' : ` (status ${status})`}: the home agent's path stays`);
  }

  /** HoT or CoT (checksum verified by the mobility transport). */
  processTest(received: ReceivedMobilityMessage, now: Nanos): void {
    const message = received.message.message;
    if (message.kind !== 'homeTest' && message.kind !== 'careOfTest') return;
    const entry = this.entries.get(received.source);
    if (entry === undefined || entry.state !== 'testing') return;
    const home = message.kind === 'homeTest';
    if (!isSameBytes(message.cookie, home ? entry.homeCookie : entry.careOfCookie)) return;
    if (home) {
      this.counters.homeTestsReceived++;
      entry.homeTest = { token: message.keygenToken.slice(), nonceIndex: message.nonceIndex };
    } else {
      this.counters.careOfTestsReceived++;
      entry.careOfTest = { token: message.keygenToken.slice(), nonceIndex: message.nonceIndex };
    }
    if (entry.homeTest === undefined || entry.careOfTest === undefined) return;
    entry.key = bindingManagementKey(entry.homeTest.token, entry.careOfTest.token);
    entry.state = 'registering';
    entry.attempts = 0;
    entry.timeout = RR_INITIAL_TIMEOUT;
    this.sendBindingUpdate(entry, now);
  }

  private sendBindingUpdate(entry: CorrespondentEntry, now: Nanos): void {
    if (entry.key === undefined || entry.homeTest === undefined || entry.careOfTest === undefined) return;
    entry.attempts++;
    entry.sequence = (entry.sequence + 1) & 0xffff;
    entry.sentAt = now;
    const packet = buildCorrespondentBindingUpdate({
      careOfAddress: entry.careOfAddress,
      correspondent: entry.correspondent,
      homeAddress: this.homeAddress,
      sequence: entry.sequence,
      lifetime: Math.floor(MAX_RR_BINDING_LIFETIME_SECONDS / MOBILITY_LIFETIME_UNIT_SECONDS),
      homeNonceIndex: entry.homeTest.nonceIndex,
      careOfNonceIndex: entry.careOfTest.nonceIndex,
      authorization: this.authorization(entry),
    });
    this.counters.bindingUpdatesSent++;
    this.send(packet, entry.careOfAddress, entry.correspondent, entry.dev, now);
    this.arm(entry, now, (at) => this.sendBindingUpdate(entry, at));
  }

  private authorization(entry: CorrespondentEntry): BindingAuthorization {
    if (entry.key === undefined) throw new Error('mip6: a correspondent binding authorised without Kbm');
    return { key: entry.key, careOfAddress: entry.careOfAddress, correspondent: entry.correspondent, authenticate: authenticatorOf };
  }

  /** Whether a BA comes from a correspondent this node registers with. */
  isCorrespondent(address: bigint): boolean {
    return this.entries.has(address);
  }

  /** The correspondent's BA (§11.7.3). */
  processBindingAck(received: ReceivedMobilityMessage, now: Nanos): void {
    const message = received.message.message;
    const entry = this.entries.get(received.source);
    if (message.kind !== 'bindingAcknowledgement' || entry === undefined || entry.state !== 'registering' || message.sequence !== entry.sequence) return;
    this.counters.bindingAcksReceived++;
    const authorization = received.message.options.find((o): o is Extract<MobilityOption, { kind: 'bindingAuthorizationData' }> => o.kind === 'bindingAuthorizationData');
    const verified = authorization !== undefined && entry.key !== undefined && isSameBytes(authorization.authenticator, authenticatorOf(entry.key, ipv6ToBytes(entry.careOfAddress), ipv6ToBytes(entry.correspondent), received.mobilityHeader));
    if (message.status >= 136 && message.status <= 138) {
      this.startTest(entry, { careOfAddress: entry.careOfAddress, dev: entry.dev }, now);
      return;
    }
    if (!verified) {
      this.counters.authorizationFailures++;
      this.node.recordDrop(null, 'prohibited', received.mobilityHeader, 'binding acknowledgement: binding authorization data does not verify');
      return;
    }
    if (message.status >= 128) return this.fail(entry, message.status, now);
    entry.timer?.cancel();
    entry.state = 'registered';
    entry.boundCareOf = entry.careOfAddress;
    entry.status = message.status;
    entry.lifetime = message.lifetime * MOBILITY_LIFETIME_UNIT_SECONDS;
    entry.expires = entry.sentAt + entry.lifetime * SECOND;
    if (entry.lifetime === 0) return;
    entry.timer = this.node.parts.timers.schedule(entry.sentAt + Math.floor((entry.lifetime * SECOND * 3) / 4), (at) => {
      entry.timer = undefined;
      this.stack.observe(at);
      const path = this.careOfPath(at);
      if (path !== undefined) this.startTest(entry, path, at);
    });
  }

  /** A Binding Error from a correspondent (§11.3.6). */
  processBindingError(received: ReceivedMobilityMessage, now: Nanos): void {
    const message = received.message.message;
    const entry = this.entries.get(received.source);
    if (message.kind !== 'bindingError' || entry === undefined || entry.state === 'failed') return;
    this.counters.bindingErrorsReceived++;
    if (message.status !== BindingErrorStatus.unknownBindingForHomeAddressOption || ipv6FromBytes(message.homeAddress) !== this.homeAddress) return;
    entry.boundCareOf = undefined;
    entry.expires = 0;
    const path = this.careOfPath(now);
    if (path !== undefined) this.startTest(entry, path, now);
  }

  private send(packet: Uint8Array, source: bigint, destination: bigint, oif: string | undefined, now: Nanos): void {
    const errno = this.stack.send(packet, source, destination, oif, now);
    if (errno !== null) this.node.recordDrop(oif ?? null, 'noRoute', packet, `mip6: to ${formatIpv6Number(destination)}: ${errno}`);
  }
}

