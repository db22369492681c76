/**
 * `curl [options] URL`: one HTTP/1.1 request over a TCP connection, as curl 7.88.1 makes it
 * (`GET PATH HTTP/1.1`, `Host`, `User-Agent: curl/7.88.1`, `Accept` for any type, then -H fields), with its
 * options, messages and exit codes:
 *
 *   -s/--silent  no error messages (-S/--show-error brings them back)
 *   -o/--output FILE   the body (with -I the head) into the node's FILE instead of stdout
 *                      (`/dev/null` discards it; exit 23 when it cannot be written)
 *   -w/--write-out FMT   after the transfer: %{http_code} %{response_code} %{remote_ip}
 *                      %{remote_port} %{local_ip} %{local_port} %{size_download} %{size_header}
 *                      %{time_connect} %{time_total} %{url_effective} %{content_type} %{exitcode}
 *                      %{errormsg} %{header{NAME}}, and \n \r \t
 *   -m/--max-time SECONDS   the whole operation's limit (exit 28)
 *   --connect-timeout SECONDS   the connection's limit (exit 28)
 *   --interface IF   SO_BINDTODEVICE (exit 45 `Couldn't bind to 'IF'`)
 *   -v/--verbose   `*`, `>` and `<` lines on stderr; -I/--head HEAD, the head on stdout;
 *   -H/--header 'Name: value'; -f/--fail exit 22 on a status of 400 or more.
 *
 * Exit codes and texts (stderr, `curl: (N) …`): 3 bad URL, 1 unsupported protocol, 6 `Could not
 * resolve host: H`, 7 `Failed to connect to H port P after N ms: Couldn't connect to server` (also when
 * socket(2) fails, as EMFILE),
 * 28 `Connection timed out after N milliseconds` (-m while connecting) / `Failed to connect to H port
 * P after N ms: Timeout was reached` (--connect-timeout) / `Operation timed out after N
 * milliseconds with X bytes received`, 52 `Empty reply from server`, 56 `Recv failure: Connection reset by peer`,
 * 1 `Received HTTP/0.9 when not allowed` (not an HTTP response), 8 `Weird server reply` (a head over
 * 8 KiB), 63 `Maximum file size exceeded` (bodies are held up to 16 MiB), 2 for usage errors.
 * Times are virtual. The body is read by Content-Length, else to the connection's end.
 * Leaves out: the progress meter, HTTPS and other protocols, redirects (-L), chunked decoding,
 * uploads, cookies, several URLs.
 */
import { errnoMessage, type Errno, type Program, type TcpSocket } from '@netloom/stack';
import { getopt, type LongOption } from './getopt.js';
import { HeadReader, contentLength, headerValue, isKeepAlive, latin1, latin1Bytes, parseHttpUrl, parseResponseHead, type ResponseHead } from './http-message.js';
import { connectTcp, resolveHost } from './tcp-stream.js';

