/**
 * One TCP socket (RFC 9293) with Linux's choices: the object a program holds from socket(2) to
 * close(2) — bound, listening, connecting, connected, closing — and the connection state machine
 * behind it (tcp_rcv_state_process, tcp_rcv_synsent_state_process, tcp_ack, tcp_data_queue,
 * tcp_write_xmit, tcp_retransmit_timer, tcp_delack_timer, tcp_probe_timer, tcp_keepalive_timer).
 *
 * Covers:
 * - open: connect (an even ephemeral port as __inet_hash_connect picks, ENETUNREACH/EHOSTUNREACH/
 *   EADDRNOTAVAIL from the route at once; EISCONN, EALREADY), listen (backlog capped by
 *   net.core.somaxconn, autobind), the SYN queue (request sockets in SYN-RECV, SYN-ACK retransmitted
 *   tcp_synack_retries times) and the accept queue (full when it holds more than the backlog:
 *   the SYN, or the handshake's last ACK, is then dropped — tcp_abort_on_overflow 0), simultaneous
 *   open (SYN-SENT → SYN-RECV on a bare SYN);
 * - options as Linux offers them (tcp_options_write's order: MSS, SACK-permitted, timestamps, NOP,
 *   window scale), MSS from the route MTU and the peer's MSS option, window scaling from
 *   tcp_rmem[2] (33554432 → shift 10), timestamps (TSval: milliseconds of virtual time plus a
 *   per-connection offset from the node's PRNG) with PAWS, SACK blocks in ACKs when permitted;
 * - receiving: the acceptability test, RST handling (exact sequence number, else a challenge ACK,
 *   RFC 5961), a SYN in the window answered by a challenge ACK, in-order delivery with an
 *   out-of-order queue bounded by the receive buffer, the advertised window (half the free receive
 *   buffer, tcp_adv_win_scale 1, never shrinking, rounded to the window scale), receive-buffer
 *   autotuning (tcp_rcv_space_adjust, up to tcp_rmem[2]), delayed ACKs (quick-ack at the start,
 *   40 ms delack, an ACK for every second full segment, at once for out-of-order data), FIN;
 * - sending: the send buffer (bounded by sk_sndbuf: tcp_wmem[1], grown with the congestion window
 *   up to tcp_wmem[2]), Nagle unless TCP_NODELAY, the peer's window, zero-window probes with
 *   back-off, the retransmission timer (rto.ts: RFC 6298 with Linux's values, exponential back-off,
 *   linear for the first SYN timeouts, giving up after tcp_syn_retries / tcp_retries2 as Linux's
 *   retransmits_timed_out does), NewReno congestion control (slow start from 10 segments,
 *   congestion avoidance, fast retransmit on 3 duplicate ACKs, fast recovery with partial ACKs,
 *   cwnd 1 after a timeout);
 * - closing: shutdown/close with FIN after the queued bytes, RST when unread data is thrown away or
 *   with SO_LINGER {1, 0}, FIN-WAIT-1/2, CLOSING, CLOSE-WAIT, LAST-ACK, TIME-WAIT for 60 s
 *   (a retransmitted FIN is ACKed again and restarts it; an RST ends it, tcp_rfc1337 0), an orphaned
 *   FIN-WAIT-2 ended after tcp_fin_timeout, data arriving after close answered with RST;
 * - errors as Linux reports them: ECONNREFUSED for an RST in SYN-SENT, ECONNRESET (EPIPE in
 *   CLOSE-WAIT), ETIMEDOUT (or the last soft ICMP error), an ICMP error during the handshake ends
 *   it at once with its errno (tcp_v4_err), a later one is soft unless it is hard; keepalive
 *   (tcp_keepalive_time/intvl/probes) when SO_KEEPALIVE is set.
 * Leaves out: urgent data, TCP Fast Open, ECN, SACK-based loss recovery and RACK/TLP (the SACK
 * blocks a peer sends are read for nothing), PRR, CUBIC/BBR (Linux's default is CUBIC or BBR; this is
 * NewReno), syncookies (a full SYN queue drops the SYN), TCP_CORK, MSG_MORE, path MTU discovery by
 * ICMP, tcp_tw_reuse (off), a program that stops reading (data is delivered as it arrives unless
 * no onData handler is set yet).
 */
import { TcpFlag, type TcpOption, type TcpRepr, type TcpSackBlock } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { Errno, SockAddr, SocketResult, TcpSocket, TcpState } from '../process.js';
import type { TimerHandle } from '../timers.js';
import { ByteQueue } from './byte-queue.js';
import { NewReno, SackScoreboard } from './congestion.js';
import { RtoEstimator, TCP_RTO_MAX, TCP_RTO_MIN, TCP_TIMEOUT_INIT, retransmitsTimedOut, synBackoffDoubles, synRetriesExhausted } from './rto.js';
import type { TcpRoute } from './tcp-network.js';
import type { TcpOwner, TcpTable } from './tcp-sockets.js';

const MS = 1_000_000;
const SECOND = 1_000 * MS;
/** TCP_TIMEWAIT_LEN. */
const TIME_WAIT_LENGTH = 60 * SECOND;
/** TCP_DELACK_MIN / TCP_ATO_MIN. */
const DELACK_MIN = 40 * MS;
/** TCP_MAX_QUICKACKS. */
const MAX_QUICKACKS = 16;
/** tcp_rmem and tcp_wmem of Linux 6.18 (min, default, max). */
export const TCP_RMEM = [4096, 131072, 33554432] as const;
export const TCP_WMEM = [4096, 16384, 4194304] as const;
/** TCP_MAX_WSCALE. */
const MAX_WSCALE = 14;
/** The bytes a timestamps option takes in a segment (NOP, NOP, TS). */
const TIMESTAMP_OPTION_BYTES = 12;
/** At most this many SACK blocks with timestamps (40 − 12 bytes of options). */
const MAX_SACK_BLOCKS_WITH_TS = 3;
/** A bound on the out-of-order queue's segments (the receive buffer bounds its bytes). */
const MAX_OUT_OF_ORDER = 4096;

/** 32-bit sequence arithmetic (Linux's before()/after()). */
const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const seqLe = (a: number, b: number): boolean => ((a - b) | 0) <= 0;
const seqAdd = (a: number, n: number): number => (a + n) >>> 0;
const seqDiff = (a: number, b: number): number => (a - b) | 0;

/** The options a SYN or SYN-ACK carried. */
interface PeerOptions {
  mss: number | null;
  windowScale: number | null;
  sackPermitted: boolean;
  timestamp: { value: number; echoReply: number } | null;
}

export function readOptions(options: readonly TcpOption[]): PeerOptions {
  const peer: PeerOptions = { mss: null, windowScale: null, sackPermitted: false, timestamp: null };
  for (const option of options) {
    if (option.kind === 'maxSegmentSize') peer.mss = option.maxSegmentSize;
    else if (option.kind === 'windowScale') peer.windowScale = Math.min(option.shift, MAX_WSCALE);
    else if (option.kind === 'sackPermitted') peer.sackPermitted = true;
    else if (option.kind === 'timestamps') peer.timestamp = { value: option.value, echoReply: option.echoReply };
  }
  return peer;
}

/** A received segment with the addresses it came with. */
export interface TcpSegmentIn<A> {
  tcp: TcpRepr;
  source: A;
  destination: A;
  dev: string;
}

/** Out-of-order bytes waiting for the hole before them. */
interface OutOfOrder {
  seq: number;
  data: Uint8Array;
}

type Handler<T extends unknown[]> = ((...args: T) => void) | null;

export class TcpConnection<A extends number | bigint> implements TcpSocket {
  readonly family: 4 | 6;
  private currentState: TcpState = 'CLOSE';
  /** The bound address (the wildcard until bound to one or connected) and port (0: unbound). */
  boundAddress: A;
  boundPort = 0;
  /** The local address of a connection (its source). */
  localAddr: A;
  remoteAddr: A;
  remotePort = 0;
  boundDevice: string | undefined;
  reuseAddress = false;
  private noDelay = false;
  private keepAlive = false;
  private lingerZero = false;
  owner: TcpOwner | null;
  /** A request socket's listener (until accepted). */
  parent: TcpConnection<A> | null = null;
  /** The listener's queues. */
  private backlog = 0;
  readonly synQueue = new Set<TcpConnection<A>>();
  private readonly acceptQueue: TcpConnection<A>[] = [];

  private acceptHandler: Handler<[TcpSocket]> = null;
  private connectHandler: Handler<[]> = null;
  private writableHandler: Handler<[]> = null;
  private dataHandler: Handler<[Uint8Array]> = null;
  private endHandler: Handler<[]> = null;
  private errorHandler: Handler<[Errno]> = null;
  /** sk_err not yet reported (no handler then). */
  private pendingError: Errno | null = null;
  /** sk_err_soft: the last soft ICMP error, reported if the connection times out. */
  private softError: Errno | null = null;
  /** The peer's FIN was received and not yet reported (no handler then, or data still unread). */
  private endPending = false;
  private endReported = false;
  private closed = false;
  private shutdownSend = false;
  /** Unread data after close(2) makes later data an abort (RCV_SHUTDOWN). */
  private receiveShutdown = false;
  /** The socket got a connect() (EALREADY / EISCONN). */
  private connectCalled = false;
  private writableWanted = false;

