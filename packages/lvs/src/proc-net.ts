/**
 * The IPVS files of /proc/net, as ip_vs_ctl.c and ip_vs_conn.c print them:
 *  - /proc/net/ip_vs (ip_vs_info_seq_show): the version line with the connection table size, the two
 *    title lines, then each service in hex (`TCP  0A000001:0050 wlc  `, `FWM  00000001 rr `, IPv6 as
 *    `[2001:0db8:…]:0050`) with `persistent <timeout in jiffies (HZ 250)> <netmask in hex>`, and its real
 *    servers (`  -> C0A80A02:0050      Masq    1      0          0         `) in the kernel's list order;
 *  - /proc/net/ip_vs_conn (ip_vs_conn_seq_show): one line per connection and template with hex
 *    addresses and ports, the state and the seconds left;
 *  - /proc/net/ip_vs_stats (ip_vs_stats_show): the totals and rates in hex.
 * Services come in the order they were added, table services before fwmark ones (the kernel walks its
 * two hash tables, whose order depends on a per-boot pointer); connections in creation order (the
 * kernel's hash order is seeded at random).
 */
import { CONN_TAB_SIZE, TEMPLATE_STATE_ASSURED, type IpvsConnection } from './connection-table.js';
import { IPVS_VERSION, type Ipvs } from './ipvs.js';
import { TCP_STATE_NAMES } from './protocol-states.js';
import type { InetAddress } from './inet-address.js';
import { FORWARDING_NAMES, IPPROTO_TCP, IPPROTO_UDP, type VirtualService } from './virtual-service.js';

/** The kernel's HZ: /proc/net/ip_vs shows a persistence timeout in jiffies. */
const HZ = 250;

const hex = (value: number, width: number): string => (value >>> 0).toString(16).toUpperCase().padStart(width, '0');

/** %pI6: eight groups of four hex digits, not compressed. */
function fullIpv6(address: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((address >> BigInt(i * 16)) & 0xffffn).toString(16).padStart(4, '0'));
  return groups.join(':');
}

function procAddress(address: InetAddress): string {
  return address.family === 4 ? hex(address.v4, 8) : fullIpv6(address.v6);
}

/** ip_vs_proto_name. */
export function protocolName(protocol: number): string {
  if (protocol === IPPROTO_TCP) return 'TCP';
  if (protocol === IPPROTO_UDP) return 'UDP';
  if (protocol === 0) return 'IP';
  if (protocol === 132) return 'SCTP';
  if (protocol === 1) return 'ICMP';
  if (protocol === 58) return 'ICMPv6';
  return `IP_${protocol}`;
}

/** ip_vs_state_name. */
export function connectionStateName(conn: IpvsConnection): string {
  if (conn.isTemplate) return conn.state === TEMPLATE_STATE_ASSURED ? 'ASSURED' : 'NONE';
  if (conn.protocol === IPPROTO_UDP) return 'UDP';
  return TCP_STATE_NAMES[conn.state] ?? 'ERR!';
}

/** The vaddr a connection shows: a fwmark template's is the mark (htonl(fwmark) in the address's first word). */
export function virtualAddressOf(conn: IpvsConnection): InetAddress {
  if (!conn.isTemplate || conn.protocol !== 0) return conn.vaddr;
  return conn.family === 4 ? { family: 4, v4: conn.fwmark } : { family: 6, v6: BigInt(conn.fwmark) << 96n };
}

/** Whole seconds until the connection's timer fires (jiffies_delta_to_msecs / 1000). */
export function secondsLeft(conn: IpvsConnection, now: number): number {
  return Math.max(0, Math.floor((conn.expiresAt - now) / 1e9));
}

/** Services as the two kernel tables list them: protocol/address services, then fwmark services. */
export function servicesInKernelOrder(ipvs: Ipvs): VirtualService[] {
  const services = ipvs.listServices();
  return [...services.filter((s) => s.key.kind !== 'fwmark'), ...services.filter((s) => s.key.kind === 'fwmark')];
}

/** /proc/net/ip_vs. */
export function procNetIpVs(ipvs: Ipvs): string {
  let out = `IP Virtual Server version ${IPVS_VERSION} (size=${CONN_TAB_SIZE})\n`;
  out += 'Prot LocalAddress:Port Scheduler Flags\n';
  out += '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n';
  for (const service of servicesInKernelOrder(ipvs)) {
    const key = service.key;
    const ops = (service.flags & 0x4) !== 0 ? 'ops ' : '';
    const sched = service.scheduler.name;
    if (key.kind === 'fwmark') out += `FWM  ${hex(key.fwmark, 8)} ${sched} ${ops}`;
    else if (key.address.family === 6) out += `${protocolName(service.protocol)}  [${fullIpv6(key.address.v6)}]:${hex(key.port, 4)} ${sched} `;
    // "%s  %08X:%04X %s %s ": the scheduler, the "ops " flag (or nothing) and one more space.
    else out += `${protocolName(service.protocol)}  ${hex(key.address.v4, 8)}:${hex(key.port, 4)} ${sched} ${ops} `;
    if (service.isPersistent) {
      // svc->netmask: the IPv4 mask, or the IPv6 prefix length, through ntohl (little-endian host).
      const mask = service.family === 4 ? service.netmask : byteSwap32(service.netmask);
      out += `persistent ${service.timeout * HZ} ${hex(mask, 8)}\n`;
    } else {
      out += '\n';
    }
    for (const dest of service.destinations) {
      const address = dest.address.family === 4 ? hex(dest.address.v4, 8) : `[${fullIpv6(dest.address.v6)}]`;
      out += `  -> ${address}:${hex(dest.port, 4)}      ${FORWARDING_NAMES[dest.forwarding].padEnd(7)} ${String(dest.weight).padEnd(6)} ${String(dest.activeConns).padEnd(10)} ${String(dest.inactConns).padEnd(10)}\n`;
    }
  }
  return out;
}

function byteSwap32(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/** /proc/net/ip_vs_conn. */
export function procNetIpVsConn(ipvs: Ipvs, now: number): string {
  let out = 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n';
  for (const conn of ipvs.connections.all()) {
    const vaddr = procAddress(virtualAddressOf(conn));
    out +=
      `${protocolName(conn.protocol).padEnd(3)} ${procAddress(conn.caddr)} ${hex(conn.cport, 4)} ${vaddr} ${hex(conn.vport, 4)} ` +
      `${procAddress(conn.daddr)} ${hex(conn.dport, 4)} ${connectionStateName(conn).padEnd(11)} ${String(secondsLeft(conn, now)).padStart(7)}\n`;
  }
  return out;
}

/** /proc/net/ip_vs_stats. */
export function procNetIpVsStats(ipvs: Ipvs, now: number): string {
  ipvs.tick(now);
  const t = ipvs.totals;
  const r = t.rates();
  const h = (value: number, width: number): string => Math.trunc(value).toString(16).toUpperCase().padStart(width, ' ');
  return (
    '   Total Incoming Outgoing         Incoming         Outgoing\n' +
    '   Conns  Packets  Packets            Bytes            Bytes\n' +
    `${h(t.conns, 8)} ${h(t.inpkts, 8)} ${h(t.outpkts, 8)} ${h(t.inbytes, 16)} ${h(t.outbytes, 16)}\n\n` +
    ' Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n' +
    `${h(r.cps, 8)} ${h(r.inpps, 8)} ${h(r.outpps, 8)} ${h(r.inbps, 16)} ${h(r.outbps, 16)}\n`
  );
}
