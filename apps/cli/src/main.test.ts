import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeEngine } from './testing/fake-emulator.js';
import { FIXTURES, REPO_ROOT, runCli } from './testing/cli-harness.js';

const threeHosts = join(FIXTURES, 'three-hosts.yaml');
const failing = join(FIXTURES, 'failing.yaml');

describe('netloom run (scripted engine)', () => {
  it('prints one line per expectation and the summary, exit 0 when all hold', async () => {
    const run = await runCli(['run', threeHosts], { engine: fakeEngine() });
    expect(run).toEqual({
      status: 0,
      stdout: '✓ 1.000s h1: ping -c 2 10.0.2.3\n✓ 5.000s h3: ping -c 1 -W 1 10.0.1.2\n2/2 expectations hold\n',
      stderr: '',
    });
  });

  it('names the failed expectation by file:line with got/want and its output, exit 1', async () => {
    const run = await runCli(['run', failing], { engine: fakeEngine() });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      [
        '✓ 1.000s h1: ping -c 1 10.0.0.2',
        '✗ 2.000s h1: ping -c 1 -W 1 10.0.0.99',
        `    ${failing}:22: status 1, want 0`,
        `    ${failing}:22: stdout does not contain "1 received"`,
        '    stdout:',
        '      | PING 10.0.0.99 (10.0.0.99) 56(84) bytes of data.',
        '      |',
        '      | --- 10.0.0.99 ping statistics ---',
        '      | 1 packets transmitted, 0 received, 100% packet loss, time 0ms',
        '      |',
        '    stderr: (empty)',
        '1/2 expectations hold',
        '',
      ].join('\n'),
    );
  });

  it('reports a topology error as file:line:col and exits 2', async () => {
    const bad = join(REPO_ROOT, 'apps/cli/src/testing/fixtures/does-not-exist.yaml');
    const run = await runCli(['run', bad], { engine: fakeEngine() });
    expect(run).toEqual({ status: 2, stdout: '', stderr: `${bad}:1:1: cannot read the topology file: no such file\n` });
  });

  it('marks expectations after --until as not run', async () => {
    const run = await runCli(['run', threeHosts, '--until', '3s'], { engine: fakeEngine() });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      [
        '✓ 1.000s h1: ping -c 2 10.0.2.3',
        '✗ 5.000s h3: ping -c 1 -W 1 10.0.1.2 (not run)',
        `    ${threeHosts}:45: not run: the run ended at 3.000s, before 5.000s`,
        '1/2 expectations hold',
        '',
      ].join('\n'),
    );
  });

  it('rejects bad options with exit 2', async () => {
    expect((await runCli(['run', threeHosts, '--until', 'soon'])).stderr).toBe('netloom: --until: bad duration "soon" (want e.g. 30s, 1.5ms, 2m)\n');
    expect((await runCli(['run', threeHosts, '--placement', 'everywhere'])).status).toBe(2);
    expect((await runCli(['run', threeHosts, '--workers', '0'])).status).toBe(2);
    expect((await runCli(['frobnicate'])).status).toBe(2);
    expect((await runCli([])).status).toBe(2);
    expect((await runCli(['bench'])).status).toBe(2);
    expect((await runCli(['run', '--help'])).status).toBe(0);
  });

  it('exits 3 naming the node when a node fails', async () => {
    const engine = fakeEngine();
    const run = await runCli(['exec', threeHosts, 'h2', '--', 'crash'], { engine });
    expect(run).toMatchObject({ status: 3, stderr: 'netloom: shard 0 failed on node h2: crash requested\n' });
    expect(engine.opened[0]?.closed).toBe(true);
  });

  it('passes --seed, --placement and --workers to the emulator', async () => {
    const engine = fakeEngine();
    await runCli(['run', threeHosts, '--seed', '7', '--placement', 'packed', '--workers', '3'], { engine });
    expect(engine.opened[0]?.options).toEqual({ seed: 7, placement: 'packed', workers: 3 });
  });

  it('prints the trace with --trace, and a JSON report with --json', async () => {
    const traced = await runCli(['run', threeHosts, '--trace'], { engine: fakeEngine() });
    // h1's echo request to h3 at 1 s, across the LAN to r1 and on to h3.
    expect(traced.stdout.split('\n').slice(0, 2)).toEqual([
      '1.001000000 h1 tx IP 10.0.1.1 > 10.0.2.3: ICMP echo request, id 1, seq 1, length 64',
      '1.002000000 r1 tx IP 10.0.1.1 > 10.0.2.3: ICMP echo request, id 1, seq 1, length 64',
    ]);
    const json = await runCli(['run', failing, '--json'], { engine: fakeEngine() });
    const report = JSON.parse(json.stdout) as { passed: boolean; expectations: { line: number; passed: boolean; status: number }[] };
    expect(report.passed).toBe(false);
    expect(report.expectations.map((e) => [e.line, e.passed, e.status])).toEqual([
      [18, true, 0],
      [22, false, 1],
    ]);
  });
});

