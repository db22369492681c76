// Every sendto()/send()/bind()/connect() failure path of a UDP socket (issue 6) against the real
// kernel: (a) re-runs test/kernel/udp-errno.py (Python sockets in a network namespace) and compares
// with its recorded table; (b) runs the same cases on netloom's sockets (the nlkudp program of
// test/kernel/probe-node-factory.mjs on test/kernel/udp-errno.yaml) and compares with the same table,
// apart from the known divergences listed below (each is checked to be still there).
import { describe, expect, it } from 'vitest';
import { describeReplay, expectedOutput, kernelNeed, runKernelScript, type Divergence } from './kernel/harness.js';
import { replayUdpErrno, udpCases } from './kernel/model-replays.js';

const live = kernelNeed();
const recorded = expectedOutput('udp-errno');

const caseLine = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(`${name}: `));
const notCompared = (name: string) => (text: string) => text.replace(new RegExp(`^${name}: .*$`, 'm'), `${name}: (not compared)`);

const divergences: Divergence[] = [
  {
    what: 'IP_FREEBIND is not modelled (netloom sockets have no such option)',
    project: notCompared('bind-nonlocal-IP_FREEBIND-then-sendto'),
    present: (m) => caseLine(m, 'bind-nonlocal-IP_FREEBIND-then-sendto') === 'bind-nonlocal-IP_FREEBIND-then-sendto: UNSUPPORTED(IP_FREEBIND)',
  },
];

describe('UDP socket errors on the real kernel', () => {
  live.it('a re-run prints the recorded table', () => {
    const run = runKernelScript('udp-errno', 60_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(recorded);
  });

  it('the model replay covers every recorded case, in order', () => {
    const names = recorded.split('\n').filter((l) => /^[\w-]+: /.test(l)).map((l) => l.split(':')[0]);
    expect(udpCases.map((c) => c.name)).toEqual(names);
  });
});

describeReplay('UDP socket errors on netloom', 'gives the errno the kernel gave, case by case (known divergences aside)', replayUdpErrno, recorded, divergences);