export const CURL_VERSION = '7.88.1';
/** Largest body curl holds. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const TRY_HELP = "curl: try 'curl --help' or 'curl --manual' for more information\n";

const LONG: readonly LongOption[] = [
  { name: 'silent', argument: 'none', key: 's' },
  { name: 'show-error', argument: 'none', key: 'S' },
  { name: 'output', argument: 'required', key: 'o' },
  { name: 'write-out', argument: 'required', key: 'w' },
  { name: 'max-time', argument: 'required', key: 'm' },
  { name: 'connect-timeout', argument: 'required', key: 'connect-timeout' },
  { name: 'interface', argument: 'required', key: 'interface' },
  { name: 'verbose', argument: 'none', key: 'v' },
  { name: 'head', argument: 'none', key: 'I' },
  { name: 'header', argument: 'required', key: 'H' },
  { name: 'fail', argument: 'none', key: 'f' },
  { name: 'help', argument: 'none', key: 'h' },
];

const USAGE = 'Usage: curl [options...] <url>\n';

function bodyText(chunks: readonly Uint8Array[]): string {
  const decoder = new TextDecoder();
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join('') + decoder.decode();
}

function parseSeconds(text: string): number | null {
  return /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Math.round(Number(text) * 1e9) : null;
}

/** curl's -w backslash escapes. */
function unescapeWriteOut(text: string): string {
  return text.replace(/\\([nrt\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c] ?? c);
}

export const curl: Program = (ctx) => {
  const parsed = getopt(ctx.argv, { short: 'sSo:w:m:vIH:fh', long: LONG });
  if (!parsed.ok) {
    const e = parsed.error;
    const option = e.option.startsWith('-') ? e.option : e.option.length === 1 ? `-${e.option}` : `--${e.option}`;
    ctx.stderr(e.kind === 'missingArgument' ? `curl: option ${option}: requires parameter\n${TRY_HELP}` : `curl: option ${option}: is unknown\n${TRY_HELP}`);
    return ctx.exit(2);
  }
  let silent = false;
  let showError = false;
  let output: string | null = null;
  let writeOut: string | null = null;
  let maxTime = 0;
  let connectTimeout = 0;
  let device: string | undefined;
  let verbose = false;
  let headOnly = false;
  let failOnError = false;
  const extraHeaders: string[] = [];
  for (const { key, value = '', spelling } of parsed.options) {
    switch (key) {
      case 'h':
        ctx.stdout(`${USAGE} -o, --output <file>   Write to file instead of stdout\n -s, --silent          Silent mode\n`);
        return ctx.exit(0);
      case 's':
        silent = true;
        break;
      case 'S':
        showError = true;
        break;
      case 'o':
        output = value;
        break;
      case 'w':
        writeOut = unescapeWriteOut(value);
        break;
      case 'm':
      case 'connect-timeout': {
        const ns = parseSeconds(value);
        if (ns === null) {
          ctx.stderr(`curl: option ${spelling}: expected a proper numerical parameter\n${TRY_HELP}`);
          return ctx.exit(2);
        }
        if (key === 'm') maxTime = ns;
        else connectTimeout = ns;
        break;
      }
      case 'interface':
        device = value;
        break;
      case 'v':
        verbose = true;
        break;
      case 'I':
        headOnly = true;
        break;
      case 'H':
        if (value.includes(':')) extraHeaders.push(value);
        break;
      case 'f':
        failOnError = true;
        break;
      default:
        break;
    }
  }
  const urlText = parsed.operands[0];
  if (urlText === undefined) {
    ctx.stderr(TRY_HELP);
    return ctx.exit(2);
  }

  const started = ctx.now();
  const elapsedMs = (): number => Math.floor((ctx.now() - started) / 1_000_000);
  const info = (line: string): void => {
    if (verbose) ctx.stderr(`${line}\n`);
  };
  let socket: TcpSocket | null = null;
  let received = 0;
  let headBytes = 0;
  let connectedAt = 0;
  let response: ResponseHead | null = null;
  let finished = false;
  let exitCode = 0;
  let errorMessage = '';
  const url = parseHttpUrl(urlText);

  const writeOutText = (): string =>
    (writeOut ?? '').replace(/%\{([a-z_]+)(?:\{([^}]*)\})?\}/g, (whole, name: string, header: string | undefined) => {
      const local = socket?.localAddress();
      const remote = socket?.remoteAddress();
      const seconds = (ns: number): string => (ns / 1e9).toFixed(6);
      switch (name) {
        case 'http_code':
        case 'response_code':
          return String(response?.status ?? 0).padStart(3, '0');
        case 'remote_ip':
          return remote?.address ?? '';
        case 'remote_port':
          return remote === null || remote === undefined ? '0' : String(remote.port);
        case 'local_ip':
          return local?.address ?? '';
        case 'local_port':
          return local === null || local === undefined ? '0' : String(local.port);
        case 'size_download':
          return String(received);
        case 'size_header':
          return String(headBytes);
        case 'time_connect':
          return seconds(connectedAt === 0 ? 0 : connectedAt - started);
        case 'time_total':
          return seconds(ctx.now() - started);
        case 'url_effective':
          return url === null ? urlText : `http://${url.host.includes(':') ? `[${url.host}]` : url.host}${url.port === 80 ? '' : `:${url.port}`}${url.path}`;
        case 'content_type':
          return response === null ? '' : (headerValue(response.headers, 'Content-Type') ?? '');
        case 'exitcode':
          return String(exitCode);
        case 'errormsg':
          return errorMessage;
        case 'header':
          return header === undefined || response === null ? '' : (headerValue(response.headers, header) ?? '');
        default:
          return whole;
      }
    });

  const finish = (code: number, message?: string): void => {
    if (finished) return;
    finished = true;
    exitCode = code;
    if (message !== undefined) {
      errorMessage = message;
      info(`* ${message}`);
    }
    if (socket !== null) {
      info(code === 0 && response !== null && isKeepAlive(response.version, response.headers) ? `* Connection #0 to host ${url?.host} left intact` : '* Closing connection 0');
      socket.close();
    }
    if (writeOut !== null) ctx.stdout(writeOutText());
    if (message !== undefined && (!silent || showError)) ctx.stderr(`curl: (${code}) ${message}\n`);
    ctx.exit(code);
  };
  const errnoText = (errno: Errno): string => errnoMessage[errno];

  if (url === null) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(urlText)?.[1];
    if (scheme !== undefined && scheme.toLowerCase() !== 'http') return finish(1, `Protocol "${scheme}" not supported or disabled in libcurl`);
    return finish(3, 'URL using bad/illegal format or missing URL');
  }
  const address = resolveHost(ctx, url.host);
  if (address === null) return finish(6, `Could not resolve host: ${url.host}`);

  let deadlineTimer: { cancel(): void } | null = null;
  if (maxTime > 0) {
    deadlineTimer = ctx.setTimer(maxTime, () => {
      if (socket === null) finish(28, `Connection timed out after ${elapsedMs()} milliseconds`);
      else {
        const total = response === null ? null : contentLength(response.headers);
        finish(28, `Operation timed out after ${elapsedMs()} milliseconds with ${received}${typeof total === 'number' ? ` out of ${total}` : ''} bytes received`);
      }
    });
  }
  const connectLimit = connectTimeout > 0 && (maxTime === 0 || connectTimeout < maxTime) ? connectTimeout : 0;
  const shownAddress = address.includes(':') ? `[${address}]` : address;
  info(`*   Trying ${shownAddress}:${url.port}...`);
  const cancelConnect = connectTcp(ctx, address, url.port, { ...(device !== undefined ? { device } : {}), ...(connectLimit > 0 ? { timeout: connectLimit } : {}) }, (result) => {
    if (finished) return;
    if (!('phase' in result)) return request(result);
    if (result.phase === 'timeout') return finish(28, `Failed to connect to ${url.host} port ${url.port} after ${elapsedMs()} ms: Timeout was reached`);
    if (result.phase === 'device') return finish(45, `Couldn't bind to '${device}'`);
    // A socket(2) that fails (EMFILE) ends as a refused connect does, without naming the errno.
    if (result.phase !== 'socket') info(`* connect to ${address} port ${url.port} failed: ${errnoText(result.errno)}`);
    finish(7, `Failed to connect to ${url.host} port ${url.port} after ${elapsedMs()} ms: Couldn't connect to server`);
  });

  const request = (connected: TcpSocket): void => {
    socket = connected;
    connectedAt = ctx.now();
    info(`* Connected to ${url.host} (${address}) port ${url.port} (#0)`);
    const hostField = `${url.host.includes(':') ? `[${url.host}]` : url.host}${url.port === 80 ? '' : `:${url.port}`}`;
    const named = new Set(extraHeaders.map((h) => h.slice(0, h.indexOf(':')).trim().toLowerCase()));
    const lines = [`${headOnly ? 'HEAD' : 'GET'} ${url.path} HTTP/1.1`];
    if (!named.has('host')) lines.push(`Host: ${hostField}`);
    if (!named.has('user-agent')) lines.push(`User-Agent: curl/${CURL_VERSION}`);
    if (!named.has('accept')) lines.push('Accept: */*');
    // `-H 'Name:'` removes a field curl would send.
    lines.push(...extraHeaders.filter((h) => h.slice(h.indexOf(':') + 1).trim() !== ''));
    for (const line of lines) info(`> ${line}`);
    info('> ');
    const sent = connected.send(latin1Bytes(`${lines.join('\r\n')}\r\n\r\n`));
    if (!sent.ok) return finish(55, `Send failure: ${errnoText(sent.errno)}`);

    const reader = new HeadReader();
    let statusPrefix = '';
    let headText = '';
    const body: Uint8Array[] = [];
    let expected: number | null = null;
    const complete = (): void => {
      deadlineTimer?.cancel();
      const status = response?.status ?? 0;
      if (failOnError && status >= 400) return finish(22, `The requested URL returned error: ${status}`);
      // The body's bytes as UTF-8 text, as a terminal or a node file shows them.
      const text = headOnly ? headText : bodyText(body);
      const written = output === null ? ctx.stdout(text) : ctx.writeFile(output, text);
      if (!written.ok) return finish(23, 'Failure writing output to destination');
      finish(0);
    };
    const takeBody = (bytes: Uint8Array): void => {
      if (bytes.length === 0) return;
      const room = expected === null ? bytes.length : Math.min(bytes.length, expected - received);
      if (received + room > MAX_BODY_BYTES) return finish(63, 'Maximum file size exceeded');
      body.push(bytes.slice(0, room));
      received += room;
    };
    connected.onData((data) => {
      if (finished) return;
      if (response === null) {
        // A reply that does not start as a status line is HTTP/0.9 to curl, known from its first bytes.
        if (statusPrefix.length < 5) statusPrefix += latin1(data.subarray(0, 5 - statusPrefix.length));
        if (!'HTTP/'.startsWith(statusPrefix) && !statusPrefix.startsWith('HTTP/')) return finish(1, 'Received HTTP/0.9 when not allowed');
        const outcome = reader.push(data);
        if (outcome.kind === 'more') return;
        if (outcome.kind === 'tooLarge') return finish(8, 'Weird server reply');
        const head = parseResponseHead(outcome.head);
        if (head === null) return finish(1, 'Received HTTP/0.9 when not allowed');
        response = head;
        headBytes = outcome.head.length + 4;
        for (const line of outcome.head.split(/\r?\n/)) info(`< ${line}`);
        info('< ');
        if (head.version === '1.0') info('* HTTP 1.0, assume close after body');
        headText = `${outcome.head.replace(/\r?\n/g, '\r\n')}\r\n\r\n`;
        const length = contentLength(head.headers);
        expected = headOnly || head.status === 204 || head.status === 304 ? 0 : typeof length === 'number' ? length : null;
        takeBody(outcome.rest);
      } else takeBody(data);
      if (!finished && expected !== null && received >= expected) complete();
    });
    connected.onEnd(() => {
      if (finished) return;
      if (response === null) return finish(52, 'Empty reply from server');
      if (expected !== null && received < expected) return finish(18, `transfer closed with ${expected - received} bytes remaining to read`);
      complete();
    });
    connected.onError((errno) => {
      if (finished) return;
      if (errno === 'ECONNRESET') return finish(56, 'Recv failure: Connection reset by peer');
      finish(56, `Recv failure: ${errnoText(errno)}`);
    });
  };

  ctx.onInterrupt(() => {
    cancelConnect();
    socket?.close();
    ctx.exit(130);
  });
};
