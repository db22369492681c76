/**
 * NDP (ndisc.ts) between nodes joined by a fake of ndisc's own interface to the IPv6 layer: the
 * messages cross a 1 ms link as real ICMPv6 bytes (wire's emitIcmpv6 / parseIcmpv6, checksummed
 * over the pseudo-header), the sender's link-layer destination is the group's MAC for a multicast
 * destination and the nd_tbl entry for a unicast one (queued while it resolves), as ip6_output
 * would find it. Everything about neighbours is the real table and the real ndisc.
 */
import { describe, expect, it } from 'vitest';
import { emitIcmpv6, formatIpv6, formatMac, icmpv6BufferLen, isWireError, parseIcmpv6, parseIpv6, type NdpRepr } from '@netloom/wire';
import { NS_PER_MS, NS_PER_S, Prng, TimerHeap } from '../timers.js';
import { ALL_NODES, IPV6_NEIGHBOUR_FAMILY, Ndisc, ipv6Bytes, ipv6Number, isIpv6Multicast, multicastMac, solicitedNodeAddress, type NdiscAddress } from './ndisc.js';
import { NeighbourTable, neighbourParams } from './neighbour-table.js';
import { packetTypeOf } from './arp.js';

const LATENCY = 1 * NS_PER_MS;

/** One NDP message as it crossed the link. */
interface Sent {
  at: number;
  from: string;
  linkDestination: string;
  source: string;
  destination: string;
  hopLimit: number;
  message: NdpRepr;
}

class Link {
  readonly timers = new TimerHeap();
  readonly nodes: FakeNode[] = [];
  readonly sent: Sent[] = [];
  now = 0;

  run(until: number): void {
    for (let at = this.timers.nextDeadline(); at <= until; at = this.timers.nextDeadline()) {
      this.now = at;
      this.timers.runDue(at);
    }
    this.now = until;
  }

  carry(from: FakeNode, linkDestination: Uint8Array, source: bigint, destination: bigint, hopLimit: number, bytes: Uint8Array): void {
    for (const node of this.nodes) {
      if (node === from) continue;
      const packetType = packetTypeOf(linkDestination, node.mac);
      if (packetType === 'otherhost') continue;
      this.timers.schedule(this.now + LATENCY, (at) => node.receive(packetType, source, destination, hopLimit, bytes, at));
    }
  }
}

class FakeNode {
  readonly table: NeighbourTable<bigint>;
  readonly ndisc: Ndisc;
  readonly addresses: NdiscAddress[] = [];
  readonly conf = new Map<string, number>();
  readonly sysctl = new Map<string, number>();
  readonly delivered: { source: string; bytes: number }[] = [];
  readonly unreachable: string[] = [];
  readonly dadFailures: string[] = [];
  readonly drops: string[] = [];

  constructor(
    private readonly link: Link,
    readonly name: string,
    readonly mac: Uint8Array,
    seed: number,
  ) {
    link.nodes.push(this);
    const prng = new Prng(seed);
    this.table = new NeighbourTable<bigint>(
      link.timers,
      prng,
      {
        discard: () => {},
        reachability: () => {},
        params: (dev) => neighbourParams((name) => this.sysctl.get(name) ?? NaN, 'net.ipv6.neigh', dev),
      },
      IPV6_NEIGHBOUR_FAMILY,
    );
    this.ndisc = new Ndisc({
      neighbours: this.table,
      timers: link.timers,
      prng,
      device: (dev) => (dev === 'eth0' ? { name: 'eth0', mac: this.mac, adminUp: true } : undefined),
      addresses: (dev) => (dev === 'eth0' ? this.addresses : []),
      conf: (scope, key) => this.conf.get(`${scope}.${key}`) ?? 0,
      selectSource: () => this.addresses.find((a) => !a.tentative)?.address ?? null,
      isOnLink: () => true,
      sendIcmpv6: (dev, source, destination, hopLimit, message) => this.output(dev, source, destination, hopLimit, message),
      dadFailed: (_dev, address) => this.dadFailures.push(formatIpv6(ipv6Bytes(address))),
      drop: (_dev, reason, detail) => this.drops.push(`${reason}: ${detail}`),
    });
    this.table.attachOps({
      solicit: (entry, unicastTo, trigger, now) => this.ndisc.solicit(entry, unicastTo, trigger, now),
      transmit: (entry, queued) => this.transmitTo(entry.mac!, queued.packet),
      unreachable: (entry) => this.unreachable.push(IPV6_NEIGHBOUR_FAMILY.format(entry.address)),
    });
  }

