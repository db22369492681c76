// A node's files are a size-limited tmpfs: whole pages, a short write then ENOSPC, truncation gives
// pages back, and bash's and a program's view of a full file system.
import { describe, expect, it } from 'vitest';
import type { Program } from '../process.js';
import { Lab, MS } from '../testing/lab.js';
import { DEFAULT_FILE_STORE_BYTES, FileStore } from './file-store.js';

describe('the node file store as a size-limited tmpfs', () => {
  it('fills whole pages and writes short when full, as a 16 KiB tmpfs on Linux 6.18 does', () => {
    // Recorded with `mount -t tmpfs -o size=16k`: echo of 10000 a's into f1 succeeds (3 pages);
    // the same into f2 leaves 4096 bytes and fails; nothing more goes in; `> f1` then gives pages back.
    const store = new FileStore({ capacity: 16384 });
    const line = `${'a'.repeat(10000)}\n`;
    expect(store.open('/f1', false)).toEqual({ ok: true });
    expect(store.append('/f1', line)).toEqual({ ok: true });
    expect(store.open('/f2', false)).toEqual({ ok: true });
    expect(store.append('/f2', line)).toEqual({ ok: false, errno: 'ENOSPC', written: 4096 });
    expect(store.read('/f2')?.length).toBe(4096);
    expect(store.used).toBe(16384);
    expect(store.append('/f2', 'x\n')).toEqual({ ok: false, errno: 'ENOSPC', written: 0 });
    expect(store.open('/f3', false)).toEqual({ ok: true });
    expect(store.append('/f3', 'line1\n')).toEqual({ ok: false, errno: 'ENOSPC', written: 0 });
    expect(store.open('/f1', false)).toEqual({ ok: true });
    expect(store.append('/f1', 'c'.repeat(100))).toEqual({ ok: true });
    expect(store.used).toBe(8192);
  });

  it('counts UTF-8 bytes and never splits a character', () => {
    const store = new FileStore({ capacity: 4096 });
    store.open('/u', false);
    expect(store.append('/u', 'é'.repeat(2047))).toEqual({ ok: true });
    expect(store.append('/u', 'éé')).toEqual({ ok: false, errno: 'ENOSPC', written: 2 });
    expect(store.read('/u')).toBe('é'.repeat(2048));
  });

  it('refuses a new file past its inode limit, but still rewrites existing ones', () => {
    const store = new FileStore({ maxFiles: 2 });
    expect(store.open('/a', false)).toEqual({ ok: true });
    expect(store.open('/b', true)).toEqual({ ok: true });
    expect(store.open('/c', false)).toEqual({ ok: false, errno: 'ENOSPC' });
    expect(store.open('/a', false)).toEqual({ ok: true });
  });
});

/** Writes 64 KiB to stdout every millisecond; on a failed write says so on stderr and exits 1. */
const flooder: Program = (ctx) => {
  const chunk = `${'x'.repeat(65535)}\n`;
  let chunks = 0;
  const tick = (): void => {
    const written = ctx.stdout(chunk);
    if (!written.ok) {
      ctx.stderr(`flooder: write error after ${chunks} chunks: ${written.errno}\n`);
      ctx.exit(1);
      return;
    }
    chunks++;
    ctx.setTimer(MS, tick);
  };
  tick();
};

describe('a full node file system in the shell', () => {
  it('stops a program writing into a file at the 16 MiB default: its write fails with ENOSPC', () => {
    const lab = new Lab();
    lab.addNode('h1', { programs: { flooder } });
    const run = lab.exec('h1', 'flooder > /var/log/flood.log', 1000 * MS);
    expect(run.status).toBe(1);
    // 256 chunks of 64 KiB fill 16 MiB exactly; the 257th gets nothing in.
    expect(run.stderr).toBe('flooder: write error after 256 chunks: ENOSPC\n');
    expect(lab.node('h1').parts.processes.count).toBe(0);
    expect(lab.exec('h1', 'tail -n 1 /var/log/flood.log').stdout).toBe(`${'x'.repeat(65535)}\n`);
    expect(DEFAULT_FILE_STORE_BYTES).toBe(256 * 65536);
  });

  it('prints bash\'s write error for echo into a full file system, keeping what fitted', () => {
    const lab = new Lab();
    lab.addNode('h1', { programs: { flooder } });
    lab.exec('h1', 'flooder > /root/big', 1000 * MS);
    expect(lab.exec('h1', 'echo hello >> /tmp/note')).toEqual(expect.objectContaining({ status: 1, stdout: '', stderr: 'bash: echo: write error: No space left on device\n' }));
    expect(lab.exec('h1', 'cat /tmp/note')).toEqual(expect.objectContaining({ status: 0, stdout: '' }));
    // Truncating the big file frees the space.
    expect(lab.exec('h1', 'echo hello > /root/big').status).toBe(0);
    expect(lab.exec('h1', 'echo again >> /tmp/note').status).toBe(0);
    expect(lab.exec('h1', 'cat /tmp/note').stdout).toBe('again\n');
  });
});

describe('kernel files a part of the node provides', () => {
  it('are read fresh by cat on each read, take no room, and cannot be written or provided twice', () => {
    const lab = new Lab();
    const node = lab.addNode('d');
    let reads = 0;
    node.shell.files.provide('/proc/net/ip_vs_test', (now) => `read ${++reads} at ${now}\n`);
    expect(lab.exec('d', 'cat /proc/net/ip_vs_test').stdout).toBe('read 1 at 0\n');
    lab.run(5 * MS);
    expect(lab.exec('d', 'cat /proc/net/ip_vs_test').stdout).toBe(`read 2 at ${5 * MS}\n`);
    expect(node.shell.files.used).toBe(0);
    expect(lab.exec('d', 'echo 1 > /proc/net/ip_vs_test').status).not.toBe(0);
    expect(lab.exec('d', 'cat /proc/net/nosuch')).toMatchObject({ stderr: 'cat: /proc/net/nosuch: No such file or directory\n', status: 1 });
    expect(() => node.shell.files.provide('/proc/net/ip_vs_test', () => '')).toThrow('provided twice');
    expect(() => node.shell.files.provide('/root/x', () => '')).toThrow('under /proc');
  });
});
