/**
 * ICMP redirects (issue 5, seed 004), on the topology of linux-stack-facts.md §4.3: h1 10.0.0.2
 * (default via r1 10.0.0.1), r1 (10.9.0.0/24 via r2 10.0.0.3), r2 — all on one LAN — and h9
 * 10.9.0.5 behind r2. Timings and outputs are the reference's real-kernel observations.
 */
import { describe, expect, it } from 'vitest';
import { buildIcmpv4Packet, buildIpv4Frame, buildUdpIpv4Packet } from '@netloom/wire';
import { Lab, MS, SECOND, ip, opened } from '../testing/lab.js';
import { arp, checkFrame, framesMatching, icmp, ipv4 } from '../testing/frame-checks.js';

function oneNetwork(): Lab {
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('r1', { forwarding: true });
  lab.addNode('r2', { forwarding: true });
  lab.addNode('h9');
  lab.link('h1:eth0', 'r1:eth0', 'r2:eth0');
  lab.link('r2:eth1', 'h9:eth0');
  lab.addr('h1', 'eth0', '10.0.0.2/24');
  lab.addr('r1', 'eth0', '10.0.0.1/24');
  lab.addr('r2', 'eth0', '10.0.0.3/24');
  lab.addr('r2', 'eth1', '10.9.0.1/24');
  lab.addr('h9', 'eth0', '10.9.0.5/24');
  lab.route('h1', 'default', { via: '10.0.0.1' });
  lab.route('r1', '10.9.0.0/24', { via: '10.0.0.3' });
  lab.route('h9', 'default', { via: '10.9.0.1' });
  return lab;
}

function gatewayTo(lab: Lab, node: string, destination: string): string {
  const outcome = lab.node(node).kernel.routeOutput({ dst: ip(destination) }, lab.now);
  if (!outcome.ok) return outcome.errno;
  const gateway = outcome.route.gateway;
  return gateway === undefined ? 'direct' : `${gateway >>> 24}.${(gateway >>> 16) & 255}.${(gateway >>> 8) & 255}.${gateway & 255}`;
}

function redirectsFrom(lab: Lab, node: string, since = 0): { at: number; frame: Uint8Array }[] {
  return lab.sent(node, 'eth0', since).filter((f) => checkFrame(f.frame, icmp({ kind: 'redirect' })) === null);
}

