/**
 * `tcpperf`: iperf-style bulk TCP throughput in virtual time, printed as iperf 2.0 prints it.
 *
 *   tcpperf -s [-p PORT] [-i SECONDS]                          server (runs until Ctrl-C)
 *   tcpperf -c HOST [-t SECONDS] [-p PORT] [-l LEN] [-i SECONDS]   client
 *
 * The client connects to PORT (default 5001), writes LEN-byte buffers (default 128 KiB, as iperf 2)
 * as fast as the socket takes them for -t seconds (default 10), then closes; the server reads
 * everything each connection sends and reports when it ends. Both print iperf 2.0's report:
 *
 *   ------------------------------------------------------------
 *   Client connecting to 10.0.0.2, TCP port 5001
 *   ------------------------------------------------------------
 *   [  3] local 10.0.0.1 port 40000 connected with 10.0.0.2 port 5001
 *   [ ID] Interval       Transfer     Bandwidth
 *   [  3]  0.0- 1.0 sec  11.2 MBytes  94.1 Mbits/sec        (every -i SECONDS)
 *   [  3]  0.0-10.0 sec   112 MBytes  94.1 Mbits/sec        (the whole run)
 *
 * Transfer in 1024-based bytes, bandwidth in 1000-based bits, each with iperf's adaptive unit and
 * 3 significant figures. The client counts the bytes its socket accepted, the server the bytes it
 * received, so the server's figure is the one a link's bandwidth bounds. Connection ids start at 3
 * on a client and 4 on a server (the descriptors iperf 2 got). Errors: `connect failed: Connection
 * refused` (exit 1), `bind failed: Address already in use` (exit 1), usage errors exit 2.
 * Leaves out: UDP mode, -P parallel streams, -d/-r bidirectional tests, window size setting,
 * the `TCP window size` header line.
 */
import { errnoMessage, type Nanos, type Program, type TcpSocket, type TimerHandle } from '@netloom/stack';
import { getopt } from './getopt.js';
import { connectTcp, resolveHost } from './tcp-stream.js';

export const TCPPERF_USAGE = 'usage: tcpperf -s [-p port] [-i interval]\n       tcpperf -c host [-t time] [-p port] [-l length] [-i interval]\n';
const SECOND = 1_000_000_000;
const RULE = '------------------------------------------------------------\n';
/** Largest -l: the buffer the client writes from. */
const MAX_LENGTH = 1024 * 1024;
/** Most connections a server reports on at once. */
const MAX_CONNECTIONS = 64;

/** iperf's byte_snprintf: adaptive unit, %4.2f / %4.1f / %4.0f by magnitude. */
export function formatAmount(value: number, base: 1000 | 1024, units: readonly string[]): string {
  let amount = value;
  let unit = 0;
  while (amount >= base && unit < units.length - 1) {
    amount /= base;
    unit++;
  }
  const digits = amount < 9.995 ? 2 : amount < 99.95 ? 1 : 0;
  return `${amount.toFixed(digits).padStart(4)} ${units[unit]}`;
}

const BYTE_UNITS = ['Bytes', 'KBytes', 'MBytes', 'GBytes'] as const;
const BIT_UNITS = ['bits/sec', 'Kbits/sec', 'Mbits/sec', 'Gbits/sec'] as const;

/** One report line: `[  3]  0.0-10.0 sec   112 MBytes  94.1 Mbits/sec`. */
export function reportLine(id: number, from: Nanos, to: Nanos, bytes: number): string {
  const seconds = (to - from) / SECOND;
  const bits = seconds > 0 ? (bytes * 8) / seconds : 0;
  const interval = `${(from / SECOND).toFixed(1).padStart(4)}-${(to / SECOND).toFixed(1).padStart(4)}`;
  return `[${String(id).padStart(3)}] ${interval} sec  ${formatAmount(bytes, 1024, BYTE_UNITS)}  ${formatAmount(bits, 1000, BIT_UNITS)}\n`;
}

