/**
 * What the programs print when socket(2) fails with EMFILE, the process's open files limit
 * (`ulimit -n`, stack's sockets/socket-list.ts) reached: here `ulimit -n 3`, the standard streams
 * only. The expected texts are the real tools' on Linux 6.x in a network namespace, socket(2) made to
 * fail with EMFILE (`strace -f -e inject=socket:error=EMFILE`; `ulimit -n 3` stops the dynamic
 * loader first): iputils ping and arping 20221126, traceroute 2.1.2, OpenBSD nc 1.219, curl 7.88.1, ndisc6 1.0.5.
 * The programs of our own (nc -u, httpd, udpsend) print `NAME: socket: Too many open files` (udpsend
 * `EMFILE (Too many open files)`).
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { chain, SECOND, type NodeLab } from './testing/node-lab.js';

function limited(): NodeLab {
  const lab = chain(programs);
  lab.sh('a', 'ip addr add 2001:db8:1::1/64 dev vA');
  lab.sh('a', 'ulimit -n 3');
  return lab;
}

const EMFILE = 'Too many open files';

describe('programs whose socket(2) fails with EMFILE (ulimit -n 3)', () => {
  it.each([
    ['ping -c1 10.200.2.2', 2, '', `ping: socktype: SOCK_DGRAM\nping: socket: ${EMFILE}\n`],
    ['ping -6 -c1 2001:db8:1::1', 2, '', `ping: socktype: SOCK_DGRAM\nping: socket: ${EMFILE}\n`],
    // The header is out before the first probe's socket; the error starts a line of its own.
    ['traceroute -n 10.200.2.2', 1, 'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets', `\nsocket: ${EMFILE}\n`],
    ['traceroute -I -n 10.200.2.2', 1, '', `\nsocket: ${EMFILE}\n`],
    ['traceroute -6 -n 2001:db8:1::1', 1, 'traceroute to 2001:db8:1::1 (2001:db8:1::1), 30 hops max, 80 byte packets', `\nsocket: ${EMFILE}\n`],
    // OpenBSD nc: a client tries the next address silently; a listener ends with err(1, NULL).
    ['nc 10.200.2.2 9', 1, '', ''],
    ['nc -l 8080', 1, '', `nc: ${EMFILE}\n`],
    ['curl -sS http://10.200.2.2/', 7, '', "curl: (7) Failed to connect to 10.200.2.2 port 80 after 0 ms: Couldn't connect to server\n"],
    ['arping -c 1 -I vA 10.200.1.254', 2, '', `arping: socket: ${EMFILE}\n`],
    ['ndisc6 2001:db8:1::2 vA', 1, '', `Raw IPv6 socket: ${EMFILE}\n`],
    ['rdisc6 vA', 1, '', `Raw IPv6 socket: ${EMFILE}\n`],
    ['udpsend -c 1 10.200.2.2 9', 2, '', `udpsend: socket: EMFILE (${EMFILE})\n`],
    ['nc -u 10.200.2.2 9', 1, '', `nc: socket: ${EMFILE}\n`],
    ['httpd', 1, '', `httpd: socket: ${EMFILE}\n`],
  ] as const)('%s exits %i', (line, status, stdout, stderr) => {
    const run = limited().exec('a', line, 5 * SECOND);
    expect(run).toMatchObject({ status, stdout, stderr });
  });

  it('a program started before the limit was lowered keeps the limit it started with; one started after does not', () => {
    const lab = chain(programs);
    const before = lab.exec('a', 'ping -c 2 10.200.2.2', 0);
    lab.sh('a', 'ulimit -n 3');
    lab.run(3 * SECOND);
    expect(before.status).toBe(0);
    expect(lab.exec('a', 'ping -c1 10.200.2.2', SECOND).status).toBe(2);
    lab.sh('a', 'ulimit -n 1024');
    expect(lab.exec('a', 'ping -c1 10.200.2.2', SECOND).status).toBe(0);
  });
});