describe('sending redirects', () => {
  it('a router forwarding out the interface it received on sends a host redirect to the on-link sender', () => {
    const lab = oneNetwork();
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    socket.sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
    lab.run(50 * MS);
    const [redirect] = redirectsFrom(lab, 'r1');
    expect(checkFrame(redirect?.frame, ipv4({ source: '10.0.0.1', destination: '10.0.0.2', tos: 0xc0 }), icmp({ kind: 'redirect', code: 1, gateway: '10.0.0.3', quotedDestination: '10.9.0.5' }))).toBeNull();
    // The datagram was forwarded all the same.
    expect(lab.events.some((e) => e.node === 'h9' && e.event.type === 'drop' && e.event.reason === 'noSocket')).toBe(true);
  });

  it('backs off per host as the real kernel measured: 9 redirects at 0 0.1 0.2 0.4 0.8 1.5 2.8 5.4 10.6 s, then none', () => {
    const lab = oneNetwork();
    lab.sysctl('h1', 'net.ipv4.conf.all.accept_redirects', 0);
    lab.sysctl('h1', 'net.ipv4.conf.eth0.accept_redirects', 0);
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    const start = lab.now;
    for (let i = 0; i < 120; i++) {
      socket.sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
      lab.run(100 * MS);
    }
    const times = redirectsFrom(lab, 'r1', start).map((r) => Math.floor((r.at - start) / (100 * MS)) / 10);
    expect(times).toEqual([0, 0.1, 0.2, 0.4, 0.8, 1.5, 2.8, 5.4, 10.6]);
    // After redirect_silence (20.48 s) without redirect-worthy packets the count starts again.
    lab.run(21 * SECOND);
    const later = lab.now;
    socket.sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
    lab.run(50 * MS);
    expect(redirectsFrom(lab, 'r1', later)).toHaveLength(1);
  });

  it('sends no redirect about an ICMP error it forwards back out the same interface (icmp_send never answers an ICMP error)', () => {
    const lab = oneNetwork();
    // h9 → h1's closed port; h1's port unreachable goes to its default gateway r1, which forwards it to r2.
    opened(lab.node('h9').parts.sockets.openUdp({})).sendto(new Uint8Array(8), { address: '10.0.0.2', port: 9 });
    lab.run(50 * MS);
    const forwarded = lab.sent('r1', 'eth0').filter((f) => checkFrame(f.frame, ipv4({ source: '10.0.0.2', destination: '10.9.0.5' }), icmp({ kind: 'destinationUnreachable', code: 3 })) === null);
    expect(forwarded).toHaveLength(1);
    expect(redirectsFrom(lab, 'r1')).toEqual([]);
  });

  it('sends no redirect about a non-first fragment, but does about the first', () => {
    const lab = oneNetwork();
    lab.exec('h1', 'ip neigh add 10.0.0.1 dev eth0 lladdr 02:00:00:00:09:09 nud permanent');
    const r1 = lab.node('r1');
    const r1Mac = r1.kernel.device('eth0')!.mac;
    const h1Mac = lab.node('h1').kernel.device('eth0')!.mac;
    const fragment = (fragmentOffset: number): Uint8Array =>
      buildIpv4Frame(r1Mac, h1Mac, { source: ip('10.0.0.2'), destination: ip('10.9.0.5'), protocol: 17, identification: 7, moreFragments: true, fragmentOffset }, new Uint8Array(16));
    r1.receive('eth0', fragment(1480), lab.now);
    lab.run(50 * MS);
    expect(redirectsFrom(lab, 'r1')).toEqual([]);
    // The first fragment of another datagram does draw one (after redirect_load, as the back-off
    // counted the refused one).
    lab.run(SECOND);
    r1.receive('eth0', fragment(0), lab.now);
    lab.run(50 * MS);
    expect(redirectsFrom(lab, 'r1')).toHaveLength(1);
  });

  it('send_redirects is all OR device: only both off stops them', () => {
    const matrix: [number, number, number][] = [
      [1, 1, 1],
      [0, 1, 1],
      [1, 0, 1],
      [0, 0, 0],
    ];
    for (const [all, dev, expected] of matrix) {
      const lab = oneNetwork();
      lab.sysctl('r1', 'net.ipv4.conf.all.send_redirects', all);
      lab.sysctl('r1', 'net.ipv4.conf.eth0.send_redirects', dev);
      opened(lab.node('h1').parts.sockets.openUdp({})).sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
      lab.run(50 * MS);
      expect(redirectsFrom(lab, 'r1').length, `all=${all} eth0=${dev}`).toBe(expected);
    }
  });
});

