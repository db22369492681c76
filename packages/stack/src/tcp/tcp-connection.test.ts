/**
 * TCP between emulated nodes (tcp-connection.ts, tcp-sockets.ts) on the stack's lab: the handshake
 * with Linux's options and windows, a 1 MB transfer across a chain of three routers (whole, in
 * order, closed on both sides), the same with seeded loss (whole, and the retransmissions equal on
 * a replay), RST from a closed port → ECONNREFUSED, the SYN back-off when the path dies → ETIMEDOUT,
 * TIME-WAIT's 60 s, simultaneous open, a listen backlog that overflows, and a server restarted over
 * its TIME-WAIT connections (accepted connections keep the listener's SO_REUSEADDR).
 */
import { describe, expect, test } from 'vitest';
import { isWireError, parseTcp, TcpFlag } from '@netloom/wire';
import type { Program, TcpSocket } from '../process.js';
import { Prng } from '../timers.js';
import { ip, MS, SECOND } from '../testing/lab.js';
import { chain, clientProgram, concat, flagText, listenerProgram, newLog, optionText, pattern, serverClientChain, serverProgram, tcpSegments } from './tcp-lab.js';

describe('the handshake', () => {
  test('offers mss, sackOK, TS, nop, wscale 10 with window 64240 and answers with 65160, as Linux 6.18', () => {
    const { lab, server, client } = serverClientChain(0);
    lab.exec('h2', 'server 80');
    lab.exec('h1', 'client 10.0.0.2 80 5');
    lab.run(2 * SECOND);
    const sent = tcpSegments(lab.transmitted);
    const [syn, synAck, ack] = sent;
    expect(flagText(syn!.tcp.flags)).toBe('S');
    expect(optionText(syn!.tcp)).toBe('mss 1460,sackOK,TS,nop,wscale 10');
    expect(syn!.tcp.window).toBe(64240);
    expect(flagText(synAck!.tcp.flags)).toBe('S.');
    expect(optionText(synAck!.tcp)).toBe('mss 1460,sackOK,TS,nop,wscale 10');
    expect(synAck!.tcp.window).toBe(65160);
    expect(synAck!.tcp.acknowledgementNumber).toBe((syn!.tcp.sequenceNumber + 1) >>> 0);
    expect(flagText(ack!.tcp.flags)).toBe('.');
    // 64240 rounded up to the scale: 63 << 10 (Linux's first ACK says win 63).
    expect(ack!.tcp.window).toBe(63);
    expect(optionText(ack!.tcp)).toBe('nop,nop,TS');
    expect(client.lines[0]).toMatch(/^connected/);
    expect(server.lines).toContain('accept 10.0.0.1:' + String(syn!.tcp.sourcePort));
    expect(syn!.tcp.sourcePort % 2).toBe(0);
    expect(concat(server.received)).toEqual(pattern(5));
  });
});