  addAddress(text: string, flags: Partial<NdiscAddress> = {}): bigint {
    const address = ipv6(text);
    this.addresses.push({ address, tentative: false, optimistic: false, ...flags });
    return address;
  }

  /** An upper-layer packet to `destination` through nd_tbl (ip6_finish_output2). */
  sendData(source: bigint, destination: bigint, length: number): void {
    const packet = new Uint8Array(length);
    packet.set(ipv6Bytes(source), 8);
    packet.set(ipv6Bytes(destination), 24);
    packet[6] = 59; // no next header: data
    const outcome = this.table.resolve('eth0', destination, { packet, source }, this.link.now);
    if (outcome.send) this.transmitTo(outcome.mac, packet);
  }

  /** ip6_output of an NDP message: the link-layer destination from the group or from nd_tbl. */
  private output(dev: string, source: bigint, destination: bigint, hopLimit: number, message: NdpRepr): void {
    const length = icmpv6BufferLen(message);
    const packet = new Uint8Array(40 + length);
    packet[0] = 0x60;
    packet[4] = length >> 8;
    packet[5] = length & 0xff;
    packet[6] = 58;
    packet[7] = hopLimit;
    packet.set(ipv6Bytes(source), 8);
    packet.set(ipv6Bytes(destination), 24);
    emitIcmpv6(message, packet, 40, { source: ipv6Bytes(source), destination: ipv6Bytes(destination) });
    if (isIpv6Multicast(destination)) {
      this.transmitTo(multicastMac(destination), packet);
      return;
    }
    const outcome = this.table.resolve(dev, destination, { packet, source }, this.link.now);
    if (outcome.send) this.transmitTo(outcome.mac, packet);
  }

  private transmitTo(mac: Uint8Array, packet: Uint8Array): void {
    const source = ipv6Number(packet, 8);
    const destination = ipv6Number(packet, 24);
    if (packet[6] === 58) {
      const message = parseIcmpv6(packet.subarray(40), { source: ipv6Bytes(source), destination: ipv6Bytes(destination) });
      if (isWireError(message)) throw new Error(`the fake link was handed a bad ICMPv6 message: ${message.error}`);
      this.link.sent.push({
        at: this.link.now,
        from: this.name,
        linkDestination: formatMac(mac),
        source: formatIpv6(ipv6Bytes(source)),
        destination: formatIpv6(ipv6Bytes(destination)),
        hopLimit: packet[7]!,
        message: message as NdpRepr,
      });
    }
    this.link.carry(this, mac, source, destination, packet[7]!, packet);
  }

  receive(packetType: 'host' | 'broadcast' | 'multicast', source: bigint, destination: bigint, hopLimit: number, packet: Uint8Array, now: number): void {
    if (packet[6] !== 58) {
      this.delivered.push({ source: formatIpv6(ipv6Bytes(source)), bytes: packet.length });
      return;
    }
    const message = parseIcmpv6(packet.subarray(40), { source: ipv6Bytes(source), destination: ipv6Bytes(destination) });
    if (isWireError(message)) throw new Error(message.error);
    if (message.kind !== 'neighbourSolicitation' && message.kind !== 'neighbourAdvertisement' && message.kind !== 'routerSolicitation') return;
    this.ndisc.processNdisc({ dev: 'eth0', packetType, source, destination, hopLimit, code: packet[41]!, message }, now);
  }

  state(address: bigint): string {
    const entry = this.table.lookup('eth0', address);
    if (entry === undefined) return 'none';
    return `${entry.state}${entry.mac !== null ? ` ${formatMac(entry.mac)}` : ''}${entry.isRouter ? ' router' : ''}`;
  }
}

