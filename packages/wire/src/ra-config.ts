/**
 * What a router interface advertises (radvd.conf's interface and prefix options, RFC 4861 §6.2.1):
 * the record a topology's `ra:` block becomes, that the runtime hands to the node and the stack's
 * router advertisement sender reads. All values are complete (radvd's defaults filled in by the
 * topology loader). Lives in wire because topology, ipc and stack all carry it; the RA message
 * itself is ndp.ts's.
 */

/** AdvValidLifetime / AdvPreferredLifetime `infinity`. */
export const RA_INFINITE_LIFETIME = 0xffffffff;

export interface RaPrefixConfig {
  /** The prefix as written, e.g. `2001:db8:1::`. */
  prefix: string;
  prefixLength: number;
  /** AdvOnLink (L flag). */
  onLink: boolean;
  /** AdvAutonomous (A flag). */
  autonomous: boolean;
  /** AdvValidLifetime, AdvPreferredLifetime in seconds; RA_INFINITE_LIFETIME for infinity. */
  validLifetime: number;
  preferredLifetime: number;
}

export type RouterPreferenceName = 'low' | 'medium' | 'high';

export interface RaInterfaceConfig {
  ifname: string;
  /** MinRtrAdvInterval, MaxRtrAdvInterval in nanoseconds. */
  minIntervalNs: number;
  maxIntervalNs: number;
  /** AdvDefaultLifetime in seconds; 0: not a default router. */
  routerLifetime: number;
  /** AdvDefaultPreference. */
  routerPreference: RouterPreferenceName;
  /** AdvLinkMTU; 0: no MTU option. */
  mtu: number;
  /** AdvCurHopLimit; 0: unspecified. */
  hopLimit: number;
  /** AdvManagedFlag (M), AdvOtherConfigFlag (O). */
  managed: boolean;
  otherConfig: boolean;
  /** AdvReachableTime, AdvRetransTimer in milliseconds; 0: unspecified. */
  reachableTimeMs: number;
  retransTimerMs: number;
  prefixes: RaPrefixConfig[];
}
