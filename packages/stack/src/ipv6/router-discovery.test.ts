/**
 * Router discovery on a model kernel: RAs as radvd 2.19 sends them, and what `ip -6 route` and
 * `ip -6 addr` show after, compared with what Linux 6.18 printed in namespaces for the same RA
 * (radvd.conf: MaxRtrAdvInterval 10 → router lifetime 30, AdvLinkMTU 1400, AdvDefaultPreference
 * high, 2001:db8:1::/64 valid 86400 preferred 14400, 2001:db8:2::/64 valid 7200 preferred 3600),
 * read 5–6 s after the RA:
 *
 *   2001:db8:1::/64 dev vh proto kernel metric 256 expires 86394sec pref medium
 *   2001:db8:2::/64 dev vh proto kernel metric 256 expires 7194sec pref medium
 *   fe80::/64 dev vh proto kernel metric 256 pref medium
 *   default via fe80::ff:fe00:1 dev vh proto ra metric 1024 expires 24sec mtu 1400 hoplimit 64 pref high
 *       inet6 2001:db8:2::ff:fe00:2/64 scope global dynamic mngtmpaddr
 *          valid_lft 7195sec preferred_lft 3595sec
 *   net.ipv6.conf.vh.mtu = 1400, net.ipv6.conf.vh.hop_limit = 64
 *
 * The default route carries the RA's metrics (`mtu 1400 hoplimit 64`) in the model too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isWireError, parseIcmpv6, parseIpv6Packet, type NdpOption, ipv6ToBytes, parseIpv6Number } from '@netloom/wire';
import { NamespaceLab } from '@netloom/wire/testing/namespace-lab';
import { needs } from '@netloom/wire/testing/test-environment';
import { makeKernel, run } from '../testing/kernel-shell.js';
import { Shell } from '../shell/shell.js';
import type { Kernel } from '../kernel.js';
import { RouterDiscovery, type RouterAdvertisement } from './router-discovery.js';

const S = 1_000_000_000;
const ROUTER = parseIpv6Number('fe80::ff:fe00:fe')!;
const ROUTER_MAC = new Uint8Array([2, 0, 0, 0, 0, 0xfe]);

function prefix(text: string, valid: number, preferred: number, flags: { onLink?: boolean; autonomous?: boolean } = {}): NdpOption {
  return { kind: 'prefixInformation', prefixLength: 64, onLink: flags.onLink ?? true, autonomous: flags.autonomous ?? true, routerAddress: false, validLifetime: valid, preferredLifetime: preferred, prefix: ipv6ToBytes(parseIpv6Number(text)!) };
}

/** An RA as radvd builds it: prefixes, MTU, then the source link-layer address. */
function advertisement(options: { lifetime?: number; preference?: RouterAdvertisement['preference']; prefixes?: NdpOption[]; mtu?: number } = {}): RouterAdvertisement {
  return {
    kind: 'routerAdvertisement',
    currentHopLimit: 64,
    managed: false,
    otherConfiguration: false,
    homeAgent: false,
    preference: options.preference ?? 'medium',
    proxy: false,
    routerLifetime: options.lifetime ?? 30,
    reachableTime: 0,
    retransmitTimer: 0,
    options: [...(options.prefixes ?? []), ...(options.mtu !== undefined ? [{ kind: 'mtu' as const, mtu: options.mtu }] : []), { kind: 'sourceLinkLayerAddress', address: ROUTER_MAC }],
  };
}

/** A host kernel with router discovery on eth0 (MAC 02:00:00:00:00:01), as node.ts wires it. */
function host(): { kernel: Kernel; rd: RouterDiscovery; sh: (line: string, at: number) => string; routers: bigint[]; drops: string[] } {
  const kernel = makeKernel();
  const shell = new Shell(kernel);
  const routers: bigint[] = [];
  const drops: string[] = [];
  const rd = new RouterDiscovery(kernel, {
    routerAdvertised: (_dev, source) => routers.push(source),
    drop: (_dev, _reason, detail) => drops.push(detail),
  });
  const sh = (line: string, at: number): string => {
    const result = run(shell, line, at * S);
    expect(result.stderr).toBe('');
    return result.stdout;
  };
  return { kernel, rd, sh, routers, drops };
}

