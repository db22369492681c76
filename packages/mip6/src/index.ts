/**
 * @netloom/mip6: Mobile IPv6 with multiple care-of addresses (RFC 6275, RFC 5648) as a part a node
 * loads (issue #18): the mobile node's binding update list, the home agent's binding cache and
 * tunnel, registered on the stack's seams (a Mobility Header transport, extension-header handlers,
 * netfilter hooks, an ip6tnl device). Behaviour follows ../shared/reference/ipvs-mip6-facts.md part B.
 */
export {};
