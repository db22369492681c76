/**
 * Kernel control plane: addresses and the routes Linux derives from them, route insertion
 * semantics, lookups. Expected texts are Linux's (kernel 6.18, iproute2 6.1) as recorded in
 * linux-stack-facts.md §2 and §7 and re-checked in a network namespace.
 */
import { parseIproute2Ipv4 } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { makeShell } from './testing/kernel-shell.js';

const ip = (text: string): number => parseIproute2Ipv4(text)!;

describe('addresses', () => {
  test('primaries, secondaries and labels are listed in Linux order with their local routes', () => {
    const { sh } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip addr add 10.1.0.1/16 dev eth0 label eth0:1');
    sh('ip addr add 192.168.1.11/24 dev eth0');
    sh('ip addr add 192.168.1.12/24 dev eth0 label eth0:0');
    const out = sh('ip -4 addr show dev eth0').stdout;
    expect(out).toBe(
      '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n' +
        '    inet 192.168.1.10/24 scope global eth0\n       valid_lft forever preferred_lft forever\n' +
        '    inet 10.1.0.1/16 scope global eth0:1\n       valid_lft forever preferred_lft forever\n' +
        '    inet 192.168.1.11/24 scope global secondary eth0\n       valid_lft forever preferred_lft forever\n' +
        '    inet 192.168.1.12/24 scope global secondary eth0:0\n       valid_lft forever preferred_lft forever\n',
    );
    expect(sh('ip route show table local').stdout).toBe(
      'local 10.1.0.1 dev eth0 proto kernel scope host src 10.1.0.1 \n' +
        'broadcast 10.1.255.255 dev eth0 proto kernel scope link src 10.1.0.1 \n' +
        'local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 \n' +
        'local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 \n' +
        'broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 \n' +
        'local 192.168.1.10 dev eth0 proto kernel scope host src 192.168.1.10 \n' +
        'local 192.168.1.11 dev eth0 proto kernel scope host src 192.168.1.10 \n' +
        'local 192.168.1.12 dev eth0 proto kernel scope host src 192.168.1.10 \n' +
        'broadcast 192.168.1.255 dev eth0 proto kernel scope link src 192.168.1.10 \n',
    );
  });

  test('deleting a primary deletes its secondaries unless promote_secondaries is set', () => {
    const { sh, kernel } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip addr add 192.168.1.11/24 dev eth0');
    sh('ip addr del 192.168.1.10/24 dev eth0');
    expect(kernel.addressesOf('eth0')).toHaveLength(0);
    sh('sysctl -w net.ipv4.conf.eth0.promote_secondaries=1');
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip addr add 192.168.1.11/24 dev eth0');
    sh('ip addr del 192.168.1.10/24 dev eth0');
    expect(kernel.addressesOf('eth0').map((a) => [a.address, a.secondary])).toEqual([[ip('192.168.1.11'), false]]);
    expect(sh('ip route').stdout).toBe('192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.11 \n');
  });

  test('address errors are the kernel extack texts', () => {
    const { sh } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    expect(sh('ip addr add 192.168.1.10/24 dev eth0')).toEqual({ stdout: '', stderr: 'Error: ipv4: Address already assigned.\n', status: 2 });
    expect(sh('ip addr del 192.168.1.99/24 dev eth0')).toEqual({ stdout: '', stderr: 'Error: ipv4: Address not found.\n', status: 2 });
    expect(sh('ip addr add 1.2.3.4/24 dev nosuch')).toEqual({ stdout: '', stderr: 'Cannot find device "nosuch"\n', status: 1 });
    expect(sh('ip addr add 10.2.0.999/24 dev eth0').stderr).toBe('Error: any valid prefix is expected rather than "10.2.0.999/24".\n');
  });
});

