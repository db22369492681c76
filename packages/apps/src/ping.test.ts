/**
 * ping on the fake context. Expected texts come from the real tool: iputils-ping 20221126
 * (Debian 12) run in network namespaces nlA (10.200.1.1/24) — nlR (router 10.200.1.254 /
 * 10.200.2.254) — nlB (10.200.2.2/24). Where the real output carries wall-clock jitter (the
 * summary's `time`), the virtual-time value is the jitter-free one (e.g. real 405ms → 400ms).
 */
import { describe, expect, it } from 'vitest';
import { ping, formatRtt, formatG, icmp4ErrorText, quotedHeaderDump, rcvbufHoldsPreload } from './ping.js';
import { MS, SECOND, runProgram, type FakeWorld } from './testing/fake-context.js';

/** nlA's view: vA 10.200.1.1, default via 10.200.1.254; 10.200.2.2 answers with ttl 63. */
function world(rttsUs: number[] = [355, 82, 56], extra: Partial<FakeWorld> = {}): FakeWorld {
  let n = 0;
  return {
    interfaces: [
      { name: 'lo', index: 1, addresses: ['127.0.0.1'] },
      { name: 'vA', index: 2, addresses: ['10.200.1.1'] },
    ],
    route: (dst, ifname) =>
      dst.startsWith('10.99.') ? { errno: 'ENETUNREACH' } : { source: '10.200.1.1', ifname: ifname ?? 'vA' },
    echo: (probe) => {
      if (probe.to === '10.200.2.99') return [{ delay: 3 * SECOND, from: '10.200.1.254', type: 3, code: 1 }];
      if (probe.ttl < 2) return [{ delay: 40_000, from: '10.200.1.254', type: 11, code: 0 }];
      if (probe.to !== '10.200.2.2') return [];
      const rtt = rttsUs[n++ % rttsUs.length] ?? 50;
      return [{ delay: rtt * 1000, from: '10.200.2.2', type: 0, code: 0, ttl: 63 }];
    },
    hosts: { b: '10.200.2.2' },
    ...extra,
  };
}

