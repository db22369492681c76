/**
 * `nc`: netcat-style TCP (the default; nc-tcp.ts has that mode's behaviour) and, with -u, a UDP
 * discard/echo server and a UDP client. A client sends its standard input (`nc -u HOST PORT <
 * FILE`: a datagram per 16 KiB read, back to back) or, without one, text given on the command line
 * (-m, -c, -i); -m wins over standard input, and a listener does not read it. The UDP mode:
 *
 *   nc -u -l [-p PORT | PORT] [-s ADDR] [-e|--echo] [-c COUNT] [-v]     server
 *   nc -u [-p SPORT] [-s ADDR] [-m TEXT] [-c COUNT] [-i INTERVAL] [-w WAIT] [-v] HOST PORT
 *
 * Server: binds ADDR (default the wildcard) and PORT (`-p PORT` as traditional netcat, or the
 * operand as OpenBSD nc), prints each datagram's payload to stdout as text (a newline added when
 * it lacks one), with `-e` sends it back to the sender, and serves every client (not only the
 * first, unlike OpenBSD nc). `-c COUNT` exits after COUNT datagrams; otherwise it runs until Ctrl-C.
 * Client: a socket connected to HOST:PORT (bound to -s/-p when given) sends `TEXT\n` (default
 * TEXT "hello") COUNT times (default 1) every INTERVAL (default 1s), prints whatever comes back,
 * and exits WAIT (default 1s) after the last send.
 * With `-v`, each event also gets a line on stderr, starting with the virtual time in seconds:
 *   `nc: listening on 0.0.0.0 9 (udp)`, `0.512 recv #1 from 10.0.0.1:44548 (6 bytes)`,
 *   `0.512 echo #1 to 10.0.0.1:44548: OK`, `0.000 send #1 to 10.0.0.2:9: OK dev eth0 src 10.0.0.1`.
 * Errors: `nc: bind: Address already in use`, `nc: connect: Network is unreachable`,
 * `nc: write: Connection refused` (a send failing, or an ICMP error on the connected socket);
 * exit 1 for those, 2 for usage errors, 0 otherwise.
 */
import { errnoMessage, type Datagram, type Errno, type Program, type UdpSocket } from '@netloom/stack';
import { getopt, glibcMessage, type LongOption } from './getopt.js';
import { isIpv4Literal, isIpv6Literal } from './address-text.js';
import { formatSeconds, parseDuration } from './duration.js';
import { ncTcp } from './nc-tcp.js';

export const NC_USAGE =
  'usage: nc -l [-p port | port] [-s source] [-k] [-e] [-m text] [-v]\n' +
  '       nc [-z] [-p sport] [-s source] [-m text] [-c count] [-i interval] [-w timeout] [-v] host port[-port]\n' +
  '       nc -u -l [-p port | port] [-s source] [-e] [-c count] [-v]\n' +
  '       nc -u [-p sport] [-s source] [-m text] [-c count] [-i interval] [-w wait] [-v] host port\n';