  // ---- send sequence space
  private iss = 0;
  private sndUna = 0;
  private sndNxt = 0;
  /** The highest sequence number sent (snd_nxt before a go-back-N after a timeout). */
  private sndMax = 0;
  private sndWnd = 0;
  private maxSndWnd = 0;
  private sndWl1 = 0;
  private sndWl2 = 0;
  private readonly sendBuffer = new ByteQueue();
  private finQueued = false;
  // ---- receive sequence space
  private irs = 0;
  private rcvNxt = 0;
  /** rcv_wup: rcv_nxt when the last window was advertised; the right edge is rcvWup + rcvWnd. */
  private rcvWup = 0;
  private rcvWnd = 0;
  private rcvbuf: number = TCP_RMEM[1];
  /** rcv_ssthresh: the window grows towards the free space by two segments per segment received (tcp_grow_window). */
  private rcvSsthresh = 0;
  private readonly unread = new ByteQueue();
  private readonly outOfOrder: OutOfOrder[] = [];
  private outOfOrderBytes = 0;
  // ---- options
  /** What we send per segment (mss_cache): the peer's MSS and our route's, minus the timestamps option. */
  private sendMss = 536;
  /** advmss: what our MSS option says. */
  private advMss = 536;
  private rcvMss = 536;
  private sndWscale = 0;
  private rcvWscale = 0;
  private wscaleOk = false;
  private sackOk = false;
  private tsOk = false;
  private tsRecent = 0;
  private tsOffset = 0;
  // ---- timers and estimators
  private readonly rtoEstimator = new RtoEstimator();
  private readonly congestion = new NewReno();
  /** RFC 6675's scoreboard when the peer permitted SACK (made at ESTABLISHED, with the MSS). */
  private scoreboard: SackScoreboard | null = null;
  /** HighRxt: the highest sequence number retransmitted in this recovery, + 1. */
  private highRxt = 0;
  /** When the holes of this recovery were last retransmitted from snd_una on, and snd_max then. */
  private recoveryRoundAt: Nanos = 0;
  private recoveryRoundMark = 0;
  /** PRR (RFC 6937): segments delivered and sent since recovery began, the flight then, and the last ACK's delivery. */
  private prrDelivered = 0;
  private prrOut = 0;
  private recoverFs = 1;
  private lastDelivered = 0;
  private retransmitTimer: TimerHandle | null = null;
  /** The pending transmit timer is a tail loss probe (ICSK_TIME_LOSS_PROBE), not the RTO. */
  private lossProbe = false;
  /** tlp_high_seq: snd_nxt when a probe went, until an ACK covers it (one probe per tail). */
  private tlpHighSeq: number | null = null;
  private retransmits = 0;
  /** retrans_stamp: when the first segment now being retransmitted was sent; null when none is. */
  private retransStamp: Nanos | null = null;
  /** Linux's retrans_stamp for the give-up rule: when the first retransmission by timeout went (null before). */
  private timeoutStamp: Nanos | null = null;
  private retransmitArmedAt: Nanos = 0;
  private rttSeq: number | null = null;
  private rttSentAt: Nanos = 0;
  private delackTimer: TimerHandle | null = null;
  private ackPending = false;
  private quickAcks = MAX_QUICKACKS;
  private pingpong = false;
  private lastReceivedAt: Nanos = 0;
  /** lrcvtime: when data last arrived (ping-pong detection looks at it, not at bare ACKs). */
  private lastDataAt: Nanos = -Infinity;
  private persistTimer: TimerHandle | null = null;
  /** Zero-window probes since the window closed: the probe timer's back-off (icsk_backoff). */
  private persistBackoff = 0;
  private keepaliveTimer: TimerHandle | null = null;
  private stateTimer: TimerHandle | null = null;
  /** tcp_rcv_space_adjust's measurement: bytes delivered since `spaceTime`. */
  private spaceCopied = 0;
  private spaceTime: Nanos = 0;
  private space = 0;
  private rcvRtt: Nanos = 0;
  private identification: number;
  private route: TcpRoute<A> | null = null;

  constructor(
    private readonly table: TcpTable<A>,
    owner: TcpOwner | null,
  ) {
    this.family = table.network.family;
    this.owner = owner;
    this.boundAddress = table.network.any;
    this.localAddr = table.network.any;
    this.remoteAddr = table.network.any;
    // inet_id, the IPv4 header's identification: an IPv6 socket has none and draws nothing.
    this.identification = this.family === 4 ? table.env.prng.below(0x10000) : 0;
  }

  // ================================================================ the socket API

  state(): TcpState {
    return this.currentState;
  }