describe('ping replies and summary', () => {
  it('prints reply lines and the rtt summary with iputils integer mdev', () => {
    // Real: `ping -c 3 -i 0.2 10.200.2.2` (rtts 0.355/0.082/0.056; time 405ms on the wall clock).
    const r = runProgram(ping, ['ping', '-c', '3', '-i', '0.2', '10.200.2.2'], world());
    expect(r.stdout).toBe(
      [
        'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.',
        '64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=0.355 ms',
        '64 bytes from 10.200.2.2: icmp_seq=2 ttl=63 time=0.082 ms',
        '64 bytes from 10.200.2.2: icmp_seq=3 ttl=63 time=0.056 ms',
        '',
        '--- 10.200.2.2 ping statistics ---',
        '3 packets transmitted, 3 received, 0% packet loss, time 400ms',
        'rtt min/avg/max/mdev = 0.056/0.164/0.355/0.135 ms',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Exits as soon as the last reply is in.
    expect(r.endedAt).toBe(400 * MS + 56_000);
  });

  it('quiet mode keeps the header and the summary', () => {
    const r = runProgram(ping, ['ping', '-c', '2', '-i', '0.2', '-q', '10.200.2.2'], world([74, 45]));
    expect(r.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\n\n--- 10.200.2.2 ping statistics ---\n' +
        '2 packets transmitted, 2 received, 0% packet loss, time 200ms\nrtt min/avg/max/mdev = 0.045/0.059/0.074/0.014 ms\n',
    );
  });

  it('shows no time below 16 data bytes, and ICMP length in reply lines', () => {
    const small = runProgram(ping, ['ping', '-c', '2', '-s', '8', '10.200.2.2'], world());
    expect(small.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) 8(36) bytes of data.\n16 bytes from 10.200.2.2: icmp_seq=1 ttl=63\n' +
        '16 bytes from 10.200.2.2: icmp_seq=2 ttl=63\n\n--- 10.200.2.2 ping statistics ---\n' +
        '2 packets transmitted, 2 received, 0% packet loss, time 1000ms\n\n',
    );
    const big = runProgram(ping, ['ping', '-c', '1', '-s', '100', '10.200.2.2'], world([33]));
    expect(big.stdout.split('\n').slice(0, 2)).toEqual([
      'PING 10.200.2.2 (10.200.2.2) 100(128) bytes of data.',
      '108 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=0.033 ms',
    ]);
  });

  it('names the source in the header with -I device or -I address', () => {
    const dev = runProgram(ping, ['ping', '-c', '1', '-I', 'vA', '10.200.2.2'], world([34]));
    expect(dev.stdout.split('\n')[0]).toBe('PING 10.200.2.2 (10.200.2.2) from 10.200.1.1 vA: 56(84) bytes of data.');
    expect(dev.log).toContain('icmp setsockopt SO_BINDTODEVICE vA');
    const addr = runProgram(ping, ['ping', '-c', '2', '-i', '0.3', '-I', '10.200.1.1', '-s', '1000', '10.200.2.2'], world([69, 58]));
    expect(addr.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) from 10.200.1.1 : 1000(1028) bytes of data.\n' +
        '1008 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=0.069 ms\n' +
        '1008 bytes from 10.200.2.2: icmp_seq=2 ttl=63 time=0.058 ms\n\n' +
        '--- 10.200.2.2 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 300ms\n' +
        'rtt min/avg/max/mdev = 0.058/0.063/0.069/0.005 ms\n',
    );
  });

  it('shows the typed name for a resolved target', () => {
    const r = runProgram(ping, ['ping', '-c', '1', 'b'], world([16000]));
    expect(r.stdout).toBe(
      'PING b (10.200.2.2) 56(84) bytes of data.\n64 bytes from b (10.200.2.2): icmp_seq=1 ttl=63 time=16.0 ms\n\n' +
        '--- b ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n' +
        'rtt min/avg/max/mdev = 16.000/16.000/16.000/0.000 ms\n',
    );
    const numeric = runProgram(ping, ['ping', '-n', '-c', '1', 'b'], world([512]));
    expect(numeric.stdout.split('\n')[1]).toBe('64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=0.512 ms');
  });

  it('marks duplicate replies', () => {
    const w = world();
    const dup: FakeWorld = { ...w, echo: (p) => [0, 1].map((k) => ({ delay: (100 + k * 10) * 1000, from: p.to, type: 0, code: 0, ttl: 63 })) };
    const r = runProgram(ping, ['ping', '-c', '1', '10.200.2.2'], dup, { until: 5 * SECOND });
    expect(r.stdout.split('\n').slice(1, 3)).toEqual(['64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=0.100 ms', '']);
    // The first reply completes -c 1; a later run without -c shows the duplicate.
    const again = runProgram(ping, ['ping', '-w', '1', '10.200.2.2'], dup);
    expect(again.stdout).toContain('64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=0.110 ms (DUP!)');
    expect(again.stdout).toContain('1 packets transmitted, 1 received, +1 duplicates, 0% packet loss, time 0ms');
  });
});

describe('ping -D and -O', () => {
  it('prefixes lines with the virtual time and reports unanswered probes', () => {
    // Real: `ping -c 3 -i 0.3 -O 10.200.1.77` (no ARP answer; the host's own unreachables after 3 s).
    const w = world([], {
      echo: (p) => (p.to === '10.200.1.77' ? [{ delay: 3 * SECOND - p.sentAt, from: '10.200.1.1', type: 3, code: 1 }] : []),
    });
    const r = runProgram(ping, ['ping', '-c', '3', '-i', '0.3', '-O', '10.200.1.77'], w);
    expect(r.stdout).toBe(
      [
        'PING 10.200.1.77 (10.200.1.77) 56(84) bytes of data.',
        'no answer yet for icmp_seq=1',
        'no answer yet for icmp_seq=2',
        'From 10.200.1.1 icmp_seq=1 Destination Host Unreachable',
        'From 10.200.1.1 icmp_seq=2 Destination Host Unreachable',
        'From 10.200.1.1 icmp_seq=3 Destination Host Unreachable',
        '',
        '--- 10.200.1.77 ping statistics ---',
        '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 600ms',
        'pipe 3',
        '',
      ].join('\n'),
    );
    const d = runProgram(ping, ['ping', '-c', '2', '-i', '0.3', '-D', '-t', '1', '10.200.2.2'], world());
    expect(d.stdout.split('\n').slice(1, 3)).toEqual([
      '[0.000040] From 10.200.1.254 icmp_seq=1 Time to live exceeded',
      '[0.300040] From 10.200.1.254 icmp_seq=2 Time to live exceeded',
    ]);
  });
});

