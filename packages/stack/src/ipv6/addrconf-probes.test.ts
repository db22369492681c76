/**
 * addrconf's probes on real nodes (testing/lab.ts, 1 ms links): DAD's neighbour solicitations and a
 * host's router solicitations as Linux 6.18 sends them (seen in namespaces: an address added to an up
 * device is probed from :: to its solicited-node group with RFC 7527's nonce 0–1 s later and usable
 * 1 s after the probe; the first RS leaves from the link-local address as soon as that is usable, the
 * next 3.6–4.4 s later, then each wait doubled; an NA or another node's probe for a tentative address
 * makes it `dadfailed tentative` and logs "IPv6: eth0: IPv6 duplicate address … used by MAC detected!").
 */
import { formatIpv6, parseIpv6Number, type NdpRepr } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { Lab, MS, SECOND } from '../testing/lab.js';
import type { CapturedFrame } from '../testing/lab.js';

/** An NDP frame as `type source > destination target [options]`: ICMPv6 type, the addresses, the NS target. */
function describeNdp(f: CapturedFrame): string {
  const at = 14;
  const type = f.frame[at + 40] ?? 0;
  const source = formatIpv6(f.frame.subarray(at + 8, at + 24));
  const destination = formatIpv6(f.frame.subarray(at + 24, at + 40));
  const hopLimit = f.frame[at + 7];
  const target = type === 135 || type === 136 ? ` ${formatIpv6(f.frame.subarray(at + 48, at + 64))}` : '';
  // Options after the fixed part (NS/NA 24 bytes, RS 8): their types.
  const fixed = type === 133 ? 8 : 24;
  const options: number[] = [];
  for (let o = at + 40 + fixed; o + 1 < f.frame.length; o += (f.frame[o + 1] ?? 1) * 8) options.push(f.frame[o] ?? 0);
  return `${type} ${source} > ${destination}${target} hlim ${hopLimit} opts [${options.join(',')}]`;
}

function ndpSent(lab: Lab, node: string, since = 0): string[] {
  return lab.sent(node, 'eth0', since).filter((f) => f.frame[12] === 0x86 && f.frame[13] === 0xdd && f.frame[14 + 6] === 58).map(describeNdp);
}

function labWith(probing: readonly string[], others: readonly string[] = []): Lab {
  const lab = new Lab();
  for (const name of probing) lab.addNode(name, { ndiscProbes: true });
  for (const name of others) lab.addNode(name);
  lab.link(...[...probing, ...others].map((n) => `${n}:eth0`));
  return lab;
}

describe('DAD probes', () => {
  test('a device coming up probes its link-local address from :: with a nonce within rtr_solicit_delay, and the address is usable one retrans_time after the probe', () => {
    const lab = labWith(['h1'], ['h2']);
    lab.run(3 * SECOND);
    const probe = lab.sent('h1', 'eth0')[0]!;
    expect(probe.at).toBeLessThan(1 * SECOND);
    expect(probe.at % (4 * MS)).toBe(0);
    // 14 = RFC 7527's nonce; no source link-layer option from ::.
    expect(describeNdp(probe)).toBe('135 :: > ff02::1:ff00:101 fe80::ff:fe00:101 hlim 255 opts [14]');
    const lab2 = labWith(['h1'], ['h2']);
    lab2.run(probe.at + SECOND - 1);
    expect(lab2.exec('h1', 'ip -6 addr show dev eth0').stdout).toContain('scope link tentative');
    lab2.run(1);
    expect(lab2.exec('h1', 'ip -6 addr show dev eth0').stdout).not.toContain('tentative');
  });

  test('dad_transmits probes go retrans_time apart, without the nonce when enhanced_dad is off; a node without ndiscProbes sends none', () => {
    const lab = labWith(['h1'], ['h2']);
    lab.run(3 * SECOND);
    // The nonce goes only when neither all nor the device has enhanced_dad.
    expect(lab.exec('h1', 'sysctl -w net.ipv6.conf.eth0.dad_transmits=3 net.ipv6.conf.all.enhanced_dad=0 net.ipv6.conf.eth0.enhanced_dad=0 net.ipv6.neigh.eth0.retrans_time_ms=500').status).toBe(0);
    const since = lab.now;
    lab.exec('h1', 'ip -6 addr add 2001:db8::1/64 dev eth0');
    lab.run(4 * SECOND);
    const probes = lab.sent('h1', 'eth0', since).filter((f) => f.frame[14 + 40] === 135);
    expect(probes.map(describeNdp)).toEqual(Array(3).fill('135 :: > ff02::1:ff00:1 2001:db8::1 hlim 255 opts []'));
    expect(probes[1]!.at - probes[0]!.at).toBe(500 * MS);
    expect(probes[2]!.at - probes[1]!.at).toBe(500 * MS);
    expect(ndpSent(lab, 'h2')).toEqual([]);
  });

  test('an NA for a tentative address makes it dadfailed tentative, never usable, and the kernel logs the duplicate with its MAC', () => {
    const lab = labWith(['h1'], ['h2']);
    lab.exec('h2', 'ip -6 addr add 2001:db8::1/64 dev eth0 nodad');
    lab.run(3 * SECOND);
    lab.exec('h1', 'ip -6 addr add 2001:db8::1/64 dev eth0');
    lab.run(3 * SECOND);
    expect(ndpSent(lab, 'h2', 3 * SECOND)).toEqual(['136 2001:db8::1 > ff02::1 2001:db8::1 hlim 255 opts [2]']);
    expect(lab.exec('h1', 'ip -6 addr show dev eth0 scope global').stdout).toBe(
      '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n    inet6 2001:db8::1/64 scope global dadfailed tentative \n       valid_lft forever preferred_lft forever\n',
    );
    expect(lab.exec('h1', 'dmesg').stdout).toMatch(/^\[ {4}3\.\d{6}\] IPv6: eth0: IPv6 duplicate address 2001:db8::1 used by 02:00:00:00:02:01 detected!\n$/);
    expect(lab.exec('h1', 'ip -6 route show table local').stdout).not.toContain('2001:db8::1');
  });

  test('of two nodes probing for the same address at once, the one that would probe later sees the other probe and fails; the other keeps it', () => {
    const lab = labWith(['h1', 'h2']);
    lab.run(3 * SECOND);
    lab.exec('h1', 'ip -6 addr add 2001:db8::5/64 dev eth0');
    lab.exec('h2', 'ip -6 addr add 2001:db8::5/64 dev eth0');
    lab.run(3 * SECOND);
    const probes = lab.transmitted.filter((f) => f.at >= 3 * SECOND && f.frame[14 + 40] === 135);
    // Only the first probe goes out: the other node failed DAD on it before its own delay ended.
    expect(probes.map((f) => `${f.node} ${describeNdp(f)}`)).toEqual([expect.stringMatching(/^h[12] 135 :: > ff02::1:ff00:5 2001:db8::5 hlim 255 opts \[14\]$/)]);
    const first = probes[0]!.node;
    const later = first === 'h1' ? 'h2' : 'h1';
    expect(lab.exec(first, 'ip -6 addr show dev eth0 scope global').stdout).toContain('inet6 2001:db8::5/64 scope global \n');
    expect(lab.exec(later, 'ip -6 addr show dev eth0 scope global').stdout).toContain('inet6 2001:db8::5/64 scope global dadfailed tentative \n');
    expect(lab.exec(later, 'dmesg').stdout).toContain(`IPv6: eth0: IPv6 duplicate address 2001:db8::5 used by 02:00:00:00:0${first === 'h1' ? 1 : 2}:01 detected!`);
    expect(lab.exec(first, 'dmesg').stdout).toBe('');
  });

  test('dmesg refuses options as util-linux does', () => {
    const lab = labWith(['h1']);
    expect(lab.exec('h1', 'dmesg -q')).toMatchObject({ status: 1, stderr: "dmesg: invalid option -- 'q'\nTry 'dmesg --help' for more information.\n" });
    expect(lab.exec('h1', 'dmesg --foo')).toMatchObject({ status: 1, stderr: "dmesg: unrecognized option '--foo'\nTry 'dmesg --help' for more information.\n" });
  });
});

