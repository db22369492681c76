/**
 * `udpsend`: the seed-000 test program — a UDP socket sending a datagram to DEST:PORT at a fixed
 * interval and printing, per send, what the socket layer returned, so a topology's `expect`
 * blocks (and a user) can follow a socket through address and route changes.
 *
 *   udpsend DEST PORT [-i|--interval 1s] [-s|--size 512] [-c|--count N] [-b|--bind ADDR[:PORT]]
 *           [-C|--connect] [-I|--device IF] [--pktinfo SRC] [--pktinfo-dev IF] [--ttl N] [--broadcast]
 *
 * Output (stdout), one line per event, each starting with the virtual time in seconds with three
 * decimals:
 *
 *   udpsend to 193.71.2.52 port 9, 512 bytes every 1.000s, unconnected socket bound to 0.0.0.0:44548
 *   0.000 sendto #1: OK dev wm0 src 193.71.2.59
 *   3.000 sendto #4: ENETDOWN (Network is down)
 *   5.000 sendto #6: EADDRNOTAVAIL (Cannot assign requested address)
 *   7.000 icmp error: ECONNREFUSED (Connection refused) from 193.71.2.52
 *   --- udpsend: 10 sent, 8 ok, 2 failed
 *
 * - `sendto #N: OK dev IF src ADDR` — the datagram left through IF with source ADDR;
 *   `sendto #N: ERRNO (strerror text)` — sendto(2) failed with that errno.
 * - A connected socket (`--connect`) says `connected socket SRC:PORT -> DEST:PORT` in the first
 *   line (the source the kernel chose at connect(), which it then keeps); a failed connect() prints
 *   `0.000 connect: ERRNO (text)` and exits 1.
 * - `icmp error:` lines are asynchronous errors (ICMP) reported on a connected socket.
 * - The last line is printed when --count sends are done or on Ctrl-C.
 * Sends happen at 0, interval, 2 × interval …; --count 0 (the default) sends until interrupted.
 * When a line cannot be written (stdout redirected into a node file that is full), udpsend stops as
 * coreutils tools do: `udpsend: write error: No space left on device` on stderr, exit status 1.
 * Exit status: 0 when every send succeeded, 1 when one failed (or connect failed), 2 for usage
 * and setup errors (`udpsend: bind 10.9.9.9: EADDRNOTAVAIL (Cannot assign requested address)`).
 * Without --broadcast (SO_BROADCAST) a send to a broadcast address fails with EACCES, as on Linux.
 * The payload is the seed program's: "Jokum er en fisk" and zero bytes up to --size.
 */
import { errnoMessage, type Errno, type PktInfo, type Program, type UdpSocket } from '@netloom/stack';
import { getopt, glibcMessage, type LongOption } from './getopt.js';
import { isIpv4Literal, isIpv6Literal } from './address-text.js';
import { formatSeconds, parseDuration } from './duration.js';

export const UDPSEND_USAGE =
  'Usage: udpsend DEST PORT [-i|--interval 1s] [-s|--size 512] [-c|--count N] [-b|--bind ADDR[:PORT]]\n' +
  '               [-C|--connect] [-I|--device IF] [--pktinfo SRC] [--pktinfo-dev IF] [--ttl N] [--broadcast]\n';

const LONG: readonly LongOption[] = [
  { name: 'interval', argument: 'required', key: 'i' },
  { name: 'size', argument: 'required', key: 's' },
  { name: 'count', argument: 'required', key: 'c' },
  { name: 'bind', argument: 'required', key: 'b' },
  { name: 'connect', argument: 'none', key: 'C' },
  { name: 'device', argument: 'required', key: 'I' },
  { name: 'pktinfo', argument: 'required' },
  { name: 'pktinfo-dev', argument: 'required' },
  { name: 'ttl', argument: 'required' },
  { name: 'broadcast', argument: 'none' },
  { name: 'help', argument: 'none', key: 'h' },
];

const SEED_TEXT = 'Jokum er en fisk';

function errnoText(errno: Errno): string {
  return `${errno} (${errnoMessage[errno]})`;
}

