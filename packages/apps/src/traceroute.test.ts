/**
 * traceroute on real nodes (testing/node-lab.ts). Expected texts come from the real tool:
 * traceroute 2.1.2 (Debian 12) in network namespaces nlA (vA 10.200.1.1/24) — nlR (10.200.1.254 /
 * 10.200.2.254) — nlB (10.200.2.2/24), the network `chain()` builds; the times are the lab's (1 ms a
 * link each way: 2 ms to r and 4 ms to b once the neighbours are resolved, 4 and 8 ms before).
 * What the probes look like on the wire is read from the frames a sent.
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { icmpAnnotation } from './traceroute.js';
import { MS, NodeLab, SECOND, answerLastProbe, chain, sentProbes, twoRouterLan } from './testing/node-lab.js';

function onA(line: string, lab = chain(programs)) {
  const since = lab.now;
  const run = lab.exec('a', line, 120 * SECOND);
  return { ...run, endedAt: lab.now - since, probes: sentProbes(lab, 'a', 'vA', since).map((p) => ({ ...p, at: p.at - since })), lab };
}

/** The chain with a's and r's neighbours resolved, so every hop's time is the plain 2 ms a link each way. */
function resolvedChain(): NodeLab {
  const lab = chain(programs);
  lab.exec('a', 'ping -c 1 10.200.2.2', 5 * SECOND);
  lab.run(1 * SECOND);
  return lab;
}

/**
 * twoRouterLan, where r1 has a blackhole route to a: it forwards a's packets to b but never answers
 * a, not even with time exceeded, while b's answers come back through r2. The first hop is silent.
 */
function silentFirstHop(): NodeLab {
  const lab = twoRouterLan(programs);
  lab.sh('r1', 'ip route add blackhole 10.200.1.1/32');
  return lab;
}

