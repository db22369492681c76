import { describe, expect, test } from 'vitest';
import { checkCommandAddresses } from './exec-check.js';

describe('static address check of node commands', () => {
  test.each([
    'ip addr add 10.0.1.1/24 dev eth0',
    'ip -4 address add 10.0.1.1/24 dev eth0',
    'ip a add local 10.0.1.1/32 dev lo',
    'ip addr add 10/8 dev eth0', // iproute2 fills missing parts with zeros
    'ip addr add 10.0.0.1/255.255.255.0 dev eth0',
    'ip -6 addr add fd00:1::10/64 dev eth0 nodad',
    'ip -4 addr add dev eth0 192.168.1.5/24', // iproute2 takes the arguments in any order
    'ip addr add dev eth0 scope link nodad local 10.9.9.9',
    'ip addr add dev eth0', // no address at all: left to the node shell's own error
    'ip addr del 10.0.1.1/24 dev eth0',
    'ip route add default via 10.0.1.254',
    'ip r add 10.9.0.0/16 via inet 10.0.1.254 dev eth0',
    'ip -6 route add default via fe80::1 dev eth0',
    'ip -6 route add 2001:db8:9::/64 via fe80::1 dev eth0 metric 100 pref high',
    'ip -6 addr add 2001:db8::1/64 dev eth0 nodad home',
    'ip -f inet6 addr add 2001:db8::1/64 dev eth0',
    'ip -4 route add 10.9.0.0/16 via 10.0.1.254 metric 5',
    'ip link set eth0 up',
    'sysctl -w net.ipv4.ip_forward=1',
    'ping -c 1 10.0.9.300', // not an ip command: the app reports its own error
  ])('%s passes', (cmd) => {
    expect(checkCommandAddresses(cmd)).toBeNull();
  });

  test.each([
    ['ip addr add 10.0.1.300/24 dev eth0', 12, 'bad address "10.0.1.300/24" in "ip addr add"'],
    ['ip addr add 10.0.1.1/33 dev eth0', 12, 'bad address "10.0.1.1/33" in "ip addr add"'],
    ['ip -6 a add fd00::zz/64 dev eth0', 12, 'bad address "fd00::zz/64" in "ip a add"'],
    ['ip addr add dev eth0 10.0.1.1/40', 21, 'bad address "10.0.1.1/40" in "ip addr add"'],
    ['ip addr add 10.0.0.1/24 brd + dev eth0 label eth0:1 nodad 10.0.0.999', -1, ''],
    ['ip route add default via 10.0.1', -1, ''],
    ['ip route add default via router1', 25, 'bad gateway address "router1" after "via"'],
    ['ip -6 addr add 10.0.0.1/24 dev eth0', 15, 'inet6 prefix is expected rather than "10.0.0.1/24".'],
    ['ip -family inet6 addr add 10.0.0.1/24 dev eth0', 26, 'inet6 prefix is expected rather than "10.0.0.1/24".'],
    ['ip -4 addr add 2001:db8::1/64 dev eth0', 15, 'inet prefix is expected rather than "2001:db8::1/64".'],
    ['ip -6 route add 2001:db8::/64 via 10.0.0.1', 34, 'inet6 address is expected rather than "10.0.0.1".'],
    ['ip -6 route add 2001:db8::/64 dev eth0 pref bogus', 44, 'argument "bogus" is wrong: "pref" value is invalid'],
    ['ip -6 route add 2001:db8::/64 dev eth0 metric x', 46, 'argument "x" is wrong: "metric" value is invalid'],
  ])('%s is reported at index %d', (cmd, index, start) => {
    const problem = checkCommandAddresses(cmd);
    if (index < 0) {
      expect(problem).toBeNull();
      return;
    }
    expect(problem?.index).toBe(index);
    expect(problem?.message.startsWith(start)).toBe(true);
  });
});
