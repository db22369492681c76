/**
 * Netfilter-style hook points of one node: PREROUTING, LOCAL_IN, FORWARD, LOCAL_OUT and
 * POSTROUTING, per address family, where other parts of the node (IPVS, a packet filter, a test)
 * register functions that see, change, drop, take or re-route packets.
 *
 * Follows Linux's net/netfilter/core.c: a hook is registered with a family, a point and an integer
 * priority (lower runs first; the NF_IP_PRI_* values are `NF_IP_PRI`; a new hook runs after those of
 * equal priority, as nf_hook_entries_grow inserts it), at most MAX_HOOK_COUNT (1024) per point and
 * family (E2BIG beyond); nf_hook_slow runs them in order until one answers other than accept. The
 * verdicts are NF_ACCEPT (`'accept'`), NF_DROP with the reason the drop is traced with
 * (`{ drop: reason }`), NF_STOLEN (`'stolen'`: the hook took the packet, nothing more happens to it)
 * and, at LOCAL_OUT only, `'reroute'` (ip_route_me_harder; LOCAL_OUT also re-routes by itself when a
 * hook changed the destination, source, TOS or mark, as iptable_mangle's ipt_mangle_out does).
 * Where each point sits in the datapath (ipv4/ipv4-layer.ts), as in Linux: PREROUTING in ip_rcv
 * before the input route; LOCAL_IN in ip_local_deliver after reassembly, before the transport;
 * FORWARD in ip_forward after the TTL, MTU and redirect steps; LOCAL_OUT in __ip_local_out;
 * POSTROUTING in ip_output before fragmentation and neighbour output.
 * A hook gets a packet view it may change in place (the bytes, a header view over them, the mark)
 * and the in and out devices. The chains are copied on change (as nf_hook_entries are replaced),
 * so a hook that unregisters while packets pass does not disturb the walk. With nothing registered
 * a point costs one array length read.
 * Leaves out: conntrack, NF_QUEUE and NF_REPEAT, the bridge and ARP families, per-device ingress hooks.
 */
import type { Ipv4PacketView } from '@netloom/wire';
import type { DropReason, Nanos } from '../node-host.js';
import type { AddressFamily } from '../protocol-table.js';

/** The hook points (enum nf_inet_hooks). */
export type HookPoint = 'prerouting' | 'localIn' | 'forward' | 'localOut' | 'postrouting';

export const HOOK_POINTS: readonly HookPoint[] = ['prerouting', 'localIn', 'forward', 'localOut', 'postrouting'];

/** enum nf_ip_hook_priorities (include/uapi/linux/netfilter_ipv4.h). */
export const NF_IP_PRI = {
  first: -2147483648,
  rawBeforeDefrag: -450,
  conntrackDefrag: -400,
  raw: -300,
  selinuxFirst: -225,
  conntrack: -200,
  mangle: -150,
  natDst: -100,
  filter: 0,
  security: 50,
  natSrc: 100,
  selinuxLast: 225,
  conntrackHelper: 300,
  last: 2147483647,
} as const;

/** MAX_HOOK_COUNT of net/netfilter/core.c: hooks per point and family. */
export const MAX_HOOK_COUNT = 1024;

/** The header view a family's hooks get; IPv6 adds `6` by module augmentation, as for transports. */
export interface HookHeaders {
  4: Ipv4PacketView;
}

/** What a hook sees (the skb): changes to `bytes`, `header` and `mark` stay with the packet. */
export interface HookPacket<F extends keyof HookHeaders = keyof HookHeaders> {
  readonly family: F;
  readonly hook: HookPoint;
  /** The whole IP packet. A hook that rewrites a header field fixes the checksum itself. */
  readonly bytes: Uint8Array;
  /** A header view over `bytes` (for IPv4, Ipv4PacketView: field getters and setters, fillChecksum). */
  readonly header: HookHeaders[F];
  /** skb->mark: routing rules match it (fwmark); a LOCAL_OUT hook that changes it re-routes the packet. */
  mark: number;
  /** The device the packet came in on (PREROUTING, LOCAL_IN, FORWARD), else null. */
  readonly inDev: string | null;
  /** The device it is to leave by (FORWARD, LOCAL_OUT, POSTROUTING), else null. */
  readonly outDev: string | null;
}

