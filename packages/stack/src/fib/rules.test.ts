/**
 * Policy rules per family (rules.ts) through `ip rule` / `ip -6 rule` on the model, without root:
 * IPv6's own list and defaults beside IPv4's, automatic priorities, the goto/suppress/not walk, and
 * what Linux 6.18 with iproute2 6.1 printed for the same lines in a namespace (the live comparison
 * is shell/ip-rule6-vs-linux.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { makeShell } from '../testing/kernel-shell.js';

describe('one rule list per family', () => {
  test('IPv6 starts with local and main only; adding to one family leaves the other alone', () => {
    const { sh } = makeShell();
    expect(sh('ip -6 rule').stdout).toBe('0:\tfrom all lookup local\n32766:\tfrom all lookup main\n');
    expect(sh('ip -6 rule add from 2001:db8::/32 table 100').status).toBe(0);
    expect(sh('ip -6 rule add prohibit from ::1').status).toBe(0);
    expect(sh('ip -6 rule add goto 1000 prio 301').status).toBe(0);
    expect(sh('ip -6 rule add from 2001:db8::1/32 to 2001:db8::5/128 table 9 prio 5').status).toBe(0);
    // Recorded on Linux 6.18 (iproute2 6.1) for these four lines.
    expect(sh('ip -6 rule').stdout).toBe(
      '0:\tfrom all lookup local\n5:\tfrom 2001:db8::1/32 to 2001:db8::5 lookup 9\n301:\tfrom all goto 1000 [unresolved]\n32764:\tfrom ::1 prohibit\n32765:\tfrom 2001:db8::/32 lookup 100\n32766:\tfrom all lookup main\n',
    );
    expect(sh('ip -6 -j rule').stdout).toBe(
      '[{"priority":0,"src":"all","table":"local"},{"priority":5,"src":"2001:db8::1","srclen":32,"dst":"2001:db8::5","table":"9"},{"priority":301,"src":"all","goto":1000,"unresolved":null},{"priority":32764,"src":"::1","action":"prohibit"},{"priority":32765,"src":"2001:db8::","srclen":32,"table":"100"},{"priority":32766,"src":"all","table":"main"}]\n',
    );
    expect(sh('ip rule').stdout).toBe('0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n');
    expect(sh('ip -6 rule add from 10.0.0.1 table 5')).toMatchObject({ status: 1, stderr: 'Error: inet6 prefix is expected rather than "10.0.0.1".\n' });
    expect(sh('ip rule add from 2001:db9::/32 table 9')).toMatchObject({ status: 2, stderr: 'Error: Invalid source address.\n' });
    expect(sh('ip -6 rule flush').status).toBe(0);
    expect(sh('ip -6 rule').stdout).toBe('0:\tfrom all lookup local\n');
    expect(sh('ip rule').stdout).toBe('0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n');
  });

  test('IPv6 lookups go through the rules: from, suppress_prefixlength, the reject actions, flush', () => {
    const { sh } = makeShell();
    sh('ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad');
    sh('ip -6 addr add 2001:db8:7::1/64 dev eth0 nodad');
    sh('ip -6 route add default via 2001:db8:1::3');
    sh('ip -6 route add 2001:db8:9::/48 via 2001:db8:1::4 table 100');
    sh('ip -6 rule add from 2001:db8:7::/64 table 100 prio 100');
    // Without a source the from-rule does not match (fib6_rule_match wants RT6_LOOKUP_F_HAS_SADDR): main's default route.
    expect(sh('ip -6 route get 2001:db8:9::1').stdout).toMatch(/^2001:db8:9::1 from :: via 2001:db8:1::3 dev eth0 /);
    expect(sh('ip -6 route get 2001:db8:9::1 from 2001:db8:7::1').stdout).toMatch(/^2001:db8:9::1 from 2001:db8:7::1 via 2001:db8:1::4 dev eth0 table 100 /);
    sh('ip -6 rule add lookup main suppress_prefixlength 0 prio 50');
    sh('ip -6 rule add to 2001:db8:e::/48 unreachable prio 60');
    sh('ip -6 rule add to 2001:db8:f::/48 prohibit prio 61');
    sh('ip -6 rule add to 2001:db8:10::/48 blackhole prio 62');
    expect(sh('ip -6 route get 2001:db8:e::1')).toMatchObject({ status: 2, stderr: 'RTNETLINK answers: Network is unreachable\n' });
    expect(sh('ip -6 route get 2001:db8:f::1')).toMatchObject({ status: 2, stderr: 'RTNETLINK answers: Permission denied\n' });
    expect(sh('ip -6 route get 2001:db8:10::1')).toMatchObject({ status: 2, stderr: 'RTNETLINK answers: Invalid argument\n' });
    sh('ip -6 rule flush');
    expect(sh('ip -6 route get 2001:db8:9::1')).toMatchObject({ status: 2, stderr: 'RTNETLINK answers: Network is unreachable\n' });
  });
});
