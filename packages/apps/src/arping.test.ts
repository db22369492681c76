/**
 * arping on the fake context. Expected texts and timings come from the real tool: iputils-arping
 * 20221126 (Debian 12) run in a network namespace nlA (vA 10.200.1.1/24) towards its router
 * 10.200.1.254 (MAC 06:03:20:74:26:5f), timed with `date` around each run.
 */
import { describe, expect, it } from 'vitest';
import { arping } from './arping.js';
import { SECOND, runProgram, type FakeWorld } from './testing/fake-context.js';

const ROUTER_MAC = '06:03:20:74:26:5f';

function world(rttsUs: number[] = [539, 541, 537]): FakeWorld {
  let n = 0;
  return {
    interfaces: [
      { name: 'lo', index: 1, addresses: ['127.0.0.1'] },
      { name: 'vA', index: 2, addresses: ['10.200.1.1'], mac: '02:00:00:00:0a:01' },
    ],
    route: (dst, ifname) => (dst.startsWith('10.99.') ? { errno: 'ENETUNREACH' } : { source: dst === '127.0.0.1' ? '127.0.0.1' : '10.200.1.1', ifname: ifname ?? 'vA' }),
    arp: (request) =>
      request.target === '10.200.1.254' ? [{ delay: (rttsUs[n++ % rttsUs.length] ?? 500) * 1000, senderIp: '10.200.1.254', senderMac: ROUTER_MAC }] : [],
  };
}

