/**
 * Input routes as the datapath uses them (ip_route_input_slow, fib_validate_source): local
 * delivery, forwarding with RTCF_DOREDIRECT, martian sources and destinations, rp_filter, and what
 * `ip route get … iif` prints for each (texts checked against kernel 6.18 in the differential and
 * seed-scenario tests).
 */
import { parseIproute2Ipv4 } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { makeShell } from './testing/kernel-shell.js';

const ip = (text: string): number => parseIproute2Ipv4(text)!;

function router() {
  const env = makeShell({ devices: ['eth0', 'eth1'] });
  env.sh('ip addr add 192.168.1.9/24 dev eth0');
  env.sh('ip addr add 10.0.0.1/24 dev eth1');
  env.sh('ip route add 10.9.0.0/24 via 192.168.1.3');
  env.sh('sysctl -w net.ipv4.ip_forward=1');
  return env;
}

describe('input routes', () => {
  test('a packet for us is delivered locally; one for elsewhere is forwarded', () => {
    const { kernel } = router();
    expect(kernel.routeInput({ dst: ip('192.168.1.9'), src: ip('10.0.0.7'), iif: 'eth1' }, 0)).toEqual({
      ok: true,
      route: { type: 'local', dev: 'lo', src: ip('10.0.0.7'), table: 254, scope: 254, mtu: 65536, forward: false },
    });
    expect(kernel.routeInput({ dst: ip('10.9.0.5'), src: ip('10.0.0.7'), iif: 'eth1' }, 0)).toEqual({
      ok: true,
      route: { type: 'unicast', dev: 'eth0', gateway: ip('192.168.1.3'), src: ip('10.0.0.7'), table: 254, scope: 0, mtu: 1500, forward: true },
    });
  });

  test('forwarding back out of the input device to an on-link sender marks the redirect', () => {
    const { sh, kernel } = router();
    expect(sh('ip route get 10.9.0.5 from 192.168.1.11 iif eth0').stdout).toBe('10.9.0.5 from 192.168.1.11 via 192.168.1.3 dev eth0 \n    cache <redirect> iif eth0 \n');
    const outcome = kernel.inputDecision({ dst: ip('10.9.0.5'), src: ip('192.168.1.11'), iif: 'eth0' }, 0);
    expect(outcome.ok && outcome.decision.flags.doRedirect).toBe(true);
    sh('sysctl -w net.ipv4.conf.all.send_redirects=0');
    sh('sysctl -w net.ipv4.conf.eth0.send_redirects=0');
    expect(sh('ip route get 10.9.0.5 from 192.168.1.11 iif eth0').stdout).toBe('10.9.0.5 from 192.168.1.11 via 192.168.1.3 dev eth0 \n    cache iif eth0 \n');
  });

  test('martians and rp_filter give drop reasons; ip route get prints Invalid argument for both', () => {
    const { sh, kernel } = router();
    const detailed = (src: string, dst: string, iif: string) => {
      const outcome = kernel.routeInput({ dst: ip(dst), src: ip(src), iif }, 0);
      return outcome.ok ? 'ok' : outcome.dropReason;
    };
    expect(detailed('127.0.0.1', '10.9.0.5', 'eth1')).toBe('martianSource');
    expect(detailed('10.0.0.7', '127.0.0.1', 'eth1')).toBe('martianDestination');
    expect(detailed('192.168.1.9', '10.9.0.5', 'eth1')).toBe('martianSource');
    expect(detailed('192.168.1.11', '10.9.0.5', 'eth1')).toBe('ok');
    sh('sysctl -w net.ipv4.conf.eth1.rp_filter=1');
    expect(detailed('192.168.1.11', '10.9.0.5', 'eth1')).toBe('rpFilter');
    expect(kernel.routeInput({ dst: ip('10.9.0.5'), src: ip('192.168.1.11'), iif: 'eth1' }, 0)).toEqual({ ok: false, errno: 'EINVAL', dropReason: 'rpFilter' });
    expect(sh('ip route get 10.9.0.5 from 192.168.1.11 iif eth1')).toEqual({ stdout: '', stderr: 'RTNETLINK answers: Invalid argument\n', status: 2 });
    sh('sysctl -w net.ipv4.conf.eth1.rp_filter=2');
    expect(detailed('192.168.1.11', '10.9.0.5', 'eth1')).toBe('ok');
  });

  test('no route: unreachable when forwarding, host unreachable when not', () => {
    const { sh, kernel } = router();
    expect(sh('ip route get 8.8.8.8 from 10.0.0.7 iif eth1').stderr).toBe('RTNETLINK answers: Network is unreachable\n');
    sh('sysctl -w net.ipv4.ip_forward=0');
    expect(kernel.routeInput({ dst: ip('8.8.8.8'), src: ip('10.0.0.7'), iif: 'eth1' }, 0)).toEqual({ ok: false, errno: 'EHOSTUNREACH' });
    expect(kernel.routeInput({ dst: ip('10.9.0.5'), src: ip('10.0.0.7'), iif: 'eth1' }, 0)).toEqual({ ok: false, errno: 'EHOSTUNREACH' });
  });

  test('broadcasts are delivered locally', () => {
    const { sh } = router();
    expect(sh('ip route get 192.168.1.255 from 192.168.1.11 iif eth0').stdout).toBe('broadcast 192.168.1.255 from 192.168.1.11 dev lo \n    cache <local,brd> iif eth0 \n');
    expect(sh('ip route get 255.255.255.255 from 0.0.0.0 iif eth0').stdout).toBe('broadcast 255.255.255.255 dev lo \n    cache <local,brd> iif eth0 \n');
  });
});
