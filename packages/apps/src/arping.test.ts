/**
 * arping on real nodes (testing/node-lab.ts). Expected texts and timings come from the real tool:
 * iputils-arping 20221126 (Debian 12) run in a network namespace nlA (vA 10.200.1.1/24) towards its
 * router 10.200.1.254, timed with `date` around each run; here the router is r of `chain()` (MAC
 * 02:00:00:00:02:01, 1 ms away, so a reply takes 2 ms). What arping sent is read from the frames.
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { MS, SECOND, chain, sentArp } from './testing/node-lab.js';

function onA(line: string, options: { interruptAt?: number } = {}) {
  const lab = chain(programs);
  const run = lab.exec('a', line, options.interruptAt ?? 60 * SECOND);
  if (options.interruptAt !== undefined) run.interrupt();
  return { ...run, endedAt: lab.now, sent: sentArp(lab, 'a', 'vA'), lab };
}

describe('arping', () => {
  it('prints replies and the summary; unicasts after the first reply', () => {
    // Real: `arping -c 3 -I vA 10.200.1.254`.
    const r = onA('arping -c 3 -I vA 10.200.1.254');
    expect(r.stdout).toBe(
      [
        'ARPING 10.200.1.254 from 10.200.1.1 vA',
        'Unicast reply from 10.200.1.254 [02:00:00:00:02:01]  2.000ms',
        'Unicast reply from 10.200.1.254 [02:00:00:00:02:01]  2.000ms',
        'Unicast reply from 10.200.1.254 [02:00:00:00:02:01]  2.000ms',
        'Sent 3 probes (1 broadcast(s))',
        'Received 3 response(s)',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    expect(r.endedAt).toBe(3 * SECOND);
    expect(r.sent).toEqual([0, 1, 2].map((n) => ({ at: n * SECOND, operation: 'request', broadcast: n === 0, senderIp: '10.200.1.1', targetIp: '10.200.1.254' })));
  });

  it('finds the device from the route without -I', () => {
    const r = onA('arping -c 2 10.200.1.254');
    expect(r.stdout.split('\n')[0]).toBe('ARPING 10.200.1.254 from 10.200.1.1 vA');
    expect(r.stdout).toContain('Sent 2 probes (1 broadcast(s))\nReceived 2 response(s)\n');
    expect(r.endedAt).toBe(2 * SECOND);
  });

  it('exits 1 without replies', () => {
    const r = onA('arping -c 2 -I vA -w 3 10.200.1.77');
    expect(r.stdout).toBe('ARPING 10.200.1.77 from 10.200.1.1 vA\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n');
    expect(r.status).toBe(1);
    expect(r.endedAt).toBe(2 * SECOND);
  });

  it('-w sends a probe due at the deadline, then stops before its reply', () => {
    // Real: `arping -w 2 -I vA 10.200.1.254` → Sent 3, Received 2, 2.02 s.
    const r = onA('arping -w 2 -I vA 10.200.1.254');
    expect(r.stdout).toContain('Sent 3 probes (1 broadcast(s))\nReceived 2 response(s)\n');
    expect(r.status).toBe(0);
    expect(r.endedAt).toBe(2 * SECOND);
  });

  it('-w with -c stops once -c replies came', () => {
    // Real: `arping -c 1 -w 5 -I vA 10.200.1.254` returned after 0.01 s.
    const r = onA('arping -c 1 -w 5 -I vA 10.200.1.254');
    expect(r.endedAt).toBe(2 * MS);
    expect(r.stdout).toContain('Sent 1 probes (1 broadcast(s))\nReceived 1 response(s)\n');
  });

  it('-f quits on the first reply; -b keeps broadcasting', () => {
    const f = onA('arping -c 3 -f -I vA 10.200.1.254');
    expect(f.stdout).toBe(
      'ARPING 10.200.1.254 from 10.200.1.1 vA\nUnicast reply from 10.200.1.254 [02:00:00:00:02:01]  2.000ms\nSent 1 probes (1 broadcast(s))\nReceived 1 response(s)\n',
    );
    const b = onA('arping -c 2 -b -I vA 10.200.1.254');
    expect(b.stdout).toContain('Sent 2 probes (2 broadcast(s))\nReceived 2 response(s)\n');
    expect(b.sent.map((p) => p.broadcast)).toEqual([true, true]);
  });

  it('-D probes from 0.0.0.0 and exits 1 when the address is in use', () => {
    const used = onA('arping -c 2 -D -I vA 10.200.1.254');
    expect(used.stdout).toBe(
      'ARPING 10.200.1.254 from 0.0.0.0 vA\nUnicast reply from 10.200.1.254 [02:00:00:00:02:01]  2.000ms\nSent 1 probes (1 broadcast(s))\nReceived 1 response(s)\n',
    );
    expect(used.status).toBe(1);
    const free = onA('arping -c 2 -D -I vA 10.200.1.55');
    expect(free.stdout).toBe('ARPING 10.200.1.55 from 0.0.0.0 vA\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n');
    expect(free.status).toBe(0);
    expect(free.sent[0]).toEqual({ at: 0, operation: 'request', broadcast: true, senderIp: '0.0.0.0', targetIp: '10.200.1.55' });
  });

  it('-U and -A announce the address and exit 0', () => {
    const u = onA('arping -c 2 -U -I vA 10.200.1.1');
    expect(u.stdout).toBe('ARPING 10.200.1.1 from 10.200.1.1 vA\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n');
    expect(u.status).toBe(0);
    const announcement = { operation: 'request', broadcast: true, senderIp: '10.200.1.1', targetIp: '10.200.1.1' };
    expect(u.sent).toEqual([0, 1].map((n) => ({ at: n * SECOND, ...announcement })));
    const a = onA('arping -c 2 -A -I vA 10.200.1.1');
    expect(a.sent).toEqual([0, 1].map((n) => ({ at: n * SECOND, ...announcement, operation: 'reply' })));
    expect(a.status).toBe(0);
  });

  it('-q prints nothing', () => {
    const r = onA('arping -c 2 -q -I vA 10.200.1.254');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('Ctrl-C prints the summary', () => {
    const r = onA('arping -I vA 10.200.1.254', { interruptAt: 2500 * MS });
    expect(r.stdout).toContain('Sent 3 probes (1 broadcast(s))\nReceived 3 response(s)\n');
    expect(r.status).toBe(0);
  });

  it('reports setup errors like iputils', () => {
    const cases: [string, string, string, number][] = [
      ['-c 2 -s 10.9.9.9 -I vA 10.200.1.254', '', 'arping: bind: Cannot assign requested address\n', 2],
      ['-c 2 -I nosuch 10.200.1.254', '', 'arping: Device nosuch not available.\n', 2],
      ['-c x -I vA 10.200.1.254', '', "arping: invalid argument: 'x'\n", 1],
      ['-c 1 -I vA nosuchhost', '', 'arping: nosuchhost: Name or service not known\n', 2],
      ['-c 2 -I lo 127.0.0.1', 'Interface "lo" is not ARPable\n', '', 2],
    ];
    for (const [args, stdout, stderr, status] of cases) {
      const r = onA(`arping ${args}`);
      expect([r.stdout, r.stderr, r.status]).toEqual([stdout, stderr, status]);
      expect(r.sent).toEqual([]);
    }
    const noTarget = onA('arping -I vA');
    expect(noTarget.stderr.split('\n').slice(0, 3)).toEqual(['', 'Usage:', '  arping [options] <destination>']);
    expect(noTarget.status).toBe(2);
    const bad = onA('arping -Z');
    expect(bad.stderr.split('\n').slice(0, 3)).toEqual(["arping: invalid option -- 'Z'", '', 'Usage:']);
    expect(bad.stderr.endsWith('For more details see arping(8).\n')).toBe(true);
  });
});
