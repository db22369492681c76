/**
 * Input redirection in the node shell: what a command reads as standard input (CommandIo.stdin),
 * bash's order of opening and its error texts, and — where bash is installed — the same command
 * lines run by bash 5.2 and coreutils in a scratch directory, compared byte for byte (output,
 * errors, status, and the files they leave).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { makeShell } from '../testing/kernel-shell.js';

describe('standard input of a command', () => {
  test('a command reads the redirected file once, then end of file; without < it has none', () => {
    const { sh, shell } = makeShell();
    const reads: (string | null | undefined)[] = [];
    shell.register('reader', (_argv, _now, io) => {
      reads.push(io.stdin?.(), io.stdin?.());
      io.exit(0);
    });
    sh('echo "-A -t 10.0.0.1:80 -s rr" > rules');
    expect(sh('reader < rules')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('reader')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh(`reader <<< 'a  b'`).status).toBe(0);
    expect(reads).toEqual(['-A -t 10.0.0.1:80 -s rr\n', '', null, null, 'a  b\n', '']);
  });

  test('the file is read when the command reads it: `cat < f > f` reads the truncated file', () => {
    const { sh } = makeShell();
    sh('echo hello > f');
    expect(sh('cat < f > f')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('cat f')).toEqual({ stdout: '', stderr: '', status: 0 });
  });

  test("a missing input is bash's error and status 1, and the command does not run", () => {
    const { sh, shell } = makeShell();
    let runs = 0;
    shell.register('reader', (_argv, _now, io) => {
      runs++;
      io.exit(0);
    });
    expect(sh('reader < /root/rules')).toEqual({ stdout: '', stderr: 'bash: /root/rules: No such file or directory\n', status: 1 });
    expect(sh('reader < ""')).toEqual({ stdout: '', stderr: 'bash: : No such file or directory\n', status: 1 });
    expect(sh('reader < /proc/sys/net/ipv4/route/flush')).toEqual({ stdout: '', stderr: 'bash: /proc/sys/net/ipv4/route/flush: Permission denied\n', status: 1 });
    expect(runs).toBe(0);
  });

  test('kernel files and /dev/null are inputs', () => {
    const { sh } = makeShell({ hostname: 'director' });
    expect(sh('cat < /proc/sys/net/ipv4/ip_forward').stdout).toBe('0\n');
    expect(sh('cat < /etc/hostname').stdout).toBe('director\n');
    expect(sh('tail -n 1 < /etc/iproute2/rt_tables').stdout).toBe('#1\tinr.ruhep\n');
    expect(sh('cat - < /dev/null')).toEqual({ stdout: '', stderr: '', status: 0 });
  });

  test('a here-document has no lines on a one-line shell: bash -c\'s warning and an empty input', () => {
    const { sh } = makeShell();
    expect(sh(`cat <<'EOF'`)).toEqual({ stdout: '', stderr: "bash: warning: here-document at line 1 delimited by end-of-file (wanted `EOF')\n", status: 0 });
  });

  test('a background job reads its redirected input', () => {
    const { sh } = makeShell();
    sh('echo one > in');
    expect(sh('cat < in > out &').status).toBe(0);
    expect(sh('cat out').stdout).toBe('one\n');
  });
});

/**
 * Each line runs in bash (cwd a scratch directory) and in the node shell (cwd /root), in order, so
 * the files one line leaves are the next line's input. Lines use relative paths, cat, tail and echo.
 */
const LINES = [
  `echo 'line one' > in`,
  'echo two >> in',
  'cat < in',
  'cat<in',
  '< in cat',
  'cat - < in',
  'cat in - < in',
  'tail -n 1 < in',
  'tail -n 1 in - < in',
  'cat < missing',
  'cat < missing > out1',
  'cat out1',
  'cat > out2 < missing',
  'cat out2',
  'cat < in > out3',
  'cat out3',
  'cat >> out3 < in',
  'cat out3',
  'cat < missing < in',
  'cat < out3 < in',
  `cat <<< 'hello  world'`,
  'cat<<<"a b"',
  `cat 'in'</dev/null`,
  'cat < /dev/null',
  'cat <> rw',
  'cat rw',
  'echo a > f1 > f2',
  'cat f1 f2',
  '"echo" "x y">f3',
  'cat f3',
  `cat < ''`,
  `echo x > ''`,
  'cat < /proc/sys/net/ipv4/route/flush',
  'cat < in > in',
  'cat in',
  '> made',
  'cat made',
  '< missing',
];

needs({ tools: ['bash'] }).describe('as bash 5.2 and coreutils do', () => {
  test('the same output, errors, status and files, line by line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netloom-redirection-'));
    try {
      const { sh } = makeShell();
      for (const line of LINES) {
        const real = spawnSync('bash', ['--norc', '--noprofile', '-c', line], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
        // `bash -c` puts `line 1: ` into its errors, which the interactive bash the node shell follows does not.
        const stderr = real.stderr.replace(/^bash: line 1: /gm, 'bash: ');
        expect(sh(line), line).toEqual({ stdout: real.stdout, stderr, status: real.status });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