const LONG: readonly LongOption[] = [
  { name: 'echo', argument: 'none', key: 'e' },
  { name: 'udp', argument: 'none', key: 'u' },
  { name: 'listen', argument: 'none', key: 'l' },
  { name: 'message', argument: 'required', key: 'm' },
  { name: 'help', argument: 'none', key: 'h' },
  { name: 'keep-open', argument: 'none', key: 'k' },
  { name: 'zero', argument: 'none', key: 'z' },
];

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function parsePort(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

export const nc: Program = (ctx) => {
  const usage = (message: string | null): void => {
    ctx.stderr(`${message === null ? '' : `${message}\n`}${NC_USAGE}`);
    ctx.exit(2);
  };
  const parsed = getopt(ctx.argv, { short: 'hulp:s:em:c:i:w:vn46kzN', long: LONG });
  if (!parsed.ok) return usage(glibcMessage('nc', parsed.error));
  let udp = false;
  let listen = false;
  let localPort: number | null = null;
  let source: string | null = null;
  let echo = false;
  let text: string | null = null;
  let count: number | null = null;
  let intervalNs = 1_000_000_000;
  let waitNs = 1_000_000_000;
  let timeout: number | null = null;
  let keepListening = false;
  let scan = false;
  let verbose = false;
  let family: 4 | 6 | null = null;
  for (const { key, value = '' } of parsed.options) {
    switch (key) {
      case 'h':
        ctx.stdout(NC_USAGE);
        ctx.exit(0);
        return;
      case 'u':
        udp = true;
        break;
      case 'l':
        listen = true;
        break;
      case 'p':
        localPort = parsePort(value);
        if (localPort === null) return usage(`nc: port number invalid: ${value}`);
        break;
      case 's':
        source = value;
        break;
      case 'e':
        echo = true;
        break;
      case 'm':
        text = value;
        break;
      case 'c':
        if (!/^\d+$/.test(value) || Number(value) < 1) return usage(`nc: invalid count: ${value}`);
        count = Number(value);
        break;
      case 'i':
      case 'w': {
        const ns = parseDuration(value);
        if (ns === null) return usage(`nc: invalid ${key === 'i' ? 'interval' : 'wait'}: ${value}`);
        if (key === 'i') intervalNs = Math.max(ns, 1_000_000);
        else {
          waitNs = ns;
          timeout = ns;
        }
        break;
      }
      case 'k':
        keepListening = true;
        break;
      case 'z':
        scan = true;
        break;
      case 'v':
        verbose = true;
        break;
      case '4':
        family = 4;
        break;
      case '6':
        family = 6;
        break;
      default:
        break;
    }
  }
  // A client without -m sends its standard input, as netcat does (`nc HOST PORT < request`).
  const input = listen || scan || text !== null ? null : ctx.stdin();
  if (!udp) {
    const options = { listen, keepListening, scan, echo, verbose, text, input, count, interval: intervalNs, timeout, source, localPort, family, operands: parsed.operands };
    return ncTcp(ctx, options, usage);
  }
  const log = (line: string): void => {
    if (verbose) ctx.stderr(`${line}\n`);
  };
  const fail = (what: string, errno: Errno, socket?: UdpSocket): void => {
    socket?.close();
    ctx.stderr(`nc: ${what}: ${errnoMessage[errno]}\n`);
    ctx.exit(1);
  };

  if (listen) {
    const operands = parsed.operands;
    if (operands.length > 1) return usage(null);
    if (operands.length === 1) {
      localPort = parsePort(operands[0] ?? '');
      if (localPort === null) return usage(`nc: port number invalid: ${operands[0]}`);
    }
    if (localPort === null) return usage('nc: missing port number');
    const serverFamily = family ?? (source !== null && isIpv6Literal(source) ? 6 : 4);
    const opened = ctx.udpSocket(serverFamily);
    if ('errno' in opened) return fail('socket', opened.errno);
    const socket = opened;
    const address = source ?? (serverFamily === 4 ? '0.0.0.0' : '::');
    const bound = socket.bind(address, localPort);
    if (!bound.ok) return fail('bind', bound.errno, socket);
    log(`nc: listening on ${address} ${localPort} (udp)`);
    let received = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      socket.close();
      ctx.exit(0);
    };
    socket.onMessage((dgram: Datagram) => {
      if (finished) return;
      received++;
      const stamp = formatSeconds(ctx.now());
      log(`${stamp} recv #${received} from ${dgram.from.address}:${dgram.from.port} (${dgram.data.length} bytes)`);
      const payload = decoder.decode(dgram.data);
      ctx.stdout(payload.endsWith('\n') || payload === '' ? payload : `${payload}\n`);
      if (echo) {
        const r = socket.sendto(dgram.data, dgram.from);
        log(`${stamp} echo #${received} to ${dgram.from.address}:${dgram.from.port}: ${r.ok ? 'OK' : `${r.errno} (${errnoMessage[r.errno]})`}`);
      }
      if (count !== null && received >= count) finish();
    });
    ctx.onInterrupt(finish);
    return;
  }

  // Client.
  const [hostText, portText] = parsed.operands;
  if (hostText === undefined || portText === undefined || parsed.operands.length > 2) return usage(null);
  const port = parsePort(portText);
  if (port === null) return usage(`nc: port number invalid: ${portText}`);
  const host = isIpv4Literal(hostText) || isIpv6Literal(hostText) ? hostText : ctx.resolve(hostText, family ?? undefined);
  if (host === null) {
    ctx.stderr(`nc: getaddrinfo for host "${hostText}" port ${port}: Name or service not known\n`);
    ctx.exit(1);
    return;
  }
  const opened = ctx.udpSocket(isIpv6Literal(host) ? 6 : 4);
  if ('errno' in opened) return fail('socket', opened.errno);
  const socket = opened;
  if (source !== null || localPort !== null) {
    const bound = socket.bind(source ?? (socket.family === 4 ? '0.0.0.0' : '::'), localPort ?? 0);
    if (!bound.ok) return fail('bind', bound.errno, socket);
  }
  const connected = socket.connect(host, port);
  if (!connected.ok) return fail('connect', connected.errno, socket);
  // Standard input goes as read(2) gives it to nc: a datagram per 16 KiB (BUFSIZE), back to back.
  const datagrams = input === null ? [encoder.encode(`${text ?? 'hello'}\n`)] : chunks(encoder.encode(input), STDIN_READ_SIZE);
  const total = input === null ? (count ?? 1) : datagrams.length;
  let sent = 0;
  let finished = false;
  let timer: { cancel(): void } | null = null;
  const finish = (status: number): void => {
    if (finished) return;
    finished = true;
    timer?.cancel();
    socket.close();
    ctx.exit(status);
  };
  socket.onMessage((dgram) => {
    if (finished) return;
    log(`${formatSeconds(ctx.now())} recv from ${dgram.from.address}:${dgram.from.port} (${dgram.data.length} bytes)`);
    const payload = decoder.decode(dgram.data);
    ctx.stdout(payload.endsWith('\n') || payload === '' ? payload : `${payload}\n`);
  });
  socket.onError((errno) => {
    if (finished) return;
    ctx.stderr(`nc: write: ${errnoMessage[errno]}\n`);
    finish(1);
  });
  const sendOne = (): void => {
    timer = null;
    if (finished) return;
    const r = socket.sendto(datagrams[input === null ? 0 : sent]!);
    sent++;
    if (!r.ok) {
      ctx.stderr(`nc: write: ${errnoMessage[r.errno]}\n`);
      finish(1);
      return;
    }
    log(`${formatSeconds(ctx.now())} send #${sent} to ${host}:${port}: OK dev ${r.info.ifname} src ${r.info.source}`);
    timer = ctx.setTimer(sent >= total ? waitNs : input === null ? intervalNs : 0, sent >= total ? () => finish(0) : sendOne);
  };
  ctx.onInterrupt(() => finish(0));
  if (total > 0) sendOne();
  else timer = ctx.setTimer(waitNs, () => finish(0));
};

/** Bytes nc reads from standard input at once (OpenBSD netcat's BUFSIZE). */
const STDIN_READ_SIZE = 16384;

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}
