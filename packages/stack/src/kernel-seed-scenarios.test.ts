/**
 * The control-plane parts of the seed scenarios, run line by line in a Linux namespace and in the
 * model; every command's output and exit status must agree (the expectations are the running
 * kernel's): seed 004's LVS real server with `ip rule add from VIP table 100` and labels, seed 004's
 * send_redirects matrix, seed 000's ifconfig/route sequence (Linux forms), seed 002's alternative
 * routes and multipath with a device going down.
 */
import { expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { compareCommandLines as compare } from './testing/kernel-differential.js';

const linux = needs({ netns: true, tools: ['bash', 'sysctl', 'ifconfig', 'route', 'netstat'] });

linux.describe('seed scenarios against the Linux kernel', () => {
  test('seed 004: LVS-DR real server, VIP on lo, policy routing from the VIP, labels', () => {
    const lines = [
      'ip link set eth0 up',
      'ip addr add 192.168.1.11/24 brd + dev eth0',
      'ip addr add 192.168.2.11/24 dev eth0 label eth0:10',
      'ip addr add 10.1.1.80/32 dev lo label lo:0',
      'sysctl -w net.ipv4.conf.all.arp_ignore=1',
      'sysctl -w net.ipv4.conf.all.arp_announce=2',
      'ip route add default via 192.168.1.9',
      'ip route add 192.168.1.0/24 via 192.168.1.1',
      'ip route append default via 192.168.2.1',
      'ip route add default via 192.168.2.1',
      'ip rule add from 10.1.1.80 table 100',
      'ip route add default via 192.168.1.254 table 100',
      'ip rule',
      'ip route get 172.16.9.9',
      'ip route get 172.16.9.9 from 10.1.1.80',
      'ip route get 172.16.9.9 from 192.168.1.11',
      'ip route get 192.168.1.9 from 10.1.1.80',
      'ip route get 10.1.1.80 from 172.16.9.9 iif eth0',
      'ip addr show',
      'ip -4 addr show label eth0:10',
      'ifconfig',
      'route -n',
      'netstat -rn',
      'ip -4 route show table all',
      'ip -4 route show table local',
      'sysctl net.ipv4.conf.eth0.arp_ignore net.ipv4.conf.all.arp_announce',
    ];
    expect(compare(['eth0'], lines).join('\n\n')).toBe('');
  });

  test('seed 004: send_redirects written as the director does it, and forwarding back out of the input device', () => {
    const lines = [
      'ip link set eth0 up',
      'sysctl -w net.ipv4.ip_forward=1',
      'ip addr add 192.168.1.9/24 dev eth0',
      'ip route add 10.9.0.0/24 via 192.168.1.3',
      'ip route get 10.9.0.5 from 192.168.1.11 iif eth0',
      'echo 0 > /proc/sys/net/ipv4/conf/all/send_redirects',
      'ip route get 10.9.0.5 from 192.168.1.11 iif eth0',
      'echo 0 > /proc/sys/net/ipv4/conf/default/send_redirects',
      'echo 0 > /proc/sys/net/ipv4/conf/eth0/send_redirects',
      'ip route get 10.9.0.5 from 192.168.1.11 iif eth0',
      'cat /proc/sys/net/ipv4/conf/all/send_redirects /proc/sys/net/ipv4/conf/eth0/send_redirects',
      'ip route get 10.9.0.5 from 10.7.7.7 iif eth0',
      'sysctl -w net.ipv4.conf.eth0.rp_filter=1',
      'ip route get 10.9.0.5 from 10.7.7.7 iif eth0',
      'ip route get 192.168.1.9 from 192.168.1.9 iif eth0',
      'ip route get 127.0.0.1 from 192.168.1.11 iif eth0',
      'ip route get 192.168.1.255 from 192.168.1.11 iif eth0',
      'ip route flush cache',
      'ip route show cache',
    ];
    expect(compare(['eth0'], lines).join('\n\n')).toBe('');
  });

  test('seed 000: the laptop, with the Linux forms of its ifconfig and route commands', () => {
    const lines = [
      'ifconfig wm0 193.71.2.59 netmask 255.255.255.0 up',
      'ifconfig ath0 10.13.65.16 netmask 255.255.255.0 up',
      'route add default gw 193.71.2.1',
      'route add -net 193.71.2.0 netmask 255.255.255.0 gw 10.13.65.1 metric 10',
      'ip route get 193.71.2.52',
      'ifconfig wm0 down',
      'route -n',
      'ip route get 193.71.2.52',
      'ifconfig wm0 up',
      'route -n',
      'ip addr del 193.71.2.59/24 dev wm0',
      'route del default',
      'route add default gw 10.13.65.1',
      'ip route get 193.71.2.52',
      'ifconfig wm0 193.71.2.59 netmask 255.255.255.0',
      'netstat -rn',
      'ip route get 193.71.2.52',
      'ifconfig -a',
    ];
    expect(compare(['wm0', 'ath0'], lines).join('\n\n')).toBe('');
  });

  test('seed 002: alternative default routes, multipath, and a link going down', () => {
    const lines = [
      'ip link set eth0 up',
      'ip link set eth1 up',
      'ip addr add 192.168.1.10/24 dev eth0',
      'ip addr add 10.0.2.10/24 dev eth1',
      'ip route add default via 192.168.1.1 proto static',
      'ip route append default via 10.0.2.1 proto static',
      'ip route add 10.72.0.0/16 nexthop via 192.168.1.20 weight 1 nexthop via 10.0.2.20 weight 2',
      'ip route',
      'ip route get 8.8.8.8',
      '#carrier eth1 down',
      'ip route',
      'sysctl -w net.ipv4.conf.eth1.ignore_routes_with_linkdown=1',
      'ip route',
      '#carrier eth1 up',
      'ip link set eth0 down',
      'ip route',
      'ip route get 8.8.8.8',
      'ip -d route show',
      'ip link set eth0 up',
      'ip route',
      'ip -j route show',
    ];
    expect(compare(['eth0', 'eth1'], lines).join('\n\n')).toBe('');
  });
});
