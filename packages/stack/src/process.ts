/**
 * The contract between the kernel model and programs running on a node (packages/apps, and the
 * library API's sockets). Programs are registered by name; the node shell starts them.
 *
 * Covers: a process's argv, output (whose writes can fail, as into a full file), exit, timers in
 * virtual time, and sockets with Linux semantics (UDP datagram sockets, ICMP echo sockets as
 * Linux's ping sockets, raw access for traceroute's probes, TCP stream sockets). Leaves out: signals other than SIGINT.
 *
 * Errno values are Linux's names (errno(3)); `errnoMessage` gives strerror(3)'s text.
 */
import type { NdpRepr } from '@netloom/wire';
import type { Nanos } from './node-host.js';

export type Errno =
  | 'ENETUNREACH'
  | 'EHOSTUNREACH'
  | 'EADDRNOTAVAIL'
  | 'EADDRINUSE'
  | 'ENETDOWN'
  | 'EINVAL'
  | 'EACCES'
  | 'EPERM'
  | 'EMSGSIZE'
  | 'ECONNREFUSED'
  | 'EAFNOSUPPORT'
  | 'EDESTADDRREQ'
  | 'EISCONN'
  | 'ENODEV'
  | 'EAGAIN'
  | 'EBADF'
  | 'ENOBUFS'
  | 'EMFILE'
  | 'ENOSPC'
  | 'ETIMEDOUT'
  | 'ECONNRESET'
  | 'EPIPE'
  | 'ENOTCONN'
  | 'ECONNABORTED'
  | 'EALREADY'
  | 'EPROTO'
  | 'EROFS';

/** A socket address. `address` is dotted IPv4 or IPv6 text. */
export interface SockAddr {
  address: string;
  port: number;
}

/** IP_PKTINFO / IPV6_PKTINFO ancillary data: source address and interface index. */
export interface PktInfo {
  /** ipi_spec_dst / ipi6_addr: the source address to use, or received-on destination. */
  address?: string;
  /** ipi_ifindex / ipi6_ifindex: 0 = any. */
  ifindex?: number;
}

/** What a successful send used: shown by udpsend per line. */
export interface SendInfo {
  ifname: string;
  source: string;
  bytes: number;
}

/**
 * A send's outcome. A failure may also queue a local error on the socket's error queue (IP_RECVERR,
 * SO_EE_ORIGIN_LOCAL): `localErrorMtu` is its ee_info when the message was longer than an IP packet
 * can be (ip_append_data's EMSGSIZE, which ping reports as `local error: message too long, mtu=N`).
 */
export type SendResult = { ok: true; info: SendInfo } | { ok: false; errno: Errno; localErrorMtu?: number };
/** write(2) of a program's output: ENOSPC when its stdout is redirected into a full node file. */
export type WriteResult = { ok: true } | { ok: false; errno: Errno };
export type SocketResult = { ok: true } | { ok: false; errno: Errno };
/** ping -M's path MTU discovery modes (IP_PMTUDISC_DO, _WANT, _DONT). */
export type PmtuDiscover = 'do' | 'want' | 'dont';

export interface Datagram {
  data: Uint8Array;
  from: SockAddr;
  /** Filled when IP_PKTINFO / IPV6_RECVPKTINFO is on. */
  pktinfo?: PktInfo & { ifname: string };
  ttl: number;
}

export interface UdpSocket {
  readonly family: 4 | 6;
  bind(address: string, port: number): SocketResult;
  connect(address: string, port: number): SocketResult;
  /** `to` omitted on a connected socket. */
  sendto(data: Uint8Array, to?: SockAddr, control?: { pktinfo?: PktInfo }): SendResult;
  setsockopt(option: 'SO_BINDTODEVICE', value: string): SocketResult;
  setsockopt(option: 'IP_PKTINFO' | 'IPV6_RECVPKTINFO' | 'SO_BROADCAST', value: boolean): SocketResult;
  setsockopt(option: 'IP_TTL', value: number): SocketResult;
  localAddress(): SockAddr | null;
  onMessage(handler: (dgram: Datagram) => void): void;
  /** Asynchronous errors: ICMP errors on a connected socket (ECONNREFUSED, EHOSTUNREACH, …). */
  onError(handler: (errno: Errno, from: string) => void): void;
  close(): void;
}

