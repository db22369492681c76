/**
 * nc -u on real nodes (testing/node-lab.ts): server (discard/echo) and client, per the format in
 * nc.ts, on `chain()` (a 10.200.1.1 — r — b 10.200.2.2, 1 ms a link). What a node sent is read from
 * its frames; ephemeral ports are the stack's (32768–60999, net.ipv4.ip_local_port_range).
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { MS, SECOND, chain, sentProbes } from './testing/node-lab.js';

const EPHEMERAL = /^(3276[89]|327[7-9]\d|32[89]\d\d|3[3-9]\d{3}|[45]\d{4}|60\d{3})$/;

describe('nc -u -l (server)', () => {
  it('prints each datagram and exits after -c', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'nc -u -l -p 9 -c 2 -v');
    lab.run(512 * MS);
    lab.exec('a', 'nc -u -m hello -c 1 10.200.2.2 9');
    lab.run(488 * MS);
    lab.exec('a', 'nc -u -m world -c 1 10.200.2.2 9');
    lab.runUntil(lab.now + 10 * SECOND, () => server.status !== null);
    expect(server.stdout).toBe('hello\nworld\n');
    // The first datagram waits for a's and r's neighbours (6 ms on the way), the second takes 2 ms.
    const lines = server.stderr.split('\n');
    expect(lines[0]).toBe('nc: listening on 0.0.0.0 9 (udp)');
    expect(lines.slice(1).map((l) => l.replace(/:\d+ /, ':PORT '))).toEqual([
      '0.518 recv #1 from 10.200.1.1:PORT (6 bytes)',
      '1.002 recv #2 from 10.200.1.1:PORT (6 bytes)',
      '',
    ]);
    expect(server.status).toBe(0);
    expect(sentProbes(lab, 'b', 'eth0').filter((p) => p.udpPort !== undefined)).toEqual([]);
  });

  it('echoes with -e, taking the port as an operand', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'nc -ul --echo 7');
    lab.run(2 * SECOND);
    const client = lab.exec('a', 'nc -u -m ping -c 1 10.200.2.2 7', 10 * SECOND);
    lab.run(1 * SECOND);
    server.interrupt();
    expect(server.stdout).toBe('ping\n');
    expect(server.status).toBe(0);
    expect(client.stdout).toBe('ping\n');
    const echoes = sentProbes(lab, 'b', 'eth0').filter((p) => p.udpPort !== undefined);
    expect(echoes).toHaveLength(1);
    expect(echoes[0]).toMatchObject({ source: '10.200.2.2', destination: '10.200.1.1', udpSourcePort: 7, udpPayloadLength: 5 });
    expect(String(echoes[0]?.udpPort)).toMatch(EPHEMERAL);
  });

  it('reports bind errors', () => {
    const r = chain(programs).exec('b', 'nc -u -l -s 10.9.9.9 9', SECOND);
    expect(r.stderr).toBe('nc: bind: Cannot assign requested address\n');
    expect(r.status).toBe(1);
  });
});

describe('nc -u (client)', () => {
  it('sends -m text -c times and prints what comes back', () => {
    const lab = chain(programs);
    lab.exec('b', 'nc -u -l -e 7');
    const r = lab.exec('a', 'nc -u -m hi -c 2 -i 500ms -v 10.200.2.2 7', 10 * SECOND);
    expect(r.stdout).toBe('hi\nhi\n');
    expect(r.stderr).toBe(
      '0.000 send #1 to 10.200.2.2:7: OK dev vA src 10.200.1.1\n0.008 recv from 10.200.2.2:7 (3 bytes)\n' +
        '0.500 send #2 to 10.200.2.2:7: OK dev vA src 10.200.1.1\n0.504 recv from 10.200.2.2:7 (3 bytes)\n',
    );
    const sent = sentProbes(lab, 'a', 'vA').filter((p) => p.udpPort === 7);
    expect(sent.map((p) => [p.at, p.udpPayloadLength])).toEqual([
      [2 * MS, 3], // after a's ARP for r
      [500 * MS, 3],
    ]);
    expect(String(sent[0]?.udpSourcePort)).toMatch(EPHEMERAL);
    expect(sent[1]?.udpSourcePort).toBe(sent[0]?.udpSourcePort);
    expect(lab.now).toBe(1500 * MS);
    expect(r.status).toBe(0);
  });

  it('reports a send error as netcat does and exits 1 (an unreachable route added while it sends)', () => {
    const lab = chain(programs);
    lab.exec('b', 'nc -u -l 9');
    const r = lab.exec('a', 'nc -u -m x -c 3 10.200.2.2 9');
    lab.run(500 * MS);
    lab.sh('a', 'ip route add unreachable 10.200.2.2');
    lab.runUntil(lab.now + 10 * SECOND, () => r.status !== null);
    expect(r.stderr).toBe('nc: write: No route to host\n');
    expect(r.status).toBe(1);
  });

  it('a host unreachable from the router is no error for a connected UDP socket (udp_err: not fatal without IP_RECVERR)', () => {
    // r's ARP for .99 gives up after 3 s and it answers host unreachable; Linux reports only the
    // fatal ICMP errors (port unreachable: ECONNREFUSED) to a socket without IP_RECVERR.
    const r = chain(programs).exec('a', 'nc -u -v -m x -c 6 -i 1s 10.200.2.99 9', 20 * SECOND);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(6);
    expect(r.stderr).not.toContain('write:');
    expect(r.status).toBe(0);
  });

  it('insists on host and port', () => {
    const lab = chain(programs);
    const missing = lab.exec('a', 'nc -u a', SECOND);
    expect(missing.stderr.startsWith('usage: nc -l')).toBe(true);
    expect(missing.status).toBe(2);
    expect(lab.exec('a', 'nc -u nowhere 9', SECOND).stderr).toBe('nc: getaddrinfo for host "nowhere" port 9: Name or service not known\n');
  });
});
