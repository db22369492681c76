/**
 * TCP between emulated nodes (tcp-connection.ts, tcp-sockets.ts) on the stack's lab: the handshake
 * with Linux's options and windows, a 1 MB transfer across a chain of three routers (whole, in
 * order, closed on both sides), the same with seeded loss (whole, and the retransmissions equal on
 * a replay), RST from a closed port → ECONNREFUSED, the SYN back-off when the path dies → ETIMEDOUT,
 * TIME-WAIT's 60 s, simultaneous open, and a listen backlog that overflows.
 */
import { describe, expect, test } from 'vitest';
import { SECOND } from '../testing/lab.js';
import { chain, clientProgram, concat, flagText, newLog, optionText, pattern, serverProgram, tcpSegments } from './tcp-lab.js';

describe('the handshake', () => {
  test('offers mss, sackOK, TS, nop, wscale 10 with window 64240 and answers with 65160, as Linux 6.18', () => {
    const server = newLog();
    const client = newLog();
    const lab = chain(0, { server: serverProgram(server), client: clientProgram(client) });
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
    const server = newLog();
    const client = newLog();
    const lab = chain(3, { server: serverProgram(server), client: clientProgram(client) });
    lab.exec('h2', 'server 80');
    const run = lab.exec('h1', 'client 10.0.3.2 80 1000000');
    lab.runUntil(lab.now + 60 * SECOND, () => run.status !== null);
    expect(client.lines.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(concat(server.received)).toEqual(pattern(1_000_000));
    expect(server.lines).toContain('server end');
    expect(run.status).toBe(0);
    lab.run(SECOND);
    expect(lab.node('h1').parts.tcp.mib.retransSegs).toBe(0);
    // The client closed first: it waits in TIME-WAIT, the server is gone.
    expect(lab.node('h1').parts.tcp.tcpSocketSnapshot().map((s) => s.state)).toEqual(['TIME-WAIT']);
    expect(lab.node('h2').parts.tcp.tcpSocketSnapshot().map((s) => s.state)).toEqual(['LISTEN']);
  }, 120_000);
});
