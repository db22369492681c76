/**
 * Temporary addresses (RFC 8981, use_tempaddr): the computations of temporary-addresses.ts, a host
 * kernel taking an RA with use_tempaddr 2 (the addresses, their flags, lifetimes counting down on the
 * virtual clock, regeneration REGEN_ADVANCE before the preferred lifetime ends, source selection,
 * DAD failures, deletion with the public address), and the `ip -6 addr` text beside Linux's in a
 * namespace (root and iproute2; skips saying so, fails under CI=true). Interface identifiers are
 * random on both sides and the namespace's lifetimes count down with the wall clock, so the
 * comparison masks both.
 */
import { ipv6ToBytes, parseIpv6Number, formatIpv6Number, type NdpOption } from '@netloom/wire';
import { NamespaceLab } from '@netloom/wire/testing/namespace-lab';
import { needs } from '@netloom/wire/testing/test-environment';
import { describe, expect, test } from 'vitest';
import { makeKernel, run } from '../testing/kernel-shell.js';
import { Shell } from '../shell/shell.js';
import { RouterDiscovery, type RouterAdvertisement } from '../ipv6/router-discovery.js';
import { Prng } from '../timers.js';
import { isReservedInterfaceId, randomTemporaryAddress, regenAdvance, temporaryLifetimes, type TempaddrConf } from './temporary-addresses.js';

const S = 1_000_000_000;
const ROUTER = parseIpv6Number('fe80::ff:fe00:fe')!;
const PUBLIC = '2001:db8:1::ff:fe00:1';
const TEMPORARY = /2001:db8:1:0:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}/g;

const DEFAULTS: TempaddrConf = { tempValidLft: 604800, tempPreferedLft: 86400, maxDesyncFactor: 600, regenMaxRetry: 3, regenMinAdvance: 2, dadTransmits: 1, retransTimeMs: 1000 };

function advertisement(valid: number, preferred: number): RouterAdvertisement {
  const pio: NdpOption = { kind: 'prefixInformation', prefixLength: 64, onLink: true, autonomous: true, routerAddress: false, validLifetime: valid, preferredLifetime: preferred, prefix: ipv6ToBytes(parseIpv6Number('2001:db8:1::')!) };
  return {
    kind: 'routerAdvertisement',
    currentHopLimit: 64,
    managed: false,
    otherConfiguration: false,
    homeAgent: false,
    preference: 'medium',
    proxy: false,
    routerLifetime: 1800,
    reachableTime: 0,
    retransmitTimer: 0,
    options: [pio, { kind: 'sourceLinkLayerAddress', address: new Uint8Array([2, 0, 0, 0, 0, 0xfe]) }],
  };
}

/** A host (eth0, MAC 02:00:00:00:00:01) with router discovery, its settings written first. */
function host(settings: string[], seed = 7): { kernel: ReturnType<typeof makeKernel>; sh: (line: string, at: number) => string; ra: (valid: number, preferred: number, at: number) => void } {
  const kernel = makeKernel({ random: new Prng(seed) });
  const shell = new Shell(kernel);
  const rd = new RouterDiscovery(kernel, { routerAdvertised: () => undefined, drop: () => undefined });
  const sh = (line: string, at: number): string => {
    const result = run(shell, line, at * S);
    expect(result.stderr).toBe('');
    return result.stdout;
  };
  for (const setting of settings) sh(`sysctl -qw ${setting}`, 0);
  return { kernel, sh, ra: (valid, preferred, at) => rd.processRouterAdvertisement({ dev: 'eth0', source: ROUTER, hopLimit: 255, code: 0, message: advertisement(valid, preferred) }, at * S) };
}

/** `ip -6 addr show dev eth0 scope global` without the link line, temporaries' addresses named T1, T2… in order of first appearance. */
function globalAddresses(sh: (line: string, at: number) => string, at: number, names: Map<string, string>): string {
  const text = sh('ip -6 addr show dev eth0 scope global', at).split('\n').slice(1).join('\n');
  return text.replace(TEMPORARY, (address) => {
    if (!names.has(address)) names.set(address, `T${names.size + 1}`);
    return names.get(address)!;
  });
}