export type HookVerdict = 'accept' | 'stolen' | 'reroute' | { drop: DropReason; detail?: string };

export type HookFunction<F extends keyof HookHeaders> = (packet: HookPacket<F>, now: Nanos) => HookVerdict;

export interface HookRegistration<F extends keyof HookHeaders> {
  hook: HookPoint;
  family: F;
  priority: number;
  fn: HookFunction<F>;
}

export interface HookEntry {
  priority: number;
  fn: HookFunction<keyof HookHeaders>;
}

/** One family's chains, by point: what a network layer keeps to test `chains.forward.length` per packet. */
export type HookChains = { readonly [P in HookPoint]: readonly HookEntry[] };

/** NF_ACCEPT, for hooks to return. */
export const ACCEPT: HookVerdict = 'accept';
/** NF_STOLEN. */
export const STOLEN: HookVerdict = 'stolen';
/** NF_DROP with the reason the trace shows. */
export function drop(reason: DropReason, detail?: string): HookVerdict {
  return detail === undefined ? { drop: reason } : { drop: reason, detail };
}

export class NetfilterHooks {
  private readonly families = new Map<AddressFamily, { -readonly [P in HookPoint]: readonly HookEntry[] }>();

  /**
   * nf_register_net_hook. Returns the function that unregisters it (nf_unregister_net_hook). An
   * unknown point or family, a priority that is not an integer, or a full chain (E2BIG) is a bug.
   */
  register<F extends keyof HookHeaders>(registration: HookRegistration<F>): () => void {
    const { hook, priority } = registration;
    if (!HOOK_POINTS.includes(hook)) throw new RangeError(`netfilter: no hook point ${String(hook)}`);
    if (!Number.isInteger(priority) || priority < NF_IP_PRI.first || priority > NF_IP_PRI.last) throw new RangeError(`netfilter: priority ${priority} is not a 32-bit integer`);
    const chains = this.mutableChains(registration.family);
    const chain = chains[hook];
    if (chain.length >= MAX_HOOK_COUNT) throw new RangeError(`netfilter: E2BIG, ${MAX_HOOK_COUNT} hooks already at ${hook}`);
    // The registration's function takes its own family's packets; the chain is walked only with those.
    const entry: HookEntry = { priority, fn: registration.fn as unknown as HookFunction<keyof HookHeaders> };
    let at = chain.findIndex((e) => priority < e.priority);
    if (at < 0) at = chain.length;
    chains[hook] = [...chain.slice(0, at), entry, ...chain.slice(at)];
    return () => {
      chains[hook] = chains[hook].filter((e) => e !== entry);
    };
  }

  /** The chains of a family, by point; the object stays the same, its arrays are replaced on change. */
  chains(family: AddressFamily): HookChains {
    return this.mutableChains(family);
  }

  /** nf_hook_slow: the hooks of `chain` in order until one answers other than accept. */
  run<F extends keyof HookHeaders>(chain: readonly HookEntry[], packet: HookPacket<F>, now: Nanos): HookVerdict {
    for (const entry of chain) {
      const verdict = entry.fn(packet, now);
      if (verdict !== 'accept') {
        if (verdict === 'reroute' && packet.hook !== 'localOut') throw new RangeError(`netfilter: a reroute verdict at ${packet.hook} (only LOCAL_OUT re-routes)`);
        return verdict;
      }
    }
    return 'accept';
  }

  private mutableChains(family: AddressFamily): { -readonly [P in HookPoint]: readonly HookEntry[] } {
    const number: number = family;
    if (number !== 4 && number !== 6) throw new RangeError(`netfilter: address family ${number} is not 4 or 6`);
    let chains = this.families.get(family);
    if (chains === undefined) {
      chains = { prerouting: [], localIn: [], forward: [], localOut: [], postrouting: [] };
      this.families.set(family, chains);
    }
    return chains;
  }
}
