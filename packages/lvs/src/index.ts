/**
 * @netloom/lvs: IPVS, the Linux Virtual Server, as a part a node loads (issue #17): virtual services,
 * real servers, the schedulers, the connection table with IPVS's own TCP state machine, the
 * forwarding methods (masquerading, direct routing, IP-in-IP tunnelling) on the stack's netfilter
 * hooks, and `ipvsadm`. Behaviour follows ../shared/reference/ipvs-mip6-facts.md part A.
 *
 * The control plane (this directory) is a plain model with no node behind it: virtual-service.ts
 * (services and real servers), ipvs-stats.ts (counters and the 2 s rate estimator), inet-address.ts.
 * The datapath (datapath/) drives it with virtual time.
 */
export * from './inet-address.js';
export * from './ipvs-stats.js';
export * from './virtual-service.js';
