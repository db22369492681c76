/**
 * What the TCP programs (nc, httpd, curl, http-load, tcpperf) share on top of the TcpSocket
 * contract (packages/stack/src/process.ts): opening and connecting a socket as a client does
 * (socket, SO_BINDTODEVICE, bind, non-blocking connect with a deadline), and a bounded queue of
 * outgoing bytes that waits for `onWritable` when send(2) takes less than it was given.
 *
 * Leaves out: happy-eyeballs over several addresses (one address is tried), IPv6 zone ids.
 */
import type { Errno, ProcessContext, TcpSocket, TimerHandle } from '@netloom/stack';
import { isIpv4Literal, isIpv6Literal } from './address-text.js';
import { lookupHost } from './host-names.js';

/** How a connection attempt ended when it did not connect. */
export type ConnectFailure = { phase: 'socket' | 'device' | 'bind' | 'connect'; errno: Errno } | { phase: 'timeout' };

export interface ConnectOptions {
  /** SO_BINDTODEVICE. */
  device?: string;
  /** Local address and port to bind first. */
  source?: string;
  sourcePort?: number;
  /** Give up after this many ns (curl -m, nc -w); 0 or absent: the kernel's own SYN retries decide. */
  timeout?: number;
}

/** An address literal as is, else getaddrinfo's first answer from the node's resolver (/etc/hosts; null: unknown name). */
export function resolveHost(ctx: ProcessContext, text: string, family?: 4 | 6): string | null {
  if (isIpv4Literal(text) || isIpv6Literal(text)) return text;
  const found = lookupHost(ctx, text, family ?? null);
  return found.ok ? found.host.address : null;
}

/**
 * Open a TCP socket to address:port and connect it; `done` gets the connected socket or why not.
 * Returns a cancel function (Ctrl-C while connecting); the socket is closed on every failure.
 */
export function connectTcp(ctx: ProcessContext, address: string, port: number, options: ConnectOptions, done: (result: TcpSocket | ConnectFailure) => void): () => void {
  const opened = ctx.tcpSocket(isIpv6Literal(address) ? 6 : 4);
  if ('errno' in opened) {
    done({ phase: 'socket', errno: opened.errno });
    return () => {};
  }
  const socket = opened;
  let settled = false;
  let timer: TimerHandle | null = null;
  const settle = (result: TcpSocket | ConnectFailure): void => {
    if (settled) return;
    settled = true;
    timer?.cancel();
    if (result !== socket) socket.close();
    done(result);
  };
  if (options.device !== undefined) {
    const r = socket.setsockopt('SO_BINDTODEVICE', options.device);
    if (!r.ok) {
      settle({ phase: 'device', errno: r.errno });
      return () => {};
    }
  }
  if (options.source !== undefined || options.sourcePort !== undefined) {
    const r = socket.bind(options.source ?? (socket.family === 4 ? '0.0.0.0' : '::'), options.sourcePort ?? 0);
    if (!r.ok) {
      settle({ phase: 'bind', errno: r.errno });
      return () => {};
    }
  }
  socket.onConnect(() => settle(socket));
  socket.onError((errno) => settle({ phase: 'connect', errno }));
  const r = socket.connect(address, port);
  if (!r.ok) {
    settle({ phase: 'connect', errno: r.errno });
    return () => {};
  }
  if (options.timeout !== undefined && options.timeout > 0) timer = ctx.setTimer(options.timeout, () => settle({ phase: 'timeout' }));
  return () => {
    if (settled) return;
    settled = true;
    timer?.cancel();
    socket.close();
  };
}

/**
 * Outgoing bytes of one connection: what send(2) does not take waits (at most `limit` bytes) and
 * goes when the socket is writable again; `end` shuts the sending side down once all is sent.
 */
export class SendQueue {
  private readonly waiting: Uint8Array[] = [];
  private waitingBytes = 0;
  private ending = false;
  private finSent = false;
  private failed: Errno | null = null;
  private drained: (() => void) | null = null;

  constructor(
    private readonly socket: TcpSocket,
    private readonly limit = 1024 * 1024,
  ) {
    socket.onWritable(() => this.flush());
  }

  /** Bytes not yet taken by the socket. */
  get pending(): number {
    return this.waitingBytes;
  }

  /** The send error that stopped the queue (EPIPE, ECONNRESET, …), or null. */
  get error(): Errno | null {
    return this.failed;
  }

  /** Queue `bytes`; false when they would pass the limit (nothing is queued then) or the socket failed. */
  write(bytes: Uint8Array): boolean {
    if (this.failed !== null || this.ending) return false;
    if (this.waitingBytes + bytes.length > this.limit) return false;
    if (bytes.length === 0) return true;
    this.waiting.push(bytes);
    this.waitingBytes += bytes.length;
    this.flush();
    return this.failed === null;
  }

  /** FIN once every queued byte is taken. */
  end(): void {
    this.ending = true;
    this.flush();
  }

  /** Call `handler` each time the queue empties (and once now if it is empty). */
  onDrained(handler: (() => void) | null): void {
    this.drained = handler;
    if (handler !== null && this.waitingBytes === 0) handler();
  }

  private flush(): void {
    while (this.failed === null && this.waiting.length > 0) {
      const head = this.waiting[0]!;
      const r = this.socket.send(head);
      if (!r.ok) {
        this.failed = r.errno;
        return;
      }
      this.waitingBytes -= r.accepted;
      if (r.accepted < head.length) {
        this.waiting[0] = head.subarray(r.accepted);
        return;
      }
      this.waiting.shift();
    }
    if (this.failed !== null || this.waiting.length > 0) return;
    if (this.ending && !this.finSent) {
      this.finSent = true;
      this.socket.shutdown();
    }
    this.drained?.();
  }
}
