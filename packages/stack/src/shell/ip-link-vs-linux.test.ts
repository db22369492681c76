/**
 * `ip link set DEV name NEW` and `ip -d link` against the running kernel and iproute2: the same lines
 * run in a network namespace (devices are veth ends made with `numtxqueues 1 numrxqueues 1`) and in
 * the model, and every output and exit status must agree once the veth peer (`@ifN`, `link-netns`)
 * is masked. Needs root and iproute2 (skips saying so, fails under CI=true).
 */
import { expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { compareCommandLines } from '../testing/kernel-differential.js';

const linux = needs({ netns: true, tools: ['bash', 'sysctl'] });

linux.describe('ip link against the Linux kernel', () => {
  test('ip -d link, ip -d -j link, ip -d -o link and ip -d addr for lo and a veth end, up and down', () => {
    const lines = [
      'ip -d link show dev eth0',
      'ip -d -j link show dev eth0',
      'ip link set eth0 up',
      'ip -d link',
      'ip -d -j link',
      'ip -d -j -p link show dev lo',
      'ip -d -o link',
      'ip -o link',
      'ip -d -s link show dev lo',
      'ip -o -s link show dev lo',
      'ip link set eth0 mtu 9000',
      'ip -d link show dev eth0',
      'ip addr add 10.1.0.1/24 dev eth0',
      'ip -d addr show dev eth0',
      'ip -d -j addr show dev lo',
    ];
    expect(compareCommandLines(['eth0'], lines).join('\n\n')).toBe('');
  });

  test('renaming: up and down, with routes, labels, rules and sysctl directories', () => {
    const lines = [
      'ip link set eth0 up',
      'ip addr add 10.1.0.1/24 dev eth0',
      'ip addr add 10.1.0.5/24 dev eth0',
      'ip addr add 10.1.0.9/24 label eth0:x dev eth0',
      'ip route add 10.9.0.0/16 via 10.1.0.2',
      'ip rule add iif eth0 table 100',
      'ip rule add oif wan0 table 101',
      'ip route add 10.9.0.0/16 via 10.1.0.7 table 101',
      'sysctl -w net.ipv4.conf.eth0.rp_filter=2',
      'ip link set eth0 name wan0',
      'ip link show wan0',
      'ip link show eth0',
      'ip -4 addr show dev wan0',
      'ip route',
      'ip rule',
      'ip -j rule',
      'ip route get 10.9.0.1',
      'ip route get 10.9.0.1 oif wan0',
      'sysctl net.ipv4.conf.wan0.rp_filter',
      'sysctl net.ipv4.conf.eth0.rp_filter',
      'ip link set wan0 down',
      'ip link set wan0 name eth0',
      'ip link set eth0 up',
      'ip rule',
      'ip -4 addr show dev eth0',
      'ip link set lo name lo2',
      'ip route show table local',
      'ip route get 127.0.0.1',
      'ip link set lo2 name lo',
    ];
    expect(compareCommandLines(['eth0', 'eth1'], lines).join('\n\n')).toBe('');
  });

  test("renaming: iproute2's and the kernel's refusals, %d patterns, several changes in one request", () => {
    const lines = [
      'ip link set eth0 name eth1',
      'ip link set eth0 name lo',
      'ip link set eth0 name .',
      'ip link set eth0 name ..',
      'ip link set eth0 name a:b',
      'ip link set eth0 name all',
      'ip link set eth0 name default',
      'ip link set eth0 name abcdefghijklmnop',
      'ip link set eth0 name a/b',
      "ip link set eth0 name 'a b'",
      "ip link set eth0 name ''",
      "ip link set eth0 name 'ééééééééé'",
      // dev_valid_name's edges (wire/device-name.ts): iproute2 lets 0xA0 through, the kernel does not
      "ip link set eth0 name 'ethà'",
      "ip link set eth0 name 'Š'",
      "ip link set eth0 name 'éééééééé'",
      "ip link set eth0 name 'ééééééé'",
      "ip link set 'ééééééé' name 'ethą'",
      "ip link set 'ethą' name 123456789012345",
      'ip -br link show dev 123456789012345',
      'ip link set 123456789012345 name eth0',
      'ip link set nosuch name abcdefghijklmnop',
      'ip link set nosuch name x',
      'ip link set eth0 name x name y',
      'ip link set eth0 name a%sb',
      'ip link set eth0 name %d%d',
      'ip link set eth0 name a%%d',
      'ip link set eth0 name eth0',
      'ip link set eth0 name eth%d',
      'ip -br link',
      'ip link set eth2 name x%dy',
      'ip link set x0y name abcdefghijklmno',
      'ip -br link',
      'ip link set abcdefghijklmno mtu 1400 name eth0 up',
      // (a no-op here; the namespace runner waits for the operstate after `ip link set DEV up`)
      'ip link set eth0 up',
      'ip link set eth0 mtu 1300 name lo down',
      'ip link show eth0',
    ];
    expect(compareCommandLines(['eth0', 'eth1', 'eth2'], lines).join('\n\n')).toBe('');
  });
});
