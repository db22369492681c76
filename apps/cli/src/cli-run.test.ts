/**
 * The built `netloom` binary against the real runtime: run (exit 0/1, trace determinism across
 * placements, pcap, JSON), exec, graph with addresses from a running topology, bench.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needs, scaled } from '@netloom/wire/testing/test-environment';
import { FIXTURES, REPO_ROOT } from './testing/cli-harness.js';
import { spawnCli } from './testing/spawn-cli.js';

const twoHosts = join(REPO_ROOT, 'topologies', 'two-hosts.yaml');
const routerChain = join(REPO_ROOT, 'topologies', 'router-chain.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'netloom-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('netloom run (real runtime)', () => {
  it('prints a line per expectation and the summary, and exits 0 when all hold', async () => {
    const result = await spawnCli(['run', twoHosts]);
    expect(result).toEqual({
      status: 0,
      stdout: ['✓ 1.000s h1: ping -c 3 10.0.0.2', '✓ 10.000s h1: ip neigh show 10.0.0.2', '✓ 10.000s h2: ping -c 1 -W 1 10.0.0.9', '3/3 expectations hold', ''].join('\n'),
      stderr: '',
    });
  }, 60_000);

  it('exits 1 naming the failed expectation with its file:line, got/want and output', async () => {
    const file = join(FIXTURES, 'failing.yaml');
    const result = await spawnCli(['run', file]);
    expect(result.status).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('✓ 1.000s h1: ping -c 1 10.0.0.2');
    expect(lines[1]).toBe('✗ 2.000s h1: ping -c 1 -W 1 10.0.0.99');
    expect(lines.slice(2, 4)).toEqual([`    ${file}:22: status 1, want 0`, `    ${file}:22: stdout does not contain "1 received"`]);
    expect(result.stdout).toContain('      | 1 packets transmitted, 0 received');
    expect(lines.at(-2)).toBe('1/2 expectations hold');
  }, 60_000);

  it('--trace is byte-identical across placements, worker counts and runs', async () => {
    // Sized by NETLOOM_TEST_SCALE, not by time: at scale 1 each placement and a second inline run;
    // from scale 2 packed with 1 and 2 workers too (the former full set).
    const runs = [
      ['--placement', 'per-node'],
      ['--placement', 'packed', '--workers', '3'],
      ['--placement', 'inline'],
      ['--placement', 'inline'],
    ];
    if (scaled(1) >= 2) runs.push(['--placement', 'packed', '--workers', '1'], ['--placement', 'packed', '--workers', '2']);
    const outputs = [];
    for (const options of runs) outputs.push(await spawnCli(['run', routerChain, '--trace', ...options]));
    const first = outputs[0]!;
    expect(first.status).toBe(0);
    expect(first.stdout.split('\n').length).toBeGreaterThan(100);
    expect(first.stdout).toMatch(/^\d+\.\d{9} \S+ (tx|rx|drop|forward|deliver)/m);
    for (const [index, output] of outputs.entries()) expect(output, runs[index]?.join(' ')).toEqual(first);
    // Each child is killed after 60 s (spawnCli); per-node starts a thread per node.
  }, 120_000);

  it('--pcap writes one pcapng file per link, names them on stderr, and tshark reads them (each echo answered)', async (context) => {
    const dir = join(scratch, 'pcap');
    const result = await spawnCli(['run', twoHosts, '--pcap', dir]);
    expect(result.status).toBe(0);
    const named = result.stderr.trimEnd().split('\n').map((line) => line.replace(/^pcap: /, ''));
    expect(named).toHaveLength(1);
    for (const path of named) {
      expect(existsSync(path), path).toBe(true);
      expect(statSync(path).size).toBeGreaterThan(100);
    }
    expect(readdirSync(dir)).toHaveLength(1);
    needs({ tools: ['tshark'] }).check(context);
    const path = named[0] ?? '';
    const count = (filter: string) => execFileSync('tshark', ['-r', path, '-Y', filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((line) => line.trim() !== '').length;
    expect(count('_ws.malformed')).toBe(0);
    expect(count('icmp.type == 8 && ip.dst == 10.0.0.2')).toBe(3);
    expect(count('icmp.type == 0 && ip.src == 10.0.0.2')).toBe(3);
  }, 60_000);

  it('--json prints a report that parses', async () => {
    const result = await spawnCli(['run', twoHosts, '--json', '--seed', '3', '--workers', '2']);
    const report = JSON.parse(result.stdout) as { name: string; seed: number; passed: boolean; expectations: { line: number; passed: boolean; stdout: string }[] };
    expect(report).toMatchObject({ name: 'two-hosts', seed: 3, passed: true, placement: 'packed (2 workers)' });
    expect(report.expectations.map((e) => e.line)).toEqual([21, 26, 30]);
    expect(report.expectations[0]?.stdout).toContain('3 packets transmitted, 3 received, 0% packet loss');
  }, 60_000);
});

describe('netloom exec and graph (real runtime)', () => {
  it('exec prints the command output and exits with its status', async () => {
    const ok = await spawnCli(['exec', twoHosts, 'h1', '--', 'ping', '-c', '1', '10.0.0.2']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('1 packets transmitted, 1 received, 0% packet loss');
    const failed = await spawnCli(['exec', twoHosts, 'h2', '--', 'ping', '-c', '1', '-W', '1', '10.0.0.9']);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('1 packets transmitted, 0 received');
  }, 60_000);

  it('graph takes addresses from the running topology, the same as its startup commands say', async () => {
    const running = await spawnCli(['graph', routerChain, '--format', 'mermaid']);
    const fromStartup = await spawnCli(['graph', routerChain, '--format', 'mermaid', '--static']);
    expect(running.status).toBe(0);
    expect(running.stdout).toBe(fromStartup.stdout);
    expect(running.stdout).toContain('n_h2["h2<br/>host<br/>eth0 10.0.8.2/24"]');
    const svgPath = join(scratch, 'chain.svg');
    expect((await spawnCli(['graph', routerChain, '--format', 'svg', '-o', svgPath])).status).toBe(0);
    expect(statSync(svgPath).size).toBeGreaterThan(1000);
  }, 60_000);
});

describe('netloom graph of a dual-stack topology (real runtime)', () => {
  const addressSelection = join(REPO_ROOT, 'topologies', 'address-selection.yaml');

  it('shows global IPv6 addresses beside IPv4 ones, in every format, and leaves link-local ones out', async () => {
    const dot = await spawnCli(['graph', addressSelection]);
    expect(dot.status).toBe(0);
    // h1: 10.0.0.2/24, 2001::2/64, fec0::2/64 and fe80::2/64 by its startup commands, plus its EUI-64 link-local.
    expect(dot.stdout).toContain('"h1" [label="h1\\nhost\\neth0 10.0.0.2/24\\neth0 2001::2/64\\neth0 fec0::2/64"];');
    expect(dot.stdout).toContain('"h5" [label="h5\\nhost\\neth0 3ffe::1/64"];');
    expect(dot.stdout).not.toContain('fe80');
    const mermaid = await spawnCli(['graph', addressSelection, '--format', 'mermaid']);
    expect(mermaid.stdout).toContain('n_h1["h1<br/>host<br/>eth0 10.0.0.2/24<br/>eth0 2001::2/64<br/>eth0 fec0::2/64"]');
    const svg = await spawnCli(['graph', addressSelection, '--format', 'svg']);
    expect(svg.stdout).toContain('>eth0 2001::2/64<');
    expect(svg.stdout).toContain('>eth0 3ffe::1/64<');
  }, 60_000);
});

describe('netloom bench chain (real runtime)', () => {
  it('prints hop-forwards per second, wall time and peak RSS', async () => {
    const result = await spawnCli(['bench', 'chain', '--routers', '3', '--packets', '500', '--placement', 'inline']);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('router chain: 3 routers, 500 packets, bursts of 100 every 100 µs, placement inline (main thread)');
    expect(lines[1]).toBe('delivered:      500');
    expect(lines[2]).toBe('hop-forwards:   1,500');
    expect(lines[3]).toMatch(/^wall time: {6}\d+\.\d{3} s$/);
    expect(lines[4]).toMatch(/^hop-forwards\/s: [\d,]+$/);
    expect(lines[5]).toMatch(/^peak RSS: {7}\d+\.\d MiB$/);
  }, 60_000);
});
