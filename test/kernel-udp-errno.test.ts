// Every sendto()/send()/bind()/connect() failure path of a UDP socket (issue 6) against the real
// kernel: (a) re-runs test/kernel/udp-errno.py (Python sockets in a network namespace) and compares
// with its recorded table; (b) runs the same cases on netloom's sockets (the nlkudp program of
// test/kernel/probe-node-factory.mjs on test/kernel/udp-errno.yaml) and compares with the same table.
import { describe, expect, it } from 'vitest';
import { expectedOutput, kernelAvailability, runKernelScript, skipNote } from './kernel/harness.js';
import { modelAvailability, replayUdpErrno, udpCases } from './kernel/model-replays.js';

const model = await modelAvailability();
const live = kernelAvailability();
const recorded = expectedOutput('udp-errno');

describe('UDP socket errors on the real kernel', () => {
  it.skipIf(!live.ok)(`a re-run prints the recorded table${skipNote(live)}`, () => {
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

describe('UDP socket errors on netloom', () => {
  it.skipIf(!model.ok)(`gives the errno the kernel gave, case by case${skipNote(model)}`, async () => {
    expect(await replayUdpErrno()).toBe(recorded);
  });
});
