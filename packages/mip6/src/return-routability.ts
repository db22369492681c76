/**
 * Return routability's keys (RFC 6275 §5.2): the correspondent's secret Kcn and its nonces, the
 * keygen tokens it hands out in HoT and CoT, the binding management key Kbm the mobile node builds
 * from them, and the Binding Authorization Data option's Authenticator over a Binding Update or
 * Binding Acknowledgement.
 *
 * Follows §5.2.5 and §6.2.7:
 *   home keygen token    = First(64, HMAC_SHA1(Kcn, home address | nonce | 0))
 *   care-of keygen token = First(64, HMAC_SHA1(Kcn, care-of address | nonce | 1))
 *   Kbm                  = SHA1(home keygen token | care-of keygen token)   (home token alone for
 *                          a deregistration, §5.2.6)
 *   Authenticator        = First(96, HMAC_SHA1(Kbm, care-of address | correspondent | MH Data))
 * where MH Data is the Mobility Header with its Checksum field as zero and without the
 * Authenticator itself (the Binding Authorization Data option is the message's last option, §6.2.7,
 * so the Authenticator is the Mobility Header's last 12 bytes). Kcn is 20 octets and nonces are 8
 * (UMIP's sizes); both come from the node's PRNG so runs replay. HMAC-SHA1 and SHA1 are node:crypto's,
 * loaded at the first hash: a node thread that never runs return routability does not load its 17
 * modules (≈ 5 ms of every thread's start; docs/engine.md, "What a node thread costs").
 * Leaves out: the privacy extensions and anything but SHA1.
 */
import { createRequire } from 'node:module';
import type { Prng } from '@netloom/stack/timers';

/** Kcn's length (§5.2.1: "at least 20 octets"). */
export const KCN_LENGTH = 20;
/** A nonce's length, as UMIP draws them. */
export const NONCE_LENGTH = 8;
/** Keygen tokens and cookies are 64 bits. */
export const TOKEN_LENGTH = 8;
export const AUTHENTICATOR_LENGTH = 12;

const SECOND = 1_000_000_000;
/** §12: a nonce is not accepted later than this after it was made. */
export const MAX_NONCE_LIFETIME = 240 * SECOND;
/** §12: how long the mobile node may use a keygen token. */
export const MAX_TOKEN_LIFETIME = 210 * SECOND;
/** §12: the longest binding a correspondent grants on return routability. */
export const MAX_RR_BINDING_LIFETIME_SECONDS = 420;

let loadedCrypto: typeof import('node:crypto') | null = null;

function nodeCrypto(): typeof import('node:crypto') {
  loadedCrypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return loadedCrypto;
}

/** `length` bytes drawn from the node's PRNG. */
export function randomBytes(prng: Prng, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = prng.below(256);
  return bytes;
}

function hmacSha1(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const hmac = nodeCrypto().createHmac('sha1', key);
  for (const part of parts) hmac.update(part);
  return new Uint8Array(hmac.digest());
}

/** First(64, HMAC_SHA1(Kcn, home address | nonce | 0)). */
export function homeKeygenToken(kcn: Uint8Array, homeAddress: Uint8Array, nonce: Uint8Array): Uint8Array {
  return hmacSha1(kcn, homeAddress, nonce, Uint8Array.of(0)).slice(0, TOKEN_LENGTH);
}

/** First(64, HMAC_SHA1(Kcn, care-of address | nonce | 1)). */
export function careOfKeygenToken(kcn: Uint8Array, careOfAddress: Uint8Array, nonce: Uint8Array): Uint8Array {
  return hmacSha1(kcn, careOfAddress, nonce, Uint8Array.of(1)).slice(0, TOKEN_LENGTH);
}

/** Kbm = SHA1(home keygen token | care-of keygen token); the home token alone for a deregistration. */
export function bindingManagementKey(homeToken: Uint8Array, careOfToken: Uint8Array | null): Uint8Array {
  const hash = nodeCrypto().createHash('sha1').update(homeToken);
  if (careOfToken !== null) hash.update(careOfToken);
  return new Uint8Array(hash.digest());
}

/**
 * First(96, HMAC_SHA1(Kbm, care-of address | correspondent | MH Data)) for the Mobility Header
 * `mobilityHeader` whose last option is the Binding Authorization Data (its Authenticator and the
 * Checksum are left out of / zeroed in the hash, whatever they hold).
 */
export function authenticatorOf(kbm: Uint8Array, careOfAddress: Uint8Array, correspondent: Uint8Array, mobilityHeader: Uint8Array): Uint8Array {
  const data = mobilityHeader.slice(0, mobilityHeader.length - AUTHENTICATOR_LENGTH);
  data[4] = 0;
  data[5] = 0;
  return hmacSha1(kbm, careOfAddress, correspondent, data).slice(0, AUTHENTICATOR_LENGTH);
}

/** Byte-wise equality (an Authenticator or a cookie against the expected one). */
export function isSameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** One nonce of the correspondent's, by its index (§5.2.2). */
export interface Nonce {
  index: number;
  value: Uint8Array;
  createdAt: number;
}

/**
 * The correspondent's Kcn and nonces: a new nonce every `interval` (netloom's 30 s; the RFC leaves
 * it open), indices counting up modulo 2^16, each accepted until MAX_NONCE_LIFETIME after it was
 * made. Bounded: only the nonces still acceptable are kept (240 / 30 + 1 of them).
 */
export class NonceTable {
  readonly kcn: Uint8Array;
  private readonly nonces: Nonce[] = [];
  private nextIndex: number;

  constructor(
    private readonly prng: Prng,
    private readonly interval: number,
  ) {
    this.kcn = randomBytes(prng, KCN_LENGTH);
    this.nextIndex = prng.below(0x10000);
  }

  /** The nonce to hand out at `now` (made when the newest is `interval` old). */
  current(now: number): Nonce {
    const newest = this.nonces[this.nonces.length - 1];
    if (newest !== undefined && now - newest.createdAt < this.interval) return newest;
    const nonce: Nonce = { index: this.nextIndex, value: randomBytes(this.prng, NONCE_LENGTH), createdAt: now };
    this.nextIndex = (this.nextIndex + 1) & 0xffff;
    this.nonces.push(nonce);
    while (this.nonces.length > 0 && now - (this.nonces[0]?.createdAt ?? now) >= MAX_NONCE_LIFETIME) this.nonces.shift();
    return nonce;
  }

  /** The nonce of `index` if it is still acceptable at `now`. */
  lookup(index: number, now: number): Nonce | undefined {
    return this.nonces.find((n) => n.index === index && now - n.createdAt < MAX_NONCE_LIFETIME);
  }
}
