/**
 * `netstat -s`'s `Ip:` and `Tcp:` sections (net-tools 2.10 statistics.c over /proc/net/snmp), from
 * the node's IP counters (ipv4/ip-mib.ts) and TCP's MIB (tcp/tcp-sockets.ts).
 *
 * Follows the real output on Linux 6.18: `Forwarding: N` first (1 forwarding, 2 not — printed as a
 * raw `Title: value` line, as this net-tools prints it), then the counters in /proc/net/snmp's
 * order, each with its statistics.c text; the always-shown ones (total packets received,
 * forwarded, incoming packets discarded / delivered, requests sent out) even at 0, the optional
 * ones only when non-zero, and a field net-tools has no text for (OutTransmits) as `Name: value`
 * when non-zero. Lines are indented by four spaces. `Tcp:` prints every counter of its Tcptab
 * even at 0 (all are `number`), in /proc/net/snmp's order — RtoAlgorithm (static, not printed),
 * RtoMin, RtoMax and MaxConn (no text) left out — and InCsumErrors, which Tcptab does not name, as
 * `InCsumErrors: N` when non-zero. `-t` prints only `Tcp:`, `-w` (raw) only `Ip:`.
 * Leaves out the other sections (Icmp, Udp, TcpExt, IpExt, …): the model keeps no such counters yet.
 */
import { IP_MIB_COUNTERS, type IpMib } from '../ipv4/ip-mib.js';
import type { TcpMib } from '../tcp/tcp-sockets.js';

/** statistics.c's Iptab: the text of each counter, and whether it is printed at 0. */
const IP_TEXT: Readonly<Record<string, { text: string; always: boolean }>> = {
  InReceives: { text: 'total packets received', always: true },
  InHdrErrors: { text: 'with invalid headers', always: false },
  InAddrErrors: { text: 'with invalid addresses', always: false },
  ForwDatagrams: { text: 'forwarded', always: true },
  InUnknownProtos: { text: 'with unknown protocol', always: false },
  InDiscards: { text: 'incoming packets discarded', always: true },
  InDelivers: { text: 'incoming packets delivered', always: true },
  OutRequests: { text: 'requests sent out', always: true },
  OutDiscards: { text: 'outgoing packets dropped', always: false },
  OutNoRoutes: { text: 'dropped because of missing route', always: false },
  ReasmTimeout: { text: 'fragments dropped after timeout', always: false },
  ReasmReqds: { text: 'reassemblies required', always: false },
  ReasmOKs: { text: 'packets reassembled ok', always: false },
  ReasmFails: { text: 'packet reassemblies failed', always: false },
  FragOKs: { text: 'outgoing packets fragmented ok', always: false },
  FragFails: { text: 'outgoing packets failed fragmentation', always: false },
  FragCreates: { text: 'fragments created', always: false },
};

/** The `Ip:` section; `forwarding` is net.ipv4.conf.all.forwarding. */
export function printIpStatistics(mib: IpMib, forwarding: boolean): string {
  let out = `Ip:\n    Forwarding: ${forwarding ? 1 : 2}\n`;
  for (const { name, field } of IP_MIB_COUNTERS) {
    const value = mib[field];
    const entry = IP_TEXT[name];
    if (entry === undefined) {
      if (value !== 0) out += `    ${name}: ${value}\n`;
    } else if (entry.always || value !== 0) out += `    ${value} ${entry.text}\n`;
  }
  return out;
}

/** statistics.c's Tcptab texts, in /proc/net/snmp's order of the Tcp line. */
const TCP_TEXT: readonly [keyof TcpMib, string][] = [
  ['activeOpens', 'active connection openings'],
  ['passiveOpens', 'passive connection openings'],
  ['attemptFails', 'failed connection attempts'],
  ['estabResets', 'connection resets received'],
  ['currEstab', 'connections established'],
  ['inSegs', 'segments received'],
  ['outSegs', 'segments sent out'],
  ['retransSegs', 'segments retransmitted'],
  ['inErrs', 'bad segments received'],
  ['outRsts', 'resets sent'],
];

/** The `Tcp:` section. */
export function printTcpStatistics(mib: TcpMib): string {
  let out = 'Tcp:\n';
  for (const [field, text] of TCP_TEXT) out += `    ${mib[field]} ${text}\n`;
  if (mib.inCsumErrors !== 0) out += `    InCsumErrors: ${mib.inCsumErrors}\n`;
  return out;
}
