/**
 * The proc_handler conversions, against values written and read back in a network namespace on
 * kernel 6.18 (HZ=250): for each key, the same texts were written with `sysctl -w` and the file
 * read back; `EINVAL` marks a write the kernel refused. The live comparison is in
 * shell/shell-against-linux.test.ts; this table runs everywhere.
 */
import { describe, expect, test } from 'vitest';
import { makeShell } from '../testing/kernel-shell.js';
import { procGetLong } from './proc-handlers.js';

const WRITTEN = ['-2147483649', '-2147483648', '-1', '0', '1', '3', '67', '256', '65536', '2147483647', '2147483648', '99999999999', '1e20'];

/** Read back after each write of WRITTEN (as `cat` shows it), observed on 6.18. */
const OBSERVED: Record<string, string[]> = {
  'net.ipv4.conf.all.rp_filter': ['EINVAL', '-2147483648', '-1', '0', '1', '3', '67', '256', '65536', '2147483647', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.conf.eth0.forwarding': ['EINVAL', '-2147483648', '-1', '0', '1', '3', '67', '256', '65536', '2147483647', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.neigh.eth0.anycast_delay': ['-0', '-0', '-0', '0', '0', '2', '66', '256', '65536', '429496728', '429496729', '356758731', 'EINVAL'],
  'net.ipv4.neigh.eth0.app_solicit': ['EINVAL', 'EINVAL', 'EINVAL', '0', '1', '3', '67', '256', '65536', '2147483647', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.neigh.eth0.base_reachable_time_ms': ['2147483648', 'EINVAL', 'EINVAL', '0', '4', '4', '68', '256', '65536', '2147483648', 'EINVAL', '1215752192', 'EINVAL'],
  'net.ipv4.neigh.eth0.delay_first_probe_time': ['EINVAL', 'EINVAL', '-1', '0', '1', '3', '67', '256', '65536', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.neigh.eth0.interval_probe_time_ms': ['2147483648', 'EINVAL', 'EINVAL', 'EINVAL', '4', '4', '68', '256', '65536', '2147483648', 'EINVAL', '1215752192', 'EINVAL'],
  'net.ipv4.neigh.eth0.unres_qlen': ['EINVAL', 'EINVAL', 'EINVAL', '0', '1', '3', '67', '256', '65536', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.fib_multipath_hash_fields': ['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', '1', '3', '67', '256', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.fib_multipath_hash_policy': ['EINVAL', 'EINVAL', 'EINVAL', '0', '1', '3', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.icmp_echo_ignore_all': ['EINVAL', 'EINVAL', 'EINVAL', '0', '1', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.icmp_msgs_per_sec': ['EINVAL', 'EINVAL', 'EINVAL', '0', '1', '3', '67', '256', '65536', '2147483647', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.icmp_ratelimit': ['2147483648', 'EINVAL', 'EINVAL', '0', '4', '4', '68', '256', '65536', '2147483648', 'EINVAL', '1215752192', 'EINVAL'],
  'net.ipv4.ip_default_ttl': ['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', '1', '3', '67', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.ip_no_pmtu_disc': ['EINVAL', 'EINVAL', 'EINVAL', '0', '1', '3', '67', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.route.min_pmtu': ['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', '256', '65536', '2147483647', 'EINVAL', 'EINVAL', 'EINVAL'],
  'net.ipv4.route.mtu_expires': ['EINVAL', 'EINVAL', '-1', '0', '1', '3', '67', '256', '65536', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
};

describe('proc_handler bounds and conversions (observed on 6.18)', () => {
  for (const [key, expected] of Object.entries(OBSERVED)) {
    test(`${key}`, () => {
      const { sh } = makeShell();
      const path = `/proc/sys/${key.replace(/\./g, '/')}`;
      const seen = WRITTEN.map((text) => {
        const written = sh(`sysctl -w ${key}=${text}`);
        if (written.status !== 0) {
          expect(written).toEqual({ stdout: '', stderr: `sysctl: setting key "${key}": Invalid argument\n`, status: 1 });
          return 'EINVAL';
        }
        return sh(`cat ${path}`).stdout.trimEnd();
      });
      expect(seen).toEqual(expected);
    });
  }
});

describe('reading the number (proc_get_long)', () => {
  test('base 0, blanks, one number, at most 20 characters', () => {
    expect(procGetLong('0x10')).toEqual({ negative: false, magnitude: 16n });
    expect(procGetLong('010')).toEqual({ negative: false, magnitude: 8n });
    expect(procGetLong(' 5 6')).toEqual({ negative: false, magnitude: 5n });
    expect(procGetLong('5\n')).toEqual({ negative: false, magnitude: 5n });
    expect(procGetLong('-0')).toEqual({ negative: true, magnitude: 0n });
    for (const refused of ['', '-', '+5', '08', '0x', '1e20', '5x', '18446744073709551616', '000000000000000000001']) expect(procGetLong(refused), refused).toBeNull();
  });

  test('sysctl echoes the text it wrote; the shell writes through echo too', () => {
    const { sh } = makeShell();
    expect(sh('sysctl -w net.ipv4.conf.all.rp_filter=0x2')).toEqual({ stdout: 'net.ipv4.conf.all.rp_filter = 0x2\n', stderr: '', status: 0 });
    expect(sh('sysctl -n net.ipv4.conf.all.rp_filter').stdout).toBe('2\n');
    expect(sh('sysctl -w net.ipv4.conf.all.rp_filter=99999999999')).toEqual({
      stdout: '',
      stderr: 'sysctl: setting key "net.ipv4.conf.all.rp_filter": Invalid argument\n',
      status: 1,
    });
    expect(sh('sysctl -w net.ipv4.neigh.eth0.base_reachable_time_ms=1e20').status).toBe(1);
    expect(sh('echo 99999999999 > /proc/sys/net/ipv4/conf/all/rp_filter')).toEqual({ stdout: '', stderr: 'bash: echo: write error: Invalid argument\n', status: 1 });
    expect(sh('sysctl -n net.ipv4.conf.all.rp_filter').stdout).toBe('2\n');
  });

  test('unres_qlen is unres_qlen_bytes in packets of SKB_TRUESIZE(1514) = 2090 bytes', () => {
    const { sh } = makeShell();
    expect(sh('sysctl -n net.ipv4.neigh.eth0.unres_qlen net.ipv4.neigh.eth0.unres_qlen_bytes').stdout).toBe('101\n212992\n');
    sh('sysctl -w net.ipv4.neigh.eth0.unres_qlen=1027504');
    expect(sh('sysctl -n net.ipv4.neigh.eth0.unres_qlen_bytes').stdout).toBe('2147483360\n');
    expect(sh('sysctl -w net.ipv4.neigh.eth0.unres_qlen=1027505').status).toBe(1);
    sh('sysctl -w net.ipv4.neigh.eth0.unres_qlen_bytes=212992');
    expect(sh('sysctl -n net.ipv4.neigh.eth0.unres_qlen').stdout).toBe('101\n');
  });
});