/** A TCP state as `ss` names it (Linux's tcp_states.h). */
export type TcpState =
  | 'ESTAB'
  | 'SYN-SENT'
  | 'SYN-RECV'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'TIME-WAIT'
  | 'CLOSE'
  | 'CLOSE-WAIT'
  | 'LAST-ACK'
  | 'LISTEN'
  | 'CLOSING';

/**
 * A TCP socket (SOCK_STREAM), event-driven as a program on a non-blocking socket with poll(2) sees it.
 * One object is the socket for its whole life, as in Linux: bind, then either `listen` (accepted
 * connections arrive as new TcpSockets through `onAccept`) or `connect` (completion through
 * `onConnect`, failure through `onError`). Stream operations work once connected.
 */
export interface TcpSocket {
  readonly family: 4 | 6;
  bind(address: string, port: number): SocketResult;
  setsockopt(option: 'SO_BINDTODEVICE', value: string): SocketResult;
  setsockopt(option: 'SO_REUSEADDR' | 'TCP_NODELAY' | 'SO_KEEPALIVE', value: boolean): SocketResult;
  /** SO_LINGER with l_onoff=1, l_linger=0: close() sends RST. */
  setsockopt(option: 'SO_LINGER_ZERO', value: boolean): SocketResult;
  /** listen(2): the backlog is capped by net.core.somaxconn. */
  listen(backlog: number): SocketResult;
  /** Each connection the listener accepts (accept(2) on a readable listener). */
  onAccept(handler: (connection: TcpSocket) => void): void;
  /**
   * connect(2) on a non-blocking socket: an immediate failure (ENETUNREACH, EADDRNOTAVAIL, EISCONN,
   * EALREADY, …) is returned; otherwise the handshake runs (EINPROGRESS) and ends in `onConnect`
   * or in `onError` (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, …).
   */
  connect(address: string, port: number): SocketResult;
  onConnect(handler: () => void): void;
  /**
   * send(2): queues bytes in the send buffer (bounded by net.ipv4.tcp_wmem); `accepted` may be less than
   * data.length when the buffer is full (then wait for `onWritable`). EPIPE after shutdown or a reset,
   * and on a socket that is not connected (Linux 6.18's answer); EAGAIN while the handshake runs.
   */
  send(data: Uint8Array): { ok: true; accepted: number } | { ok: false; errno: Errno };
  /** Room in the send buffer again after a short `send`. */
  onWritable(handler: () => void): void;
  /** In-order bytes from the peer (recv(2) as soon as they are readable). */
  onData(handler: (data: Uint8Array) => void): void;
  /** The peer's FIN: recv(2) returns 0. */
  onEnd(handler: () => void): void;
  /** A pending error (SO_ERROR): ECONNREFUSED, ECONNRESET, ETIMEDOUT, EHOSTUNREACH, … The socket is dead afterwards. */
  onError(handler: (errno: Errno) => void): void;
  /** shutdown(SHUT_WR): FIN after the queued bytes. */
  shutdown(): SocketResult;
  /** close(2): FIN after the queued bytes (RST when received bytes were left unread, or with SO_LINGER_ZERO). */
  close(): void;
  state(): TcpState;
  localAddress(): SockAddr | null;
  remoteAddress(): SockAddr | null;
}

/** An ICMP message received by an ICMP socket. */
export interface IcmpMessage {
  from: string;
  /** ICMP type and code. */
  type: number;
  code: number;
  /** Echo id and sequence for echo replies; for errors, the id/seq of the quoted echo request. */
  id: number;
  sequence: number;
  /** Bytes of ICMP payload after the 8-byte header (echo data, or the quoted datagram). */
  payload: Uint8Array;
  ttl: number;
  /** Total IP packet length as received. */
  ipLength: number;
  /**
   * Linux's ee_info for an error: the next-hop MTU of a frag-needed, the parameter problem's
   * pointer, the new gateway of a redirect (an IPv4 address as a host-order number); else 0.
   */
  info: number;
  receivedAt: Nanos;
}

