/**
 * ping on real nodes (testing/node-lab.ts): every probe, reply and ICMP error is a frame through
 * the real stack. The expected texts are iputils-ping 20221126's (Debian 12), run in network
 * namespaces nlA (vA 10.200.1.1/24) — nlR (router 10.200.1.254 / 10.200.2.254) — nlB
 * (10.200.2.2/24), the network `chain()` builds; only the times differ: the lab's links take 1 ms
 * each way, so a reply from b takes 4 ms, 8 ms for the first while a and r resolve their neighbours.
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { formatRtt, formatG, icmp4ErrorText, quotedHeaderDump, rcvbufHoldsPreload } from './ping.js';
import { MS, NodeLab, SECOND, answerLastProbe, chain, twoRouterLan } from './testing/node-lab.js';

/** Runs `line` on a (at most `within` of virtual time); the lab's clock stops when ping exits. */
function onA(line: string, within = 60 * SECOND, lab = chain(programs)) {
  const run = lab.exec('a', line, within);
  return { ...run, endedAt: lab.now, lab };
}

/** twoRouterLan, where r1 sends b's 10.200.3.2 on to r2, out of the interface it came in on: r1 redirects a to r2. */
function redirectingLan(): NodeLab {
  const lab = twoRouterLan(programs);
  lab.sh('r1', 'ip route add 10.200.3.0/24 via 10.200.1.253');
  return lab;
}

describe('ping resolves names through the node\'s /etc/hosts', () => {
  /** The chain with a's /etc/hosts naming b twice and r once. */
  function namedChain(): NodeLab {
    const lab = chain(programs);
    for (const line of ['10.200.2.2 bee.example bee', '10.200.2.2 other', '10.200.1.254 gw']) lab.sh('a', `echo '${line}' >> /etc/hosts`);
    return lab;
  }

  it('names the host by its canonical name and answers by the name of their address (iputils 20221126)', () => {
    // Real (host-names-vs-linux.test.ts): `ping -c 1 other` is `PING other (…)`, its replies come from
    // `bee.example (…)`, the first line with the address; -n prints the address alone.
    const r = onA('ping -c 1 other', 60 * SECOND, namedChain());
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['PING other (10.200.2.2) 56(84) bytes of data.', '64 bytes from bee.example (10.200.2.2): icmp_seq=1 ttl=63 time=8.00 ms']);
    expect(r.stdout).toContain('--- other ping statistics ---');
    const upper = onA('ping -c 1 -t 1 BEE.example', 60 * SECOND, namedChain());
    expect(upper.stdout.split('\n').slice(0, 2)).toEqual(['PING bee.example (10.200.2.2) 56(84) bytes of data.', 'From gw (10.200.1.254) icmp_seq=1 Time to live exceeded']);
    expect(onA('ping -n -c 1 bee', 60 * SECOND, namedChain()).stdout.split('\n')[1]).toBe('64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=8.00 ms');
    // Typed as an address, the host is printed numeric even though /etc/hosts names it.
    expect(onA('ping -c 1 10.200.2.2', 60 * SECOND, namedChain()).stdout.split('\n')[1]).toBe('64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=8.00 ms');
  });

  it('an unknown name is status 2; a name of the other family with -4 is "Address family for hostname not supported"', () => {
    const lab = namedChain();
    lab.sh('a', "echo 'fd00::2 six' >> /etc/hosts");
    const unknown = onA('ping -c 1 nosuch', 60 * SECOND, lab);
    expect([unknown.stderr, unknown.status]).toEqual(['ping: nosuch: Name or service not known\n', 2]);
    const six = onA('ping -c 1 -4 six', 60 * SECOND, lab);
    expect([six.stderr, six.status]).toEqual(['ping: six: Address family for hostname not supported\n', 2]);
  });
});