describe('netloom check, schema, exec, bench', () => {
  it('check summarises a valid file', async () => {
    expect(await runCli(['check', threeHosts])).toEqual({ status: 0, stdout: `${threeHosts}: ok (4 nodes, 1 link, 1 lan, 0 events, 2 expectations)\n`, stderr: '' });
  });

  it('schema prints a JSON Schema', async () => {
    const run = await runCli(['schema']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveProperty('$schema');
  });

  it('exec runs one command after the startup commands and exits with its status', async () => {
    expect(await runCli(['exec', threeHosts, 'h1', '--', 'ping', '-c', '1', '10.0.2.3'], { engine: fakeEngine() })).toMatchObject({ status: 0, stderr: '' });
    expect(await runCli(['exec', threeHosts, 'h1', '--', 'nosuch', '-v'], { engine: fakeEngine() })).toEqual({ status: 127, stdout: '', stderr: 'nosuch: command not found\n' });
    expect(await runCli(['exec', threeHosts, 'h1', '--', 'echo', 'a b'], { engine: fakeEngine() })).toMatchObject({ stdout: "'a b'\n" });
    expect(await runCli(['exec', threeHosts, 'h9', '--', 'true'], { engine: fakeEngine() })).toEqual({
      status: 2,
      stdout: '',
      stderr: `netloom: ${threeHosts}: no node "h9" (nodes: h1, h2, r1, h3)\n`,
    });
  });

  it('bench chain prints its figures', async () => {
    const run = await runCli(['bench', 'chain', '--routers', '4', '--packets', '1000', '--placement', 'packed', '--workers', '2'], { engine: fakeEngine() });
    expect(run.stdout).toBe(
      [
        'router chain: 4 routers, 1,000 packets, placement packed (2 workers)',
        'delivered:      1,000',
        'hop-forwards:   4,000',
        'wall time:      1.000 s',
        'hop-forwards/s: 4,000',
        'peak RSS:       100.0 MiB',
        '',
      ].join('\n'),
    );
  });
});

describe('netloom shell (scripted engine, piped)', () => {
  const session = ['h1 hostname', '', '# a comment', 'h1 ping -c 1 h3', 'bogus', 'advance 2s', 'time', 'h2 nosuch', 'quit', 'h1 hostname'].join('\n');

  it('prints command output only, no prompt, and stops at quit', async () => {
    const run = await runCli(['shell', threeHosts], { engine: fakeEngine(), stdin: session });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      'h1\nPING 10.0.2.3 (10.0.2.3) 56(84) bytes of data.\n64 bytes from 10.0.2.3: icmp_seq=1 ttl=63 time=4.00 ms\n\n' +
        '--- 10.0.2.3 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n3.002000000s\n',
    );
    expect(run.stderr).toBe('netloom: unknown node or command "bogus" (nodes: h1, h2, r1, h3; try help)\nnosuch: command not found\n');
  });

  it('--json prints one object per command', async () => {
    const run = await runCli(['shell', threeHosts, '--json'], { engine: fakeEngine(), stdin: session });
    const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => [l.node, l.cmd, l.status])).toEqual([
      ['h1', 'hostname', 0],
      ['h1', 'ping -c 1 10.0.2.3', 0],
      [null, 'bogus', 2],
      [null, 'advance 2s', 0],
      [null, 'time', 0],
      ['h2', 'nosuch', 127],
    ]);
    expect(Object.keys(lines[0] ?? {})).toEqual(['t', 'node', 'cmd', 'status', 'stdout', 'stderr']);
  });

  it('--strict exits with the status of a failed last command; EOF ends the session', async () => {
    expect((await runCli(['shell', threeHosts, '--strict'], { engine: fakeEngine(), stdin: 'h1 hostname\nh1 false\n' })).status).toBe(1);
    expect((await runCli(['shell', threeHosts, '--strict'], { engine: fakeEngine(), stdin: 'h1 false\nh1 hostname\n' })).status).toBe(0);
    expect((await runCli(['shell', threeHosts], { engine: fakeEngine(), stdin: 'h1 false\n' })).status).toBe(0);
  });

  it('ends with exit 3 when a node fails mid-session', async () => {
    const run = await runCli(['shell', threeHosts], { engine: fakeEngine(), stdin: 'h1 hostname\nr1 crash\nh1 hostname\n' });
    expect(run).toEqual({ status: 3, stdout: 'h1\n', stderr: 'netloom: shard 0 failed on node r1: crash requested\n' });
  });
});
