/**
 * Forwarding only, for testing/kernel-differential.ts until its next edit: the address library is
 * @netloom/wire (address.ts; iproute2's lenient get_addr_ipv4 is iproute2-address.ts). New code
 * imports from there.
 */
export { parseIproute2Ipv4 as parseIpv4 } from '@netloom/wire';