describe('temporary address computations', () => {
  test('REGEN_ADVANCE is regen_min_advance + regen_max_retry x dad_transmits x retrans_time: 5 s by default', () => {
    expect(regenAdvance(DEFAULTS)).toBe(5);
    expect(regenAdvance({ ...DEFAULTS, dadTransmits: 3, retransTimeMs: 2000 })).toBe(2 + 18);
    // retrans_time under HZ/100 counts as HZ/100 (2 jiffies).
    expect(regenAdvance({ ...DEFAULTS, retransTimeMs: 1 })).toBe(2);
  });

  test('reserved interface identifiers are drawn again (RFC 5453); the prefix is kept', () => {
    expect(isReservedInterfaceId(0n)).toBe(true);
    expect(isReservedInterfaceId(0x02005efffe005213n)).toBe(true);
    expect(isReservedInterfaceId(0x02005efffeffffffn)).toBe(true);
    expect(isReservedInterfaceId(0xfdffffffffffff80n)).toBe(true);
    expect(isReservedInterfaceId(0xfdffffffffffff7fn)).toBe(false);
    expect(isReservedInterfaceId(0x02005efffd000000n)).toBe(false);
    // A source whose first draws are reserved: 0:0, then 0x02005eff:0xfe000001, then a good one.
    const draws = [0, 0, 0x02005eff, 0xfe000001, 0x12345678, 0x9abcdef0];
    const address = randomTemporaryAddress(parseIpv6Number('2001:db8:1::ff:fe00:1')!, { nextUint32: () => draws.shift()! });
    expect(formatIpv6Number(address)).toBe('2001:db8:1:0:1234:5678:9abc:def0');
  });

  test("a temporary's lifetimes: the public's at most, temp_valid_lft and temp_prefered_lft - desync from the public's timestamp, none when REGEN_ADVANCE leaves nothing", () => {
    const forever = 0xffffffff;
    expect(temporaryLifetimes({ validLft: forever, preferredLft: forever }, 2, 69, DEFAULTS)).toEqual({ validLft: 604802, preferredLft: 86333 });
    expect(temporaryLifetimes({ validLft: 3600, preferredLft: 1800 }, 0, 69, DEFAULTS)).toEqual({ validLft: 3600, preferredLft: 1800 });
    // Preferred at or under REGEN_ADVANCE + age is raised to REGEN_ADVANCE + age + 1 when the public allows it…
    expect(temporaryLifetimes({ validLft: 3600, preferredLft: 1800 }, 0, 0, { ...DEFAULTS, tempPreferedLft: 3 })).toEqual({ validLft: 3600, preferredLft: 6 });
    // …and there is no temporary when it does not.
    expect(temporaryLifetimes({ validLft: 3600, preferredLft: 5 }, 0, 0, DEFAULTS)).toBeNull();
  });
});