describe('transfer', () => {
  test('1 MB crosses three routers whole and in order, and both sides close', () => {
    const { lab, server, client } = serverClientChain(3);
    lab.exec('h2', 'server 80');
    const run = lab.exec('h1', 'client 10.0.3.2 80 1000000');
    lab.runUntil(lab.now + 60 * SECOND, () => run.status !== null);
    expect(client.lines.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(sameBytes(concat(server.received), pattern(1_000_000))).toBe(true);
    expect(server.lines).toContain('server end');
    expect(run.status).toBe(0);
    lab.run(SECOND);
    expect(lab.node('h1').parts.tcp.mib.retransSegs).toBe(0);
    // The client closed first: it waits in TIME-WAIT, the server is gone.
    expect(lab.node('h1').parts.tcp.tcpSocketSnapshot().map((s) => s.state)).toEqual(['TIME-WAIT']);
    expect(lab.node('h2').parts.tcp.tcpSocketSnapshot().map((s) => s.state)).toEqual(['LISTEN']);
  }, 120_000);
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Drops forwarded IPv4 frames at `router` with probability `loss`, drawn from a generator of its own seed. */
function lossyRouter(lab: ReturnType<typeof chain>, router: string, loss: number, seed: number): { dropped: number } {
  const prng = new Prng(seed);
  const count = { dropped: 0 };
  lab.node(router).netfilter.register({
    hook: 'forward',
    family: 4,
    priority: 0,
    fn: () => {
      if (prng.nextUint32() / 2 ** 32 >= loss) return 'accept';
      count.dropped++;
      return { drop: 'rateLimited', detail: 'test loss' };
    },
  });
  return count;
}

function lossyTransfer(seed: number): { whole: boolean; retransmissions: number; dropped: number; end: number } {
  const server = newLog();
  const client = newLog();
  const lab = chain(3, { server: serverProgram(server), client: clientProgram(client) });
  const loss = lossyRouter(lab, 'r2', 0.02, seed);
  lab.exec('h2', 'server 80');
  const run = lab.exec('h1', 'client 10.0.3.2 80 300000');
  lab.runUntil(lab.now + 300 * SECOND, () => run.status !== null);
  const received = concat(server.received);
  const expected = pattern(300_000);
  const whole = sameBytes(received, expected);
  const retransmissions = lab.node('h1').parts.tcp.mib.retransSegs + lab.node('h2').parts.tcp.mib.retransSegs;
  return { whole, retransmissions, dropped: loss.dropped, end: lab.now };
}

describe('loss', () => {
  test('with 2% of the frames lost at a router the data still arrives whole, and a replay of the seed retransmits as often', () => {
    const first = lossyTransfer(7);
    const again = lossyTransfer(7);
    expect(first.whole).toBe(true);
    expect(first.dropped).toBeGreaterThan(0);
    expect(first.retransmissions).toBeGreaterThanOrEqual(first.dropped > 0 ? 1 : 0);
    expect(again).toEqual(first);
    const other = lossyTransfer(8);
    expect(other.whole).toBe(true);
    // Three transfers of 300 kB at every NETLOOM_TEST_SCALE, 0.3-0.4 s in all: vitest's default timeout.
  });
});

describe('errors', () => {
  test('a SYN to a port nobody listens on is answered with RST: ECONNREFUSED', () => {
    const client = newLog();
    const lab = chain(1, { client: clientProgram(client) });
    lab.exec('h1', 'client 10.0.1.2 81 0', 5 * SECOND);
    expect(client.lines).toEqual([expect.stringMatching(/^error ECONNREFUSED/)]);
    const rst = tcpSegments(lab.sent('h2'));
    expect(rst.map((s) => flagText(s.tcp.flags))).toEqual(['R.']);
    expect(rst[0]!.tcp.sequenceNumber).toBe(0);
    expect(lab.exec('h1', 'nstat -a Tcp*').stdout).toBe(
      ['#kernel', 'TcpActiveOpens                  1                  0.0', 'TcpAttemptFails                 1                  0.0', 'TcpInSegs                       1                  0.0', 'TcpOutSegs                      1                  0.0', ''].join('\n'),
    );
    expect(lab.exec('h2', 'nstat -a Tcp*').stdout).toBe(
      ['#kernel', 'TcpInSegs                       1                  0.0', 'TcpOutSegs                      1                  0.0', 'TcpOutRsts                      1                  0.0', ''].join('\n'),
    );
  });

  test('when the path dies the SYN goes at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s and connect fails with ETIMEDOUT at 131 s, as Linux 6.18', () => {
    const client = newLog();
    const lab = chain(1, { client: clientProgram(client) });
    lab.node('r1').netfilter.register({ hook: 'forward', family: 4, priority: 0, fn: () => ({ drop: 'blackhole' }) });
    const start = lab.now;
    lab.exec('h1', 'client 10.0.1.2 80 0', 200 * SECOND);
    const syns = tcpSegments(lab.sent('h1')).filter((s) => s.tcp.flags === TcpFlag.syn);
    // The first SYN waits 2 ms for ARP to resolve r1; the timer counts from connect().
    expect(syns.map((s) => (s.at - start) / SECOND)).toEqual([0.002, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
    expect(client.lines).toEqual([`error ETIMEDOUT ${start + 131 * SECOND}`]);
  });
});

describe('closing', () => {
  test('the side that closes first stays in TIME-WAIT for 60 s', () => {
    const { lab, server, client } = serverClientChain(0);
    lab.exec('h2', 'server 80');
    const run = lab.exec('h1', 'client 10.0.0.2 80 1000', 10 * SECOND);
    expect(run.status).toBe(0);
    lab.run(SECOND);
    // The client's last segment ACKs the server's FIN: TIME-WAIT began then.
    const last = tcpSegments(lab.sent('h1')).at(-1)!;
    expect(flagText(last.tcp.flags)).toBe('.');
    const states = (): string[] => lab.node('h1').parts.tcp.tcpSocketSnapshot().map((s) => s.state);
    lab.runUntil(last.at + 60 * SECOND - MS);
    expect(states()).toEqual(['TIME-WAIT']);
    lab.runUntil(last.at + 60 * SECOND + MS);
    expect(states()).toEqual([]);
  });
});

describe('opening', () => {
  test('simultaneous open: two SYNs cross, both sides pass SYN-RECV and connect', () => {
    const log: string[] = [];
    const peer = (port: number, remote: string, remotePort: number): Program => (ctx) => {
      const socket = ctx.tcpSocket(4) as TcpSocket;
      socket.bind('0.0.0.0', port);
      socket.onConnect(() => log.push(`${ctx.hostname} connected ${socket.state()}`));
      socket.onError((errno) => log.push(`${ctx.hostname} ${errno}`));
      socket.connect(remote, remotePort);
    };
    const lab = chain(0, { a: peer(5001, '10.0.0.2', 5002), b: peer(5002, '10.0.0.1', 5001) });
    lab.exec('h1', 'a');
    lab.exec('h2', 'b');
    lab.run(5 * SECOND);
    expect(log.sort()).toEqual(['h1 connected ESTAB', 'h2 connected ESTAB']);
    const h1 = tcpSegments(lab.sent('h1')).map((s) => flagText(s.tcp.flags));
    expect(h1.slice(0, 2)).toEqual(['S', 'S.']);
  });

  test('a listener that does not accept keeps backlog + 1 connections; later SYNs are dropped and retried', () => {
    const server = newLog();
    const clients = newLog();
    const lab = chain(0, { server: serverProgram(server), client: clientProgram(clients) });
    lab.exec('h2', 'server 80 1 noaccept');
    for (let i = 0; i < 4; i++) lab.exec('h1', 'client 10.0.0.2 80 0');
    lab.run(3 * SECOND);
    const listener = lab.node('h2').parts.tcp.tcpSocketSnapshot().find((s) => s.state === 'LISTEN')!;
    expect([listener.recvQ, listener.sendQ]).toEqual([2, 1]);
    expect(clients.lines.filter((l) => l.startsWith('connected'))).toHaveLength(2);
    // The two accepted clients sent nothing and shut down at once: their FIN is ACKed, no FIN comes back.
    const states = lab.node('h1').parts.tcp.tcpSocketSnapshot().map((s) => s.state).sort();
    expect(states).toEqual(['FIN-WAIT-2', 'FIN-WAIT-2', 'SYN-SENT', 'SYN-SENT']);
    expect(lab.node('h2').parts.tcp.mib.listenOverflows).toBeGreaterThan(0);
  });
});

describe('IPv6', () => {
  test('a connection over IPv6: the SYN offers mss 1440, 100 kB arrive whole, both sides close', () => {
    const { lab, server, client } = serverClientChain(0);
    lab.exec('h1', 'ip -6 addr add 2001:db8::1/64 dev eth1 nodad');
    lab.exec('h2', 'ip -6 addr add 2001:db8::2/64 dev eth0 nodad');
    lab.exec('h2', 'server 80 128 accept 6');
    const run = lab.exec('h1', 'client 2001:db8::2 80 100000 6', 30 * SECOND);
    expect(client.lines.filter((l) => !l.startsWith('connected') && !l.startsWith('client end'))).toEqual([]);
    expect(run.status).toBe(0);
    expect(sameBytes(concat(server.received), pattern(100_000))).toBe(true);
    expect(server.lines).toEqual(['listen ok', 'accept 2001:db8::1:' + String(client.sockets[0]!.localAddress()!.port), 'server end']);
    const h1 = lab.node('h1').parts.tcp.tcpSocketSnapshot();
    expect(h1.map((s) => [s.family, s.state, s.local.address, s.remote.address])).toEqual([[6, 'TIME-WAIT', '2001:db8::1', '2001:db8::2']]);
    // The SYN: IPv6 (EtherType 0x86dd, next header 6) with MSS 1500 - 60.
    const syn = lab.sent('h1').map((f) => f.frame).find((f) => f[12] === 0x86 && f[13] === 0xdd && f[14 + 6] === 6)!;
    const tcp = parseTcp(syn.subarray(14 + 40), { family: 6, source: syn.subarray(22, 38), destination: syn.subarray(38, 54) });
    expect(isWireError(tcp) ? tcp.error : optionText(tcp)).toBe('mss 1440,sackOK,TS,nop,wscale 10');
  });
});

describe('ICMP errors', () => {
  test('over IPv6 too: connect to an on-link address nobody answers NDP for fails with EHOSTUNREACH (ICMPv6 address unreachable)', () => {
    const client = newLog();
    const lab = chain(0, { client: clientProgram(client) });
    lab.exec('h1', 'ip -6 addr add 2001:db8::1/64 dev eth1 nodad');
    const start = lab.now;
    lab.exec('h1', 'client 2001:db8::99 80 0 6', 10 * SECOND);
    expect(client.lines).toHaveLength(1);
    const [, errno, at] = client.lines[0]!.split(' ');
    expect(errno).toBe('EHOSTUNREACH');
    expect((Number(at) - start) / SECOND).toBeGreaterThan(2.9);
    expect((Number(at) - start) / SECOND).toBeLessThan(3.5);
  });

  test('connect to an on-link address nobody answers ARP for fails with EHOSTUNREACH when the neighbour fails (about 3 s)', () => {
    const client = newLog();
    const lab = chain(0, { client: clientProgram(client) });
    const start = lab.now;
    lab.exec('h1', 'client 10.0.0.99 80 0', 10 * SECOND);
    expect(client.lines).toHaveLength(1);
    const [, errno, at] = client.lines[0]!.split(' ');
    expect(errno).toBe('EHOSTUNREACH');
    expect((Number(at) - start) / SECOND).toBeGreaterThan(2.9);
    expect((Number(at) - start) / SECOND).toBeLessThan(3.5);
  });
});

describe('idle and stalled connections', () => {
  test('a receiver that does not read closes its window; the sender probes with back-off and resumes when it reads', () => {
    const received: Uint8Array[] = [];
    let connection: TcpSocket | null = null;
    const lazyServer = listenerProgram(80, (c) => {
      connection = c;
    });
    const client = newLog();
    const lab = chain(0, { lazy: lazyServer, client: clientProgram(client) });
    lab.exec('h2', 'lazy');
    const run = lab.exec('h1', 'client 10.0.0.2 80 400000');
    lab.run(10 * SECOND);
    const server = lab.node('h2').parts.tcp.tcpSocketSnapshot().find((s) => s.state === 'ESTAB')!;
    // Nothing read: the receive queue holds what the window let in.
    expect(server.recvQ).toBeGreaterThan(60_000);
    // The window closed (the last ACK says 0); the sender's zero-window probes are bare ACKs one below
    // what was acknowledged, each answered, the gaps doubling.
    const acks = tcpSegments(lab.sent('h2'));
    expect(acks.at(-1)!.tcp.window).toBe(0);
    const acknowledged = acks.at(-1)!.tcp.acknowledgementNumber;
    const probes = tcpSegments(lab.sent('h1')).filter((s) => s.tcp.payload.length === 0 && s.tcp.sequenceNumber === ((acknowledged - 1) >>> 0));
    const gaps = probes.slice(1).map((p, i) => Math.round((p.at - probes[i]!.at) / MS));
    expect(probes.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBe(2 * gaps[i - 1]!);
    const reader = connection! as TcpSocket;
    reader.onData((d) => received.push(d));
    reader.onEnd(() => reader.close());
    lab.runUntil(lab.now + 60 * SECOND, () => run.status !== null);
    expect(run.status).toBe(0);
    expect(sameBytes(concat(received), pattern(400_000))).toBe(true);
  });

  test('SO_KEEPALIVE probes an idle connection and ends it with ETIMEDOUT when the probes go unanswered', () => {
    const log: string[] = [];
    const keeper: Program = (ctx) => {
      const socket = ctx.tcpSocket(4) as TcpSocket;
      socket.setsockopt('SO_KEEPALIVE', true);
      socket.onConnect(() => log.push(`connected ${ctx.now()}`));
      socket.onError((errno) => log.push(`${errno} ${ctx.now()}`));
      socket.connect('10.0.1.2', 80);
    };
    const server = newLog();
    const lab = chain(1, { keeper, server: serverProgram(server) });
    for (const [key, value] of [['tcp_keepalive_time', 10], ['tcp_keepalive_intvl', 2], ['tcp_keepalive_probes', 3]] as const) lab.sysctl('h1', `net.ipv4.${key}`, value);
    lab.exec('h2', 'server 80');
    lab.exec('h1', 'keeper');
    lab.run(SECOND);
    expect(log).toHaveLength(1);
    // The handshake's last segment from the server arrived then: idle counts from it.
    const lastHeard = Math.max(...lab.sent('h2').map((f) => f.at)) + 2 * MS;
    lab.node('r1').netfilter.register({ hook: 'forward', family: 4, priority: 0, fn: () => ({ drop: 'blackhole' }) });
    lab.run(60 * SECOND);
    const probes = tcpSegments(lab.sent('h1')).filter((s) => s.tcp.payload.length === 0 && s.at > lastHeard + SECOND);
    expect(probes.map((p) => (p.at - lastHeard) / SECOND)).toEqual([10, 12, 14]);
    expect(log[1]).toBe(`ETIMEDOUT ${lastHeard + 16 * SECOND}`);
  });
});

describe('aborts', () => {
  test('closing with unread data sends RST: the peer gets ECONNRESET', () => {
    const log: string[] = [];
    // Accepts, reads nothing, closes a second later.
    const closer = listenerProgram(80, (c, ctx) => ctx.setTimer(SECOND, () => c.close()));
    const talker: Program = (ctx) => {
      const socket = ctx.tcpSocket(4) as TcpSocket;
      socket.onConnect(() => log.push(`sent ${socket.send(pattern(10)).ok}`));
      socket.onError((errno) => log.push(errno));
      socket.connect('10.0.0.2', 80);
    };
    const lab = chain(0, { closer, talker });
    lab.exec('h2', 'closer');
    lab.exec('h1', 'talker');
    lab.run(3 * SECOND);
    expect(log).toEqual(['sent true', 'ECONNRESET']);
    const fromServer = tcpSegments(lab.sent('h2')).map((s) => flagText(s.tcp.flags));
    expect(fromServer.at(-1)).toBe('R.');
    expect(fromServer).not.toContain('F.');
    expect(lab.node('h2').parts.tcp.mib.outRsts).toBe(1);
    expect(lab.node('h1').parts.tcp.mib.estabResets).toBe(1);
  });
});

describe('path MTU', () => {
  test('a router that needs fragmentation answers with frag-needed: the sender lowers its MSS and the data arrives whole', () => {
    const { lab, server, client } = serverClientChain(1);
    lab.exec('r1', 'ip link set eth1 mtu 1400');
    lab.exec('h2', 'server 80');
    const run = lab.exec('h1', 'client 10.0.1.2 80 100000', 30 * SECOND);
    expect(run.status).toBe(0);
    expect(sameBytes(concat(server.received), pattern(100_000))).toBe(true);
    const sizes = new Set(tcpSegments(lab.sent('r1', 'eth1')).map((s) => s.tcp.payload.length));
    // 1400 - 20 - 20 - 12 bytes of timestamps: 1348 per segment after the first frag-needed.
    expect(Math.max(...sizes)).toBe(1348);
  });

  test('over IPv6 a packet too big lowers the MSS and leaves a route exception (tcp_v6_mtu_reduced)', () => {
    const { lab, server, client } = serverClientChain(1);
    for (const [node, line] of [
      ['h1', 'ip -6 addr add 2001:db8::1/64 dev eth1 nodad'],
      ['r1', 'ip -6 addr add 2001:db8::2/64 dev eth0 nodad'],
      ['r1', 'ip -6 addr add 2001:db8:1::1/64 dev eth1 nodad'],
      ['h2', 'ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad'],
      ['r1', 'sysctl -w net.ipv6.conf.all.forwarding=1'],
      ['h1', 'ip -6 route add default via 2001:db8::2'],
      ['h2', 'ip -6 route add default via 2001:db8:1::1'],
      ['r1', 'ip link set eth1 mtu 1400'],
    ] as const)
      lab.exec(node, line);
    lab.exec('h2', 'server 80 128 accept 6');
    const run = lab.exec('h1', 'client 2001:db8:1::2 80 100000 6', 30 * SECOND);
    expect(client.lines.filter((l) => !l.startsWith('connected') && !l.startsWith('client end'))).toEqual([]);
    expect(run.status).toBe(0);
    expect(sameBytes(concat(server.received), pattern(100_000))).toBe(true);
    // TCP payloads r1 forwarded: 1400 - 40 - 20 - 12 bytes of timestamps once the packet too big came.
    const payloads = lab
      .sent('r1', 'eth1')
      .map((f) => f.frame)
      .filter((f) => f[12] === 0x86 && f[13] === 0xdd && f[14 + 6] === 6)
      .map((f) => (((f[18] ?? 0) << 8) | (f[19] ?? 0)) - ((f[14 + 40 + 12] ?? 0) >> 4) * 4);
    expect(Math.max(...payloads)).toBe(1328);
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toMatch(/^2001:db8:1::2 via 2001:db8::2 dev eth1 metric 1024 expires 5\d\dsec mtu 1400 pref medium\n$/);
  });
});

describe('simultaneous close and lost handshakes', () => {
  test('both sides close at once: FINs cross, both pass CLOSING and wait in TIME-WAIT', () => {
    const log: string[] = [];
    const states: string[] = [];
    const sockets: TcpSocket[] = [];
    const acceptor = listenerProgram(80, (c) => {
      sockets.push(c);
      c.onEnd(() => log.push(`h2 end ${c.state()}`));
    });
    const opener: Program = (ctx) => {
      const socket = ctx.tcpSocket(4) as TcpSocket;
      socket.onConnect(() => sockets.push(socket));
      socket.onEnd(() => log.push(`h1 end ${socket.state()}`));
      socket.connect('10.0.0.2', 80);
    };
    const lab = chain(0, { acceptor, opener });
    lab.exec('h2', 'acceptor');
    lab.exec('h1', 'opener');
    lab.run(SECOND);
    expect(sockets).toHaveLength(2);
    // The same instant on both nodes: each FIN is sent before the other arrives.
    for (const socket of sockets) socket.shutdown();
    states.push(...sockets.map((s) => s.state()));
    lab.run(SECOND);
    expect(states).toEqual(['FIN-WAIT-1', 'FIN-WAIT-1']);
    expect(log.sort()).toEqual(['h1 end CLOSING', 'h2 end CLOSING']);
    expect(sockets.map((s) => s.state())).toEqual(['TIME-WAIT', 'TIME-WAIT']);
  });

  test('a lost final ACK: the server sends its SYN-ACK again after 1 s, the client ACKs it and the server accepts', () => {
    const server = newLog();
    const holder: Program = (ctx) => {
      const socket = ctx.tcpSocket(4) as TcpSocket;
      socket.connect('10.0.1.2', 80);
    };
    const lab = chain(1, { server: serverProgram(server), holder });
    // r1 drops the first bare ACK going to the server (the handshake's third segment).
    let dropped = 0;
    lab.node('r1').netfilter.register({
      hook: 'forward',
      family: 4,
      priority: 0,
      fn: (p) => {
        if (dropped === 0 && p.header.destination === ip('10.0.1.2') && p.bytes[20 + 13] === TcpFlag.ack) {
          dropped++;
          return { drop: 'rateLimited', detail: 'test loss' };
        }
        return 'accept';
      },
    });
    lab.exec('h2', 'server 80');
    lab.exec('h1', 'holder');
    lab.run(500 * MS);
    expect(dropped).toBe(1);
    expect(server.lines).toEqual(['listen ok']);
    expect(lab.node('h2').parts.tcp.tcpSocketSnapshot().map((s) => s.state)).toEqual(['LISTEN', 'SYN-RECV']);
    lab.run(2 * SECOND);
    const synAcks = tcpSegments(lab.sent('h2')).filter((s) => s.tcp.flags === (TcpFlag.syn | TcpFlag.ack));
    expect(synAcks).toHaveLength(2);
    expect((synAcks[1]!.at - synAcks[0]!.at) / SECOND).toBe(1);
    expect(server.lines).toEqual(['listen ok', expect.stringMatching(/^accept 10\.0\.0\.1:/)]);
    expect(lab.node('h2').parts.tcp.mib.passiveOpens).toBe(1);
  });
});

describe('TIME-WAIT', () => {
  test('connect() from a bound port whose pair is in TIME-WAIT takes the pair over (timestamps in use), its ISN past the old sequence space, as Linux 6.18 does', () => {
    const server = newLog();
    const reuser: Program = (ctx) => {
      // Connects from port 40000 and closes first (so this side waits in TIME-WAIT), then connects again from it.
      const open = (then: () => void): void => {
        const socket = ctx.tcpSocket(4) as TcpSocket;
        socket.setsockopt('SO_REUSEADDR', true);
        socket.bind('0.0.0.0', 40000);
        socket.onConnect(() => {
          ctx.stdout(`connected\n`);
          socket.shutdown();
        });
        socket.onEnd(() => {
          ctx.stdout(`end ${socket.state()}\n`);
          socket.close();
          then();
        });
        socket.onError((errno) => ctx.stdout(`${errno}\n`));
        const r = socket.connect('10.0.0.2', 80);
        if (!r.ok) ctx.stdout(`connect ${r.errno}\n`);
      };
      open(() => ctx.setTimer(SECOND, () => open(() => ctx.exit(0))));
    };
    const lab = chain(0, { server: serverProgram(server), reuser });
    lab.exec('h2', 'server 80');
    const run = lab.exec('h1', 'reuser', 10 * SECOND);
    expect(run.stdout).toBe('connected\nend TIME-WAIT\nconnected\nend TIME-WAIT\n');
    const syns = tcpSegments(lab.sent('h1')).filter((x) => x.tcp.flags === TcpFlag.syn);
    const firstEnd = tcpSegments(lab.sent('h1')).filter((x) => x.at < syns[1]!.at).at(-1)!.tcp.sequenceNumber;
    expect(syns[1]!.tcp.sequenceNumber).toBe((firstEnd + 65537) >>> 0);
    expect(server.lines.filter((l) => l.startsWith('accept'))).toEqual(['accept 10.0.0.1:40000', 'accept 10.0.0.1:40000']);
  });
});

describe('a server restarted over its TIME-WAIT connections', () => {
  // `restart OLD NEW`: listens on 80 with SO_REUSEADDR when OLD is 1, accepts one connection and closes it
  // first (so the server's side waits in TIME-WAIT), closes the listener, then binds 80 again with
  // SO_REUSEADDR when NEW is 1. Linux 6.18 (python3 in a namespace): bound only for 1 1, else EADDRINUSE.
  const restart: Program = (ctx) => {
    const [, old = '1', again = '1'] = ctx.argv;
    const listener = ctx.tcpSocket(4) as TcpSocket;
    if (old === '1') listener.setsockopt('SO_REUSEADDR', true);
    listener.bind('0.0.0.0', 80);
    listener.listen(5);
    listener.onAccept((connection) => {
      connection.close();
      listener.close();
      ctx.setTimer(SECOND, () => {
        const next = ctx.tcpSocket(4) as TcpSocket;
        if (again === '1') next.setsockopt('SO_REUSEADDR', true);
        const bound = next.bind('0.0.0.0', 80);
        ctx.stdout(`bind ${bound.ok ? 'ok' : bound.errno}\n`);
        ctx.exit(0);
      });
    });
  };
  test.each([
    ['1', '1', 'bind ok'],
    ['0', '1', 'bind EADDRINUSE'],
    ['1', '0', 'bind EADDRINUSE'],
    ['0', '0', 'bind EADDRINUSE'],
  ])('old SO_REUSEADDR %s, new %s: %s (the accepted connection keeps the listener\'s SO_REUSEADDR)', (old, again, outcome) => {
    const lab = chain(0, { restart, client: clientProgram(newLog()) });
    const server = lab.exec('h2', `restart ${old} ${again}`);
    lab.exec('h1', 'client 10.0.0.2 80 0');
    lab.runUntil(lab.now + 5 * SECOND, () => server.status !== null);
    expect(lab.node('h2').parts.tcp.tcpSocketSnapshot().map((s) => s.state)).toEqual(['TIME-WAIT']);
    expect(server.stdout).toBe(`${outcome}\n`);
  });
});
