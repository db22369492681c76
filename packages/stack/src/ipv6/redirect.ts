/**
 * ICMPv6 redirects a router sends (RFC 4861 §8.2): Linux 6.18's ip6_forward test and
 * ndisc_send_redirect, as seen in namespaces (a router with 2001:db8:1::ff/64 and 2001:db8:2::ff/64
 * on one link forwarding an echo request from 2001:db8:1::1 to 2001:db8:2::1 back out of that link:
 * `fe80::ff:fe00:1 > 2001:db8:1::1: ICMP6, redirect, length 152, 2001:db8:2::1 to 2001:db8:2::1`
 * with the whole request in the redirected header option and no target link-layer option, the
 * router not knowing the target's MAC yet; the request is still forwarded).
 *
 * Follows: a packet leaving by the device it came in on draws a redirect when the inet_peer of its
 * destination allows one (a token bucket of 1 s, burst 6, shared with ICMPv6 errors), then
 * ndisc_send_redirect: the router needs a link-local address on the device (its source); the target
 * is the route's gateway, which must be link-local, or the destination itself when on link; the
 * packet's source must be a neighbour (its route has no gateway) and the inet_peer of that source
 * must allow it too; the target link-layer option when the target's neighbour entry is valid; the
 * redirected header option with as much of the packet as fits a 1280-byte message, in 8-byte units.
 * Leaves out: IPsec and source-routed packets (never redirected), L3 master devices, and the
 * host side (a host drops redirects: route exceptions are not modelled).
 */
import { ipv6ToBytes, isIpv6LinkLocal, isIpv6Multicast } from '@netloom/wire';
import type { NdpOption, NdpRepr } from '@netloom/wire';
import type { Nanos } from '../node-host.js';

const NDISC_HOP_LIMIT = 255;
const IPV6_MIN_MTU = 1280;
const IPV6_HEADER = 40;
/** struct rd_msg: the ICMPv6 header, target and destination. */
const RD_MSG = 40;
const ETH_ALEN = 6;
const SECOND = 1_000_000_000;

/** What sending a redirect needs from the IPv6 layer. */
export interface RedirectDependencies {
  /** ipv6_get_lladdr(dev, IFA_F_TENTATIVE banned). */
  linkLocalAddress(dev: string, now: Nanos): bigint | undefined;
  /** The route back to `source` leaves through `dev` without a gateway (the source is a neighbour). */
  isNeighbour(dev: string, source: bigint, now: Nanos): boolean;
  /** The link-layer address of a valid (NUD_VALID) neighbour entry, else null. */
  neighbourMac(dev: string, address: bigint): Uint8Array | null;
  /** inet_peer_xrlim_allow(peer of `address`, `interval`): shared with the ICMPv6 error limit. */
  rateAllowed(address: bigint, interval: Nanos, now: Nanos): boolean;
  sendNdisc(dev: string, source: bigint, destination: bigint, hopLimit: number, message: NdpRepr, now: Nanos): void;
}

/** A packet being forwarded. */
export interface ForwardedPacket {
  dev: string;
  source: bigint;
  destination: bigint;
  /** The IPv6 packet as it came in. */
  packet: Uint8Array;
}

export class RedirectSender {
  /** Redirects sent, for tests and statistics. */
  sent = 0;

  constructor(private readonly deps: RedirectDependencies) {}

  /** ip6_forward's test: the packet leaves by `outDev` through `gateway` (0n: on link). */
  forwarded(p: ForwardedPacket, outDev: string, gateway: bigint, now: Nanos): void {
    if (outDev !== p.dev || isIpv6Multicast(p.destination)) return;
    const target = gateway !== 0n ? gateway : p.destination;
    if (!this.deps.rateAllowed(p.destination, SECOND, now)) return;
    this.send(p, target, now);
  }

  /** ndisc_send_redirect. */
  private send(p: ForwardedPacket, target: bigint, now: Nanos): void {
    const source = this.deps.linkLocalAddress(p.dev, now);
    if (source === undefined) return;
    if (target !== p.destination && !isIpv6LinkLocal(target)) return;
    if (!this.deps.isNeighbour(p.dev, p.source, now)) return;
    if (!this.deps.rateAllowed(p.source, SECOND, now)) return;
    const options: NdpOption[] = [];
    const mac = this.deps.neighbourMac(p.dev, target);
    let optionLength = 0;
    if (mac !== null) {
      options.push({ kind: 'targetLinkLayerAddress', address: mac.slice(0, ETH_ALEN) });
      optionLength = 8;
    }
    const redirectedLength = Math.min(IPV6_MIN_MTU - IPV6_HEADER - RD_MSG - optionLength, p.packet.length + 8) & ~7;
    options.push({ kind: 'redirectedHeader', packet: p.packet.subarray(0, redirectedLength - 8) });
    this.sent++;
    this.deps.sendNdisc(p.dev, source, p.source, NDISC_HOP_LIMIT, { kind: 'redirect', target: ipv6ToBytes(target), destination: ipv6ToBytes(p.destination), options }, now);
  }
}