/** Counts a connection's bytes and prints the -i interval lines and the final one. */
class ThroughputReport {
  private bytes = 0;
  private intervalBytes = 0;
  private intervalStart: Nanos = 0;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly write: (text: string) => void,
    private readonly id: number,
    private readonly start: Nanos,
    private readonly now: () => Nanos,
    private readonly setTimer: (delay: Nanos, callback: () => void) => TimerHandle,
    private readonly interval: Nanos | null,
  ) {
    write('[ ID] Interval       Transfer     Bandwidth\n');
    this.arm();
  }

  count(bytes: number): void {
    this.bytes += bytes;
    this.intervalBytes += bytes;
  }

  /** The whole connection's line; no more interval lines after it. */
  finish(): void {
    this.timer?.cancel();
    const elapsed = this.now() - this.start;
    // An interval ending now (-t a multiple of -i) gets its line before the total, as iperf prints it.
    if (this.interval !== null && elapsed >= this.intervalStart + this.interval) this.write(reportLine(this.id, this.intervalStart, this.intervalStart + this.interval, this.intervalBytes));
    this.write(reportLine(this.id, 0, elapsed, this.bytes));
  }

  private arm(): void {
    if (this.interval === null) return;
    const interval = this.interval;
    this.timer = this.setTimer(interval, () => {
      const end = this.intervalStart + interval;
      this.write(reportLine(this.id, this.intervalStart, end, this.intervalBytes));
      this.intervalStart = end;
      this.intervalBytes = 0;
      this.arm();
    });
  }
}

