/**
 * @netloom/mip6: Mobile IPv6 with multiple care-of addresses (RFC 6275, RFC 5648) as a part a node
 * loads (issue #18): the mobile node's binding update list, the home agent's binding cache and
 * tunnel, registered on the stack's seams (a Mobility Header transport, the type 2 routing header,
 * netfilter hooks, an ip6tnl device). Behaviour follows ../shared/reference/ipvs-mip6-facts.md part B;
 * docs/mip6.md says what is modelled.
 */
export { registerMip6, mip6Of, Mip6, MIP6_MODULE, TUNNEL_DEVICE, DEFAULT_CONFIG_FILE } from './mip6.js';
export { BindingCache, isSequenceNewer, type Binding, type BindingDecision, type BindingUpdateRequest } from './binding-cache.js';
export { parseMip6dConf, type Mip6dConfig } from './mip6d-conf.js';