describe('arping', () => {
  it('prints replies and the summary; unicasts after the first reply', () => {
    // Real: `arping -c 3 -I vA 10.200.1.254`.
    const r = runProgram(arping, ['arping', '-c', '3', '-I', 'vA', '10.200.1.254'], world());
    expect(r.stdout).toBe(
      [
        'ARPING 10.200.1.254 from 10.200.1.1 vA',
        'Unicast reply from 10.200.1.254 [06:03:20:74:26:5F]  0.539ms',
        'Unicast reply from 10.200.1.254 [06:03:20:74:26:5F]  0.541ms',
        'Unicast reply from 10.200.1.254 [06:03:20:74:26:5F]  0.537ms',
        'Sent 3 probes (1 broadcast(s))',
        'Received 3 response(s)',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    expect(r.endedAt).toBe(3 * SECOND);
    expect(r.log).toEqual([
      'arp request 10.200.1.254 from 10.200.1.1 broadcast',
      'arp request 10.200.1.254 from 10.200.1.1',
      'arp request 10.200.1.254 from 10.200.1.1',
    ]);
  });

  it('finds the device from the route without -I', () => {
    const r = runProgram(arping, ['arping', '-c', '2', '10.200.1.254'], world([532, 573]));
    expect(r.stdout.split('\n')[0]).toBe('ARPING 10.200.1.254 from 10.200.1.1 vA');
    expect(r.stdout).toContain('Sent 2 probes (1 broadcast(s))\nReceived 2 response(s)\n');
    expect(r.endedAt).toBe(2 * SECOND);
  });

  it('exits 1 without replies', () => {
    const r = runProgram(arping, ['arping', '-c', '2', '-I', 'vA', '-w', '3', '10.200.1.77'], world());
    expect(r.stdout).toBe('ARPING 10.200.1.77 from 10.200.1.1 vA\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n');
    expect(r.status).toBe(1);
    expect(r.endedAt).toBe(2 * SECOND);
  });

  it('-w sends a probe due at the deadline, then stops before its reply', () => {
    // Real: `arping -w 2 -I vA 10.200.1.254` → Sent 3, Received 2, 2.02 s.
    const r = runProgram(arping, ['arping', '-w', '2', '-I', 'vA', '10.200.1.254'], world([528, 542]));
    expect(r.stdout).toContain('Sent 3 probes (1 broadcast(s))\nReceived 2 response(s)\n');
    expect(r.status).toBe(0);
    expect(r.endedAt).toBe(2 * SECOND);
  });

  it('-w with -c stops once -c replies came', () => {
    // Real: `arping -c 1 -w 5 -I vA 10.200.1.254` returned after 0.01 s.
    const r = runProgram(arping, ['arping', '-c', '1', '-w', '5', '-I', 'vA', '10.200.1.254'], world());
    expect(r.endedAt).toBe(539_000);
    expect(r.stdout).toContain('Sent 1 probes (1 broadcast(s))\nReceived 1 response(s)\n');
  });

  it('-f quits on the first reply; -b keeps broadcasting', () => {
    const f = runProgram(arping, ['arping', '-c', '3', '-f', '-I', 'vA', '10.200.1.254'], world([535]));
    expect(f.stdout).toBe(
      'ARPING 10.200.1.254 from 10.200.1.1 vA\nUnicast reply from 10.200.1.254 [06:03:20:74:26:5F]  0.535ms\nSent 1 probes (1 broadcast(s))\nReceived 1 response(s)\n',
    );
    const b = runProgram(arping, ['arping', '-c', '2', '-b', '-I', 'vA', '10.200.1.254'], world([527, 544]));
    expect(b.stdout).toContain('Sent 2 probes (2 broadcast(s))\nReceived 2 response(s)\n');
  });

  it('-D probes from 0.0.0.0 and exits 1 when the address is in use', () => {
    const used = runProgram(arping, ['arping', '-c', '2', '-D', '-I', 'vA', '10.200.1.254'], world([531]));
    expect(used.stdout).toBe(
      'ARPING 10.200.1.254 from 0.0.0.0 vA\nUnicast reply from 10.200.1.254 [06:03:20:74:26:5F]  0.531ms\nSent 1 probes (1 broadcast(s))\nReceived 1 response(s)\n',
    );
    expect(used.status).toBe(1);
    const free = runProgram(arping, ['arping', '-c', '2', '-D', '-I', 'vA', '10.200.1.55'], world());
    expect(free.stdout).toBe('ARPING 10.200.1.55 from 0.0.0.0 vA\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n');
    expect(free.status).toBe(0);
    expect(free.log[0]).toBe('arp request 10.200.1.55 from 0.0.0.0 broadcast');
  });

  it('-U and -A announce the address and exit 0', () => {
    const u = runProgram(arping, ['arping', '-c', '2', '-U', '-I', 'vA', '10.200.1.1'], world());
    expect(u.stdout).toBe('ARPING 10.200.1.1 from 10.200.1.1 vA\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n');
    expect(u.status).toBe(0);
    expect(u.log).toEqual(['arp announce 10.200.1.1 request', 'arp announce 10.200.1.1 request']);
    const a = runProgram(arping, ['arping', '-c', '2', '-A', '-I', 'vA', '10.200.1.1'], world());
    expect(a.log).toEqual(['arp announce 10.200.1.1 reply', 'arp announce 10.200.1.1 reply']);
    expect(a.status).toBe(0);
  });

  it('-q prints nothing', () => {
    const r = runProgram(arping, ['arping', '-c', '2', '-q', '-I', 'vA', '10.200.1.254'], world());
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('Ctrl-C prints the summary', () => {
    const r = runProgram(arping, ['arping', '-I', 'vA', '10.200.1.254'], world([540, 543, 541]), { interruptAt: 2.5 * SECOND });
    expect(r.stdout).toContain('Sent 3 probes (1 broadcast(s))\nReceived 3 response(s)\n');
    expect(r.status).toBe(0);
  });

  it('reports setup errors like iputils', () => {
    const cases: [string[], string, string, number][] = [
      [['-c', '2', '-s', '10.9.9.9', '-I', 'vA', '10.200.1.254'], '', 'arping: bind: Cannot assign requested address\n', 2],
      [['-c', '2', '-I', 'nosuch', '10.200.1.254'], '', 'arping: Device nosuch not available.\n', 2],
      [['-c', 'x', '-I', 'vA', '10.200.1.254'], '', "arping: invalid argument: 'x'\n", 1],
      [['-c', '1', '-I', 'vA', 'nosuchhost'], '', 'arping: nosuchhost: Name or service not known\n', 2],
      [['-c', '2', '-I', 'lo', '127.0.0.1'], 'Interface "lo" is not ARPable\n', '', 2],
    ];
    for (const [args, stdout, stderr, status] of cases) {
      const r = runProgram(arping, ['arping', ...args], world());
      expect([r.stdout, r.stderr, r.status]).toEqual([stdout, stderr, status]);
    }
    const noTarget = runProgram(arping, ['arping', '-I', 'vA'], world());
    expect(noTarget.stderr.split('\n').slice(0, 3)).toEqual(['', 'Usage:', '  arping [options] <destination>']);
    expect(noTarget.status).toBe(2);
    const bad = runProgram(arping, ['arping', '-Z'], world());
    expect(bad.stderr.split('\n').slice(0, 3)).toEqual(["arping: invalid option -- 'Z'", '', 'Usage:']);
    expect(bad.stderr.endsWith('For more details see arping(8).\n')).toBe(true);
  });
});
