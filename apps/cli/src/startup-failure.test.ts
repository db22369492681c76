/**
 * A failing startup command (a node's `exec:` line) or timed event command, as users see it from
 * the built `netloom` binary: check, run, run --json, exec, shell and tui stop with the command's
 * `file:line:col:`, node, exit status and stderr, and exit 4; a line ending in `|| true` may fail.
 * Also the forwarding warnings of check and run (a router written without `kind:`).
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { FIXTURES, REPO_ROOT, runCli } from './testing/cli-harness.js';
import { spawnCli } from './testing/spawn-cli.js';
import { TmuxSession } from './tui/testing/tmux-session.js';

const bad = (name: string): string => join(REPO_ROOT, 'topologies', 'bad', name);

/** Each file's failing line, the node's stderr and the command's exit status. */
const startupFailures = [
  { file: 'startup-fail-unknown-object.yaml', at: '8:9', node: 'h1', command: 'ip rute add 10.0.9.0/24 via 10.0.1.254', status: 1, stderr: 'Object "rute" is unknown, try "ip help".' },
  { file: 'startup-fail-missing-device.yaml', at: '13:9', node: 'r1', command: 'ip link set eth3 up', status: 1, stderr: 'Cannot find device "eth3"' },
  { file: 'startup-fail-unreachable-gateway.yaml', at: '8:9', node: 'h1', command: 'ip route add 10.0.9.0/24 via 10.0.2.1', status: 2, stderr: 'Error: Nexthop has invalid gateway.' },
  { file: 'startup-fail-unknown-command.yaml', at: '13:9', node: 'r1', command: 'iptables -A FORWARD -j ACCEPT', status: 127, stderr: 'iptables: command not found' },
];

describe('a failing startup command (built binary)', () => {
  for (const c of startupFailures) {
    it(`${c.file}: check, run, exec and shell exit 4 with file:line:col, node, command, status and stderr`, async () => {
      const file = bad(c.file);
      const message = `${file}:${c.at}: node ${c.node}: startup command failed with exit status ${c.status}: ${c.command}\n    ${c.stderr}\n`;
      for (const args of [['check', file], ['run', file], ['exec', file, 'h1', '--', 'ip', 'route'], ['shell', file]]) {
        const result = await spawnCli(args, 'h1 ip route\n');
        expect(result, args.join(' ')).toEqual({ status: 4, stdout: '', stderr: message });
      }
      // Four short children, each killed after 60 s (spawnCli): a hang guard.
    }, 120_000);
  }

  it('run --json prints a report whose failure holds the fields, and the message on stderr', async () => {
    const file = bad('startup-fail-missing-device.yaml');
    const result = await spawnCli(['run', file, '--json']);
    expect(result.status).toBe(4);
    expect(result.stderr).toBe(`${file}:13:9: node r1: startup command failed with exit status 1: ip link set eth3 up\n    Cannot find device "eth3"\n`);
    expect(JSON.parse(result.stdout)).toEqual({
      name: 'startup-fail-missing-device',
      file,
      seed: 1,
      passed: false,
      failure: {
        phase: 'startup',
        node: 'r1',
        command: 'ip link set eth3 up',
        status: 1,
        stdout: '',
        stderr: 'Cannot find device "eth3"\n',
        at: 0,
        location: { file, line: 13, column: 9 },
      },
    });
  }, 60_000);
});

