/**
 * traceroute on the fake context. Expected texts come from the real tool: traceroute 2.1.2
 * (Debian 12) in network namespaces nlA (10.200.1.1/24) — nlR (10.200.1.254 / 10.200.2.254) —
 * nlB (10.200.2.2/24); the RTTs below are the ones the real runs printed.
 */
import { describe, expect, it } from 'vitest';
import { icmpAnnotation, traceroute } from './traceroute.js';
import { MS, SECOND, runProgram, type FakeIcmpAnswer, type FakeWorld } from './testing/fake-context.js';

const RTT_US: Record<string, number[]> = { '10.200.1.254': [30, 6, 6], '10.200.2.2': [11, 7, 7] };

/** The path nlA → nlR → nlB; `silentHops` lists TTLs whose router never answers. */
function world(options: { rtts?: Record<string, number[]>; silentHops?: number[]; extra?: Partial<FakeWorld> } = {}): FakeWorld {
  const rtts = options.rtts ?? RTT_US;
  const used: Record<string, number> = {};
  const answer = (from: string, type: number, code: number, ttl = 64): FakeIcmpAnswer[] => {
    const n = used[from] ?? 0;
    used[from] = n + 1;
    const list = rtts[from] ?? [100];
    return [{ delay: (list[n % list.length] ?? 100) * 1000, from, type, code, ttl }];
  };
  const hop = (to: string, ttl: number, destinationAnswer: () => FakeIcmpAnswer[]): FakeIcmpAnswer[] => {
    if (options.silentHops?.includes(ttl)) return [];
    if (ttl === 1) return answer('10.200.1.254', 11, 0);
    if (to === '10.200.2.99') return [{ delay: 3 * SECOND, from: '10.200.1.254', type: 3, code: 1 }];
    return destinationAnswer();
  };
  return {
    interfaces: [
      { name: 'lo', index: 1, addresses: ['127.0.0.1'] },
      { name: 'vA', index: 2, addresses: ['10.200.1.1'] },
    ],
    route: (dst, ifname) => (dst.startsWith('10.99.') ? { errno: 'ENETUNREACH' } : { source: '10.200.1.1', ifname: ifname ?? 'vA' }),
    hosts: { b: '10.200.2.2' },
    udpProbe: (p) => hop(p.to, p.ttl, () => answer('10.200.2.2', 3, 3)),
    echo: (p) => hop(p.to, p.ttl, () => answer('10.200.2.2', 0, 0)),
    ...options.extra,
  };
}

