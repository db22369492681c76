/**
 * `httpd [-p PORT] [-s ADDRESS]`: a small web server for load-balancing demos. It listens on
 * ADDRESS, or without -s on 0.0.0.0 and [::] (two listeners: IPv6 TCP sockets here take no
 * IPv4-mapped connections, so Apache's one dual-stack `*:80` is two), with SO_REUSEADDR as every
 * real server sets it, so a restarted httpd binds while its closed connections wait in TIME-WAIT.
 * GET / (or /index.html) answers 200 with a page naming the node (`<h1>HOSTNAME</h1>`) and the
 * header `X-Served-By: HOSTNAME`, so a client can count which real server answered; any other path
 * is 404; HEAD answers the same heads without a body.
 *
 * HTTP/1.0 and 1.1 (RFC 9112) as Apache answers them: responses are HTTP/1.1 with Content-Length;
 * a 1.1 connection stays open unless the request says `Connection: close`, a 1.0 one only with
 * `Connection: keep-alive` (answered in kind); pipelined requests are answered in order; an idle
 * kept-alive connection is closed after 5 s (KeepAliveTimeout) and after 100 requests
 * (MaxKeepAliveRequests). Anything that is not a request gets `400 Bad Request` and the connection
 * closes: a malformed request line or field, a 1.1 request without Host, a head over 8 KiB, a bad
 * Content-Length. Other methods and Transfer-Encoding get `501 Not Implemented`. A request body
 * (Content-Length) is read and discarded. At most 256 connections at once (more are closed as
 * accepted).
 *
 * stdout: `Serving HTTP on 0.0.0.0 port 80 ...` (as python3 -m http.server), then one line per
 * request in Apache's common log format with virtual time from the epoch:
 *   `10.0.0.1 - - [01/Jan/1970:00:00:02 +0000] "GET / HTTP/1.1" 200 76`
 * Errors: `httpd: bind: Address already in use` (exit 1); usage errors exit 2. Ctrl-C closes
 * every connection and exits 0 after `Keyboard interrupt received, exiting.`
 * Leaves out: files, chunked bodies, ranges, conditional requests, TLS.
 */
import { errnoMessage, type Nanos, type Program, type TcpSocket, type TimerHandle } from '@netloom/stack';
import { isIpv6Literal } from './address-text.js';
import { getopt, glibcMessage } from './getopt.js';
import { contentLength, headerValue, HeadReader, isKeepAlive, latin1Bytes, parseRequestHead, type RequestHead } from './http-message.js';
import { SendQueue } from './tcp-stream.js';

export const HTTPD_USAGE = 'usage: httpd [-p port] [-s address]\n';
/** Seconds an idle kept-alive connection waits for its next request. */
const KEEP_ALIVE_TIMEOUT: Nanos = 5_000_000_000;
const MAX_KEEP_ALIVE_REQUESTS = 100;
const MAX_CONNECTIONS = 256;
/** What one connection may have waiting to be sent. */
const SEND_LIMIT = 256 * 1024;

