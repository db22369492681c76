/**
 * net.ipv6.* as IPv6 registers it (addrconf-sysctls.ts, neigh-sysctls.ts): Linux's defaults for
 * `all`, `default`, an Ethernet device and lo, IPv6's own default/all inheritance (which is not
 * IPv4's), each file's bounds, and nd_tbl's neighbour parameters — in the model and, when root,
 * line by line against procps-ng's sysctl in a network namespace of the running kernel.
 */
import { describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { compareCommandLines } from '../testing/kernel-differential.js';
import { makeShell } from '../testing/kernel-shell.js';
import { SysctlTree } from './sysctl-tree.js';
import { registerIpv4Sysctls } from './net-sysctls.js';

const LINES = [
  'sysctl net.ipv6.conf.eth0',
  'sysctl net.ipv6.conf.all',
  'sysctl net.ipv6.conf.default',
  'sysctl net.ipv6.conf.lo',
  'sysctl net.ipv6.neigh.eth0',
  'sysctl net.ipv6.neigh.lo',
  'sysctl net.ipv6.bindv6only net.ipv6.icmp.ratelimit net.ipv6.ip6frag_time net.ipv6.route.gc_thresh net.ipv6.route.min_adv_mss',
  // default reaches no existing device; all only itself, except the four that reach everything.
  'sysctl -w net.ipv6.conf.default.accept_ra=0',
  'sysctl net.ipv6.conf.eth0.accept_ra net.ipv6.conf.lo.accept_ra',
  'sysctl -w net.ipv6.conf.all.accept_redirects=0',
  'sysctl net.ipv6.conf.eth0.accept_redirects net.ipv6.conf.default.accept_redirects',
  'sysctl -w net.ipv6.conf.all.forwarding=1',
  'sysctl net.ipv6.conf.eth0.forwarding net.ipv6.conf.default.forwarding net.ipv6.conf.lo.forwarding',
  'sysctl -w net.ipv6.conf.default.forwarding=0',
  'sysctl net.ipv6.conf.eth0.forwarding net.ipv6.conf.all.forwarding',
  'sysctl net.ipv6.route net.ipv6.conf.eth0.stable_secret',
  'sysctl net.ipv6.route.flush',
  'sysctl -w net.ipv6.route.flush=1',
  'sysctl -w net.ipv6.conf.eth0.addr_gen_mode=2',
  'sysctl -w net.ipv6.conf.default.addr_gen_mode=2',
  // Mode 3 (random) draws a stable_secret, after which stable-privacy is taken.
  'sysctl -w net.ipv6.conf.all.addr_gen_mode=3',
  'sysctl net.ipv6.conf.eth0.addr_gen_mode net.ipv6.conf.default.addr_gen_mode',
  'sysctl -w net.ipv6.conf.eth0.addr_gen_mode=2',
  'sysctl -w net.ipv6.conf.eth0.addr_gen_mode=4',
  'sysctl -w net.ipv6.conf.all.ignore_routes_with_linkdown=1',
  'sysctl net.ipv6.conf.eth0.ignore_routes_with_linkdown',
  // Bounds.
  'sysctl -w net.ipv6.conf.eth0.hop_limit=0',
  'sysctl -w net.ipv6.conf.eth0.hop_limit=256',
  'sysctl -w net.ipv6.conf.eth0.hop_limit=255',
  'sysctl -w net.ipv6.conf.eth0.mtu=1279',
  'sysctl -w net.ipv6.conf.eth0.mtu=1501',
  'sysctl -w net.ipv6.conf.eth0.mtu=1400',
  'sysctl -w net.ipv6.conf.default.mtu=9000',
  'sysctl -w net.ipv6.conf.eth0.accept_untracked_na=3',
  'sysctl -w net.ipv6.conf.eth0.accept_untracked_na=2',
  'sysctl -w net.ipv6.conf.eth0.ndisc_evict_nocarrier=2',
  'sysctl -w net.ipv6.conf.eth0.router_solicitations=-2',
  'sysctl -w net.ipv6.conf.eth0.mldv1_unsolicited_report_interval=1',
  'sysctl net.ipv6.conf.eth0.mldv1_unsolicited_report_interval',
  'sysctl -w net.ipv6.icmp.ratelimit=7',
  'sysctl net.ipv6.icmp.ratelimit',
  'sysctl -w net.ipv6.ip6frag_low_thresh=5000000',
  'sysctl -w net.ipv6.conf.eth0.disable_ipv6=1',
  'sysctl -w net.ipv6.conf.all.disable_ipv6=1',
  'sysctl net.ipv6.conf.lo.disable_ipv6 net.ipv6.conf.default.disable_ipv6',
  'sysctl -w net.ipv6.conf.all.disable_ipv6=0',
  // nd_tbl's parameters, and names nobody has.
  'sysctl -w net.ipv6.neigh.eth0.retrans_time_ms=1',
  'sysctl net.ipv6.neigh.eth0.retrans_time_ms net.ipv6.neigh.eth0.locktime',
  'sysctl -w net.ipv6.neigh.eth0.unres_qlen=3',
  'sysctl net.ipv6.neigh.eth0.unres_qlen_bytes',
  'sysctl net.ipv6.conf.eth0.accept_rx',
  'sysctl -w net.ipv6.conf.eth9.forwarding=1',
];

describe('net.ipv6 (model)', () => {
  test('a fresh device copies default, with its MTU; lo has no DAD or temporary addresses; all has accept_dad 0', () => {
    const { sh } = makeShell();
    const read = (names: string): string => sh(`sysctl -n ${names}`).stdout.trim().split('\n').join(' ');
    expect(read('net.ipv6.conf.eth0.mtu net.ipv6.conf.lo.mtu net.ipv6.conf.default.mtu net.ipv6.conf.all.mtu')).toBe('1500 65536 1280 1280');
    expect(read('net.ipv6.conf.eth0.accept_dad net.ipv6.conf.lo.accept_dad net.ipv6.conf.default.accept_dad net.ipv6.conf.all.accept_dad')).toBe('1 -1 1 0');
    expect(read('net.ipv6.conf.eth0.use_tempaddr net.ipv6.conf.lo.use_tempaddr')).toBe('0 -1');
    expect(read('net.ipv6.conf.eth0.hop_limit net.ipv6.conf.eth0.accept_ra net.ipv6.conf.eth0.dad_transmits net.ipv6.conf.eth0.addr_gen_mode')).toBe('64 1 1 0');
    expect(read('net.ipv6.neigh.eth0.mcast_solicit net.ipv6.neigh.eth0.ucast_solicit net.ipv6.neigh.eth0.retrans_time_ms')).toBe('3 3 1000');
    expect(read('net.ipv6.neigh.eth0.base_reachable_time_ms net.ipv6.neigh.eth0.delay_first_probe_time net.ipv6.neigh.eth0.locktime')).toBe('30000 5 0');
    expect(read('net.ipv6.neigh.default.gc_thresh1 net.ipv6.neigh.default.gc_thresh2 net.ipv6.neigh.default.gc_thresh3')).toBe('128 512 1024');
    // ARP's locktime stays 1 s (100 in USER_HZ).
    expect(read('net.ipv4.neigh.eth0.locktime')).toBe('100');
  });

  test('default reaches only future devices; all.forwarding, disable_ipv6, addr_gen_mode reach default and every device', () => {
    const { kernel, sh } = makeShell({ devices: ['eth0'] });
    sh('sysctl -w net.ipv6.conf.default.accept_ra=0');
    sh('sysctl -w net.ipv6.conf.all.hop_limit=9');
    kernel.addDevice('eth1', 'ether', new Uint8Array(6), 1500);
    expect(sh('sysctl -n net.ipv6.conf.eth0.accept_ra net.ipv6.conf.eth1.accept_ra net.ipv6.conf.eth1.hop_limit').stdout).toBe('1\n0\n64\n');
    sh('sysctl -w net.ipv6.conf.all.forwarding=1');
    expect(sh('sysctl -n net.ipv6.conf.eth0.forwarding net.ipv6.conf.lo.forwarding net.ipv6.conf.default.forwarding').stdout).toBe('1\n1\n1\n');
    // IPv6 forwarding is its own switch: IPv4's stays off.
    expect(kernel.sysctl('net.ipv4.ip_forward')).toBe(0);
    expect(sh('sysctl -w net.ipv6.conf.eth1.addr_gen_mode=2')).toEqual({ stdout: '', stderr: 'sysctl: setting key "net.ipv6.conf.eth1.addr_gen_mode": Invalid argument\n', status: 1 });
    // NETDEV_CHANGEMTU: the IPv6 MTU follows the device's, which bounds it.
    kernel.sysctls.deviceMtuChanged('eth1', 9000);
    expect(sh('sysctl -n net.ipv6.conf.eth1.mtu').stdout).toBe('9000\n');
    expect(sh('sysctl -w net.ipv6.conf.eth1.mtu=9001').status).toBe(1);
    expect(sh('sysctl -w net.ipv6.conf.eth1.mtu=8000').status).toBe(0);
  });

  test('a renamed device keeps its IPv6 directories; a tree built without IPv6 has none', () => {
    const { sh } = makeShell();
    sh('sysctl -w net.ipv6.conf.eth0.hop_limit=7');
    sh('ip link set eth0 name lan0');
    expect(sh('sysctl -n net.ipv6.conf.lan0.hop_limit net.ipv6.neigh.lan0.locktime').stdout).toBe('7\n0\n');
    const ipv4Only = new SysctlTree(() => {}, registerIpv4Sysctls);
    ipv4Only.addDevice('eth0', false);
    expect(ipv4Only.get('net.ipv6.conf.eth0.forwarding')).toBeUndefined();
    expect(ipv4Only.get('net.ipv4.conf.eth0.forwarding')).toBe(0);
    expect(() => ipv4Only.register(stubDirectory('net.ipv4'))).toThrow('sysctl: net.ipv4 is registered already');
  });
});

/** A directory that owns a prefix and nothing else (registration checks only). */
function stubDirectory(prefix: string) {
  return {
    prefix,
    get: () => undefined,
    handlerOf: () => undefined,
    set: () => 'ENOENT' as const,
    list: () => [] as [string, number][],
    addDevice: () => {},
    removeDevice: () => {},
    renameDevice: () => {},
  };
}

needs({ netns: true, tools: ['bash', 'sysctl'] }).describe('net.ipv6 against the kernel', () => {
  test('reads, writes and refusals agree with sysctl in a namespace, text and status', () => {
    expect(compareCommandLines(['eth0'], LINES).join('\n\n')).toBe('');
  });
});
