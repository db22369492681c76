/**
 * The lines of the node detail pane (`i`), as pure functions of the runtime's records: a director's
 * IPVS in the shape of `ipvsadm -L -n` — a service row (protocol, address, scheduler, `-p` when
 * persistent) with its real servers under it (`  -> ADDRESS`, forwarding method, Weight, ActiveConn,
 * InActConn), under one heading line where ipvsadm has two (`Sched/Fwd` heads both the scheduler and
 * the Forward column) — with `--rate`'s CPS, InPPS, OutPPS, InBPS, OutBPS and `--stats`' Conns to the right as
 * far as the width allows (a service row sums its servers' connections and shows its own rates);
 * and a Mobile IPv6 node's bindings in the manner of `mip6d bc` / `mip6d bul`: BID, BID-PRI, CoA,
 * status and the lifetime left of what was granted, counted down from the UI's virtual time.
 * Leaves out the connection table (`ipvsadm -L -n -c` in the console shows it).
 */
import type { IpvsState, MobilityState, NodeInfo } from '../runtime-api.js';

const NS_PER_S = 1_000_000_000;

/** A numeric column to the right of the name, right-aligned, dropped from the end when the width runs out. */
interface Column {
  title: string;
  width: number;
}

const SERVER_COLUMNS: readonly Column[] = [
  { title: 'Weight', width: 6 },
  { title: 'ActiveConn', width: 10 },
  { title: 'InActConn', width: 9 },
  { title: 'CPS', width: 5 },
  { title: 'InPPS', width: 6 },
  { title: 'OutPPS', width: 6 },
  { title: 'InBPS', width: 8 },
  { title: 'OutBPS', width: 8 },
  { title: 'Conns', width: 7 },
];
/** `Sched/Fwd`: a service row's scheduler, a real server's forwarding method. */
const FORWARD_WIDTH = 9;

/** ipvsadm's K/M/G for numbers wider than their column (print_largenum without --exact). */
function fitNumber(value: number, width: number): string {
  let text = String(value);
  for (const [unit, size] of [
    ['K', 1e3],
    ['M', 1e6],
    ['G', 1e9],
  ] as const) {
    if (text.length <= width) break;
    text = `${Math.floor(value / size)}${unit}`;
  }
  return text.padStart(width);
}

function cells(values: readonly (number | string)[], columns: readonly Column[]): string {
  return columns.map((column, i) => ' ' + (typeof values[i] === 'number' ? fitNumber(values[i], column.width) : String(values[i] ?? '').padStart(column.width))).join('');
}

/** `ipvsadm -L -n`'s table with the rates and Conns to its right, cut to `width` by whole columns. */
export function ipvsLines(ipvs: IpvsState, width: number): string[] {
  const names = ipvs.services.flatMap((s) => [`${s.protocol}  ${s.address}`, ...s.realServers.map((rs) => `  -> ${rs.address}`)]);
  const nameWidth = Math.max(22, ...names.map((n) => n.length));
  // The leading columns that fit, whole (values are matched to columns by position).
  let room = width - nameWidth - 1 - FORWARD_WIDTH;
  let fitting = 0;
  while (fitting < SERVER_COLUMNS.length && (room -= SERVER_COLUMNS[fitting]!.width + 1) >= 0) fitting++;
  const columns = SERVER_COLUMNS.slice(0, fitting);
  // ipvsadm's two heading lines in one, so that a service and three real servers fit 80x24.
  const lines = [`${'Prot LocalAddress:Port'.padEnd(nameWidth)} ${'Sched/Fwd'.padEnd(FORWARD_WIDTH)}${cells(
    columns.map((c) => c.title),
    columns,
  )}`];
  if (ipvs.serviceCount === 0) lines.push('(no virtual services: ipvsadm -A adds one)');
  for (const service of ipvs.services) {
    const active = service.realServers.reduce((sum, rs) => sum + rs.activeConns, 0);
    const inactive = service.realServers.reduce((sum, rs) => sum + rs.inactConns, 0);
    const scheduler = service.persistent === null ? service.scheduler : `${service.scheduler} -p ${service.persistent}`;
    const r = service.rates;
    // The scheduler takes the Forward and Weight columns of a service row.
    const head = `${`${service.protocol}  ${service.address}`.padEnd(nameWidth)} ${scheduler.padEnd(FORWARD_WIDTH + 1 + SERVER_COLUMNS[0]!.width)}`;
    lines.push(head + cells([active, inactive, r.cps, r.inpps, r.outpps, r.inbps, r.outbps, service.conns], columns.slice(1)));
    for (const rs of service.realServers) {
      const s = rs.rates;
      lines.push(`${`  -> ${rs.address}`.padEnd(nameWidth)} ${rs.forward.padEnd(FORWARD_WIDTH)}${cells([rs.weight, rs.activeConns, rs.inactConns, s.cps, s.inpps, s.outpps, s.inbps, s.outbps, rs.conns], columns)}`);
    }
    if (service.realServerCount > service.realServers.length) lines.push(`  (${service.realServerCount - service.realServers.length} more real servers)`);
  }
  if (ipvs.serviceCount > ipvs.services.length) lines.push(`(${ipvs.serviceCount - ipvs.services.length} more services)`);
  return lines;
}

