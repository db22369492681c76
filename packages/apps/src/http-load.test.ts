/**
 * http-load on real nodes (testing/node-lab.ts's chain: a 10.200.1.1 — r — b 10.200.2.2, 1 ms a
 * link, httpd on b): ab 2.3's report with virtual times, then the hosts that answered.
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { chainWithHttpd } from './testing/http-lab.js';
import { MS, SECOND, chain } from './testing/node-lab.js';

function served() {
  const { lab, server } = chainWithHttpd(programs);
  // Resolve the neighbours first, so every request takes the same 8 ms (handshake, then exchange).
  lab.exec('a', 'curl -s -o /dev/null http://10.200.2.2/', 10 * SECOND);
  return { lab, server };
}

describe('http-load', () => {
  it('prints ab’s report in virtual time and which host answered', () => {
    const { lab, server } = served();
    const run = lab.exec('a', 'http-load -n 20 -c 4 http://10.200.2.2/', 10 * SECOND);
    expect(run.stdout).toBe(
      [
        'Benchmarking 10.200.2.2 (be patient).....done',
        '',
        '',
        'Server Software:        netloom-httpd',
        'Server Hostname:        10.200.2.2',
        'Server Port:            80',
        '',
        'Document Path:          /',
        'Document Length:        66 bytes',
        '',
        'Concurrency Level:      4',
        'Time taken for tests:   0.040 seconds',
        'Complete requests:      20',
        'Failed requests:        0',
        'Total transferred:      4500 bytes',
        'HTML transferred:       1320 bytes',
        'Requests per second:    500.00 [#/sec] (mean)',
        'Time per request:       8.000 [ms] (mean)',
        'Time per request:       2.000 [ms] (mean, across all concurrent requests)',
        'Transfer rate:          109.86 [Kbytes/sec] received',
        '',
        'Served by (X-Served-By):',
        '  b                       20 (100.0%)',
        '',
      ].join('\n'),
    );
    expect(run.status).toBe(0);
    // Every request was a connection of its own: 21 log lines (the curl and the 20).
    expect(server.stdout.split('\n').filter((l) => l.includes('"GET / HTTP/1.0" 200 66'))).toHaveLength(20);
  });

  it('-k reuses connections the server keeps alive', () => {
    const { lab } = served();
    const run = lab.exec('a', 'http-load -k -n 20 -c 2 http://10.200.2.2/', 10 * SECOND);
    expect(run.stdout).toContain('\nKeep-Alive requests:    20\n');
    const variable = lab.exec('a', 'http-load -l -n 2 http://10.200.2.2/nope', 10 * SECOND);
    expect(variable.stdout).toContain('\nDocument Length:        Variable\n');
    expect(variable.stdout).toContain('\nFailed requests:        0\nNon-2xx responses:      2\n');
    // 2 handshakes side by side (4 ms), then 20 exchanges of 4 ms, 2 at a time.
    expect(run.stdout).toContain('\nTime taken for tests:   0.044 seconds\n');
  });

  it('stops at a refused connection as ab does, or counts it with -r', () => {
    const { lab } = served();
    const refused = lab.exec('a', 'http-load -n 3 http://10.200.2.2:81/', 10 * SECOND);
    expect(refused.stdout).toBe('Benchmarking 10.200.2.2 (be patient)...');
    expect(refused.stderr).toBe('apr_socket_recv: Connection refused (111)\n');
    expect(refused.status).toBe(111);
    const counted = lab.exec('a', 'http-load -r -n 3 http://10.200.2.2:81/', 10 * SECOND);
    expect(counted.stdout).toContain('\nComplete requests:      3\nFailed requests:        3\n   (Connect: 3, Receive: 0, Length: 0, Exceptions: 0)\n');
    expect(counted.status).toBe(0);
  });

  it('reports progress on stderr past 150 requests, as ab', () => {
    const { lab } = served();
    const run = lab.exec('a', 'http-load -n 200 -c 10 http://10.200.2.2/', 60 * SECOND);
    expect(run.stdout.split('\n', 1)[0]).toBe('Benchmarking 10.200.2.2 (be patient)');
    expect(run.stderr).toBe('Completed 100 requests\nFinished 200 requests\n');
    expect(run.stdout).toContain('\nComplete requests:      200\n');
  });

  it('prints the results so far on Ctrl-C', () => {
    const { lab } = served();
    const run = lab.exec('a', 'http-load -n 1000 http://10.200.2.2/');
    lab.run(80 * MS);
    run.interrupt();
    expect(run.stdout).toContain('\nComplete requests:      10\n');
    expect(run.status).toBe(0);
  });

  it('stops at a response that takes longer than -s, as ab', () => {
    const { lab } = served();
    lab.exec('b', 'nc -lk 8080'); // takes the connections, never answers
    lab.run(10 * MS);
    const start = lab.now;
    const run = lab.exec('a', 'http-load -s 2 -n 3 http://10.200.2.2:8080/', 10 * SECOND);
    expect([run.stderr, run.status, lab.now - start]).toEqual(['apr_pollset_poll: The timeout specified has expired (70007)\n', 119, 2 * SECOND + 4 * MS]);
  });

  it('refuses a concurrency above the number of requests, as ab', () => {
    const run = chain(programs).exec('a', 'http-load -n 2 -c 3 http://10.200.2.2/', SECOND);
    expect(run.stderr.split('\n')[0]).toBe('http-load: Cannot use concurrency level greater than total number of requests');
    expect(run.status).toBe(22);
  });
});