function receive(rd: RouterDiscovery, message: RouterAdvertisement, at: number, source = ROUTER): void {
  rd.processRouterAdvertisement({ dev: 'eth0', source, hopLimit: 255, code: 0, message }, at * S);
}

const RADVD_PREFIXES = [prefix('2001:db8:1::', 86400, 14400), prefix('2001:db8:2::', 7200, 3600)];

describe('router discovery (ndisc_router_discovery, addrconf_prefix_rcv)', () => {
  test("radvd's RA gives the default route proto ra with its lifetime and preference, the prefix routes and SLAAC addresses, as Linux 6.18 shows them", () => {
    const { sh, rd, kernel, routers } = host();
    receive(rd, advertisement({ preference: 'high', prefixes: RADVD_PREFIXES, mtu: 1400 }), 10);
    expect(routers).toEqual([ROUTER]);
    expect(sh('ip -6 route', 16)).toBe(
      '2001:db8:1::/64 dev eth0 proto kernel metric 256 expires 86394sec pref medium\n' +
        '2001:db8:2::/64 dev eth0 proto kernel metric 256 expires 7194sec pref medium\n' +
        'fe80::/64 dev eth0 proto kernel metric 256 pref medium\n' +
        'default via fe80::ff:fe00:fe dev eth0 proto ra metric 1024 expires 24sec mtu 1400 hoplimit 64 pref high\n',
    );
    expect(sh('ip -6 addr show dev eth0 scope global', 15)).toBe(
      '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n' +
        '    inet6 2001:db8:2::ff:fe00:1/64 scope global dynamic mngtmpaddr \n       valid_lft 7195sec preferred_lft 3595sec\n' +
        '    inet6 2001:db8:1::ff:fe00:1/64 scope global dynamic mngtmpaddr \n       valid_lft 86395sec preferred_lft 14395sec\n',
    );
    expect(kernel.sysctl('net.ipv6.conf.eth0.mtu')).toBe(1400);
    expect(kernel.sysctl('net.ipv6.conf.eth0.hop_limit')).toBe(64);
    // Source selection: both preferred, the newest address first (ip -6 route get on Linux: src 2001:db8:2::ff:fe00:2).
    expect(sh('ip -6 route get 2001:db8:9::1', 16)).toContain('via fe80::ff:fe00:fe dev eth0 proto ra src 2001:db8:2::ff:fe00:1 metric 1024 mtu 1400 hoplimit 64 pref high');
  });

  test('the SLAAC address is tentative until DAD ends, then usable', () => {
    const { sh, rd } = host();
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:1::', 86400, 14400)] }), 10);
    expect(sh('ip -6 addr show dev eth0 scope global', 10.5)).toContain('2001:db8:1::ff:fe00:1/64 scope global tentative dynamic mngtmpaddr');
    expect(sh('ip -6 addr show dev eth0 scope global', 11)).toContain('2001:db8:1::ff:fe00:1/64 scope global dynamic mngtmpaddr \n');
  });

  test('each RA renews the default route; router lifetime 0 removes it; without RAs it expires on the virtual clock', () => {
    const { sh, rd } = host();
    receive(rd, advertisement(), 10);
    receive(rd, advertisement(), 30);
    // Without an MTU option only the hop limit becomes a metric.
    expect(sh('ip -6 route show default', 35)).toBe('default via fe80::ff:fe00:fe dev eth0 proto ra metric 1024 expires 25sec hoplimit 64 pref medium\n');
    expect(sh('ip -6 route show default', 59.9)).toContain('expires 0sec');
    expect(sh('ip -6 route show default', 60)).toBe('');
    receive(rd, advertisement({ preference: 'low' }), 70);
    expect(sh('ip -6 route show default', 70)).toBe('default via fe80::ff:fe00:fe dev eth0 proto ra metric 1024 expires 30sec hoplimit 64 pref low\n');
    receive(rd, advertisement({ preference: 'high' }), 71);
    expect(sh('ip -6 route show default', 71)).toBe('default via fe80::ff:fe00:fe dev eth0 proto ra metric 1024 expires 30sec hoplimit 64 pref high\n');
    receive(rd, advertisement({ lifetime: 0 }), 72);
    expect(sh('ip -6 route show default', 72)).toBe('');
  });

  test('two routers: two default routes, by preference', () => {
    const { sh, rd } = host();
    receive(rd, advertisement({ preference: 'low' }), 1);
    receive(rd, advertisement({ preference: 'high', lifetime: 1800 }), 2, parseIpv6Number('fe80::2')!);
    expect(sh('ip -6 route show default', 2)).toBe(
      'default via fe80::ff:fe00:fe dev eth0 proto ra metric 1024 expires 29sec hoplimit 64 pref low\n' + 'default via fe80::2 dev eth0 proto ra metric 1024 expires 1800sec hoplimit 64 pref high\n',
    );
  });

  test('a prefix deprecated by a later RA (preferred lifetime 0): the address is deprecated and source selection moves to the other prefix', () => {
    const { sh, rd } = host();
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:1::', 86400, 14400)] }), 1);
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:2::', 86400, 14400)] }), 2);
    expect(sh('ip -6 route get 2001:db8:9::1', 5)).toContain('src 2001:db8:2::ff:fe00:1 ');
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:2::', 86400, 0)] }), 10);
    expect(sh('ip -6 addr show dev eth0 to 2001:db8:2::/64', 10)).toContain('    inet6 2001:db8:2::ff:fe00:1/64 scope global deprecated dynamic mngtmpaddr \n       valid_lft 86400sec preferred_lft 0sec\n');
    expect(sh('ip -6 route get 2001:db8:9::1', 10)).toContain('src 2001:db8:1::ff:fe00:1 ');
  });

  test("RFC 4862 §5.5.3 e): a shorter valid lifetime is raised to two hours, or to what is left when that is less; ra_honor_pio_life takes it as given", () => {
    const { sh, rd, kernel } = host();
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:1::', 86400, 14400)] }), 0);
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:1::', 60, 30)] }), 100);
    expect(sh('ip -6 addr show dev eth0 scope global', 100)).toContain('valid_lft 7200sec preferred_lft 30sec');
    // The prefix route takes the RA's valid lifetime as given.
    expect(sh('ip -6 route show 2001:db8:1::/64', 100)).toBe('2001:db8:1::/64 dev eth0 proto kernel metric 256 expires 60sec pref medium\n');
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:1::', 0, 0)] }), 7000);
    // 200 s left, under two hours: kept, not shortened.
    expect(sh('ip -6 addr show dev eth0 scope global', 7000)).toContain('valid_lft 300sec preferred_lft 0sec');
    expect(sh('ip -6 route show 2001:db8:1::/64', 7000)).toBe('');
    kernel.sysctls.set('net.ipv6.conf.eth0.ra_honor_pio_life', 1);
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:1::', 20, 0)] }), 7010);
    expect(sh('ip -6 addr show dev eth0 scope global', 7010)).toContain('valid_lft 20sec preferred_lft 0sec');
    expect(sh('ip -6 addr show dev eth0 scope global', 7030)).toBe('');
  });

  test('accept_ra: a forwarding device ignores RAs unless accept_ra is 2, and still learns the router neighbour', () => {
    const { sh, rd, kernel, routers } = host();
    kernel.sysctls.set('net.ipv6.conf.eth0.forwarding', 1);
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:1::', 86400, 14400)] }), 1);
    expect(routers).toEqual([ROUTER]);
    expect(sh('ip -6 route show default', 1)).toBe('');
    expect(sh('ip -6 addr show dev eth0 scope global', 1)).toBe('');
    kernel.sysctls.set('net.ipv6.conf.eth0.accept_ra', 2);
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:1::', 86400, 14400)] }), 2);
    expect(sh('ip -6 route show default', 2)).toContain('default via fe80::ff:fe00:fe dev eth0 proto ra');
    kernel.sysctls.set('net.ipv6.conf.eth0.accept_ra', 0);
    kernel.sysctls.set('net.ipv6.conf.eth0.forwarding', 0);
    receive(rd, advertisement({ lifetime: 0 }), 3);
    expect(sh('ip -6 route show default', 3)).toContain('default via');
  });

  test('the accept_ra_* switches: defrtr, pinfo, mtu, rtr_pref, min_lft and min_hop_limit; an MTU above the link or under 1280 and the reserved preference', () => {
    const { sh, rd, kernel, drops } = host();
    const set = (key: string, value: number): void => void kernel.sysctls.set(`net.ipv6.conf.eth0.${key}`, value);
    set('accept_ra_defrtr', 0);
    set('accept_ra_pinfo', 0);
    set('accept_ra_mtu', 0);
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:1::', 600, 600)], mtu: 1400 }), 1);
    expect(sh('ip -6 route', 1)).toBe('fe80::/64 dev eth0 proto kernel metric 256 pref medium\n');
    expect(kernel.sysctl('net.ipv6.conf.eth0.mtu')).toBe(1500);
    set('accept_ra_defrtr', 1);
    set('accept_ra_mtu', 1);
    set('accept_ra_rtr_pref', 0);
    receive(rd, advertisement({ preference: 'high', mtu: 1600 }), 2);
    expect(sh('ip -6 route show default', 2)).toContain('pref medium');
    expect(kernel.sysctl('net.ipv6.conf.eth0.mtu')).toBe(1500);
    receive(rd, advertisement({ lifetime: 0, mtu: 1000 }), 3);
    expect(drops).toEqual(['RA: invalid mtu: 1600', 'RA: invalid mtu: 1000']);
    set('accept_ra_rtr_pref', 1);
    receive(rd, advertisement({ preference: 'reserved' }), 4);
    expect(sh('ip -6 route show default', 4)).toContain('pref medium');
    set('accept_ra_min_lft', 100);
    receive(rd, advertisement({ lifetime: 0 }), 5);
    receive(rd, advertisement({ lifetime: 60 }), 6);
    expect(sh('ip -6 route show default', 6)).toBe('');
    receive(rd, { ...advertisement(), currentHopLimit: 32 }, 7);
    expect(kernel.sysctl('net.ipv6.conf.eth0.hop_limit')).toBe(32);
    set('accept_ra_min_hop_limit', 65);
    receive(rd, { ...advertisement(), currentHopLimit: 64 }, 8);
    expect(kernel.sysctl('net.ipv6.conf.eth0.hop_limit')).toBe(32);
  });

  test('on-link only and autonomous only prefixes, a non-/64 autonomous prefix, autoconf 0, and bad RAs', () => {
    const { sh, rd, kernel, drops } = host();
    receive(rd, advertisement({ lifetime: 0, prefixes: [prefix('2001:db8:a::', 600, 600, { autonomous: false }), prefix('2001:db8:b::', 600, 600, { onLink: false })] }), 1);
    expect(sh('ip -6 route show root 2001:db8::/32', 1)).toBe('2001:db8:a::/64 dev eth0 proto kernel metric 256 expires 600sec pref medium\n');
    expect(sh('ip -6 addr show dev eth0 scope global', 1)).toContain('inet6 2001:db8:b::ff:fe00:1/64 scope global tentative dynamic mngtmpaddr');
    expect(sh('ip -6 addr show dev eth0 scope global', 1)).not.toContain('2001:db8:a::');
    receive(rd, advertisement({ lifetime: 0, prefixes: [{ ...prefix('2001:db8:c::', 600, 600), prefixLength: 48 } as NdpOption] }), 2);
    expect(sh('ip -6 addr show dev eth0 scope global', 2)).not.toContain('2001:db8:c:');
    kernel.sysctls.set('net.ipv6.conf.eth0.autoconf', 0);
    receive(rd, advertisement({ lifetime: 0, prefixes: [prefix('2001:db8:d::', 600, 600)] }), 3);
    expect(sh('ip -6 addr show dev eth0 scope global', 3)).not.toContain('2001:db8:d:');
    receive(rd, advertisement({ prefixes: [prefix('2001:db8:e::', 600, 900)] }), 4);
    receive(rd, advertisement(), 5, parseIpv6Number('2001:db8::1')!);
    rd.processRouterAdvertisement({ dev: 'eth0', source: ROUTER, hopLimit: 64, code: 0, message: advertisement() }, 6 * S);
    expect(drops).toEqual(['addrconf: prefix option has invalid lifetime', 'RA: source address is not link-local', 'NDISC: invalid hop-limit: 64']);
  });
});

