/**
 * Nexthop exceptions are one implementation for both paths: a PMTU learned for a destination is
 * used by locally sent packets and by forwarded ones alike, and once it expires (mtu_expires) neither
 * path uses it any more — not even from a route-cache entry kept warm by traffic.
 */
import { parseIproute2Ipv4 } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { makeShell } from '../testing/kernel-shell.js';

const ip = (text: string): number => parseIproute2Ipv4(text)!;
const SECOND = 1_000_000_000;

function router() {
  const env = makeShell({ devices: ['eth0', 'eth1'] });
  env.sh('sysctl -w net.ipv4.ip_forward=1');
  env.sh('ip addr add 10.0.0.1/24 dev eth0');
  env.sh('ip addr add 10.1.0.1/24 dev eth1');
  env.sh('ip route add 10.9.0.0/16 via 10.1.0.2');
  return env;
}

const forwarded = { dst: ip('10.9.0.5'), src: ip('10.0.0.2'), iif: 'eth0' };

describe('PMTU exceptions on the output and the forwarding path', () => {
  test('a learned PMTU lowers the MTU of the output route and of the forwarded route alike', () => {
    const { kernel } = router();
    kernel.learnPmtu(ip('10.9.0.5'), 1400, 0);
    expect(kernel.routeOutput({ dst: ip('10.9.0.5') }, SECOND)).toMatchObject({ ok: true, route: { mtu: 1400, cached: { expiresAt: 600 * SECOND } } });
    expect(kernel.routeInput(forwarded, SECOND)).toMatchObject({ ok: true, route: { forward: true, dev: 'eth1', mtu: 1400, cached: { expiresAt: 600 * SECOND } } });
  });

  test('an expired PMTU exception is ignored on the forwarding path, even while traffic keeps its cache entry warm', () => {
    const { kernel } = router();
    kernel.learnPmtu(ip('10.9.0.5'), 1400, 0);
    // A packet every 100 s keeps the input route's cache entry younger than gc_timeout (300 s).
    for (let t = 100; t < 600; t += 100) {
      expect(kernel.routeInput(forwarded, t * SECOND)).toMatchObject({ ok: true, route: { mtu: 1400 } });
    }
    const after = kernel.routeInput(forwarded, 600 * SECOND);
    expect(after).toMatchObject({ ok: true, route: { forward: true, dev: 'eth1', mtu: 1500 } });
    expect(after.ok && after.route.cached).toBeUndefined();
    expect(kernel.routeOutput({ dst: ip('10.9.0.5') }, 600 * SECOND)).toMatchObject({ ok: true, route: { mtu: 1500 } });
    expect(kernel.exceptions(600 * SECOND)).toEqual([]);
  });

  test('a PMTU expiring before a redirect ends the forwarded route\'s use of it first', () => {
    const { kernel } = router();
    kernel.learnRedirect(ip('10.9.0.5'), ip('10.1.0.3'), 'eth1', 0);
    kernel.sysctls.set('net.ipv4.route.mtu_expires', 100);
    kernel.learnPmtu(ip('10.9.0.5'), 1400, 0);
    expect(kernel.routeInput(forwarded, 50 * SECOND)).toMatchObject({
      ok: true,
      route: { gateway: ip('10.1.0.3'), mtu: 1400, cached: { redirected: true, expiresAt: 100 * SECOND } },
    });
    expect(kernel.routeInput(forwarded, 150 * SECOND)).toMatchObject({
      ok: true,
      route: { gateway: ip('10.1.0.3'), mtu: 1500, cached: { redirected: true, expiresAt: 300 * SECOND } },
    });
  });
});
