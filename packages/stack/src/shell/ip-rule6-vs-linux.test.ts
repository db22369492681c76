/**
 * `ip -6 rule` against the running kernel and iproute2 6.1: IPv6's own rule list (local 0 and main
 * 32766, no default rule), every selector and action the model keeps, automatic priorities, errors,
 * text and JSON, `flush`, and `ip -6 route get` going through the rules — the same lines in a network
 * namespace and in the model, outputs and exit statuses equal. Needs root and iproute2 (skips saying
 * so, fails under CI=true).
 */
import { expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { compareCommandLines } from '../testing/kernel-differential.js';

const linux = needs({ netns: true, tools: ['bash'] });

linux.describe('ip -6 rule against the Linux kernel', () => {
  test('selectors, actions, automatic priorities, errors, text and JSON, del and flush', () => {
    const lines = [
      'ip -6 rule',
      'ip -6 -j rule',
      'ip rule',
      'ip -6 rule add from 2001:db8::/32 table 100',
      'ip -6 rule add to 2001:db8:1::1 iif lo oif lo fwmark 0x10/0xff prio 100 not lookup main suppress_prefixlength 0',
      'ip -6 rule add unreachable prio 200',
      'ip -6 rule add prohibit from ::1',
      'ip -6 rule add blackhole to ::/0',
      'ip -6 rule add goto 32766 prio 300',
      'ip -6 rule add goto 1000 prio 301',
      'ip -6 rule add from 10.0.0.1 table 5',
      'ip -6 rule add from 2001:db8::/32 table 100',
      'ip -6 rule add from 2001:db8::/32 table 100 prio 32765',
      'ip -6 rule add goto 10 prio 20',
      'ip -6 rule add from 2001:db8::1/32 to 2001:db8::5/128 table 9 prio 5',
      'ip -6 rule add iif nosuch table 3 prio 9',
      'ip -6 rule add prio 10 ipproto udp dport 53 table 4',
      'ip -6 rule add uidrange 1-2 prio 11 table 5 tos 0x10',
      'ip -6 rule',
      'ip -6 -j rule',
      'ip -6 -j -p rule',
      'ip rule',
      'ip -6 rule del prio 300',
      'ip -6 rule del from 2001:db8::/33',
      'ip -6 rule del from 2001:db8::/32',
      'ip -6 rule',
      'ip -6 rule flush',
      'ip -6 rule',
      'ip -6 rule add table 7',
      'ip -6 rule add tos 0x10 table 7',
      'ip -6 rule add table 8',
      'ip -6 rule del prio 0',
      'ip -6 rule',
      'ip rule',
      'ip rule add from 2001:db9::/32 table 9',
      'ip rule add to 2001:db9::/32 table 9',
      'ip rule add to 2001:db9::/32 from 2001:db9::/32 table 9',
      'ip rule add from 10.0.0.0/8 to 2001:db9::/32 table 9',
      'ip rule add to 2001:db9::/32 from 2001:db9::/32 bogus',
      'ip rule del from 2001:db9::/32',
      'ip -4 rule add from 2001:db9::/32 table 9',
      'ip -6 rule add from 10.0.0.0/8 table 9',
      'ip rule',
    ];
    expect(compareCommandLines(['eth0'], lines).join('\n\n')).toBe('');
  });

  test('ip -6 route get goes through the rules: from, to, iif, oif, suppress_prefixlength, the reject actions, goto', () => {
    const lines = [
      'ip link set eth0 up',
      'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad',
      'ip -6 addr add 2001:db8:7::1/64 dev eth0 nodad',
      'ip -6 route add 2001:db8:9::/48 via 2001:db8:1::2',
      'ip -6 route add default via 2001:db8:1::3',
      'ip -6 route add 2001:db8:9::/48 via 2001:db8:1::4 table 100',
      'ip -6 route add 2001:db8:a::/48 via 2001:db8:1::5 table 100',
      'ip -6 route add throw 2001:db8:b::/48 table 100',
      'ip -6 route add unreachable 2001:db8:c::/48 table 100',
      'ip -6 route get 2001:db8:9::1',
      'ip -6 rule add from 2001:db8:7::/64 table 100 prio 100',
      'ip -6 route get 2001:db8:9::1',
      'ip -6 route get 2001:db8:9::1 from 2001:db8:7::1',
      'ip -6 route get 2001:db8:a::1 from 2001:db8:7::1',
      'ip -6 route get 2001:db8:b::1 from 2001:db8:7::1',
      'ip -6 route get 2001:db8:c::1 from 2001:db8:7::1',
      'ip -6 rule add to 2001:db8:a::/48 table 100 prio 110',
      'ip -6 route get 2001:db8:a::1',
      'ip -6 rule add lookup main suppress_prefixlength 0 prio 50',
      'ip -6 route get 2001:db8:9::1',
      'ip -6 route get 2001:db8:d::1',
      'ip -6 rule add to 2001:db8:e::/48 unreachable prio 60',
      'ip -6 rule add to 2001:db8:f::/48 prohibit prio 61',
      'ip -6 rule add to 2001:db8:10::/48 blackhole prio 62',
      'ip -6 route get 2001:db8:e::1',
      'ip -6 route get 2001:db8:f::1',
      'ip -6 route get 2001:db8:10::1',
      'ip -6 rule add to 2001:db8:11::/48 goto 110 prio 63',
      'ip -6 route add 2001:db8:11::/48 via 2001:db8:1::6 table 100',
      'ip -6 route get 2001:db8:11::1',
      'ip -6 rule add not to 2001:db8::/32 prohibit prio 64',
      'ip -6 route get 2001:db9::1',
      'ip -6 route get 2001:db8:9::1',
      'ip -6 rule add oif eth0 unreachable prio 40',
      'ip -6 route get 2001:db8:9::1 oif eth0',
      'ip -6 route get 2001:db8:9::1',
      'ip -6 rule add iif eth0 prohibit prio 30',
      'ip -6 route get 2001:db8:1::1 from 2001:db8:1::9 iif eth0',
      'ip -6 rule flush',
      'ip -6 route get 2001:db8:9::1',
      'ip -6 rule add lookup main prio 32766',
      'ip -6 route get 2001:db8:9::1',
    ];
    expect(compareCommandLines(['eth0'], lines).join('\n\n')).toBe('');
  });
});
