/**
 * sysctl semantics (linux-stack-facts.md §5, kernel 6.18): combining all/DEV per key, the default
 * copy rule, forwarding's special cases, and the procps-ng 4.0.2 command texts and statuses
 * (checked in a namespace).
 */
import { describe, expect, test } from 'vitest';
import { makeShell } from '../testing/kernel-shell.js';

describe('combining rules', () => {
  test('send_redirects is all OR dev (seed 004: both must be 0 to stop redirects)', () => {
    const { kernel, sh } = makeShell();
    expect(kernel.conf('eth0', 'send_redirects')).toBe(1);
    sh('echo 0 > /proc/sys/net/ipv4/conf/all/send_redirects');
    expect(kernel.conf('eth0', 'send_redirects')).toBe(1);
    sh('echo 0 > /proc/sys/net/ipv4/conf/eth0/send_redirects');
    expect(kernel.conf('eth0', 'send_redirects')).toBe(0);
    sh('echo 1 > /proc/sys/net/ipv4/conf/all/send_redirects');
    expect(kernel.conf('eth0', 'send_redirects')).toBe(1);
  });

  test('rp_filter is the max; accept_source_route is AND; forwarding is the device value', () => {
    const { kernel, sh } = makeShell();
    sh('sysctl -w net.ipv4.conf.eth0.rp_filter=1');
    sh('sysctl -w net.ipv4.conf.all.rp_filter=2');
    expect(kernel.conf('eth0', 'rp_filter')).toBe(2);
    expect(kernel.conf('eth0', 'accept_source_route')).toBe(0);
    sh('sysctl -w net.ipv4.conf.eth0.forwarding=1');
    expect(kernel.conf('eth0', 'forwarding')).toBe(1);
    expect(kernel.conf('lo', 'forwarding')).toBe(0);
  });

  test('accept_redirects is AND while forwarding and OR otherwise (observed on 6.18)', () => {
    const { kernel, sh } = makeShell();
    sh('sysctl -w net.ipv4.conf.all.accept_redirects=0');
    expect(kernel.conf('eth0', 'accept_redirects')).toBe(1);
    sh('sysctl -w net.ipv4.conf.all.accept_redirects=1');
    sh('sysctl -w net.ipv4.conf.eth0.accept_redirects=0');
    expect(kernel.conf('eth0', 'accept_redirects')).toBe(1);
    sh('sysctl -w net.ipv4.conf.eth0.forwarding=1');
    expect(kernel.conf('eth0', 'accept_redirects')).toBe(0);
  });

  test('ip_forward sets forwarding everywhere and all.accept_redirects to its negation', () => {
    const { kernel, sh } = makeShell();
    expect(sh('sysctl -w net.ipv4.ip_forward=1').stdout).toBe('net.ipv4.ip_forward = 1\n');
    expect(sh('sysctl -n net.ipv4.conf.all.accept_redirects net.ipv4.conf.eth0.forwarding net.ipv4.conf.default.forwarding').stdout).toBe('0\n1\n1\n');
    sh('sysctl -w net.ipv4.conf.all.forwarding=0');
    expect(kernel.sysctl('net.ipv4.ip_forward')).toBe(0);
    expect(kernel.sysctl('net.ipv4.conf.all.accept_redirects')).toBe(1);
  });
});

describe('default copying', () => {
  test('a write to default reaches devices never written and without addresses (devinet_copy_dflt_conf)', () => {
    const { kernel, sh } = makeShell({ devices: ['eth0', 'eth1', 'eth2'] });
    sh('ip addr add 10.0.0.1/24 dev eth1');
    sh('sysctl -w net.ipv4.conf.eth2.rp_filter=0');
    sh('sysctl -w net.ipv4.conf.default.rp_filter=2');
    expect(['eth0', 'eth1', 'eth2'].map((d) => kernel.sysctl(`net.ipv4.conf.${d}.rp_filter`))).toEqual([2, 0, 0]);
    kernel.addDevice('eth3', 'ether', new Uint8Array(6), 1500);
    expect(kernel.sysctl('net.ipv4.conf.eth3.rp_filter')).toBe(2);
    sh('sysctl -w net.ipv4.conf.default.forwarding=1');
    expect(kernel.sysctl('net.ipv4.conf.eth0.forwarding')).toBe(0);
  });
});

describe('commands', () => {
  test('procps texts and statuses', () => {
    const { sh } = makeShell();
    expect(sh('sysctl net.ipv4.conf.nosuch.rp_filter')).toEqual({
      stdout: '',
      stderr: 'sysctl: cannot stat /proc/sys/net/ipv4/conf/nosuch/rp_filter: No such file or directory\n',
      status: 1,
    });
    expect(sh('sysctl -w net.ipv4.conf.all.rp_filter=abc')).toEqual({ stdout: '', stderr: 'sysctl: setting key "net.ipv4.conf.all.rp_filter": Invalid argument\n', status: 1 });
    expect(sh('sysctl -w net.ipv4.conf.all.rp_filter')).toEqual({ stdout: '', stderr: 'sysctl: command line(0): invalid syntax, continuing...\n', status: 1 });
    expect(sh('sysctl net.ipv4.conf.all.rp_filter=1')).toEqual({ stdout: 'net.ipv4.conf.all.rp_filter = 1\n', stderr: '', status: 0 });
    expect(sh('sysctl net/ipv4/ip_forward').stdout).toBe('net.ipv4.ip_forward = 0\n');
    expect(sh('sysctl -q -w net.ipv4.ip_forward=1')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('sysctl -a').stdout).toContain('net.ipv4.route.gc_timeout = 300\n');
    expect(sh('sysctl net.ipv4.neigh.eth0.base_reachable_time_ms').stdout).toBe('net.ipv4.neigh.eth0.base_reachable_time_ms = 30000\n');
  });

  test('echo into /proc/sys and cat out of it, with bash errors', () => {
    const { sh } = makeShell();
    expect(sh('echo 0 > /proc/sys/net/ipv4/conf/all/send_redirects')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('cat /proc/sys/net/ipv4/conf/all/send_redirects').stdout).toBe('0\n');
    expect(sh('echo abc > /proc/sys/net/ipv4/ip_forward')).toEqual({ stdout: '', stderr: 'bash: echo: write error: Invalid argument\n', status: 1 });
    expect(sh('echo 1 > /proc/sys/net/ipv4/conf/nosuch/x').stderr).toBe('bash: /proc/sys/net/ipv4/conf/nosuch/x: No such file or directory\n');
    expect(sh('cat /proc/sys/net/ipv4/route/flush')).toEqual({ stdout: '', stderr: 'cat: /proc/sys/net/ipv4/route/flush: Permission denied\n', status: 1 });
    expect(sh('echo 5 > /proc/sys/net/ipv4/ip_forward; cat /proc/sys/net/ipv4/ip_forward'.split(';')[0]!).status).toBe(0);
    expect(sh('cat /proc/sys/net/ipv4/ip_forward').stdout).toBe('5\n');
  });
});

describe('neighbour parameters', () => {
  test('default values reach devices that never had them written', () => {
    const { kernel, sh } = makeShell({ devices: ['eth0', 'eth1'] });
    sh('sysctl -w net.ipv4.neigh.eth1.retrans_time_ms=500');
    sh('sysctl -w net.ipv4.neigh.default.retrans_time_ms=2000');
    expect(kernel.sysctls.neighParam('eth0', 'retrans_time_ms')).toBe(2000);
    expect(kernel.sysctls.neighParam('eth1', 'retrans_time_ms')).toBe(500);
  });
});
