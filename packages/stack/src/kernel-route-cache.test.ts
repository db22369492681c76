/**
 * Route cache behaviour: ICMP-redirect and PMTU exceptions (fnhe) as `ip route get` and `ip route
 * show cache` print them (linux-stack-facts.md §4.3: `cache <redirected> expires 296sec`), their
 * expiry after net.ipv4.route.gc_timeout / mtu_expires, `ip route flush cache`; the per-flow cache
 * that `route -C` lists (net-tools layout, seed 004); multipath nexthops on a downed device; and the
 * `static-routes-survive-down` compatibility setting (seed 002's patch) against mainline.
 */
import { parseIproute2Ipv4 } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { makeShell } from './testing/kernel-shell.js';

const ip = (text: string): number => parseIproute2Ipv4(text)!;
const SECOND = 1_000_000_000;

describe('redirect exceptions', () => {
  function host() {
    const env = makeShell();
    env.sh('ip addr add 10.0.0.2/24 dev eth0');
    env.sh('ip route add default via 10.0.0.1');
    return env;
  }

  test('an accepted redirect shows as `cache <redirected> expires` and routes the destination via the new gateway', () => {
    const { sh, kernel } = host();
    expect(sh('ip route get 10.9.0.5').stdout).toBe('10.9.0.5 via 10.0.0.1 dev eth0 src 10.0.0.2 uid 0 \n    cache \n');
    kernel.learnRedirect(ip('10.9.0.5'), ip('10.0.0.3'), 'eth0', 10 * SECOND);
    expect(sh('ip route get 10.9.0.5', 14 * SECOND).stdout).toBe(
      '10.9.0.5 via 10.0.0.3 dev eth0 src 10.0.0.2 uid 0 \n    cache <redirected> expires 296sec \n',
    );
    expect(sh('ip route show cache', 14 * SECOND).stdout).toBe('10.9.0.5 via 10.0.0.3 dev eth0 \n    cache <redirected> expires 296sec \n');
    expect(sh('ip -j route show cache', 14 * SECOND).stdout).toBe(
      '[{"dst":"10.9.0.5","gateway":"10.0.0.3","dev":"eth0","flags":[],"cache":["redirected"],"expires":296}]\n',
    );
    expect(sh('ip route get 10.9.0.6', 14 * SECOND).stdout).toContain('via 10.0.0.1');
    const route = kernel.routeOutput({ dst: ip('10.9.0.5') }, 14 * SECOND);
    expect(route).toEqual({
      ok: true,
      route: { type: 'unicast', dev: 'eth0', gateway: ip('10.0.0.3'), src: ip('10.0.0.2'), table: 254, scope: 0, mtu: 1500, cached: { redirected: true, expiresAt: 310 * SECOND } },
    });
  });

  test('the exception expires after gc_timeout (changed through sysctl) and `ip route flush cache` removes it', () => {
    const { sh, kernel } = host();
    kernel.learnRedirect(ip('10.9.0.5'), ip('10.0.0.3'), 'eth0', 0);
    expect(sh('ip route get 10.9.0.5', 299 * SECOND).stdout).toContain('via 10.0.0.3');
    expect(sh('ip route get 10.9.0.5', 300 * SECOND).stdout).toContain('via 10.0.0.1');
    sh('sysctl -w net.ipv4.route.gc_timeout=60');
    kernel.learnRedirect(ip('10.9.0.5'), ip('10.0.0.3'), 'eth0', 400 * SECOND);
    expect(sh('ip route get 10.9.0.5', 459 * SECOND).stdout).toContain('expires 1sec');
    expect(sh('ip route get 10.9.0.5', 460 * SECOND).stdout).toContain('via 10.0.0.1');
    kernel.learnRedirect(ip('10.9.0.5'), ip('10.0.0.3'), 'eth0', 500 * SECOND);
    expect(sh('ip route flush cache', 501 * SECOND).status).toBe(0);
    expect(sh('ip route show cache', 501 * SECOND).stdout).toBe('');
    expect(sh('ip route get 10.9.0.5', 501 * SECOND).stdout).toContain('via 10.0.0.1');
  });

  test('a route change keeps the exception while its route lives; deleting the route drops it', () => {
    const { sh, kernel } = host();
    kernel.learnRedirect(ip('10.9.0.5'), ip('10.0.0.3'), 'eth0', 0);
    sh('ip route add 10.8.0.0/16 via 10.0.0.1');
    expect(sh('ip route get 10.9.0.5').stdout).toContain('<redirected>');
    sh('ip route del default');
    sh('ip route add default via 10.0.0.1');
    expect(sh('ip route get 10.9.0.5').stdout).toBe('10.9.0.5 via 10.0.0.1 dev eth0 src 10.0.0.2 uid 0 \n    cache \n');
  });

  test('a learned path MTU shows as `mtu` with its expiry', () => {
    const { sh, kernel } = host();
    kernel.learnPmtu(ip('10.9.0.5'), 1400, 0);
    expect(sh('ip route get 10.9.0.5', 1 * SECOND).stdout).toBe('10.9.0.5 via 10.0.0.1 dev eth0 src 10.0.0.2 uid 0 \n    cache expires 599sec mtu 1400 \n');
    expect(kernel.routeOutput({ dst: ip('10.9.0.5') }, SECOND)).toMatchObject({ ok: true, route: { mtu: 1400 } });
    kernel.learnPmtu(ip('10.9.0.6'), 100, 0);
    expect(kernel.routeOutput({ dst: ip('10.9.0.6') }, SECOND)).toMatchObject({ ok: true, route: { mtu: 552 } });
    expect(kernel.routeOutput({ dst: ip('10.9.0.5') }, 600 * SECOND)).toMatchObject({ ok: true, route: { mtu: 1500 } });
  });
});