describe('temporary addresses on a host (use_tempaddr 2)', () => {
  test('an RA gives the SLAAC address and a temporary one with a random interface identifier; both pass DAD and count down', () => {
    const { sh, ra } = host(['net.ipv6.conf.eth0.use_tempaddr=2', 'net.ipv6.conf.eth0.max_desync_factor=0']);
    ra(86400, 14400, 10);
    const names = new Map<string, string>();
    expect(globalAddresses(sh, 10.5, names)).toBe(
      '    inet6 T1/64 scope global temporary tentative dynamic \n       valid_lft 86400sec preferred_lft 14400sec\n' +
        `    inet6 ${PUBLIC}/64 scope global tentative dynamic mngtmpaddr \n       valid_lft 86400sec preferred_lft 14400sec\n`,
    );
    expect(globalAddresses(sh, 70, names)).toBe(
      '    inet6 T1/64 scope global temporary dynamic \n       valid_lft 86340sec preferred_lft 14340sec\n' +
        `    inet6 ${PUBLIC}/64 scope global dynamic mngtmpaddr \n       valid_lft 86340sec preferred_lft 14340sec\n`,
    );
    // The same seed gives the same address; another seed another.
    const again = host(['net.ipv6.conf.eth0.use_tempaddr=2']);
    again.ra(86400, 14400, 10);
    const other = host(['net.ipv6.conf.eth0.use_tempaddr=2'], 8);
    other.ra(86400, 14400, 10);
    const temporaryOf = (s: (line: string, at: number) => string): string => (s('ip -6 addr show dev eth0 scope global', 20).match(TEMPORARY) ?? []).join();
    expect(temporaryOf(again.sh)).toBe([...names.keys()].join());
    expect(temporaryOf(other.sh)).not.toBe(temporaryOf(again.sh));
  });

  test('use_tempaddr 0 (the default) makes none; 1 makes one but source selection keeps the public address; 2 prefers it', () => {
    const off = host([]);
    off.ra(86400, 14400, 10);
    expect(off.sh('ip -6 addr show dev eth0 scope global', 20)).not.toContain('temporary');
    const dst = parseIpv6Number('2001:db8:99::1')!;
    for (const [mode, wantTemporary] of [[1, false], [2, true]] as const) {
      const { kernel, sh, ra } = host([`net.ipv6.conf.eth0.use_tempaddr=${mode}`]);
      ra(86400, 14400, 10);
      const temporary = sh('ip -6 addr show dev eth0 scope global', 20).match(TEMPORARY)![0]!;
      const source = formatIpv6Number(kernel.selectSource6(dst, 20 * S)!.address);
      expect(source).toBe(wantTemporary ? temporary : PUBLIC);
      expect(sh('ip -6 route get 2001:db8:99::1', 20)).toContain(`src ${source} `);
      // IPV6_PREFER_SRC_PUBLIC / _TMP override the device's setting.
      expect(formatIpv6Number(kernel.selectSource6(dst, 20 * S, undefined, { temporary: !wantTemporary })!.address)).toBe(wantTemporary ? PUBLIC : temporary);
    }
  });

  test('REGEN_ADVANCE before its preferred lifetime ends a new temporary is made; the old one is deprecated, then expires', () => {
    const { kernel, sh, ra } = host(['net.ipv6.conf.eth0.use_tempaddr=2', 'net.ipv6.conf.eth0.temp_prefered_lft=600', 'net.ipv6.conf.eth0.temp_valid_lft=1800', 'net.ipv6.conf.eth0.max_desync_factor=0']);
    ra(86400, 14400, 10);
    const names = new Map<string, string>();
    expect(globalAddresses(sh, 12, names)).toBe(
      '    inet6 T1/64 scope global temporary dynamic \n       valid_lft 1798sec preferred_lft 598sec\n' +
        `    inet6 ${PUBLIC}/64 scope global dynamic mngtmpaddr \n       valid_lft 86398sec preferred_lft 14398sec\n`,
    );
    // 600 - 5 s after the public address's timestamp (10 s).
    expect(globalAddresses(sh, 604.9, names)).not.toContain('T2');
    expect(globalAddresses(sh, 605, names)).toBe(
      '    inet6 T2/64 scope global temporary tentative dynamic \n       valid_lft 1800sec preferred_lft 600sec\n' +
        '    inet6 T1/64 scope global temporary dynamic \n       valid_lft 1205sec preferred_lft 5sec\n' +
        `    inet6 ${PUBLIC}/64 scope global dynamic mngtmpaddr \n       valid_lft 85805sec preferred_lft 13805sec\n`,
    );
    expect(globalAddresses(sh, 610, names)).toBe(
      '    inet6 T2/64 scope global temporary dynamic \n       valid_lft 1795sec preferred_lft 595sec\n' +
        '    inet6 T1/64 scope global temporary deprecated dynamic \n       valid_lft 1200sec preferred_lft 0sec\n' +
        `    inet6 ${PUBLIC}/64 scope global dynamic mngtmpaddr \n       valid_lft 85800sec preferred_lft 13800sec\n`,
    );
    const dst = parseIpv6Number('2001:db8:99::1')!;
    expect(names.get(formatIpv6Number(kernel.selectSource6(dst, 610 * S)!.address))).toBe('T2');
    // A new one every 600 - 5 s (at 1200 s and at 1795 s, newest first: named T3 and T4 as listed); T1 expires at 10 + 1800 s.
    expect(globalAddresses(sh, 1810, names)).toBe(
      '    inet6 T3/64 scope global temporary dynamic \n       valid_lft 1785sec preferred_lft 585sec\n' +
        '    inet6 T4/64 scope global temporary deprecated dynamic \n       valid_lft 1190sec preferred_lft 0sec\n' +
        '    inet6 T2/64 scope global temporary deprecated dynamic \n       valid_lft 595sec preferred_lft 0sec\n' +
        `    inet6 ${PUBLIC}/64 scope global dynamic mngtmpaddr \n       valid_lft 84600sec preferred_lft 12600sec\n`,
    );
    expect([...names.values()]).toEqual(['T1', 'T2', 'T3', 'T4']);
  });

  test('regeneration every temp_prefered_lft - REGEN_ADVANCE seconds, as Linux 6.18 showed with temp_prefered_lft 12, temp_valid_lft 30', () => {
    // Recorded in a namespace 20 s after `ip -6 addr add 2001:db8:7::1/64 dev v0 mngtmpaddr` with
    // use_tempaddr 2, temp_prefered_lft 12, temp_valid_lft 30, max_desync_factor 0 (IIDs renamed).
    const linux =
      '    inet6 T1/64 scope global temporary dynamic \n       valid_lft 24sec preferred_lft 6sec\n' +
      '    inet6 T2/64 scope global temporary deprecated dynamic \n       valid_lft 17sec preferred_lft 0sec\n' +
      '    inet6 T3/64 scope global temporary deprecated dynamic \n       valid_lft 10sec preferred_lft 0sec\n' +
      '    inet6 2001:db8:7::1/64 scope global mngtmpaddr \n       valid_lft forever preferred_lft forever\n';
    const { sh } = host(['net.ipv6.conf.eth0.use_tempaddr=2', 'net.ipv6.conf.eth0.temp_prefered_lft=12', 'net.ipv6.conf.eth0.temp_valid_lft=30', 'net.ipv6.conf.eth0.max_desync_factor=0']);
    sh('ip -6 addr add 2001:db8:7::1/64 dev eth0 mngtmpaddr', 10);
    const names = new Map<string, string>();
    const shown = sh('ip -6 addr show dev eth0 scope global', 30).split('\n').slice(1).join('\n');
    expect(shown.replace(/2001:db8:7:0:[0-9a-f:]+(?=\/)/g, (address) => names.get(address) ?? names.set(address, `T${names.size + 1}`).get(address)!)).toBe(linux);
  });

  test('each RA clamps the temporaries to what they may still have and renews them with the public address', () => {
    const { sh, ra } = host(['net.ipv6.conf.eth0.use_tempaddr=2', 'net.ipv6.conf.eth0.temp_prefered_lft=600', 'net.ipv6.conf.eth0.temp_valid_lft=1800', 'net.ipv6.conf.eth0.max_desync_factor=0']);
    ra(86400, 14400, 10);
    ra(86400, 300, 100);
    const names = new Map<string, string>();
    expect(globalAddresses(sh, 100, names)).toBe(
      '    inet6 T1/64 scope global temporary dynamic \n       valid_lft 1710sec preferred_lft 300sec\n' +
        `    inet6 ${PUBLIC}/64 scope global dynamic mngtmpaddr \n       valid_lft 86400sec preferred_lft 300sec\n`,
    );
  });

  test('deleting the public address deletes its temporaries; a static mngtmpaddr address gets one too', () => {
    const { sh, ra } = host(['net.ipv6.conf.eth0.use_tempaddr=2']);
    ra(86400, 14400, 10);
    expect(sh('ip -6 addr show dev eth0 scope global', 20)).toContain('temporary');
    sh(`ip -6 addr del ${PUBLIC}/64 dev eth0`, 30);
    expect(sh('ip -6 addr show dev eth0 scope global', 30)).toBe('');
    sh('ip -6 addr add 2001:db8:7::1/64 dev eth0 mngtmpaddr', 40);
    const shown = sh('ip -6 addr show dev eth0 scope global', 45);
    expect(shown).toMatch(/inet6 2001:db8:7:0:[0-9a-f:]+\/64 scope global temporary dynamic \n {7}valid_lft 604795sec preferred_lft \d+sec\n/);
    sh('ip -6 addr change 2001:db8:7::1/64 dev eth0', 50);
    expect(sh('ip -6 addr show dev eth0 scope global', 50)).not.toContain('temporary');
  });

  test('a temporary that fails DAD is replaced; past regen_max_retry the device stops making them (use_tempaddr -1)', () => {
    const { kernel, sh, ra } = host(['net.ipv6.conf.eth0.use_tempaddr=2']);
    ra(86400, 14400, 10);
    const seen: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const temporary = sh('ip -6 addr show dev eth0 scope global', 10.5).match(TEMPORARY) ?? [];
      expect(temporary).toHaveLength(1);
      seen.push(temporary[0]!);
      kernel.ipv6DadFailed('eth0', parseIpv6Number(temporary[0]!)!, 10.5 * S);
    }
    expect(new Set(seen).size).toBe(3);
    expect(sh('ip -6 addr show dev eth0 scope global', 10.5)).not.toContain('temporary');
    expect(sh('sysctl net.ipv6.conf.eth0.use_tempaddr', 10.5)).toBe('net.ipv6.conf.eth0.use_tempaddr = -1\n');
    expect(kernel.log.format()).toContain('IPv6 duplicate address');
    expect(kernel.log.format()).toContain('] IPv6: ipv6_create_tempaddr: regeneration time exceeded - disabled temporary address support\n');
  });
});

