/**
 * nc's TCP mode (the default without -u), as OpenBSD netcat 1.219 (Debian's netcat-openbsd)
 * behaves (nc.ts parses the options); a client sends its standard input (`nc HOST PORT < FILE`,
 * then its side shut down as at the end of stdin with -N) or, without one, -m's text:
 *
 *   nc -l [-p PORT | PORT] [-s ADDR] [-k] [-e] [-m TEXT] [-v]      listen
 *   nc [-v] [-w SECS] [-s ADDR] [-p SPORT] [-m TEXT] [-c COUNT] [-i INTERVAL] HOST PORT
 *   nc -z [-v] [-w SECS] HOST PORT[-PORT]                           port scan
 *
 * Listen: binds and listens; each connection's bytes go to stdout as they come. Without -k it takes
 * one connection and exits 0 when that peer closes; with -k it keeps listening and serves every
 * connection (at most 64 at once, not one after another as OpenBSD nc does). `-m TEXT` sends `TEXT\n`
 * to each connection, `-e` echoes what comes back to its sender. With -v (as `nc -lnv`):
 * `Listening on 0.0.0.0 9000`, `Connection received on 10.0.0.1 35576`.
 * Connect: sends `TEXT\n` COUNT times (default once, TEXT `hello`; `-m ''` sends nothing) every
 * INTERVAL, then shuts its sending side down as `nc -N` does at the end of stdin, prints what
 * comes back, and exits 0 when the peer closes. `-w SECS` bounds the connect and then any idle
 * time (exit 0 when the connection idles out). -z connects to each port of the range and closes
 * at once; the status is 0 when at least one port accepted.
 * With -v (and only then, as OpenBSD nc): `Connection to HOST PORT port [tcp/SERVICE] succeeded!`
 * (`[tcp/*]` for a port /etc/services does not name), `nc: connect to HOST port PORT (tcp) failed:
 * Connection refused`, `nc: connect to HOST port PORT (tcp) timed out: Operation now in progress`;
 * the status is 1 for any of them. A reset connection: `nc: read failed: Connection reset by peer`.
 * Leaves out: a listener's stdin, -q, -d, -x proxies, -U sockets, telnet negotiation, TLS.
 */
import { errnoMessage, type Nanos, type ProcessContext, type TcpSocket, type TimerHandle } from '@netloom/stack';
import { connectTcp, resolveHost, SendQueue } from './tcp-stream.js';

/** What nc.ts parsed for TCP mode. */
export interface NcTcpOptions {
  listen: boolean;
  keepListening: boolean;
  scan: boolean;
  echo: boolean;
  verbose: boolean;
  /** The text to send (without its newline); null: the default. */
  text: string | null;
  /** A client's standard input (`< FILE`), sent as it is, once, in place of the text; null: none. */
  input: string | null;
  count: number | null;
  interval: Nanos;
  /** -w in ns, or null. */
  timeout: Nanos | null;
  source: string | null;
  localPort: number | null;
  family: 4 | 6 | null;
  operands: readonly string[];
}

/** Most connections nc -lk serves at once. */
const MAX_CONNECTIONS = 64;
/** Bytes an echoing nc may have waiting for the peer to take. */
const ECHO_LIMIT = 256 * 1024;

/** /etc/services names of the ports a demo is likely to probe (getservbyport for `[tcp/NAME]`). */
const SERVICES: Readonly<Record<number, string>> = {
  7: 'echo', 9: 'discard', 13: 'daytime', 21: 'ftp', 22: 'ssh', 23: 'telnet', 25: 'smtp', 53: 'domain', 80: 'http', 110: 'pop3',
  119: 'nntp', 123: 'ntp', 143: 'imap2', 179: 'bgp', 389: 'ldap', 443: 'https', 514: 'shell', 587: 'submission', 993: 'imaps',
  995: 'pop3s', 3306: 'mysql', 5432: 'postgresql', 6379: 'redis', 8080: 'http-alt',
};

function parsePortRange(text: string): [number, number] | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (m === null) return null;
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : Number(m[2]);
  if (low < 1 || high > 65535 || low > 65535) return null;
  return low <= high ? [low, high] : [high, low];
}

