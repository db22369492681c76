/**
 * `netloom shell` as scripts use it: a piped session of ~20 lines over several nodes, run through
 * the built binary, against the same commands through the library API; and the same session again,
 * and under every placement.
 */

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../testing/cli-harness.js';
import { BIN, spawnCli } from '../testing/spawn-cli.js';
import { formatExactSeconds } from '../units.js';

const file = join(FIXTURES, 'three-hosts.yaml');
const h2 = '10.0.1.2';
const h3 = '10.0.2.3';

interface Outcome {
  t: number;
  status: number;
  stdout: string;
  stderr: string;
}

/** The session: console lines, and what each one is through the library API. */
const SESSION: [string, (e: Emulator) => Promise<Outcome>][] = [];
const node = (name: string, typed: string, sent = typed) =>
  SESSION.push([`${name} ${typed}`, async (e) => (({ t, status, stdout, stderr }) => ({ t, status, stdout, stderr }))(await e.exec(name, sent))]);
const control = (line: string, call: (e: Emulator) => Promise<unknown>, stdout: (e: Emulator) => string = () => '') =>
  SESSION.push([line, async (e) => (await call(e), { t: e.now(), status: 0, stdout: stdout(e), stderr: '' })]);

node('h1', 'ip addr show dev eth0');
node('h2', 'ip route');
node('r1', 'ip route show');
node('h3', 'ip route');
node('h1', 'ping -c 2 h3', `ping -c 2 ${h3}`);
node('h3', 'ping -c 1 h2', `ping -c 1 ${h2}`);
node('r1', 'ip neigh show');
node('h2', 'ping -c 1 -W 1 10.0.9.9');
control('advance 2s', (e) => e.advance(2e9));
control('time', async () => undefined, (e) => `${formatExactSeconds(e.now())}\n`);
control('link r1:eth1 h3:eth0 down', (e) => e.setLink('r1:eth1--h3:eth0', { up: false }));
node('h1', 'ping -c 1 -W 1 h3', `ping -c 1 -W 1 ${h3}`);
control('link r1:eth1--h3:eth0 up', (e) => e.setLink('r1:eth1--h3:eth0', { up: true }));
control('link r1:eth1--h3:eth0 set latency 10ms', (e) => e.setLink('r1:eth1--h3:eth0', { latencyNs: 10e6 }));
node('h1', 'ping -c 2 h3', `ping -c 2 ${h3}`);
control('node h2 stop', (e) => e.stopNode('h2'));
node('h1', 'ping -c 1 -W 1 h2', `ping -c 1 -W 1 ${h2}`);
control('node h2 start', (e) => e.startNode('h2'));
node('h2', 'ip link show eth0');
node('h1', 'ip route get 10.0.2.3');
node('h3', 'nosuchcommand --flag');

const script = `${SESSION.map(([line]) => line).join('\n')}\nquit\n`;

async function throughLibrary(): Promise<Outcome[]> {
  const emulator = await Emulator.load(file, { placement: 'inline' });
  try {
    await emulator.start();
    const outcomes: Outcome[] = [];
    for (const [, call] of SESSION) outcomes.push(await call(emulator));
    return outcomes;
  } finally {
    await emulator.close();
  }
}

