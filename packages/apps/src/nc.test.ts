/** nc -u on the fake context: server (discard/echo) and client, per the format in nc.ts. */
import { describe, expect, it } from 'vitest';
import { nc } from './nc.js';
import { MS, SECOND, runProgram, type FakeWorld } from './testing/fake-context.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function host(extra: Partial<FakeWorld> = {}): FakeWorld {
  return {
    interfaces: [
      { name: 'lo', index: 1, addresses: ['127.0.0.1'] },
      { name: 'eth0', index: 2, addresses: ['10.0.0.2'] },
    ],
    hosts: { server: '10.0.0.2' },
    ...extra,
  };
}

describe('nc -u -l (server)', () => {
  it('prints each datagram and exits after -c', () => {
    const r = runProgram(nc, ['nc', '-u', '-l', '-p', '9', '-c', '2', '-v'], host({
      udpArrivals: [
        { at: 512 * MS, port: 9, from: { address: '10.0.0.1', port: 40001 }, data: text('hello\n') },
        { at: 1 * SECOND, port: 9, from: { address: '10.0.0.1', port: 40001 }, data: text('world') },
      ],
    }));
    expect(r.stdout).toBe('hello\nworld\n');
    expect(r.stderr).toBe(
      'nc: listening on 0.0.0.0 9 (udp)\n0.512 recv #1 from 10.0.0.1:40001 (6 bytes)\n1.000 recv #2 from 10.0.0.1:40001 (5 bytes)\n',
    );
    expect(r.status).toBe(0);
    expect(r.udpSent).toEqual([]);
  });

  it('echoes with -e, taking the port as an operand', () => {
    const r = runProgram(nc, ['nc', '-ul', '--echo', '7'], host({
      udpArrivals: [{ at: 2 * SECOND, port: 7, from: { address: '10.0.0.1', port: 40001 }, data: text('ping\n') }],
    }), { interruptAt: 3 * SECOND });
    expect(r.stdout).toBe('ping\n');
    expect(r.udpSent.map((a) => [a.to, a.bytes, a.at])).toEqual([[{ address: '10.0.0.1', port: 40001 }, 5, 2 * SECOND]]);
    expect(r.status).toBe(0);
  });

  it('reports bind errors', () => {
    const r = runProgram(nc, ['nc', '-u', '-l', '-s', '10.9.9.9', '9'], host());
    expect(r.stderr).toBe('nc: bind: Cannot assign requested address\n');
    expect(r.status).toBe(1);
  });
});

describe('nc -u (client)', () => {
  it('sends -m text -c times and prints what comes back', () => {
    const r = runProgram(nc, ['nc', '-u', '-m', 'hi', '-c', '2', '-i', '500ms', '-v', 'server', '7'], host({
      udpArrivals: [{ at: 1 * MS, port: 40000, from: { address: '10.0.0.2', port: 7 }, data: text('hi\n') }],
    }));
    expect(r.stdout).toBe('hi\n');
    expect(r.stderr).toBe(
      '0.000 send #1 to 10.0.0.2:7: OK dev eth0 src 10.0.0.2\n0.001 recv from 10.0.0.2:7 (3 bytes)\n0.500 send #2 to 10.0.0.2:7: OK dev eth0 src 10.0.0.2\n',
    );
    expect(r.udpSent.map((a) => [a.at, a.bytes, a.connected])).toEqual([
      [0, 3, { address: '10.0.0.2', port: 7 }],
      [500 * MS, 3, { address: '10.0.0.2', port: 7 }],
    ]);
    expect(r.endedAt).toBe(1500 * MS);
    expect(r.status).toBe(0);
  });

  it('reports a send error as netcat does and exits 1', () => {
    const r = runProgram(nc, ['nc', '-u', '10.0.0.9', '9'], host({ udpSend: () => ({ ok: false, errno: 'EHOSTUNREACH' }) }));
    expect(r.stderr).toBe('nc: write: No route to host\n');
    expect(r.status).toBe(1);
  });

  it('insists on -u and on host and port', () => {
    expect(runProgram(nc, ['nc', '-l', '9'], host()).stderr).toBe('nc: only UDP is modelled (TCP is not): use -u\n');
    const missing = runProgram(nc, ['nc', '-u', 'server'], host());
    expect(missing.stderr.startsWith('usage: nc -u -l')).toBe(true);
    expect(missing.status).toBe(2);
    expect(runProgram(nc, ['nc', '-u', 'nowhere', '9'], host()).stderr).toBe('nc: getaddrinfo for host "nowhere" port 9: Name or service not known\n');
  });
});
