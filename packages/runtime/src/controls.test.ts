import { describe, expect, it } from 'vitest';
import { COMMAND_CAP_NS, Emulator } from './emulator.js';
import type { TraceEvent } from './emulator-types.js';
import { buildSpec, FAKE_NODES } from './testing/specs.js';

const ms = 1e6;

function pair() {
  return buildSpec({
    name: 'pair',
    nodes: [
      { name: 'a', kind: 'host' },
      { name: 'b', kind: 'router', exec: ['echo booted'] },
    ],
    links: [{ ends: ['a:eth0', 'b:eth0'] }],
  });
}

describe('commands, node stop/start, real time', () => {
  it('runs the router preset and the startup commands in order, and keeps their results', async () => {
    const emulator = await Emulator.load(pair(), { placement: 'inline', nodeFactory: FAKE_NODES });
    await emulator.start();
    expect(emulator.startupResults().map((r) => [r.node, r.cmd, r.status, r.stdout])).toEqual([
      ['b', 'sysctl -w net.ipv4.ip_forward=1', 0, ''],
      ['b', 'echo booted', 0, 'booted\n'],
    ]);
    await emulator.close();
  });

  it('spawned commands stream output as time advances and stop on interrupt', async () => {
    const emulator = await Emulator.load(pair(), { placement: 'inline', nodeFactory: FAKE_NODES });
    const output: string[] = [];
    await emulator.start();
    emulator.onOutput((out) => output.push(`${out.node}#${out.id} ${out.stream}: ${out.text}`));
    const short = await emulator.spawn('a', 'sleep 3000000');
    const long = await emulator.spawn('a', 'sleep 100000000000');
    await emulator.advance(5 * ms);
    expect(output).toEqual([`a#${short.id} stdout: slept until ${emulator.commandResult(short.id)!.t}\n`]);
    await long.interrupt();
    expect(output[1]).toBe(`a#${long.id} stdout: interrupted\n`);
    expect(emulator.commandResult(long.id)).toMatchObject({ status: 130 });
    await emulator.close();
  });

  it('a command that never ends is interrupted after an hour of virtual time', async () => {
    const emulator = await Emulator.load(pair(), { placement: 'inline', nodeFactory: FAKE_NODES });
    await emulator.start();
    const begin = emulator.now();
    const result = await emulator.exec('a', 'sleep 99999000000000');
    expect(result).toMatchObject({ status: 130, stdout: 'interrupted\n' });
    expect(result.t).toBe(begin + COMMAND_CAP_NS);
    await emulator.close();
  });

  it('a stopped node drops frames with nodeStopped, refuses commands, and resumes with its timers on start', async () => {
    const emulator = await Emulator.load(pair(), { placement: 'inline', nodeFactory: FAKE_NODES });
    const drops: string[] = [];
    emulator.onTrace((events: TraceEvent[]) => drops.push(...events.filter((e) => e.kind === 'drop').map((e) => `${e.node}:${e.ifname} ${e.reason}`)));
    await emulator.start();
    const sleeper = await emulator.spawn('b', 'sleep 2000000');
    await emulator.stopNode('b');
    expect(emulator.nodes()[1]!.running).toBe(false);
    await emulator.exec('a', 'send eth0 1 64 0');
    await emulator.advance(5 * ms);
    expect(drops).toEqual(['b:eth0 nodeStopped']);
    expect(await emulator.exec('b', 'echo hi')).toMatchObject({ status: 1, stderr: 'netloom: node b is stopped\n' });
    expect(emulator.commandResult(sleeper.id)!.stdout).toBe('');
    await emulator.startNode('b');
    const restartedAt = emulator.now();
    await emulator.advance(1 * ms);
    expect(emulator.commandResult(sleeper.id)).toMatchObject({ status: 0, stdout: `slept until ${restartedAt}\n` });
    await emulator.close();
  });

  it('real-time mode paces virtual time to the wall clock times the speed', async () => {
    const emulator = await Emulator.load(pair(), { placement: 'inline', nodeFactory: FAKE_NODES, realtime: true, speed: 2 });
    await emulator.start();
    let began = performance.now();
    await emulator.advance(200 * ms);
    let took = performance.now() - began;
    expect(took).toBeGreaterThan(90);
    expect(took).toBeLessThan(400);
    emulator.setRealtime(false);
    began = performance.now();
    await emulator.advance(60e9);
    took = performance.now() - began;
    expect(took).toBeLessThan(100);
    await emulator.close();
  });

  it('close() stops a run in progress at its next window', async () => {
    const emulator = await Emulator.load(pair(), { placement: 'inline', nodeFactory: FAKE_NODES, realtime: true, speed: 1 });
    await emulator.start();
    const running = emulator.advance(3600e9).catch((e: unknown) => (e as Error).message);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const began = performance.now();
    await emulator.close();
    expect(performance.now() - began).toBeLessThan(500);
    expect(await running).toBe('the emulator was closed');
  });
});