function ipv6(text: string): bigint {
  const bytes = parseIpv6(text);
  if (bytes === null) throw new Error(`bad IPv6 address in a test: ${text}`);
  return ipv6Number(bytes);
}

/** A line per NDP message: who sent what to where, with flags and options. */
function describe6(sent: Sent): string {
  const m = sent.message;
  const options = m.options.map((o) => (o.kind === 'sourceLinkLayerAddress' ? ` sll ${formatMac(o.address)}` : o.kind === 'targetLinkLayerAddress' ? ` tll ${formatMac(o.address)}` : ` ${o.kind}`)).join('');
  const head = `${sent.at / NS_PER_MS} ms ${sent.from} ${sent.source} > ${sent.destination} (${sent.linkDestination}) hlim ${sent.hopLimit}`;
  if (m.kind === 'neighbourSolicitation') return `${head} NS who has ${formatIpv6(m.target)}${options}`;
  if (m.kind === 'neighbourAdvertisement') {
    const flags = [m.router ? 'router' : '', m.solicited ? 'solicited' : '', m.override ? 'override' : ''].filter((f) => f !== '').join(', ');
    return `${head} NA tgt ${formatIpv6(m.target)} [${flags}]${options}`;
  }
  return `${head} ${m.kind}`;
}

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
    const target = ipv6Bytes(ipv6('fe80::1'));
    const base = { dev: 'eth0', packetType: 'multicast' as const, source: ipv6('fe80::2'), destination: solicitedNodeAddress(ipv6('fe80::1')), code: 0 };
    a.ndisc.processNdisc({ ...base, hopLimit: 64, message: { kind: 'neighbourSolicitation', target, options: [] } }, 0);
    a.ndisc.processNdisc({ ...base, hopLimit: 255, code: 1, message: { kind: 'neighbourSolicitation', target, options: [] } }, 0);
    a.ndisc.processNdisc({ ...base, hopLimit: 255, message: { kind: 'neighbourSolicitation', target: ipv6Bytes(ALL_NODES), options: [] } }, 0);
    a.ndisc.processNdisc({ ...base, hopLimit: 255, source: 0n, destination: ALL_NODES, message: { kind: 'neighbourSolicitation', target, options: [] } }, 0);
    a.ndisc.processNdisc(
      { ...base, hopLimit: 255, source: 0n, message: { kind: 'neighbourSolicitation', target, options: [{ kind: 'sourceLinkLayerAddress', address: MAC_B }] } },
      0,
    );
    a.ndisc.processNdisc({ ...base, hopLimit: 255, destination: ALL_NODES, message: { kind: 'neighbourAdvertisement', router: false, solicited: true, override: false, target, options: [] } }, 0);
    a.ndisc.processNdisc({ ...base, hopLimit: 255, message: { kind: 'neighbourSolicitation', target: ipv6Bytes(ipv6('fe80::77')), options: [] } }, 0);
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
    const na = (override: boolean): NdpRepr => ({ kind: 'neighbourAdvertisement', router: false, solicited: false, override, target: ipv6Bytes(bLl), options: [{ kind: 'targetLinkLayerAddress', address: moved }] });
    const base = { dev: 'eth0', packetType: 'multicast' as const, source: bLl, destination: ALL_NODES, hopLimit: 255, code: 0 };
    a.ndisc.processNdisc({ ...base, message: na(false) }, link.now);
    expect(a.state(bLl)).toBe('STALE 02:00:00:00:02:01');
    a.ndisc.processNdisc({ ...base, message: na(true) }, link.now);
    expect(a.state(bLl)).toBe('STALE 02:00:00:00:02:09');

    const stranger = { ...base, source: ipv6('fe80::5') };
    const strangerNa: NdpRepr = { kind: 'neighbourAdvertisement', router: true, solicited: false, override: true, target: ipv6Bytes(ipv6('fe80::5')), options: [{ kind: 'targetLinkLayerAddress', address: moved }] };
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
