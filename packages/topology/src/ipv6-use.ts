/**
 * Whether a topology configures IPv6: decides if its nodes put addrconf's DAD probes and router
 * solicitations on the wire (the stack's NodeConfig.ndiscProbes). Linux sends them on every
 * interface that comes up; netloom keeps a network the file configures only for IPv4 free of them,
 * so that an IPv4 trace shows IPv4 alone (the automatic link-local addresses still exist and are
 * tentative for DAD's time).
 * A topology configures IPv6 when a node has an `ra:` block, or a startup or event command is an
 * IPv6 command: a word `-6`, `inet6` or `ping6`, an IPv6 address (with or without a prefix length or
 * zone), or a `net.ipv6.` setting.
 * Leaves out: commands run later by hand (`netloom shell`, the TUI) or by the library API.
 */
import { isIPv6 } from 'node:net';
import type { TopologySpec } from './spec.js';

/** One command line mentions IPv6 as the module header says. */
export function isIpv6Command(cmd: string): boolean {
  // Every IPv6 word holds a '6' (-6, inet6, ping6, net.ipv6.) or a ':' (an address): a line with
  // neither is not split at all (a big network's boot has hundreds of thousands of lines).
  if (!cmd.includes('6') && !cmd.includes(':')) return false;
  for (const word of cmd.split(/\s+/)) {
    if (word === '-6' || word === 'inet6' || word === 'ping6' || word.includes('net.ipv6.')) return true;
    // Most words of a big network's startup commands hold no colon: no strings made for them.
    if (!word.includes(':')) continue;
    const address = word.replace(/\/\d+$/, '').replace(/%.*$/, '');
    if (isIPv6(address)) return true;
  }
  return false;
}

/** Some node has an `ra:` block or some startup or event command is an IPv6 command. */
export function configuresIpv6(spec: TopologySpec): boolean {
  if (spec.nodes.some((node) => node.ra !== undefined || node.exec.some(isIpv6Command))) return true;
  return spec.events.some((event) => event.kind === 'exec' && isIpv6Command(event.cmd));
}