describe('routes', () => {
  test('add, append, prepend, replace and del follow the alias rules of fib_table_insert', () => {
    const { sh } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip addr add 192.168.1.11/24 dev eth0');
    expect(sh('ip route add 172.16.0.0/12 via 192.168.1.20 metric 100').status).toBe(0);
    sh('ip route add 172.16.0.0/12 via 192.168.1.20 src 192.168.1.11 metric 50');
    expect(sh('ip route add 172.16.0.0/12 via 192.168.1.21 metric 100')).toEqual({ stdout: '', stderr: 'RTNETLINK answers: File exists\n', status: 2 });
    expect(sh('ip route append 172.16.0.0/12 via 192.168.1.21 metric 100').status).toBe(0);
    sh('ip route prepend 172.16.0.0/12 via 192.168.1.22 metric 100');
    sh('ip route replace 172.16.0.0/12 via 192.168.1.23 metric 100');
    sh('ip route add 172.16.0.0/12 via 192.168.1.20 metric 100 tos 0x10');
    expect(sh('ip route show 172.16.0.0/12').stdout).toBe(
      '172.16.0.0/12 tos 0x10 via 192.168.1.20 dev eth0 metric 100 \n' +
        '172.16.0.0/12 via 192.168.1.20 dev eth0 src 192.168.1.11 metric 50 \n' +
        '172.16.0.0/12 via 192.168.1.23 dev eth0 metric 100 \n' +
        '172.16.0.0/12 via 192.168.1.20 dev eth0 metric 100 \n' +
        '172.16.0.0/12 via 192.168.1.21 dev eth0 metric 100 \n',
    );
    sh('ip route del 172.16.0.0/12 metric 100');
    expect(sh('ip route show 172.16.0.0/12').stdout).not.toContain('192.168.1.23');
    expect(sh('ip route del 10.9.0.0/16').stderr).toBe('RTNETLINK answers: No such process\n');
    expect(sh('ip route change 10.9.0.0/16 via 192.168.1.20').stderr).toBe('RTNETLINK answers: No such file or directory\n');
  });

  test('route errors and reject types', () => {
    const { sh } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    expect(sh('ip route add 172.16.0.1/12 via 192.168.1.20').stderr).toBe('Error: Invalid prefix for given prefix length.\n');
    expect(sh('ip route add 10.99.0.0/33 via 192.168.1.20')).toEqual({ stdout: '', stderr: 'Error: any valid prefix is expected rather than "10.99.0.0/33".\n', status: 1 });
    expect(sh('ip route add 10.2.0.0/16 via 192.168.3.1').stderr).toBe('Error: Nexthop has invalid gateway.\n');
    expect(sh('ip route add 10.252.0.0/16').stderr).toBe('RTNETLINK answers: No such device\n');
    expect(sh('ip route add 10.3.0.0/16 via 192.168.1.1 table foo')).toEqual({ stdout: '', stderr: 'Error: argument "foo" is wrong: "table" value is invalid\n\n', status: 255 });
    expect(sh('ip route add 10.6.0.0/16 dev eth0 src 1.1.1.1').stderr).toBe('Error: Invalid prefsrc address.\n');
    sh('ip route add blackhole 10.66.0.0/16');
    sh('ip route add unreachable 10.67.0.0/16');
    sh('ip route add prohibit 10.68.0.0/16');
    sh('ip route add throw 10.69.0.0/16');
    expect(sh('ip route get 10.66.1.1').stderr).toBe('RTNETLINK answers: Invalid argument\n');
    expect(sh('ip route get 10.67.1.1').stderr).toBe('RTNETLINK answers: No route to host\n');
    expect(sh('ip route get 10.68.1.1').stderr).toBe('RTNETLINK answers: Permission denied\n');
    expect(sh('ip route get 10.69.1.1').stderr).toBe('RTNETLINK answers: Network is unreachable\n');
  });

  test('link down flushes routes through the device; up restores only the connected ones', () => {
    const { sh } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip route add default via 192.168.1.20');
    sh('ip link set eth0 down');
    expect(sh('ip route').stdout).toBe('');
    sh('ip link set eth0 up');
    expect(sh('ip route').stdout).toBe('192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10 \n');
  });

  test('carrier loss marks routes linkdown; ignore_routes_with_linkdown makes them dead', () => {
    const { sh, kernel } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip route add default via 192.168.1.20');
    kernel.setCarrier('eth0', false);
    expect(sh('ip route').stdout).toBe(
      'default via 192.168.1.20 dev eth0 linkdown \n192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10 linkdown \n',
    );
    expect(sh('ip route get 10.1.1.1').status).toBe(0);
    sh('sysctl -w net.ipv4.conf.all.ignore_routes_with_linkdown=1');
    expect(sh('ip route').stdout).toContain('default via 192.168.1.20 dev eth0 dead linkdown \n');
    expect(sh('ip route get 10.1.1.1').stderr).toBe('RTNETLINK answers: Network is unreachable\n');
  });
});

describe('lookups', () => {
  test('source selection follows inet_select_addr', () => {
    const { sh } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip addr add 192.168.1.13/25 dev eth0');
    sh('ip addr add 10.1.0.1/16 dev eth0');
    sh('ip addr add 192.168.1.11/24 dev eth0');
    sh('ip route add 10.60.0.0/16 via 10.1.0.2');
    sh('ip route add 10.70.0.0/16 dev eth0');
    sh('ip route add 172.16.0.0/12 via 192.168.1.20 src 192.168.1.11');
    expect(sh('ip route get 10.60.1.1').stdout).toBe('10.60.1.1 via 10.1.0.2 dev eth0 src 10.1.0.1 uid 0 \n    cache \n');
    expect(sh('ip route get 10.70.1.1').stdout).toBe('10.70.1.1 dev eth0 src 192.168.1.10 uid 0 \n    cache \n');
    expect(sh('ip route get 192.168.1.100').stdout).toBe('192.168.1.100 dev eth0 src 192.168.1.13 uid 0 \n    cache \n');
    expect(sh('ip route get 172.16.5.5').stdout).toBe('172.16.5.5 via 192.168.1.20 dev eth0 src 192.168.1.11 uid 0 \n    cache \n');
  });

  test('policy rules pick the table and show it', () => {
    const { sh } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip route add 10.73.0.0/16 via 192.168.1.20 table 100');
    sh('ip rule add to 10.73.0.0/16 lookup 100 pref 1000');
    expect(sh('ip route get 10.73.1.1').stdout).toBe('10.73.1.1 via 192.168.1.20 dev eth0 table 100 src 192.168.1.10 uid 0 \n    cache \n');
    sh('ip rule add from 192.168.1.11 table 100');
    expect(sh('ip rule').stdout).toBe(
      '0:\tfrom all lookup local\n999:\tfrom 192.168.1.11 lookup 100\n1000:\tfrom all to 10.73.0.0/16 lookup 100\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n',
    );
    expect(sh('ip route get 192.168.1.10').stdout).toBe('local 192.168.1.10 dev lo table local src 192.168.1.10 uid 0 \n    cache <local> \n');
  });
});