describe('netloom shell in a pipe (built binary, real runtime)', () => {
  it('prints what the same commands print through the library API, identically on every run and placement', async () => {
    const expected = await throughLibrary();
    const stdout = expected.map((o) => o.stdout).join('');
    const stderr = expected.map((o) => o.stderr).join('');
    const runs = [
      await spawnCli(['shell', file, '--placement', 'inline'], script),
      await spawnCli(['shell', file, '--placement', 'inline'], script),
      await spawnCli(['shell', file, '--placement', 'per-node'], script),
      await spawnCli(['shell', file, '--placement', 'packed', '--workers', '2'], script),
    ];
    for (const run of runs) expect(run).toEqual({ status: 0, stdout, stderr });
    expect(stdout).toContain('2 packets transmitted, 2 received');
  }, 120_000);

  it('--json lines parse, and their statuses and stderr are the node shell’s', async () => {
    const run = await spawnCli(['shell', file, '--json', '--placement', 'inline'], script);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { t: number; node: string | null; cmd: string; status: number; stdout: string; stderr: string });
    expect(lines).toHaveLength(SESSION.length);
    const expected = await throughLibrary();
    for (const [index, [line]] of SESSION.entries()) {
      const { t, status, stdout, stderr } = lines[index]!;
      expect({ t, status, stdout, stderr }, line).toEqual(expected[index]);
      expect(lines[index]?.node, line).toBe(/^(advance|time|link|node) /.test(`${line} `) ? null : line.split(' ')[0]);
    }
    const statusOf = (cmd: string) => lines.find((l) => l.cmd === cmd)?.status;
    expect(statusOf(`ping -c 2 ${h3}`)).toBe(0);
    expect(statusOf(`ping -c 1 -W 1 ${h3}`)).toBe(1);
    expect(lines.at(-1)).toMatchObject({ node: 'h3', cmd: 'nosuchcommand --flag', status: 127 });
    expect(lines.at(-1)?.stderr).not.toBe('');
  }, 120_000);
});

describe('netloom shell --realtime', () => {
  it('lets virtual time follow the wall clock × speed between commands', async () => {
    const child = spawn(process.execPath, [BIN, 'shell', file, '--realtime', '--speed', '10', '--placement', 'inline'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const times: number[] = [];
    let pending = '';
    const nextTime = () =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to time; got ${pending}`)), 30_000);
        const onData = (chunk: Buffer) => {
          pending += chunk.toString();
          const match = /^(\d+\.\d{9})s\n/.exec(pending);
          if (!match) return;
          pending = pending.slice(match[0].length);
          child.stdout.off('data', onData);
          clearTimeout(timer);
          resolve(Number(match[1]));
        };
        child.stdout.on('data', onData);
      });
    try {
      child.stdin.write('time\n');
      times.push(await nextTime());
      const wallStart = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 600));
      child.stdin.write('time\n');
      times.push(await nextTime());
      const wallSeconds = (performance.now() - wallStart) / 1000;
      const virtualSeconds = (times[1] ?? 0) - (times[0] ?? 0);
      // 10 × the wall time, give or take the ticker's 50 ms steps and a busy machine.
      expect(virtualSeconds).toBeGreaterThan(10 * 0.6 * 0.7);
      expect(virtualSeconds).toBeLessThanOrEqual(10 * wallSeconds + 0.5);
    } finally {
      child.stdin.end('quit\n');
      await new Promise((resolve) => child.on('close', resolve));
    }
  }, 60_000);
});

describe('netloom shell --realtime runs node commands as a terminal does', () => {
  it('a ping shows its replies as they come, and Ctrl-C ends it with its statistics while the shell goes on', async () => {
    const child = spawn(process.execPath, [BIN, 'shell', file, '--realtime', '--speed', '1', '--placement', 'inline'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${String(pattern)}; got ${stdout}`)), 60_000);
        const check = () => {
          if (!pattern.test(stdout)) return;
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
        };
        child.stdout.on('data', check);
        check();
      });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    try {
      child.stdin.write(`h1 ping ${h3}\n`);
      await seen(/icmp_seq=2 /);
      expect(stdout).not.toContain('statistics');
      child.kill('SIGINT');
      await seen(/packets transmitted/);
      child.stdin.write('h1 ip -br addr show dev eth0\n');
      await seen(/10\.0\.1\.1\/24/);
    } finally {
      child.stdin.end('quit\n');
    }
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    const summary = /(\d+) packets transmitted, (\d+) received, 0% packet loss/.exec(stdout);
    expect(summary).not.toBeNull();
    // Paced to the wall clock: a handful of probes, not the 3600 of the hour cap at full speed.
    expect(Number(summary![1])).toBeLessThan(100);
    expect(Number(summary![2])).toBe(stdout.split('\n').filter((line) => line.startsWith(`64 bytes from ${h3}`)).length);
  }, 120_000);
});
