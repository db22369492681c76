// Files and paths a hostile user or a mistake can hand `netloom` (issue #11 item 6), through the
// command as a user runs it: a topology path that is a FIFO, a symbolic link to /dev/zero, a
// directory or a file past the 4 MiB cap is refused with exit status 2 (and never blocks or reads
// without end); `run --pcap` into /proc, into /dev behind a symbolic link, or onto a symbolic link
// planted at a capture's path is refused with exit status 2, and the link's target is untouched.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@netloom/cli/testing/cli-harness';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const twoHosts = join(root, 'topologies', 'two-hosts.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'netloom-reliability-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the topology path', () => {
  it('a FIFO is refused at once: nothing ever writes to it, and check does not wait for a writer', async () => {
    const fifo = join(scratch, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(await runCli(['check', fifo])).toEqual({
      status: 2,
      stdout: '',
      stderr: `${fifo}:1:1: cannot read the topology file: it is a FIFO (named pipe); expected a regular file\n`,
    });
  });

  it('a symbolic link to /dev/zero is refused, not read on and on', async () => {
    const zero = join(scratch, 'zero.yaml');
    symlinkSync('/dev/zero', zero);
    expect(await runCli(['run', zero])).toEqual({
      status: 2,
      stdout: '',
      stderr: `${zero}:1:1: cannot read the topology file: it is a character device; expected a regular file\n`,
    });
  });

  it('a directory is refused', async () => {
    const dir = join(scratch, 'dir.yaml');
    mkdirSync(dir);
    expect((await runCli(['check', dir])).stderr).toBe(`${dir}:1:1: cannot read the topology file: it is a directory; expected a regular file\n`);
  });

  it('a file of 4 MiB and one byte is refused before YAML reads it', async () => {
    const big = join(scratch, 'big.yaml');
    const valid = readFileSync(twoHosts, 'utf8');
    writeFileSync(big, `${valid}${'#'.repeat(4 * 1024 * 1024 + 1 - Buffer.byteLength(valid))}`);
    expect(await runCli(['check', big])).toEqual({
      status: 2,
      stdout: '',
      stderr: `${big}:1:1: the file is larger than 4 MiB (4194304 bytes), the limit for a topology file\n`,
    });
  });
});

describe('run --pcap DIR', () => {
  it('/proc is refused with exit status 2 (a recursive mkdir there never ended)', async () => {
    expect(await runCli(['run', twoHosts, '--placement', 'inline', '--pcap', '/proc/x'])).toEqual({
      status: 2,
      stdout: '',
      stderr: "netloom: --pcap: cannot write captures into /proc/x: under /proc, which holds the kernel's process information, not files\n",
    });
  });

  it('/dev behind a symbolic link is refused, and nothing is made there', async () => {
    const link = join(scratch, 'looks-harmless');
    symlinkSync('/dev', link);
    const result = await runCli(['run', twoHosts, '--placement', 'inline', '--pcap', join(link, 'netloom-caps')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `netloom: --pcap: cannot write captures into ${link}/netloom-caps: it is /dev/netloom-caps, under /dev, which holds device files, not files\n`,
    );
    expect(existsSync('/dev/netloom-caps')).toBe(false);
  });

  it('a symbolic link planted at a capture path is not followed: exit status 2, its target keeps its bytes', async () => {
    const dir = join(scratch, 'caps');
    mkdirSync(dir);
    const victim = join(scratch, 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'h1_eth0--h2_eth0.pcapng'));
    const result = await runCli(['run', twoHosts, '--placement', 'inline', '--pcap', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `netloom: --pcap: cannot create ${dir}/h1_eth0--h2_eth0.pcapng: it exists and is a symbolic link (captures never follow one)\n`,
    );
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('a second run into the same folder replaces its own earlier capture', async () => {
    const dir = join(scratch, 'twice');
    for (const _ of [1, 2]) {
      const result = await runCli(['run', twoHosts, '--placement', 'inline', '--pcap', dir]);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe(`pcap: ${dir}/h1_eth0--h2_eth0.pcapng\n`);
    }
    expect([...readFileSync(join(dir, 'h1_eth0--h2_eth0.pcapng')).subarray(0, 4)]).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
  });
});
