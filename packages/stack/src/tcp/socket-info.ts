/**
 * What the socket listings (`ss`, `netstat -t`/`-u`) read about one socket: a plain record the
 * transports' socket tables fill (TCP's `tcpSocketSnapshot()`, UDP's table) and the formatters in
 * shell/ss-command.ts and shell/net-tools.ts print. Nothing here knows a socket object.
 *
 * Follows what Linux reports through inet_diag (ss) and /proc/net/tcp (netstat): the sockets in
 * the established and listening hashes — listeners, connections in every state including
 * SYN-RECV request sockets and TIME-WAIT — but not sockets that are only bound or not even bound
 * (Linux shows those only with `ss --bound-inactive`). A TIME-WAIT or SYN-RECV entry has no process.
 * Leaves out: timers (`ss -o`), memory (`ss -m`), tcp_info (`ss -i`), inode and uid (`ss -e`).
 */
import type { TcpState } from '../process.js';

/** An address and port as the socket holds them: the wildcard is '0.0.0.0' or '::', an unset port 0. */
export interface SocketEndpoint {
  /** IPv4 dotted quad or IPv6 text (any form wire's parser reads; the listing prints it compressed). */
  address: string;
  port: number;
  /** The scope (interface name) of an IPv6 link-local address, printed as `fe80::1%eth0`. */
  scope?: string;
}

/** The process holding the socket, as `ss -p` prints `users:(("nc",pid=12,fd=3))`. */
export interface SocketProcess {
  name: string;
  pid: number;
  /** The descriptor number in that process; Linux's first socket of a program is usually 3. */
  fd: number;
}

/** One TCP socket as `ss -t` and `netstat -t` list it. */
export interface TcpSocketInfo {
  family: 4 | 6;
  state: TcpState;
  /**
   * Recv-Q: bytes received and not yet read; for a LISTEN socket, connections waiting in the accept
   * queue (sk_ack_backlog).
   */
  recvQ: number;
  /**
   * Send-Q: bytes sent and not yet acknowledged plus bytes not yet sent; for a LISTEN socket, the
   * backlog given to listen(2) after the somaxconn cap (sk_max_ack_backlog).
   */
  sendQ: number;
  local: SocketEndpoint;
  /** For a listener: the wildcard address and port 0 (`0.0.0.0:*`, `[::]:*`). */
  remote: SocketEndpoint;
  /** SO_BINDTODEVICE: `ss` prints the local address as `0.0.0.0%eth0:80`. */
  boundDevice?: string;
  process?: SocketProcess;
}

/** One UDP socket as `ss -u` and `netstat -u` list it: UNCONN unless connected (ESTAB). */
export interface UdpSocketInfo {
  family: 4 | 6;
  connected: boolean;
  recvQ: number;
  sendQ: number;
  local: SocketEndpoint;
  remote: SocketEndpoint;
  boundDevice?: string;
  process?: SocketProcess;
}
