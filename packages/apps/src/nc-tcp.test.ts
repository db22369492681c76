/**
 * nc's TCP mode on real nodes (testing/node-lab.ts's chain: a 10.200.1.1 — r — b 10.200.2.2, 1 ms
 * a link), with the texts OpenBSD netcat 1.219 printed in namespaces (nc -lnv, nc -zv, nc -v -w).
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { MS, SECOND, chain } from './testing/node-lab.js';

describe('nc (TCP)', () => {
  it('a listener prints what one connection sends and exits when it closes', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'nc -lv 9000');
    lab.run(10 * MS);
    const client = lab.exec('a', 'nc -v -m hi -c 2 -i 100ms 10.200.2.2 9000', 10 * SECOND);
    expect(client.stderr).toBe('Connection to 10.200.2.2 9000 port [tcp/*] succeeded!\n');
    expect(client.status).toBe(0);
    expect(server.stdout).toBe('hi\nhi\n');
    expect(server.stderr).toMatch(/^Listening on 0\.0\.0\.0 9000\nConnection received on 10\.200\.1\.1 \d+\n$/);
    expect(server.status).toBe(0);
  });

  it('prints UTF-8 text whole even when a character spans two segments', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'nc -l 9000');
    lab.run(10 * MS);
    // 1448-byte segments: the 1448th and 1449th bytes are the two of one 'é'.
    const text = `${'a'.repeat(1447)}é and ünïcode`;
    lab.exec('a', `nc -m '${text}' 10.200.2.2 9000`, 10 * SECOND);
    expect(server.stdout).toBe(`${text}\n`);
  });

  it('-k keeps listening; -e echoes and -m greets each connection', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'nc -lk -e -m welcome -p 7');
    lab.run(10 * MS);
    const first = lab.exec('a', 'nc -m one 10.200.2.2 7', 10 * SECOND);
    const second = lab.exec('a', 'nc -m two 10.200.2.2 7', 10 * SECOND);
    expect([first.stdout, first.status]).toEqual(['welcome\none\n', 0]);
    expect([second.stdout, second.status]).toEqual(['welcome\ntwo\n', 0]);
    expect(server.stdout).toBe('one\ntwo\n');
    expect(server.status).toBe(null);
    server.interrupt();
    expect(server.status).toBe(0);
  });

  it('-z scans a port range: a line per port with -v, status 0 when one accepted', () => {
    const lab = chain(programs);
    lab.exec('b', 'nc -l 80');
    lab.run(10 * MS);
    const scan = lab.exec('a', 'nc -zv 10.200.2.2 79-81', 10 * SECOND);
    expect(scan.stderr).toBe(
      'nc: connect to 10.200.2.2 port 79 (tcp) failed: Connection refused\n' +
        'Connection to 10.200.2.2 80 port [tcp/http] succeeded!\n' +
        'nc: connect to 10.200.2.2 port 81 (tcp) failed: Connection refused\n',
    );
    expect(scan.status).toBe(0);
    const quiet = lab.exec('a', 'nc -z 10.200.2.2 81', 10 * SECOND);
    expect([quiet.stderr, quiet.status]).toEqual(['', 1]);
  });

  it('-w bounds the connect to a host that does not answer', () => {
    const lab = chain(programs);
    lab.sh('r', 'ip route add blackhole 10.200.9.0/24');
    const start = lab.now;
    const run = lab.exec('a', 'nc -zv -w 2 10.200.9.9 80', 10 * SECOND);
    expect(run.stderr).toBe('nc: connect to 10.200.9.9 port 80 (tcp) timed out: Operation now in progress\n');
    expect([run.status, lab.now - start]).toEqual([1, 2 * SECOND]);
  });

  it('reports bad ports and names as OpenBSD nc does', () => {
    const lab = chain(programs);
    expect(lab.exec('a', 'nc 10.200.2.2 99999', SECOND)).toMatchObject({ stderr: 'nc: port number too large: 99999\n', status: 1 });
    expect(lab.exec('a', 'nc 10.200.2.2 1-5', SECOND)).toMatchObject({ stderr: 'nc: port range not valid\n', status: 1 });
    expect(lab.exec('a', 'nc nowhere 80', SECOND)).toMatchObject({ stderr: 'nc: getaddrinfo for host "nowhere" port 80: Name or service not known\n', status: 1 });
    expect(lab.exec('a', 'nc -l', SECOND).status).toBe(2);
  });
});
