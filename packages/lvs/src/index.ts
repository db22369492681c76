/**
 * @netloom/lvs: IPVS, the Linux Virtual Server, as a part a node loads (issue #17): virtual services,
 * real servers, the schedulers, the connection table with IPVS's own TCP state machine, the
 * forwarding methods (masquerading, direct routing, IP-in-IP tunnelling) on the stack's netfilter
 * hooks, and `ipvsadm`. Behaviour follows ../shared/reference/ipvs-mip6-facts.md part A.
 */
export {};
