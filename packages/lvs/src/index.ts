/**
 * @netloom/lvs: IPVS, the Linux Virtual Server, as a part a node loads (issue #17): virtual services,
 * real servers, the schedulers, the connection table with IPVS's own TCP state machine, the
 * forwarding methods (masquerading, direct routing, IP-in-IP tunnelling) on the stack's netfilter
 * hooks, and `ipvsadm`. Behaviour follows ../shared/reference/ipvs-mip6-facts.md part A.
 *
 * The control plane (this directory) is a plain model with no node behind it: ipvs.ts (one node's
 * IPVS: services, connections, settings; `inbound`/`outbound`/`tick` for the datapath),
 * virtual-service.ts (services and real servers), connection-table.ts, protocol-states.ts (IPVS's
 * TCP state machine and timeouts), schedulers/, ipvs-stats.ts (counters and the 2 s rate
 * estimator), vs-settings.ts (net.ipv4.vs), inet-address.ts; ipvsadm.ts (the command) and
 * proc-net.ts (/proc/net/ip_vs*). The datapath (datapath/) drives it with virtual time.
 */
export * from './inet-address.js';
export * from './ipvs-stats.js';
export * from './virtual-service.js';
export * from './protocol-states.js';
export * from './connection-table.js';
export * from './ipvs.js';
export * from './vs-settings.js';
export { createScheduler, isSchedulerName, DEFAULT_SCHEDULER } from './schedulers/scheduler-registry.js';
export { ipvsadm, compareServices, compareDestinations, type IpvsadmOptions, type IpvsadmResult } from './ipvsadm.js';
export { procNetIpVs, procNetIpVsConn, procNetIpVsStats } from './proc-net.js';
