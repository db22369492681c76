/**
 * `ip link` beyond the basics: the `-d` details of the loopback and of an Ethernet device (which
 * prints as a veth end made with `numtxqueues 1 numrxqueues 1`), `-o`, and `ip link set DEV name NEW`
 * with iproute2's and the kernel's refusals. The fixtures are what iproute2 6.1 printed on Linux 6.18
 * (ip-link-vs-linux.test.ts checks them live).
 */
import { describe, expect, test } from 'vitest';
import { makeShell } from '../testing/kernel-shell.js';

const LO_DETAILS =
  ' promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ';
const ETH_DETAILS =
  ' promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 ';

describe('ip -d link', () => {
  test('details of the loopback and of an Ethernet device, as iproute2 6.1 prints lo and a veth', () => {
    const { sh } = makeShell();
    expect(sh('ip -d link').stdout).toBe(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n' +
        `    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00${LO_DETAILS}\n` +
        '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n' +
        `    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff${ETH_DETAILS}\n`,
    );
    // Without -d nothing of it.
    expect(sh('ip link show dev eth0').stdout).not.toContain('promiscuity');
  });

  test('-d -j adds the detail keys in iproute2 order (linkinfo before inet6_addr_gen_mode)', () => {
    const { sh } = makeShell();
    expect(sh('ip -d -j link show dev eth0').stdout).toBe(
      '[{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","linkmode":"DEFAULT",' +
        '"group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:01","broadcast":"ff:ff:ff:ff:ff:ff","promiscuity":0,"allmulti":0,' +
        '"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"veth"},"inet6_addr_gen_mode":"eui64","num_tx_queues":1,"num_rx_queues":1,"gso_max_size":65536,' +
        '"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536}]\n',
    );
    const lo = JSON.parse(sh('ip -d -j link show lo').stdout) as Record<string, unknown>[];
    expect(lo[0]).toMatchObject({ min_mtu: 0, max_mtu: 0, inet6_addr_gen_mode: 'eui64' });
    expect(lo[0]).not.toHaveProperty('linkinfo');
  });

  test('-o prints each link on one line, its line breaks as a backslash', () => {
    const { sh } = makeShell();
    expect(sh('ip -o link show dev eth0').stdout).toBe(
      '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n',
    );
    expect(sh('ip -d -o link show dev eth0').stdout).toBe(
      '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\' +
        `    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff${ETH_DETAILS.replace('\n', '\\')}\n`,
    );
    expect(sh('ip -o -s link show lo').stdout.split('\n')).toHaveLength(2);
  });

  test('ip -d addr shows the details without addrgenmode (an address dump has no IFLA_AF_SPEC)', () => {
    const { sh } = makeShell();
    const text = sh('ip -d addr show dev eth0').stdout;
    expect(text).toContain(`brd ff:ff:ff:ff:ff:ff${ETH_DETAILS.replace('addrgenmode eui64 ', '')}\n`);
    expect(sh('ip -d -j addr show dev lo').stdout).not.toContain('inet6_addr_gen_mode');
  });
});

