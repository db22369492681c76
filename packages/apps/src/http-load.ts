/**
 * `http-load [-n N] [-c C] [-k] [-r] [-l] [-s SECONDS] [-H 'Name: value'] URL`: ApacheBench-style
 * load (ab 2.3): N requests (default 1), C at a time (default 1), each `GET PATH HTTP/1.0` on a new
 * TCP connection (with -k, `Connection: Keep-Alive` and connections reused while the server keeps
 * them), then ab's main lines with virtual time:
 *
 *   Benchmarking 10.0.0.2 (be patient).....done           (or `Completed K requests` on stderr
 *   Server Software / Hostname / Port, Document Path /      every N/10 when N > 150)
 *   Length, Concurrency Level, Time taken for tests, Complete requests, Failed requests
 *   (Connect, Receive, Length, Exceptions), Non-2xx responses, Total transferred, HTML transferred,
 *   Requests per second, Time per request (mean, and across all concurrent requests), Transfer rate
 *
 * and then which host answered how often, from each response's X-Served-By (httpd sends it),
 * sorted by host name: `Served by (X-Served-By):` and `  web1   5 (50.0%)` lines, `(none)` for
 * responses without it (at most 1024 hosts by name, then `(other)`). A body whose length differs from the first response's is a Length
 * failure, as in ab (-l accepts any length). As ab: a connect or receive error stops the run with
 * `apr_socket_recv: Connection refused (111)` on stderr (and `Total of N requests completed` on
 * stdout when some were) and that errno as the status unless -r, where it counts as a failed
 * request; a response that takes longer than -s (default 30 s) stops it with `apr_pollset_poll: The
 * timeout specified has expired (70007)` (status 70007 & 0xff, 119); usage errors print
 * ab's message and exit 22. Ctrl-C prints the results so far. Responses are read by
 * Content-Length, else to the connection's end, and held at most 1 MiB each.
 * Leaves out: ab's Connection Times and percentile tables, POST/PUT, -t, proxies, TLS.
 */
import type { Errno, Nanos, Program, TcpSocket, TimerHandle } from '@netloom/stack';
import { getopt } from './getopt.js';
import { HeadReader, contentLength, headerValue, isKeepAlive, latin1Bytes, parseHttpUrl, parseResponseHead, type ResponseHead } from './http-message.js';
import { connectTcp, resolveHost } from './tcp-stream.js';

const USAGE = 'Usage: http-load [options] [http://]hostname[:port]/path\nOptions are:\n    -n requests     Number of requests to perform\n    -c concurrency  Number of multiple requests to make at a time\n    -s timeout      Seconds to max. wait for each response\n    -k              Use HTTP KeepAlive feature\n    -r              Don\'t exit on socket receive errors.\n    -l              Accept variable document length\n    -H attribute    Add Arbitrary header line\n';
/** Most requests one run makes (ab's MAX_REQUESTS is 50000 with -t; the count bounds the tables). */
const MAX_REQUESTS = 1_000_000;
const MAX_CONCURRENCY = 20_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Most hosts counted by name; answers from any further ones count as `(other)`. */
const MAX_HOSTS = 1024;
/** Linux errno numbers, which ab prints after APR's message. */
const ERRNO_NUMBER: Partial<Record<Errno, number>> = { ECONNREFUSED: 111, ECONNRESET: 104, ETIMEDOUT: 110, EHOSTUNREACH: 113, ENETUNREACH: 101, EADDRNOTAVAIL: 99, EPIPE: 32, EAFNOSUPPORT: 97 };
const APR_TEXT: Partial<Record<Errno, string>> = { ECONNREFUSED: 'Connection refused', ECONNRESET: 'Connection reset by peer', ETIMEDOUT: 'Connection timed out', EHOSTUNREACH: 'No route to host', ENETUNREACH: 'Network is unreachable' };

