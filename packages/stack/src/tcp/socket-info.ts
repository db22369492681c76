/**
 * What the socket listings (`ss`, `netstat -t`/`-u`) read about one socket: a plain record the
 * transports' socket tables fill (TCP's `tcpSocketSnapshot()`, UDP's table) and the formatters in
 * shell/ss-command.ts and shell/net-tools.ts print. Nothing here knows a socket object.
 *
 * Follows what Linux reports through inet_diag (ss) and /proc/net/tcp (netstat): the sockets in
 * the established and listening hashes — listeners, connections in every state including
 * SYN-RECV request sockets and TIME-WAIT — but not sockets that are only bound or not even bound
 * (Linux shows those only with `ss --bound-inactive`). A TIME-WAIT or SYN-RECV entry has no process.
 * `socketProcess` turns a socket's owner into the process `-p` prints.
 * Leaves out: timers (`ss -o`), memory (`ss -m`), tcp_info (`ss -i`), inode and uid (`ss -e`).
 */
import type { TcpState } from '../process.js';

/** An address and port as the socket holds them: the wildcard is '0.0.0.0' or '::', an unset port 0. */
export interface SocketEndpoint {
  /** IPv4 dotted quad or IPv6 text (any form wire's parser reads; the listing prints it compressed). */
  address: string;
  port: number;
}

/** The process holding the socket, as `ss -p` prints `users:(("nc",pid=12,fd=3))`. */
export interface SocketProcess {
  name: string;
  pid: number;
  /** The descriptor number in that process; Linux's first socket of a program is usually 3. */
  fd: number;
}

/** What every listed Internet socket has, TCP or UDP. */
export interface InetSocketInfo {
  family: 4 | 6;
  /**
   * Recv-Q: bytes received and not yet read (TCP: rcv_nxt − copied_seq, so a FIN not yet read counts
   * 1, as in CLOSE-WAIT); for a LISTEN socket, connections waiting in the accept queue (sk_ack_backlog).
   */
  recvQ: number;
  /**
   * Send-Q: bytes sent and not yet acknowledged plus bytes not yet sent (TCP: write_seq − snd_una, so
   * a SYN or FIN in flight counts 1, as in SYN-SENT); for a LISTEN socket, the backlog given to
   * listen(2) after the somaxconn cap (sk_max_ack_backlog). `netstat` shows 0 for a listener.
   */
  sendQ: number;
  local: SocketEndpoint;
  /** For a listener or an unconnected UDP socket: the wildcard address and port 0 (`0.0.0.0:*`, `[::]:*`). */
  remote: SocketEndpoint;
  /**
   * sk_bound_dev_if: SO_BINDTODEVICE, or the interface of a link-local address the socket connected
   * to or bound (Linux binds the socket to the scope's device). `ss` prints `0.0.0.0%eth0:80`.
   */
  boundDevice?: string;
  /**
   * An IPv6 socket with IPV6_V6ONLY off, taking IPv4 too: `ss` prints its wildcard as `*`. The model's
   * IPv6 sockets have their own port space (v6only), so they leave this out and print `[::]`.
   */
  dualStack?: boolean;
  process?: SocketProcess;
}

/** One TCP socket as `ss -t` and `netstat -t` list it. */
export interface TcpSocketInfo extends InetSocketInfo {
  state: TcpState;
}

/** One UDP socket as `ss -u` and `netstat -u` list it: UNCONN unless connected (ESTAB). */
export interface UdpSocketInfo extends InetSocketInfo {
  connected: boolean;
}

/** Where the listings read the node's sockets: the TCP and UDP tables' snapshots. */
export interface SocketListing {
  tcp(): readonly TcpSocketInfo[];
  udp(): readonly UdpSocketInfo[];
}

/** What a socket's owner offers when it is a process (process-table.ts's ProcessOwner). */
interface DescriptorHolder {
  readonly pid: number;
  readonly name: string;
  descriptor(socket: object): number;
}

/** The process holding `socket`, when its owner is a process (the tables type owners loosely). */
export function socketProcess(owner: object, socket: object): SocketProcess | undefined {
  const holder = owner as Partial<DescriptorHolder>;
  if (typeof holder.pid !== 'number' || typeof holder.name !== 'string' || typeof holder.descriptor !== 'function') return undefined;
  return { name: holder.name, pid: holder.pid, fd: holder.descriptor(socket) };
}
