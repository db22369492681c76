/**
 * nc sends its standard input (`nc HOST PORT < FILE`, `<<<`) on real nodes (testing/node-lab.ts's
 * chain: a 10.200.1.1 — r — b 10.200.2.2): over TCP whole, then its side shut down; over UDP a
 * datagram per 16 KiB read; -m's text in its place when given; nothing from an empty input.
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { MS, SECOND, chain } from './testing/node-lab.js';

describe('nc with standard input', () => {
  it('a TCP client sends the file as it is and ends as at the end of stdin', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'nc -l 9000');
    lab.run(10 * MS);
    lab.sh('a', `echo 'GET / HTTP/1.0' > request`);
    lab.sh('a', 'echo >> request');
    const client = lab.exec('a', 'nc 10.200.2.2 9000 < request', 10 * SECOND);
    expect(client).toMatchObject({ stdout: '', stderr: '', status: 0 });
    expect(server).toMatchObject({ stdout: 'GET / HTTP/1.0\n\n', status: 0 });
  });

  it('more than the send queue holds arrives whole over TCP', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'nc -l 9000');
    lab.run(10 * MS);
    const line = 'x'.repeat(1023);
    for (let i = 0; i < 1536; i++) lab.sh('a', `echo ${line} >> big`);
    const client = lab.exec('a', 'nc 10.200.2.2 9000 < big', 60 * SECOND);
    expect(client.status).toBe(0);
    expect(server.status).toBe(0);
    expect(server.stdout.length).toBe(1536 * 1024);
    expect(server.stdout).toBe(`${line}\n`.repeat(1536));
  });

  it('a UDP client sends a datagram per 16 KiB, and -m wins over standard input', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'nc -u -l -p 9 -v');
    lab.run(10 * MS);
    lab.sh('a', `echo ${'y'.repeat(19999)} > query`);
    expect(lab.exec('a', 'nc -u 10.200.2.2 9 < query', 10 * SECOND)).toMatchObject({ stderr: '', status: 0 });
    expect(lab.exec('a', `nc -u 10.200.2.2 9 <<< 'short one'`, 10 * SECOND).status).toBe(0);
    expect(lab.exec('a', 'nc -u -m text 10.200.2.2 9 < query', 10 * SECOND).status).toBe(0);
    server.interrupt();
    expect(server.stderr.split('\n').slice(1).map((l) => l.replace(/^\d+\.\d+ /, '').replace(/:\d+ /, ':PORT '))).toEqual([
      'recv #1 from 10.200.1.1:PORT (16384 bytes)',
      'recv #2 from 10.200.1.1:PORT (3616 bytes)',
      'recv #3 from 10.200.1.1:PORT (10 bytes)',
      'recv #4 from 10.200.1.1:PORT (5 bytes)',
      '',
    ]);
    expect(server.stdout).toBe(`${'y'.repeat(16384)}\n${'y'.repeat(3615)}\nshort one\ntext\n`);
  });

  it('an empty input sends nothing: the UDP client exits after its wait, the TCP one ends at once', () => {
    const lab = chain(programs);
    const udpServer = lab.exec('b', 'nc -u -l -p 9 -v');
    const tcpServer = lab.exec('b', 'nc -l 9000');
    lab.run(10 * MS);
    expect(lab.exec('a', 'nc -u 10.200.2.2 9 < /dev/null', 10 * SECOND)).toMatchObject({ stdout: '', stderr: '', status: 0 });
    expect(lab.exec('a', 'nc 10.200.2.2 9000 < /dev/null', 10 * SECOND)).toMatchObject({ stdout: '', stderr: '', status: 0 });
    expect(tcpServer).toMatchObject({ stdout: '', status: 0 });
    udpServer.interrupt();
    expect(udpServer.stderr).toBe('nc: listening on 0.0.0.0 9 (udp)\n');
  });
});