describe('router solicitations', () => {
  test('the first leaves when the link-local address is usable, the next 3.6-4.4 s later, then each wait about doubles', () => {
    const lab = labWith(['h1'], ['h2']);
    lab.run(40 * SECOND);
    const frames = lab.sent('h1', 'eth0');
    const probe = frames[0]!;
    const solicitations = frames.filter((f) => f.frame[14 + 40] === 133);
    expect(solicitations.map(describeNdp)[0]).toBe('133 fe80::ff:fe00:101 > ff02::2 hlim 255 opts [1]');
    expect(solicitations[0]!.at).toBe(probe.at + SECOND);
    const waits = solicitations.slice(1).map((f, i) => f.at - solicitations[i]!.at);
    expect(waits.length).toBe(3);
    expect(waits[0]).toBeGreaterThanOrEqual(3.6 * SECOND);
    expect(waits[0]).toBeLessThanOrEqual(4.4 * SECOND);
    for (let i = 1; i < waits.length; i++) {
      expect(waits[i]! / waits[i - 1]!).toBeGreaterThanOrEqual(1.9 - 0.01);
      expect(waits[i]! / waits[i - 1]!).toBeLessThanOrEqual(2.1 + 0.01);
    }
  });

  test('router_solicitations limits them, an RA stops them, and a forwarding device sends none', () => {
    const limited = labWith(['h1'], ['h2']);
    limited.exec('h1', 'sysctl -w net.ipv6.conf.eth0.router_solicitations=2');
    limited.run(60 * SECOND);
    expect(limited.sent('h1', 'eth0').filter((f) => f.frame[14 + 40] === 133).length).toBe(2);

    const answered = labWith(['h1'], ['h2']);
    answered.run(2 * SECOND);
    const router = answered.node('h2');
    const source = parseIpv6Number('fe80::ff:fe00:201')!;
    const ra: NdpRepr = { kind: 'routerAdvertisement', currentHopLimit: 64, managed: false, otherConfiguration: false, homeAgent: false, preference: 'medium', proxy: false, routerLifetime: 0, reachableTime: 0, retransmitTimer: 0, options: [] };
    router.parts.ipv6.sendNdisc('eth0', source, parseIpv6Number('ff02::1')!, 255, ra, answered.now);
    answered.run(60 * SECOND);
    expect(answered.sent('h1', 'eth0').filter((f) => f.frame[14 + 40] === 133).length).toBe(1);

    const forwarding = labWith(['h1'], ['h2']);
    forwarding.exec('h1', 'sysctl -w net.ipv6.conf.all.forwarding=1');
    forwarding.run(10 * SECOND);
    expect(forwarding.sent('h1', 'eth0').filter((f) => f.frame[14 + 40] === 133)).toEqual([]);
  });
});
