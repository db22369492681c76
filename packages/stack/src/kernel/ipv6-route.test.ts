/**
 * IPv6 routes (kernel/ipv6-route.ts, fib/fib6.ts through `ip -6 route`): the kernel's prefix,
 * local and multicast routes, static routes with their iproute2 6.1 / Linux 6.18 texts, errors and
 * lookups, in the model and compared live with the running kernel in a namespace (needs root and
 * iproute2; skips saying so, fails under CI=true).
 */
import { parseIpv6Number } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { comparePrefixes } from '../fib/fib6.js';
import { compareIpv6Lines } from '../testing/ipv6-lines.js';
import { makeShell } from '../testing/kernel-shell.js';

const S = 1_000_000_000;

describe('IPv6 routes in the model', () => {
  test('an address brings its prefix route at once and its local route when DAD completes', () => {
    const { sh } = makeShell();
    sh('ip -6 addr add 2001:db8::1/64 dev eth0', 2 * S);
    expect(sh('ip -6 route show table all', 2 * S).stdout).toBe(
      '2001:db8::/64 dev eth0 proto kernel metric 256 pref medium\n' +
        'fe80::/64 dev eth0 proto kernel metric 256 pref medium\n' +
        'local ::1 dev lo table local proto kernel metric 0 pref medium\n' +
        'local fe80::ff:fe00:1 dev eth0 table local proto kernel metric 0 pref medium\n' +
        'multicast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium\n',
    );
    expect(sh('ip -6 route show table local', 3 * S).stdout).toContain('local 2001:db8::1 dev eth0 proto kernel metric 0 pref medium\n');
  });

  test('del matches no route type and change of a missing route fails as Linux 6.18 says, by whether the prefix has a node', () => {
    // Seen in a namespace: `del throw P` deletes `blackhole P`; `change` of a prefix without any
    // route is "Error: Can not replace route - no match found.", of the default route (the tree's
    // root) or of a prefix routed with another metric "RTNETLINK answers: No such file or directory".
    const { sh } = makeShell();
    sh('ip link set eth0 up', 0);
    expect(sh('ip -6 route add blackhole 2001:db8:5::/48', S).status).toBe(0);
    expect(sh('ip -6 route del throw 2001:db8:5::/48', S).status).toBe(0);
    expect(sh('ip -6 route show 2001:db8:5::/48', S).stdout).toBe('');
    expect(sh('ip -6 route change 2001:db8:77::/48 dev eth0', S)).toMatchObject({ status: 2, stderr: 'Error: Can not replace route - no match found.\n' });
    expect(sh('ip -6 route change default dev eth0 metric 77', S)).toMatchObject({ status: 2, stderr: 'RTNETLINK answers: No such file or directory\n' });
    expect(sh('ip -6 route add 2001:db8:78::/48 dev eth0 metric 5', S).status).toBe(0);
    expect(sh('ip -6 route change 2001:db8:78::/48 dev eth0 metric 7', S)).toMatchObject({ status: 2, stderr: 'RTNETLINK answers: No such file or directory\n' });
  });

  test('routes take mtu and hoplimit metrics and show them after expires, in -j as metrics, and in route get', () => {
    // As iproute2 6.1 and Linux 6.18 print them in a namespace.
    const { sh } = makeShell();
    sh('ip link set eth0 up', 0);
    sh('ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad', 0);
    expect(sh('ip -6 route add 2001:db8:70::/48 dev eth0 mtu 1400 hoplimit 10', S).status).toBe(0);
    expect(sh('ip -6 route show 2001:db8:70::/48', S).stdout).toBe('2001:db8:70::/48 dev eth0 metric 1024 mtu 1400 hoplimit 10 pref medium\n');
    expect(sh('ip -6 -j route show 2001:db8:70::/48', S).stdout).toBe('[{"dst":"2001:db8:70::/48","dev":"eth0","metric":1024,"flags":[],"metrics":[{"mtu":1400,"hoplimit":10}],"pref":"medium"}]\n');
    expect(sh('ip -6 route get 2001:db8:70::1', S).stdout).toBe('2001:db8:70::1 from :: dev eth0 src 2001:db8:1::1 metric 1024 mtu 1400 hoplimit 10 pref medium\n');
    expect(sh('ip -6 route add 2001:db8:71::/48 dev eth0 hoplimit 10 mtu 1400 expires 600', S).status).toBe(0);
    expect(sh('ip -6 route show 2001:db8:71::/48', 2 * S).stdout).toBe('2001:db8:71::/48 dev eth0 metric 1024 expires 599sec mtu 1400 hoplimit 10 pref medium\n');
    expect(sh('ip -6 route add 2001:db8:74::/48 dev eth0 hoplimit 300', S)).toMatchObject({ status: 255, stderr: 'Error: argument "300" is wrong: "hoplimit" value is invalid\n\n' });
  });

  test('the dump lists disjoint prefixes in address order and a prefix after the more specific ones inside it', () => {
    const p = (text: string, len: number): { dst: bigint; prefixLength: number } => ({ dst: parseIpv6Number(text)!, prefixLength: len });
    const sorted = [p('::', 0), p('fe80::', 64), p('2001:db8::', 32), p('2001:db8:1::', 48), p('2001:db8::', 64)].sort(comparePrefixes);
    expect(sorted).toEqual([p('2001:db8::', 64), p('2001:db8:1::', 48), p('2001:db8::', 32), p('fe80::', 64), p('::', 0)]);
  });

  test('appended gateway routes of one metric are one multipath route; del without a gateway takes the group', () => {
    const { sh } = makeShell();
    sh('ip -6 addr add 2001:db8::1/64 dev eth0 nodad', 0);
    expect(sh('ip -6 route add 2001:db8:1::/48 via 2001:db8::2', 0).status).toBe(0);
    expect(sh('ip -6 route add 2001:db8:1::/48 via 2001:db8::3', 0)).toEqual({ stdout: '', stderr: 'RTNETLINK answers: File exists\n', status: 2 });
    expect(sh('ip -6 route append 2001:db8:1::/48 via 2001:db8::3', 0).status).toBe(0);
    expect(sh('ip -6 route show 2001:db8:1::/48', 0).stdout).toBe(
      '2001:db8:1::/48 metric 1024 pref medium\n\tnexthop via 2001:db8::2 dev eth0 weight 1 \n\tnexthop via 2001:db8::3 dev eth0 weight 1 \n',
    );
    expect(sh('ip -6 route del 2001:db8:1::/48', 0).status).toBe(0);
    expect(sh('ip -6 route show 2001:db8:1::/48', 0).stdout).toBe('');
  });

  test('among routes of one prefix and metric the higher router preference wins; a lower metric wins over any preference', () => {
    // Linux 6.18 (Debian, CONFIG_IPV6_ROUTER_PREF) in a namespace with two veths v1, v2 and the same
    // commands gave the three route get lines below: low on v1 added first and high on v2 appended
    // goes by v2; high first and low appended by v1; low at metric 10 and high at metric 20 by v1.
    const { sh } = makeShell({ devices: ['v1', 'v2'] });
    const lines = [
      'ip -6 addr add 2001:db8:1::1/64 dev v1 nodad',
      'ip -6 addr add 2001:db8:2::1/64 dev v2 nodad',
      'ip -6 route add 2001:db8:9::/64 dev v1 pref low',
      'ip -6 route append 2001:db8:9::/64 dev v2 pref high',
      'ip -6 route add 2001:db8:8::/64 dev v1 pref high',
      'ip -6 route append 2001:db8:8::/64 dev v2 pref low',
      'ip -6 route add 2001:db8:7::/64 dev v1 pref low metric 10',
      'ip -6 route append 2001:db8:7::/64 dev v2 pref high metric 20',
    ];
    for (const line of lines) expect(sh(line, 0), line).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ip -6 route show 2001:db8:9::/64', 0).stdout).toBe('2001:db8:9::/64 dev v1 metric 1024 pref low\n2001:db8:9::/64 dev v2 metric 1024 pref high\n');
    expect(sh('ip -6 route get 2001:db8:9::1', 0).stdout).toBe('2001:db8:9::1 from :: dev v2 src 2001:db8:2::1 metric 1024 pref high\n');
    expect(sh('ip -6 route get 2001:db8:8::1', 0).stdout).toBe('2001:db8:8::1 from :: dev v1 src 2001:db8:1::1 metric 1024 pref high\n');
    expect(sh('ip -6 route get 2001:db8:7::1', 0).stdout).toBe('2001:db8:7::1 from :: dev v1 src 2001:db8:1::1 metric 10 pref low\n');
  });

  test('a route with expires goes when it expires', () => {
    const { sh } = makeShell();
    sh('ip -6 addr add 2001:db8::1/64 dev eth0 nodad', 0);
    sh('ip -6 route add 2001:db8:3::/64 via 2001:db8::2 expires 300', 10 * S);
    expect(sh('ip -6 route show 2001:db8:3::/64', 10.5 * S).stdout).toBe('2001:db8:3::/64 via 2001:db8::2 dev eth0 metric 1024 expires 299sec pref medium\n');
    expect(sh('ip -6 route show 2001:db8:3::/64', 310 * S).stdout).toBe('');
  });
});