function parsePort(text: string, allowZero: boolean): number | null {
  if (!/^\d+$/.test(text)) return null;
  const port = Number(text);
  return port > 65535 || (!allowZero && port === 0) ? null : port;
}

/** ADDR, ADDR:PORT or [V6ADDR]:PORT. */
function parseBind(text: string): { address: string; port: number } | null {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    const port = bracketed[2] === undefined ? 0 : parsePort(bracketed[2], true);
    return bracketed[1] !== undefined && isIpv6Literal(bracketed[1]) && port !== null ? { address: bracketed[1], port } : null;
  }
  if (isIpv4Literal(text) || isIpv6Literal(text)) return { address: text, port: 0 };
  const colon = text.lastIndexOf(':');
  if (colon > 0 && isIpv4Literal(text.slice(0, colon))) {
    const port = parsePort(text.slice(colon + 1), true);
    return port === null ? null : { address: text.slice(0, colon), port };
  }
  return null;
}

export const udpsend: Program = (ctx) => {
  const usage = (message: string): void => {
    ctx.stderr(`${message}\n${UDPSEND_USAGE}`);
    ctx.exit(2);
  };
  const parsed = getopt(ctx.argv, { short: 'hi:s:c:b:CI:', long: LONG });
  if (!parsed.ok) return usage(glibcMessage('udpsend', parsed.error));

  let intervalNs = 1_000_000_000;
  let size = 512;
  let count = 0;
  let bind: { address: string; port: number } | null = null;
  let connect = false;
  let device: string | null = null;
  let ttl: number | null = null;
  let broadcast = false;
  const pktinfo: PktInfo = {};
  let pktinfoDevice: string | null = null;
  for (const { key, value = '' } of parsed.options) {
    switch (key) {
      case 'h':
        ctx.stdout(UDPSEND_USAGE);
        ctx.exit(0);
        return;
      case 'i': {
        const ns = parseDuration(value);
        if (ns === null || ns <= 0) return usage(`udpsend: invalid interval '${value}'`);
        intervalNs = ns;
        break;
      }
      case 's':
        if (!/^\d+$/.test(value) || Number(value) > 65535) return usage(`udpsend: invalid size '${value}'`);
        size = Number(value);
        break;
      case 'c':
        if (!/^\d+$/.test(value)) return usage(`udpsend: invalid count '${value}'`);
        count = Number(value);
        break;
      case 'b':
        bind = parseBind(value);
        if (bind === null) return usage(`udpsend: invalid bind address '${value}'`);
        break;
      case 'C':
        connect = true;
        break;
      case 'I':
        device = value;
        break;
      case 'pktinfo':
        if (!isIpv4Literal(value) && !isIpv6Literal(value)) return usage(`udpsend: invalid pktinfo address '${value}'`);
        pktinfo.address = value;
        break;
      case 'broadcast':
        broadcast = true;
        break;
      case 'pktinfo-dev':
        pktinfoDevice = value;
        break;
      case 'ttl':
        if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 255) return usage(`udpsend: invalid ttl '${value}'`);
        ttl = Number(value);
        break;
      default:
        break;
    }
  }
  const [destText, portText] = parsed.operands;
  if (destText === undefined || portText === undefined || parsed.operands.length > 2) return usage('udpsend: need DEST and PORT');
  const port = parsePort(portText, false);
  if (port === null) return usage(`udpsend: invalid port '${portText}'`);
  const destination = isIpv4Literal(destText) || isIpv6Literal(destText) ? destText : ctx.resolve(destText);
  if (destination === null) {
    ctx.stderr(`udpsend: ${destText}: Name or service not known\n`);
    ctx.exit(2);
    return;
  }
  const family = isIpv6Literal(destination) ? 6 : 4;
  if (pktinfoDevice !== null) {
    const index = ctx.ifindex(pktinfoDevice);
    if (index === 0) {
      ctx.stderr(`udpsend: pktinfo device ${pktinfoDevice}: ${errnoText('ENODEV')}\n`);
      ctx.exit(2);
      return;
    }
    pktinfo.ifindex = index;
  }
  const usePktinfo = pktinfo.address !== undefined || pktinfo.ifindex !== undefined;

  const opened = ctx.udpSocket(family);
  if ('errno' in opened) {
    ctx.stderr(`udpsend: socket: ${errnoText(opened.errno)}\n`);
    ctx.exit(2);
    return;
  }
  const socket: UdpSocket = opened;
  const setupFailed = (what: string, errno: Errno): void => {
    socket.close();
    ctx.stderr(`udpsend: ${what}: ${errnoText(errno)}\n`);
    ctx.exit(2);
  };
  if (device !== null) {
    const r = socket.setsockopt('SO_BINDTODEVICE', device);
    if (!r.ok) return setupFailed(`SO_BINDTODEVICE ${device}`, r.errno);
  }
  if (broadcast) {
    const r = socket.setsockopt('SO_BROADCAST', true);
    if (!r.ok) return setupFailed('SO_BROADCAST', r.errno);
  }
  if (ttl !== null) {
    const r = socket.setsockopt('IP_TTL', ttl);
    if (!r.ok) return setupFailed('IP_TTL', r.errno);
  }
  // The seed's program binds the wildcard address explicitly; so does udpsend without --bind.
  const bindTo = bind ?? { address: family === 4 ? '0.0.0.0' : '::', port: 0 };
  const bound = socket.bind(bindTo.address, bindTo.port);
  if (!bound.ok) return setupFailed(`bind ${bindTo.address}${bindTo.port ? `:${bindTo.port}` : ''}`, bound.errno);

  const every = `${size} bytes every ${formatSeconds(intervalNs)}s`;
  if (connect) {
    const r = socket.connect(destination, port);
    if (!r.ok) {
      socket.close();
      ctx.stdout(`udpsend to ${destination} port ${port}, ${every}, connect failed\n${formatSeconds(ctx.now())} connect: ${errnoText(r.errno)}\n`);
      ctx.exit(1);
      return;
    }
    const local = socket.localAddress();
    ctx.stdout(
      `udpsend to ${destination} port ${port}, ${every}, connected socket ${local ? `${local.address}:${local.port}` : '?'} -> ${destination}:${port}\n`,
    );
  } else {
    const local = socket.localAddress();
    ctx.stdout(`udpsend to ${destination} port ${port}, ${every}, unconnected socket bound to ${local ? `${local.address}:${local.port}` : `${bindTo.address}:*`}\n`);
  }

  const payload = new Uint8Array(size);
  for (let i = 0; i < Math.min(size, SEED_TEXT.length); i++) payload[i] = SEED_TEXT.charCodeAt(i);

  let sent = 0;
  let failed = 0;
  let finished = false;
  let timer: { cancel(): void } | null = null;
  /** One line of output; a failed write ends the program. */
  const print = (text: string): void => {
    const written = ctx.stdout(text);
    if (written.ok || finished) return;
    finished = true;
    timer?.cancel();
    socket.close();
    ctx.stderr(`udpsend: write error: ${errnoMessage[written.errno]}\n`);
    ctx.exit(1);
  };
  const finish = (): void => {
    if (finished) return;
    finished = true;
    timer?.cancel();
    socket.close();
    ctx.stdout(`--- udpsend: ${sent} sent, ${sent - failed} ok, ${failed} failed\n`);
    ctx.exit(failed ? 1 : 0);
  };
  socket.onError((errno, from) => {
    if (!finished) print(`${formatSeconds(ctx.now())} icmp error: ${errnoText(errno)} from ${from}\n`);
  });
  socket.onMessage(() => undefined);

  const sendOne = (): void => {
    timer = null;
    if (finished) return;
    sent++;
    const to = connect ? undefined : { address: destination, port };
    const result = socket.sendto(payload, to, usePktinfo ? { pktinfo } : undefined);
    const stamp = formatSeconds(ctx.now());
    if (result.ok) print(`${stamp} sendto #${sent}: OK dev ${result.info.ifname} src ${result.info.source}\n`);
    else {
      failed++;
      print(`${stamp} sendto #${sent}: ${errnoText(result.errno)}\n`);
    }
    if (finished) return;
    if (count && sent >= count) finish();
    else timer = ctx.setTimer(intervalNs, sendOne);
  };
  ctx.onInterrupt(finish);
  sendOne();
};