export const tcpperf: Program = (ctx) => {
  const usage = (message: string | null): void => {
    ctx.stderr(`${message === null ? '' : `${message}\n`}${TCPPERF_USAGE}`);
    ctx.exit(2);
  };
  const parsed = getopt(ctx.argv, { short: 'sc:p:t:l:i:h' });
  if (!parsed.ok) return usage(`tcpperf: ${parsed.error.kind === 'missingArgument' ? 'option requires an argument' : 'invalid option'} -- '${parsed.error.option.replace(/^-+/, '')}'`);
  if (parsed.operands.length > 0) return usage(null);
  let server = false;
  let host: string | null = null;
  let port = 5001;
  let duration: Nanos = 10 * SECOND;
  let length = 128 * 1024;
  let interval: Nanos | null = null;
  const seconds = (value: string): Nanos | null => (/^(\d+(\.\d*)?|\.\d+)$/.test(value) && Number(value) > 0 ? Math.round(Number(value) * SECOND) : null);
  for (const { key, value = '' } of parsed.options) {
    switch (key) {
      case 'h':
        ctx.stdout(TCPPERF_USAGE);
        return ctx.exit(0);
      case 's':
        server = true;
        break;
      case 'c':
        host = value;
        break;
      case 'p':
        if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) return usage(`tcpperf: invalid port: ${value}`);
        port = Number(value);
        break;
      case 't':
      case 'i': {
        const ns = seconds(value);
        if (ns === null) return usage(`tcpperf: invalid ${key === 't' ? 'time' : 'interval'}: ${value}`);
        if (key === 't') duration = ns;
        else interval = ns;
        break;
      }
      case 'l': {
        const m = /^(\d+)([KkMm]?)$/.exec(value);
        const bytes = m === null ? 0 : Number(m[1]) * (m[2] === '' ? 1 : /k/i.test(m[2] ?? '') ? 1024 : 1024 * 1024);
        if (bytes < 1 || bytes > MAX_LENGTH) return usage(`tcpperf: invalid length: ${value} (1 to ${MAX_LENGTH} bytes)`);
        length = bytes;
        break;
      }
      default:
        break;
    }
  }
  if (server === (host !== null)) return usage(null);
  const out = (text: string): void => {
    ctx.stdout(text);
  };
  const connectedLine = (id: number, socket: TcpSocket): string => {
    const local = socket.localAddress();
    const remote = socket.remoteAddress();
    return `[${String(id).padStart(3)}] local ${local?.address} port ${local?.port} connected with ${remote?.address} port ${remote?.port}\n`;
  };

  if (server) {
    const opened = ctx.tcpSocket(4);
    if ('errno' in opened) {
      ctx.stderr(`socket failed: ${errnoMessage[opened.errno]}\n`);
      return ctx.exit(1);
    }
    const listener = opened;
    listener.setsockopt('SO_REUSEADDR', true);
    const bound = listener.bind('0.0.0.0', port);
    const listening = bound.ok ? listener.listen(5) : bound;
    if (!listening.ok) {
      ctx.stderr(`${bound.ok ? 'listen' : 'bind'} failed: ${errnoMessage[listening.errno]}\n`);
      return ctx.exit(1);
    }
    out(`${RULE}Server listening on TCP port ${port}\n${RULE}`);
    let nextId = 4;
    const connections = new Set<TcpSocket>();
    listener.onAccept((socket) => {
      if (connections.size >= MAX_CONNECTIONS) return socket.close();
      connections.add(socket);
      const id = nextId++;
      out(connectedLine(id, socket));
      const report = new ThroughputReport(out, id, ctx.now(), () => ctx.now(), ctx.setTimer, interval);
      const end = (): void => {
        report.finish();
        connections.delete(socket);
        socket.close();
      };
      socket.onData((data) => report.count(data.length));
      socket.onEnd(end);
      socket.onError(end);
    });
    ctx.onInterrupt(() => {
      for (const socket of connections) socket.close();
      listener.close();
      ctx.exit(0);
    });
    return;
  }

  const target = resolveHost(ctx, host ?? '');
  if (target === null) {
    ctx.stderr(`tcpperf: failed to resolve host '${host}'\n`);
    return ctx.exit(1);
  }
  out(`${RULE}Client connecting to ${host}, TCP port ${port}\n${RULE}`);
  let socket: TcpSocket | null = null;
  let finished = false;
  let cancel: () => void = () => {};
  const finish = (status: number): void => {
    if (finished) return;
    finished = true;
    cancel();
    socket?.close();
    ctx.exit(status);
  };
  cancel = connectTcp(ctx, target, port, {}, (result) => {
    if ('phase' in result) {
      ctx.stderr(result.phase === 'timeout' ? 'connect failed: Connection timed out\n' : `connect failed: ${errnoMessage[result.errno]}\n`);
      return finish(1);
    }
    const connected = result;
    socket = connected;
    out(connectedLine(3, connected));
    const report = new ThroughputReport(out, 3, ctx.now(), () => ctx.now(), ctx.setTimer, interval);
    const buffer = new Uint8Array(length);
    for (let i = 0; i < length; i++) buffer[i] = 0x30 + (i % 10); // iperf's pattern: "0123456789…"
    let offset = 0;
    let sending = true;
    const pump = (): void => {
      while (sending) {
        const r = connected.send(offset === 0 ? buffer : buffer.subarray(offset));
        if (!r.ok) {
          ctx.stderr(`write failed: ${errnoMessage[r.errno]}\n`);
          sending = false;
          report.finish();
          return finish(1);
        }
        report.count(r.accepted);
        offset = (offset + r.accepted) % length;
        if (r.accepted === 0 || offset !== 0) return; // the buffer is full: wait for onWritable
      }
    };
    connected.onWritable(pump);
    connected.onError((errno) => {
      if (!sending) return;
      sending = false;
      ctx.stderr(`write failed: ${errnoMessage[errno]}\n`);
      report.finish();
      finish(1);
    });
    ctx.setTimer(duration, () => {
      sending = false;
      report.finish();
      finish(0);
    });
    pump();
  });
  ctx.onInterrupt(() => finish(0));
};