describe('the routing seam', () => {
  test('changes are announced and bump the generation', () => {
    const { kernel, sh } = makeShell();
    const changes: string[] = [];
    kernel.onChange((c) => changes.push(c.type === 'link' ? `link ${c.dev} ${c.adminUp} ${c.carrier}` : c.type === 'address' ? `address ${c.dev} ${c.added}` : c.type));
    const g0 = kernel.generation;
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip route add default via 192.168.1.1');
    kernel.setCarrier('eth0', false);
    sh('ip link set eth0 down');
    sh('ip route flush cache');
    expect(changes).toEqual(['route', 'address eth0 true', 'route', 'route', 'link eth0 true false', 'route', 'link eth0 false false', 'flushCache']);
    expect(kernel.generation).toBeGreaterThan(g0 + 4);
  });

  test('a default gateway changing reachability invalidates cached routes; other neighbours do not', () => {
    const { kernel, sh } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip route add default via 192.168.1.1');
    sh('ip route append default via 192.168.1.2');
    const g0 = kernel.generation;
    kernel.setNeighbourReachability('eth0', ip('192.168.1.77'), 'failed');
    expect(kernel.generation).toBe(g0);
    kernel.setNeighbourReachability('eth0', ip('192.168.1.1'), 'failed');
    expect(kernel.generation).toBe(g0 + 1);
    expect(kernel.routeOutput({ dst: ip('8.8.8.8') }, 0)).toMatchObject({ ok: true, route: { gateway: ip('192.168.1.2') } });
  });

  test('output routes: errors as errno, oif without a route is on-link, a foreign source is refused', () => {
    const { kernel, sh } = makeShell();
    sh('ip addr add 192.168.1.10/24 dev eth0');
    expect(kernel.routeOutput({ dst: ip('8.8.8.8') }, 0)).toEqual({ ok: false, errno: 'ENETUNREACH' });
    expect(kernel.routeOutput({ dst: ip('8.8.8.8'), oif: 'eth0' }, 0)).toMatchObject({ ok: true, route: { dev: 'eth0', src: ip('192.168.1.10') } });
    expect(kernel.routeOutput({ dst: ip('192.168.1.20'), src: ip('10.9.9.9') }, 0)).toEqual({ ok: false, errno: 'ENETUNREACH' });
    expect(kernel.routeOutput({ dst: ip('192.168.1.10') }, 0)).toMatchObject({ ok: true, route: { type: 'local', dev: 'lo' } });
    expect(kernel.selectSource('eth0', ip('192.168.1.20'), 0)).toBe(ip('192.168.1.10'));
    expect(kernel.isLocalAddress(ip('192.168.1.10'))).toBe(true);
    expect(kernel.conf('eth0', 'send_redirects')).toBe(1);
    expect(kernel.sysctl('net.ipv4.route.gc_timeout')).toBe(300);
  });
});

describe('net.ipv6.conf through Kernel.conf6', () => {
  test('every key reads what sysctl reads by its dotted name, before and after writes', () => {
    const { kernel, sh } = makeShell();
    const check = (): number => {
      let checked = 0;
      for (const [name, value] of kernel.sysctls.list()) {
        const m = /^net\.ipv6\.conf\.([^.]+)\.([^.]+)$/.exec(name);
        if (m === null) continue;
        expect(kernel.conf6(m[1]!, m[2]!), name).toBe(value);
        expect(kernel.conf6(m[1]!, m[2]!), name).toBe(kernel.sysctl(name));
        checked++;
      }
      return checked;
    };
    // all, default, lo and eth0, each with its keys.
    expect(check()).toBeGreaterThan(4 * 40);
    sh('sysctl -w net.ipv6.conf.eth0.dad_transmits=3');
    sh('sysctl -w net.ipv6.conf.all.forwarding=1');
    sh('sysctl -w net.ipv6.conf.default.hop_limit=12');
    expect(kernel.conf6('eth0', 'dad_transmits')).toBe(3);
    expect(kernel.conf6('default', 'hop_limit')).toBe(12);
    check();
    expect(() => kernel.conf6('eth9', 'forwarding')).toThrow('sysctl: no such key net.ipv6.conf.eth9.forwarding');
  });
});
