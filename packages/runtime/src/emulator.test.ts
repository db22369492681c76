import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';
import { EmulatorError } from './emulator-error.js';
import type { TraceEvent } from './emulator-types.js';
import { formatTrace } from './trace-format.js';
import { buildSpec, FAKE_NODES, mixedSpec } from './testing/specs.js';

const ms = 1e6;

function pair(latencyMs = 1) {
  return buildSpec({
    name: 'pair',
    nodes: [
      { name: 'a', kind: 'host' },
      { name: 'b', kind: 'host' },
    ],
    links: [{ ends: ['a:eth0', 'b:eth0'], params: { latencyNs: latencyMs * ms } }],
  });
}

describe('Emulator (inline, fake nodes)', () => {
  it('runs a command and returns its output, status and end time', async () => {
    const emulator = await Emulator.load(pair(), { placement: 'inline', nodeFactory: FAKE_NODES });
    await emulator.start();
    const result = await emulator.exec('a', 'echo hello world');
    expect(result).toMatchObject({ node: 'a', cmd: 'echo hello world', status: 0, stdout: 'hello world\n', stderr: '' });
    const missing = await emulator.exec('a', 'frobnicate');
    expect(missing).toMatchObject({ status: 127, stderr: 'frobnicate: command not found\n' });
    await emulator.close();
  });

  it('advances virtual time while a command waits, and only as far as needed', async () => {
    const emulator = await Emulator.load(pair(), { placement: 'inline', nodeFactory: FAKE_NODES });
    await emulator.start();
    const before = emulator.now();
    const result = await emulator.exec('a', 'sleep 2500000000');
    expect(result.stdout).toBe(`slept until ${before + 2_500_000_000}\n`);
    expect(result.t).toBe(before + 2_500_000_000);
    // The window containing the exit ends at most one lookahead later.
    expect(emulator.now()).toBeLessThanOrEqual(result.t + 1 * ms);
    await emulator.close();
  });

  it('delivers a frame after the link latency, and the peer answers', async () => {
    const emulator = await Emulator.load(pair(3), { placement: 'inline', nodeFactory: FAKE_NODES });
    const events: TraceEvent[] = [];
    emulator.onTrace((batch) => events.push(...batch));
    await emulator.start();
    const t0 = emulator.now();
    await emulator.exec('a', 'send eth0 1 64 0');
    await emulator.advance(10 * ms);
    const lines = events.map((e) => `${e.t - t0} ${e.node}:${e.ifname} ${e.kind}${e.reason ? `(${e.reason})` : ''}`);
    expect(lines).toEqual([
      '0 a:eth0 tx',
      `${3 * ms} b:eth0 rx`,
      `${3 * ms} b:eth0 deliver`,
      `${3 * ms + 5000} b:eth0 tx`,
      `${6 * ms + 5000} a:eth0 rx`,
      `${6 * ms + 5000} a:eth0 deliver`,
    ]);
    // The trace keeps each frame as it was sent and received (the receiver may rewrite it in place).
    expect(events[1]!.frame![14]).toBe(1);
    expect(emulator.nodes().find((n) => n.name === 'b')).toMatchObject({ framesIn: 1, framesOut: 1 });
    expect(emulator.links()[0]).toMatchObject({ id: 'a:eth0--b:eth0', type: 'p2p', frames: 2, drops: 0, up: true });
    await emulator.close();
  });

  it('a link that is down drops with linkDown and tells both ends (carrier)', async () => {
    const emulator = await Emulator.load(pair(), { placement: 'inline', nodeFactory: FAKE_NODES });
    const events: TraceEvent[] = [];
    emulator.onTrace((batch) => events.push(...batch));
    await emulator.start();
    await emulator.setLink('a:eth0--b:eth0', { up: false });
    await emulator.exec('a', 'send eth0 1 64 0');
    expect(events.map((e) => `${e.kind}(${e.reason})`)).toEqual(['drop(interfaceDown)']);
    expect(emulator.links()[0]!.up).toBe(false);
    await expect(emulator.setLink('nope', { up: true })).rejects.toThrow('unknown link "nope"');
    await emulator.close();
  });

  it('formats trace lines like tcpdump, with drop reasons', () => {
    const line = formatTrace({ t: 2_000_000, kind: 'drop', node: 'r1', ifname: 'eth0', link: 'x', reason: 'noRoute', summary: 'IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq 1, length 64' });
    expect(line).toBe('0.002000000 r1:eth0 drop(noRoute) IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq 1, length 64');
    expect(formatTrace({ t: 12_345_678_901, kind: 'forward', node: 'r1', ifname: 'eth0', link: null, detail: 'eth1', summary: 'x' })).toBe(
      '12.345678901 r1:eth0 forward(eth1) x',
    );
  });

  it('runs the timeline and reports expectations with got/want', async () => {
    const spec = mixedSpec();
    spec.expect.push({ at: 9 * ms, node: 'h1', cmd: 'echo nope', status: 1, stdout: [{ kind: 'regex', source: '^yes', flags: '' }], stderr: [], notStdout: [{ kind: 'contains', text: 'nope' }], line: 42 });
    const emulator = await Emulator.load(spec, { placement: 'inline', nodeFactory: FAKE_NODES });
    const report = await emulator.run();
    expect(report.expectations[0]!.passed).toBe(true);
    const failed = report.expectations[1]!;
    expect(failed.passed).toBe(false);
    expect(failed.message).toBe(
      'mixed.yaml:42: h1: echo nope: status: got 0, want 1; stdout: want /^yes/, got "nope\\n"; stdout: want no match for "nope", got "nope\\n"',
    );
    expect(report.passed).toBe(false);
    expect(report.endTime).toBeGreaterThanOrEqual(10 * ms);
    await emulator.close();
  });

  it('a node that throws ends the run with an error naming it', async () => {
    const spec = pair();
    spec.events.push({ at: 2 * ms, kind: 'exec', node: 'b', cmd: 'crash' });
    const emulator = await Emulator.load(spec, { placement: 'inline', nodeFactory: FAKE_NODES });
    const error = await emulator.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorError);
    expect((error as EmulatorError).message).toBe('node b: Error: boom from b');
    await expect(emulator.exec('a', 'echo hi')).rejects.toThrow('node b: Error: boom from b');
  });
});