describe('traceroute output', () => {
  it('prints one line per hop, numeric with -n', () => {
    const r = onA('traceroute -n 10.200.2.2', resolvedChain());
    expect(r.stdout).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n' +
        ' 1  10.200.1.254  2.000 ms  2.000 ms  2.000 ms\n' +
        ' 2  10.200.2.2  4.000 ms  4.000 ms  4.000 ms\n',
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('sends 16 probes at once on ports 33434 upwards, TTL 1, 1, 1, 2, …; 32 data bytes (60-byte packets)', () => {
    const r = onA('traceroute -n 10.200.2.2', resolvedChain());
    const first = r.probes.slice(0, 16);
    expect(first.map((p) => p.udpPort)).toEqual(Array.from({ length: 16 }, (_, i) => 33434 + i));
    expect(first.map((p) => p.ttl)).toEqual(Array.from({ length: 16 }, (_, i) => Math.floor(i / 3) + 1));
    expect(first.every((p) => p.at === 0 && p.ipLength === 60)).toBe(true);
  });

  it('waits for the neighbours like any sender: the first probes take 4 and 8 ms', () => {
    const r = onA('traceroute -n 10.200.2.2');
    expect(r.stdout).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n' +
        ' 1  10.200.1.254  4.000 ms  4.000 ms  4.000 ms\n' +
        ' 2  10.200.2.2  8.000 ms  8.000 ms  8.000 ms\n',
    );
  });

  it('shows address (address) without -n and the typed name for the destination', () => {
    const r = onA('traceroute 10.200.2.2', resolvedChain());
    expect(r.stdout).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n' +
        ' 1  10.200.1.254 (10.200.1.254)  2.000 ms  2.000 ms  2.000 ms\n' +
        ' 2  10.200.2.2 (10.200.2.2)  4.000 ms  4.000 ms  4.000 ms\n',
    );
    // The node resolves its own name (as /etc/hosts would).
    expect(onA('traceroute a').stdout).toBe('traceroute to a (10.200.1.1), 30 hops max, 60 byte packets\n 1  a (10.200.1.1)  0.000 ms  0.000 ms  0.000 ms\n');
  });

  it('resolves the host over /etc/hosts and prints each hop with the name of its address', () => {
    // Real (host-names-vs-linux.test.ts): the header keeps the name typed; a hop without a line is `addr (addr)`.
    const lab = resolvedChain();
    for (const line of ['10.200.2.2 bee.example bee', '10.200.2.2 other']) lab.sh('a', `echo '${line}' >> /etc/hosts`);
    expect(onA('traceroute -q 1 other', lab).stdout).toBe(
      'traceroute to other (10.200.2.2), 30 hops max, 60 byte packets\n 1  10.200.1.254 (10.200.1.254)  2.000 ms\n 2  bee.example (10.200.2.2)  4.000 ms\n',
    );
    // With a hosts file, a node's own name is only what the file says (a has no line).
    expect(onA('traceroute a', lab).stderr).toBe('a: Name or service not known\nCannot handle "host" cmdline arg `a\' on position 1 (argc 1)\n');
  });

  it('uses ICMP echo with -I: sequence numbers from 1, TTL 1 for the first three', () => {
    const r = onA('traceroute -I -n 10.200.2.2', resolvedChain());
    expect(r.stdout).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n' +
        ' 1  10.200.1.254  2.000 ms  2.000 ms  2.000 ms\n' +
        ' 2  10.200.2.2  4.000 ms  4.000 ms  4.000 ms\n',
    );
    expect(r.probes.slice(0, 4).map((p) => [p.echoSequence, p.ttl, p.ipLength])).toEqual([
      [1, 1, 60],
      [2, 1, 60],
      [3, 1, 60],
      [4, 2, 60],
    ]);
  });

  it('prints * for unanswered probes and stops at -m', () => {
    // Real: `traceroute -n -q 1 -m 3 -w 1 10.200.2.99` (r's ARP for .99 gives up only after 3 s).
    const r = onA('traceroute -n -q 1 -m 3 -w 1 10.200.2.99', resolvedChain());
    expect(r.stdout).toBe('traceroute to 10.200.2.99 (10.200.2.99), 3 hops max, 60 byte packets\n 1  10.200.1.254  2.000 ms\n 2  *\n 3  *\n');
    expect(r.endedAt).toBe(1 * SECOND);
  });

  it('annotates a host unreachable answer with !H and ends there', () => {
    // r answers for .99 once its ARP gave up, 3 s after the probe came.
    const r = onA('traceroute -n -q 1 10.200.2.99', resolvedChain());
    expect(r.stdout).toBe('traceroute to 10.200.2.99 (10.200.2.99), 30 hops max, 60 byte packets\n 1  10.200.1.254  2.000 ms\n 2  10.200.1.254  3002.000 ms !H\n');
  });

  it.each(['', '-I '])('ignores a source quench quoting a probe (%sprobes): the probe stays unanswered', (method) => {
    // Real (traceroute 2.1.2, Linux 6.18 in namespaces; the peer's raw socket answered each probe
    // with a source quench and its kernel answered nothing else): ` 1  *` for UDP and -I alike.
    // udp_err and raw_err queue no error for a source quench. Here the probe with TTL 2 passes r,
    // whose ARP for .99 gives up only after 3 s: nothing else answers it within -w 1.
    const lab = resolvedChain();
    const run = lab.exec('a', `traceroute ${method}-n -q 1 -f 2 -m 2 -w 1 10.200.2.99`);
    lab.run(10 * MS);
    answerLastProbe(lab, 'a', 'vA', '10.200.1.254', (datagram) => ({ kind: 'other', type: 4, code: 0, restOfHeader: 0, data: datagram }));
    lab.runUntil(lab.now + 60 * SECOND, () => run.status !== null);
    expect(run.stdout).toBe('traceroute to 10.200.2.99 (10.200.2.99), 2 hops max, 60 byte packets\n 2  *\n');
  });

  it('gives up on a silent hop after NEAR × a later RTT instead of 5 s', () => {
    const lab = silentFirstHop();
    lab.exec('a', 'ping -c 1 10.200.2.2', 5 * SECOND); // the neighbours on the way and back
    lab.run(1 * SECOND);
    const r = onA('traceroute -n 10.200.2.2', lab);
    expect(r.stdout).toBe('traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n 1  * * *\n 2  10.200.2.2  4.000 ms  4.000 ms  4.000 ms\n');
    // (4 ms + 1 ms precision) × NEAR 10 = 50 ms after the probes left.
    expect(r.endedAt).toBe(50 * MS);
  });

  it('starts at -f, counts ports from -p, and sizes packets from packetlen', () => {
    const r = onA('traceroute -n -f 2 -p 40000 10.200.2.2 100', resolvedChain());
    expect(r.stdout.split('\n')).toEqual(['traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 100 byte packets', ' 2  10.200.2.2  4.000 ms  4.000 ms  4.000 ms', '']);
    expect(r.probes[0]).toMatchObject({ udpPort: 40000, ttl: 2, ipLength: 100 });
    const small = onA('traceroute -n 10.200.2.2 10', resolvedChain());
    expect(small.stdout.split('\n')[0]).toBe('traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 28 byte packets');
    expect(small.probes[0]?.ipLength).toBe(28);
  });

  it('keeps one probe in flight with -N 1', () => {
    const r = onA('traceroute -n -N 1 10.200.2.2', resolvedChain());
    // Each probe leaves when the answer to the one before is in: 2 ms for r's, 4 ms for b's.
    expect(r.probes.map((p) => p.at)).toEqual([0, 2, 4, 6, 10, 14].map((ms) => ms * MS));
    expect(r.stdout).toContain(' 2  10.200.2.2  4.000 ms  4.000 ms  4.000 ms\n');
  });

  it('spaces probes by -z (seconds, or milliseconds above 10)', () => {
    const seconds = onA('traceroute -n -q 1 -m 2 -z 0.5 10.200.2.2', resolvedChain());
    expect(seconds.probes.map((p) => p.at)).toEqual([0, 500 * MS]);
    const millis = onA('traceroute -n -q 1 -m 2 -z 20 10.200.2.2', resolvedChain());
    expect(millis.probes.map((p) => p.at)).toEqual([0, 20 * MS]);
  });

  it('accepts long options with =', () => {
    const r = onA('traceroute -n --max-hops=1 10.200.2.2', resolvedChain());
    expect(r.stdout).toBe('traceroute to 10.200.2.2 (10.200.2.2), 1 hops max, 60 byte packets\n 1  10.200.1.254  2.000 ms  2.000 ms  2.000 ms\n');
  });
});