describe('ping replies and summary', () => {
  it('prints reply lines and the rtt summary with iputils integer mdev', () => {
    // Real: `ping -c 3 -i 0.2 10.200.2.2` (time 405ms on the wall clock).
    const r = onA('ping -c 3 -i 0.2 10.200.2.2');
    expect(r.stdout).toBe(
      [
        'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.',
        '64 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=8.00 ms',
        '64 bytes from 10.200.2.2: icmp_seq=2 ttl=63 time=4.00 ms',
        '64 bytes from 10.200.2.2: icmp_seq=3 ttl=63 time=4.00 ms',
        '',
        '--- 10.200.2.2 ping statistics ---',
        '3 packets transmitted, 3 received, 0% packet loss, time 400ms',
        'rtt min/avg/max/mdev = 4.000/5.333/8.000/1.885 ms',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Exits as soon as the last reply is in.
    expect(r.endedAt).toBe(400 * MS + 4 * MS);
  });

  it('quiet mode keeps the header and the summary', () => {
    const r = onA('ping -c 2 -i 0.2 -q 10.200.2.2');
    expect(r.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\n\n--- 10.200.2.2 ping statistics ---\n' +
        '2 packets transmitted, 2 received, 0% packet loss, time 200ms\nrtt min/avg/max/mdev = 4.000/6.000/8.000/2.000 ms\n',
    );
  });

  it('shows no time below 16 data bytes, and ICMP length in reply lines', () => {
    const small = onA('ping -c 2 -s 8 10.200.2.2');
    expect(small.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) 8(36) bytes of data.\n16 bytes from 10.200.2.2: icmp_seq=1 ttl=63\n' +
        '16 bytes from 10.200.2.2: icmp_seq=2 ttl=63\n\n--- 10.200.2.2 ping statistics ---\n' +
        '2 packets transmitted, 2 received, 0% packet loss, time 1000ms\n\n',
    );
    const big = onA('ping -c 1 -s 100 10.200.2.2');
    expect(big.stdout.split('\n').slice(0, 2)).toEqual(['PING 10.200.2.2 (10.200.2.2) 100(128) bytes of data.', '108 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=8.00 ms']);
  });

  it('names the source in the header with -I device or -I address', () => {
    const dev = onA('ping -c 1 -I vA 10.200.2.2');
    expect(dev.stdout.split('\n')[0]).toBe('PING 10.200.2.2 (10.200.2.2) from 10.200.1.1 vA: 56(84) bytes of data.');
    const addr = onA('ping -c 2 -i 0.3 -I 10.200.1.1 -s 1000 10.200.2.2');
    expect(addr.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) from 10.200.1.1 : 1000(1028) bytes of data.\n' +
        '1008 bytes from 10.200.2.2: icmp_seq=1 ttl=63 time=8.00 ms\n' +
        '1008 bytes from 10.200.2.2: icmp_seq=2 ttl=63 time=4.00 ms\n\n' +
        '--- 10.200.2.2 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 300ms\n' +
        'rtt min/avg/max/mdev = 4.000/6.000/8.000/2.000 ms\n',
    );
  });

  it('-I with a device binds the socket to it: a destination routed elsewhere is not reached through it, and ping warns', () => {
    // Real (iputils 20221126, a namespace with vA and a default route): bound to lo, the source is
    // still vA's, ping warns, and the echo goes nowhere.
    const r = onA('ping -c 1 -W 1 -I lo 10.200.2.2');
    expect(r.stderr).toBe('ping: Warning: source address might be selected on device other than: lo\n');
    expect(r.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) from 10.200.1.1 lo: 56(84) bytes of data.\n\n--- 10.200.2.2 ping statistics ---\n' +
        '1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n',
    );
    expect(r.status).toBe(1);
    expect(onA('ping -c 1 -I vA 10.200.2.2').stderr).toBe('');
  });

  it('shows the typed name for a resolved target', () => {
    // The node resolves its own name to its first address (as /etc/hosts would).
    const r = onA('ping -c 1 a');
    expect(r.stdout).toBe(
      'PING a (10.200.1.1) 56(84) bytes of data.\n64 bytes from a (10.200.1.1): icmp_seq=1 ttl=64 time=0.000 ms\n\n' +
        '--- a ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n' +
        'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n',
    );
    const numeric = onA('ping -n -c 1 a');
    expect(numeric.stdout.split('\n')[1]).toBe('64 bytes from 10.200.1.1: icmp_seq=1 ttl=64 time=0.000 ms');
  });

  it('marks duplicate replies: two hosts answer a broadcast echo', () => {
    const lab = new NodeLab(programs);
    for (const name of ['a', 'b1', 'b2']) lab.addNode(name);
    lab.link('a:vA', 'b1:eth0', 'b2:eth0');
    lab.sh('a', 'ip addr add 10.200.1.1/24 dev vA');
    lab.sh('b1', 'ip addr add 10.200.1.2/24 dev eth0');
    lab.sh('b2', 'ip addr add 10.200.1.3/24 dev eth0');
    for (const name of ['b1', 'b2']) lab.sh(name, 'sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0');
    const r = onA('ping -b -w 1 10.200.1.255', 60 * SECOND, lab);
    expect(r.stderr).toBe('WARNING: pinging broadcast address\n');
    expect(r.stdout).toMatch(
      /^PING 10\.200\.1\.255 \(10\.200\.1\.255\) 56\(84\) bytes of data\.\n64 bytes from 10\.200\.1\.(2|3): icmp_seq=1 ttl=64 time=\d\.\d\d ms\n64 bytes from 10\.200\.1\.(2|3): icmp_seq=1 ttl=64 time=\d\.\d\d ms \(DUP!\)\n/,
    );
    expect(r.stdout).toContain('1 packets transmitted, 1 received, +1 duplicates, 0% packet loss, time 0ms');
  });
});

