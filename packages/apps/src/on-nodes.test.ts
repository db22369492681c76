/**
 * The programs together on real nodes: testing/node-lab.ts's chain, a — r — b as in the namespace
 * runs (a's vA 10.200.1.1/24, r 10.200.1.254 / 10.200.2.254, b 10.200.2.2/24), 1 ms a link. Times
 * are virtual, so the outputs are exact.
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { MS, SECOND, chain } from './testing/node-lab.js';

describe('ping on real nodes', () => {
  it('pings across a router', () => {
    const lab = chain(programs);
    const run = lab.exec('a', 'ping -c 3 10.200.2.2', 10 * SECOND);
    expect(run.stdout).toBe(
      [
        'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.',
        // The first echo waits for two ARP exchanges (a→r, r→b): 2 ms each, on top of 4 ms.
        '64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=8.00 ms',
        '64 bytes from 10.200.2.2: icmp_seq=2 ttl=63 time=4.00 ms',
        '64 bytes from 10.200.2.2: icmp_seq=3 ttl=63 time=4.00 ms',
        '',
        '--- 10.200.2.2 ping statistics ---',
        '3 packets transmitted, 3 received, 0% packet loss, time 2000ms',
        'rtt min/avg/max/mdev = 4.000/5.333/8.000/1.885 ms',
        '',
      ].join('\n'),
    );
    expect(run.status).toBe(0);
  });

  it('reports the router’s host unreachable after its ARP gives up', () => {
    const lab = chain(programs);
    const run = lab.exec('a', 'ping -c 2 10.200.2.99', 30 * SECOND);
    expect(run.stdout).toMatch(/^PING 10\.200\.2\.99 \(10\.200\.2\.99\) 56\(84\) bytes of data\.\nFrom 10\.200\.1\.254 icmp_seq=1 Destination Host Unreachable\n/);
    expect(run.stdout).toContain('2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms');
    expect(run.status).toBe(1);
  });

  it('reports time exceeded for -t 1', () => {
    const lab = chain(programs);
    const run = lab.exec('a', 'ping -c 1 -t 1 10.200.2.2', 10 * SECOND);
    expect(run.stdout.split('\n')[1]).toBe('From 10.200.1.254 icmp_seq=1 Time to live exceeded');
    expect(run.status).toBe(1);
  });

  it('fails at connect without a route, and on a bad -I', () => {
    const lab = chain(programs);
    lab.sh('a', 'ip route del default');
    const run = lab.exec('a', 'ping -c 1 10.200.2.2', SECOND);
    expect([run.stdout, run.stderr, run.status]).toEqual(['', 'ping: connect: Network is unreachable\n', 2]);
    const device = lab.exec('a', 'ping -c 1 -I nosuchdev 10.200.1.254', SECOND);
    expect([device.stderr, device.status]).toEqual(['ping: SO_BINDTODEVICE nosuchdev: No such device\n', 2]);
    const address = lab.exec('a', 'ping -c 1 -I 10.9.9.9 10.200.1.254', SECOND);
    expect([address.stderr, address.status]).toEqual(['ping: bind: Cannot assign requested address\n', 2]);
  });

  it('prints the summary on Ctrl-C', () => {
    const lab = chain(programs);
    const run = lab.exec('a', 'ping 10.200.1.254');
    lab.run(2500 * MS);
    run.interrupt();
    lab.run(1 * MS);
    expect(run.stdout).toContain('3 packets transmitted, 3 received, 0% packet loss, time 2000ms\n');
    expect(run.status).toBe(0);
  });
});

describe('traceroute on real nodes', () => {
  it('traces the router and the destination with UDP probes', () => {
    const lab = chain(programs);
    lab.exec('a', 'ping -c 1 10.200.2.2', 5 * SECOND); // resolve neighbours first
    lab.run(1 * SECOND);
    const run = lab.exec('a', 'traceroute -n -q 1 -N 1 10.200.2.2', 60 * SECOND);
    expect(run.stdout).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n 1  10.200.1.254  2.000 ms\n 2  10.200.2.2  4.000 ms\n',
    );
    expect(run.status).toBe(0);
  });

  it('traces with ICMP echo (-I)', () => {
    const lab = chain(programs);
    lab.exec('a', 'ping -c 1 10.200.2.2', 5 * SECOND);
    lab.run(1 * SECOND);
    const run = lab.exec('a', 'traceroute -I -n -q 1 -N 1 10.200.2.2', 60 * SECOND);
    expect(run.stdout).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n 1  10.200.1.254  2.000 ms\n 2  10.200.2.2  4.000 ms\n',
    );
  });

  it('runs with the default 16 probes in flight', () => {
    const lab = chain(programs);
    const run = lab.exec('a', 'traceroute -n 10.200.2.2', 60 * SECOND);
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets');
    expect(lines[1]).toMatch(/^ 1  10\.200\.1\.254  /);
    expect(run.stdout).toMatch(/\n 2 .*10\.200\.2\.2/);
  });
});

describe('arping on real nodes', () => {
  it('gets replies from the router', () => {
    const lab = chain(programs);
    const run = lab.exec('a', 'arping -c 2 -I vA 10.200.1.254', 5 * SECOND);
    expect(run.stdout).toBe(
      'ARPING 10.200.1.254 from 10.200.1.1 vA\n' +
        'Unicast reply from 10.200.1.254 [02:00:00:00:02:01]  2.000ms\n' +
        'Unicast reply from 10.200.1.254 [02:00:00:00:02:01]  2.000ms\n' +
        'Sent 2 probes (1 broadcast(s))\nReceived 2 response(s)\n',
    );
    expect(run.status).toBe(0);
  });

  it('says lo is not ARPable', () => {
    const lab = chain(programs);
    const run = lab.exec('a', 'arping -c 1 -I lo 127.0.0.1', SECOND);
    expect([run.stdout, run.status]).toEqual(['Interface "lo" is not ARPable\n', 2]);
  });
});

describe('udpsend and nc on real nodes', () => {
  it('fails over when the source address in use is deleted (modern Linux)', () => {
    const lab = chain(programs);
    // A second way from a to b: a's eth1 on a LAN with r's eth2.
    lab.link('a:eth1', 'r:eth2');
    lab.sh('a', 'ip addr add 10.200.3.1/24 dev eth1');
    lab.sh('r', 'ip addr add 10.200.3.254/24 dev eth2');
    lab.sh('a', 'ip route add default via 10.200.3.254 metric 100');
    lab.exec('b', 'nc -u -l 9');
    const run = lab.exec('a', 'udpsend 10.200.2.2 9 --count 3');
    lab.run(1500 * MS);
    lab.sh('a', 'ip addr del 10.200.1.1/24 dev vA');
    lab.run(2 * SECOND);
    expect(run.stdout).toMatch(/^udpsend to 10\.200\.2\.2 port 9, 512 bytes every 1\.000s, unconnected socket bound to 0\.0\.0\.0:\d+\n/);
    expect(run.stdout.split('\n').slice(1)).toEqual([
      '0.000 sendto #1: OK dev vA src 10.200.1.1',
      '1.000 sendto #2: OK dev vA src 10.200.1.1',
      '2.000 sendto #3: OK dev eth1 src 10.200.3.1',
      '--- udpsend: 3 sent, 3 ok, 0 failed',
      '',
    ]);
  });

  it('a connected socket keeps its source and fails when it is deleted', () => {
    const lab = chain(programs);
    lab.link('a:eth1', 'r:eth2');
    lab.sh('a', 'ip addr add 10.200.3.1/24 dev eth1');
    lab.sh('r', 'ip addr add 10.200.3.254/24 dev eth2');
    lab.sh('a', 'ip route add default via 10.200.3.254 metric 100');
    lab.exec('b', 'nc -u -l 9'); // a discard server, so that no port unreachable comes back
    const run = lab.exec('a', 'udpsend --connect 10.200.2.2 9 --count 2');
    expect(run.stdout).toMatch(/connected socket 10\.200\.1\.1:\d+ -> 10\.200\.2\.2:9\n/);
    lab.run(500 * MS);
    lab.sh('a', 'ip addr del 10.200.1.1/24 dev vA');
    lab.run(1 * SECOND);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toBe('0.000 sendto #1: OK dev vA src 10.200.1.1');
    // Linux keeps the connect()-time source; once it is gone send() fails with ENETUNREACH even
    // with another default route (checked in namespaces, kernel of this machine, Python socket).
    expect(lines[2]).toBe('1.000 sendto #2: ENETUNREACH (Network is unreachable)');
    expect(run.status).toBe(1);
  });

  it('a broadcast needs --broadcast (EACCES otherwise, as on Linux)', () => {
    const lab = chain(programs);
    const refused = lab.exec('a', 'udpsend -c 1 10.200.1.255 9', SECOND);
    expect(refused.stdout.split('\n')[1]).toBe('0.000 sendto #1: EACCES (Permission denied)');
    const allowed = lab.exec('a', 'udpsend -c 1 --broadcast 10.200.1.255 9', SECOND);
    expect(allowed.stdout.split('\n')[1]).toBe('0.000 sendto #1: OK dev vA src 10.200.1.1');
  });

  it('nc echoes across the router', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'nc -u -l -e -v 7');
    const client = lab.exec('a', 'nc -u -m hello -c 2 10.200.2.2 7', 10 * SECOND);
    expect(client.stdout).toBe('hello\nhello\n');
    expect(client.status).toBe(0);
    expect(server.stdout).toBe('hello\nhello\n');
    expect(server.stderr.split('\n')[0]).toBe('nc: listening on 0.0.0.0 7 (udp)');
    expect(server.stderr).toMatch(/\n0\.00\d recv #1 from 10\.200\.1\.1:\d+ \(6 bytes\)\n/);
  });

  it('a client gets connection refused from a closed port', () => {
    const lab = chain(programs);
    const client = lab.exec('a', 'nc -u -m x -c 3 10.200.2.2 7', 10 * SECOND);
    expect(client.stderr).toBe('nc: write: Connection refused\n');
    expect(client.status).toBe(1);
  });
});

describe('ping and traceroute answers checked against iputils 20221126 and traceroute 2.1.2', () => {
  it('ping -s 65508: every probe is a local error with the MTU, counted as an error', () => {
    const run = chain(programs).exec('a', 'ping -c 2 -s 65508 10.200.2.2', 10 * SECOND);
    expect(run.stderr).toBe('ping: local error: message too long, mtu=1500\nping: local error: message too long, mtu=1500\n');
    expect(run.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) 65508(65536) bytes of data.\n\n--- 10.200.2.2 ping statistics ---\n' +
        '2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms\n\n',
    );
    expect(run.status).toBe(1);
  });

  it('ping asks for -b before pinging a broadcast address, and warns with it', () => {
    const lab = chain(programs);
    expect(lab.exec('a', 'ping -c 1 10.200.1.255', SECOND)).toMatchObject({
      stdout: '',
      stderr: 'ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n',
      status: 2,
    });
    const run = lab.exec('a', 'ping -c 1 -W 1 -b 10.200.1.255', 5 * SECOND);
    expect(run.stderr).toBe('WARNING: pinging broadcast address\n');
    expect(run.stdout.split('\n')[0]).toBe('PING 10.200.1.255 (10.200.1.255) 56(84) bytes of data.');
  });

  it('ping 0.0.0.0 pings the loopback source it was routed to', () => {
    const run = chain(programs).exec('a', 'ping -c 1 0.0.0.0', 5 * SECOND);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual(['PING 0.0.0.0 (127.0.0.1) 56(84) bytes of data.', '64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.000 ms']);
    expect(run.status).toBe(0);
  });

  it('ping -p takes up to 16 hex bytes and refuses anything else', () => {
    const lab = chain(programs);
    expect(lab.exec('a', 'ping -c 1 -p zz 10.200.2.2', SECOND)).toMatchObject({ stdout: '', stderr: 'ping: patterns must be specified as hex digits: zz\n', status: 2 });
    expect(lab.exec('a', 'ping -c 1 -p abz 10.200.2.2', SECOND).stderr).toBe('ping: patterns must be specified as hex digits: z\n');
    const run = lab.exec('a', 'ping -c 1 -p abc 10.200.2.2', 5 * SECOND);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual(['PATTERN: 0xab0c', 'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.']);
    expect(run.status).toBe(0);
    expect(lab.exec('a', 'ping -c 1 -p 0123456789abcdef0123456789abcdef01 10.200.2.2', 5 * SECOND).stdout.split('\n')[0]).toBe('PATTERN: 0x0123456789abcdef0123456789abcdef');
  });

  it('traceroute -p 0 is the default port; -p 65536 wraps to port 0 and still traces; -I -p 65536 loses sequence 0', () => {
    const lab = chain(programs);
    lab.exec('a', 'ping -c 1 10.200.2.2', 5 * SECOND); // ARP resolved, so each hop's time is the plain 2 ms per link each way
    const trace = (line: string): string => lab.exec('a', line, 60 * SECOND).stdout;
    const twoHops = 'traceroute to 10.200.2.2 (10.200.2.2), 3 hops max, 60 byte packets\n 1  10.200.1.254  2.000 ms\n 2  10.200.2.2  4.000 ms\n';
    expect(trace('traceroute -n -q 1 -m 3 -p 0 10.200.2.2')).toBe(twoHops);
    expect(trace('traceroute -n -q 1 -m 3 -p 65536 10.200.2.2')).toBe(twoHops);
    expect(trace('traceroute -n -q 1 -m 3 -p -1 10.200.2.2')).toBe(twoHops);
    expect(trace('traceroute -I -n -q 1 -m 3 -w 1 -p 65536 10.200.2.2')).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 3 hops max, 60 byte packets\n 1  *\n 2  10.200.2.2  4.000 ms\n',
    );
    expect(lab.exec('a', 'traceroute -n -m -1 10.200.2.2', SECOND)).toMatchObject({ stderr: 'max hops cannot be more than 255\n', status: 2 });
  });
});