const linux = needs({ netns: true, tools: ['bash'] });

linux.describe('ip -6 route against the Linux kernel', () => {
  test('static, reject, multipath and kernel routes, their errors, and route get with the chosen source', { timeout: 0 }, () => {
    const lines = [
      'ip link set eth0 up',
      'ip link set eth1 up',
      'ip -6 addr add 2001:db8::1/64 dev eth0 nodad',
      'ip -6 addr add 2001:db8:20::1/64 dev eth1 nodad',
      '#settle',
      'ip -6 route add 2001:db8:1::/48 via 2001:db8::2',
      'ip -6 route add 2001:db8:1::/48 via 2001:db8::3',
      'ip -6 route append 2001:db8:1::/48 via 2001:db8::3',
      'ip -6 route add 2001:db8:1::/48 via 2001:db8::4 metric 10',
      'ip -6 route add 2001:db8:2::/64 dev eth0',
      'ip -6 route add default via fe80::1 dev eth0',
      'ip -6 route add default via 2001:db8::9 metric 2048 pref high',
      'ip -6 route add 2001:db8:3::/64 via 2001:db8::2 expires 300',
      'ip -6 route add unreachable 2001:db8:4::/64',
      'ip -6 route add blackhole 2001:db8:5::/64',
      'ip -6 route add prohibit 2001:db8:6::/64',
      'ip -6 route add throw 2001:db8:7::/64',
      'ip -6 route add 2001:db8:8::/64 via 2001:db8::2 src 2001:db8::1',
      'ip -6 route add 2001:db8:9::/64 via 2001:db8:ff::1',
      'ip -6 route add 2001:db8:9::/64 dev nope',
      'ip -6 route add 2001:db8:a::/64 via 2001:db8::2 table 100',
      'ip -6 route add 2001:db8:b::/64 via 2001:db8::2 proto static',
      'ip -6 route add 2001:db8:c::/64 via 10.0.0.1',
      'ip -6 route add 2001:db8:d::/64 via 2001:db8::2 src 2001:db8::99',
      'ip -6 route add local 2001:db8:f::1 dev eth0',
      'ip -6 route del 2001:db8:99::/64',
      'ip -6 route del 2001:db8:1::/48 via 2001:db8::7',
      'ip -6 route add 2001:db8:10::/64 via 2001:db8::2 onlink',
      'ip -6 route add 2001:db8:11::/64 nexthop via 2001:db8::2 nexthop via 2001:db8::3',
      'ip -6 route add 2001:db8:12::/64 via 2001:db8::1',
      'ip -6 route add 2001:db8::/64 dev eth0',
      'ip -6 route add 2001:db8::/64 dev eth0 metric 256',
      'ip route add 2001:db8:13::/64 via 2001:db8:20::2',
      'ip -6 route',
      'ip -6 route show table all',
      'ip -j -6 route show',
      'ip -6 route show dev eth1',
      'ip -6 route show table 100',
      'ip -6 route show table 101',
      'ip -6 route show proto kernel',
      'ip -6 route show type unreachable',
      'ip -d -6 route',
      'ip -d -6 route show table local',
      'ip -d -j -6 route show 2001:db8:8::/64',
      'ip -d -6 route get 2001:db8:8::1',
      'ip -6 route get 2001:db8:2::5',
      'ip -6 route get 2001:db8:1::5',
      'ip -6 route get 2001:db8::7',
      'ip -6 route get 2001:db8::1',
      'ip -6 route get ::1',
      'ip -6 route get fe80::5',
      'ip -6 route get 2001:db8:4::1',
      'ip -6 route get 2001:db8:5::1',
      'ip -6 route get 2001:db8:6::1',
      'ip -6 route get 2001:db8:7::1',
      'ip -6 route get 2001:db8:8::1',
      'ip -6 route get 2001:db8:99::1',
      'ip -6 route get 2001:db8:13::1',
      'ip -6 route get 2001:db8:2::5 from 2001:db8::1',
      'ip -6 route get 2001:db8:2::5 oif eth0',
      'ip -6 route get 2001:db8:2::5 oif lo',
      'ip -6 route get ff02::1',
      'ip -6 route get 2001:db8:2::5 iif eth0',
      'ip -6 route get 2001:db8::1 from 2001:db8::9 iif eth0',
      'ip -j -6 route get 2001:db8:1::5',
      'ip -6 route del 2001:db8:1::/48 metric 1024',
      'ip -6 route show 2001:db8:1::/48',
      'ip -6 route del default via 2001:db8::9',
      'ip -6 route del default via fe80::1 dev eth0',
      'ip -6 route get 2001:db8:99::1',
      'ip -6 route replace 2001:db8:2::/64 via 2001:db8::5',
      'ip -6 route show 2001:db8:2::/64',
      '#carrier eth1 down',
      'ip -6 route show dev eth1',
      'ip link set eth1 down',
      'ip -6 route show table all dev eth1',
      'ip route show table all',
    ];
    expect(compareIpv6Lines(['eth0', 'eth1'], lines).join('\n\n')).toBe('');
    // Synchronous (namespaces and their commands through spawnSync), so no timeout, as stack's
    // other kernel comparisons (docs/testing.md): a timer cannot interrupt it and could only
    // judge speed. The same work at every NETLOOM_TEST_SCALE; 2.0 s here.
  });
});