describe('ping errors from the network', () => {
  it('counts ICMP errors and reports the pipe', () => {
    // Real: `ping -c 3 -i 0.5 10.200.2.99` (the router's ARP for .99 fails after 3 s).
    const r = runProgram(ping, ['ping', '-c', '3', '-i', '0.5', '10.200.2.99'], world());
    expect(r.stdout).toBe(
      [
        'PING 10.200.2.99 (10.200.2.99) 56(84) bytes of data.',
        'From 10.200.1.254 icmp_seq=1 Destination Host Unreachable',
        'From 10.200.1.254 icmp_seq=2 Destination Host Unreachable',
        'From 10.200.1.254 icmp_seq=3 Destination Host Unreachable',
        '',
        '--- 10.200.2.99 ping statistics ---',
        '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 1000ms',
        'pipe 3',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(1);
  });

  it('prints a redirect before the reply, from the raw socket: not an error, whatever the sequence', () => {
    // Real (test/kernel/ping-icmp.py, h1 pinging through r1 that redirects to r2 on the same LAN):
    // `From 10.0.0.2: icmp_seq=1 Redirect Host(New nexthop: 10.0.0.3)` then the reply; no `+N errors`.
    const redirecting = world([], {
      echo: (probe) => [
        { delay: 40_000, from: '10.200.1.254', type: 5, code: 1, info: 0x0ac80103 },
        { delay: 90_000, from: '10.200.2.2', type: 0, code: 0, ttl: 63 },
      ].filter((a) => probe.sequence === 1 || a.type === 0),
    });
    const r = runProgram(ping, ['ping', '-c', '2', '-i', '0.2', '10.200.2.2'], redirecting);
    expect(r.stdout).toBe(
      [
        'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.',
        'From 10.200.1.254: icmp_seq=1 Redirect Host(New nexthop: 10.200.1.3)',
        '64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=0.090 ms',
        '64 bytes from 10.200.2.2: icmp_seq=2 ttl=63 time=0.090 ms',
        '',
        '--- 10.200.2.2 ping statistics ---',
        '2 packets transmitted, 2 received, 0% packet loss, time 200ms',
        'rtt min/avg/max/mdev = 0.090/0.090/0.090/0.000 ms',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    const quiet = runProgram(ping, ['ping', '-q', '-c', '2', '-i', '0.2', '10.200.2.2'], redirecting);
    expect(quiet.stdout).not.toContain('Redirect');
  });

  it('-v: the sockets line on stderr, the getaddrinfo line, ident= on replies (iputils 20221126)', () => {
    // Real (`ping -v -c 2 -i 0.2 10.0.0.2` as root in a namespace): stderr is the error() line and an
    // empty one; -4 and -6 open one socket.
    const r = runProgram(ping, ['ping', '-v', '-c', '2', '-i', '0.2', '10.200.2.2'], world());
    expect(r.stderr).toBe('ping: sock4.fd: 3 (socktype: SOCK_RAW), sock6.fd: 4 (socktype: SOCK_RAW), hints.ai_family: AF_UNSPEC\n\n');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe("ai->ai_family: AF_INET, ai->ai_canonname: '10.200.2.2'");
    expect(lines[1]).toBe('PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.');
    expect(lines[2]).toMatch(/^64 bytes from 10\.200\.2\.2: icmp_seq=1 ident=\d+ ttl=63 time=0\.355 ms$/);
    const four = runProgram(ping, ['ping', '-4', '-v', '-c', '1', '10.200.2.2'], world());
    expect(four.stderr).toBe('ping: sock4.fd: 3 (socktype: SOCK_RAW), sock6.fd: -1 (socktype: 0), hints.ai_family: AF_INET\n\n');
    // Real: `ping -v -6 10.0.0.1`: getaddrinfo's answer is printed before the refusal.
    const six = runProgram(ping, ['ping', '-v', '-6', '10.200.2.2'], world());
    expect(six.stderr).toBe(
      'ping: sock4.fd: -1 (socktype: 0), sock6.fd: 3 (socktype: SOCK_RAW), hints.ai_family: AF_INET6\n\nping: 10.200.2.2: Address family for hostname not supported\n',
    );
    expect(six.stdout).toBe("ai->ai_family: AF_INET, ai->ai_canonname: '10.200.2.2'\n");
  });

  it('-v: the quoted header under a redirect, as pr_iph prints it (network-order fields read little-endian)', () => {
    // Real: h1 10.0.0.1 pinging 10.9.0.1 through r1, which forwarded it (TTL 63) and redirected h1:
    // `Vr HL TOS  Len   ID Flg  off TTL Pro  cks      Src      Dst Data` /
    // ` 4  5  00 5400 3316   0 0040  3f  01 6c11 10.0.0.1  10.9.0.1 `.
    const header = Uint8Array.from([0x45, 0x00, 0x00, 0x54, 0x16, 0x33, 0x40, 0x00, 0x3f, 0x01, 0x11, 0x6c, 10, 0, 0, 1, 10, 9, 0, 1, 8, 0]);
    expect(quotedHeaderDump(header)).toBe(
      'Vr HL TOS  Len   ID Flg  off TTL Pro  cks      Src      Dst Data\n 4  5  00 5400 3316   0 0040  3f  01 6c11 10.0.0.1  10.9.0.1 \n',
    );
    const redirecting = world([], {
      echo: () => [{ delay: 40_000, from: '10.200.1.254', type: 5, code: 1, info: 0x0ac80103 }],
    });
    const r = runProgram(ping, ['ping', '-v', '-c', '1', '-W', '1', '10.200.2.2'], redirecting);
    expect(r.stdout).toContain('From 10.200.1.254: icmp_seq=1 Redirect Host(New nexthop: 10.200.1.3)\nVr HL TOS  Len   ID Flg  off TTL Pro  cks      Src      Dst Data\n');
  });

  it('prints a source quench like a redirect, and a parameter problem with its pointer as an error', () => {
    const r = runProgram(
      ping,
      ['ping', '-c', '1', '10.200.2.2'],
      world([], {
        echo: () => [
          { delay: 10_000, from: '10.200.1.254', type: 4, code: 0 },
          { delay: 20_000, from: '10.200.1.254', type: 12, code: 0, info: 9 },
        ],
      }),
    );
    expect(r.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\nFrom 10.200.1.254: icmp_seq=1 Source Quench\n' +
        'From 10.200.1.254 icmp_seq=1 Parameter problem: pointer = 9\n\n--- 10.200.2.2 ping statistics ---\n' +
        '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n',
    );
    expect(r.status).toBe(1);
  });

  it('reports time exceeded', () => {
    // Real: `ping -c 2 -i 0.2 -t 1 10.200.2.2`.
    const r = runProgram(ping, ['ping', '-c', '2', '-i', '0.2', '-t', '1', '10.200.2.2'], world());
    expect(r.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\nFrom 10.200.1.254 icmp_seq=1 Time to live exceeded\n' +
        'From 10.200.1.254 icmp_seq=2 Time to live exceeded\n\n--- 10.200.2.2 ping statistics ---\n' +
        '2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 200ms\n\n',
    );
    expect(r.status).toBe(1);
  });

  it('waits -W for an unanswered probe, then exits 1', () => {
    // Real: `ping -c 1 -W 1 10.200.1.77`.
    const r = runProgram(ping, ['ping', '-c', '1', '-W', '1', '10.200.1.77'], world());
    expect(r.stdout).toBe(
      'PING 10.200.1.77 (10.200.1.77) 56(84) bytes of data.\n\n--- 10.200.1.77 ping statistics ---\n' +
        '1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n',
    );
    expect(r.status).toBe(1);
    expect(r.endedAt).toBe(1 * SECOND);
  });

  it('waits 10 s by default without replies', () => {
    const r = runProgram(ping, ['ping', '-c', '2', '10.200.1.77'], world());
    expect(r.endedAt).toBe(11 * SECOND);
    expect(r.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss, time 1000ms');
  });

  it('prints the partial loss with %g', () => {
    const w = world();
    let n = 0;
    const lossy: FakeWorld = { ...w, echo: (p) => (n++ % 3 === 1 ? [] : [{ delay: 1_000_000, from: p.to, type: 0, code: 0, ttl: 63 }]) };
    const r = runProgram(ping, ['ping', '-c', '3', '10.200.2.2'], lossy);
    expect(r.stdout).toContain('3 packets transmitted, 2 received, 33.3333% packet loss, time 2000ms');
    expect(r.stdout).toContain('rtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms');
    expect(r.status).toBe(0);
    expect(r.endedAt).toBe(2 * SECOND + 1 * SECOND); // max(2 × max rtt, interval) after the last probe
  });

  it('prints sendmsg errors per probe and still counts them as sent', () => {
    const r = runProgram(ping, ['ping', '-c', '2', '-W', '1', '10.200.2.2'], world([], { echoSendResult: () => 'EHOSTUNREACH' }));
    expect(r.stderr).toBe('ping: sendmsg: No route to host\nping: sendmsg: No route to host\n');
    expect(r.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss, time 1000ms');
    expect(r.status).toBe(1);
  });
});

describe('ping deadline and interrupt', () => {
  it('-w stops at the deadline', () => {
    // Real: `ping -w 2 10.200.2.2` → 2 transmitted, 2 received (time 1003ms on the wall clock).
    const r = runProgram(ping, ['ping', '-w', '2', '10.200.2.2'], world([33, 74]));
    expect(r.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss, time 1000ms');
    expect(r.status).toBe(0);
    expect(r.endedAt).toBe(2 * SECOND);
  });

  it('-w with -c exits 1 when fewer replies than -c came', () => {
    const r = runProgram(ping, ['ping', '-w', '2', '-c', '5', '10.200.1.77'], world());
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss, time 1000ms');
  });

  it('-w ends at the first ICMP error', () => {
    const r = runProgram(ping, ['ping', '-w', '10', '-t', '1', '10.200.2.2'], world());
    expect(r.stdout).toContain('1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms');
    expect(r.endedAt).toBe(40_000);
    expect(r.status).toBe(1);
  });

  it('Ctrl-C prints the summary', () => {
    // Real: `timeout -s INT 2.5 ping 10.200.2.2`.
    const r = runProgram(ping, ['ping', '10.200.2.2'], world([41, 56, 71]), { interruptAt: 2.5 * SECOND });
    expect(r.stdout).toBe(
      [
        'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.',
        '64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=0.041 ms',
        '64 bytes from 10.200.2.2: icmp_seq=2 ttl=63 time=0.056 ms',
        '64 bytes from 10.200.2.2: icmp_seq=3 ttl=63 time=0.071 ms',
        '',
        '--- 10.200.2.2 ping statistics ---',
        '3 packets transmitted, 3 received, 0% packet loss, time 2000ms',
        'rtt min/avg/max/mdev = 0.041/0.056/0.071/0.012 ms',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
  });

  it('Ctrl-C without replies exits 1', () => {
    const r = runProgram(ping, ['ping', '10.200.1.77'], world(), { interruptAt: 1.5 * SECOND });
    expect(r.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss, time 1000ms');
    expect(r.status).toBe(1);
  });
});

describe('ping option and setup errors (texts from iputils 20221126)', () => {
  const cases: [string[], string, number][] = [
    [['-c', 'x', '10.200.2.2'], "ping: invalid argument: 'x'\n", 1],
    [['-c', '0', '10.200.2.2'], "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n", 1],
    [['-c', '-1', '10.200.2.2'], "ping: invalid argument: '-1': out of range: 1 <= value <= 9223372036854775807\n", 1],
    [['-t', '256', '-c', '1', '10.200.2.2'], "ping: invalid argument: '256': out of range: 0 <= value <= 255\n", 1],
    [['-t', '0', '-c', '1', '10.200.2.2'], 'ping: cannot set unicast time-to-live: Invalid argument\n', 2],
    [['-w', 'x', '10.200.2.2'], "ping: invalid argument: 'x'\n", 1],
    [[], 'ping: usage error: Destination address required\n', 1],
    [['-c', '1', '-6', '10.200.2.2'], 'ping: 10.200.2.2: Address family for hostname not supported\n', 2],
    [['-c', '1', '-4', '-6', '10.200.2.2'], 'ping: only one -4 or -6 option may be specified\n', 2],
    [['-c', '1', '10.200.2.2', '10.200.2.3'], 'ping: record route: Operation not permitted\n', 2],
    [['-I', 'nosuchdev', '-c', '1', '10.200.2.2'], 'ping: SO_BINDTODEVICE nosuchdev: No such device\n', 2],
    [['-I', '10.9.9.9', '-c', '1', '10.200.2.2'], 'ping: bind: Cannot assign requested address\n', 2],
    [['-c', '2', '10.99.0.1'], 'ping: connect: Network is unreachable\n', 2],
    [['-c', '1', 'nosuchhost'], 'ping: nosuchhost: Name or service not known\n', 2],
  ];
  for (const [args, stderr, status] of cases) {
    it(`ping ${args.join(' ')}`, () => {
      const r = runProgram(ping, ['ping', ...args], world());
      expect(r.stderr).toBe(stderr);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(status);
    });
  }

  it('prints getopt errors with the usage text', () => {
    const missing = runProgram(ping, ['ping', '-c'], world());
    expect(missing.stderr.split('\n').slice(0, 4)).toEqual(["ping: option requires an argument -- 'c'", '', 'Usage', '  ping [options] <destination>']);
    expect(missing.stderr.endsWith('For more details see ping(8).\n')).toBe(true);
    expect(missing.status).toBe(2);
    const unknown = runProgram(ping, ['ping', '-Z', '10.200.2.2'], world());
    expect(unknown.stderr.split('\n')[0]).toBe("ping: invalid option -- 'Z'");
    expect(unknown.status).toBe(2);
  });

  it('reports an unsupported address family from the socket layer', () => {
    const r = runProgram(ping, ['ping', '-c', '1', '2001:db8::1'], world([], { socketErrno: { 6: 'EAFNOSUPPORT' } }));
    expect(r.stderr).toBe('ping: socket: Address family not supported by protocol\n');
    expect(r.status).toBe(2);
  });
});

describe('ping formatting helpers', () => {
  it('formats reply times with iputils precision', () => {
    expect(formatRtt(512)).toBe('0.512');
    expect(formatRtt(1234)).toBe('1.23');
    expect(formatRtt(16000)).toBe('16.0');
    expect(formatRtt(123456)).toBe('123');
  });
  it('names ICMP messages as iputils pr_icmph does, for every type and code', () => {
    // iputils 20221126 ping/ping.c pr_icmph; the kernel gives frag-needed's MTU even when it is 0.
    expect(icmp4ErrorText(3, 4, 1400)).toBe('Frag needed and DF set (mtu = 1400)');
    expect(icmp4ErrorText(3, 4)).toBe('Frag needed and DF set (mtu = 0)');
    const unreachable = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].map((code) => icmp4ErrorText(3, code));
    expect(unreachable).toEqual([
      'Destination Net Unreachable',
      'Destination Host Unreachable',
      'Destination Protocol Unreachable',
      'Destination Port Unreachable',
      'Source Route Failed',
      'Destination Net Unknown',
      'Destination Host Unknown',
      'Source Host Isolated',
      'Destination Net Prohibited',
      'Destination Host Prohibited',
      'Destination Net Unreachable for Type of Service',
      'Destination Host Unreachable for Type of Service',
      'Packet filtered',
      'Precedence Violation',
      'Precedence Cutoff',
      'Dest Unreachable, Bad Code: 16',
    ]);
    expect([0, 1, 2, 3, 4].map((code) => icmp4ErrorText(5, code, 0xc0a8214b))).toEqual([
      'Redirect Network(New nexthop: 192.168.33.75)',
      'Redirect Host(New nexthop: 192.168.33.75)',
      'Redirect Type of Service and Network(New nexthop: 192.168.33.75)',
      'Redirect Type of Service and Host(New nexthop: 192.168.33.75)',
      'Redirect, Bad Code: 4(New nexthop: 192.168.33.75)',
    ]);
    expect([0, 1, 2].map((code) => icmp4ErrorText(11, code))).toEqual(['Time to live exceeded', 'Frag reassembly time exceeded', 'Time exceeded, Bad Code: 2']);
    expect(icmp4ErrorText(12, 0, 20)).toBe('Parameter problem: pointer = 20');
    expect([0, 4, 8, 13, 14, 15, 16, 17, 18, 42].map((type) => icmp4ErrorText(type, 0))).toEqual([
      'Echo Reply',
      'Source Quench',
      'Echo Request',
      'Timestamp',
      'Timestamp Reply',
      'Information Request',
      'Information Reply',
      'Address Mask Request',
      'Address Mask Reply',
      'Bad ICMP type: 42',
    ]);
  });
  it('formats loss like printf %g', () => {
    expect(formatG(0)).toBe('0');
    expect(formatG(100)).toBe('100');
    expect(formatG(100 / 3)).toBe('33.3333');
    expect(formatG(50)).toBe('50');
    expect(formatG(0.0001)).toBe('0.0001');
    expect(formatG(0.00001)).toBe('1e-05');
  });
});

describe('ping -f and -l', () => {
  const BS = '\b \b';

  it('flood: a dot per probe, backspace-space-backspace per reply, the next probe as soon as the reply is in; ipg/ewma', () => {
    // Real (`ping -f -c 100` between two namespaces): `.\b \b` repeated, then the summary with
    // `, ipg/ewma 0.008/0.004 ms`. Here the rtts cycle 355/82/56 µs: probes at 0, .355, .437, .493, .848 ms.
    const r = runProgram(ping, ['ping', '-f', '-c', '5', '10.200.2.2'], world());
    expect(r.stdout).toBe(
      `PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\n${`.${BS}`.repeat(5)}\n--- 10.200.2.2 ping statistics ---\n` +
        '5 packets transmitted, 5 received, 0% packet loss, time 1ms\n' +
        'rtt min/avg/max/mdev = 0.056/0.186/0.355/0.138 ms, ipg/ewma 0.212/0.269 ms\n',
    );
    expect(r.status).toBe(0);
    expect(r.endedAt).toBe(930_000);
  });

  it('flood without answers sends every 10 ms; each ICMP error is backspace-E; pipe counts the unanswered', () => {
    // Real: `ping -f -c 3 10.0.0.99` (on-link, no ARP answer): `...\bE\bE\bE`, pipe 3.
    const r = runProgram(ping, ['ping', '-f', '-c', '3', '10.200.2.99'], world());
    expect(r.stdout).toBe(
      'PING 10.200.2.99 (10.200.2.99) 56(84) bytes of data.\n...\bE\bE\bE\n--- 10.200.2.99 ping statistics ---\n' +
        '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 20ms\npipe 3\n',
    );
    expect(r.status).toBe(1);
    // Without -c, a flood nobody answers goes on at 100 probes a second.
    const endless = runProgram(ping, ['ping', '-f', '10.200.1.50'], world(), { interruptAt: 1005 * MS });
    expect(endless.stdout).toContain(`\n${'.'.repeat(101)}\n--- 10.200.1.50 ping statistics ---\n101 packets transmitted, 0 received, 100% packet loss, time 1000ms\n`);
  });

  it('flood with -q prints no dots; with -l N it keeps N probes in flight', () => {
    const quiet = runProgram(ping, ['ping', '-f', '-q', '-c', '3', '10.200.2.2'], world());
    expect(quiet.stdout.split('\n').slice(0, 3)).toEqual(['PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.', '', '--- 10.200.2.2 ping statistics ---']);
    expect(quiet.stdout).toContain(', ipg/ewma ');
    // Real: `ping -f -c 2 -l 4`: `..\b \b\b \b`, pipe 2.
    const preloaded = runProgram(ping, ['ping', '-f', '-c', '2', '-l', '4', '10.200.2.2'], world());
    expect(preloaded.stdout).toContain(`\n..${BS}${BS}\n`);
    expect(preloaded.stdout).toMatch(/ ms, pipe 2, ipg\/ewma 0\.000\/\d+\.\d{3} ms\n$/);
  });

  it('-l N sends N probes at once, then one per interval', () => {
    // Real: `ping -l 3 -i 0.2 -c 6 -q` → time 603ms on the wall clock (600 here), pipe 3.
    const r = runProgram(ping, ['ping', '-l', '3', '-i', '0.2', '-c', '6', '10.200.2.2'], world([100]));
    expect(r.stdout).toBe(
      [
        'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.',
        ...[1, 2, 3, 4, 5, 6].map((n) => `64 bytes from 10.200.2.2: icmp_seq=${n} ttl=63 time=0.100 ms`),
        '',
        '--- 10.200.2.2 ping statistics ---',
        '6 packets transmitted, 6 received, 0% packet loss, time 600ms',
        'rtt min/avg/max/mdev = 0.100/0.100/0.100/0.000 ms, pipe 3',
        '',
      ].join('\n'),
    );
  });

  it('-i 0 (or below 1 ms) paces like a flood and adds ipg/ewma to the summary', () => {
    const r = runProgram(ping, ['ping', '-i', '0.0005', '-c', '3', '10.200.2.2'], world());
    expect(r.stdout).toContain('64 bytes from 10.200.2.2: icmp_seq=3 ttl=63 time=0.056 ms\n');
    expect(r.stdout).toContain('3 packets transmitted, 3 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.056/0.164/0.355/0.135 ms, ipg/ewma 0.218/');
  });

  it("-l's errors and warnings as iputils prints them", () => {
    expect(runProgram(ping, ['ping', '-l', '0', '10.200.2.2'], world())).toMatchObject({
      stderr: "ping: invalid argument: '0': out of range: 1 <= value <= 65536\n",
      status: 1,
    });
    expect(runProgram(ping, ['ping', '-l', '65537', '10.200.2.2'], world()).stderr).toBe("ping: invalid argument: '65537': out of range: 1 <= value <= 65536\n");
    expect(runProgram(ping, ['ping', '-l', 'x', '10.200.2.2'], world()).stderr).toBe("ping: invalid argument: 'x'\n");
    // Real: the warning, the header, then the refusal of 100000 s × 30000 (status 2).
    const r = runProgram(ping, ['ping', '-i', '100000', '-l', '30000', '-c', '1', '10.200.2.2'], world());
    expect(r).toMatchObject({
      stdout: 'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\n',
      stderr: 'ping: WARNING: probably, rcvbuf is not enough to hold preload\nping: illegal preload and/or interval: 100000000\n',
      status: 2,
    });
    expect(runProgram(ping, ['ping', '-l', '1000', '-c', '1', '-q', '10.200.2.2'], world()).stderr).toBe('');
  });

  it('the receive buffer check follows sock_setbufs with rmem_max 212992', () => {
    // 56 data bytes: 324 bytes a reply; 2 × 212992 holds 1314 of them.
    expect(rcvbufHoldsPreload(56, 1314)).toBe(true);
    expect(rcvbufHoldsPreload(56, 1315)).toBe(false);
    expect(rcvbufHoldsPreload(1000, 278)).toBe(true);
    expect(rcvbufHoldsPreload(1000, 279)).toBe(false);
    // C int overflow makes the wanted size negative: no warning, as with iputils.
    expect(rcvbufHoldsPreload(65507, 65536)).toBe(true);
  });
});
