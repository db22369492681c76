/**
 * Temporary (privacy) IPv6 addresses, RFC 8981, as Linux 6.18's addrconf.c computes them: the
 * random interface identifier (ipv6_gen_rnd_iid), REGEN_ADVANCE (ipv6_get_regen_advance), the
 * device's DESYNC_FACTOR and a new temporary's lifetimes (ipv6_create_tempaddr), and the clamp a
 * public address's new lifetimes put on its temporaries (manage_tempaddrs). kernel/addrconf.ts keeps
 * the addresses and decides when these apply; this module only computes.
 *
 * Follows, as seen in a namespace on Linux 6.18 with use_tempaddr 2: a temporary keeps its public
 * address's timestamp, so its valid lifetime is min(public's, temp_valid_lft + age) and its preferred
 * one min(public's, temp_prefered_lft + age − desync, valid); a preferred lifetime at or under
 * REGEN_ADVANCE + age is raised to REGEN_ADVANCE + age + 1 unless that passes the valid or the
 * public's preferred lifetime (then no temporary). The desync factor is drawn (get_random_bytes %
 * max) when the device has none yet or its value is above the current maximum,
 * min(max_desync_factor, temp_prefered_lft − REGEN_ADVANCE).
 * Leaves out: ADDRCONF_TIMER_FUZZ_MINUS in the age (the model's ages are exact seconds).
 */
import type { Ipv6Number } from '@netloom/wire';

/** The random draws the kernel makes (get_random_bytes): the node's seeded PRNG. */
export interface RandomSource {
  nextUint32(): number;
}

/** The net.ipv6.conf.DEV.* values a temporary address depends on. */
export interface TempaddrConf {
  tempValidLft: number;
  tempPreferedLft: number;
  maxDesyncFactor: number;
  regenMaxRetry: number;
  regenMinAdvance: number;
  dadTransmits: number;
  retransTimeMs: number;
}

const U32 = 0x1_0000_0000;
const HZ = 250;
const MS_PER_JIFFY = 4;

function u32(value: number): number {
  return ((value % U32) + U32) % U32;
}

/**
 * ipv6_get_regen_advance: regen_min_advance + regen_max_retry × dad_transmits × max(retrans_time, HZ/100) / HZ
 * seconds, in jiffies' integer arithmetic.
 */
export function regenAdvance(conf: TempaddrConf): number {
  const retransJiffies = Math.max(Math.floor(conf.retransTimeMs / MS_PER_JIFFY), Math.floor(HZ / 100));
  return conf.regenMinAdvance + Math.floor((conf.regenMaxRetry * conf.dadTransmits * retransJiffies) / HZ);
}

/** The reserved interface identifiers ipv6_gen_rnd_iid draws again (RFC 5453). */
export function isReservedInterfaceId(iid: bigint): boolean {
  const high = Number(iid >> 32n);
  const low = Number(iid & 0xffffffffn);
  // Subnet-router anycast.
  if (iid === 0n) return true;
  // IANA Ethernet block and Proxy Mobile IPv6: 0200:5EFF:FExx:xxxx.
  if (high === 0x02005eff && (low & 0xff000000) >>> 0 === 0xfe000000) return true;
  // Reserved subnet anycast addresses.
  return high === 0xfdffffff && low >= 0xffffff80;
}

/** ipv6_gen_rnd_iid: `prefix`'s upper 64 bits with a random, unreserved interface identifier. */
export function randomTemporaryAddress(prefix: Ipv6Number, random: RandomSource): Ipv6Number {
  for (;;) {
    const iid = (BigInt(random.nextUint32()) << 32n) | BigInt(random.nextUint32());
    if (!isReservedInterfaceId(iid)) return ((prefix >> 64n) << 64n) | iid;
  }
}

/** The device's desync factor after ipv6_create_tempaddr's check (null: never drawn). */
export function desyncFactor(current: number | null, conf: TempaddrConf, random: RandomSource): number {
  const max = Math.min(conf.maxDesyncFactor, conf.tempPreferedLft - regenAdvance(conf));
  if (current !== null && current <= max) return current;
  if (max <= 0) return 0;
  return random.nextUint32() % max;
}

/** ipv6_create_tempaddr's lifetimes for a temporary of a public address aged `age` seconds, or null (none). */
export function temporaryLifetimes(
  publicAddress: { validLft: number; preferredLft: number },
  age: number,
  desync: number,
  conf: TempaddrConf,
): { validLft: number; preferredLft: number } | null {
  const validLft = Math.min(publicAddress.validLft, u32(conf.tempValidLft + age));
  let preferredLft = Math.min(publicAddress.preferredLft, u32(conf.tempPreferedLft + age - desync), validLft);
  const advance = regenAdvance(conf);
  if (preferredLft <= advance + age) {
    preferredLft = advance + age + 1;
    if (preferredLft > validLft || preferredLft > publicAddress.preferredLft) return null;
  }
  return { validLft, preferredLft };
}

/**
 * manage_tempaddrs' clamp of a temporary created `age` seconds ago: the public address's new
 * lifetimes, at most what the temporary may still have.
 */
export function clampedTemporaryLifetimes(
  lifetimes: { validLft: number; preferredLft: number },
  age: number,
  desync: number,
  conf: TempaddrConf,
): { validLft: number; preferredLft: number } {
  const maxValid = Math.max(0, conf.tempValidLft - age);
  const maxPreferred = Math.max(0, conf.tempPreferedLft - desync - age);
  return { validLft: Math.min(lifetimes.validLft, maxValid), preferredLft: Math.min(lifetimes.preferredLft, maxPreferred) };
}