describe('accepting redirects', () => {
  it('ignores the first redirect while the new gateway is unresolved, installs the next one (reference §4.3)', () => {
    const lab = oneNetwork();
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    socket.sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
    lab.run(50 * MS);
    expect(redirectsFrom(lab, 'r1')).toHaveLength(1);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.1');
    // h1 only started resolving 10.0.0.3.
    expect(framesMatching(lab.sent('h1'), arp({ operation: 'request', targetIp: '10.0.0.3' }))).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      lab.run(1 * SECOND);
      socket.sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
    }
    lab.run(50 * MS);
    expect(redirectsFrom(lab, 'r1')).toHaveLength(2);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.3');
    expect(gatewayTo(lab, 'h1', '10.9.0.6')).toBe('10.0.0.1');
    const get = lab.exec('h1', 'ip route get 10.9.0.5');
    expect(get.stdout).toMatch(/^10\.9\.0\.5 via 10\.0\.0\.3 dev eth0 src 10\.0\.0\.2 uid 0 \n {4}cache <redirected> expires 29\dsec \n$/);
    // The later datagrams went straight to r2.
    expect(framesMatching(lab.sent('h1', 'eth0', 2 * SECOND), ipv4({ destination: '10.9.0.5' })).length).toBe(2);
  });

  it('the redirected route expires after route/gc_timeout (300 s) and ip route flush cache removes it', () => {
    const lab = oneNetwork();
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    lab.exec('h1', 'ip neigh add 10.0.0.3 dev eth0 lladdr 02:00:00:00:03:01 nud reachable');
    socket.sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
    lab.run(50 * MS);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.3');
    lab.run(299 * SECOND);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.3');
    lab.run(1 * SECOND);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.1');
    // Again, then flushed by hand.
    lab.run(25 * SECOND);
    socket.sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
    lab.run(50 * MS);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.3');
    expect(lab.exec('h1', 'ip route flush cache').status).toBe(0);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.1');
  });

  it('accept_redirects is all AND dev on a forwarding interface, all OR dev otherwise (verified live)', () => {
    const cases: [all: number, dev: number, forwarding: number, accepted: boolean][] = [
      [0, 1, 0, true],
      [1, 0, 0, true],
      [1, 0, 1, false],
      [1, 1, 1, true],
    ];
    for (const [all, dev, forwarding, accepted] of cases) {
      const lab = oneNetwork();
      lab.sysctl('h1', 'net.ipv4.conf.eth0.forwarding', forwarding);
      lab.sysctl('h1', 'net.ipv4.conf.all.accept_redirects', all);
      lab.sysctl('h1', 'net.ipv4.conf.eth0.accept_redirects', dev);
      lab.exec('h1', 'ip neigh add 10.0.0.3 dev eth0 lladdr 02:00:00:00:03:01 nud reachable');
      opened(lab.node('h1').parts.sockets.openUdp({})).sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
      lab.run(50 * MS);
      expect(gatewayTo(lab, 'h1', '10.9.0.5'), `all=${all} dev=${dev} forwarding=${forwarding}`).toBe(accepted ? '10.0.0.3' : '10.0.0.1');
    }
  });

  it('without shared_media, secure_redirects accepts only a new gateway that is already a gateway of ours', () => {
    const accepted = (knownGateway: boolean): string => {
      const lab = oneNetwork();
      lab.sysctl('h1', 'net.ipv4.conf.all.shared_media', 0);
      lab.sysctl('h1', 'net.ipv4.conf.eth0.shared_media', 0);
      if (knownGateway) lab.route('h1', '10.50.0.0/16', { via: '10.0.0.3' });
      lab.exec('h1', 'ip neigh add 10.0.0.3 dev eth0 lladdr 02:00:00:00:03:01 nud reachable');
      opened(lab.node('h1').parts.sockets.openUdp({})).sendto(new Uint8Array(8), { address: '10.9.0.5', port: 9 });
      lab.run(50 * MS);
      return gatewayTo(lab, 'h1', '10.9.0.5');
    };
    expect(accepted(false)).toBe('10.0.0.1');
    expect(accepted(true)).toBe('10.0.0.3');
  });

  it('rejects a redirect that does not come from the current gateway, or about a datagram no socket sent', () => {
    const lab = oneNetwork();
    lab.exec('h1', 'ip neigh add 10.0.0.3 dev eth0 lladdr 02:00:00:00:03:01 nud reachable');
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    socket.bind('0.0.0.0', 4000);
    const h1 = lab.node('h1');
    const mac = h1.kernel.device('eth0')!.mac;
    const quoted = (sourcePort: number): Uint8Array => buildUdpIpv4Packet({ source: ip('10.0.0.2'), destination: ip('10.9.0.5') }, sourcePort, 9, new Uint8Array(8)).subarray(0, 28);
    const redirect = (from: string, sourcePort: number): Uint8Array => {
      const packet = buildIcmpv4Packet({ source: ip(from), destination: ip('10.0.0.2') }, { kind: 'redirect', code: 1, gateway: ip('10.0.0.3'), datagram: quoted(sourcePort) });
      return buildIpv4Frame(mac, new Uint8Array([2, 0, 0, 0, 9, 9]), { source: ip(from), destination: ip('10.0.0.2'), protocol: 1 }, packet.subarray(20));
    };
    h1.receive('eth0', redirect('10.0.0.7', 4000), lab.now);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.1');
    h1.receive('eth0', redirect('10.0.0.1', 4001), lab.now);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.1');
    expect(lab.drops('h1').map((d) => (d.event.type === 'drop' ? d.event.reason : ''))).toEqual(['redirectRejected', 'redirectRejected']);
    h1.receive('eth0', redirect('10.0.0.1', 4000), lab.now);
    expect(gatewayTo(lab, 'h1', '10.9.0.5')).toBe('10.0.0.3');
  });
});