describe('route -C', () => {
  test('lists per-flow entries created by lookups, with net-tools flags, until the cache is flushed', () => {
    const { sh, kernel } = makeShell();
    sh('ip addr add 192.168.1.11/24 dev eth0');
    sh('ip route add default via 192.168.1.9');
    kernel.routeOutput({ dst: ip('192.168.1.9') }, 0);
    kernel.routeOutput({ dst: ip('192.168.1.254') }, 0);
    kernel.routeInput({ dst: ip('192.168.1.11'), src: ip('192.168.1.9'), iif: 'eth0' }, 0);
    kernel.routeInput({ dst: ip('192.168.1.11'), src: ip('192.168.1.9'), iif: 'eth0' }, 0);
    expect(sh('route -Cn').stdout).toBe(
      'Kernel IP routing cache\n' +
        'Source          Destination     Gateway         Flags Metric Ref    Use Iface\n' +
        '192.168.1.11    192.168.1.9     192.168.1.9           0      0        1 eth0\n' +
        '192.168.1.11    192.168.1.254   192.168.1.254         0      0        1 eth0\n' +
        '192.168.1.9     192.168.1.11    192.168.1.11    il    0      0        2 lo\n',
    );
    sh('ip route flush cache');
    expect(sh('route -Cn').stdout).toBe('Kernel IP routing cache\nSource          Destination     Gateway         Flags Metric Ref    Use Iface\n');
  });

  test('names come from the resolver without -n; entries idle for gc_timeout disappear', () => {
    const { sh, kernel, shell } = makeShell();
    shell.resolveAddress = (a) => (a === ip('192.168.1.11') ? 'realserver' : a === ip('192.168.1.9') ? 'director' : null);
    sh('ip addr add 192.168.1.11/24 dev eth0');
    kernel.routeOutput({ dst: ip('192.168.1.9') }, 0);
    expect(sh('route -C').stdout).toContain('realserver      director        director              0      0        1 eth0\n');
    expect(sh('route -C', 301 * SECOND).stdout).toBe('Kernel IP routing cache\nSource          Destination     Gateway         Flags Metric Ref    Use Iface\n');
  });
});

describe('devices going down', () => {
  test('a multipath nexthop on a downed device is dead and skipped (as observed on 6.18)', () => {
    const { sh } = makeShell({ devices: ['eth0', 'eth1'] });
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip addr add 10.0.0.1/24 dev eth1');
    sh('ip route add 10.72.0.0/16 nexthop via 192.168.1.20 nexthop via 10.0.0.20');
    sh('ip route add 10.73.0.0/16 via 10.0.0.5 proto static');
    sh('ip link set eth1 down');
    expect(sh('ip route').stdout).toBe(
      '10.72.0.0/16 \n\tnexthop via 192.168.1.20 dev eth0 weight 1 \n\tnexthop via 10.0.0.20 dev eth1 weight 1 dead linkdown \n' +
        '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10 \n',
    );
    for (let i = 0; i < 20; i++) expect(sh(`ip route get 10.72.${i}.1`).stdout).toContain('via 192.168.1.20');
    sh('ip link set eth1 up');
    expect(sh('ip route').stdout).toBe(
      '10.0.0.0/24 dev eth1 proto kernel scope link src 10.0.0.1 \n' +
        '10.72.0.0/16 \n\tnexthop via 192.168.1.20 dev eth0 weight 1 \n\tnexthop via 10.0.0.20 dev eth1 weight 1 \n' +
        '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10 \n',
    );
  });

  test('static-routes-survive-down keeps `proto static` routes through the device going down, shown dead', () => {
    const { sh } = makeShell({ devices: ['eth0', 'eth1'], compat: { 'static-routes-survive-down': true } });
    sh('ip addr add 192.168.1.10/24 dev eth0');
    sh('ip addr add 10.0.0.1/24 dev eth1');
    sh('ip route add default via 10.0.0.5 proto static');
    sh('ip route append default via 192.168.1.1 proto static');
    sh('ip route add 10.50.0.0/16 via 10.0.0.5');
    sh('ip link set eth1 down');
    expect(sh('ip route').stdout).toBe(
      'default via 10.0.0.5 dev eth1 proto static dead linkdown \ndefault via 192.168.1.1 dev eth0 proto static \n192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10 \n',
    );
    expect(sh('ip route get 8.8.8.8').stdout).toContain('via 192.168.1.1 dev eth0');
    sh('ip link set eth1 up');
    expect(sh('ip route get 8.8.8.8').stdout).toContain('via 10.0.0.5 dev eth1');
    expect(sh('ip route').stdout).toContain('default via 10.0.0.5 dev eth1 proto static \n');
  });

  test('without the setting (mainline) the static route is flushed', () => {
    const { sh } = makeShell({ devices: ['eth0', 'eth1'] });
    sh('ip addr add 10.0.0.1/24 dev eth1');
    sh('ip route add default via 10.0.0.5 proto static');
    sh('ip link set eth1 down');
    sh('ip link set eth1 up');
    expect(sh('ip route').stdout).toBe('10.0.0.0/24 dev eth1 proto kernel scope link src 10.0.0.1 \n');
  });
});