const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 404: 'Not Found', 501: 'Not Implemented' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Apache's %t: `01/Jan/1970:00:00:02 +0000`, from virtual time. */
function logTime(now: Nanos): string {
  const d = new Date(Math.floor(now / 1_000_000));
  return `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** An HTTP-date (RFC 9110 §5.6.7): `Thu, 01 Jan 1970 00:00:02 GMT`, from virtual time. */
export function httpDate(now: Nanos): string {
  const d = new Date(Math.floor(now / 1_000_000));
  return `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** A request line as Apache logs it: control and non-ASCII bytes as \xHH, at most 200 characters. */
function loggable(line: string): string {
  return line.slice(0, 200).replace(/[^\x20-\x7e]|["\\]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** The page GET / answers with. */
export function homePage(hostname: string): string {
  const name = escapeHtml(hostname);
  return `<html><head><title>${name}</title></head><body><h1>${name}</h1></body></html>\n`;
}

function errorPage(status: number, detail: string): string {
  const reason = REASONS[status] ?? '';
  return `<html><head><title>${status} ${reason}</title></head><body><h1>${reason}</h1><p>${escapeHtml(detail)}</p></body></html>\n`;
}

export const httpd: Program = (ctx) => {
  const usage = (message: string | null): void => {
    ctx.stderr(`${message === null ? '' : `${message}\n`}${HTTPD_USAGE}`);
    ctx.exit(2);
  };
  const parsed = getopt(ctx.argv, { short: 'hp:s:' });
  if (!parsed.ok) return usage(glibcMessage('httpd', parsed.error));
  if (parsed.operands.length > 0) return usage(null);
  let port = 80;
  let address: string | null = null;
  for (const { key, value = '' } of parsed.options) {
    if (key === 'h') {
      ctx.stdout(HTTPD_USAGE);
      return ctx.exit(0);
    }
    if (key === 'p') {
      if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) return usage(`httpd: invalid port: ${value}`);
      port = Number(value);
    }
    if (key === 's') address = value;
  }
  const fail = (what: string, errno: keyof typeof errnoMessage): void => {
    ctx.stderr(`httpd: ${what}: ${errnoMessage[errno]}\n`);
    ctx.exit(1);
  };
  // Without -s, every address of both families (Apache's `Listen 80`): an IPv4 and an IPv6 listener,
  // since this stack's IPv6 TCP sockets take no IPv4-mapped connections.
  const bindAddresses = address !== null ? [address] : ['0.0.0.0', '::'];
  const listeners: TcpSocket[] = [];
  for (const bindAddress of bindAddresses) {
    const opened = ctx.tcpSocket(isIpv6Literal(bindAddress) ? 6 : 4);
    if ('errno' in opened) return fail('socket', opened.errno);
    // As Apache and every real server: a restarted httpd binds while its old connections wait in TIME-WAIT.
    opened.setsockopt('SO_REUSEADDR', true);
    const bound = opened.bind(bindAddress, port);
    if (!bound.ok) return fail('bind', bound.errno);
    const listening = opened.listen(511);
    if (!listening.ok) return fail('listen', listening.errno);
    listeners.push(opened);
  }
  ctx.stdout(`Serving HTTP on ${bindAddresses[0]} port ${port} ...\n`);

  const connections = new Set<TcpSocket>();
  for (const listener of listeners) {
    listener.onAccept((socket) => {
      if (connections.size >= MAX_CONNECTIONS) {
        socket.close();
        return;
      }
      connections.add(socket);
      serve(socket);
    });
  }

  const serve = (socket: TcpSocket): void => {
    const client = socket.remoteAddress()?.address ?? '-';
    const queue = new SendQueue(socket, SEND_LIMIT);
    let reader = new HeadReader();
    let served = 0;
    let discard = 0;
    let closing = false;
    let idle: TimerHandle | null = null;
    const drop = (): void => {
      closing = true;
      idle?.cancel();
      connections.delete(socket);
      socket.close();
    };
    const closeAfterSending = (): void => {
      closing = true;
      idle?.cancel();
      queue.onDrained(drop);
    };
    const armIdle = (): void => {
      idle?.cancel();
      idle = ctx.setTimer(KEEP_ALIVE_TIMEOUT, drop);
    };
    const respond = (requestLine: string, status: number, body: string, head: RequestHead | null, keepAlive: boolean): void => {
      served++;
      const withBody = head?.method !== 'HEAD';
      const lines = [`HTTP/1.1 ${status} ${REASONS[status]}`, `Date: ${httpDate(ctx.now())}`, 'Server: netloom-httpd', `X-Served-By: ${ctx.hostname}`, 'Content-Type: text/html', `Content-Length: ${body.length}`];
      if (!keepAlive) lines.push('Connection: close');
      else if (head?.version === '1.0') lines.push('Connection: keep-alive');
      const text = `${lines.join('\r\n')}\r\n\r\n${withBody ? body : ''}`;
      // A client that pipelines requests and never reads fills SEND_LIMIT: it loses the connection.
      if (!queue.write(latin1Bytes(text))) return drop();
      ctx.stdout(`${client} - - [${logTime(ctx.now())}] "${loggable(requestLine)}" ${status} ${withBody ? body.length : '-'}\n`);
      if (!keepAlive) closeAfterSending();
    };
    /** One complete head: answer it; false when the connection is to close. */
    const answer = (text: string): boolean => {
      const requestLine = text.split(/\r?\n/, 1)[0] ?? '';
      const head = parseRequestHead(text);
      if (head === null || (head.version === '1.1' && headerValue(head.headers, 'Host') === undefined)) {
        respond(requestLine, 400, errorPage(400, 'Your browser sent a request that this server could not understand.'), head, false);
        return false;
      }
      const length = contentLength(head.headers);
      if (length === 'invalid') {
        respond(requestLine, 400, errorPage(400, 'Your browser sent a request that this server could not understand.'), head, false);
        return false;
      }
      if ((head.method !== 'GET' && head.method !== 'HEAD') || headerValue(head.headers, 'Transfer-Encoding') !== undefined) {
        respond(requestLine, 501, errorPage(501, `${head.method} not supported for current URL.`), head, false);
        return false;
      }
      discard = length ?? 0;
      const path = head.target.replace(/[?#].*$/, '');
      const keepAlive = isKeepAlive(head.version, head.headers) && served + 1 < MAX_KEEP_ALIVE_REQUESTS;
      if (path === '/' || path === '/index.html') respond(requestLine, 200, homePage(ctx.hostname), head, keepAlive);
      else respond(requestLine, 404, errorPage(404, `The requested URL ${path} was not found on this server.`), head, keepAlive);
      return keepAlive;
    };
    socket.onData((data) => {
      let bytes = data;
      while (!closing && bytes.length > 0) {
        if (discard > 0) {
          const skipped = Math.min(discard, bytes.length);
          discard -= skipped;
          bytes = bytes.subarray(skipped);
          continue;
        }
        const outcome = reader.push(bytes);
        if (outcome.kind === 'more') break;
        if (outcome.kind === 'tooLarge') {
          respond('-', 400, errorPage(400, 'Size of a request header field exceeds server limit.'), null, false);
          break;
        }
        reader = new HeadReader();
        bytes = outcome.rest;
        if (!answer(outcome.head)) break;
      }
      if (!closing) armIdle();
    });
    socket.onEnd(() => {
      if (!closing) closeAfterSending();
    });
    socket.onError(() => drop());
    armIdle();
  };

  ctx.onInterrupt(() => {
    for (const socket of connections) socket.close();
    for (const listener of listeners) listener.close();
    ctx.stdout('\nKeyboard interrupt received, exiting.\n');
    ctx.exit(0);
  });
};