/** Lifetimes counted in seconds depend on when they are read; the rest of a line must match. */
function withoutSeconds(text: string): string {
  return text.replace(/\d+sec/g, 'Nsec');
}

const linux = needs({ netns: true, tools: ['radvd', 'tcpdump'] });

describe('router discovery against Linux', () => {
  linux.it('the RA radvd sends, replayed on the model, gives the routes and addresses Linux shows for it', () => {
    const lab = new NamespaceLab('nlrd');
    const dir = mkdtempSync(join(tmpdir(), 'netloom-radvd-'));
    try {
      lab.addNode('r', { ipv6: true });
      lab.addNode('h', { ipv6: true });
      lab.link('r:eth0', 'h:eth0', { macA: '02:00:00:00:00:fe', macB: '02:00:00:00:00:01' });
      lab.sh('r', 'sysctl -qw net.ipv6.conf.all.forwarding=1');
      writeFileSync(
        join(dir, 'radvd.conf'),
        'interface eth0 {\n  AdvSendAdvert on;\n  MinRtrAdvInterval 3;\n  MaxRtrAdvInterval 4;\n  AdvLinkMTU 1400;\n  AdvDefaultPreference high;\n' +
          '  prefix 2001:db8:1::/64 { AdvValidLifetime 86400; AdvPreferredLifetime 14400; };\n' +
          '  prefix 2001:db8:2::/64 { AdvValidLifetime 7200; AdvPreferredLifetime 3600; };\n};\n',
      );
      // One RA as the host receives it, captured while radvd runs; bounded waits (a count, never a verdict).
      lab.sh('h', `timeout 120 tcpdump -i eth0 -c 1 -U -w ${dir}/ra.pcap 'icmp6 and ip6[40] == 134' >/dev/null 2>&1 &`);
      lab.sh('h', 'for i in $(seq 1 100); do ip -6 addr show dev eth0 scope link | grep -q tentative || break; sleep 0.1; done');
      lab.sh('r', `for i in $(seq 1 100); do ip -6 addr show dev eth0 scope link | grep -q tentative || break; sleep 0.1; done; radvd -C ${dir}/radvd.conf -p ${dir}/radvd.pid -u root -m logfile -l ${dir}/radvd.log`);
      lab.sh('h', 'for i in $(seq 1 300); do ip -6 route show default | grep -q . && ip -6 addr show dev eth0 scope global | grep -q 2001 && ! ip -6 addr show dev eth0 | grep -q tentative && break; sleep 0.1; done');
      lab.sh('h', `for i in $(seq 1 300); do [ "$(stat -c %s ${dir}/ra.pcap 2>/dev/null || echo 0)" -gt 40 ] && break; sleep 0.1; done`);
      const linuxRoutes = lab.sh('h', 'ip -6 route');
      const linuxAddresses = lab.sh('h', 'ip -6 addr show dev eth0 scope global').split('\n').slice(1).join('\n');
      const linuxConf = lab.sh('h', 'sysctl -n net.ipv6.conf.eth0.mtu net.ipv6.conf.eth0.hop_limit');
      lab.run('r', `kill $(cat ${dir}/radvd.pid)`);
      const pcap = readFileSync(join(dir, 'ra.pcap'));
      const frame = new Uint8Array(pcap.subarray(40, 40 + pcap.readUInt32LE(32)));
      const ip = parseIpv6Packet(frame.subarray(14));
      if (isWireError(ip)) throw new Error(ip.error);
      const message = parseIcmpv6(ip.payload, { source: ip.source, destination: ip.destination });
      if (isWireError(message) || message.kind !== 'routerAdvertisement') throw new Error('not an RA');

      const { rd, sh } = host();
      rd.processRouterAdvertisement({ dev: 'eth0', source: parseIpv6Number('fe80::ff:fe00:fe')!, hopLimit: ip.hopLimit, code: 0, message }, 10 * S);
      expect(withoutSeconds(sh('ip -6 route', 12))).toBe(withoutSeconds(linuxRoutes));
      expect(withoutSeconds(sh('ip -6 addr show dev eth0 scope global', 12)).split('\n').slice(1).join('\n')).toBe(withoutSeconds(linuxAddresses));
      expect(`${sh('sysctl -n net.ipv6.conf.eth0.mtu', 12)}${sh('sysctl -n net.ipv6.conf.eth0.hop_limit', 12)}`).toBe(linuxConf);
    } finally {
      lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
    // Synchronous (radvd, tcpdump and the namespaces through spawnSync; its waits are bounded
    // polls), so no timeout, as stack's other kernel comparisons (docs/testing.md): a timer cannot
    // interrupt it and could only judge speed. The same work at every NETLOOM_TEST_SCALE; 4 s here.
  }, { timeout: 0 });
});
