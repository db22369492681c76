/**
 * ndisc6 and rdisc6 on real nodes (testing/node-lab.ts), against what ndisc6 1.0.5 (Debian 12)
 * printed on Linux 6.18 in two namespaces: h (eth0, 02:00:00:00:00:02) and r (eth0,
 * 02:00:00:00:ab:fe, forwarding, 2001:db8:1::1/64) on a veth pair, r running radvd 2.19 with
 *
 *   interface eth0 { AdvSendAdvert on; MaxRtrAdvInterval 10; AdvDefaultPreference high;
 *     AdvLinkMTU 1400; prefix 2001:db8:1::/64 { }; prefix 2001:db8:2::/64 { AdvValidLifetime 7200;
 *     AdvPreferredLifetime 3600; }; };
 *
 * which r's `ra:` record mirrors here (as topologies/ipv6-slaac.yaml's block does). The texts
 * below are the recorded ones with the lab's addresses put in (r is fe80::ff:fe00:201 after its
 * MAC is set as in the namespace). Real timings: an answer in 5–9 ms, `ndisc6 -m` and each
 * `Timed out.` after the wait (1 s; 3.01 s for three), `rdisc6` after its 4 s wait with the
 * solicited RA and one unsolicited RA; here a link takes 1 ms each way.
 * The live test at the end runs the real tools in namespaces when it can.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { parseEthernet, parseIcmpv6, parseIpv6Packet, isWireError } from '@netloom/wire';
import type { RaInterfaceConfig } from '@netloom/wire/ra-config';
import { programs } from './index.js';
import { MS, NodeLab, SECOND } from './testing/node-lab.js';

const RADVD: RaInterfaceConfig = {
  ifname: 'eth0',
  minIntervalNs: 3.3 * SECOND,
  maxIntervalNs: 10 * SECOND,
  routerLifetime: 30,
  routerPreference: 'high',
  mtu: 1400,
  hopLimit: 64,
  managed: false,
  otherConfig: false,
  reachableTimeMs: 0,
  retransTimerMs: 0,
  prefixes: [
    { prefix: '2001:db8:1::', prefixLength: 64, onLink: true, autonomous: true, validLifetime: 86400, preferredLifetime: 14400 },
    { prefix: '2001:db8:2::', prefixLength: 64, onLink: true, autonomous: true, validLifetime: 7200, preferredLifetime: 3600 },
  ],
};

/** h — r with r advertising as radvd did; link-local addresses past DAD. */
function lan(): NodeLab {
  const lab = new NodeLab(programs);
  lab.addNode('h');
  lab.addNode('r', { forwarding: true, routerAdvertisements: [RADVD] });
  lab.link('h:eth0', 'r:eth0');
  lab.configure([
    ['r', 'ip link set eth0 address 02:00:00:00:ab:fe'],
    ['r', 'sysctl -qw net.ipv6.conf.all.forwarding=1'],
    ['r', 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad'],
  ]);
  lab.run(2 * SECOND);
  return lab;
}

function onH(line: string, lab = lan()) {
  const started = lab.now;
  const run = lab.exec('h', line, 60 * SECOND);
  return { ...run, took: lab.now - started, lab, started };
}

/** What h sent from `since`: ICMPv6 type, destination and hop limit of each packet. */
function sentIcmpv6(lab: NodeLab, since: number): { type: number; destination: string; hopLimit: number; source: string }[] {
  const out = [];
  for (const f of lab.sent('h', 'eth0')) {
    if (f.at < since) continue;
    const eth = parseEthernet(f.frame);
    if (isWireError(eth) || eth.ethertype !== 0x86dd) continue;
    const ip = parseIpv6Packet(eth.payload);
    if (isWireError(ip) || ip.nextHeader !== 58) continue;
    const icmp = parseIcmpv6(ip.payload, { source: ip.source, destination: ip.destination });
    if (isWireError(icmp)) throw new Error(`h sent a bad ICMPv6 message: ${icmp.error}`);
    out.push({ type: ip.payload[0]!, destination: formatAddress(ip.destination), hopLimit: ip.hopLimit, source: formatAddress(ip.source) });
  }
  return out;
}

function formatAddress(bytes: Uint8Array): string {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  const groups = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

const RA_TEXT = [
  '',
  'Hop limit                 :           64 (      0x40)',
  'Stateful address conf.    :           No',
  'Stateful other conf.      :           No',
  'Mobile home agent         :           No',
  'Router preference         :         high',
  'Neighbor discovery proxy  :           No',
  'Router lifetime           :           30 (0x0000001e) seconds',
  'Reachable time            :  unspecified (0x00000000)',
  'Retransmit time           :  unspecified (0x00000000)',
  ' Prefix                   : 2001:db8:1::/64',
  '  On-link                 :          Yes',
  '  Autonomous address conf.:          Yes',
  '  Valid time              :        86400 (0x00015180) seconds',
  '  Pref. time              :        14400 (0x00003840) seconds',
  ' Prefix                   : 2001:db8:2::/64',
  '  On-link                 :          Yes',
  '  Autonomous address conf.:          Yes',
  '  Valid time              :         7200 (0x00001c20) seconds',
  '  Pref. time              :         3600 (0x00000e10) seconds',
  ' MTU                      :         1400 bytes (valid)',
  ' Source link-layer address: 02:00:00:00:AB:FE',
  ' from fe80::ff:fe00:201',
  '',
].join('\n');

describe('ndisc6', () => {
  it('solicits the target and prints the link-layer address of its advertisement', () => {
    const r = onH('ndisc6 2001:db8:1::1 eth0');
    expect(r.stdout).toBe('Soliciting 2001:db8:1::1 (2001:db8:1::1) on eth0...\nTarget link-layer address: 02:00:00:00:AB:FE\n from 2001:db8:1::1\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.took).toBe(2 * MS);
    // One neighbour solicitation to the target's solicited-node group, hop limit 255, from h's link-local address.
    expect(sentIcmpv6(r.lab, r.started)).toEqual([{ type: 135, destination: 'ff02::1:ff00:1', hopLimit: 255, source: 'fe80::ff:fe00:101' }]);
  });

  it('a link-local target, -q, -1, -n, -v, -s with our address, and the %scope form', () => {
    expect(onH('ndisc6 fe80::ff:fe00:201 eth0').stdout).toBe('Soliciting fe80::ff:fe00:201 (fe80::ff:fe00:201) on eth0...\nTarget link-layer address: 02:00:00:00:AB:FE\n from fe80::ff:fe00:201\n');
    expect(onH('ndisc6 -q 2001:db8:1::1 eth0').stdout).toBe('02:00:00:00:AB:FE\n');
    const verbose = 'Soliciting 2001:db8:1::1 (2001:db8:1::1) on eth0...\nTarget link-layer address: 02:00:00:00:AB:FE\n from 2001:db8:1::1\n';
    for (const line of ['ndisc6 -1 2001:db8:1::1 eth0', 'ndisc6 -n 2001:db8:1::1 eth0', 'ndisc6 -vv 2001:db8:1::1 eth0']) expect(onH(line).stdout).toBe(verbose);
    expect(onH('ndisc6 fe80::ff:fe00:201%eth0 eth0').stdout).toBe('Soliciting fe80::ff:fe00:201%eth0 (fe80::ff:fe00:201) on eth0...\nTarget link-layer address: 02:00:00:00:AB:FE\n from fe80::ff:fe00:201\n');
    const lab = lan();
    lab.sh('h', 'ip -6 addr add 2001:db8:1::ff:fe00:2/64 dev eth0 nodad');
    const bound = onH('ndisc6 -s 2001:db8:1::ff:fe00:2 2001:db8:1::1 eth0', lab);
    expect(bound.stdout).toBe(verbose);
    expect(sentIcmpv6(lab, bound.started)[0]?.source).toBe('2001:db8:1::ff:fe00:2');
  });

  it('-m waits the whole wait and exits 0 with the answer', () => {
    const r = onH('ndisc6 -m 2001:db8:1::1 eth0');
    expect(r.stdout).toBe('Soliciting 2001:db8:1::1 (2001:db8:1::1) on eth0...\nTarget link-layer address: 02:00:00:00:AB:FE\n from 2001:db8:1::1\n');
    expect(r.status).toBe(0);
    expect(r.took).toBe(1 * SECOND);
  });

  it('times out once per attempt, then No response. with status 2', () => {
    const r = onH('ndisc6 2001:db8:1::77 eth0');
    expect(r.stdout).toBe('Soliciting 2001:db8:1::77 (2001:db8:1::77) on eth0...\nTimed out.\nTimed out.\nTimed out.\nNo response.\n');
    expect(r.status).toBe(2);
    expect(r.took).toBe(3 * SECOND);
    expect(sentIcmpv6(r.lab, r.started).map((p) => p.type)).toEqual([135, 135, 135]);
    const short = onH('ndisc6 -r 2 -w 300 2001:db8:1::77 eth0');
    expect(short.stdout).toBe('Soliciting 2001:db8:1::77 (2001:db8:1::77) on eth0...\nTimed out.\nTimed out.\nNo response.\n');
    expect(short.took).toBe(600 * MS);
    const quiet = onH('ndisc6 -q 2001:db8:1::77 eth0');
    expect([quiet.stdout, quiet.status]).toEqual(['', 2]);
    const hex = onH('ndisc6 -w 0x10 -r 1 2001:db8:1::77 eth0');
    expect([hex.stdout, hex.took]).toEqual(['Soliciting 2001:db8:1::77 (2001:db8:1::77) on eth0...\nTimed out.\nNo response.\n', 16 * MS]);
    const none = onH('ndisc6 -r 0 2001:db8:1::1 eth0');
    expect([none.stdout, none.status]).toEqual(['Soliciting 2001:db8:1::1 (2001:db8:1::1) on eth0...\nNo response.\n', 2]);
    expect(onH('ndisc6 --wait=100 --retry=1 2001:db8:1::77 eth0').stdout).toBe('Soliciting 2001:db8:1::77 (2001:db8:1::77) on eth0...\nTimed out.\nNo response.\n');
  });

  it('-d sends nothing and only listens', () => {
    const r = onH('ndisc6 -d -w 200 2001:db8:1::1 eth0');
    expect(r.stdout).toBe('Soliciting 2001:db8:1::1 (2001:db8:1::1) on eth0...\nTimed out.\nTimed out.\nTimed out.\nNo response.\n');
    expect(r.status).toBe(2);
    expect(sentIcmpv6(r.lab, r.started)).toEqual([]);
  });

  it('errors and usage as the tool prints them', () => {
    const cases: [string, string, string, number][] = [
      ['ndisc6 2001:db8:1::1 eth9', '', 'eth9: No such device\n', 1],
      ['ndisc6 -n zzz eth0', '', 'zzz: Name or service not known\n', 1],
      ['ndisc6 127.0.0.1 eth0', '', '127.0.0.1: Address family for hostname not supported\n', 1],
      ['ndisc6 -s 2001:db8:1::5 2001:db8:1::1 eth0', '', '2001:db8:1::5: Cannot assign requested address\n', 1],
      ['ndisc6 -s 2001:db8:1::5 2001:db8:1::1 eth9', '', 'eth9: No such device\n', 1],
      ['ndisc6 -s 2001:db8:1::5 yyy eth0', '', '2001:db8:1::5: Cannot assign requested address\n', 1],
      ['ndisc6 2001:db8:1::1', '', 'Try "ndisc6 -h" for more information.\n', 2],
      ['ndisc6', '', 'Try "ndisc6 -h" for more information.\n', 2],
      ['ndisc6 a b c', '', 'Try "ndisc6 -h" for more information.\n', 2],
      ['rdisc6 a b c', '', 'Try "rdisc6 -h" for more information.\n', 2],
      ['ndisc6 -w abc 2001:db8:1::1 eth0', '', 'Try "ndisc6 -h" for more information.\n', 2],
      ['ndisc6 -r abc 2001:db8:1::1 eth0', '', 'Try "ndisc6 -h" for more information.\n', 2],
      ['ndisc6 -w -1 -r 1 2001:db8:1::77 eth0', '', 'Try "ndisc6 -h" for more information.\n', 2],
      ['ndisc6 -x', '', "ndisc6: invalid option -- 'x'\nTry \"ndisc6 -h\" for more information.\n", 2],
      ['ndisc6 --bogus', '', "ndisc6: unrecognized option '--bogus'\nTry \"ndisc6 -h\" for more information.\n", 2],
      ['ndisc6 -w', '', "ndisc6: option requires an argument -- 'w'\nTry \"ndisc6 -h\" for more information.\n", 2],
      ['rdisc6 eth9', '', 'eth9: No such device\n', 1],
    ];
    const lab = lan();
    for (const [line, stdout, stderr, status] of cases) {
      const r = lab.exec('h', line, 10 * SECOND);
      expect([line, r.stdout, r.stderr, r.status]).toEqual([line, stdout, stderr, status]);
    }
  });

  it('a device that is down: Sending ICMPv6 packet: Network is unreachable, status 1', () => {
    const lab = lan();
    lab.sh('h', 'ip link set eth0 down');
    for (const [line, target] of [['ndisc6 -r 1 -w 100 2001:db8:1::1 eth0', '2001:db8:1::1'], ['rdisc6 -r 1 -w 100 eth0', 'ff02::2']] as const) {
      const r = onH(line, lab);
      expect([r.stdout, r.stderr, r.status]).toEqual([`Soliciting ${target} (${target}) on eth0...\n`, 'Sending ICMPv6 packet: Network is unreachable\n', 1]);
    }
  });

  it('no source yet (the link-local address still tentative): Cannot assign requested address, status 1', () => {
    // Real: a veth pair just set up, `rdisc6 -1 -r 1 -w 100 va` while `ip -6 addr` shows the link-local address tentative.
    const lab = new NodeLab(programs);
    lab.addNode('h', { ndiscProbes: true });
    lab.addNode('x');
    lab.link('h:eth0', 'x:eth0');
    const r = lab.exec('h', 'rdisc6 -1 -r 1 -w 100 eth0', 10 * SECOND);
    expect([r.stdout, r.stderr, r.status]).toEqual(['Soliciting ff02::2 (ff02::2) on eth0...\n', 'Sending ICMPv6 packet: Cannot assign requested address\n', 1]);
  });

  it('-h and -V print the texts of 1.0.5 and exit 0', () => {
    const help = onH('ndisc6 -h');
    expect(help.stdout).toBe(
      [
        'Usage: ndisc6 [options] <IPv6 address> <interface>',
        'Looks up an on-link IPv6 node link-layer address (Neighbor Discovery)',
        '',
        '  -1, --single     display first response and exit',
        "  -d, --no-solicit don't send any solicitation messages",
        '  -h, --help       display this help and exit',
        '  -m, --multiple   wait and display all responses',
        "  -n, --numeric    don't resolve host names",
        '  -q, --quiet      only print the link-layer address (mainly for scripts)',
        '  -r, --retry      maximum number of attempts (default: 3)',
        '  -s, --source     specify source IPv6 address',
        '  -V, --version    display program version and exit',
        '  -v, --verbose    verbose display (this is the default)',
        '  -w, --wait       how long to wait for a response [ms] (default: 1000)',
        '',
        '',
      ].join('\n'),
    );
    expect(help.status).toBe(0);
    const rhelp = onH('rdisc6 -h').stdout.split('\n');
    expect(rhelp.slice(0, 2)).toEqual(['Usage: rdisc6 [options] [IPv6 address] <interface>', 'Solicits on-link IPv6 routers (Router Discovery)']);
    expect(rhelp[8]).toBe('  -q, --quiet      only print the advertized prefixes (mainly for scripts)');
    // The real rdisc6 -h says 1000 too, though its wait is 4000 ms.
    expect(rhelp[13]).toBe('  -w, --wait       how long to wait for a response [ms] (default: 1000)');
    const version = 'ndisc6: IPv6 Neighbor/Router Discovery userland tool 1.0.5 ($Rev$)\nWritten by Remi Denis-Courmont\n\nCopyright (C) 2004-2007 Remi Denis-Courmont\nThis is free software; see the source for copying conditions.\nThere is NO warranty; not even for MERCHANTABILITY or\nFITNESS FOR A PARTICULAR PURPOSE.\n\n';
    expect(onH('ndisc6 -V').stdout).toBe(version);
    expect(onH('rdisc6 -V').stdout).toBe(version);
  });
});

describe('rdisc6', () => {
  it('-1 prints the first router advertisement field by field', () => {
    const r = onH('rdisc6 -1 eth0');
    expect(r.stdout).toBe(`Soliciting ff02::2 (ff02::2) on eth0...\n${RA_TEXT}`);
    expect(r.status).toBe(0);
    const sent = sentIcmpv6(r.lab, r.started);
    expect(sent[0]).toEqual({ type: 133, destination: 'ff02::2', hopLimit: 255, source: 'fe80::ff:fe00:101' });
  });

  it('without -1 waits its 4 s and prints every advertisement that came, the solicited and the periodic ones', () => {
    const r = onH('rdisc6 eth0');
    expect(r.took).toBe(4 * SECOND);
    expect(r.status).toBe(0);
    const adverts = r.stdout.split(RA_TEXT);
    expect(adverts[0]).toBe('Soliciting ff02::2 (ff02::2) on eth0...\n');
    expect(adverts.length).toBeGreaterThanOrEqual(2);
    expect(adverts.slice(1).every((rest) => rest === '')).toBe(true);
    // One solicitation: the first wait had answers.
    expect(sentIcmpv6(r.lab, r.started).filter((p) => p.type === 133)).toHaveLength(1);
  });

  it('-q prints only the prefixes; a unicast router address is solicited directly', () => {
    expect(onH('rdisc6 -1 -q eth0').stdout).toBe('2001:db8:1::/64\n2001:db8:2::/64\n');
    const r = onH('rdisc6 -1 fe80::ff:fe00:201 eth0');
    expect(r.stdout).toBe(`Soliciting fe80::ff:fe00:201 (fe80::ff:fe00:201) on eth0...\n${RA_TEXT}`);
    expect(sentIcmpv6(r.lab, r.started).find((p) => p.type === 133)?.destination).toBe('fe80::ff:fe00:201');
  });

  it('no router: Timed out. per attempt and No response.', () => {
    const lab = new NodeLab(programs);
    lab.addNode('h');
    lab.addNode('x');
    lab.link('h:eth0', 'x:eth0');
    lab.run(2 * SECOND);
    const r = onH('rdisc6 -r 2 -w 500 eth0', lab);
    expect(r.stdout).toBe('Soliciting ff02::2 (ff02::2) on eth0...\nTimed out.\nTimed out.\nNo response.\n');
    expect([r.status, r.took]).toEqual([2, 1 * SECOND]);
  });
});

describe('ndisc6 and rdisc6 against the real tools', () => {
  needs({ netns: true, tools: ['ndisc6', 'rdisc6', 'radvd'] }).it('print what this model prints on the same network (namespaces, radvd 2.19)', () => {
    const ns = (name: string) => `h16t-${name}-${process.pid}`;
    const h = ns('h');
    const rt = ns('r');
    const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
    const conf = `/tmp/${rt}.conf`;
    try {
      sh(`ip netns add ${h} && ip netns add ${rt}`);
      sh(`ip link add nd${process.pid}h netns ${h} type veth peer name nd${process.pid}r netns ${rt}`);
      sh(`ip -n ${h} link set nd${process.pid}h name eth0 && ip -n ${rt} link set nd${process.pid}r name eth0`);
      sh(`ip -n ${rt} link set eth0 address 02:00:00:00:02:01 && ip -n ${h} link set eth0 address 02:00:00:00:01:01`);
      sh(`ip netns exec ${rt} sysctl -qw net.ipv6.conf.all.forwarding=1`);
      sh(`ip -n ${h} link set eth0 up && ip -n ${rt} link set eth0 up && ip -n ${rt} -6 addr add 2001:db8:1::1/64 dev eth0 nodad`);
      sh(`ip -n ${rt} link set eth0 address 02:00:00:00:ab:fe`);
      sh(
        `printf '%s\\n' 'interface eth0 { AdvSendAdvert on; MaxRtrAdvInterval 10; AdvDefaultPreference high; AdvLinkMTU 1400;' 'prefix 2001:db8:1::/64 { }; prefix 2001:db8:2::/64 { AdvValidLifetime 7200; AdvPreferredLifetime 3600; }; };' > ${conf}`,
      );
      sh(`ip netns exec ${rt} radvd -C ${conf} -p /tmp/${rt}.pid -m stderr_syslog`);
      // Both link-local addresses past DAD (a count of checks, not a time: at most 50 × 0.1 s).
      sh(`for i in $(seq 50); do [ -z "$(ip -n ${h} -6 addr show tentative; ip -n ${rt} -6 addr show tentative)" ] && break; sleep 0.1; done`);
      const real = (line: string) => {
        const run = spawnSync('ip', ['netns', 'exec', h, ...line.split(' ')], { encoding: 'utf8' });
        return { stdout: run.stdout, stderr: run.stderr, status: run.status };
      };
      for (const line of ['ndisc6 2001:db8:1::1 eth0', 'ndisc6 -q fe80::ff:fe00:201 eth0', 'ndisc6 -s 2001:db8:1::5 2001:db8:1::1 eth0', 'ndisc6 2001:db8:1::1 eth9', 'ndisc6 -r 1 -w 200 2001:db8:1::77 eth0', 'rdisc6 -1 eth0', 'rdisc6 -1 -q eth0']) {
        const model = onH(line);
        expect([line, real(line)]).toEqual([line, { stdout: model.stdout, stderr: model.stderr, status: model.status }]);
      }
    } finally {
      sh(`kill $(cat /tmp/${rt}.pid 2>/dev/null) 2>/dev/null; rm -f ${conf} /tmp/${rt}.pid; ip netns del ${h} 2>/dev/null; ip netns del ${rt} 2>/dev/null; true`);
    }
  });
});
