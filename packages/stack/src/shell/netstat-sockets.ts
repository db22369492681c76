/**
 * net-tools 2.10 `netstat`'s socket listing (-t, -u, -a, -l, -n, -p, -W, -4/-6): the "Active
 * Internet connections" table over the node's TCP and UDP tables, and the empty UNIX section a
 * listing without -t/-u ends with (the model has no Unix sockets).
 *
 * Follows netstat.c's tcp_do_one/udp_do_one over /proc/net/tcp, tcp6, udp, udp6 — in that order:
 * `%-4s  %6ld %6ld %-23s %-23s %-11s`, a listener's Send-Q 0 (/proc/net/tcp's tx_queue), states
 * as tcp_state[] names them (ESTABLISHED, SYN_SENT, TIME_WAIT…), UDP's state ESTABLISHED when
 * connected else blank; -a everything, -l only listeners (unconnected UDP), neither only the others;
 * an address cut to fit 22 characters with its port unless -W; `*` for port 0; service names
 * without -n (services.ts); -p's `PID/Program name` cut to 19 characters, `-` for a socket no
 * process holds (TIME_WAIT, a connection not yet accepted).
 * Leaves out: -e/-o (user, inode, timers), -c, reverse lookups of IPv6 addresses without -n (IPv4
 * ones use the node names `route` prints; Linux would ask DNS).
 */
import type { InetSocketInfo, SocketListing, TcpSocketInfo } from '../tcp/socket-info.js';
import { addressText, dumpOrder } from './ss-command.js';
import { serviceName } from './services.js';

export interface NetstatSocketRequest {
  tcp: boolean;
  udp: boolean;
  /** -a: listeners and connections. */
  all: boolean;
  /** -l: listeners only. */
  listening: boolean;
  /** -n (--numeric-hosts and --numeric-ports together). */
  numeric: boolean;
  /** -p. */
  programs: boolean;
  /** -W: addresses never cut. */
  wide: boolean;
  /** -4/-6/-A: the families to list. */
  families: ReadonlySet<4 | 6>;
  /** No socket kind was named: the UNIX section follows. */
  unixSection: boolean;
}

/** Node names for IPv4 addresses (the resolver `route` and `netstat -r` use), null when none. */
export type Ipv4Resolver = (address: number) => string | null;

const TCP_STATES: Readonly<Record<TcpSocketInfo['state'], string>> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  CLOSE: 'CLOSE',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

/** PROGNAME_WIDTH: the column, and the `pid/name` text cut to one less. */
const PROGNAME_WIDTH = 20;

function ipv4Number(text: string): number {
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** INET_sprint / INET6_sprint: the host part. */
function hostText(info: InetSocketInfo, address: string, request: NetstatSocketRequest, resolve: Ipv4Resolver): string {
  if (info.family === 4) {
    if (request.numeric || address === '0.0.0.0') return address;
    return resolve(ipv4Number(address)) ?? address;
  }
  const text = addressText(6, address);
  return text === '::' && !request.numeric ? '[::]' : text;
}

/** `addr:port` as netstat builds it, the address cut so that both fit 22 characters unless -W. */
function endpointText(info: InetSocketInfo, end: 'local' | 'remote', protocol: 'tcp' | 'udp', request: NetstatSocketRequest, resolve: Ipv4Resolver): string {
  const endpoint = info[end];
  const port = endpoint.port === 0 ? '*' : request.numeric ? String(endpoint.port) : serviceName(endpoint.port, protocol) ?? String(endpoint.port);
  let host = hostText(info, endpoint.address, request, resolve);
  if (!request.wide && host.length + port.length > 22) host = host.slice(0, Math.max(22 - port.length, 0));
  return `${host}:${port}`;
}

function row(protocol: 'tcp' | 'udp', info: InetSocketInfo, state: string, sendQ: number, request: NetstatSocketRequest, resolve: Ipv4Resolver): string {
  const name = info.family === 6 ? `${protocol}6` : protocol;
  const local = endpointText(info, 'local', protocol, request, resolve);
  const remote = endpointText(info, 'remote', protocol, request, resolve);
  let line = `${name.padEnd(4)}  ${String(info.recvQ).padStart(6)} ${String(sendQ).padStart(6)} ${local.padEnd(23)} ${remote.padEnd(23)} ${state.padEnd(11)}`;
  if (request.programs) {
    const program = info.process === undefined ? '-' : `${info.process.pid}/${info.process.name}`.slice(0, PROGNAME_WIDTH - 1);
    line += ` ${program.padEnd(PROGNAME_WIDTH)}`;
  }
  return `${line}\n`;
}

/** The listing `netstat` prints for sockets. */
export function printInternetConnections(listing: SocketListing, request: NetstatSocketRequest, resolve: Ipv4Resolver): string {
  const which = request.all ? 'servers and established' : request.listening ? 'only servers' : 'w/o servers';
  let out = '';
  if (request.tcp || request.udp) {
    out += `Active Internet connections (${which})\n`;
    out += `Proto Recv-Q Send-Q Local Address           Foreign Address         State      ${request.programs ? ` ${'PID/Program name'.padEnd(PROGNAME_WIDTH)}` : ''}\n`;
  }
  const shown = (isListener: boolean): boolean => request.all || (request.listening ? isListener : !isListener);
  if (request.tcp) {
    for (const info of dumpOrder(listing.tcp(), (s) => s.state === 'LISTEN')) {
      const listener = info.state === 'LISTEN';
      if (!request.families.has(info.family) || !shown(listener)) continue;
      out += row('tcp', info, TCP_STATES[info.state], listener ? 0 : info.sendQ, request, resolve);
    }
  }
  if (request.udp) {
    for (const info of dumpOrder(listing.udp(), () => false)) {
      if (!request.families.has(info.family) || !shown(!info.connected)) continue;
      out += row('udp', info, info.connected ? 'ESTABLISHED' : '', info.sendQ, request, resolve);
    }
  }
  if (request.unixSection) {
    out += `Active UNIX domain sockets (${which})\n`;
    out += `Proto RefCnt Flags       Type       State         I-Node   ${request.programs ? `${'PID/Program name'.padEnd(PROGNAME_WIDTH)} ` : ''}Path\n`;
  }
  return out;
}
