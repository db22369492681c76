/**
 * node-detail.ts's lines from hand-made records: the IPVS table keeps whole columns that fit the
 * width (the rates go first on a narrow terminal), shortens large numbers as ipvsadm does, and counts
 * what the record left out; bindings show their lifetime left at the UI's time, `-` when not registered.
 */
import { describe, expect, it } from 'vitest';
import type { IpvsState, MobilityState, NodeInfo } from '../runtime-api.js';
import { bindingLines, ipvsLines, nodeDetail } from './node-detail.js';

const zero = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

const ipvs: IpvsState = {
  serviceCount: 3,
  services: [
    {
      protocol: 'TCP',
      address: '10.0.0.1:80',
      scheduler: 'wlc',
      persistent: 360,
      conns: 12_345_678,
      rates: { cps: 12, inpps: 40, outpps: 38, inbps: 25_000, outbps: 2_500_000 },
      realServerCount: 5,
      realServers: [
        { address: '10.1.1.2:80', forward: 'Route', weight: 2, activeConns: 7, inactConns: 3, persistConns: 1, conns: 900_000, rates: zero },
        { address: '10.1.1.3:80', forward: 'Tunnel', weight: 0, activeConns: 1, inactConns: 4, persistConns: 0, conns: 334_567, rates: zero },
      ],
    },
  ],
};

describe('ipvsLines', () => {
  it('cuts whole columns to the width: 78 keeps Weight to InPPS, 140 everything up to Conns', () => {
    const narrow = ipvsLines(ipvs, 78);
    expect(narrow[0]).toBe('Prot LocalAddress:Port Sched/Fwd Weight ActiveConn InActConn   CPS  InPPS');
    expect(narrow.every((line) => line.length <= 78)).toBe(true);
    expect(narrow[1]).toBe('TCP  10.0.0.1:80       wlc -p 360                8         7    12     40');
    expect(narrow[2]).toBe('  -> 10.1.1.2:80       Route          2          7         3     0      0');
    const wide = ipvsLines(ipvs, 140);
    expect(wide[0]).toMatch(/InActConn +CPS +InPPS +OutPPS +InBPS +OutBPS +Conns$/);
    // Numbers wider than their column shortened as ipvsadm does: 12,345,678 in 7 columns; 2,500,000 fits 8.
    expect(wide[1]).toMatch(/ +12 +40 +38 +25000 +2500000 +12345K$/);
    expect(wide[3]).toMatch(/-> 10\.1\.1\.3:80 +Tunnel +0 +1 +4 +0 +0 +0 +0 +0 +334567$/);
  });

  it('counts the real servers and services the record left out', () => {
    expect(ipvsLines(ipvs, 78).slice(-2)).toEqual(['  (3 more real servers)', '(2 more services)']);
    expect(ipvsLines({ serviceCount: 0, services: [] }, 78)[1]).toBe('(no virtual services: ipvsadm -A adds one)');
  });
});

describe('bindingLines', () => {
  const bul: MobilityState = {
    role: 'mobile-node',
    homeAddress: '2001:db8:1::100',
    bindingCount: 2,
    bindings: [
      { homeAddress: '2001:db8:1::100', bindingId: 1, priority: 1, careOfAddress: '2001:db8:a::100', dev: 'eth0', status: 'registered', lifetime: 16, expiresAt: 20_500_000_000, sequence: 3, tunnel: false, retransmissions: 0 },
      { homeAddress: '2001:db8:1::100', bindingId: 2, priority: 2, careOfAddress: null, dev: 'eth1', status: 'refused 135', lifetime: 16, expiresAt: null, sequence: 4, tunnel: false, retransmissions: 2 },
    ],
  };

  it("counts a registration's lifetime down from the UI's time, and shows '-' when not registered", () => {
    expect(bindingLines(bul, 10_000_000_000)).toEqual([
      'BID PRI DEV  CoA             STATUS         LIFETIME   SEQ RESEND',
      '  1   1 eth0 2001:db8:a::100 registered        10/16     3      0',
      '  2   2 eth1 -               refused 135        -/16     4      2',
    ]);
    expect(bindingLines(bul, 30_000_000_000)[1]).toContain(' 0/16 ');
  });

  it("marks the home agent's tunnel binding", () => {
    const bc: MobilityState = { role: 'home-agent', homeAddress: null, bindingCount: 1, bindings: [{ ...bul.bindings[0]!, dev: null, tunnel: true }] };
    expect(bindingLines(bc, 10_000_000_000)[1]).toBe('2001:db8:1::100   1   1 2001:db8:a::100       10/16     3 tunnel');
  });
});

describe('nodeDetail', () => {
  it('says when a node runs neither IPVS nor mip6d', () => {
    const node: NodeInfo = { name: 'h1', kind: 'host', running: true, interfaces: ['lo'], addresses: [], framesIn: 0, framesOut: 0, drops: 0 };
    expect(nodeDetail(node, 0, 78)).toEqual({ title: 'h1 (host)', lines: ['No IPVS (ipvsadm or modprobe ip_vs loads it) and no mip6d running on this node.'] });
  });
});