describe('ip link set DEV name NEW', () => {
  test('renames an up device; routes, neighbours of dead gateway detection, labels and sysctl dirs follow it', () => {
    const { sh } = makeShell({ devices: ['eth0', 'eth1'] });
    sh('ip addr add 10.1.0.1/24 dev eth0');
    sh('ip addr add 10.1.0.5/24 dev eth0');
    sh('ip addr add 10.1.0.9/24 label eth0:x dev eth0');
    sh('ip route add 10.9.0.0/16 via 10.1.0.2');
    sh('sysctl -w net.ipv4.conf.eth0.rp_filter=2');
    sh('sysctl -w net.ipv4.neigh.eth0.retrans_time_ms=500');
    expect(sh('ip link set eth0 name wan0')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ip link show wan0').stdout).toMatch(/^2: wan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500/);
    expect(sh('ip link show eth0')).toEqual({ stdout: '', stderr: 'Device "eth0" does not exist.\n', status: 1 });
    // inetdev_changename: the first address takes the name, the others keep `:x` or get `:N`.
    expect(sh('ip -4 addr show dev wan0').stdout).toBe(
      '2: wan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n' +
        '    inet 10.1.0.1/24 scope global wan0\n       valid_lft forever preferred_lft forever\n' +
        '    inet 10.1.0.5/24 scope global secondary wan0:2\n       valid_lft forever preferred_lft forever\n' +
        '    inet 10.1.0.9/24 scope global secondary wan0:x\n       valid_lft forever preferred_lft forever\n',
    );
    expect(sh('ip route').stdout).toBe('10.1.0.0/24 dev wan0 proto kernel scope link src 10.1.0.1 \n10.9.0.0/16 via 10.1.0.2 dev wan0 \n');
    expect(sh('ip route get 10.9.1.1').stdout).toBe('10.9.1.1 via 10.1.0.2 dev wan0 src 10.1.0.1 uid 0 \n    cache \n');
    expect(sh('sysctl net.ipv4.conf.wan0.rp_filter net.ipv4.neigh.wan0.retrans_time_ms').stdout).toBe(
      'net.ipv4.conf.wan0.rp_filter = 2\nnet.ipv4.neigh.wan0.retrans_time_ms = 500\n',
    );
    expect(sh('sysctl net.ipv4.conf.eth0.rp_filter').stderr).toBe('sysctl: cannot stat /proc/sys/net/ipv4/conf/eth0/rp_filter: No such file or directory\n');
    // Back again: the old name is free.
    expect(sh('ip link set dev wan0 name eth0').status).toBe(0);
    expect(sh('ip route show 10.9.0.0/16').stdout).toBe('10.9.0.0/16 via 10.1.0.2 dev eth0 \n');
  });

  test('policy rules keep their device name: the old one is detached, a rule naming the new one attaches', () => {
    const { sh } = makeShell({ devices: ['eth0', 'eth1'] });
    sh('ip addr add 10.1.0.1/24 dev eth0');
    sh('ip rule add iif eth0 table 100');
    sh('ip rule add oif wan0 table 101');
    sh('ip route add 10.9.0.0/16 via 10.1.0.7 dev eth0 table 101');
    expect(sh('ip route get 10.9.0.1 oif eth0').stdout).toBe('10.9.0.1 dev eth0 src 10.1.0.1 uid 0 \n    cache \n');
    sh('ip link set eth0 name wan0');
    expect(sh('ip rule').stdout).toBe(
      '0:\tfrom all lookup local\n32764:\tfrom all oif wan0 lookup 101\n32765:\tfrom all iif eth0 [detached] lookup 100\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n',
    );
    expect(sh('ip -j rule').stdout).toContain('{"priority":32764,"src":"all","oif":"wan0","table":"101"},{"priority":32765,"src":"all","iif":"eth0","iif_detached":null,"table":"100"}');
    expect(sh('ip route get 10.9.0.1 oif wan0').stdout).toBe('10.9.0.1 via 10.1.0.7 dev wan0 table 101 src 10.1.0.1 uid 0 \n    cache \n');
  });

  test('the loopback can be renamed too; local output then comes from it (iif of local flows)', () => {
    const { sh } = makeShell();
    sh('ip rule add iif lo2 lookup 100');
    sh('ip route add prohibit 10.9.0.0/16 table 100');
    expect(sh('ip route get 10.9.0.1').status).toBe(2);
    expect(sh('ip link set lo name lo2').status).toBe(0);
    expect(sh('ip route get 10.9.0.1')).toEqual({ stdout: '', stderr: 'RTNETLINK answers: Permission denied\n', status: 2 });
    expect(sh('ip route show table local').stdout).toContain('local 127.0.0.1 dev lo2 proto kernel scope host src 127.0.0.1 \n');
    expect(sh('ip route get 127.0.0.1').stdout).toBe('local 127.0.0.1 dev lo2 table local src 127.0.0.1 uid 0 \n    cache <local> \n');
  });

  test("the kernel's refusals (RTNETLINK answers, status 2)", () => {
    const { sh } = makeShell({ devices: ['eth0', 'eth1'] });
    const refused = (name: string): string => sh(`ip link set eth0 name '${name}'`).stderr;
    expect(refused('eth1')).toBe('RTNETLINK answers: File exists\n');
    expect(refused('lo')).toBe('RTNETLINK answers: File exists\n');
    for (const name of ['.', '..', 'a:b', 'all', 'default', 'a%sb', '%d%d', '%', 'x%', 'a%%d']) {
      expect(sh(`ip link set eth0 name '${name}'`), name).toEqual({ stdout: '', stderr: 'RTNETLINK answers: Invalid argument\n', status: 2 });
    }
    expect(sh('ip link show eth0').status).toBe(0);
    expect(sh('ip link set eth0 name eth0')).toEqual({ stdout: '', stderr: '', status: 0 });
  });

  test("iproute2's own checks (status 255) come before the device is looked up", () => {
    const { sh } = makeShell();
    for (const name of ['abcdefghijklmnop', 'a/b', 'a b', '', 'x\ty', 'ééééééééé']) {
      expect(sh(`ip link set nosuch name '${name}'`), name).toEqual({ stdout: '', stderr: `Error: argument "${name}" is wrong: "name" not a valid ifname\n`, status: 255 });
    }
    expect(sh('ip link set eth0 name x name y')).toEqual({ stdout: '', stderr: 'Error: duplicate "name": "y" is the second value.\n', status: 255 });
    expect(sh('ip link set nosuch name x')).toEqual({ stdout: '', stderr: 'Cannot find device "nosuch"\n', status: 1 });
    // 15 bytes is the longest name; UTF-8 counts in bytes.
    expect(sh('ip link set eth0 name abcdefghijklmno').status).toBe(0);
    expect(sh('ip link set abcdefghijklmno name é,!=*').status).toBe(0);
    expect(sh('ip -br link show dev é,!=*').stdout).toMatch(/^é,!=\* +UP /);
  });

  test('a %d pattern takes the lowest free number, counting the device itself', () => {
    const { sh } = makeShell({ devices: ['eth0', 'eth1', 'eth3'] });
    sh('ip link set eth3 name eth%d');
    expect(sh('ip -br link').stdout.split('\n').map((l) => l.split(' ')[0])).toEqual(['lo', 'eth0', 'eth1', 'eth2', '']);
    sh('ip link set eth0 name x%dy');
    sh('ip link set eth1 name %dx');
    expect(sh('ip -br link').stdout.split('\n').map((l) => l.split(' ')[0])).toEqual(['lo', 'x0y', '0x', 'eth2', '']);
    sh('ip link set eth2 name eth%d');
    expect(sh('ip link show eth0').status).toBe(0);
  });

  test('with other changes it applies them in do_setlink order (mtu before the name, up after it)', () => {
    const { sh } = makeShell({ up: false });
    expect(sh('ip link set eth0 mtu 9000 name wan0 up').status).toBe(0);
    expect(sh('ip link show wan0').stdout).toMatch(/^2: wan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 /);
    // A refused name stops the request after the mtu changed, before `down`.
    expect(sh('ip link set wan0 mtu 1400 name lo down')).toEqual({ stdout: '', stderr: 'RTNETLINK answers: File exists\n', status: 2 });
    expect(sh('ip link show wan0').stdout).toMatch(/^2: wan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 /);
  });
});
