// `expect:` blocks on IPv6 output (issue #15, dual stack everywhere): addresses with `::` as plain
// YAML scalars (also one that starts with `::`, and in flow mappings), in contains, /regex/ and
// not_stdout matchers, against the real node shell's `ip -6 addr`, `ip -6 neigh`, `ip -6 route get`
// and `ping -6`; and the report of ones that do not hold names the IPv6 text it wanted.
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';
import { describe, expect, it } from 'vitest';

const text = `name: expect-ipv6
seed: 1
nodes:
  h1:
    exec: [ip link set eth0 up, ip -6 addr add 2001:db8::1/64 dev eth0]
  h2:
    exec: [ip link set eth0 up, ip -6 addr add 2001:db8::2/64 dev eth0]
links:
  - endpoints: [h1:eth0, h2:eth0]
expect:
  - at: 1s
    node: h1
    cmd: ip -6 addr show dev lo
    stdout: ::1/128 scope host
  - at: 1s
    node: h1
    cmd: ip -6 addr show dev eth0
    stdout:
      - inet6 2001:db8::1/64 scope global
      - /inet6 fe80::[0-9a-f:]+\\/64 scope link/
    not_stdout: 2001:db8::2
  - { at: 2s, node: h1, cmd: ping -6 -c 1 2001:db8::2, stdout: 64 bytes from 2001:db8::2, status: 0 }
  - { at: 3s, node: h1, cmd: ip -6 neigh show 2001:db8::2, stdout: "/^2001:db8::2 dev eth0 lladdr 02:00:00:00:02:01 (REACHABLE|STALE|DELAY)/" }
  - at: 3s
    node: h1
    cmd: ip -6 route get 2001:db8::2
    stdout: '/^2001:db8::2 from :: dev eth0 proto kernel src 2001:db8::1 metric 256 pref medium$/m'
  # These three must not hold.
  - { at: 4s, node: h1, cmd: ip -6 addr show dev eth0, stdout: 2001:db8::9 }
  - { at: 4s, node: h1, cmd: ip -6 addr show dev eth0, not_stdout: "/inet6 2001:db8::1\\\\/64/" }
  - { at: 4s, node: h1, cmd: ip -6 route get 2001:db8::2, stdout: "/src ::1 /" }
`;

describe('expect blocks on IPv6 output', () => {
  it('match addresses with :: in contains, regex and not_stdout, and name them when they do not hold', async () => {
    const emulator = await Emulator.load(parseTopology(text, 'expect-ipv6.yaml'), { placement: 'inline' });
    try {
      const report = await emulator.run();
      expect(report.expectations.map((e) => e.passed)).toEqual([true, true, true, true, true, false, false, false]);
      const [missing, unwanted, wrongSource] = report.expectations.slice(5).map((e) => e.message);
      expect(missing).toMatch(/^expect-ipv6\.yaml:29: h1: ip -6 addr show dev eth0: stdout: want "2001:db8::9", got ".*inet6 2001:db8::1\/64 scope global/);
      expect(unwanted).toMatch(/^expect-ipv6\.yaml:30: h1: ip -6 addr show dev eth0: stdout: want no match for \/inet6 2001:db8::1\\\/64\/, got /);
      expect(wrongSource).toBe(
        'expect-ipv6.yaml:31: h1: ip -6 route get 2001:db8::2: stdout: want /src ::1 /, got "2001:db8::2 from :: dev eth0 proto kernel src 2001:db8::1 metric 256 pref medium\\n"',
      );
    } finally {
      await emulator.close();
    }
  }, 120_000);
});