/**
 * ICMP echo socket (Linux's ping socket, with raw-socket reception of ICMP errors quoting our
 * probes, which is what ping and traceroute -I print).
 */
export interface IcmpSocket {
  readonly family: 4 | 6;
  bind(address: string): SocketResult;
  setsockopt(option: 'SO_BINDTODEVICE', value: string): SocketResult;
  setsockopt(option: 'IP_TTL' | 'IP_TOS', value: number): SocketResult;
  /** IP_MTU_DISCOVER / IPV6_MTU_DISCOVER: IP_PMTUDISC_DO (never fragment: EMSGSIZE), WANT (the default) or DONT (IPv4: no DF). */
  setsockopt(option: 'IP_MTU_DISCOVER', value: PmtuDiscover): SocketResult;
  /** Send an echo request with this id/seq and payload to `to`. */
  sendEcho(to: string, id: number, sequence: number, payload: Uint8Array): SendResult;
  onMessage(handler: (msg: IcmpMessage) => void): void;
  close(): void;
}

/** An NDP message a raw ICMPv6 socket received (recvmsg with IPV6_RECVHOPLIMIT). */
export interface Icmp6RawMessage {
  /** The sender (sin6_addr). */
  from: string;
  /** The interface it came in on (sin6_scope_id). */
  ifindex: number;
  /** IPV6_HOPLIMIT: the hop limit it arrived with (255 for NDP that stayed on the link). */
  hopLimit: number;
  type: number;
  code: number;
  /** The message, parsed; its byte fields are views of the received packet (copy what you keep). */
  message: NdpRepr;
  receivedAt: Nanos;
}

/**
 * A raw ICMPv6 socket for Neighbor Discovery (SOCK_RAW, IPPROTO_ICMPV6), as ndisc6 and rdisc6 open
 * it: the kernel computes the checksum; sends go out of the named interface (sin6_scope_id).
 */
export interface Icmp6RawSocket {
  bind(address: string): SocketResult;
  setsockopt(option: 'IPV6_UNICAST_HOPS' | 'IPV6_MULTICAST_HOPS', value: number): SocketResult;
  /** ICMP6_FILTER: only these ICMPv6 types are received. */
  setFilter(types: readonly number[]): SocketResult;
  sendNdp(ifname: string, to: string, message: NdpRepr): SendResult;
  onMessage(handler: (message: Icmp6RawMessage) => void): void;
  close(): void;
}

/** ICMP errors that quote a UDP datagram we sent (traceroute's UDP probes). */
export interface UdpProbeError {
  from: string;
  type: number;
  code: number;
  /** Source and destination ports of the quoted UDP header. */
  sport: number;
  dport: number;
  receivedAt: Nanos;
  /** The MTU an ICMPv6 packet too big carries (traceroute's `!F-N`). */
  mtu?: number;
}

export interface TimerHandle {
  cancel(): void;
}

