/**
 * Device kinds plug in through the registry (device-kinds.ts): `dummy`, a real Linux kind, made with
 * `ip link add` and seen through `ip link` as dummy_setup makes it (BROADCAST,NOARP, no MTU bounds,
 * state UNKNOWN once up, the `dummy` kind line), its xmit counting what it is given and sending
 * nothing; and a test-only IPv4 tunnel kind registered on a device table, shown by the same `ip link`
 * code with its own link type and 4-byte addresses — the seam `ipip` and `ip6tnl` will use.
 * This machine's kernel has no dummy driver (`ip link add d0 type dummy`: `Error: Unknown device
 * type.`), so the dummy lines are not a recording here: they follow drivers/net/dummy.c and agree
 * with published `ip -d link` outputs of dummies (`<BROADCAST,NOARP>`, `minmtu 0 maxmtu 0`, the
 * `dummy` line with `tso_max_size 65536`, state UNKNOWN and qdisc noqueue once up); the name checks
 * are compared with the kernel in ip-link-vs-linux.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { DeviceKinds, ETHER_KIND, type DeviceKind } from './device-kinds.js';
import { Kernel } from './kernel.js';
import { Shell } from './shell/shell.js';
import { makeShell, run } from './testing/kernel-shell.js';
import { Lab, SECOND } from './testing/lab.js';
import { echoProgram } from './testing/programs.js';

/** Lines with the MAC (derived from the name) masked. */
const masked = (text: string): string => text.replace(/link\/ether [0-9a-f:]{17}/g, 'link/ether MAC');

