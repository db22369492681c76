/**
 * `sysctl` with names the tree does not have: procps-ng 4.0.2's `cannot stat /proc/sys/…` text and
 * exit statuses for reads (1 per missing key), writes (1), -q (still reports) and -e (silent, 0), in
 * the model and, when root, against the real tool in a network namespace (skips saying so, fails
 * under CI=true). A misspelt name never reads as 0, neither in the command nor through the kernel.
 */
import { describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { compareCommandLines } from '../testing/kernel-differential.js';
import { makeKernel, makeShell } from '../testing/kernel-shell.js';

const CANNOT_STAT = (path: string): string => `sysctl: cannot stat /proc/sys/${path}: No such file or directory\n`;

const UNKNOWN_NAME_LINES = [
  'sysctl net.ipv4.conf.eth0.rp_filtr',
  'sysctl -w net.ipv4.conf.eth0.rp_filtr=1',
  'sysctl net.ipv4.conf.eth0.rp_filtr=1',
  'sysctl -q net.ipv4.conf.eth0.rp_filtr',
  'sysctl -q -w net.ipv4.conf.eth0.rp_filtr=1',
  'sysctl -e net.ipv4.conf.eth0.rp_filtr',
  'sysctl -e -w net.ipv4.conf.eth0.rp_filtr=1',
  'sysctl --ignore net.ipv4.conf.eth0.rp_filtr',
  'sysctl -n net.ipv4.conf.eth0.rp_filtr',
  'sysctl a.b c.d e.f',
  'sysctl -w a.b=1 c.d=2 e.f=3',
  'sysctl -e a.b net.ipv4.conf.eth0.rp_filter',
  'sysctl net.ipv4.conf.eth9.rp_filter',
  'sysctl -w net.ipv4.conf.eth0.rp_filtr',
  // (lines mixing a value and an error are left to the model test: the harness puts the model's stderr first)
];

describe('sysctl with unknown names (model)', () => {
  test('read, -w, -q, -e and several keys give procps-ng text and status', () => {
    const { sh } = makeShell();
    const path = 'net/ipv4/conf/eth0/rp_filtr';
    expect(sh('sysctl net.ipv4.conf.eth0.rp_filtr')).toEqual({ stdout: '', stderr: CANNOT_STAT(path), status: 1 });
    expect(sh('sysctl -w net.ipv4.conf.eth0.rp_filtr=1')).toEqual({ stdout: '', stderr: CANNOT_STAT(path), status: 1 });
    expect(sh('sysctl -q net.ipv4.conf.eth0.rp_filtr')).toEqual({ stdout: '', stderr: CANNOT_STAT(path), status: 1 });
    expect(sh('sysctl -e net.ipv4.conf.eth0.rp_filtr')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('sysctl --ignore -w net.ipv4.conf.eth0.rp_filtr=1')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('sysctl a.b c.d e.f')).toEqual({ stdout: '', stderr: CANNOT_STAT('a/b') + CANNOT_STAT('c/d') + CANNOT_STAT('e/f'), status: 3 });
    expect(sh('sysctl -w a.b=1 c.d=2')).toEqual({ stdout: '', stderr: CANNOT_STAT('a/b') + CANNOT_STAT('c/d'), status: 1 });
    expect(sh('sysctl -e a.b net.ipv4.conf.eth0.rp_filter')).toEqual({ stdout: 'net.ipv4.conf.eth0.rp_filter = 0\n', stderr: '', status: 0 });
    // The misspelt write changed nothing.
    expect(sh('sysctl -n net.ipv4.conf.eth0.rp_filter').stdout).toBe('0\n');
  });

  test('the kernel refuses to read a name it does not have instead of reading 0', () => {
    const kernel = makeKernel();
    expect(kernel.sysctl('net.ipv4.conf.eth0.rp_filter')).toBe(0);
    expect(() => kernel.sysctl('net.ipv4.conf.eth0.rp_filtr')).toThrow(/no such key net\.ipv4\.conf\.eth0\.rp_filtr/);
    expect(() => kernel.sysctl('net.ipv4.ip_forwardd')).toThrow(RangeError);
    expect(() => kernel.conf('eth0', 'rp_filtr')).toThrow(RangeError);
  });
});

needs({ netns: true, tools: ['bash', 'sysctl'] }).describe('sysctl with unknown names against procps-ng', () => {
  test('the same lines in a namespace and in the model agree, text and status', () => {
    expect(compareCommandLines(['eth0'], UNKNOWN_NAME_LINES).join('\n\n')).toBe('');
  });
});
