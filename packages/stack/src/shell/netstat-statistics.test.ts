/**
 * `netstat -s`'s Tcp: section after the same connections as Linux 6.18 made between two namespaces
 * on a veth pair (python3 sockets, net-tools 2.10): a transfer closed by the client first, a connect
 * to a closed port, a connection the server aborts with SO_LINGER {1, 0}, and one left open.
 */
import { describe, expect, it } from 'vitest';
import type { Program, TcpSocket } from '../process.js';
import { SECOND } from '../testing/lab.js';
import { chain } from '../tcp/tcp-lab.js';

const MS = SECOND / 1000;

/** Accepts three connections on port 80: reads the first to its end and closes, aborts the second, keeps the third. */
const server: Program = (ctx) => {
  const listener = ctx.tcpSocket(4) as TcpSocket;
  listener.bind('0.0.0.0', 80);
  listener.listen(5);
  let accepted = 0;
  listener.onAccept((connection) => {
    accepted++;
    if (accepted === 1) {
      connection.onData(() => {});
      connection.onEnd(() => connection.close());
    } else if (accepted === 2) {
      connection.setsockopt('SO_LINGER_ZERO', true);
      connection.close();
    }
  });
};

/** Every 500 ms: 100 bytes then close; a connect to port 81; a connection reading until it is reset; one left open. */
const client: Program = (ctx) => {
  const open = (port: number, then: (socket: TcpSocket) => void): void => {
    const socket = ctx.tcpSocket(4) as TcpSocket;
    socket.onConnect(() => then(socket));
    socket.onError((errno) => ctx.stdout(`${port} ${errno}\n`));
    socket.connect('10.0.0.2', port);
  };
  open(80, (socket) => {
    socket.send(new Uint8Array(100));
    socket.close();
  });
  ctx.setTimer(500 * MS, () => open(81, () => {}));
  ctx.setTimer(1000 * MS, () => open(80, (socket) => socket.onData(() => {})));
  ctx.setTimer(1500 * MS, () => open(80, () => {}));
};

const tcpSection = (counts: readonly number[]): string =>
  'Tcp:\n' +
  [
    'active connection openings',
    'passive connection openings',
    'failed connection attempts',
    'connection resets received',
    'connections established',
    'segments received',
    'segments sent out',
    'segments retransmitted',
    'bad segments received',
    'resets sent',
  ]
    .map((text, i) => `    ${counts[i]} ${text}\n`)
    .join('');

describe('netstat -s Tcp:', () => {
  it('counts openings, failures, resets and segments on both ends as Linux 6.18 did', () => {
    const lab = chain(0, { server, client });
    lab.exec('h2', 'server');
    const run = lab.exec('h1', 'client');
    lab.run(2 * SECOND);
    expect(run.stdout).toBe('81 ECONNREFUSED\n80 ECONNRESET\n');
    // Recorded: `netstat -s` in each namespace 2 s after the client started (its Tcp: lines).
    expect(lab.exec('h1', 'netstat -st').stdout).toBe(tcpSection([4, 0, 1, 1, 1, 7, 10, 0, 0, 0]));
    expect(lab.exec('h2', 'netstat -st').stdout).toBe(tcpSection([0, 3, 0, 1, 1, 10, 7, 0, 0, 2]));
    // Without -t: after the Ip: section (the model keeps no Icmp: counters to print between them).
    expect(lab.exec('h2', 'netstat -s').stdout).toMatch(/^Ip:\n(    .*\n)+Tcp:\n    0 active connection openings\n(.*\n){9}$/);
    expect(lab.exec('h2', 'netstat -sw').stdout).toMatch(/^Ip:\n(    .*\n)+$/);
  });
});
