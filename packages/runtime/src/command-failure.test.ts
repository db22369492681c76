/**
 * A topology's own commands that fail (startup `exec:` lines, timed `events:` commands) stop the
 * emulation with a CommandFailedError carrying the node, command, status, stderr and file:line:col;
 * a line ending in `|| true` may fail. Real nodes, files from topologies/bad/.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';
import { CommandFailedError, EmulatorError } from './emulator-error.js';
import type { Placement } from './emulator-types.js';

const bad = (name: string): string => fileURLToPath(new URL(`../../../topologies/bad/${name}`, import.meta.url));

async function startFailure(file: string, placement: Placement = 'inline'): Promise<CommandFailedError> {
  const emulator = await Emulator.load(file, { placement });
  try {
    await emulator.start();
  } catch (error) {
    if (error instanceof CommandFailedError) return error;
    throw error;
  } finally {
    await emulator.close();
  }
  throw new Error(`${file} started without an error`);
}

describe('a failing startup command stops the start', () => {
  const cases = [
    {
      file: 'startup-fail-unknown-object.yaml',
      node: 'h1',
      command: 'ip rute add 10.0.9.0/24 via 10.0.1.254',
      status: 1,
      stderr: 'Object "rute" is unknown, try "ip help".\n',
      line: 8,
    },
    { file: 'startup-fail-missing-device.yaml', node: 'r1', command: 'ip link set eth3 up', status: 1, stderr: 'Cannot find device "eth3"\n', line: 13 },
    {
      file: 'startup-fail-unreachable-gateway.yaml',
      node: 'h1',
      command: 'ip route add 10.0.9.0/24 via 10.0.2.1',
      status: 2,
      stderr: 'Error: Nexthop has invalid gateway.\n',
      line: 8,
    },
    {
      file: 'startup-fail-unknown-command.yaml',
      node: 'r1',
      command: 'iptables -A FORWARD -j ACCEPT',
      status: 127,
      stderr: 'iptables: command not found\n',
      line: 13,
    },
  ];

  for (const c of cases) {
    it(`${c.file}: ${c.node} "${c.command}" exits ${c.status}`, async () => {
      const file = bad(c.file);
      const error = await startFailure(file);
      expect(error).toBeInstanceOf(EmulatorError);
      expect({ ...error, message: error.message }).toEqual({
        name: 'CommandFailedError',
        message: `${file}:${c.line}:9: node ${c.node}: startup command failed with exit status ${c.status}: ${c.command}\n    ${c.stderr.trimEnd()}`,
        phase: 'startup',
        node: c.node,
        command: c.command,
        status: c.status,
        stdout: '',
        stderr: c.stderr,
        at: 0,
        location: { file, line: c.line, column: 9 },
      });
    });
  }

  it('reports the same failure whatever the placement', async () => {
    const file = bad('startup-fail-missing-device.yaml');
    const inline = await startFailure(file, 'inline');
    for (const placement of ['per-node', 'packed'] as const) {
      const error = await startFailure(file, placement);
      expect({ ...error, message: error.message }, placement).toEqual({ ...inline, message: inline.message });
    }
  });

  it('leaves the emulator failed: later calls throw the same error', async () => {
    const emulator = await Emulator.load(bad('startup-fail-unknown-object.yaml'), { placement: 'inline' });
    const error = await emulator.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    await expect(emulator.exec('h1', 'ip route show')).rejects.toBe(error);
    await emulator.close();
  });

  it('a startup command still running after an hour of virtual time is a failure too', async () => {
    const emulator = await Emulator.load(
      {
        ...(await Emulator.load(bad('startup-fail-unknown-object.yaml'), { placement: 'inline' })).spec,
        nodes: [
          {
            name: 'h1',
            kind: 'host',
            compat: [],
            exec: ['ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up', 'ping -q 10.0.1.254'],
            interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:01', mtu: 1500 }],
          },
          { name: 'r1', kind: 'router', compat: [], exec: ['ip addr add 10.0.1.254/24 dev eth0', 'ip link set eth0 up'], interfaces: [{ name: 'eth0', mac: '02:00:00:00:02:01', mtu: 1500 }] },
        ],
      },
      { placement: 'inline' },
    );
    const error = await emulator.start().catch((e: unknown) => e);
    await emulator.close();
    expect(error).toBeInstanceOf(CommandFailedError);
    expect((error as CommandFailedError).status).toBeNull();
    // Built in code: no file position.
    expect((error as CommandFailedError).location).toBeNull();
    expect((error as CommandFailedError).message).toBe('node h1: startup command was still running after an hour of virtual time: ping -q 10.0.1.254');
  });
});

describe('"|| true" and timed event commands', () => {
  const file = bad('startup-fail-event.yaml');

  it('a startup line ending in "|| true" may fail: its result is kept, the start goes on', async () => {
    const emulator = await Emulator.load(file, { placement: 'inline' });
    await emulator.start();
    const results = emulator.startupResults();
    await emulator.close();
    expect(results.map((r) => [r.node, r.cmd, r.status, r.stderr])).toEqual([
      ['h1', 'ip addr add 10.0.1.1/24 dev eth0', 0, ''],
      ['h1', 'ip link set eth0 up', 0, ''],
      ['h1', 'ip route del 10.9.0.0/16', 2, 'RTNETLINK answers: No such process\n'],
      ['r1', 'sysctl -w net.ipv4.ip_forward=1', 0, ''],
      ['r1', 'ip addr add 10.0.1.254/24 dev eth0', 0, ''],
      ['r1', 'ip link set eth0 up', 0, ''],
    ]);
  });

  it('a failing event command stops run() with the event\'s time and file:line:col', async () => {
    const emulator = await Emulator.load(file, { placement: 'inline' });
    await emulator.start();
    const error = await emulator.run().catch((e: unknown) => e);
    await emulator.close();
    expect(error).toBeInstanceOf(CommandFailedError);
    const failure = error as CommandFailedError;
    expect([failure.phase, failure.node, failure.command, failure.status, failure.stderr, failure.at, failure.location]).toEqual([
      'event',
      'r1',
      'ip link set eth1 up',
      1,
      'Cannot find device "eth1"\n',
      2e9,
      { file, line: 18, column: 30 },
    ]);
    expect(failure.message).toBe(`${file}:18:30: node r1: event command (at 2s) failed with exit status 1: ip link set eth1 up\n    Cannot find device "eth1"`);
  });

  it('with playEvents, advancing past the failing event throws it', async () => {
    const emulator = await Emulator.load(file, { placement: 'inline', playEvents: true });
    await emulator.start();
    await emulator.advance(1.5e9);
    const error = await emulator.advance(1e9).catch((e: unknown) => e);
    await emulator.close();
    expect(error).toBeInstanceOf(CommandFailedError);
    expect((error as CommandFailedError).location).toEqual({ file, line: 18, column: 30 });
  });
});