describe('"|| true" and a failing event command (built binary)', () => {
  const file = bad('startup-fail-event.yaml');

  it('a startup line ending in "|| true" may fail: check says ok, exec runs', async () => {
    expect(await spawnCli(['check', file])).toEqual({ status: 0, stdout: `${file}: ok (2 nodes, 1 link, 0 lans, 1 event, 2 expectations)\n`, stderr: '' });
    const exec = await spawnCli(['exec', file, 'h1', '--', 'ip', 'route']);
    expect(exec).toEqual({ status: 0, stdout: '10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.1 \n', stderr: '' });
  }, 60_000);

  it('run stops at the event that fails: its file:line:col and time, exit 4', async () => {
    expect(await spawnCli(['run', file])).toEqual({
      status: 4,
      stdout: '',
      stderr: `${file}:18:30: node r1: event command (at 2s) failed with exit status 1: ip link set eth1 up\n    Cannot find device "eth1"\n`,
    });
    const json = await spawnCli(['run', file, '--json']);
    expect(json.status).toBe(4);
    expect((JSON.parse(json.stdout) as { failure: unknown }).failure).toEqual({
      phase: 'event',
      node: 'r1',
      command: 'ip link set eth1 up',
      status: 1,
      stdout: '',
      stderr: 'Cannot find device "eth1"\n',
      at: 2e9,
      location: { file, line: 18, column: 30 },
    });
  }, 60_000);
});

describe('forwarding warnings', () => {
  const file = join(FIXTURES, 'forgotten-router.yaml');
  const warning =
    `${file}:10:3: warning: node mid has no "kind:", so it is a host and does not forward (net.ipv4.ip_forward=0), ` +
    'but it routes through eth1 and eth2 (10.0.3.0/24 via 10.0.2.2 dev eth1, 10.0.4.0/24 via 10.0.5.2 dev eth2) ' +
    'and h1 (default via 10.0.1.254 dev eth0), r2 (10.0.1.0/24 via 10.0.2.1 dev eth0) route through it; give it "kind: router" if it should forward\n';

  it('check names the router written without kind:, and still exits 0', async () => {
    expect(await runCli(['check', file])).toEqual({ status: 0, stdout: `${file}: ok (5 nodes, 4 links, 0 lans, 0 events, 1 expectation)\n`, stderr: warning });
  }, 60_000);

  it('run prints the same warning on stderr; the exit status is the expectations\' (1)', async () => {
    const result = await runCli(['run', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(warning);
    expect(result.stdout.split('\n')[0]).toBe('✗ 2.000s h1: ping -c 1 -W 1 10.0.3.1');
  }, 60_000);

  it('with kind: router given, the warning goes and the ping gets through', async () => {
    const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'netloom-forwarding-'));
    try {
      const fixed = join(dir, 'fixed-router.yaml');
      writeFileSync(fixed, readFileSync(file, 'utf8').replace('  mid:\n', '  mid:\n    kind: router\n'));
      expect(await runCli(['run', fixed])).toEqual({ status: 0, stdout: '✓ 2.000s h1: ping -c 1 -W 1 10.0.3.1\n1/1 expectations hold\n', stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('no example topology draws a warning (dead-gateway\'s host has two default routes; roaming-laptop\'s target is a host on purpose)', async () => {
    const { readdirSync } = await import('node:fs');
    const names = readdirSync(join(REPO_ROOT, 'topologies')).filter((name) => name.endsWith('.yaml'));
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) {
      const result = await runCli(['check', join(REPO_ROOT, 'topologies', name)]);
      expect([name, result.status, result.stderr]).toEqual([name, 0, '']);
    }
  }, 60_000);
});

const terminal = needs({ tools: ['tmux'] });

terminal.it('netloom tui does not open on a failing startup command: it prints the message and exits 4', async () => {
  const file = bad('startup-fail-unknown-command.yaml');
  const tmux = new TmuxSession('netloom-tui-startup', join(REPO_ROOT, 'apps', 'cli'));
  try {
    await tmux.waitFor('e2e$');
    tmux.type(`node bin/netloom.js tui ${file}; echo "exit=$?"`);
    tmux.press('Enter');
    const screen = await tmux.waitFor(/exit=\d+/, 60_000);
    expect(screen).toContain('exit=4');
    expect(screen).toContain(`node r1: startup command failed with exit status 127: iptables -A FORWARD -j ACCEPT`);
    expect(screen).toContain('    iptables: command not found');
  } finally {
    tmux.close();
  }
}, 90_000);