interface Tally {
  done: number;
  failedConnect: number;
  failedReceive: number;
  failedLength: number;
  failedExceptions: number;
  non2xx: number;
  totalRead: number;
  htmlRead: number;
  documentLength: number | null;
  serverSoftware: string;
  servedBy: Map<string, number>;
}

export const httpLoad: Program = (ctx) => {
  const usageError = (message: string): void => {
    ctx.stderr(`${message}\n${USAGE}`);
    ctx.exit(22);
  };
  const parsed = getopt(ctx.argv, { short: 'n:c:s:krlH:h' });
  if (!parsed.ok) return usageError(`http-load: ${parsed.error.kind === 'missingArgument' ? 'option requires an argument' : 'illegal option'} -- ${parsed.error.option.replace(/^-+/, '')}`);
  let requests = 1;
  let concurrency = 1;
  let timeout: Nanos = 30_000_000_000;
  let keepAlive = false;
  let continueOnErrors = false;
  let variableLength = false;
  const extraHeaders: string[] = [];
  for (const { key, value = '' } of parsed.options) {
    if (key === 'h') {
      ctx.stdout(USAGE);
      return ctx.exit(0);
    }
    if (key === 'n' || key === 'c') {
      if (!/^\d+$/.test(value) || Number(value) < 1) return usageError(`http-load: invalid number of ${key === 'n' ? 'requests' : 'concurrent requests'}: ${value}`);
      if (key === 'n') requests = Math.min(Number(value), MAX_REQUESTS);
      else concurrency = Number(value);
    } else if (key === 's') {
      if (!/^\d+(\.\d+)?$/.test(value)) return usageError(`http-load: invalid timeout: ${value}`);
      timeout = Math.round(Number(value) * 1e9);
    } else if (key === 'k') keepAlive = true;
    else if (key === 'r') continueOnErrors = true;
    else if (key === 'l') variableLength = true;
    else if (key === 'H') extraHeaders.push(value);
  }
  if (parsed.operands.length !== 1) return usageError('http-load: wrong number of arguments');
  if (concurrency > MAX_CONCURRENCY) return usageError(`http-load: Invalid Concurrency [Range 0..${MAX_CONCURRENCY}]`);
  if (concurrency > requests) return usageError('http-load: Cannot use concurrency level greater than total number of requests');
  const url = parseHttpUrl(parsed.operands[0] ?? '');
  if (url === null) return usageError(`http-load: invalid URL`);
  const address = resolveHost(ctx, url.host);
  if (address === null) {
    ctx.stderr(`http-load: apr_sockaddr_info_get() for ${url.host}: Name or service not known (670002)\n`);
    return ctx.exit(1);
  }

  const heartbeat = requests > 150 ? Math.max(100, Math.floor(requests / 10)) : 0;
  ctx.stdout(`Benchmarking ${url.host} (be patient)${heartbeat > 0 ? '\n' : '...'}`);
  const request = latin1Bytes(
    [`GET ${url.path} HTTP/1.0`, ...(keepAlive ? ['Connection: Keep-Alive'] : []), `Host: ${url.host}${url.port === 80 ? '' : `:${url.port}`}`, 'User-Agent: ApacheBench/2.3', 'Accept: */*', ...extraHeaders, '', ''].join('\r\n'),
  );
  const tally: Tally = { done: 0, failedConnect: 0, failedReceive: 0, failedLength: 0, failedExceptions: 0, non2xx: 0, totalRead: 0, htmlRead: 0, documentLength: null, serverSoftware: '', servedBy: new Map() };
  const started = ctx.now();
  let started_ = 0;
  let finished = false;
  let keptAlive = 0;
  const live = new Set<TcpSocket>();
  const cancels = new Set<() => void>();

  const report = (): void => {
    const seconds = (ctx.now() - started) / 1e9;
    const failed = tally.failedConnect + tally.failedReceive + tally.failedLength + tally.failedExceptions;
    const rate = (n: number): string => (seconds > 0 ? (n / seconds).toFixed(2) : 'inf');
    const perRequest = (n: number): string => (tally.done > 0 ? ((n * seconds * 1000) / tally.done).toFixed(3) : 'inf');
    const row = (label: string, value: string): string => `${label.padEnd(24)}${value}\n`;
    let text = '\n\n';
    text += row('Server Software:', tally.serverSoftware);
    text += row('Server Hostname:', url.host);
    text += row('Server Port:', String(url.port));
    text += '\n';
    text += row('Document Path:', url.path);
    text += row('Document Length:', variableLength ? 'Variable' : `${tally.documentLength ?? 0} bytes`);
    text += '\n';
    text += row('Concurrency Level:', String(concurrency));
    text += row('Time taken for tests:', `${seconds.toFixed(3)} seconds`);
    text += row('Complete requests:', String(tally.done));
    text += row('Failed requests:', String(failed));
    if (failed > 0) text += `   (Connect: ${tally.failedConnect}, Receive: ${tally.failedReceive}, Length: ${tally.failedLength}, Exceptions: ${tally.failedExceptions})\n`;
    if (tally.non2xx > 0) text += row('Non-2xx responses:', String(tally.non2xx));
    if (keepAlive) text += row('Keep-Alive requests:', String(keptAlive));
    text += row('Total transferred:', `${tally.totalRead} bytes`);
    text += row('HTML transferred:', `${tally.htmlRead} bytes`);
    text += row('Requests per second:', `${rate(tally.done)} [#/sec] (mean)`);
    text += row('Time per request:', `${perRequest(concurrency)} [ms] (mean)`);
    text += row('Time per request:', `${perRequest(1)} [ms] (mean, across all concurrent requests)`);
    text += row('Transfer rate:', `${seconds > 0 ? (tally.totalRead / 1024 / seconds).toFixed(2) : 'inf'} [Kbytes/sec] received`);
    text += '\nServed by (X-Served-By):\n';
    const hosts = [...tally.servedBy.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const width = Math.max(20, ...hosts.map(([h]) => h.length + 2));
    for (const [host, count] of hosts) text += `  ${host.padEnd(width)}${String(count).padStart(6)} (${((100 * count) / Math.max(1, tally.done)).toFixed(1)}%)\n`;
    ctx.stdout(text);
  };
  const stop = (status: number): void => {
    if (finished) return;
    finished = true;
    for (const cancel of cancels) cancel();
    for (const socket of live) socket.close();
    ctx.exit(status);
  };
  const complete = (): void => {
    if (finished) return;
    if (heartbeat > 0) ctx.stderr(`Finished ${tally.done} requests\n`);
    else ctx.stdout('..done\n');
    report();
    stop(0);
  };
  /** ab's apr_err: the message on stderr, how many requests were done on stdout, exit(rv). */
  const aprError = (message: string, rv: number): void => {
    ctx.stderr(`${message}\n`);
    if (tally.done > 0) ctx.stdout(`Total of ${tally.done} requests completed\n`);
    stop(rv & 0xff);
  };
  /** A socket error: ab's apr message and exit, or with -r a failed request. */
  const socketError = (errno: Errno, kind: 'failedConnect' | 'failedReceive'): boolean => {
    if (continueOnErrors) {
      tally[kind]++;
      return true;
    }
    aprError(`apr_socket_recv: ${APR_TEXT[errno] ?? errno} (${ERRNO_NUMBER[errno] ?? 0})`, ERRNO_NUMBER[errno] ?? 1);
    return false;
  };
  const finishOne = (): void => {
    tally.done++;
    if (heartbeat > 0 && tally.done % heartbeat === 0 && tally.done < requests) ctx.stderr(`Completed ${tally.done} requests\n`);
  };

  /** One slot of the C concurrent ones: keeps making requests while any are left. */
  const runSlot = (reuse: TcpSocket | null): void => {
    if (finished) return;
    if (started_ >= requests) {
      reuse?.close();
      if (reuse !== null) live.delete(reuse);
      if (tally.done >= requests) complete();
      return;
    }
    started_++;
    if (reuse !== null) return exchange(reuse);
    const cancel = connectTcp(ctx, address, url.port, {}, (result) => {
      cancels.delete(cancel);
      if (finished) return;
      if ('phase' in result) {
        if (result.phase === 'timeout') return;
        if (!socketError(result.errno, 'failedConnect')) return;
        // With -r a failed connect still counts as one of the N (ab's `done` includes it).
        finishOne();
        runSlot(null);
        return;
      }
      live.add(result);
      exchange(result);
    });
    cancels.add(cancel);
  };

  /** Send the request on `socket`, read one response, then hand the slot on. */
  const exchange = (socket: TcpSocket): void => {
    const reader = new HeadReader();
    let head: ResponseHead | null = null;
    let headBytes = 0;
    let bodyBytes = 0;
    let expected: number | null = null;
    let over = false;
    const timer: TimerHandle = ctx.setTimer(timeout, () => {
      aprError('apr_pollset_poll: The timeout specified has expired (70007)', 70007);
    });
    const end = (reusable: boolean): void => {
      if (over) return;
      over = true;
      timer.cancel();
      if (head === null) {
        tally.failedExceptions++;
      } else {
        tally.totalRead += headBytes + bodyBytes;
        tally.htmlRead += bodyBytes;
        if (tally.documentLength === null) {
          tally.documentLength = bodyBytes;
          tally.serverSoftware = headerValue(head.headers, 'Server') ?? '';
        } else if (!variableLength && bodyBytes !== tally.documentLength) tally.failedLength++;
        if (head.status < 200 || head.status > 299) tally.non2xx++;
        // ab's `doneka`: responses that let the connection live on.
        if (keepAlive && isKeepAlive(head.version, head.headers)) keptAlive++;
        const named = headerValue(head.headers, 'X-Served-By') ?? '(none)';
        const host = tally.servedBy.has(named) || tally.servedBy.size < MAX_HOSTS ? named : '(other)';
        tally.servedBy.set(host, (tally.servedBy.get(host) ?? 0) + 1);
      }
      finishOne();
      if (!reusable) {
        live.delete(socket);
        socket.close();
      }
      runSlot(reusable ? socket : null);
    };
    socket.onData((data) => {
      if (over) return;
      let body = data;
      if (head === null) {
        const outcome = reader.push(data);
        if (outcome.kind === 'more') return;
        const parsedHead = outcome.kind === 'head' ? parseResponseHead(outcome.head) : null;
        if (outcome.kind !== 'head' || parsedHead === null) {
          tally.failedExceptions++;
          over = true;
          timer.cancel();
          finishOne();
          live.delete(socket);
          socket.close();
          return runSlot(null);
        }
        head = parsedHead;
        headBytes = outcome.head.length + 4;
        const length = contentLength(head.headers);
        expected = typeof length === 'number' ? length : null;
        body = outcome.rest;
      }
      bodyBytes = Math.min(bodyBytes + body.length, expected ?? MAX_RESPONSE_BYTES);
      if (expected !== null && bodyBytes >= expected) end(keepAlive && head !== null && isKeepAlive(head.version, head.headers));
      else if (bodyBytes >= MAX_RESPONSE_BYTES) end(false);
    });
    socket.onEnd(() => end(false));
    const failed = (errno: Errno): void => {
      if (over) return;
      over = true;
      timer.cancel();
      live.delete(socket);
      socket.close();
      if (!socketError(errno, 'failedReceive')) return;
      finishOne();
      runSlot(null);
    };
    socket.onError(failed);
    const sent = socket.send(request);
    // A fresh connection's send buffer takes a request whole; a refusal is the connection's error.
    if (!sent.ok) failed(sent.errno);
  };

  ctx.onInterrupt(() => {
    ctx.stdout('..done\n');
    report();
    stop(0);
  });
  for (let slot = 0; slot < concurrency; slot++) runSlot(null);
};