describe('traceroute output', () => {
  it('prints one line per hop, numeric with -n', () => {
    const r = runProgram(traceroute, ['traceroute', '-n', '10.200.2.2'], world());
    expect(r.stdout).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n' +
        ' 1  10.200.1.254  0.030 ms  0.006 ms  0.006 ms\n' +
        ' 2  10.200.2.2  0.011 ms  0.007 ms  0.007 ms\n',
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('sends 16 probes at once on ports 33434 upwards', () => {
    const r = runProgram(traceroute, ['traceroute', '-n', '10.200.2.2'], world());
    expect(r.udpSent.slice(0, 16).map((s) => s.to.port)).toEqual(Array.from({ length: 16 }, (_, i) => 33434 + i));
    expect(r.udpSent.slice(0, 16).every((s) => s.at === 0 && s.bytes === 32)).toBe(true);
  });

  it('shows address (address) without -n and the typed name for the destination', () => {
    const r = runProgram(traceroute, ['traceroute', 'b'], world());
    expect(r.stdout).toBe(
      'traceroute to b (10.200.2.2), 30 hops max, 60 byte packets\n' +
        ' 1  10.200.1.254 (10.200.1.254)  0.030 ms  0.006 ms  0.006 ms\n' +
        ' 2  b (10.200.2.2)  0.011 ms  0.007 ms  0.007 ms\n',
    );
  });

  it('uses ICMP echo with -I', () => {
    const r = runProgram(traceroute, ['traceroute', '-I', '-n', '10.200.2.2'], world({ rtts: { '10.200.1.254': [40, 7, 6], '10.200.2.2': [15, 7, 7] } }));
    expect(r.stdout).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n' +
        ' 1  10.200.1.254  0.040 ms  0.007 ms  0.006 ms\n' +
        ' 2  10.200.2.2  0.015 ms  0.007 ms  0.007 ms\n',
    );
    expect(r.log.filter((l) => l.startsWith('echo')).slice(0, 2)).toEqual([
      expect.stringMatching(/^echo 10\.200\.2\.2 id=\d+ seq=1 ttl=1 len=32$/),
      expect.stringMatching(/^echo 10\.200\.2\.2 id=\d+ seq=2 ttl=1 len=32$/),
    ]);
  });

  it('prints * for unanswered probes and stops at -m', () => {
    // Real: `traceroute -n -q 1 -m 3 -w 1 10.200.2.99`.
    const r = runProgram(traceroute, ['traceroute', '-n', '-q', '1', '-m', '3', '-w', '1', '10.200.2.99'], world({ rtts: { '10.200.1.254': [35] } }));
    expect(r.stdout).toBe('traceroute to 10.200.2.99 (10.200.2.99), 3 hops max, 60 byte packets\n 1  10.200.1.254  0.035 ms\n 2  *\n 3  *\n');
    expect(r.endedAt).toBe(1 * SECOND);
  });

  it('annotates a host unreachable answer with !H and ends there', () => {
    const r = runProgram(traceroute, ['traceroute', '-n', '-q', '1', '10.200.2.99'], world({ rtts: { '10.200.1.254': [35] } }));
    expect(r.stdout).toBe(
      'traceroute to 10.200.2.99 (10.200.2.99), 30 hops max, 60 byte packets\n 1  10.200.1.254  0.035 ms\n 2  10.200.1.254  3000.000 ms !H\n',
    );
  });

  it('gives up on a silent hop after NEAR × a later RTT instead of 5 s', () => {
    const r = runProgram(traceroute, ['traceroute', '-n', '10.200.2.2'], world({ silentHops: [1], rtts: { '10.200.2.2': [1000] } }));
    expect(r.stdout).toBe(
      'traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets\n 1  * * *\n 2  10.200.2.2  1.000 ms  1.000 ms  1.000 ms\n',
    );
    // (1 ms + 1 ms precision) × NEAR 10 = 20 ms.
    expect(r.endedAt).toBe(20 * MS);
  });

  it('starts at -f, counts ports from -p, and sizes packets from packetlen', () => {
    const r = runProgram(traceroute, ['traceroute', '-n', '-f', '2', '-p', '40000', '10.200.2.2', '100'], world());
    expect(r.stdout.split('\n')).toEqual(['traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 100 byte packets', ' 2  10.200.2.2  0.011 ms  0.007 ms  0.007 ms', '']);
    expect(r.udpSent[0]?.to.port).toBe(40000);
    expect(r.udpSent[0]?.bytes).toBe(72);
    const small = runProgram(traceroute, ['traceroute', '-n', '10.200.2.2', '10'], world());
    expect(small.stdout.split('\n')[0]).toBe('traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 28 byte packets');
  });

  it('keeps one probe in flight with -N 1', () => {
    const r = runProgram(traceroute, ['traceroute', '-n', '-N', '1', '10.200.2.2'], world());
    expect(r.udpSent.map((s) => s.at)).toEqual([0, 30_000, 36_000, 42_000, 53_000, 60_000]);
    expect(r.stdout).toContain(' 2  10.200.2.2  0.011 ms  0.007 ms  0.007 ms\n');
  });

  it('spaces probes by -z (seconds, or milliseconds above 10)', () => {
    const seconds = runProgram(traceroute, ['traceroute', '-n', '-q', '1', '-m', '2', '-z', '0.5', '10.200.2.2'], world());
    expect(seconds.udpSent.map((s) => s.at)).toEqual([0, 500 * MS]);
    const millis = runProgram(traceroute, ['traceroute', '-n', '-q', '1', '-m', '2', '-z', '20', '10.200.2.2'], world());
    expect(millis.udpSent.map((s) => s.at)).toEqual([0, 20 * MS]);
  });

  it('accepts long options with =', () => {
    const r = runProgram(traceroute, ['traceroute', '-n', '--max-hops=1', '10.200.2.2'], world());
    expect(r.stdout).toBe('traceroute to 10.200.2.2 (10.200.2.2), 1 hops max, 60 byte packets\n 1  10.200.1.254  0.030 ms  0.006 ms  0.006 ms\n');
  });
});

describe('traceroute errors (texts from traceroute 2.1.2)', () => {
  const cases: [string[], string, number][] = [
    [['-Z', '10.200.2.2'], "Bad option `-Z' (argc 1)\n", 2],
    [['-n', '--foo', '10.200.2.2'], "Bad option `--foo' (argc 2)\n", 2],
    [['-m', 'foo', '10.200.2.2'], "Cannot handle `-m' option with arg `foo' (argc 2)\n", 2],
    [['-n', '-mx', '10.200.2.2'], "Cannot handle `-m' option with arg `x' (argc 2)\n", 2],
    [['-n', '-w', 'x', '10.200.2.2'], "Cannot handle `-w' option with arg `x' (argc 3)\n", 2],
    [['-n', '-q', 'x', '10.200.2.2'], "Cannot handle `-q' option with arg `x' (argc 3)\n", 2],
    [['-n', '-m'], "Option `-m' (argc 2) requires an argument: `-m max_ttl'\n", 2],
    [['-nq1', '10.200.2.2'], "Option `-q' (argc 1) requires an argument: `-q nqueries'\n", 2],
    [['-n', '--max-hops', '2', '10.200.2.2'], "Option `--max-hops' (argc 2) requires an argument: `--max-hops=max_ttl'\n", 2],
    [['-q', '0', '10.200.2.2'], 'no more than 10 probes per hop\n', 2],
    [['-q', '11', '10.200.2.2'], 'no more than 10 probes per hop\n', 2],
    [['-m', '0', '10.200.2.2'], 'first hop out of range\n', 2],
    [['-n', '-f', '0', '10.200.2.2'], 'first hop out of range\n', 2],
    [['-f', '5', '-m', '3', '10.200.2.2'], 'first hop out of range\n', 2],
    [['-m', '256', '10.200.2.2'], 'max hops cannot be more than 255\n', 2],
    [['-n', '-w', '-1', '10.200.2.2'], "bad wait specifications `-1,0,0' used\n", 2],
    [['-n', '10.200.2.2', '70000'], 'too big packetlen 70000 specified\n', 2],
    [['-n', '10.200.2.2', 'x'], 'Cannot handle "packetlen" cmdline arg `x\' on position 2 (argc 3)\n', 2],
    [['-n', '10.200.2.2', '60', '70'], "Extra arg `70' (position 3, argc 4)\n", 2],
    [['nosuch'], 'nosuch: Name or service not known\nCannot handle "host" cmdline arg `nosuch\' on position 1 (argc 1)\n', 2],
    [['-I', '-n', '10.99.0.1'], '\nconnect: Network is unreachable\n', 1],
  ];
  for (const [args, stderr, status] of cases) {
    it(`traceroute ${args.join(' ')}`, () => {
      const r = runProgram(traceroute, ['traceroute', ...args], world());
      expect(r.stderr).toBe(stderr);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(status);
    });
  }

  it('prints the header without a newline before a UDP setup error', () => {
    const cases: [string[], string][] = [
      [['-i', 'nosuchdev', '10.200.2.2'], '\nsetsockopt SO_BINDTODEVICE: No such device\n'],
      [['-s', '10.9.9.9', '10.200.2.2'], '\nbind: Cannot assign requested address\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = runProgram(traceroute, ['traceroute', ...args], world());
      expect(r.stdout).toBe('traceroute to 10.200.2.2 (10.200.2.2), 30 hops max, 60 byte packets');
      expect(r.stderr).toBe(stderr);
      expect(r.status).toBe(1);
    }
    const noRoute = runProgram(traceroute, ['traceroute', '-n', '10.99.0.1'], world());
    expect(noRoute.stdout).toBe('traceroute to 10.99.0.1 (10.99.0.1), 30 hops max, 60 byte packets');
    expect(noRoute.stderr).toBe('\nconnect: Network is unreachable\n');
  });

  it('prints usage for no host and --help, version for -V, all with status 0', () => {
    const none = runProgram(traceroute, ['traceroute'], world());
    expect(none.stderr.startsWith('Usage:\n  traceroute [ -46dFITnreAUDV ]')).toBe(true);
    expect(none.status).toBe(0);
    expect(runProgram(traceroute, ['traceroute', '--help'], world()).stderr).toBe(none.stderr);
    expect(runProgram(traceroute, ['traceroute', '-V'], world()).stderr).toBe(
      'Modern traceroute for Linux, version 2.1.2\nCopyright (c) 2016  Dmitry Butskoy,   License: GPL v2 or any later\n',
    );
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