const linux = needs({ netns: true, tools: ['bash'] });

describe('temporary addresses against Linux', () => {
  /** Temporaries' interface identifiers and remaining seconds masked. */
  const masked = (text: string): string => text.replace(/2001:db8:7:0:[0-9a-f:]+\//g, '2001:db8:7:0:IID/').replace(/\d+sec/g, 'Nsec');

  linux.it('ip -6 addr shows a mngtmpaddr address and its temporary as Linux 6.18 does, and both go with the public address', () => {
    const lab = new NamespaceLab('nltmp');
    const commands = ['ip -6 addr add 2001:db8:7::1/64 dev eth0 mngtmpaddr valid_lft 3600 preferred_lft 1800', 'ip -6 addr add 2001:db8:8::1/64 dev eth0 mngtmpaddr'];
    try {
      lab.addNode('h', { ipv6: true });
      lab.addNode('p', { ipv6: true });
      lab.link('h:eth0', 'p:eth0', { macA: '02:00:00:00:00:01', macB: '02:00:00:00:00:02' });
      lab.sh('h', 'sysctl -qw net.ipv6.conf.eth0.use_tempaddr=2');
      for (const line of commands) lab.sh('h', line);
      // Hang guard (a count of polls, not a verdict): until DAD is over.
      lab.sh('h', 'for i in $(seq 1 150); do ip -6 addr show dev eth0 | grep -q tentative || break; sleep 0.1; done');
      const linuxShown = lab.sh('h', 'ip -6 addr show dev eth0 scope global').split('\n').slice(1).join('\n');
      const linuxFiltered = ['temporary', '-temporary', '-mngtmpaddr', '-dynamic'].map((word) => lab.sh('h', `ip -6 addr show dev eth0 scope global ${word}`));
      lab.sh('h', 'ip -6 addr del 2001:db8:7::1/64 dev eth0');
      const linuxAfter = lab.sh('h', 'ip -6 addr show dev eth0 scope global').split('\n').slice(1).join('\n');

      const { sh } = host(['net.ipv6.conf.eth0.use_tempaddr=2']);
      for (const line of commands) sh(line, 10);
      const modelShown = sh('ip -6 addr show dev eth0 scope global', 13).split('\n').slice(1).join('\n');
      const modelFiltered = ['temporary', '-temporary', '-mngtmpaddr', '-dynamic'].map((word) => sh(`ip -6 addr show dev eth0 scope global ${word}`, 13));
      sh('ip -6 addr del 2001:db8:7::1/64 dev eth0', 13);
      const modelAfter = sh('ip -6 addr show dev eth0 scope global', 13).split('\n').slice(1).join('\n');
      const shape = (text: string): string => masked(text).replace(/2001:db8:8:0:[0-9a-f:]+\//g, '2001:db8:8:0:IID/');
      expect(shape(modelShown)).toBe(shape(linuxShown));
      // The link lines differ (veth@peer, ifindex): only the address lines are compared.
      const addressLines = (text: string): string => text.split('\n').filter((line) => line.startsWith(' ')).join('\n');
      expect(modelFiltered.map((text) => shape(addressLines(text)))).toEqual(linuxFiltered.map((text) => shape(addressLines(text))));
      expect(shape(modelAfter)).toBe(shape(linuxAfter));
      expect(modelShown).toContain('scope global temporary dynamic');
    } finally {
      lab.destroy();
    }
  }, 120_000);
});