export function ncTcp(ctx: ProcessContext, options: NcTcpOptions, usage: (message: string | null) => void): void {
  const encoder = new TextEncoder();
  const warn = (line: string): void => {
    if (options.verbose) ctx.stderr(`${line}\n`);
  };
  const fatal = (what: string, errno: keyof typeof errnoMessage): void => {
    ctx.stderr(`nc: ${what}: ${errnoMessage[errno]}\n`);
    ctx.exit(1);
  };
  const message = options.text === null ? 'hello\n' : options.text === '' ? '' : `${options.text}\n`;
  const inputBytes = options.input === null ? null : encoder.encode(options.input);

  if (options.listen) {
    if (options.operands.length > 1) return usage(null);
    let port = options.localPort;
    if (options.operands.length === 1) {
      const range = parsePortRange(options.operands[0] ?? '');
      if (range === null || range[0] !== range[1]) return usage(`nc: port number invalid: ${options.operands[0]}`);
      port = range[0];
    }
    if (port === null) return usage('nc: missing port number');
    const family = options.family ?? (options.source?.includes(':') === true ? 6 : 4);
    const opened = ctx.tcpSocket(family);
    // local_listen returns -1 and main's err(1, NULL) prints errno alone: `nc: Too many open files`.
    if ('errno' in opened) {
      ctx.stderr(`nc: ${errnoMessage[opened.errno]}\n`);
      return ctx.exit(1);
    }
    const listener = opened;
    listener.setsockopt('SO_REUSEADDR', true);
    const address = options.source ?? (family === 4 ? '0.0.0.0' : '::');
    const bound = listener.bind(address, port);
    if (!bound.ok) return fatal('bind', bound.errno);
    const listening = listener.listen(options.keepListening ? 128 : 1);
    if (!listening.ok) return fatal('listen', listening.errno);
    warn(`Listening on ${address} ${port}`);
    const connections = new Set<TcpSocket>();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      for (const c of connections) c.close();
      listener.close();
      ctx.exit(0);
    };
    listener.onAccept((socket) => {
      if (finished || connections.size >= MAX_CONNECTIONS) return socket.close();
      connections.add(socket);
      if (!options.keepListening) listener.close();
      warn(`Connection received on ${socket.remoteAddress()?.address ?? '?'} ${socket.remoteAddress()?.port ?? 0}`);
      const queue = new SendQueue(socket, ECHO_LIMIT);
      const text = new TextDecoder(); // UTF-8, as a terminal shows nc's raw bytes; a character may span reads
      if (message !== '' && options.text !== null) queue.write(encoder.encode(message));
      const done = (): void => {
        connections.delete(socket);
        socket.close();
        if (!options.keepListening) finish();
      };
      socket.onData((data) => {
        ctx.stdout(text.decode(data, { stream: true }));
        // An echo the peer does not read is bounded: past ECHO_LIMIT the connection is dropped.
        if (options.echo && !queue.write(data)) done();
      });
      socket.onEnd(() => {
        queue.end();
        queue.onDrained(done);
      });
      socket.onError((errno) => {
        ctx.stderr(`nc: read failed: ${errnoMessage[errno]}\n`);
        done();
      });
    });
    ctx.onInterrupt(finish);
    return;
  }

  const [hostText, portText] = options.operands;
  if (hostText === undefined || portText === undefined || options.operands.length > 2) return usage(null);
  const range = parsePortRange(portText);
  if (range === null) {
    ctx.stderr(/^\d+$/.test(portText) ? `nc: port number too large: ${portText}\n` : `nc: port range not valid\n`);
    return ctx.exit(1);
  }
  if (range[0] !== range[1] && !options.scan) {
    ctx.stderr('nc: port range not valid\n');
    return ctx.exit(1);
  }
  const host = resolveHost(ctx, hostText, options.family ?? undefined);
  if (host === null) {
    ctx.stderr(`nc: getaddrinfo for host "${hostText}" port ${range[0]}: Name or service not known\n`);
    return ctx.exit(1);
  }
  const connectOptions = {
    ...(options.source !== null ? { source: options.source } : {}),
    ...(options.localPort !== null ? { sourcePort: options.localPort } : {}),
    ...(options.timeout !== null ? { timeout: options.timeout } : {}),
  };
  let cancel: () => void = () => {};
  let status = 1;
  let finished = false;
  const finish = (code: number): void => {
    if (finished) return;
    finished = true;
    cancel();
    ctx.exit(code);
  };
  ctx.onInterrupt(() => finish(status === 0 ? 0 : 1));

  const attempt = (port: number, connected: (socket: TcpSocket) => void, failed: () => void): void => {
    cancel = connectTcp(ctx, host, port, connectOptions, (result) => {
      if (!('phase' in result)) {
        warn(`Connection to ${hostText} ${port} port [tcp/${SERVICES[port] ?? '*'}] succeeded!`);
        return connected(result);
      }
      if (result.phase === 'timeout') warn(`nc: connect to ${hostText} port ${port} (tcp) timed out: Operation now in progress`);
      else if (result.phase === 'bind') {
        ctx.stderr(`nc: bind failed: ${errnoMessage[result.errno]}\n`);
        return finish(1);
      } else warn(`nc: connect to ${hostText} port ${port} (tcp) failed: ${errnoMessage[result.errno]}`);
      failed();
    });
  };

  if (options.scan) {
    const scan = (port: number): void => {
      if (port > range[1]) return finish(status);
      attempt(
        port,
        (socket) => {
          status = 0;
          socket.close();
          scan(port + 1);
        },
        () => scan(port + 1),
      );
    };
    scan(range[0]);
    return;
  }

  attempt(
    range[0],
    (socket) => {
      cancel = () => socket.close();
      // Standard input is queued whole: it is bounded by the node's files (16 MiB).
      const queue = new SendQueue(socket, Math.max(1024 * 1024, inputBytes?.length ?? 0));
      const total = inputBytes === null ? (options.count ?? 1) : 1;
      let sent = 0;
      let idle: TimerHandle | null = null;
      let sender: TimerHandle | null = null;
      const armIdle = (): void => {
        if (options.timeout === null) return;
        idle?.cancel();
        idle = ctx.setTimer(options.timeout, () => finish(0));
      };
      const sendNext = (): void => {
        if (finished) return;
        if (inputBytes !== null) queue.write(inputBytes);
        else if (message !== '') queue.write(encoder.encode(message));
        sent++;
        if (sent < total) sender = ctx.setTimer(options.interval, sendNext);
        else queue.end();
      };
      const text = new TextDecoder();
      socket.onData((data) => {
        ctx.stdout(text.decode(data, { stream: true }));
        armIdle();
      });
      socket.onEnd(() => {
        sender?.cancel();
        finish(0);
      });
      socket.onError((errno) => {
        ctx.stderr(`nc: read failed: ${errnoMessage[errno]}\n`);
        finish(1);
      });
      armIdle();
      sendNext();
    },
    () => finish(1),
  );
}