/** What a running program can do. One per process. */
export interface ProcessContext {
  readonly argv: readonly string[];
  /** The node's hostname. */
  readonly hostname: string;
  now(): Nanos;
  /** Write to standard output; a program that checks the result sees ENOSPC as write(2) reports it. */
  stdout(text: string): WriteResult;
  stderr(text: string): void;
  /** End the process. Further output is discarded. */
  exit(status: number): void;
  /** Run `callback` after `delay` ns of virtual time. */
  setTimer(delay: Nanos, callback: () => void): TimerHandle;
  /** Called on Ctrl-C (interrupt); default: exit 130. */
  onInterrupt(handler: () => void): void;
  udpSocket(family: 4 | 6): UdpSocket | { errno: Errno };
  icmpSocket(family: 4 | 6): IcmpSocket | { errno: Errno };
  tcpSocket(family: 4 | 6): TcpSocket | { errno: Errno };
  /** A raw ICMPv6 socket for NDP messages (ndisc6, rdisc6). */
  icmp6RawSocket(): Icmp6RawSocket | { errno: Errno };
  /** UDP socket whose ICMP errors (time exceeded, port unreachable) are reported (traceroute). */
  onUdpProbeError(handler: (error: UdpProbeError) => void): void;
  /** Send a raw ARP request/gratuitous ARP on `ifname` (arping); replies come to the handler. */
  arp(ifname: string): ArpSocket | { errno: Errno };
  /** Resolve a host name or address text to an address (node names of the topology, /etc/hosts). */
  resolve(name: string, family?: 4 | 6): string | null;
  /** SIOCGIFHWADDR: an interface's link-layer address as `02:00:00:00:00:01` text, or null when there is no such interface. */
  hardwareAddress(ifname: string): string | null;
  /** Interface index by name (0 when unknown), and name by index. */
  ifindex(ifname: string): number;
  ifname(ifindex: number): string | null;
  /** Source address the kernel would choose towards `dst`, IPv4 or IPv6 text (ip route get), or an errno. */
  routeSource(dst: string, ifname?: string): { source: string; ifname: string } | { errno: Errno };
  /** A node file's text (what `cat PATH` shows, e.g. /etc/hosts, /etc/gai.conf), or null when there is none. */
  readFile(path: string): string | null;
  /**
   * open(2) of a node file with O_CREAT and O_TRUNC (O_APPEND when `append`), then write(2) of `text`
   * (curl -o): /dev/null takes anything; EROFS for /proc, /sys and /dev; ENOSPC when the node's file
   * system is full (what fits is written, as a redirection's short write).
   */
  writeFile(path: string, text: string, append?: boolean): WriteResult;
  /** Every address of the node, both families, with the flags RTM_GETADDR reports (getaddrinfo's __check_pf). */
  interfaceAddresses(): InterfaceAddress[];
  /**
   * Standard input read to its end (CommandIo.stdin): the text of `< FILE` or a here-string, '' once
   * read; null when the command line gave none (the node shell has no terminal: end of file).
   */
  stdin(): string | null;
}

/** One address of the node as an address dump lists it. */
export interface InterfaceAddress {
  family: 4 | 6;
  address: string;
  prefixLength: number;
  ifindex: number;
  /** IFA_F_DEPRECATED (or IFA_F_OPTIMISTIC). */
  deprecated: boolean;
  /** IFA_F_HOMEADDRESS. */
  home: boolean;
}

export interface ArpReply {
  senderIp: string;
  senderMac: string;
  receivedAt: Nanos;
}

export interface ArpSocket {
  /** Who-has `target`, from `source` (0.0.0.0 for duplicate address detection). */
  request(target: string, source: string, broadcastOnly: boolean): SocketResult;
  /** Gratuitous ARP (arping -A reply / -U request) announcing `address`. */
  announce(address: string, asReply: boolean): SocketResult;
  onReply(handler: (reply: ArpReply) => void): void;
  localMac(): string;
  close(): void;
}

/** A program the node shell can start. Returns normally; it ends by calling ctx.exit(). */
export type Program = (ctx: ProcessContext) => void;

/** strerror(3) texts for the errnos above (glibc). */
export const errnoMessage: Record<Errno, string> = {
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  ENETDOWN: 'Network is down',
  EINVAL: 'Invalid argument',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EMSGSIZE: 'Message too long',
  ECONNREFUSED: 'Connection refused',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EDESTADDRREQ: 'Destination address required',
  EISCONN: 'Transport endpoint is already connected',
  ENODEV: 'No such device',
  EAGAIN: 'Resource temporarily unavailable',
  EBADF: 'Bad file descriptor',
  ENOBUFS: 'No buffer space available',
  EMFILE: 'Too many open files',
  ENOSPC: 'No space left on device',
  ETIMEDOUT: 'Connection timed out',
  ECONNRESET: 'Connection reset by peer',
  EPIPE: 'Broken pipe',
  ENOTCONN: 'Transport endpoint is not connected',
  ECONNABORTED: 'Software caused connection abort',
  EALREADY: 'Operation already in progress',
  EPROTO: 'Protocol error',
  EROFS: 'Read-only file system',
};
