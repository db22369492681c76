/**
 * The owners of a node's /proc/sys/net directories and their registration, in Linux's order of
 * initialisation: IPv4 (devinet_init: net.ipv4 with its conf; arp_init: net.ipv4.neigh) and IPv6
 * (addrconf_init: net.ipv6 with its conf; ndisc_init: net.ipv6.neigh). A protocol added later
 * registers its own directory the same way (net.ipv4.vs for IPVS). net.core holds somaxconn and
 * the socket buffer limits (core-sysctls.ts).
 * Leaves out the rest of the tree outside net.ipv4 and net.ipv6.
 */
import { AddrconfSysctls } from './addrconf-sysctls.js';
import { CoreSysctls } from './core-sysctls.js';
import { DevinetSysctls } from './devinet-sysctls.js';
import { ND_TBL_OVERRIDES, NeighSysctls } from './neigh-sysctls.js';
import type { SysctlTree } from './sysctl-tree.js';

/** IPv4's directories; the routing code reads conf and neigh values through the tree's IPv4 accessors. */
export function registerIpv4Sysctls(tree: SysctlTree): void {
  const conf = new DevinetSysctls(tree.onWrite);
  const neigh = new NeighSysctls('net.ipv4.neigh', tree.onWrite);
  tree.register(conf);
  tree.register(neigh);
  tree.attachIpv4(conf, neigh);
}

/** IPv6's directories. */
export function registerIpv6Sysctls(tree: SysctlTree): void {
  const conf = new AddrconfSysctls(tree.onWrite);
  tree.register(conf);
  tree.attachIpv6(conf);
  tree.register(new NeighSysctls('net.ipv6.neigh', tree.onWrite, ND_TBL_OVERRIDES));
}

/** Every directory of a Linux node's net tree. */
export function registerNetSysctls(tree: SysctlTree): void {
  tree.register(new CoreSysctls());
  registerIpv4Sysctls(tree);
  registerIpv6Sysctls(tree);
}
