// Background jobs and the node's files: a program left running with its output redirected into a
// file, read with tail/cat while it runs, listed by jobs, stopped by kill %N — the way a topology
// keeps seed 000's sender running and checks each of its lines.
import { describe, expect, it } from 'vitest';
import type { Program } from '../process.js';
import { Lab, SECOND } from '../testing/lab.js';
import { lastLines } from './file-store.js';

/** Prints `tick N` every second until interrupted; on Ctrl-C prints `stopped` and exits 0. */
const ticker: Program = (ctx) => {
  let n = 0;
  let timer = ctx.setTimer(0, function tick() {
    ctx.stdout(`tick ${++n}\n`);
    timer = ctx.setTimer(SECOND, tick);
  });
  ctx.onInterrupt(() => {
    timer.cancel();
    ctx.stdout('stopped\n');
    ctx.exit(0);
  });
};

function lab(): Lab {
  const l = new Lab();
  l.addNode('h1', { programs: { ticker } });
  return l;
}

describe('background jobs and files', () => {
  it('runs `CMD > FILE &` in the background and tail/cat show what it wrote so far', () => {
    const l = lab();
    const start = l.exec('h1', 'ticker > /var/log/ticker.log &');
    expect(start).toMatchObject({ status: 0, stdout: '', stderr: '' });
    l.run(2.5 * SECOND);
    expect(l.exec('h1', 'tail -n 1 /var/log/ticker.log')).toMatchObject({ status: 0, stdout: 'tick 3\n' });
    expect(l.exec('h1', 'cat /var/log/ticker.log').stdout).toBe('tick 1\ntick 2\ntick 3\n');
    expect(l.exec('h1', 'tail -2 /var/log/ticker.log').stdout).toBe('tick 2\ntick 3\n');
  });

  it('lists jobs as bash does and kill %N interrupts one', () => {
    const l = lab();
    l.exec('h1', 'ticker > log &');
    expect(l.exec('h1', 'jobs').stdout).toBe('[1]+  Running                 ticker > log &\n');
    expect(l.exec('h1', 'kill %1')).toMatchObject({ status: 0, stderr: '' });
    expect(l.exec('h1', 'tail -n 1 /root/log').stdout).toBe('stopped\n');
    expect(l.exec('h1', 'jobs').stdout).toBe('[1]+  Done                    ticker > log\n');
    expect(l.exec('h1', 'jobs').stdout).toBe('');
    expect(l.exec('h1', 'kill %1')).toMatchObject({ status: 1, stderr: 'bash: kill: %1: no such job\n' });
  });

  it('truncates with > and appends with >>, for echo and commands alike', () => {
    const l = lab();
    l.exec('h1', 'echo one > /tmp/f');
    l.exec('h1', 'echo two >> /tmp/f');
    l.exec('h1', 'hostname >> /tmp/f');
    expect(l.exec('h1', 'cat /tmp/f').stdout).toBe('one\ntwo\nh1\n');
    l.exec('h1', 'echo three > /tmp/f');
    expect(l.exec('h1', 'cat /tmp/../tmp//f').stdout).toBe('three\n');
  });

  it('gives coreutils and bash errors for missing files and unwritable paths', () => {
    const l = lab();
    expect(l.exec('h1', 'tail -n 1 /nope')).toMatchObject({ status: 1, stderr: "tail: cannot open '/nope' for reading: No such file or directory\n" });
    expect(l.exec('h1', 'tail -n x /nope')).toMatchObject({ status: 1, stderr: "tail: invalid number of lines: 'x'\n" });
    expect(l.exec('h1', 'hostname > /sys/x')).toMatchObject({ status: 1, stderr: 'bash: /sys/x: Read-only file system\n' });
    expect(l.exec('h1', "echo 'a &'")).toMatchObject({ status: 0, stdout: 'a &\n' });
  });

  it('lastLines keeps the final newline and counts lines like tail', () => {
    expect(lastLines('a\nb\nc\n', 2)).toBe('b\nc\n');
    expect(lastLines('a\nb', 1)).toBe('b');
    expect(lastLines('', 3)).toBe('');
  });
});
