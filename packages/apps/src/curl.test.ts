/**
 * curl on real nodes (testing/node-lab.ts's chain: a 10.200.1.1 — r — b 10.200.2.2, 1 ms a link,
 * b running httpd), with curl 7.88.1's messages and exit codes as it printed them in namespaces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { programs } from './index.js';
import { chainWithHttpd, withIpv6 } from './testing/http-lab.js';
import { MS, SECOND, chain } from './testing/node-lab.js';

const served = () => chainWithHttpd(programs).lab;

describe('curl', () => {
  it('-v shows the connection, the request and the response head on stderr', () => {
    const lab = served();
    const run = lab.exec('a', "curl -v -H 'X-Test: 1' http://10.200.2.2/", 10 * SECOND);
    expect(run.stderr).toBe(
      [
        '*   Trying 10.200.2.2:80...',
        '* Connected to 10.200.2.2 (10.200.2.2) port 80 (#0)',
        '> GET / HTTP/1.1',
        '> Host: 10.200.2.2',
        '> User-Agent: curl/7.88.1',
        '> Accept: */*',
        '> X-Test: 1',
        '> ',
        '< HTTP/1.1 200 OK',
        '< Date: Thu, 01 Jan 1970 00:00:00 GMT',
        '< Server: netloom-httpd',
        '< X-Served-By: b',
        '< Content-Type: text/html',
        '< Content-Length: 66',
        '< ',
        '* Connection #0 to host 10.200.2.2 left intact',
        '',
      ].join('\n'),
    );
    expect(run.stdout).toContain('<h1>b</h1>');
  });

  it('-w prints the write-out variables after the transfer', () => {
    const lab = served();
    const run = lab.exec('a', "curl -s -o /dev/null -w '%{http_code} %{remote_ip}:%{remote_port} %{size_download} %{header{x-served-by}} %{time_total}\\n' http://10.200.2.2:80/", 10 * SECOND);
    // The first request waits for two ARP exchanges (4 ms) before the 4 ms handshake and 4 ms exchange.
    expect(run.stdout).toBe('200 10.200.2.2:80 66 b 0.012000\n');
    expect(run.status).toBe(0);
    const failed = lab.exec('a', 'curl -s -f http://10.200.2.2/nope', 10 * SECOND);
    expect([failed.stdout, failed.status]).toEqual(['', 22]);
  });

  it('exits with curl’s codes and messages, -s keeping them quiet', () => {
    const lab = served();
    const refused = lab.exec('a', 'curl http://10.200.2.2:81/', 10 * SECOND);
    expect([refused.stderr, refused.status]).toEqual(["curl: (7) Failed to connect to 10.200.2.2 port 81 after 8 ms: Couldn't connect to server\n", 7]);
    expect(lab.exec('a', 'curl -s http://10.200.2.2:81/', 10 * SECOND)).toMatchObject({ stderr: '', status: 7 });
    expect(lab.exec('a', 'curl -sS http://nowhere/', 10 * SECOND)).toMatchObject({ stderr: 'curl: (6) Could not resolve host: nowhere\n', status: 6 });
    expect(lab.exec('a', 'curl --interface nosuch http://10.200.2.2/', 10 * SECOND)).toMatchObject({ stderr: "curl: (45) Couldn't bind to 'nosuch'\n", status: 45 });
    expect(lab.exec('a', 'curl https://10.200.2.2/', 10 * SECOND)).toMatchObject({ stderr: 'curl: (1) Protocol "https" not supported or disabled in libcurl\n', status: 1 });
    expect(lab.exec('a', 'curl', 10 * SECOND)).toMatchObject({ stderr: "curl: try 'curl --help' or 'curl --manual' for more information\n", status: 2 });
    expect(lab.exec('a', 'curl -m', 10 * SECOND).status).toBe(2);
  });

  it('-o writes the body into a node file, and fails with 23 where it cannot', () => {
    const lab = served();
    const run = lab.exec('a', 'curl -s -o page.html http://10.200.2.2/', 10 * SECOND);
    expect([run.stdout, run.status]).toEqual(['', 0]);
    expect(lab.sh('a', 'cat /root/page.html')).toBe('<html><head><title>b</title></head><body><h1>b</h1></body></html>\n');
    const head = lab.exec('a', 'curl -s -I -o /tmp/head http://10.200.2.2/', 10 * SECOND);
    expect(head.status).toBe(0);
    expect(lab.sh('a', 'cat /tmp/head')).toContain('HTTP/1.1 200 OK\r\n');
    expect(lab.exec('a', 'curl -sS -o /proc/nope http://10.200.2.2/', 10 * SECOND)).toMatchObject({ stderr: 'curl: (23) Failure writing output to destination\n', status: 23 });
  });

  it('works over IPv6 with httpd -s ::', () => {
    const lab = withIpv6(chain(programs));
    const server = lab.exec('b', 'httpd -s ::');
    lab.run(10 * MS);
    const run = lab.exec('a', 'curl -v http://[2001:db8:2::2]/', 10 * SECOND);
    expect(run.stderr.split('\n').slice(0, 4)).toEqual(['*   Trying [2001:db8:2::2]:80...', '* Connected to 2001:db8:2::2 (2001:db8:2::2) port 80 (#0)', '> GET / HTTP/1.1', '> Host: [2001:db8:2::2]']);
    expect(run.status).toBe(0);
    expect(server.stdout.split('\n')[1]).toMatch(/^2001:db8:1::1 - - \[.*\] "GET \/ HTTP\/1\.1" 200 66$/);
  });

  it('resolves a name through the node’s /etc/hosts', () => {
    const lab = served();
    lab.sh('a', "echo '10.200.2.2 web' > /etc/hosts");
    const run = lab.exec('a', 'curl -s -w %{remote_ip} http://web:80/', 10 * SECOND);
    expect(run.stdout).toBe('<html><head><title>b</title></head><body><h1>b</h1></body></html>\n10.200.2.2');
    expect(lab.exec('a', 'curl -sS http://b/', 10 * SECOND)).toMatchObject({ stderr: 'curl: (6) Could not resolve host: b\n', status: 6 });
  });

  it('-m ends a connect to a host that does not answer with 28', () => {
    const lab = served();
    lab.sh('r', 'ip route add blackhole 10.200.9.0/24');
    const run = lab.exec('a', 'curl -m 2 http://10.200.9.9/', 10 * SECOND);
    expect([run.stderr, run.status]).toEqual(['curl: (28) Connection timed out after 2000 milliseconds\n', 28]);
  });

  it('ends with one of its exit codes whatever a server answers', { timeout: 0 }, () => {
    // Mostly a status line first, so that the fields and the body are reached too.
    const reply = fc
      .tuple(
        fc.constantFrom('', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.0 404 x\n', 'HTTP/1.1 204 No Content\r\n'),
        fc.array(fc.oneof(fc.constantFrom('\r\n', '\n', '\r\n\r\n', 'Content-Length: ', '3', '99999999999', 'Connection: close', 'X-Bad', ':'), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 12 }),
      )
      .map(([status, parts]) => status + parts.join(''));
    fc.assert(
      fc.property(reply, (text) => {
        const lab = chain(programs);
        lab.exec('b', `nc -l -m '${text.replace(/'/g, `'\\''`)}' 8080`);
        lab.run(10 * MS);
        const run = lab.exec('a', 'curl -sS -m 2 -o /dev/null -w %{http_code} http://10.200.2.2:8080/', 10 * SECOND);
        expect([0, 1, 8, 18, 28, 52, 56, 63]).toContain(run.status);
        if (run.status !== 0) expect(run.stderr).toMatch(/^curl: \(\d+\) .+\n$/);
      }),
      { numRuns: scaled(25) },
    );
    // Synchronous and sized by NETLOOM_TEST_SCALE (numRuns), so no timeout (docs/testing.md): a
    // timer cannot interrupt it and could only judge speed.
  });

  it('exits 130 on Ctrl-C while waiting', () => {
    const lab = served();
    lab.sh('r', 'ip route add blackhole 10.200.9.0/24');
    const run = lab.exec('a', 'curl http://10.200.9.9/');
    lab.run(5 * SECOND);
    run.interrupt();
    expect([run.stdout, run.stderr, run.status]).toEqual(['', '', 130]);
  });

  it('reports a server that answers nothing, or not HTTP', () => {
    const lab = served();
    lab.exec('b', "nc -l -m 'SSH-2.0-OpenSSH_9.2' 22");
    lab.exec('b', 'nc -l -m "" 23');
    lab.run(10 * MS);
    expect(lab.exec('a', 'curl http://10.200.2.2:22/', 10 * SECOND)).toMatchObject({ stderr: 'curl: (1) Received HTTP/0.9 when not allowed\n', status: 1 });
    expect(lab.exec('a', 'curl -m 1 http://10.200.2.2:23/', 10 * SECOND)).toMatchObject({ stderr: 'curl: (28) Operation timed out after 1000 milliseconds with 0 bytes received\n', status: 28 });
  });
});