/** `LEFT/GRANTED` seconds; `-/GRANTED` when not registered. */
function lifetimeText(expiresAt: number | null, lifetime: number, now: number): string {
  if (expiresAt === null) return `-/${lifetime}`;
  return `${Math.max(0, Math.floor((expiresAt - now) / NS_PER_S))}/${lifetime}`;
}

/** The binding cache (home agent) or binding update list (mobile node) at virtual time `now`. */
export function bindingLines(mobility: MobilityState, now: number): string[] {
  const rows = mobility.bindings;
  const coaWidth = Math.max(15, ...rows.map((b) => (b.careOfAddress ?? '-').length));
  const lines: string[] = [];
  if (mobility.role === 'home-agent') {
    const hoaWidth = Math.max(15, ...rows.map((b) => b.homeAddress.length));
    lines.push(`${'HoA'.padEnd(hoaWidth)} BID PRI ${'CoA'.padEnd(coaWidth)} ${'LIFETIME'.padStart(11)}   SEQ`);
    if (rows.length === 0) lines.push('(no bindings)');
    for (const b of rows) {
      lines.push(
        `${b.homeAddress.padEnd(hoaWidth)} ${String(b.bindingId).padStart(3)} ${String(b.priority).padStart(3)} ${(b.careOfAddress ?? '-').padEnd(coaWidth)} ${lifetimeText(b.expiresAt, b.lifetime, now).padStart(11)} ${String(b.sequence).padStart(5)}${b.tunnel ? ' tunnel' : ''}`,
      );
    }
  } else {
    const devWidth = Math.max(3, ...rows.map((b) => (b.dev ?? '').length));
    lines.push(`BID PRI ${'DEV'.padEnd(devWidth)} ${'CoA'.padEnd(coaWidth)} ${'STATUS'.padEnd(11)} ${'LIFETIME'.padStart(11)}   SEQ RESEND`);
    for (const b of rows) {
      lines.push(
        `${String(b.bindingId).padStart(3)} ${String(b.priority).padStart(3)} ${(b.dev ?? '').padEnd(devWidth)} ${(b.careOfAddress ?? '-').padEnd(coaWidth)} ${b.status.padEnd(11)} ${lifetimeText(b.expiresAt, b.lifetime, now).padStart(11)} ${String(b.sequence).padStart(5)} ${String(b.retransmissions).padStart(6)}`,
      );
    }
  }
  if (mobility.bindingCount > rows.length) lines.push(`(${mobility.bindingCount - rows.length} more bindings)`);
  return lines;
}

/** The pane's title and lines for `node` (sections for what it runs, or why there is nothing). */
export function nodeDetail(node: NodeInfo, now: number, width: number): { title: string; lines: string[] } {
  const parts: string[] = [];
  const lines: string[] = [];
  if (node.ipvs !== undefined) {
    parts.push(`IPVS ${node.ipvs.serviceCount} service${node.ipvs.serviceCount === 1 ? '' : 's'}`);
    lines.push(...ipvsLines(node.ipvs, width));
  }
  if (node.mobility !== undefined) {
    const m = node.mobility;
    parts.push(m.role === 'home-agent' ? `BINDING CACHE ${m.bindingCount}` : `BINDING UPDATE LIST ${m.bindingCount}, home ${m.homeAddress ?? '?'}`);
    if (lines.length > 0) lines.push('');
    lines.push(...bindingLines(m, now));
  }
  if (parts.length === 0) lines.push('No IPVS (ipvsadm or modprobe ip_vs loads it) and no mip6d running on this node.');
  return { title: `${node.name} (${node.kind})${parts.length > 0 ? `  ${parts.join('  ')}` : ''}`, lines };
}