describe('the dummy kind', () => {
  test('ip link add makes one; ip link shows it as dummy_setup does, down and up', () => {
    const { sh } = makeShell({ devices: ['eth0'] });
    expect(sh('ip link add d0 type dummy')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(masked(sh('ip link show d0').stdout)).toBe(
      '3: d0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether MAC brd ff:ff:ff:ff:ff:ff\n',
    );
    expect(sh('ip link set d0 up').status).toBe(0);
    expect(masked(sh('ip -d link show d0').stdout)).toBe(
      '3: d0: <BROADCAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n' +
        '    link/ether MAC brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 \n' +
        '    dummy addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 \n',
    );
    expect(sh('ip -j -d link show d0').stdout).toContain('"linkinfo":{"info_kind":"dummy"}');
    expect(sh('ifconfig d0').stdout.split('\n')[0]).toBe('d0: flags=195<UP,BROADCAST,RUNNING,NOARP>  mtu 1500');
    // No MTU bound (max_mtu 0), where an Ethernet port stops at 65535; no carrier to lose.
    expect(sh('ip link set d0 mtu 70000').status).toBe(0);
    expect(sh('ip link set eth0 mtu 70000').stderr).toBe('Error: mtu greater than device maximum.\n');
    // Without a name the kernel picks KIND%d; the MAC is the name's, locally administered.
    expect(sh('ip link add type dummy').status).toBe(0);
    expect(sh('ip -br link show dummy0').stdout).toMatch(/^dummy0 +DOWN +[0-9a-f][26ae](:[0-9a-f]{2}){5} <BROADCAST,NOARP> \n$/);
  });

  test("ip link add refuses as iproute2 and the kernel do: no type, a taken name, an unknown kind, a bad name", () => {
    const { sh } = makeShell({ devices: ['eth0'] });
    const answers = [
      'ip link add d9',
      'ip link add eth0 type dummy',
      'ip link add d9 type nosuch',
      'ip link add d9 type ether',
      'ip link add abcdefghijklmnop type dummy',
      "ip link add 'ethà' type dummy",
      'ip link add all type dummy',
      'ip link add name a/b type dummy',
    ].map((line) => {
      const r = sh(line);
      return `${line}: ${r.stderr.trim()} [${r.status}]`;
    });
    expect(answers).toEqual([
      'ip link add d9: Not enough information: "type" argument is required [1]',
      'ip link add eth0 type dummy: RTNETLINK answers: File exists [2]',
      'ip link add d9 type nosuch: Error: Unknown device type. [2]',
      'ip link add d9 type ether: Error: Unknown device type. [2]',
      'ip link add abcdefghijklmnop type dummy: Error: Attribute failed policy validation. [2]',
      "ip link add 'ethà' type dummy: RTNETLINK answers: Invalid argument [2]",
      'ip link add all type dummy: RTNETLINK answers: Invalid argument [2]',
      'ip link add name a/b type dummy: Error: argument "a/b" is wrong: "name" not a valid ifname [255]',
    ]);
    expect(sh('ip -br link').stdout.split('\n').filter(Boolean)).toHaveLength(2);
  });

  test('what is routed to a dummy is counted as sent and goes nowhere: no ARP (NOARP), no frame on any link', () => {
    const lab = new Lab();
    lab.addNode('h1', { programs: { pinger: echoProgram } });
    lab.addNode('h2');
    lab.link('h1:eth0', 'h2:eth0');
    lab.addr('h1', 'eth0', '10.0.0.1/24');
    for (const line of ['ip link add d0 type dummy', 'ip link set d0 up', 'ip addr add 10.5.0.1/24 dev d0']) expect(lab.exec('h1', line).status).toBe(0);
    // Three echo requests, 1 s apart: no reply and no ICMP error comes back.
    const ping = lab.exec('h1', 'pinger 10.5.0.2 3 1000', 10 * SECOND);
    expect(ping).toMatchObject({ stdout: '', stderr: '', status: 0 });
    expect(lab.sent('h1')).toEqual([]);
    const stats = lab.exec('h1', 'ip -s link show d0').stdout.split('\n');
    // TX: bytes packets errors dropped …: three 98-byte frames (14 + 84).
    expect(stats[stats.findIndex((l) => l.trim().startsWith('TX:')) + 1]!.trim().split(/\s+/).slice(0, 4)).toEqual(['294', '3', '0', '0']);
    expect(lab.exec('h1', 'ip neigh show dev d0').stdout).toBe('');
  });
});

describe('a kind registered by a test: the seam tunnel devices will use', () => {
  /** An IPv4-in-IPv4 tunnel as `ipip` would register it (ARPHRD_TUNNEL: link/ipip, 4-byte addresses). */
  const TEST_TUNNEL: DeviceKind = {
    ...ETHER_KIND,
    name: 'testtunnel',
    linkType: 'ipip',
    headerLength: 20,
    addressLength: 4,
    broadcast: new Uint8Array(4),
    flags: ['POINTOPOINT', 'NOARP'],
    hasArp: false,
    alwaysCarrier: true,
    minMtu: 0,
    maxMtu: 65515,
    infoKind: 'ipip',
    userCreatable: true,
    xmit: 'discard',
  };

  test('a device of the new kind shows its link type, address, flags and MTU bound through ip link', () => {
    const deviceKinds = DeviceKinds.linux();
    deviceKinds.register(TEST_TUNNEL);
    const kernel = new Kernel({ hostname: 'node', deviceKinds });
    const shell = new Shell(kernel);
    expect(kernel.addDevice('tun0', 'testtunnel', new Uint8Array([192, 0, 2, 1]), 1480).ok).toBe(true);
    expect(kernel.device('tun0')?.carrier).toBe(true);
    expect(run(shell, 'ip link set tun0 up').status).toBe(0);
    expect(run(shell, 'ip link set tun0 mtu 65516').stderr).toBe('Error: mtu greater than device maximum.\n');
    expect(run(shell, 'ip -d link show tun0').stdout).toBe(
      '2: tun0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n' +
        '    link/ipip 192.0.2.1 brd 0.0.0.0 promiscuity 0  allmulti 0 minmtu 0 maxmtu 65515 \n' +
        '    ipip addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n',
    );
    // `ip link add` creates it too, now that it is registered as creatable; an unregistered kind is unknown.
    expect(run(shell, 'ip link add tun1 type testtunnel').status).toBe(0);
    expect(run(shell, 'ip link add tun2 type ipip').stderr).toBe('Error: Unknown device type.\n');
    expect(() => deviceKinds.register(TEST_TUNNEL)).toThrow('registered twice');
    expect(() => kernel.addDevice('x0', 'nosuch', new Uint8Array(6), 1500)).toThrow('no device kind nosuch');
  });
});
