/**
 * Which of a node's addresses the pictures of the network show (`netloom graph`, the TUI's node
 * pane, the console's `nodes` table): IPv4 and IPv6 ones alike, except those on `lo` and IPv6
 * link-local ones (fe80::/10), which every interface has and which say nothing about the topology.
 */

export interface ShownAddressCandidate {
  ifname: string;
  address: string;
}

export function isShownAddress(a: ShownAddressCandidate): boolean {
  return a.ifname !== 'lo' && !/^fe[89ab][0-9a-f]:/i.test(a.address);
}