describe('traceroute errors (texts from traceroute 2.1.2)', () => {
  const cases: [string, string, number][] = [
    ['-Z 10.200.2.2', "Bad option `-Z' (argc 1)\n", 2],
    ['-n --foo 10.200.2.2', "Bad option `--foo' (argc 2)\n", 2],
    ['-m foo 10.200.2.2', "Cannot handle `-m' option with arg `foo' (argc 2)\n", 2],
    ['-n -mx 10.200.2.2', "Cannot handle `-m' option with arg `x' (argc 2)\n", 2],
    ['-n -w x 10.200.2.2', "Cannot handle `-w' option with arg `x' (argc 3)\n", 2],
    ['-n -q x 10.200.2.2', "Cannot handle `-q' option with arg `x' (argc 3)\n", 2],
    ['-n -m', "Option `-m' (argc 2) requires an argument: `-m max_ttl'\n", 2],
    ['-nq1 10.200.2.2', "Option `-q' (argc 1) requires an argument: `-q nqueries'\n", 2],
    ['-n --max-hops 2 10.200.2.2', "Option `--max-hops' (argc 2) requires an argument: `--max-hops=max_ttl'\n", 2],
    ['-q 0 10.200.2.2', 'no more than 10 probes per hop\n', 2],
    ['-q 11 10.200.2.2', 'no more than 10 probes per hop\n', 2],
    ['-m 0 10.200.2.2', 'first hop out of range\n', 2],
    ['-n -f 0 10.200.2.2', 'first hop out of range\n', 2],
    ['-f 5 -m 3 10.200.2.2', 'first hop out of range\n', 2],
    ['-m 256 10.200.2.2', 'max hops cannot be more than 255\n', 2],
    ['-n -w -1 10.200.2.2', "bad wait specifications `-1,0,0' used\n", 2],
    ['-n 10.200.2.2 70000', 'too big packetlen 70000 specified\n', 2],
    ['-n 10.200.2.2 x', 'Cannot handle "packetlen" cmdline arg `x\' on position 2 (argc 3)\n', 2],
    ['-n 10.200.2.2 60 70', "Extra arg `70' (position 3, argc 4)\n", 2],
    ['nosuch', 'nosuch: Name or service not known\nCannot handle "host" cmdline arg `nosuch\' on position 1 (argc 1)\n', 2],
    // a's main table throws 10.99/16 back to the (empty) default table: no route.
    ['-I -n 10.99.0.1', '\nconnect: Network is unreachable\n', 1],
  ];
  for (const [args, stderr, status] of cases) {
    it(`traceroute ${args}`, () => {
      const lab = chain(programs);
      lab.sh('a', 'ip route add throw 10.99.0.0/16');
      const r = onA(`traceroute ${args}`, lab);
      expect(r.stderr).toBe(stderr);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(status);
    });
  }

  it('prints the header without a newline before a UDP setup error', () => {
    const cases: [string, string][] = [
      ['-i nosuchdev 10.200.2.2', '\nsetsockopt SO_BINDTODEVICE: No such device\n'],
      ['-s 10.9.9.9 10.200.2.2', '\nbind: Cannot assign requested address\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = onA(`traceroute ${args}`);
      expect(r.stdout).toBe('traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets');
      expect(r.stderr).toBe(stderr);
      expect(r.status).toBe(1);
    }
    const lab = chain(programs);
    lab.sh('a', 'ip route add throw 10.99.0.0/16');
    const noRoute = onA('traceroute -n 10.99.0.1', lab);
    expect(noRoute.stdout).toBe('traceroute to 10.99.0.1 (10.99.0.1), 30 hops max, 60 byte packets');
    expect(noRoute.stderr).toBe('\nconnect: Network is unreachable\n');
  });

  it('prints usage for no host and --help, version for -V, all with status 0', () => {
    const none = onA('traceroute');
    expect(none.stderr.startsWith('Usage:\n  traceroute [ -46dFITnreAUDV ]')).toBe(true);
    expect(none.status).toBe(0);
    expect(onA('traceroute --help').stderr).toBe(none.stderr);
    expect(onA('traceroute -V').stderr).toBe('Modern traceroute for Linux, version 2.1.2\nCopyright (c) 2016  Dmitry Butskoy,   License: GPL v2 or any later\n');
  });
});

describe('traceroute annotations (parse_icmp_res)', () => {
  it('maps ICMP answers to traceroute 2.1.2 annotations', () => {
    const v4 = (type: number, code: number, mtu?: number): string => {
      const a = icmpAnnotation(4, type, code, mtu);
      return `${a.text}${a.final ? '' : ' (not final)'}`;
    };
    expect([v4(11, 0), v4(3, 3), v4(3, 0), v4(3, 1), v4(3, 2), v4(3, 13), v4(3, 4, 1400), v4(3, 4), v4(3, 99), v4(12, 0)]).toEqual([
      ' (not final)', '', '!N', '!H', '!P', '!X', '!F-1400', '!F', '!<99>', '!<12-0>',
    ]);
    expect(icmpAnnotation(6, 1, 4)).toEqual({ text: '', final: true });
    expect(icmpAnnotation(6, 1, 3)).toEqual({ text: '!H', final: true });
    expect(icmpAnnotation(6, 3, 0)).toEqual({ text: '', final: false });
  });
});
