/**
 * Forwarding only, for testing/kernel-differential6.ts and shell/ip6-route.ts until their next
 * edit: IPv6 address arithmetic lives in @netloom/wire (address.ts). New code imports from there.
 */
export { formatIpv6Number, isInIpv6Prefix, parseIpv6Number, type Ipv6Number } from '@netloom/wire';
