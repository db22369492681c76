/**
 * httpd on real nodes (testing/node-lab.ts's chain: a 10.200.1.1 — r — b 10.200.2.2, 1 ms a link),
 * driven by curl and by nc sending raw request bytes (`-m` text in single quotes keeps CR and LF;
 * nc adds one LF). Times are virtual, so access-log lines and heads are exact.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { programs } from './index.js';
import { chainWithHttpd, withIpv6 } from './testing/http-lab.js';
import { MS, SECOND, chain } from './testing/node-lab.js';

const served = () => chainWithHttpd(programs);

/** A word as the node's shell reads it back: single-quoted. */
const quoted = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** Request-ish bytes: pieces of real requests, separators and noise, in any order. */
const requestText = fc
  .array(
    fc.oneof(
      fc.constantFrom('GET', 'HEAD', 'POST', ' / ', '/index.html', 'HTTP/1.1', 'HTTP/1.0', '\r\n', '\n', '\r\n\r\n', 'Host: b', 'Content-Length: ', '5', '-1', 'Connection: close', 'Transfer-Encoding: chunked', ':', ' '),
      fc.string({ maxLength: 8 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.join(''));

/** The responses' status lines in what nc printed. */
const statusLines = (text: string): string[] => text.split(/\r?\n/).filter((l) => l.startsWith('HTTP/'));

describe('httpd', () => {
  it('answers GET / with a page naming its host and logs the request', () => {
    const { lab, server } = served();
    const run = lab.exec('a', 'curl -s http://10.200.2.2/', 10 * SECOND);
    expect(run.stdout).toBe('<html><head><title>b</title></head><body><h1>b</h1></body></html>\n');
    expect(run.status).toBe(0);
    expect(server.stdout).toBe('Serving HTTP on 0.0.0.0 port 80 ...\n10.200.1.1 - - [01/Jan/1970:00:00:00 +0000] "GET / HTTP/1.1" 200 66\n');
    server.interrupt();
    expect(server.stdout.endsWith('\nKeyboard interrupt received, exiting.\n')).toBe(true);
    expect(server.status).toBe(0);
  });

  it('answers other paths with 404, HEAD without a body', () => {
    const { lab, server } = served();
    const head = lab.exec('a', 'curl -I http://10.200.2.2/', 10 * SECOND);
    expect(head.stdout).toBe(
      'HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nServer: netloom-httpd\r\nX-Served-By: b\r\nContent-Type: text/html\r\nContent-Length: 66\r\n\r\n',
    );
    const missing = lab.exec('a', 'curl -s -o /dev/null -w %{http_code} http://10.200.2.2/nope', 10 * SECOND);
    expect([missing.stdout, missing.status]).toEqual(['404', 0]);
    expect(server.stdout.split('\n').slice(1, 3).map((l) => l.replace(/^.*\] /, ''))).toEqual(['"HEAD / HTTP/1.1" 200 -', '"GET /nope HTTP/1.1" 404 146']);
  });

  it('keeps an HTTP/1.1 connection open for pipelined requests and closes an HTTP/1.0 one', () => {
    const { lab, server } = served();
    const two = lab.exec('a', "nc -w 1 -m 'GET / HTTP/1.1\r\nHost: b\r\n\r\nGET /x HTTP/1.1\r\nHost: b\r\n\r' 10.200.2.2 80", 30 * SECOND);
    expect(statusLines(two.stdout)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found']);
    expect(two.stdout).not.toContain('Connection: close');
    // The client shut its side down after sending: the server closes once both are answered.
    expect(two.status).toBe(0);
    const old = lab.exec('a', "nc -m 'GET / HTTP/1.0\r\n\r' 10.200.2.2 80", 30 * SECOND);
    expect(statusLines(old.stdout)).toEqual(['HTTP/1.1 200 OK']);
    expect(old.stdout).toContain('\r\nConnection: close\r\n');
    const kept = lab.exec('a', "nc -m 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r' 10.200.2.2 80", 30 * SECOND);
    expect(kept.stdout).toContain('\r\nConnection: keep-alive\r\n');
    expect(server.stdout.split('\n')).toHaveLength(6);
  });

  it('closes a kept-alive connection that idles 5 s', () => {
    const { lab } = served();
    const start = lab.now;
    // -c 2 -i 20s: the second request would come 20 s later, but the server closes at 5 s.
    const run = lab.exec('a', "nc -c 2 -i 20s -m 'GET / HTTP/1.1\r\nHost: b\r\n\r' 10.200.2.2 80", 60 * SECOND);
    expect(statusLines(run.stdout)).toEqual(['HTTP/1.1 200 OK']);
    expect(run.status).toBe(0);
    expect(lab.now - start).toBeGreaterThanOrEqual(5 * SECOND);
    expect(lab.now - start).toBeLessThan(6 * SECOND);
  });

  it.each([
    { what: 'garbage', request: 'hello there\r\n\r', status: 400 },
    { what: 'an HTTP/1.1 request without Host', request: 'GET / HTTP/1.1\r\n\r', status: 400 },
    { what: 'a field without a colon', request: 'GET / HTTP/1.0\r\nnonsense\r\n\r', status: 400 },
    { what: 'a bad Content-Length', request: 'GET / HTTP/1.0\r\nContent-Length: -1\r\n\r', status: 400 },
    { what: 'POST', request: 'POST / HTTP/1.0\r\nContent-Length: 0\r\n\r', status: 501 },
    { what: 'binary bytes', request: '\u0000\u00ff\u0001 / HTTP/1.1\r\n\r', status: 400 },
  ])('answers $what with $status and closes', ({ request, status }) => {
    const { lab, server } = served();
    const run = lab.exec('a', `nc -w 10 -m '${request}' 10.200.2.2 80`, 30 * SECOND);
    expect(run.stdout.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(run.stdout).toContain('\r\nConnection: close\r\n');
    expect(run.status).toBe(0);
    expect(server.stdout.split('\n')[1]).toMatch(new RegExp(`" ${status} \\d+$`));
    expect(server.status).toBe(null);
  });

  it('answers any bytes a client sends with HTTP responses or a close, and keeps serving', { timeout: 0 }, () => {
    fc.assert(
      fc.property(requestText, (text) => {
        const { lab, server } = served();
        const client = lab.exec('a', `nc -w 10 -m ${quoted(text)} 10.200.2.2 80`, 30 * SECOND);
        expect(client.status).toBe(0);
        for (const line of client.stdout.split(/\r?\n/).filter((l) => /^HTTP\//.test(l))) expect(line).toMatch(/^HTTP\/1\.1 (200 OK|400 Bad Request|404 Not Found|501 Not Implemented)$/);
        expect(server.status).toBe(null);
        expect(lab.exec('a', 'curl -s -o /dev/null -w %{http_code} http://10.200.2.2/', 10 * SECOND).stdout).toBe('200');
      }),
      { numRuns: scaled(40) },
    );
    // Synchronous and sized by NETLOOM_TEST_SCALE (numRuns), so no timeout (docs/testing.md): a
    // timer cannot interrupt it and could only judge speed.
  });

  it('refuses a head longer than 8 KiB with 400', () => {
    const { lab } = served();
    const run = lab.exec('a', `nc -w 10 -m 'GET / HTTP/1.0\r\nX-Long: ${'a'.repeat(9000)}\r\n\r' 10.200.2.2 80`, 30 * SECOND);
    expect(statusLines(run.stdout)).toEqual(['HTTP/1.1 400 Bad Request']);
  });

  it('listens on 0.0.0.0 and [::] without -s, and answers over both families', () => {
    const lab = withIpv6(chain(programs));
    const server = lab.exec('b', 'httpd');
    lab.run(10 * MS);
    expect(lab.sh('b', 'ss -tln')).toBe(
      'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' +
        'LISTEN 0      511          0.0.0.0:80        0.0.0.0:*          \n' +
        'LISTEN 0      511             [::]:80           [::]:*          \n',
    );
    expect(lab.exec('a', 'curl -s -o /dev/null -w %{http_code} http://[2001:db8:2::2]/', 10 * SECOND).stdout).toBe('200');
    expect(lab.exec('a', 'curl -s -o /dev/null -w %{http_code} http://10.200.2.2/', 10 * SECOND).stdout).toBe('200');
    expect(server.stdout.split('\n').slice(1, 3).map((l) => l.replace(/ - - .*$/, ''))).toEqual(['2001:db8:1::1', '10.200.1.1']);
  });

  it('starts again at once over the connections it closed, which wait in TIME-WAIT', () => {
    const { lab, server } = served();
    // HTTP/1.0 without keep-alive: httpd closes first, so its side of each connection waits 60 s.
    for (let i = 0; i < 3; i++) lab.exec('a', "nc -m 'GET / HTTP/1.0\r\n\r' 10.200.2.2 80", 10 * SECOND);
    lab.run(10 * MS);
    server.interrupt();
    expect(lab.sh('b', 'ss -Htan state time-wait').match(/ 10\.200\.2\.2:80 /g)).toHaveLength(3);
    const again = lab.exec('b', 'httpd');
    lab.run(10 * MS);
    expect([again.stderr, again.status]).toEqual(['', null]);
    expect(lab.exec('a', 'curl -s -o /dev/null -w %{http_code} http://10.200.2.2/', 10 * SECOND).stdout).toBe('200');
  });

  it('reports a port in use and usage errors', () => {
    const { lab } = served();
    const second = lab.exec('b', 'httpd -p 80', SECOND);
    expect([second.stderr, second.status]).toEqual(['httpd: bind: Address already in use\n', 1]);
    const bad = lab.exec('b', 'httpd -p 0', SECOND);
    expect([bad.stderr, bad.status]).toEqual(['httpd: invalid port: 0\nusage: httpd [-p port] [-s address]\n', 2]);
  });
});
