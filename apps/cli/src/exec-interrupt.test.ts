/**
 * `netloom exec` as a terminal runs a program (built binary, real runtime): output appears while
 * the program runs, and Ctrl-C (SIGINT to netloom) reaches the node's program, which prints its
 * own summary — ping's statistics — and exits with iputils' status (0 with replies, 1 without).
 * `ping -i 0` is the issue's case: it used to buffer an hour of virtual time, print nothing and
 * grow to gigabytes.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './testing/cli-harness.js';
import { assertBuilt, BIN, CLI_ROOT } from './testing/spawn-cli.js';

const twoHosts = join(REPO_ROOT, 'topologies', 'two-hosts.yaml');

interface Interrupted {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Was netloom still running when `waitFor` appeared on its stdout? */
  runningWhenSeen: boolean;
}

/** Starts `netloom ARGS…`, waits until `waitFor` is on its stdout, sends SIGINT, collects the rest. */
function interruptWhen(args: string[], waitFor: RegExp): Promise<Interrupted> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [BIN, ...args], { cwd: CLI_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let runningWhenSeen = false;
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`netloom ${args.join(' ')}: no ${String(waitFor)} or no exit after SIGINT; stdout ${stdout.slice(-500)} stderr ${stderr}`));
    }, 120_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!sent && waitFor.test(stdout)) {
        sent = true;
        runningWhenSeen = child.exitCode === null;
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, runningWhenSeen });
    });
  });
}

function statistics(stdout: string): { transmitted: number; received: number } {
  const match = /\n--- [\d.]+ ping statistics ---\n(\d+) packets transmitted, (\d+) received/.exec(stdout);
  if (match === null) throw new Error(`no ping statistics in:\n${stdout.slice(-1000)}`);
  return { transmitted: Number(match[1]), received: Number(match[2]) };
}

describe('netloom exec streams and takes Ctrl-C (real runtime)', () => {
  it('ping -i 0 prints replies while it runs, and Ctrl-C ends it with its statistics and status 0', async () => {
    const run = await interruptWhen(['exec', twoHosts, 'h1', '--', 'ping', '-i', '0', '10.0.0.2'], /icmp_seq=3 /);
    expect(run.runningWhenSeen).toBe(true);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { transmitted, received } = statistics(run.stdout);
    // Every reply line printed is counted in the summary, and the hour cap was nowhere near.
    expect(received).toBe(run.stdout.split('\n').filter((line) => line.startsWith('64 bytes from 10.0.0.2')).length);
    expect(transmitted).toBeLessThan(3_600_000);
    // The summary ends the output (iputils adds `, pipe N` and, for -i 0, `, ipg/ewma …`).
    expect(run.stdout).toMatch(/\nrtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms[^\n]*\n$/);
  }, 180_000);

  it('--realtime paces the ping to the wall clock; Ctrl-C after two replies ends it at two or three probes', async () => {
    const run = await interruptWhen(['exec', '--realtime', twoHosts, 'h1', '--', 'ping', '10.0.0.2'], /icmp_seq=2 /);
    expect(run.status).toBe(0);
    const { transmitted, received } = statistics(run.stdout);
    expect(received).toBeGreaterThanOrEqual(2);
    // At full speed the hour cap's 3600 probes would have gone out long before SIGINT arrived.
    expect(transmitted).toBeLessThan(100);
  }, 180_000);

  it('a ping without replies, interrupted, exits 1 as iputils does', async () => {
    const run = await interruptWhen(['exec', '--realtime', '--speed', '10', twoHosts, 'h1', '--', 'ping', '10.0.0.9'], /icmp_seq=2 Destination Host Unreachable/);
    expect(run.status).toBe(1);
    expect(statistics(run.stdout).received).toBe(0);
    expect(run.stdout).toMatch(/ 0 received, \+\d+ errors, 100% packet loss/);
  }, 180_000);
});