describe('ping -D and -O', () => {
  it('prefixes lines with the virtual time and reports unanswered probes', () => {
    // Real: `ping -c 3 -i 0.3 -O 10.200.1.77` (no ARP answer; the host's own unreachables after 3 s).
    const r = onA('ping -c 3 -i 0.3 -O 10.200.1.77');
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
    expect(r.endedAt).toBe(3 * SECOND);
    const d = onA('ping -c 2 -i 0.3 -D -t 1 10.200.2.2');
    expect(d.stdout.split('\n').slice(1, 3)).toEqual([
      '[0.004000] From 10.200.1.254 icmp_seq=1 Time to live exceeded',
      '[0.302000] From 10.200.1.254 icmp_seq=2 Time to live exceeded',
    ]);
  });
});

describe('ping errors from the network', () => {
  it('counts ICMP errors and reports the pipe', () => {
    // Real: `ping -c 3 -i 0.5 10.200.2.99` (the router's ARP for .99 fails after 3 s).
    const r = onA('ping -c 3 -i 0.5 10.200.2.99');
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

  it('prints a redirect before the reply, from the raw socket: not an error; once a has its new next hop, no more', () => {
    // Real (test/kernel/multinode/cases/ping-icmp: h1 pinging through r1 that redirects to r2 on the
    // same LAN): `From 10.0.0.2: icmp_seq=1 Redirect Host(New nexthop: 10.0.0.3)` then the reply, the
    // same for icmp_seq=2 (the first redirect only starts ARP for the new next hop: __ip_do_redirect
    // changes the route once its neighbour is valid); no `+N errors`.
    const r = onA('ping -c 3 -i 0.2 10.200.3.2', 60 * SECOND, redirectingLan());
    expect(r.stdout).toBe(
      [
        'PING 10.200.3.2 (10.200.3.2) 56(84) bytes of data.',
        'From 10.200.1.254: icmp_seq=1 Redirect Host(New nexthop: 10.200.1.253)',
        '64 bytes from 10.200.3.2: icmp_seq=1 ttl=63 time=11.0 ms',
        'From 10.200.1.254: icmp_seq=2 Redirect Host(New nexthop: 10.200.1.253)',
        '64 bytes from 10.200.3.2: icmp_seq=2 ttl=63 time=5.00 ms',
        '64 bytes from 10.200.3.2: icmp_seq=3 ttl=63 time=4.00 ms',
        '',
        '--- 10.200.3.2 ping statistics ---',
        '3 packets transmitted, 3 received, 0% packet loss, time 400ms',
        'rtt min/avg/max/mdev = 4.000/6.666/11.000/3.091 ms', // iputils divides in whole microseconds
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    const quiet = onA('ping -q -c 2 -i 0.2 10.200.3.2', 60 * SECOND, redirectingLan());
    expect(quiet.stdout).not.toContain('Redirect');
  });

  it('-v: the sockets line on stderr, the getaddrinfo line, ident= on replies (iputils 20221126)', () => {
    // Real (`ping -v -c 2 -i 0.2 10.0.0.2` as root in a namespace): stderr is the error() line and an
    // empty one; -4 and -6 open one socket.
    const r = onA('ping -v -c 2 -i 0.2 10.200.2.2');
    expect(r.stderr).toBe('ping: sock4.fd: 3 (socktype: SOCK_RAW), sock6.fd: 4 (socktype: SOCK_RAW), hints.ai_family: AF_UNSPEC\n\n');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe("ai->ai_family: AF_INET, ai->ai_canonname: '10.200.2.2'");
    expect(lines[1]).toBe('PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.');
    expect(lines[2]).toMatch(/^64 bytes from 10\.200\.2\.2: icmp_seq=1 ident=\d+ ttl=63 time=8\.00 ms$/);
    const four = onA('ping -4 -v -c 1 10.200.2.2');
    expect(four.stderr).toBe('ping: sock4.fd: 3 (socktype: SOCK_RAW), sock6.fd: -1 (socktype: 0), hints.ai_family: AF_INET\n\n');
    // Real: `ping -v -6 10.0.0.1`: getaddrinfo's answer is printed before the refusal.
    const six = onA('ping -v -6 10.200.2.2');
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
    const r = onA('ping -v -c 1 -W 1 10.200.3.2', 60 * SECOND, redirectingLan());
    // r1 quotes the echo request as it forwarded it: TTL 63 (3f), protocol 1, a to b.
    expect(r.stdout).toMatch(
      /From 10\.200\.1\.254: icmp_seq=1 Redirect Host\(New nexthop: 10\.200\.1\.253\)\nVr HL TOS {2}Len {3}ID Flg {2}off TTL Pro {2}cks {6}Src {6}Dst Data\n 4 {2}5 {2}00 5400 [0-9a-f]{4} {3}0 0040 {2}3f {2}01 [0-9a-f]{4} 10\.200\.1\.1 {2}10\.200\.3\.2 \n/,
    );
  });

  it('prints a source quench quoting a probe (not counted) and a parameter problem with its pointer (an error)', () => {
    // Real (iputils 20221126, Linux 6.18 in namespaces; the peer's raw socket answered the echo
    // request with a source quench, then a parameter problem with pointer 9):
    //   From 10.200.1.254: icmp_seq=1 Source Quench
    //   From 10.200.1.254 icmp_seq=1 Parameter problem: pointer = 9
    // Linux routers send neither, so r's are frames on the wire, quoting a's echo request. The stack
    // hands the source quench to the ping socket as icmp_unreach does (ping_err's EREMOTEIO).
    const lab = chain(programs);
    lab.sh('b', 'sysctl -qw net.ipv4.icmp_echo_ignore_all=1');
    const run = lab.exec('a', 'ping -c 1 10.200.2.2');
    lab.run(10 * MS);
    answerLastProbe(lab, 'a', 'vA', '10.200.1.254', (datagram) => ({ kind: 'other', type: 4, code: 0, restOfHeader: 0, data: datagram }));
    lab.run(10 * MS);
    answerLastProbe(lab, 'a', 'vA', '10.200.1.254', (datagram) => ({ kind: 'parameterProblem', code: 0, pointer: 9, datagram }));
    lab.runUntil(lab.now + 60 * SECOND, () => run.status !== null);
    expect(run.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\n' +
        'From 10.200.1.254: icmp_seq=1 Source Quench\n' +
        'From 10.200.1.254 icmp_seq=1 Parameter problem: pointer = 9\n\n--- 10.200.2.2 ping statistics ---\n' +
        '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n',
    );
    expect(run.status).toBe(1);
  });

  it('reports time exceeded', () => {
    // Real: `ping -c 2 -i 0.2 -t 1 10.200.2.2`.
    const r = onA('ping -c 2 -i 0.2 -t 1 10.200.2.2');
    expect(r.stdout).toBe(
      'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\nFrom 10.200.1.254 icmp_seq=1 Time to live exceeded\n' +
        'From 10.200.1.254 icmp_seq=2 Time to live exceeded\n\n--- 10.200.2.2 ping statistics ---\n' +
        '2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 200ms\n\n',
    );
    expect(r.status).toBe(1);
  });

  it('waits -W for an unanswered probe, then exits 1', () => {
    // Real: `ping -c 1 -W 1 10.200.1.77` (a's ARP gives up only after 3 s).
    const r = onA('ping -c 1 -W 1 10.200.1.77');
    expect(r.stdout).toBe(
      'PING 10.200.1.77 (10.200.1.77) 56(84) bytes of data.\n\n--- 10.200.1.77 ping statistics ---\n' +
        '1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n',
    );
    expect(r.status).toBe(1);
    expect(r.endedAt).toBe(1 * SECOND);
  });

  it('waits 10 s by default without replies (b ignores echo requests)', () => {
    const lab = chain(programs);
    lab.sh('b', 'sysctl -qw net.ipv4.icmp_echo_ignore_all=1');
    const r = onA('ping -c 2 10.200.2.2', 60 * SECOND, lab);
    expect(r.endedAt).toBe(11 * SECOND);
    expect(r.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss, time 1000ms');
  });

  it('prints the partial loss with %g (b ignores the second echo request)', () => {
    const lab = chain(programs);
    const run = lab.exec('a', 'ping -c 3 10.200.2.2');
    lab.run(500 * MS);
    lab.sh('b', 'sysctl -qw net.ipv4.icmp_echo_ignore_all=1');
    lab.run(1 * SECOND);
    lab.sh('b', 'sysctl -qw net.ipv4.icmp_echo_ignore_all=0');
    lab.runUntil(lab.now + 60 * SECOND, () => run.status !== null);
    expect(run.stdout).toContain('3 packets transmitted, 2 received, 33.3333% packet loss, time 2000ms');
    expect(run.stdout).toContain('rtt min/avg/max/mdev = 4.000/6.000/8.000/2.000 ms');
    expect(run.status).toBe(0);
    expect(lab.now).toBe(3 * SECOND); // max(2 × max rtt, interval) after the last probe
  });

  it('a probe the route lookup refuses counts as sent and lost, silently (iputils: the error queue is empty)', () => {
    // Real (iputils 20221126 in a namespace): a `prohibit` route added while ping runs; probes 1–2
    // answered, probe 3 refused with EACCES, nothing printed for it, exit 0.
    const lab = chain(programs);
    const run = lab.exec('a', 'ping -c 3 -i 1 -W 1 10.200.1.254');
    lab.run(1500 * MS);
    lab.sh('a', 'ip route add prohibit 10.200.1.254');
    lab.runUntil(lab.now + 60 * SECOND, () => run.status !== null);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      'PING 10.200.1.254 (10.200.1.254) 56(84) bytes of data.\n64 bytes from 10.200.1.254: icmp_seq=1 ttl=64 time=4.00 ms\n' +
        '64 bytes from 10.200.1.254: icmp_seq=2 ttl=64 time=2.00 ms\n\n--- 10.200.1.254 ping statistics ---\n' +
        '3 packets transmitted, 2 received, 33.3333% packet loss, time 2000ms\nrtt min/avg/max/mdev = 2.000/3.000/4.000/1.000 ms\n',
    );
    expect(run.status).toBe(0);
    // A flood prints neither its dot nor an E for it (real: `.\b \b.\b \b` for 3 probes, the third refused).
    const flood = chain(programs);
    const floodRun = flood.exec('a', 'ping -f -c 3 -i 1 10.200.1.254');
    flood.run(1500 * MS);
    flood.sh('a', 'ip route add unreachable 10.200.1.254');
    flood.runUntil(flood.now + 60 * SECOND, () => floodRun.status !== null);
    expect(floodRun.stdout.split('\n')[1]).toBe('.\b \b.\b \b');
  });
});

describe('ping deadline and interrupt', () => {
  it('-w stops at the deadline', () => {
    // Real: `ping -w 2 10.200.2.2` → 2 transmitted, 2 received (time 1003ms on the wall clock).
    const r = onA('ping -w 2 10.200.2.2');
    expect(r.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss, time 1000ms');
    expect(r.status).toBe(0);
    expect(r.endedAt).toBe(2 * SECOND);
  });

  it('-w with -c exits 1 when fewer replies than -c came', () => {
    const r = onA('ping -w 2 -c 5 10.200.1.77');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss, time 1000ms');
  });

  it('-w ends at the first ICMP error', () => {
    const r = onA('ping -w 10 -t 1 10.200.2.2');
    expect(r.stdout).toContain('1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms');
    expect(r.endedAt).toBe(4 * MS);
    expect(r.status).toBe(1);
  });

  it('Ctrl-C prints the summary', () => {
    // Real: `timeout -s INT 2.5 ping 10.200.2.2`.
    const lab = chain(programs);
    const run = lab.exec('a', 'ping 10.200.2.2');
    lab.run(2500 * MS);
    run.interrupt();
    expect(run.stdout).toBe(
      [
        'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.',
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

  it('Ctrl-C without replies exits 1', () => {
    const lab = chain(programs);
    const run = lab.exec('a', 'ping 10.200.1.77');
    lab.run(1500 * MS);
    run.interrupt();
    expect(run.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss, time 1000ms');
    expect(run.status).toBe(1);
  });
});

describe('ping option and setup errors (texts from iputils 20221126)', () => {
  const cases: [string, string, number][] = [
    ['-c x 10.200.2.2', "ping: invalid argument: 'x'\n", 1],
    ['-c 0 10.200.2.2', "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n", 1],
    ['-c -1 10.200.2.2', "ping: invalid argument: '-1': out of range: 1 <= value <= 9223372036854775807\n", 1],
    ['-t 256 -c 1 10.200.2.2', "ping: invalid argument: '256': out of range: 0 <= value <= 255\n", 1],
    ['-t 0 -c 1 10.200.2.2', 'ping: cannot set unicast time-to-live: Invalid argument\n', 2],
    ['-w x 10.200.2.2', "ping: invalid argument: 'x'\n", 1],
    ['', 'ping: usage error: Destination address required\n', 1],
    ['-c 1 -6 10.200.2.2', 'ping: 10.200.2.2: Address family for hostname not supported\n', 2],
    ['-c 1 -4 -6 10.200.2.2', 'ping: only one -4 or -6 option may be specified\n', 2],
    ['-c 1 10.200.2.2 10.200.2.3', 'ping: record route: Operation not permitted\n', 2],
    ['-I nosuchdev -c 1 10.200.2.2', 'ping: SO_BINDTODEVICE nosuchdev: No such device\n', 2],
    ['-I 10.9.9.9 -c 1 10.200.2.2', 'ping: bind: Cannot assign requested address\n', 2],
    // a's main table throws 10.99/16 back to the (empty) default table: no route (Linux: the same).
    ['-c 2 10.99.0.1', 'ping: connect: Network is unreachable\n', 2],
    ['-c 1 nosuchhost', 'ping: nosuchhost: Name or service not known\n', 2],
    // IPv6 without a route to it (a has only its link-local address): Linux 6.18 says the same.
    ['-c 1 2001:db8::1', 'ping: connect: Network is unreachable\n', 2],
  ];
  for (const [args, stderr, status] of cases) {
    it(`ping ${args}`, () => {
      const lab = chain(programs);
      lab.sh('a', 'ip route add throw 10.99.0.0/16');
      const r = onA(`ping ${args}`.trim(), 60 * SECOND, lab);
      expect(r.stderr).toBe(stderr);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(status);
    });
  }

  it('prints getopt errors with the usage text', () => {
    const missing = onA('ping -c');
    expect(missing.stderr.split('\n').slice(0, 4)).toEqual(["ping: option requires an argument -- 'c'", '', 'Usage', '  ping [options] <destination>']);
    expect(missing.stderr.endsWith('For more details see ping(8).\n')).toBe(true);
    expect(missing.status).toBe(2);
    const unknown = onA('ping -Z 10.200.2.2');
    expect(unknown.stderr.split('\n')[0]).toBe("ping: invalid option -- 'Z'");
    expect(unknown.status).toBe(2);
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
    // `, ipg/ewma 0.008/0.004 ms`. Here the replies take 8, 4, 4, 4, 4 ms: probes at 0, 8, 12, 16, 20 ms.
    const r = onA('ping -f -c 5 10.200.2.2');
    expect(r.stdout).toBe(
      `PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\n${`.${BS}`.repeat(5)}\n--- 10.200.2.2 ping statistics ---\n` +
        '5 packets transmitted, 5 received, 0% packet loss, time 20ms\n' +
        'rtt min/avg/max/mdev = 4.000/4.800/8.000/1.600 ms, ipg/ewma 5.000/6.344 ms\n',
    );
    expect(r.status).toBe(0);
    expect(r.endedAt).toBe(24 * MS);
  });

  it('flood without answers sends every 10 ms; each ICMP error is backspace-E; pipe counts the unanswered', () => {
    // Real: `ping -f -c 3 10.0.0.99` (on-link, no ARP answer): `...\bE\bE\bE`, pipe 3.
    const r = onA('ping -f -c 3 10.200.2.99');
    expect(r.stdout).toBe(
      'PING 10.200.2.99 (10.200.2.99) 56(84) bytes of data.\n...\bE\bE\bE\n--- 10.200.2.99 ping statistics ---\n' +
        '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 20ms\npipe 3\n',
    );
    expect(r.status).toBe(1);
    // Without -c, a flood nobody answers goes on at 100 probes a second.
    const lab = chain(programs);
    const endless = lab.exec('a', 'ping -f 10.200.1.50');
    lab.run(1005 * MS);
    endless.interrupt();
    expect(endless.stdout).toContain(`\n${'.'.repeat(101)}\n--- 10.200.1.50 ping statistics ---\n101 packets transmitted, 0 received, 100% packet loss, time 1000ms\n`);
  });

  it('flood with -q prints no dots; with -l N it keeps N probes in flight', () => {
    const quiet = onA('ping -f -q -c 3 10.200.2.2');
    expect(quiet.stdout.split('\n').slice(0, 3)).toEqual(['PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.', '', '--- 10.200.2.2 ping statistics ---']);
    expect(quiet.stdout).toContain(', ipg/ewma ');
    // Real: `ping -f -c 2 -l 4`: `..\b \b\b \b`, pipe 2.
    const preloaded = onA('ping -f -c 2 -l 4 10.200.2.2');
    expect(preloaded.stdout).toContain(`\n..${BS}${BS}\n`);
    expect(preloaded.stdout).toMatch(/ ms, pipe 2, ipg\/ewma 0\.000\/\d+\.\d{3} ms\n$/);
  });

  it('-l N sends N probes at once, then one per interval', () => {
    // Real: `ping -l 3 -i 0.2 -c 6 -q` → time 603ms on the wall clock (600 here), pipe 3. The three
    // preloaded probes all wait for the neighbours (8 ms); the later ones take 4 ms.
    const r = onA('ping -l 3 -i 0.2 -c 6 10.200.2.2');
    expect(r.stdout).toBe(
      [
        'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.',
        ...[1, 2, 3].map((n) => `64 bytes from 10.200.2.2: icmp_seq=${n} ttl=63 time=8.00 ms`),
        ...[4, 5, 6].map((n) => `64 bytes from 10.200.2.2: icmp_seq=${n} ttl=63 time=4.00 ms`),
        '',
        '--- 10.200.2.2 ping statistics ---',
        '6 packets transmitted, 6 received, 0% packet loss, time 600ms',
        'rtt min/avg/max/mdev = 4.000/6.000/8.000/2.000 ms, pipe 3',
        '',
      ].join('\n'),
    );
  });

  it("a flood of the node's own address: every reply counted, one probe per turn of the loop, -w ends it", () => {
    // Real (iputils 20221126 in a namespace, `ping -f -c 5 127.0.0.1`): `.\b \b` five times, then
    // `5 packets transmitted, 5 received, 0% packet loss, time 0ms` and ipg/ewma 0.037/0.025 ms.
    // The replies here take no virtual time: the exit timer max(2 × 0, 0) is not armed (setitimer
    // with a zero value disarms), so the fifth reply still counts; each turn of the loop takes 20 µs.
    const counted = onA('ping -f -c 5 127.0.0.1');
    expect(counted.stdout).toBe(
      `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n${`.${BS}`.repeat(5)}\n--- 127.0.0.1 ping statistics ---\n` +
        '5 packets transmitted, 5 received, 0% packet loss, time 0ms\n' +
        'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms, ipg/ewma 0.020/0.000 ms\n',
    );
    expect(counted.endedAt).toBe(80_000); // ns: probes at 0, 20, 40, 60 and 80 µs
    // Real: `ping -f -w 1 127.0.0.1` → `51955 packets transmitted, 51955 received, 0% packet loss, time 1000ms`.
    const deadline = onA('ping -f -q -w 1 10.200.1.1', 2 * SECOND);
    expect(deadline.stdout).toContain('\n50000 packets transmitted, 50000 received, 0% packet loss, time 1000ms\n');
    expect(deadline).toMatchObject({ status: 0, endedAt: SECOND });
    // -i 0 is the same loop without the dots.
    expect(onA('ping -i 0 -c 3 127.0.0.1').stdout).toContain('3 packets transmitted, 3 received, 0% packet loss, time 0ms\n');
  });

  it('-i 0 (or below 1 ms) paces like a flood and adds ipg/ewma to the summary', () => {
    const r = onA('ping -i 0.0005 -c 3 10.200.2.2');
    expect(r.stdout).toContain('64 bytes from 10.200.2.2: icmp_seq=3 ttl=63 time=4.00 ms\n');
    expect(r.stdout).toContain('3 packets transmitted, 3 received, 0% packet loss, time 12ms\nrtt min/avg/max/mdev = 4.000/5.333/8.000/1.885 ms, ipg/ewma 6.000/');
  });

  it("-l's errors and warnings as iputils prints them", () => {
    expect(onA('ping -l 0 10.200.2.2')).toMatchObject({ stderr: "ping: invalid argument: '0': out of range: 1 <= value <= 65536\n", status: 1 });
    expect(onA('ping -l 65537 10.200.2.2').stderr).toBe("ping: invalid argument: '65537': out of range: 1 <= value <= 65536\n");
    expect(onA('ping -l x 10.200.2.2').stderr).toBe("ping: invalid argument: 'x'\n");
    // Real: the warning, the header, then the refusal of 100000 s × 30000 (status 2).
    expect(onA('ping -i 100000 -l 30000 -c 1 10.200.2.2')).toMatchObject({
      stdout: 'PING 10.200.2.2 (10.200.2.2) 56(84) bytes of data.\n',
      stderr: 'ping: WARNING: probably, rcvbuf is not enough to hold preload\nping: illegal preload and/or interval: 100000000\n',
      status: 2,
    });
    expect(onA('ping -l 1000 -c 1 -q 10.200.2.2').stderr).toBe('');
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