  bind(address: string, port: number): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const local = this.table.network.parse(address);
    if (typeof local === 'object') return { ok: false, errno: local.errno };
    if (!Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, errno: 'EINVAL' };
    if (this.boundPort !== 0 || this.currentState !== 'CLOSE') return { ok: false, errno: 'EINVAL' };
    if (local !== this.table.network.any && !this.table.network.isLocal(local, this.table.env.now())) return { ok: false, errno: 'EADDRNOTAVAIL' };
    const chosen = port === 0 ? this.table.ephemeralPort(local, this, false) : this.table.isBindable(local, port, this) ? port : null;
    if (chosen === null) return { ok: false, errno: 'EADDRINUSE' };
    this.boundAddress = local;
    this.localAddr = local;
    this.boundPort = chosen;
    this.table.bound(this);
    return { ok: true };
  }

  setsockopt(option: 'SO_BINDTODEVICE', value: string): SocketResult;
  setsockopt(option: 'SO_REUSEADDR' | 'TCP_NODELAY' | 'SO_KEEPALIVE', value: boolean): SocketResult;
  setsockopt(option: 'SO_LINGER_ZERO', value: boolean): SocketResult;
  setsockopt(option: string, value: string | boolean): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    switch (option) {
      case 'SO_BINDTODEVICE': {
        const name = String(value);
        if (name !== '' && !this.table.env.hasDevice(name)) return { ok: false, errno: 'ENODEV' };
        this.boundDevice = name === '' ? undefined : name;
        this.route = null;
        return { ok: true };
      }
      case 'SO_REUSEADDR':
        this.reuseAddress = value === true;
        return { ok: true };
      case 'TCP_NODELAY':
        this.noDelay = value === true;
        // Setting TCP_NODELAY pushes what Nagle held back (tcp_push_pending_frames).
        if (this.noDelay) this.output();
        return { ok: true };
      case 'SO_KEEPALIVE':
        this.keepAlive = value === true;
        this.armKeepalive();
        return { ok: true };
      case 'SO_LINGER_ZERO':
        this.lingerZero = value === true;
        return { ok: true };
      default:
        return { ok: false, errno: 'EINVAL' };
    }
  }

  listen(backlog: number): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    if (this.currentState === 'LISTEN') {
      this.backlog = this.cappedBacklog(backlog);
      return { ok: true };
    }
    if (this.currentState !== 'CLOSE' || this.connectCalled) return { ok: false, errno: 'EINVAL' };
    if (this.boundPort === 0) {
      const port = this.table.ephemeralPort(this.boundAddress, this, false);
      if (port === null) return { ok: false, errno: 'EADDRINUSE' };
      this.boundPort = port;
      this.table.bound(this);
    } else if (!this.table.isListenable(this)) return { ok: false, errno: 'EADDRINUSE' };
    this.backlog = this.cappedBacklog(backlog);
    this.currentState = 'LISTEN';
    this.table.listening(this);
    return { ok: true };
  }

  private cappedBacklog(backlog: number): number {
    // __sys_listen: min(backlog, somaxconn); a negative backlog is taken as somaxconn's cap too.
    const somaxconn = this.table.env.sysctl('net.core.somaxconn');
    return backlog < 0 || backlog > somaxconn ? somaxconn : backlog;
  }

  onAccept(handler: (connection: TcpSocket) => void): void {
    this.acceptHandler = handler;
    this.table.defer(() => this.drainAcceptQueue());
  }

  connect(address: string, port: number): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const network = this.table.network;
    const remote = network.parse(address);
    if (typeof remote === 'object') return { ok: false, errno: remote.errno };
    if (!Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, errno: 'EINVAL' };
    if (this.currentState === 'SYN-SENT') return { ok: false, errno: 'EALREADY' };
    if (this.currentState !== 'CLOSE' || this.connectCalled) return { ok: false, errno: 'EISCONN' };
    const now = this.table.env.now();
    // connect() to the wildcard address goes to the loopback (INADDR_ANY → 127.0.0.1, :: → ::1).
    const destination = remote === network.any ? (network.family === 4 ? (0x7f000001 as A) : (1n as A)) : remote;
    const routed = network.route(destination, this.boundAddress, this.boundDevice, this.boundPort, port, now);
    if (!routed.ok) return { ok: false, errno: routed.errno };
    const local = this.boundAddress !== network.any ? this.boundAddress : routed.route.source;
    let localPort = this.boundPort;
    let reusedIss: number | null = null;
    if (localPort === 0) {
      const chosen = this.table.connectPort(local, destination, port, this);
      if (chosen === null) return { ok: false, errno: 'EADDRNOTAVAIL' };
      localPort = chosen;
    } else {
      // An explicitly bound port: the pair may be in TIME-WAIT, which a connection that used timestamps
      // hands over (tcp_twsk_unique without twp: PAWS makes it safe); anything else holding it is EADDRNOTAVAIL.
      const holder = this.table.connectionOf(local, localPort, destination, port);
      if (holder !== undefined && holder !== this) {
        if (holder.currentState !== 'TIME-WAIT' || !holder.tsOk) return { ok: false, errno: 'EADDRNOTAVAIL' };
        reusedIss = seqAdd(holder.sndNxt, 65535 + 2);
        holder.done();
      }
    }
    this.boundPort = localPort;
    this.localAddr = local;
    this.remoteAddr = destination;
    this.remotePort = port;
    this.route = routed.route;
    this.connectCalled = true;
    this.table.bound(this);
    this.table.hashConnection(this);
    this.initialiseSend(now, reusedIss);
    this.rcvWscale = this.windowScaleWanted();
    this.currentState = 'SYN-SENT';
    this.table.mib.activeOpens++;
    this.sendSyn(false, now);
    this.armRetransmit(now);
    return { ok: true };
  }

  onConnect(handler: () => void): void {
    this.connectHandler = handler;
  }

  send(data: Uint8Array): { ok: true; accepted: number } | { ok: false; errno: Errno } {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    if (this.pendingError !== null) return { ok: false, errno: this.takeError() };
    if (this.shutdownSend) return { ok: false, errno: 'EPIPE' };
    const state = this.currentState;
    if (state === 'CLOSE' && this.connectCalled) return { ok: false, errno: 'EPIPE' };
    if (state !== 'ESTAB' && state !== 'CLOSE-WAIT') {
      // sk_stream_wait_connect: a handshake under way is EAGAIN (non-blocking), anything else EPIPE —
      // an unconnected or listening socket too, as Linux 6.18 answers send(2).
      return { ok: false, errno: state === 'SYN-SENT' || state === 'SYN-RECV' ? 'EAGAIN' : 'EPIPE' };
    }
    const room = Math.max(0, this.sendBufferLimit() - this.sendBuffer.length);
    const accepted = Math.min(room, data.length);
    if (accepted === 0) {
      // A full send buffer takes nothing now (send(2)'s EAGAIN); onWritable says when it has room.
      this.writableWanted = data.length > 0;
      return { ok: true, accepted: 0 };
    }
    this.sendBuffer.push(data.slice(0, accepted));
    if (accepted < data.length) this.writableWanted = true;
    this.output();
    return { ok: true, accepted };
  }

  onWritable(handler: () => void): void {
    this.writableHandler = handler;
  }

  onData(handler: (data: Uint8Array) => void): void {
    this.dataHandler = handler;
    this.table.defer(() => this.deliverUnread());
  }

  onEnd(handler: () => void): void {
    this.endHandler = handler;
    this.table.defer(() => this.deliverUnread());
  }

  onError(handler: (errno: Errno) => void): void {
    this.errorHandler = handler;
    if (this.pendingError !== null) this.table.defer(() => this.reportError());
  }

  shutdown(): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const state = this.currentState;
    // inet_shutdown(SHUT_WR): nothing for a listener, ENOTCONN unconnected, a handshake under way is dropped.
    if (state === 'LISTEN') return { ok: true };
    if (state === 'CLOSE') return { ok: false, errno: 'ENOTCONN' };
    if (state === 'SYN-SENT') {
      this.done();
      return { ok: true };
    }
    this.sendFin();
    return { ok: true };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.table.closed(this);
    this.receiveShutdown = true;
    this.owner = null;
    const state = this.currentState;
    if (state === 'LISTEN') {
      this.closeListener();
      return;
    }
    if (state === 'CLOSE' || state === 'SYN-SENT') {
      this.done();
      return;
    }
    // tcp_close: unread data, or SO_LINGER {1, 0}, aborts with RST (tcp_disconnect's active reset).
    if (this.unread.length > 0 || this.lingerZero) {
      this.sendReset(this.sndNxt);
      this.done();
      return;
    }
    this.sendFin();
  }

  localAddress(): SockAddr | null {
    if (this.boundPort === 0) return null;
    return { address: this.table.network.format(this.localAddr), port: this.boundPort };
  }

  remoteAddress(): SockAddr | null {
    if (this.remotePort === 0 && this.currentState !== 'ESTAB') return null;
    if (this.currentState === 'LISTEN' || (this.currentState === 'CLOSE' && !this.connectCalled)) return null;
    return { address: this.table.network.format(this.remoteAddr), port: this.remotePort };
  }

  // ================================================================ what ss shows

  /** Recv-Q (rcv_nxt − copied_seq): unread bytes and a FIN the program has not seen; for a listener, the accept queue. */
  get receiveQueue(): number {
    if (this.currentState === 'LISTEN') return this.acceptQueue.length;
    return this.unread.length + (this.endPending && !this.endReported ? 1 : 0);
  }

  /** Send-Q (write_seq − snd_una): bytes not yet acknowledged, sent or not, with an unacknowledged SYN or FIN; for a listener, its backlog. */
  get sendQueue(): number {
    const state = this.currentState;
    if (state === 'LISTEN') return this.backlog;
    if (state === 'TIME-WAIT' || state === 'CLOSE') return 0;
    const dataEnd = seqAdd(this.sndUna, this.sendBuffer.length);
    const synUnacked = state === 'SYN-SENT' || state === 'SYN-RECV' ? 1 : 0;
    const finUnacked = this.finQueued && !seqLt(dataEnd, this.sndUna) && state !== 'FIN-WAIT-2' ? 1 : 0;
    return this.sendBuffer.length + synUnacked + finUnacked;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ================================================================ passive open (the listener's side)

  /** tcp_v4_conn_request / tcp_conn_request: a SYN for this listener. */
  processListen(segment: TcpSegmentIn<A>, now: Nanos): void {
    const tcp = segment.tcp;
    const mib = this.table.mib;
    if ((tcp.flags & TcpFlag.rst) !== 0) return;
    if ((tcp.flags & TcpFlag.ack) !== 0) {
      // An ACK to a listener without a request socket: RST (tcp_v4_send_reset, seq = its ack).
      this.table.sendResetFor(segment, now);
      return;
    }
    if ((tcp.flags & TcpFlag.syn) === 0 || (tcp.flags & TcpFlag.fin) !== 0) return;
    // sk_acceptq_is_full (more than the backlog waiting): the SYN is dropped.
    if (this.acceptQueue.length > this.backlog) {
      mib.listenOverflows++;
      mib.listenDrops++;
      return;
    }
    // The SYN queue holds at most the backlog (inet_csk_reqsk_queue_is_full) and tcp_max_syn_backlog;
    // Linux would answer with a syncookie (left out): the SYN is dropped.
    if (this.synQueue.size >= Math.max(this.backlog, 1) || this.synQueue.size >= this.table.env.sysctl('net.ipv4.tcp_max_syn_backlog')) {
      mib.listenDrops++;
      return;
    }
    if (this.table.isFull) {
      mib.listenDrops++;
      return;
    }
    const network = this.table.network;
    const routed = network.route(segment.source, segment.destination, this.boundDevice, this.boundPort, tcp.sourcePort, now);
    if (!routed.ok) {
      mib.listenDrops++;
      return;
    }
    const child = new TcpConnection<A>(this.table, this.owner);
    child.parent = this;
    child.boundAddress = segment.destination;
    child.localAddr = segment.destination;
    child.boundPort = this.boundPort;
    child.boundDevice = this.boundDevice;
    // sk_clone_lock copies the listener's sock: SO_REUSEADDR too, so its TIME-WAIT pairs let a restarted server bind.
    child.reuseAddress = this.reuseAddress;
    child.remoteAddr = segment.source;
    child.remotePort = tcp.sourcePort;
    child.noDelay = this.noDelay;
    child.keepAlive = this.keepAlive;
    child.route = routed.route;
    child.currentState = 'SYN-RECV';
    child.acceptSyn(tcp, now);
    this.synQueue.add(child);
    this.table.hashConnection(child);
    child.initialiseSend(now);
    child.sendSyn(true, now);
    child.armRetransmit(now);
  }

  /** A request socket completed its handshake: into the accept queue, or dropped when it is full. */
  private childEstablished(child: TcpConnection<A>): boolean {
    if (this.acceptQueue.length > this.backlog) {
      this.table.mib.listenOverflows++;
      this.table.mib.listenDrops++;
      return false;
    }
    this.synQueue.delete(child);
    this.acceptQueue.push(child);
    this.table.defer(() => this.drainAcceptQueue());
    return true;
  }

  private drainAcceptQueue(): void {
    while (this.acceptHandler !== null && this.currentState === 'LISTEN' && this.acceptQueue.length > 0) {
      const child = this.acceptQueue.shift()!;
      child.parent = null;
      child.owner = this.owner;
      this.acceptHandler(child);
    }
  }

  /** inet_csk_listen_stop: queued connections are reset, request sockets forgotten. */
  private closeListener(): void {
    for (const child of this.acceptQueue.splice(0)) {
      // Never accepted: no program holds it, so it is released once reset.
      child.closed = true;
      child.sendReset(child.sndNxt);
      child.done();
    }
    for (const child of [...this.synQueue]) child.done();
    this.synQueue.clear();
    this.currentState = 'CLOSE';
    this.table.unlisten(this);
    if (this.closed) this.table.release(this);
  }

  // ================================================================ segments in

  /** tcp_rcv_state_process for a socket that is not listening. */
  processSegment(segment: TcpSegmentIn<A>, now: Nanos): void {
    const tcp = segment.tcp;
    this.lastReceivedAt = now;
    this.keepaliveProbes = 0;
    if (this.currentState === 'SYN-SENT') {
      this.processSynSent(tcp, now);
      return;
    }
    if (this.currentState === 'TIME-WAIT') {
      this.processTimeWait(segment, now);
      return;
    }
    if (this.currentState === 'CLOSE') return;
    const length = tcp.payload.length;
    const rst = (tcp.flags & TcpFlag.rst) !== 0;
    const syn = (tcp.flags & TcpFlag.syn) !== 0;
    const seq = tcp.sequenceNumber;
    const peer = this.tsOk ? readOptions(tcp.options).timestamp : null;
    // A request socket sees its SYN again: the SYN-ACK again (tcp_check_req).
    if (this.currentState === 'SYN-RECV' && syn && !rst && (tcp.flags & TcpFlag.ack) === 0 && seq === this.irs) {
      this.sendSyn(this.parent !== null, now);
      return;
    }
    // PAWS (tcp_paws_discard): an older timestamp than TS.Recent is a duplicate.
    if (peer !== null && !rst && seqDiff(peer.value, this.tsRecent) < 0) {
      this.sendAck(now);
      return;
    }
    // tcp_sequence: the segment must overlap the receive window.
    if (!this.isAcceptable(seq, length + (syn ? 1 : 0) + ((tcp.flags & TcpFlag.fin) !== 0 ? 1 : 0))) {
      if (!rst) this.sendAck(now);
      return;
    }
    if (rst) {
      // RFC 5961 §3.2: only the exact next sequence number resets; another in the window is challenged.
      if (seq === this.rcvNxt) this.resetReceived();
      else this.sendChallengeAck(now);
      return;
    }
    if (peer !== null && seqLe(seq, this.rcvWup)) this.tsRecent = peer.value;
    // Simultaneous open: the peer's SYN-ACK answering our SYN in SYN-RECV passes (tcp_validate_incoming).
    const synAckOfSimultaneousOpen =
      syn && this.currentState === 'SYN-RECV' && this.parent === null && (tcp.flags & TcpFlag.ack) !== 0 && seqAdd(seq, 1) === this.rcvNxt && tcp.acknowledgementNumber === this.sndNxt;
    if (syn && !synAckOfSimultaneousOpen) {
      // RFC 5961 §4: a SYN in the window of a synchronized connection gets a challenge ACK.
      this.sendChallengeAck(now);
      return;
    }
    if ((tcp.flags & TcpFlag.ack) === 0) return;
    if (!this.processAck(tcp, now)) return;
    if (this.state() === 'CLOSE') return;
    this.processData(tcp, now);
    this.armKeepalive();
  }

  /** tcp_rcv_synsent_state_process. */
  private processSynSent(tcp: TcpRepr, now: Nanos): void {
    const flags = tcp.flags;
    const hasAck = (flags & TcpFlag.ack) !== 0;
    if (hasAck && (seqLe(tcp.acknowledgementNumber, this.iss) || seqLt(this.sndNxt, tcp.acknowledgementNumber))) {
      if ((flags & TcpFlag.rst) === 0) this.table.sendReset(this, tcp.acknowledgementNumber, 0, TcpFlag.rst, now);
      return;
    }
    if ((flags & TcpFlag.rst) !== 0) {
      if (hasAck) this.fail('ECONNREFUSED');
      return;
    }
    if ((flags & TcpFlag.syn) === 0) return;
    this.acceptSyn(tcp, now);
    if (hasAck) {
      this.sndUna = tcp.acknowledgementNumber;
      this.sndWnd = tcp.window << this.sndWscale;
      this.maxSndWnd = this.sndWnd;
      this.sndWl1 = tcp.sequenceNumber;
      this.sndWl2 = tcp.acknowledgementNumber;
      this.takeRttSample(tcp, now);
      this.established(now);
      // tcp_finish_connect, then the third segment of the handshake at once.
      this.sendAck(now);
      this.table.defer(() => this.connectHandler?.());
      this.output();
      return;
    }
    // Simultaneous open (RFC 9293 §3.5, figure 8): SYN-RECV, our SYN again with an ACK.
    this.currentState = 'SYN-RECV';
    this.sendSyn(true, now);
    this.armRetransmit(now);
  }

  /** The peer's SYN: its sequence number and options (tcp_parse_options, tcp_openreq_init). */
  private acceptSyn(tcp: TcpRepr, now: Nanos): void {
    const options = readOptions(tcp.options);
    const sysctl = this.table.env.sysctl;
    this.irs = tcp.sequenceNumber;
    this.rcvNxt = seqAdd(tcp.sequenceNumber, 1);
    this.rcvWup = this.rcvNxt;
    const passive = this.currentState === 'SYN-RECV' && this.parent !== null;
    this.wscaleOk = options.windowScale !== null && sysctl('net.ipv4.tcp_window_scaling') !== 0 && (passive || this.rcvWscale !== 0 || this.windowScaleWanted() !== 0);
    this.sndWscale = this.wscaleOk ? options.windowScale! : 0;
    if (passive) this.rcvWscale = this.wscaleOk ? this.windowScaleWanted() : 0;
    else if (!this.wscaleOk) this.rcvWscale = 0;
    this.sackOk = options.sackPermitted && sysctl('net.ipv4.tcp_sack') !== 0;
    this.tsOk = options.timestamp !== null && sysctl('net.ipv4.tcp_timestamps') !== 0;
    if (this.tsOk) this.tsRecent = options.timestamp!.value;
    this.sndWnd = tcp.window;
    this.maxSndWnd = tcp.window;
    const routeMss = (this.route?.mtu ?? 1500) - this.table.network.headerBytes;
    this.advMss = routeMss;
    const peerMss = options.mss ?? this.table.network.defaultMss;
    this.sendMss = Math.max(Math.min(peerMss, routeMss) - (this.tsOk ? TIMESTAMP_OPTION_BYTES : 0), 48);
    this.rcvMss = Math.min(this.advMss, 536);
    this.lastReceivedAt = now;
  }

  /** The connection is synchronized (ESTABLISHED reached, tcp_finish_connect / tcp_init_transfer). */
  private established(now: Nanos): void {
    this.currentState = 'ESTAB';
    this.stopRetransmit();
    // tcp_init_transfer: a handshake that needed more than one retransmission starts from cwnd 1.
    if (this.retransmits > 1) this.congestion.restartFromOne();
    this.retransmits = 0;
    this.retransStamp = null;
    this.timeoutStamp = null;
    this.rtoEstimator.fallBackAfterHandshake();
    if (this.sackOk) {
      this.scoreboard = new SackScoreboard(this.sendMss);
      this.scoreboard.reset(this.sndUna);
    }
    this.spaceTime = now;
    // tcp_init_buffer_space: the first measurement compares with ten segments.
    this.space = Math.min(this.rcvWnd, 10 * this.advMss);
    this.table.mib.currEstab++;
    this.armKeepalive();
  }

  /** tcp_sequence: the segment ends at or after rcv_wup and starts before the right edge of the window. */
  private isAcceptable(seq: number, length: number): boolean {
    const window = Math.max(0, seqDiff(seqAdd(this.rcvWup, this.rcvWnd), this.rcvNxt));
    return !seqLt(seqAdd(seq, length), this.rcvWup) && seqLe(seq, seqAdd(this.rcvNxt, window));
  }

  /** tcp_reset: the errno by state, then the socket is done. */
  private resetReceived(): void {
    const state = this.currentState;
    if (state === 'SYN-RECV' && this.parent !== null) {
      // A request socket reset by its peer is forgotten (tcp_check_req).
      this.done();
      return;
    }
    this.fail(state === 'SYN-SENT' ? 'ECONNREFUSED' : state === 'CLOSE-WAIT' ? 'EPIPE' : 'ECONNRESET');
  }

  /** TIME-WAIT (tcp_timewait_state_process). */
  private processTimeWait(segment: TcpSegmentIn<A>, now: Nanos): void {
    const tcp = segment.tcp;
    if ((tcp.flags & TcpFlag.rst) !== 0) {
      // tcp_rfc1337 0: an RST kills the TIME-WAIT socket.
      this.done();
      return;
    }
    if ((tcp.flags & TcpFlag.syn) !== 0 && (tcp.flags & TcpFlag.ack) === 0 && seqLt(this.rcvNxt, tcp.sequenceNumber)) {
      // TCP_TW_SYN: a new SYN beyond the old connection's sequence space reopens the pair.
      this.done();
      this.table.dispatch(segment, now);
      return;
    }
    if ((tcp.flags & TcpFlag.fin) !== 0) {
      // A retransmitted FIN: ACK it again and restart the 2MSL timer.
      this.sendAck(now);
      this.armStateTimer(TIME_WAIT_LENGTH, () => this.done());
      return;
    }
    if ((tcp.flags & TcpFlag.ack) === 0 || tcp.payload.length > 0) this.sendAck(now);
  }

  /** tcp_ack: false when the segment is to be discarded. */
  private processAck(tcp: TcpRepr, now: Nanos): boolean {
    const ack = tcp.acknowledgementNumber;
    if (this.currentState === 'SYN-RECV') {
      if (seqLe(ack, this.sndUna) || seqLt(this.sndMax, ack)) {
        this.table.sendReset(this, ack, 0, TcpFlag.rst, now);
        return false;
      }
      const parent = this.parent;
      if (parent !== null && !parent.childEstablished(this)) return false;
      this.sndWnd = tcp.window << this.sndWscale;
      this.sndWl1 = tcp.sequenceNumber;
      this.sndWl2 = ack;
      this.established(now);
      if (parent !== null) this.table.mib.passiveOpens++;
      else this.table.defer(() => this.connectHandler?.());
    }
    if (seqLt(this.sndMax, ack)) {
      // An ACK of data never sent: discarded (RFC 9293 §3.10.7.4, tcp_ack's "ack after snd_nxt").
      return false;
    }
    if (seqLt(ack, this.sndUna)) {
      // An old ACK: ignored, but its data is still processed.
      return true;
    }
    const acked = seqDiff(ack, this.sndUna);
    const window = tcp.window << this.sndWscale;
    const scoreboard = this.scoreboard;
    // Segments newly delivered (acked_sacked): what the cumulative ACK covers that was not SACKed before, plus what is newly SACKed.
    let delivered = Math.max(acked, 0);
    if (scoreboard !== null) {
      const sackedBefore = scoreboard.sackedBytes;
      scoreboard.onCumulativeAck(ack);
      const sackedAfterAck = scoreboard.sackedBytes;
      for (const option of tcp.options) if (option.kind === 'sack') scoreboard.addBlocks(option.blocks, this.sndMax);
      delivered = Math.max(acked - (sackedBefore - sackedAfterAck), 0) + (scoreboard.sackedBytes - sackedAfterAck);
      this.lastDelivered = delivered / this.sendMss;
      if (this.isSackRecovery()) this.prrDelivered += this.lastDelivered;
    }
    // tcp_may_update_window.
    if (seqLt(this.sndUna, ack) || seqLt(this.sndWl1, tcp.sequenceNumber) || (this.sndWl1 === tcp.sequenceNumber && window > this.sndWnd)) {
      const opened = window > this.sndWnd;
      this.sndWnd = window;
      this.sndWl1 = tcp.sequenceNumber;
      this.sndWl2 = ack;
      if (window > this.maxSndWnd) this.maxSndWnd = window;
      if (opened && window > 0) this.stopPersist();
    }
    if (acked === 0) {
      const isDuplicate = tcp.payload.length === 0 && (tcp.flags & (TcpFlag.syn | TcpFlag.fin)) === 0 && this.sndNxt !== this.sndUna;
      if (isDuplicate) this.duplicateAck(now);
      if (this.sndWnd > 0 && this.persistTimer !== null) this.stopPersist();
      this.output();
      return true;
    }
    const cwndLimited = this.isCwndLimited();
    this.takeRttSample(tcp, now);
    const dataEnd = seqAdd(this.sndUna, this.sendBuffer.length);
    const finAcked = this.finQueued && seqLt(dataEnd, ack);
    this.sendBuffer.discard(Math.min(acked, this.sendBuffer.length));
    const ackedSegments = Math.max(1, Math.round(delivered / this.sendMss));
    this.sndUna = ack;
    if (seqLt(this.sndNxt, ack)) this.sndNxt = ack;
    if (this.retransStamp !== null && !seqLt(this.sndUna, this.sndMax)) this.retransStamp = null;
    // tcp_ack clears retrans_stamp once nothing is outstanding (tcp_try_undo_recovery / tcp_process_loss).
    if (!seqLt(this.sndUna, this.sndMax)) this.timeoutStamp = null;
    this.retransmits = 0;
    // A partial ACK in fast recovery: without SACK the next hole is retransmitted at once (RFC 6582
    // step 5); with SACK, output() retransmits what the scoreboard calls lost (RFC 6675).
    if (this.congestion.onAck(ackedSegments, ack, cwndLimited) === 'partialAck' && this.scoreboard === null) this.retransmitHead(now);
    if (seqLt(this.highRxt, this.sndUna)) this.highRxt = this.sndUna;
    if (this.tlpHighSeq !== null && !seqLt(ack, this.tlpHighSeq)) this.tlpHighSeq = null;
    if (this.sndUna === this.sndMax) this.stopRetransmit();
    else this.armTransmitTimer(now);
    if (finAcked) this.ourFinAcked(now);
    if (this.writableWanted && this.sendBuffer.length < this.sendBufferLimit()) {
      this.writableWanted = false;
      this.table.defer(() => this.writableHandler?.());
    }
    this.output();
    return true;
  }

  /** Three duplicate ACKs: fast retransmit and fast recovery (RFC 6582). */
  private duplicateAck(now: Nanos): void {
    const scoreboard = this.scoreboard;
    if (scoreboard === null) {
      if (this.congestion.onDupAck(this.sndUna, this.sndMax) === 'fastRetransmit') this.retransmitHead(now);
      return;
    }
    // With SACK the window is not inflated in recovery: the pipe against ssthresh decides (RFC 6675 §5).
    if (this.congestion.inRecovery) return;
    let entered = this.congestion.onDupAck(this.sndUna, this.sndMax) === 'fastRetransmit';
    if (!entered && this.congestion.phase === 'open' && scoreboard.isLost(this.sndUna)) {
      this.congestion.enterRecovery(this.sndMax);
      entered = true;
    }
    if (!entered) return;
    // RFC 6675 §5 step 4.3: the first segment presumed lost goes at once.
    this.highRxt = this.sndUna;
    this.recoveryRoundAt = now;
    this.recoveryRoundMark = this.sndMax;
    this.recoverFs = Math.max(this.flightSegments(), 1);
    this.prrDelivered = 0;
    this.prrOut = 1;
    this.retransmitHead(now);
    this.highRxt = seqAdd(this.sndUna, Math.min(this.sendMss, this.sendBuffer.length));
  }

  /** Loss recovery by the scoreboard (fast recovery with SACK): RFC 6675's pipe and NextSeg. */
  private isSackRecovery(): boolean {
    return this.scoreboard !== null && this.congestion.inRecovery;
  }

  /** Retransmits [start, end) of the send buffer. */
  private retransmitRange(start: number, end: number, now: Nanos): void {
    const length = Math.min(seqDiff(end, start), this.sendBuffer.length - seqDiff(start, this.sndUna));
    if (length <= 0) return;
    if (this.retransStamp === null) this.retransStamp = this.retransmitArmedAt;
    this.table.mib.retransSegs++;
    this.transmit(TcpFlag.ack, start, this.sendBuffer.copy(seqDiff(start, this.sndUna), length), now);
    this.rttSeq = null;
  }

  /** tcp_is_cwnd_limited: the window grows only when the sender fills it (in slow start: half of it). */
  private isCwndLimited(): boolean {
    const flight = this.flightSegments();
    const cwnd = this.congestion.cwnd;
    return flight >= cwnd || (cwnd < this.congestion.ssthresh && 2 * flight >= cwnd);
  }

  private flightSegments(): number {
    return Math.ceil(seqDiff(this.sndNxt, this.sndUna) / this.sendMss);
  }

  /** Our FIN was acknowledged. */
  private ourFinAcked(now: Nanos): void {
    switch (this.currentState) {
      case 'FIN-WAIT-1':
        this.currentState = 'FIN-WAIT-2';
        // An orphan (closed, not only shut down) waits tcp_fin_timeout for the peer's FIN.
        if (this.closed) this.armStateTimer(this.table.env.sysctl('net.ipv4.tcp_fin_timeout') * SECOND, () => this.done());
        break;
      case 'CLOSING':
        this.enterTimeWait();
        break;
      case 'LAST-ACK':
        this.done();
        break;
      default:
        break;
    }
  }

  /** Karn's rule and the timestamp echo: one RTT sample per ACK that advances snd_una. */
  private takeRttSample(tcp: TcpRepr, now: Nanos): void {
    const ack = tcp.acknowledgementNumber;
    if (this.tsOk) {
      const echo = readOptions(tcp.options).timestamp?.echoReply;
      if (echo !== undefined && echo !== 0) {
        const rtt = seqDiff(this.timestampNow(now), echo) * MS;
        if (rtt >= 0) {
          this.rtoEstimator.sample({ rtt: Math.max(rtt, 1000), retransmitted: false, fromTimestamp: true, sndUna: ack, sndNxt: this.sndNxt });
          this.rttSeq = null;
          return;
        }
      }
    }
    if (this.rttSeq !== null && seqLt(this.rttSeq, ack)) {
      this.rtoEstimator.sample({ rtt: now - this.rttSentAt, retransmitted: this.retransStamp !== null, fromTimestamp: false, sndUna: ack, sndNxt: this.sndNxt });
      this.rttSeq = null;
    }
  }

  /** tcp_data_queue and tcp_fin: payload and FIN of an acceptable segment. */
  private processData(tcp: TcpRepr, now: Nanos): void {
    const state = this.currentState;
    let data = tcp.payload;
    let seq = tcp.sequenceNumber;
    const fin = (tcp.flags & TcpFlag.fin) !== 0;
    const receiving = state === 'ESTAB' || state === 'FIN-WAIT-1' || state === 'FIN-WAIT-2';
    if (!receiving) {
      // CLOSE-WAIT, CLOSING, LAST-ACK: the peer has sent its FIN; nothing more is taken.
      if (data.length > 0 || fin) this.sendAck(now);
      return;
    }
    if (data.length > 0 && this.receiveShutdown && seqLt(this.rcvNxt, seqAdd(seq, data.length))) {
      // Data for a socket closed by its program: abort with RST (tcp_rcv_state_process, TCPAbortOnData).
      this.sendReset(this.sndNxt);
      this.fail('ECONNRESET');
      return;
    }
    if (data.length > this.rcvMss) this.rcvMss = Math.min(data.length, this.advMss);
    this.measureReceiveRtt(tcp, now);
    if (data.length > 0) this.lastDataAt = now;
    if (data.length === 0 && !fin) return;
    // Trim what we already have.
    const old = seqDiff(this.rcvNxt, seq);
    if (old > 0) {
      if (old >= data.length + (fin ? 1 : 0)) {
        // A duplicate: ACK at once (tcp_data_queue's out-of-window branch, D-SACK left out).
        this.enterQuickAck();
        this.sendAck(now);
        return;
      }
      data = data.subarray(Math.min(old, data.length));
      seq = this.rcvNxt;
    }
    // Trim what does not fit the window we advertised.
    const rightEdge = seqAdd(this.rcvWup, this.rcvWnd);
    const room = seqDiff(rightEdge, seq);
    let finFits = fin;
    if (data.length > room) {
      data = data.subarray(0, Math.max(0, room));
      finFits = false;
    }
    if (seq !== this.rcvNxt) {
      this.queueOutOfOrder(seq, data);
      this.sendAck(now);
      return;
    }
    if (data.length > 0) this.receiveInOrder(data, now);
    this.pullOutOfOrder(now);
    let finNow = finFits && seqAdd(seq, data.length) === this.rcvNxt;
    if (!finNow && this.pendingFinSeq !== null && this.pendingFinSeq === this.rcvNxt) finNow = true;
    else if (finFits && !finNow) this.pendingFinSeq = seqAdd(seq, data.length);
    if (finNow) {
      this.pendingFinSeq = null;
      this.finReceived(now);
      return;
    }
    if (data.length > 0) this.scheduleAck(now);
  }

  /** The FIN's sequence number when it came ahead of a hole. */
  private pendingFinSeq: number | null = null;

  private receiveInOrder(data: Uint8Array, now: Nanos): void {
    this.rcvNxt = seqAdd(this.rcvNxt, data.length);
    this.rcvSsthresh = Math.min(this.rcvSsthresh + 2 * this.rcvMss, Math.max(this.advertisableWindow(), this.rcvSsthresh));
    if (this.dataHandler !== null && this.unread.length === 0) {
      this.copied(data.length, now);
      const bytes = data.slice();
      this.table.defer(() => this.dataHandler?.(bytes));
    } else {
      this.unread.push(data.slice());
      this.table.defer(() => this.deliverUnread());
    }
  }

  private queueOutOfOrder(seq: number, data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.outOfOrder.length >= MAX_OUT_OF_ORDER || this.outOfOrderBytes + this.unread.length + data.length > this.rcvbuf) return;
    // Keep the list sorted; an exact duplicate is not kept twice.
    let i = 0;
    while (i < this.outOfOrder.length && seqLt(this.outOfOrder[i]!.seq, seq)) i++;
    if (this.outOfOrder[i]?.seq === seq && this.outOfOrder[i]!.data.length >= data.length) return;
    this.outOfOrder.splice(i, 0, { seq, data: data.slice() });
    this.outOfOrderBytes += data.length;
    this.lastOutOfOrder = { seq, end: seqAdd(seq, data.length) };
  }

  /** The out-of-order block received last: SACK's first block (RFC 2018 §4). */
  private lastOutOfOrder: { seq: number; end: number } | null = null;

  private pullOutOfOrder(now: Nanos): void {
    let pulled = false;
    while (this.outOfOrder.length > 0) {
      const first = this.outOfOrder[0]!;
      if (seqLt(this.rcvNxt, first.seq)) break;
      this.outOfOrder.shift();
      this.outOfOrderBytes -= first.data.length;
      const skip = seqDiff(this.rcvNxt, first.seq);
      if (skip < first.data.length) this.receiveInOrder(first.data.subarray(skip), now);
      pulled = true;
    }
    if (pulled) {
      // Filling a hole is ACKed at once (tcp_data_queue: the out-of-order queue was not empty).
      this.ackPending = true;
      this.sendAck(now);
    }
    if (this.outOfOrder.length === 0) this.lastOutOfOrder = null;
  }

  /** tcp_fin. */
  private finReceived(now: Nanos): void {
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.endPending = true;
    this.table.defer(() => this.deliverUnread());
    switch (this.currentState) {
      case 'ESTAB':
        this.currentState = 'CLOSE-WAIT';
        this.pingpong = true;
        this.scheduleAck(now);
        break;
      case 'FIN-WAIT-1':
        // Simultaneous close: ACK and CLOSING (or TIME-WAIT if our FIN is ACKed by the same segment).
        this.currentState = 'CLOSING';
        this.sendAck(now);
        break;
      case 'FIN-WAIT-2':
        this.sendAck(now);
        this.enterTimeWait();
        break;
      default:
        break;
    }
  }

  private enterTimeWait(): void {
    this.currentState = 'TIME-WAIT';
    this.stopRetransmit();
    this.stopPersist();
    this.stopDelack();
    this.keepaliveTimer?.cancel();
    this.armStateTimer(TIME_WAIT_LENGTH, () => this.done());
  }

  /** Hand unread bytes and a pending end to the program once it has handlers. */
  private deliverUnread(): void {
    if (this.dataHandler !== null && this.unread.length > 0) {
      const before = this.advertisableWindow();
      const bytes = this.unread.takeAll();
      this.copied(bytes.length, this.table.env.now());
      this.dataHandler(bytes);
      // tcp_cleanup_rbuf: a window that opens a lot is announced at once.
      if (before < this.advMss && this.advertisableWindow() >= 2 * this.advMss && this.isSynchronized()) this.sendAck(this.table.env.now());
    }
    if (this.endPending && !this.endReported && this.unread.length === 0 && this.endHandler !== null) {
      this.endReported = true;
      this.endHandler();
    }
  }

  private isSynchronized(): boolean {
    const s = this.currentState;
    return s !== 'CLOSE' && s !== 'LISTEN' && s !== 'SYN-SENT' && s !== 'SYN-RECV' && s !== 'TIME-WAIT';
  }

  /**
   * tcp_rcv_space_adjust (tcp_moderate_rcvbuf): once per receiver RTT, a program that read more than
   * in the last one grows the receive buffer to hold twice that plus 16 segments, more while the
   * sender's rate grows (slow start), up to tcp_rmem[2]; the buffer is twice the window (scaling ratio 50%).
   */
  private copied(bytes: number, now: Nanos): void {
    this.spaceCopied += bytes;
    const rtt = this.rcvRtt > 0 ? this.rcvRtt : this.rtoEstimator.srtt;
    if (rtt <= 0 || now - this.spaceTime < rtt) return;
    const copied = this.spaceCopied;
    if (copied > this.space) {
      let window = 2 * copied + 16 * this.advMss;
      window += 2 * Math.floor((window * (copied - this.space)) / this.space);
      const grown = Math.min(2 * window, TCP_RMEM[2]);
      if (grown > this.rcvbuf) this.rcvbuf = grown;
    }
    this.space = copied;
    this.spaceCopied = 0;
    this.spaceTime = now;
  }

  /** tcp_rcv_rtt_measure_ts: the receiver's RTT from the echo of its own timestamps in data segments (7/8 smoothing). */
  private measureReceiveRtt(tcp: TcpRepr, now: Nanos): void {
    if (!this.tsOk || tcp.payload.length === 0) return;
    const echo = readOptions(tcp.options).timestamp?.echoReply;
    if (echo === undefined || echo === 0) return;
    const sample = Math.max(seqDiff(this.timestampNow(now), echo), 1) * MS;
    this.rcvRtt = this.rcvRtt === 0 ? sample : Math.round(this.rcvRtt - this.rcvRtt / 8 + sample / 8);
  }

  // ================================================================ acknowledgements and windows

  private enterQuickAck(): void {
    this.quickAcks = Math.max(this.quickAcks, 2);
    this.pingpong = false;
  }

  /** __tcp_ack_snd_check: at once after a second full segment or in quick-ack mode, else the delayed-ACK timer. */
  private scheduleAck(now: Nanos): void {
    this.ackPending = true;
    const unacked = seqDiff(this.rcvNxt, this.rcvWup);
    if (unacked > this.rcvMss || this.outOfOrder.length > 0) {
      this.sendAck(now);
      return;
    }
    if (this.quickAcks > 0 && !this.pingpong) {
      this.quickAcks--;
      this.sendAck(now);
      return;
    }
    if (this.delackTimer === null) {
      this.delackTimer = this.table.env.timers.schedule(now + DELACK_MIN, (at) =>
        this.table.run(() => {
          this.delackTimer = null;
          if (this.ackPending && this.isSynchronized()) {
            // tcp_delack_timer: an ACK that had to wait leaves ping-pong mode.
            this.pingpong = false;
            this.sendAck(at);
          }
        }),
      );
    }
  }

  private stopDelack(): void {
    this.delackTimer?.cancel();
    this.delackTimer = null;
    this.ackPending = false;
  }

  /** Half the free receive buffer (tcp_adv_win_scale 1), what __tcp_select_window starts from. */
  private advertisableWindow(): number {
    return Math.max(0, Math.floor((this.rcvbuf - this.unread.length - this.outOfOrderBytes) / 2));
  }

  /** tcp_select_window: the window to advertise now, never moving the right edge left. */
  private selectWindow(): number {
    let window = Math.min(this.advertisableWindow(), this.rcvSsthresh);
    if (window < this.rcvMss && window < this.rcvbuf / 8) window = 0;
    const maxWindow = this.wscaleOk ? 65535 << this.rcvWscale : 65535;
    window = Math.min(window, maxWindow);
    // Rounded up to the scale, so that it is not scaled away (__tcp_select_window).
    if (this.wscaleOk) window = Math.min(Math.ceil(window / (1 << this.rcvWscale)) * (1 << this.rcvWscale), maxWindow);
    const current = Math.max(0, seqDiff(seqAdd(this.rcvWup, this.rcvWnd), this.rcvNxt));
    if (window < current) window = Math.min(Math.ceil(current / (1 << this.rcvWscale)) * (1 << this.rcvWscale), maxWindow);
    this.rcvWnd = window;
    this.rcvWup = this.rcvNxt;
    return window >>> this.rcvWscale;
  }

  private sendAck(now: Nanos): void {
    this.transmit(TcpFlag.ack, this.sndNxt, new Uint8Array(0), now);
  }

  /** tcp_send_challenge_ack (the per-socket rate limit left out). */
  private sendChallengeAck(now: Nanos): void {
    this.sendAck(now);
  }

  // ================================================================ segments out

  /** The ISN from the node's PRNG (or, taking over a TIME-WAIT pair, past its old sequence space: tw_snd_nxt + 65537). */
  private initialiseSend(now: Nanos, iss: number | null = null): void {
    this.iss = iss ?? this.table.env.prng.nextUint32();
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.sndMax = this.iss;
    this.tsOffset = this.table.env.prng.nextUint32();
    const routeMss = (this.route?.mtu ?? 1500) - this.table.network.headerBytes;
    this.advMss = routeMss;
    this.spaceTime = now;
  }

  /** The window scale our SYN offers: enough for tcp_rmem[2] (tcp_select_initial_window). */
  private windowScaleWanted(): number {
    if (this.table.env.sysctl('net.ipv4.tcp_window_scaling') === 0) return 0;
    let space: number = TCP_RMEM[2];
    let shift = 0;
    while (space > 65535 && shift < MAX_WSCALE) {
      space = Math.floor(space / 2);
      shift++;
    }
    return shift;
  }

  /** The SYN (or SYN-ACK) with the options Linux offers, in tcp_options_write's order. */
  private sendSyn(withAck: boolean, now: Nanos): void {
    const sysctl = this.table.env.sysctl;
    const options: TcpOption[] = [{ kind: 'maxSegmentSize', maxSegmentSize: this.advMss }];
    const active = !withAck || this.parent === null;
    const offerTs = active && !withAck ? sysctl('net.ipv4.tcp_timestamps') !== 0 : this.tsOk;
    const offerSack = active && !withAck ? sysctl('net.ipv4.tcp_sack') !== 0 : this.sackOk;
    const offerWscale = active && !withAck ? sysctl('net.ipv4.tcp_window_scaling') !== 0 : this.wscaleOk;
    if (offerTs) {
      if (offerSack) options.push({ kind: 'sackPermitted' });
      else options.push({ kind: 'noOperation' }, { kind: 'noOperation' });
      options.push({ kind: 'timestamps', value: this.timestampNow(now), echoReply: withAck ? this.tsRecent : 0 });
    } else if (offerSack) options.push({ kind: 'noOperation' }, { kind: 'noOperation' }, { kind: 'sackPermitted' });
    if (offerWscale) options.push({ kind: 'noOperation' }, { kind: 'windowScale', shift: this.rcvWscale });
    // tcp_select_initial_window: half of tcp_rmem[1], rounded down to the MSS less the timestamps.
    const mss = this.advMss - (withAck && this.tsOk ? TIMESTAMP_OPTION_BYTES : 0);
    const space = Math.floor(TCP_RMEM[1] / 2);
    const window = Math.min(Math.floor(space / mss) * mss, 65535);
    this.rcvWnd = window;
    this.rcvSsthresh = window;
    this.rcvWup = this.rcvNxt;
    const segment: TcpRepr = {
      sourcePort: this.boundPort,
      destinationPort: this.remotePort,
      sequenceNumber: this.iss,
      acknowledgementNumber: withAck ? this.rcvNxt : 0,
      flags: TcpFlag.syn | (withAck ? TcpFlag.ack : 0),
      window,
      urgentPointer: 0,
      options,
      payload: new Uint8Array(0),
    };
    if (seqLt(this.sndNxt, seqAdd(this.iss, 1))) this.sndNxt = seqAdd(this.iss, 1);
    if (seqLt(this.sndMax, this.sndNxt)) this.sndMax = this.sndNxt;
    // A request socket's SYN-ACK goes out with IP ID 0 (as Linux's request socks send it).
    this.emit(segment, now, this.parent !== null ? 0 : undefined);
  }

  /** A segment of this connection: ACK (with the window and options) and `payload` at `seq`. */
  private transmit(flags: number, seq: number, payload: Uint8Array, now: Nanos): void {
    const options: TcpOption[] = [];
    if (this.tsOk) options.push({ kind: 'noOperation' }, { kind: 'noOperation' }, { kind: 'timestamps', value: this.timestampNow(now), echoReply: this.tsRecent });
    if (this.sackOk && this.outOfOrder.length > 0) {
      const blocks = this.sackBlocks();
      options.push({ kind: 'noOperation' }, { kind: 'noOperation' }, { kind: 'sack', blocks });
    }
    const segment: TcpRepr = {
      sourcePort: this.boundPort,
      destinationPort: this.remotePort,
      sequenceNumber: seq,
      acknowledgementNumber: this.rcvNxt,
      flags,
      window: this.selectWindow(),
      urgentPointer: 0,
      options,
      payload,
    };
    this.stopDelack();
    this.emit(segment, now);
  }

  /** The SACK blocks of the out-of-order queue, the most recent first (RFC 2018 §4). */
  private sackBlocks(): TcpSackBlock[] {
    const blocks: TcpSackBlock[] = [];
    for (const entry of this.outOfOrder) {
      const end = seqAdd(entry.seq, entry.data.length);
      const last = blocks[blocks.length - 1];
      if (last !== undefined && seqLe(entry.seq, last.right)) {
        if (seqLt(last.right, end)) last.right = end;
      } else blocks.push({ left: entry.seq, right: end });
    }
    const recent = this.lastOutOfOrder;
    if (recent !== null) {
      const at = blocks.findIndex((b) => seqLe(b.left, recent.seq) && seqLe(recent.end, b.right));
      if (at > 0) blocks.unshift(...blocks.splice(at, 1));
    }
    return blocks.slice(0, this.tsOk ? MAX_SACK_BLOCKS_WITH_TS : 4);
  }

  private emit(segment: TcpRepr, now: Nanos, identification?: number): void {
    const id = identification ?? (this.identification = (this.identification + 1) & 0xffff);
    this.table.mib.outSegs++;
    this.table.network.transmit(segment, this.localAddr, this.remoteAddr, this.boundDevice, id, now);
  }

  /** An RST from this connection (tcp_send_active_reset / tcp_v4_send_reset for its own segments). */
  private sendReset(seq: number): void {
    this.table.sendReset(this, seq, this.rcvNxt, TcpFlag.rst | TcpFlag.ack, this.table.env.now());
  }

  /** sk_sndbuf in payload bytes: tcp_wmem[1] at first, twice the congestion window once it grows. */
  private sendBufferLimit(): number {
    return Math.min(Math.max(TCP_WMEM[1], 2 * this.congestion.cwnd * this.sendMss, 2 * this.maxSndWnd), TCP_WMEM[2]);
  }

  private timestampNow(now: Nanos): number {
    return (Math.floor(now / MS) + this.tsOffset) >>> 0;
  }

  /** tcp_write_xmit: new segments as the windows, Nagle and the queue allow; a FIN after the data. */
  private output(): void {
    const state = this.currentState;
    if (state !== 'ESTAB' && state !== 'CLOSE-WAIT' && state !== 'FIN-WAIT-1' && state !== 'CLOSING' && state !== 'LAST-ACK') return;
    const now = this.table.env.now();
    const scoreboard = this.scoreboard;
    const sackRecovery = this.isSackRecovery();
    if (
      sackRecovery &&
      seqLt(this.sndUna, this.highRxt) &&
      (seqLt(this.recoveryRoundMark, scoreboard!.highSacked) || now - this.recoveryRoundAt > this.rtoEstimator.rto)
    ) {
      // A retransmission still not repaired when data sent after it has been SACKed was lost too (what
      // RACK finds, RFC 8985; without such data, after an RTO's time): the holes go again from snd_una on.
      this.highRxt = this.sndUna;
      this.recoveryRoundAt = now;
      this.recoveryRoundMark = this.sndMax;
    }
    const pipe = sackRecovery ? scoreboard!.pipe(this.sndNxt, this.highRxt) : 0;
    // Proportional rate reduction (RFC 6937, Linux's tcp_cwnd_reduction): while the pipe is above
    // ssthresh, send in proportion to what is delivered; below it, slow-start back up to ssthresh (SSRB).
    const ssthresh = this.congestion.ssthresh;
    let budget = 0;
    if (sackRecovery) {
      budget =
        pipe > ssthresh
          ? Math.ceil((this.prrDelivered * ssthresh) / this.recoverFs) - this.prrOut
          : Math.min(ssthresh - pipe, Math.max(this.prrDelivered - this.prrOut, this.lastDelivered) + 1);
      budget = Math.floor(budget);
    }
    let sentNew = false;
    for (;;) {
      if (sackRecovery) {
        // RFC 6675 §5 step C: NextSeg rule 1 first, then new data, as the budget allows.
        if (budget <= 0) break;
        const next = scoreboard!.nextSegment(this.highRxt);
        if (next !== null) {
          this.retransmitRange(next.start, next.end, now);
          this.highRxt = next.end;
          budget--;
          this.prrOut++;
          continue;
        }
      } else if (this.flightSegments() >= this.congestion.cwnd) break;
      const dataEnd = seqAdd(this.sndUna, this.sendBuffer.length);
      // After a timeout everything is sent again from snd_una, except what the peer SACKed.
      while (scoreboard !== null && seqLt(this.sndNxt, this.sndMax) && seqLt(this.sndNxt, dataEnd) && scoreboard.isSacked(this.sndNxt, Math.min(this.sendMss, seqDiff(dataEnd, this.sndNxt)))) {
        this.sndNxt = seqAdd(this.sndNxt, Math.min(this.sendMss, seqDiff(dataEnd, this.sndNxt)));
      }
      const unsent = Math.max(0, seqDiff(dataEnd, this.sndNxt));
      const wantFin = this.finQueued && this.sndNxt === dataEnd;
      if (unsent === 0 && !wantFin) break;
      const inFlight = seqDiff(this.sndNxt, this.sndUna);
      let length = Math.min(this.sendMss, unsent);
      const windowLeft = this.sndWnd - inFlight;
      if (length > windowLeft) {
        // The peer's window: send what fits only when it is worth it (sender SWS avoidance).
        if (windowLeft <= 0 || (windowLeft < this.sendMss && windowLeft < this.maxSndWnd / 2)) {
          // Nothing in flight to bring a window update: the probe timer (tcp_check_probe_timer).
          if (inFlight === 0) this.armPersist(now);
          break;
        }
        length = windowLeft;
      }
      // Nagle (tcp_nagle_check): a small segment waits while data is in flight.
      if (length > 0 && length < this.sendMss && length === unsent && inFlight > 0 && !this.noDelay && !this.finQueued) break;
      const fin = this.finQueued && length === unsent;
      const payload = this.sendBuffer.copy(seqDiff(this.sndNxt, this.sndUna), length);
      const push = length > 0 && length === unsent ? TcpFlag.psh : 0;
      const seq = this.sndNxt;
      const retransmission = seqLt(seq, this.sndMax);
      this.transmit(TcpFlag.ack | push | (fin ? TcpFlag.fin : 0), seq, payload, now);
      if (retransmission) this.table.mib.retransSegs++;
      this.sndNxt = seqAdd(seq, length + (fin ? 1 : 0));
      if (seqLt(this.sndMax, this.sndNxt)) this.sndMax = this.sndNxt;
      if (this.rttSeq === null && !retransmission) {
        this.rttSeq = seq;
        this.rttSentAt = now;
      }
      // tcp_event_data_sent: data sent within an ATO of data received is a reply: ping-pong mode.
      if (now - this.lastDataAt < DELACK_MIN && length > 0) this.pingpong = true;
      if (this.retransmitTimer === null) this.armRetransmit(now);
      if (!retransmission) sentNew = true;
      if (sackRecovery) {
        budget--;
        this.prrOut++;
      }
      if (fin) break;
    }
    // tcp_write_xmit ends with tcp_schedule_loss_probe when it sent new data.
    if (sentNew && this.canProbe()) this.armTransmitTimer(now);
  }

  /** The first unacknowledged segment again (fast retransmit, partial ACK, timeout). */
  private retransmitHead(now: Nanos): void {
    const dataEnd = seqAdd(this.sndUna, this.sendBuffer.length);
    const length = Math.min(this.sendMss, Math.max(0, seqDiff(dataEnd, this.sndUna)));
    const fin = this.finQueued && length === this.sendBuffer.length && seqLt(dataEnd, this.sndMax);
    if (length === 0 && !fin) return;
    const payload = this.sendBuffer.copy(0, length);
    if (this.retransStamp === null) this.retransStamp = this.retransmitArmedAt;
    this.table.mib.retransSegs++;
    this.transmit(TcpFlag.ack | (fin ? TcpFlag.fin : 0) | (length > 0 && length === this.sendBuffer.length ? TcpFlag.psh : 0), this.sndUna, payload, now);
    if (seqLt(this.sndNxt, seqAdd(this.sndUna, length + (fin ? 1 : 0)))) this.sndNxt = seqAdd(this.sndUna, length + (fin ? 1 : 0));
    this.rttSeq = null;
  }

  /** shutdown(SHUT_WR) / close: FIN after what is queued (tcp_send_fin via tcp_close_state). */
  private sendFin(): void {
    if (this.shutdownSend) return;
    this.shutdownSend = true;
    // tcp_set_state: CurrEstab counts ESTABLISHED and CLOSE-WAIT sockets; leaving them for a FIN state drops one.
    switch (this.currentState) {
      case 'ESTAB':
        this.table.mib.currEstab--;
        this.currentState = 'FIN-WAIT-1';
        break;
      case 'SYN-RECV':
        this.currentState = 'FIN-WAIT-1';
        break;
      case 'CLOSE-WAIT':
        this.table.mib.currEstab--;
        this.currentState = 'LAST-ACK';
        break;
      default:
        return;
    }
    this.finQueued = true;
    this.output();
  }

  // ================================================================ timers

  /**
   * tcp_set_xmit_timer after new data or an ACK: the tail loss probe when tcp_schedule_loss_probe would
   * arm it (RFC 8985 §7.2: 2·SRTT, plus TCP_RTO_MIN with one segment in flight, not later than the RTO),
   * else the retransmission timer.
   */
  private armTransmitTimer(now: Nanos): void {
    if (!this.canProbe()) {
      this.armRetransmit(now);
      return;
    }
    const srtt = this.rtoEstimator.srtt;
    const pto = Math.min(2 * srtt + (this.flightSegments() === 1 ? TCP_RTO_MIN : 2 * MS), this.rtoEstimator.rto);
    this.retransmitTimer?.cancel();
    if (this.retransStamp === null) this.retransmitArmedAt = now;
    this.lossProbe = true;
    this.retransmitTimer = this.table.env.timers.schedule(now + Math.ceil(pto / MS) * MS, (at) => this.table.run(() => this.retransmitTimeout(at)));
  }

  private canProbe(): boolean {
    // Also for a FIN in flight: tcp_send_fin goes through tcp_write_xmit, which schedules the probe.
    if (!['ESTAB', 'CLOSE-WAIT', 'FIN-WAIT-1', 'CLOSING', 'LAST-ACK'].includes(this.currentState)) return false;
    // Only with SACK (tcp_is_sack), outside recovery, once per tail, with an RTT sample.
    if (!this.sackOk || this.congestion.phase !== 'open' || this.tlpHighSeq !== null || !this.rtoEstimator.hasSample || this.sndUna === this.sndMax) return false;
    // Not cwnd-limited but data still queued: the sender is waiting for something else (no probe).
    const unsent = seqDiff(seqAdd(this.sndUna, this.sendBuffer.length), this.sndNxt) > 0;
    return !(this.congestion.cwnd > this.flightSegments() && unsent);
  }

  /** tcp_send_loss_probe: new data if the peer's window allows, else the last segment again; then the RTO. */
  private sendLossProbe(now: Nanos): void {
    const dataEnd = seqAdd(this.sndUna, this.sendBuffer.length);
    const unsent = Math.max(0, seqDiff(dataEnd, this.sndNxt));
    const windowLeft = this.sndWnd - seqDiff(this.sndNxt, this.sndUna);
    if (unsent > 0 && windowLeft >= Math.min(unsent, this.sendMss)) {
      const length = Math.min(unsent, this.sendMss);
      this.transmit(TcpFlag.ack | (length === unsent ? TcpFlag.psh : 0), this.sndNxt, this.sendBuffer.copy(seqDiff(this.sndNxt, this.sndUna), length), now);
      this.sndNxt = seqAdd(this.sndNxt, length);
      if (seqLt(this.sndMax, this.sndNxt)) this.sndMax = this.sndNxt;
    } else {
      const finSent = this.finQueued && seqLt(dataEnd, this.sndMax);
      const dataSent = seqDiff(this.sndMax, this.sndUna) - (finSent ? 1 : 0);
      const length = Math.min(this.sendMss, Math.max(dataSent, 0));
      const start = seqAdd(this.sndUna, dataSent - length);
      if (this.retransStamp === null) this.retransStamp = this.retransmitArmedAt;
      this.table.mib.retransSegs++;
      this.transmit(TcpFlag.ack | (finSent ? TcpFlag.fin : 0) | (length > 0 ? TcpFlag.psh : 0), start, this.sendBuffer.copy(dataSent - length, length), now);
      this.rttSeq = null;
    }
    this.tlpHighSeq = this.sndMax;
  }

  private armRetransmit(now: Nanos): void {
    this.retransmitTimer?.cancel();
    this.lossProbe = false;
    this.retransmitArmedAt = now;
    const synState = this.currentState === 'SYN-SENT' || this.currentState === 'SYN-RECV';
    const rto = synState ? this.synRto() : this.rtoEstimator.rto;
    this.retransmitTimer = this.table.env.timers.schedule(now + rto, (at) => this.table.run(() => this.retransmitTimeout(at)));
  }

  /** The SYN's and SYN-ACK's timer: 1 s, backed off as tcp_retransmit_timer / reqsk_timer_handler do. */
  private synRto(): Nanos {
    return Math.min(this.synTimeout, TCP_RTO_MAX);
  }

  private synTimeout: Nanos = TCP_TIMEOUT_INIT;

  private stopRetransmit(): void {
    this.retransmitTimer?.cancel();
    this.retransmitTimer = null;
    this.lossProbe = false;
  }

  /** tcp_retransmit_timer / tcp_write_timeout. */
  private retransmitTimeout(now: Nanos): void {
    this.retransmitTimer = null;
    const sysctl = this.table.env.sysctl;
    const state = this.currentState;
    if (state === 'SYN-SENT' || state === 'SYN-RECV') {
      const passive = this.parent !== null;
      const retries = passive ? sysctl('net.ipv4.tcp_synack_retries') : sysctl('net.ipv4.tcp_syn_retries');
      // tcp_write_timeout: the count rule, or (once a SYN went again) retransmits_timed_out's time rule
      // from the first SYN with a 1 s base — with tcp_syn_retries 2, 7 s: before the count's sixth SYN.
      const timedOut = !passive && this.retransStamp !== null && retransmitsTimedOut(retries, TCP_TIMEOUT_INIT, now - this.retransStamp);
      if (timedOut || (passive ? this.retransmits >= retries : synRetriesExhausted(this.retransmits, state === 'SYN-SENT', retries, sysctl('net.ipv4.tcp_syn_linear_timeouts')))) {
        if (passive) this.done();
        else this.fail(this.softError ?? 'ETIMEDOUT');
        return;
      }
      if (this.retransStamp === null) this.retransStamp = this.retransmitArmedAt;
      // Linux 6.5+: the first tcp_syn_linear_timeouts SYN timeouts keep the RTO (not for a SYN-ACK).
      if (passive || state !== 'SYN-SENT' || synBackoffDoubles(this.retransmits, sysctl('net.ipv4.tcp_syn_linear_timeouts'))) this.synTimeout *= 2;
      this.retransmits++;
      this.table.mib.retransSegs++;
      this.sendSyn(state === 'SYN-RECV', now);
      this.armRetransmit(now);
      return;
    }
    if (this.sndUna === this.sndMax) return;
    if (this.lossProbe) {
      this.lossProbe = false;
      this.sendLossProbe(now);
      this.armRetransmit(now);
      return;
    }
    this.tlpHighSeq = null;
    if (this.retransStamp === null) this.retransStamp = this.retransmitArmedAt;
    // tcp_orphan_retries: the sysctl for an orphan, 8 when it is 0 (tcp_write_timeout for SOCK_DEAD).
    const orphanRetries = sysctl('net.ipv4.tcp_orphan_retries');
    const boundary = this.closed && state !== 'ESTAB' ? (orphanRetries === 0 ? 8 : orphanRetries) : sysctl('net.ipv4.tcp_retries2');
    // retransmits_timed_out counts from retrans_stamp, which tcp_retransmit_skb sets at the first
    // retransmission a timeout makes (a loss probe does not set it), and is false before one.
    if (this.timeoutStamp !== null && retransmitsTimedOut(boundary, TCP_RTO_MIN, now - this.timeoutStamp)) {
      this.fail(this.softError ?? 'ETIMEDOUT');
      return;
    }
    // tcp_enter_loss: everything in flight is resent from snd_una with cwnd 1 (go-back-N).
    this.congestion.onRto(this.sndUna, this.sndMax);
    this.rtoEstimator.backoff();
    this.retransmits++;
    this.sndNxt = this.sndUna;
    this.retransmitHead(now);
    this.timeoutStamp ??= now;
    this.armRetransmit(now);
  }

  /** The zero-window probe timer (tcp_probe_timer): a probe with back-off while the peer's window is 0. */
  /**
   * tcp_probe_timer: while the peer's window is 0 and nothing is in flight, a probe each RTO, doubling
   * (at most 120 s); a peer that answers keeps the connection for ever, tcp_retries2 unanswered probes
   * end it (icsk_probes_out, reset by any segment received).
   */
  private armPersist(now: Nanos): void {
    if (this.persistTimer !== null) return;
    const delay = Math.min(this.rtoEstimator.rto * 2 ** this.persistBackoff, TCP_RTO_MAX);
    this.persistTimer = this.table.env.timers.schedule(now + delay, (at) =>
      this.table.run(() => {
        this.persistTimer = null;
        if (!this.isSynchronized() || this.sndNxt !== this.sndUna) return;
        if (this.keepaliveProbes >= this.table.env.sysctl('net.ipv4.tcp_retries2')) {
          this.fail(this.softError ?? 'ETIMEDOUT');
          return;
        }
        this.keepaliveProbes++;
        if (this.persistBackoff < 30) this.persistBackoff++;
        const unsent = this.sendBuffer.length;
        if (this.sndWnd > 0 && unsent > 0) {
          // tcp_write_wakeup: a window too small for a segment still takes what fits.
          const length = Math.min(this.sndWnd, this.sendMss, unsent);
          this.transmit(TcpFlag.ack | (length === unsent ? TcpFlag.psh : 0), this.sndUna, this.sendBuffer.copy(0, length), at);
          this.sndNxt = seqAdd(this.sndUna, length);
          if (seqLt(this.sndMax, this.sndNxt)) this.sndMax = this.sndNxt;
          this.armRetransmit(at);
          return;
        }
        // tcp_xmit_probe_skb: an ACK with an old sequence number, which the peer answers with its window.
        this.transmit(TcpFlag.ack, seqAdd(this.sndUna, -1), new Uint8Array(0), at);
        this.armPersist(at);
      }),
    );
  }

  private stopPersist(): void {
    this.persistTimer?.cancel();
    this.persistTimer = null;
    this.persistBackoff = 0;
  }

  /** (Re)starts the keepalive timer from the last segment received (SO_KEEPALIVE in a synchronized state). */
  private armKeepalive(): void {
    this.keepaliveTimer?.cancel();
    this.keepaliveTimer = null;
    if (!this.keepAlive || (this.currentState !== 'ESTAB' && this.currentState !== 'CLOSE-WAIT' && this.currentState !== 'FIN-WAIT-2')) return;
    this.scheduleKeepalive(this.lastReceivedAt + this.table.env.sysctl('net.ipv4.tcp_keepalive_time') * SECOND);
  }

  private scheduleKeepalive(at: Nanos): void {
    this.keepaliveTimer = this.table.env.timers.schedule(Math.max(at, this.table.env.now()), (now) =>
      this.table.run(() => {
        this.keepaliveTimer = null;
        this.keepaliveTimeout(now);
      }),
    );
  }

  /**
   * tcp_keepalive_timer: idle for tcp_keepalive_time since the last segment received, a probe (an ACK
   * with snd_una − 1, which the peer answers) every tcp_keepalive_intvl; tcp_keepalive_probes
   * unanswered ones end the connection with ETIMEDOUT (or the last soft error).
   */
  private keepaliveTimeout(now: Nanos): void {
    const sysctl = this.table.env.sysctl;
    const idle = sysctl('net.ipv4.tcp_keepalive_time') * SECOND;
    const elapsed = now - this.lastReceivedAt;
    if (elapsed < idle) {
      this.scheduleKeepalive(this.lastReceivedAt + idle);
      return;
    }
    if (this.keepaliveProbes >= sysctl('net.ipv4.tcp_keepalive_probes')) {
      this.fail(this.softError ?? 'ETIMEDOUT');
      return;
    }
    this.keepaliveProbes++;
    this.transmit(TcpFlag.ack, seqAdd(this.sndUna, -1), new Uint8Array(0), now);
    this.scheduleKeepalive(now + sysctl('net.ipv4.tcp_keepalive_intvl') * SECOND);
  }

  /** Keepalive or zero-window probes sent since the peer was last heard (icsk_probes_out). */
  private keepaliveProbes = 0;

  private armStateTimer(delay: Nanos, then: () => void): void {
    this.stateTimer?.cancel();
    this.stateTimer = this.table.env.timers.schedule(this.table.env.now() + delay, () => this.table.run(then));
  }

  // ================================================================ errors and the end

  /** tcp_v4_err / tcp_v6_err for this connection: `seq` is the quoted segment's sequence number. */
  icmpError(errno: Errno, fatal: boolean, seq: number, revertsBackoff = false): void {
    const state = this.currentState;
    // Only an error about a segment in flight counts (OutOfWindowIcmps otherwise).
    if (state !== 'SYN-SENT' && state !== 'SYN-RECV' && (seqLt(seq, this.sndUna) || seqLt(this.sndMax, seq))) return;
    if (state === 'SYN-RECV' && this.parent !== null) {
      // tcp_req_err: a request socket is dropped on a hard error, else kept.
      if (fatal) this.done();
      return;
    }
    if (state === 'SYN-SENT' || state === 'SYN-RECV') {
      this.fail(errno);
      return;
    }
    // Established: a soft error waits for the timeout (without IP_RECVERR even a hard one does).
    if (revertsBackoff) this.revertRto(seq, this.table.env.now());
    this.softError = errno;
  }

  /**
   * tcp_ld_RTO_revert (RFC 6069): an unreachable quoting the retransmitted first segment means the
   * path is gone, not congested — one back-off is undone and the timer runs for what is left of the
   * shorter RTO since that segment went (or fires now).
   */
  private revertRto(seq: number, now: Nanos): void {
    if (seq !== this.sndUna || this.retransmits === 0 || this.rtoEstimator.backoffCount === 0 || this.retransmitTimer === null || this.lossProbe) return;
    this.rtoEstimator.revertBackoff();
    this.retransmitTimer.cancel();
    const due = this.retransmitArmedAt + this.rtoEstimator.rto;
    if (due > now) this.retransmitTimer = this.table.env.timers.schedule(due, (at) => this.table.run(() => this.retransmitTimeout(at)));
    else this.retransmitTimeout(now);
  }

  /** tcp_v4_mtu_reduced / tcp_v6_mtu_reduced: a smaller path MTU lowers the MSS and what is in flight goes again. */
  mtuReduced(mtu: number): void {
    const mss = mtu - this.table.network.headerBytes - (this.tsOk ? TIMESTAMP_OPTION_BYTES : 0);
    if (mss >= this.sendMss || !this.isSynchronized()) return;
    this.sendMss = Math.max(mss, 48);
    this.table.run(() => {
      this.sndNxt = this.sndUna;
      this.output();
    });
  }

  /** The connection ends with an error reported to the program (sk_err, tcp_done). */
  private fail(errno: Errno): void {
    this.pendingError = errno;
    this.done();
    this.table.defer(() => this.reportError());
  }

  private reportError(): void {
    if (this.pendingError === null || this.errorHandler === null) return;
    const errno = this.takeError();
    this.errorHandler(errno);
  }

  private takeError(): Errno {
    const errno = this.pendingError!;
    this.pendingError = null;
    return errno;
  }

  /** tcp_done: CLOSE, timers off, out of the tables (the object stays the program's until close()). */
  done(): void {
    const mib = this.table.mib;
    // tcp_set_state(TCP_CLOSE): from ESTABLISHED or CLOSE-WAIT an EstabReset, from a handshake an AttemptFail.
    if (this.currentState === 'ESTAB' || this.currentState === 'CLOSE-WAIT') {
      mib.currEstab--;
      mib.estabResets++;
    }
    if ((this.currentState === 'SYN-SENT' || this.currentState === 'SYN-RECV') && this.parent === null) mib.attemptFails++;
    this.currentState = 'CLOSE';
    this.stopRetransmit();
    this.stopPersist();
    this.stopDelack();
    this.keepaliveTimer?.cancel();
    this.keepaliveTimer = null;
    this.stateTimer?.cancel();
    this.stateTimer = null;
    this.parent?.synQueue.delete(this);
    this.table.unhashConnection(this);
    if (this.closed || this.parent !== null) this.table.release(this);
  }
}
