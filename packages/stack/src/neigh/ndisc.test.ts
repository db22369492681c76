/**
 * NDP (ndisc.ts) between nodes joined by a fake of ndisc's own interface to the IPv6 layer
 * (testing/ndisc-link.ts: real ICMPv6 bytes on a 1 ms link, output through the real nd_tbl).
 * Everything about neighbours is the real table and the real ndisc.
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_S } from '../timers.js';
import { ALL_NODES, solicitedNodeAddress } from './ndisc.js';
import { describe6, FakeNode, ipv6, LATENCY, Link } from '../testing/ndisc-link.js';
import type { NdpRepr } from '@netloom/wire';
import { ipv6ToBytes } from '@netloom/wire';

const MAC_A = new Uint8Array([2, 0, 0, 0, 1, 1]);
const MAC_B = new Uint8Array([2, 0, 0, 0, 2, 1]);
const MAC_R = new Uint8Array([2, 0, 0, 0, 3, 1]);

function twoHosts(): { link: Link; a: FakeNode; b: FakeNode; aLl: bigint; bLl: bigint } {
  const link = new Link();
  const a = new FakeNode(link, 'h1', MAC_A, 1);
  const b = new FakeNode(link, 'h2', MAC_B, 2);
  const aLl = a.addAddress('fe80::1');
  const bLl = b.addAddress('fe80::2');
  return { link, a, b, aLl, bLl };
}

describe('NDP address resolution (RFC 4861 §7.2)', () => {
  it('solicits the solicited-node group with our link-layer address; the solicited NA makes the entry REACHABLE and flushes the queue', () => {
    const { link, a, b, aLl, bLl } = twoHosts();
    a.sendData(aLl, bLl, 100);
    expect(a.state(bLl)).toBe('INCOMPLETE');
    link.run(10 * NS_PER_MS);
    expect(link.sent.map(describe6)).toEqual([
      '0 ms h1 fe80::1 > ff02::1:ff00:2 (33:33:ff:00:00:02) hlim 255 NS who has fe80::2 sll 02:00:00:00:01:01',
      '1 ms h2 fe80::2 > fe80::1 (02:00:00:00:01:01) hlim 255 NA tgt fe80::2 [solicited, override] tll 02:00:00:00:02:01',
    ]);
    expect(solicitedNodeAddress(bLl)).toBe(ipv6('ff02::1:ff00:2'));
    expect(a.state(bLl)).toBe('REACHABLE 02:00:00:00:02:01');
    // h2 learnt h1 from the NS (STALE) and sent its NA through that entry: DELAY.
    expect(b.state(aLl)).toBe('DELAY 02:00:00:00:01:01');
    expect(b.delivered).toEqual([{ source: 'fe80::1', bytes: 100 }]);
  });

  it('confirms a DELAY entry with unicast probes: NS to the address itself, answered without override or target option', () => {
    const { link, a, b, aLl, bLl } = twoHosts();
    a.sendData(aLl, bLl, 100);
    link.run(10 * NS_PER_MS);
    link.sent.length = 0;
    link.run(5 * NS_PER_S + 10 * NS_PER_MS);
    expect(link.sent.map(describe6)).toEqual([
      '5001 ms h2 fe80::2 > fe80::1 (02:00:00:00:01:01) hlim 255 NS who has fe80::1 sll 02:00:00:00:02:01',
      '5002 ms h1 fe80::1 > fe80::2 (02:00:00:00:02:01) hlim 255 NA tgt fe80::1 [solicited]',
    ]);
    expect(b.state(aLl)).toBe('REACHABLE 02:00:00:00:01:01');
  });

  it('fails after mcast_solicit (3) multicast probes 1 s apart, the queued packet reported unreachable', () => {
    const { link, a, aLl } = twoHosts();
    const nobody = ipv6('fe80::99');
    a.sendData(aLl, nobody, 100);
    link.run(2500 * NS_PER_MS);
    expect(link.sent.map((s) => `${s.at / NS_PER_MS} ${s.destination}`)).toEqual(['0 ff02::1:ff00:99', '1000 ff02::1:ff00:99', '2000 ff02::1:ff00:99']);
    expect(a.state(nobody)).toBe('INCOMPLETE');
    link.run(3100 * NS_PER_MS);
    expect(a.state(nobody)).toBe('FAILED');
    expect(a.unreachable).toEqual(['fe80::99']);
  });

  it('follows net.ipv6.neigh.DEV.mcast_solicit and retrans_time_ms', () => {
    const { link, a, aLl } = twoHosts();
    a.sysctl.set('net.ipv6.neigh.eth0.mcast_solicit', 5);
    a.sysctl.set('net.ipv6.neigh.eth0.retrans_time_ms', 500);
    a.sendData(aLl, ipv6('fe80::99'), 100);
    link.run(10 * NS_PER_S);
    expect(link.sent.map((s) => s.at / NS_PER_MS)).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('takes the probe source from the queued packet when it is ours and usable, else the link-local address; no link-local, no NS', () => {
    const { link, a } = twoHosts();
    const global = a.addAddress('2001:db8::1');
    a.sendData(global, ipv6('2001:db8::2'), 100);
    a.sendData(ipv6('2001:db8::77'), ipv6('2001:db8::3'), 100);
    expect(link.sent.map((s) => `${s.source} > ${s.destination}`)).toEqual(['2001:db8::1 > ff02::1:ff00:2', 'fe80::1 > ff02::1:ff00:3']);
    const lonely = new FakeNode(link, 'h3', new Uint8Array([2, 0, 0, 0, 4, 1]), 3);
    lonely.sendData(0n, ipv6('fe80::2'), 100);
    expect(link.sent).toHaveLength(2);
  });
});

describe('received NS and NA (ndisc_recv_ns, ndisc_recv_na)', () => {
  it('answers a DAD probe for a valid address to all nodes without S; a probe for our tentative address is a DAD failure', () => {
    const { link, a, b } = twoHosts();
    const taken = b.addAddress('2001:db8::2');
    const tentative = b.addAddress('2001:db8::5', { tentative: true });
    a.ndisc.sendSolicitation({ name: 'eth0', mac: MAC_A, adminUp: true }, taken, solicitedNodeAddress(taken), 0n);
    a.ndisc.sendSolicitation({ name: 'eth0', mac: MAC_A, adminUp: true }, tentative, solicitedNodeAddress(tentative), 0n);
    link.run(10 * NS_PER_MS);
    expect(link.sent.map(describe6)).toEqual([
      '0 ms h1 :: > ff02::1:ff00:2 (33:33:ff:00:00:02) hlim 255 NS who has 2001:db8::2',
      '0 ms h1 :: > ff02::1:ff00:5 (33:33:ff:00:00:05) hlim 255 NS who has 2001:db8::5',
      '1 ms h2 2001:db8::2 > ff02::1 (33:33:00:00:00:01) hlim 255 NA tgt 2001:db8::2 [override] tll 02:00:00:00:02:01',
    ]);
    expect(b.dadFailures).toEqual(['2001:db8::5']);
    // A DAD probe teaches nobody anything.
    expect(b.table.list()).toEqual([]);
  });

  it('an NA for our own tentative address is a DAD failure too', () => {
    const { link, a, b } = twoHosts();
    const tentative = b.addAddress('2001:db8::5', { tentative: true });
    a.addAddress('2001:db8::5');
    a.ndisc.sendUnsolicitedAdvertisement('eth0', tentative);
    link.run(10 * NS_PER_MS);
    expect(b.dadFailures).toEqual(['2001:db8::5']);
  });

  it('drops NS and NA that RFC 4861 §7.1 calls invalid, with the kernel message', () => {
    const { a } = twoHosts();
    const target = ipv6ToBytes(ipv6('fe80::1'));
    const base = { dev: 'eth0', packetType: 'multicast' as const, source: ipv6('fe80::2'), destination: solicitedNodeAddress(ipv6('fe80::1')), code: 0 };
    a.ndisc.processNdisc({ ...base, hopLimit: 64, message: { kind: 'neighbourSolicitation', target, options: [] } }, 0);
    a.ndisc.processNdisc({ ...base, hopLimit: 255, code: 1, message: { kind: 'neighbourSolicitation', target, options: [] } }, 0);
    a.ndisc.processNdisc({ ...base, hopLimit: 255, message: { kind: 'neighbourSolicitation', target: ipv6ToBytes(ALL_NODES), options: [] } }, 0);
    a.ndisc.processNdisc({ ...base, hopLimit: 255, source: 0n, destination: ALL_NODES, message: { kind: 'neighbourSolicitation', target, options: [] } }, 0);
    a.ndisc.processNdisc(
      { ...base, hopLimit: 255, source: 0n, message: { kind: 'neighbourSolicitation', target, options: [{ kind: 'sourceLinkLayerAddress', address: MAC_B }] } },
      0,
    );
    a.ndisc.processNdisc({ ...base, hopLimit: 255, destination: ALL_NODES, message: { kind: 'neighbourAdvertisement', router: false, solicited: true, override: false, target, options: [] } }, 0);
    a.ndisc.processNdisc({ ...base, hopLimit: 255, message: { kind: 'neighbourSolicitation', target: ipv6ToBytes(ipv6('fe80::77')), options: [] } }, 0);
    expect(a.drops).toEqual([
      'malformed: NDISC: invalid hop-limit: 64',
      'malformed: NDISC: invalid ICMPv6 code: 1',
      'malformed: NS: multicast target address',
      'malformed: NS: bad DAD packet (wrong destination)',
      'malformed: NS: bad DAD packet (link-layer address option)',
      'malformed: NA: solicited NA is multicasted',
      'notForUs: NS: target fe80::77 is not ours',
    ]);
  });

  it('an unsolicited NA with O replaces the address of an entry (STALE); without an entry it creates none, unless a router accepts untracked NAs', () => {
    const { link, a, b, aLl, bLl } = twoHosts();
    a.sendData(aLl, bLl, 100);
    link.run(10 * NS_PER_MS);
    const moved = new Uint8Array([2, 0, 0, 0, 2, 9]);
    const na = (override: boolean): NdpRepr => ({ kind: 'neighbourAdvertisement', router: false, solicited: false, override, target: ipv6ToBytes(bLl), options: [{ kind: 'targetLinkLayerAddress', address: moved }] });
    const base = { dev: 'eth0', packetType: 'multicast' as const, source: bLl, destination: ALL_NODES, hopLimit: 255, code: 0 };
    a.ndisc.processNdisc({ ...base, message: na(false) }, link.now);
    expect(a.state(bLl)).toBe('STALE 02:00:00:00:02:01');
    a.ndisc.processNdisc({ ...base, message: na(true) }, link.now);
    expect(a.state(bLl)).toBe('STALE 02:00:00:00:02:09');

    const stranger = { ...base, source: ipv6('fe80::5') };
    const strangerNa: NdpRepr = { kind: 'neighbourAdvertisement', router: true, solicited: false, override: true, target: ipv6ToBytes(ipv6('fe80::5')), options: [{ kind: 'targetLinkLayerAddress', address: moved }] };
    b.ndisc.processNdisc({ ...stranger, message: strangerNa }, link.now);
    expect(b.state(ipv6('fe80::5'))).toBe('none');
    b.conf.set('eth0.forwarding', 1);
    b.ndisc.processNdisc({ ...stranger, message: strangerNa }, link.now);
    expect(b.state(ipv6('fe80::5'))).toBe('none');
    b.conf.set('eth0.accept_untracked_na', 1);
    b.ndisc.processNdisc({ ...stranger, message: strangerNa }, link.now);
    expect(b.state(ipv6('fe80::5'))).toBe('STALE 02:00:00:00:02:09 router');
    // drop_unsolicited_na wins over everything.
    a.conf.set('eth0.drop_unsolicited_na', 1);
    a.ndisc.processNdisc({ ...base, message: { ...na(true), options: [{ kind: 'targetLinkLayerAddress', address: MAC_B }] } as NdpRepr }, link.now);
    expect(a.state(bLl)).toBe('STALE 02:00:00:00:02:09');
  });

  it('a router sets R in its answers and hosts mark it a router; an unsolicited NA without R clears the mark', () => {
    const { link, a, aLl } = twoHosts();
    const router = new FakeNode(link, 'r1', MAC_R, 4);
    const rLl = router.addAddress('fe80::1:1');
    router.conf.set('eth0.forwarding', 1);
    a.sendData(aLl, rLl, 100);
    link.run(10 * NS_PER_MS);
    expect(a.state(rLl)).toBe('REACHABLE 02:00:00:00:03:01 router');
    router.conf.set('eth0.forwarding', 0);
    router.ndisc.sendUnsolicitedAdvertisement('eth0', rLl);
    link.run(20 * NS_PER_MS);
    // Same address, STALE asked of a valid entry: the state stays (__neigh_update), only NTF_ROUTER goes.
    expect(a.state(rLl)).toBe('REACHABLE 02:00:00:00:03:01');
  });
});

describe('proxy NDP (ip -6 neigh add proxy)', () => {
  function proxied(forwarding: number, proxyNdp: number): { link: Link; a: FakeNode; router: FakeNode; aLl: bigint; target: bigint } {
    const { link, a, aLl } = twoHosts();
    const router = new FakeNode(link, 'r1', MAC_R, 4);
    router.addAddress('fe80::1:1');
    router.conf.set('eth0.forwarding', forwarding);
    router.conf.set('all.proxy_ndp', proxyNdp);
    const target = ipv6('2001:db8:1::99');
    router.table.addProxy('eth0', target);
    return { link, a, router, aLl, target };
  }

  it('a forwarding router with proxy_ndp answers an NS for a proxied address with its own MAC, after a random share of proxy_delay', () => {
    const { link, a, aLl, target } = proxied(1, 1);
    a.sendData(aLl, target, 100);
    link.run(NS_PER_S - 10 * NS_PER_MS);
    const answers = link.sent.filter((s) => s.from === 'r1');
    expect(answers).toHaveLength(1);
    const answer = answers[0]!;
    expect(answer.at).toBeGreaterThan(LATENCY);
    expect(answer.at).toBeLessThan(800 * NS_PER_MS + LATENCY);
    expect(describe6(answer).replace(/^[\d.]+ ms/, 'T')).toBe('T r1 fe80::1:1 > fe80::1 (02:00:00:00:01:01) hlim 255 NA tgt 2001:db8:1::99 [solicited] tll 02:00:00:00:03:01');
    expect(a.state(target)).toBe('REACHABLE 02:00:00:00:03:01');
  });

  it('without proxy_ndp, or without forwarding, the proxy entry is not answered for', () => {
    for (const [forwarding, proxyNdp] of [[1, 0], [0, 1]] as const) {
      const { link, router, a, aLl, target } = proxied(forwarding, proxyNdp);
      a.sendData(aLl, target, 100);
      link.run(NS_PER_S);
      expect(link.sent.filter((s) => s.from === 'r1')).toEqual([]);
      expect(router.drops).toContain('notForUs: NS: target 2001:db8:1::99 is not ours');
    }
  });
});
