/**
 * IPv6 source address selection (RFC 6724 §5) as Linux does it (net/ipv6/addrconf.c
 * ipv6_dev_get_saddr, __ipv6_dev_get_saddr and ipv6_get_saddr_eval): candidates are the addresses
 * of the outgoing device when the destination is multicast or link-local (or there is no
 * outgoing device constraint: every device's, in device order, each device's list in its order);
 * tentative addresses (unless optimistic), the unspecified address and multicast addresses are no
 * candidates. Two candidates are compared rule by rule in the kernel's order, the first rule that
 * tells them apart decides, and a later candidate must be strictly better to win:
 *   same address; appropriate scope (an adequate scope, the smaller the better, beats any too
 *   small one, the larger the better); avoid deprecated (IPv4-mapped and loopback count as
 *   preferred); prefer home address (or care-of with IPV6_PREFER_SRC_COA) — only in a kernel built
 *   with CONFIG_IPV6_MIP6 (`#ifdef` in the kernel: Debian builds MIP6 as a module, so its 6.18
 *   kernel has no such rule, as the namespace comparison shows); prefer the outgoing
 *   interface; matching label (ip addrlabel); temporary addresses (when the flow asks for them
 *   with IPV6_PREFER_SRC_TMP or use_tempaddr >= 2, else public ones, Linux's default); ORCHID
 *   (2001:10::/28) on both sides or neither; longest matching prefix, capped at the candidate's
 *   prefix length.
 * Leaves out rule 5.5 (next-hop advertised prefixes; Linux has none), optimistic addresses and
 * L3 master devices.
 */
import { commonPrefixLength, ipv6AddressScope, isInIpv6Prefix, isIpv6Multicast, SCOPE_LINK_LOCAL, type Ipv6Number } from '@netloom/wire';
import type { DeviceState } from './devices.js';
import type { AddressLabels } from './address-labels.js';
import type { Inet6AddressState } from './addrconf.js';

/** IPV6_ADDR_PREFERENCES a flow may carry. */
export interface SourcePreferences {
  /** IPV6_PREFER_SRC_TMP (true) or IPV6_PREFER_SRC_PUBLIC (false); unset: the device's use_tempaddr. */
  temporary?: boolean;
  /** IPV6_PREFER_SRC_COA: prefer care-of addresses over home addresses. */
  careOf?: boolean;
}

export interface SourceQuery {
  dst: Ipv6Number;
  /** The outgoing device (the route's), if known. */
  dev?: DeviceState;
  prefs?: SourcePreferences;
}

export interface SourceCandidate {
  dev: DeviceState;
  state: Inet6AddressState;
}

const ORCHID_PREFIX: Ipv6Number = 0x20010010n << 96n;

function isOrchid(address: Ipv6Number): boolean {
  return isInIpv6Prefix(address, ORCHID_PREFIX, 28);
}

/** One rule's score for a candidate (ipv6_get_saddr_eval); higher is better. */
type Rule = (c: SourceCandidate, ctx: RuleContext) => number;

interface RuleContext {
  dst: Ipv6Number;
  dstScope: number;
  dstLabel: number;
  dstIfindex: number;
  prefs: SourcePreferences;
  labels: AddressLabels;
  useTempaddr: (dev: DeviceState) => number;
}

/** The home-address rule (IPV6_SADDR_RULE_HOA), present only with CONFIG_IPV6_MIP6. */
const HOME_RULE: Rule = (c, x) => (c.state.address.home === !x.prefs.careOf ? 1 : 0);

const RULES: readonly Rule[] = [
  // Rule 1: prefer same address.
  (c, x) => (c.state.address.address === x.dst ? 1 : 0),
  // Rule 2: prefer appropriate scope.
  (c, x) => {
    const scope = ipv6AddressScope(c.state.address.address);
    return scope >= x.dstScope ? -scope : scope - 128;
  },
  // Rule 3: avoid deprecated addresses (ipv6_saddr_preferred: mapped and loopback always count as preferred).
  (c) => (c.state.address.address === 1n || c.state.address.address >> 32n === 0xffffn || !c.state.deprecated ? 1 : 0),
  // Rule 4: prefer home addresses.
  HOME_RULE,
  // Rule 5: prefer outgoing interface.
  (c, x) => (x.dstIfindex === 0 || x.dstIfindex === c.dev.ifindex ? 1 : 0),
  // Rule 6: prefer matching label.
  (c, x) => (x.labels.labelOf(c.state.address.address, c.dev.ifindex) === x.dstLabel ? 1 : 0),
  // Rule 7: prefer temporary addresses (or public ones, Linux's default).
  (c, x) => {
    const preferTemporary = x.prefs.temporary ?? x.useTempaddr(c.dev) >= 2;
    return c.state.address.temporary === preferTemporary ? 1 : 0;
  },
  // ORCHID on both sides or neither.
  (c, x) => (isOrchid(c.state.address.address) === isOrchid(x.dst) ? 1 : 0),
  // Rule 8: longest matching prefix, capped at the candidate's prefix length.
  (c, x) => Math.min(commonPrefixLength(c.state.address.address, x.dst), c.state.address.prefixLength),
];

/** ipv6_dev_get_saddr: the chosen source, or undefined (EADDRNOTAVAIL). */
export function selectIpv6Source(
  query: SourceQuery,
  addresses: readonly SourceCandidate[],
  labels: AddressLabels,
  useTempaddr: (dev: DeviceState) => number,
  mip6: boolean,
): SourceCandidate | undefined {
  const rules = mip6 ? RULES : RULES.filter((r) => r !== HOME_RULE);
  const dstScope = ipv6AddressScope(query.dst);
  const dstIfindex = query.dev?.ifindex ?? 0;
  const ctx: RuleContext = {
    dst: query.dst,
    dstScope,
    dstLabel: labels.labelOf(query.dst, dstIfindex),
    dstIfindex,
    prefs: query.prefs ?? {},
    labels,
    useTempaddr,
  };
  const onlyOif = query.dev !== undefined && (isIpv6Multicast(query.dst) || dstScope <= SCOPE_LINK_LOCAL);
  let best: SourceCandidate | undefined;
  for (const candidate of addresses) {
    if (onlyOif && candidate.dev !== query.dev) continue;
    const a = candidate.state.address.address;
    if (candidate.state.tentative || a === 0n || isIpv6Multicast(a)) continue;
    if (!best) {
      best = candidate;
      continue;
    }
    for (const rule of rules) {
      const high = rule(best, ctx);
      const score = rule(candidate, ctx);
      if (high > score) break;
      if (high < score) {
        best = candidate;
        break;
      }
    }
  }
  return best;
}
