/**
 * The IPv6 layer (ipv6-layer.ts) on real kernels, neighbour tables and NDP: nodes joined by
 * Ethernet links carried through one timer heap. An echo request between two hosts resolves the
 * neighbour by NS/NA and is answered; through a router the hop limit is decremented, and its
 * errors (time exceeded, no route, unknown next header) are sent within the ICMPv6 rate limit.
 */
import { describe, expect, test } from 'vitest';
import {
  EtherType,
  IPV6_HEADER_LENGTH,
  emitIpv6HeaderFor,
  isWireError,
  parseIcmpv6,
  parseIpv6Packet,
  formatIpv6Number,
  parseIpv6Number,
  ipv6ToBytes,
  ipv6FromBytes,
} from '@netloom/wire';
import type { Kernel } from '../kernel.js';
import { packetTypeOf } from '../neigh/arp.js';
import { IPV6_NEIGHBOUR_FAMILY } from '../neigh/ndisc.js';
import { NeighbourTable, neighbourParams } from '../neigh/neighbour-table.js';
import { TransportRegistry } from '../protocol-table.js';
import { makeKernel, run } from '../testing/kernel-shell.js';
import { Shell } from '../shell/shell.js';
import { NS_PER_MS, NS_PER_S, Prng, TimerHeap } from '../timers.js';
import { Ipv6Layer } from './ipv6-layer.js';

const LATENCY = NS_PER_MS;

interface Seen {
  from: string;
  dev: string;
  summary: string;
}

class Net {
  readonly timers = new TimerHeap();
  readonly ports = new Map<string, { node: Host; dev: string }[]>();
  readonly seen: Seen[] = [];
  now = 0;

  run(until: number): void {
    for (let at = this.timers.nextDeadline(); at <= until; at = this.timers.nextDeadline()) {
      this.now = at;
      this.timers.runDue(at);
    }
    this.now = until;
  }

  connect(segment: string, node: Host, dev: string): void {
    const list = this.ports.get(segment) ?? [];
    list.push({ node, dev });
    this.ports.set(segment, list);
    node.segments.set(dev, segment);
  }

  carry(from: Host, dev: string, frame: Uint8Array): void {
    this.seen.push({ from: from.name, dev, summary: summarize(frame) });
    for (const port of this.ports.get(from.segments.get(dev)!) ?? []) {
      if (port.node === from) continue;
      const device = port.node.kernel.device(port.dev)!;
      const packetType = packetTypeOf(frame.subarray(0, 6), device.mac);
      this.timers.schedule(this.now + LATENCY, (at) => {
        port.node.kernel.setCarrier(port.dev, true, at);
        if (((frame[12]! << 8) | frame[13]!) === EtherType.ipv6) port.node.layer.processIpv6(device, packetType, frame.subarray(14), frame, at);
      });
    }
  }
}

/** `A -> B ICMPv6 <kind>` for a frame. */
function summarize(frame: Uint8Array): string {
  const ip = parseIpv6Packet(frame.subarray(14));
  if (isWireError(ip)) return 'malformed';
  const message = ip.nextHeader === 58 ? parseIcmpv6(ip.payload, null) : null;
  const kind = message === null || isWireError(message) ? `next header ${ip.nextHeader}` : message.kind === 'parameterProblem' ? `parameterProblem code ${message.code} pointer ${message.pointer}` : message.kind;
  return `${fmt(ip.source)} > ${fmt(ip.destination)} hlim ${ip.hopLimit} ${kind}`;
}

function fmt(bytes: Uint8Array): string {
  return formatIpv6Number(ipv6FromBytes(bytes));
}

class Host {
  readonly kernel: Kernel;
  readonly shell: Shell;
  readonly layer: Ipv6Layer;
  readonly segments = new Map<string, string>();
  readonly drops: string[] = [];

  constructor(
    readonly net: Net,
    readonly name: string,
    devices: string[],
    index: number,
  ) {
    this.kernel = makeKernel({ hostname: name, devices, up: false });
    devices.forEach((dev, i) => this.kernel.setMac(dev, new Uint8Array([2, 0, 0, 0, index, i + 1])));
    this.shell = new Shell(this.kernel);
    const kernel = this.kernel;
    const neighbours = new NeighbourTable<bigint>(
      net.timers,
      new Prng(index),
      { discard: () => {}, reachability: () => {}, params: (dev) => neighbourParams((name) => kernel.sysctl(name), 'net.ipv6.neigh', dev) },
      IPV6_NEIGHBOUR_FAMILY,
    );
    this.layer = new Ipv6Layer({
      device: (dev) => kernel.device(dev),
      addresses: (dev, now) => kernel.addresses6Of(dev, now).map((s) => ({ address: s.address.address, prefixLength: s.address.prefixLength, tentative: s.tentative })),
      isLocalAddress: (address, now) => kernel.isLocalAddress6(address, now),
      lookupRoute: (query, now) => kernel.lookupRoute6(query, now),
      selectSource: (dst, now, dev) => kernel.selectSource6(dst, now, dev)?.address,
      conf: (scope, key) => kernel.sysctl(`net.ipv6.conf.${scope}.${key}`),
      sysctl: (name) => kernel.sysctl(name),
      dadFailed: (dev, address, now) => kernel.ipv6DadFailed(dev, address, now),
      learnRedirect: (dev, from, dst, target, now) => kernel.learnRedirect6(dev, from, dst, target, now),
      learnPmtu: (dev, dst, mtu, now) => kernel.learnPmtu6(dev, dst, mtu, now),
      neighbours,
      timers: net.timers,
      prng: new Prng(100 + index),
      transports: new TransportRegistry(),
      transmit: (dev, frame) => net.carry(this, dev, frame),
      drop: (dev, reason, _frame, detail) => this.drops.push(`${dev ?? '-'} ${reason}${detail ? ` ${detail}` : ''}`),
    });
  }

  sh(line: string): void {
    const r = run(this.shell, line, this.net.now);
    expect(r.stderr).toBe('');
  }

  echo(to: string, hopLimit = 64): void {
    const dst = parseIpv6Number(to)!;
    const src = this.kernel.selectSource6(dst, this.net.now)!.address;
    this.layer.sendIcmpv6(src, dst, hopLimit, { kind: 'echoRequest', identifier: 7, sequence: 1, data: new Uint8Array(8) }, this.net.now);
  }
}

function lan(): { net: Net; a: Host; b: Host } {
  const net = new Net();
  const a = new Host(net, 'a', ['eth0'], 1);
  const b = new Host(net, 'b', ['eth0'], 2);
  net.connect('lan', a, 'eth0');
  net.connect('lan', b, 'eth0');
  for (const h of [a, b]) {
    h.kernel.setCarrier('eth0', true, 0);
    h.sh('ip link set eth0 up');
  }
  a.sh('ip -6 addr add 2001:db8::1/64 dev eth0');
  b.sh('ip -6 addr add 2001:db8::2/64 dev eth0');
  net.run(2 * NS_PER_S);
  return { net, a, b };
}

describe('the IPv6 layer', () => {
  test('an echo request on a LAN: NS to the solicited-node group, NA back, request, reply', () => {
    const { net, a } = lan();
    net.seen.length = 0;
    a.echo('2001:db8::2');
    net.run(3 * NS_PER_S);
    expect(net.seen.map((s) => `${s.from}: ${s.summary}`)).toEqual([
      'a: 2001:db8::1 > ff02::1:ff00:2 hlim 255 neighbourSolicitation',
      'b: 2001:db8::2 > 2001:db8::1 hlim 255 neighbourAdvertisement',
      'a: 2001:db8::1 > 2001:db8::2 hlim 64 echoRequest',
      'b: 2001:db8::2 > 2001:db8::1 hlim 64 echoReply',
    ]);
    // No ICMPv6 ping socket on a: the reply is counted as such.
    expect(a.drops).toContain('eth0 noSocket echo reply: no ICMPv6 ping socket');
  });

  test('a router forwards with the hop limit decremented and answers hop limit 1 with time exceeded', () => {
    const net = new Net();
    const a = new Host(net, 'a', ['eth0'], 1);
    const r = new Host(net, 'r', ['eth0', 'eth1'], 2);
    const b = new Host(net, 'b', ['eth0'], 3);
    net.connect('left', a, 'eth0');
    net.connect('left', r, 'eth0');
    net.connect('right', r, 'eth1');
    net.connect('right', b, 'eth0');
    for (const [h, devs] of [[a, ['eth0']], [r, ['eth0', 'eth1']], [b, ['eth0']]] as const) {
      for (const d of devs) {
        h.kernel.setCarrier(d, true, 0);
        h.sh(`ip link set ${d} up`);
      }
    }
    a.sh('ip -6 addr add 2001:db8:1::1/64 dev eth0');
    r.sh('ip -6 addr add 2001:db8:1::ff/64 dev eth0');
    r.sh('ip -6 addr add 2001:db8:2::ff/64 dev eth1');
    b.sh('ip -6 addr add 2001:db8:2::1/64 dev eth0');
    r.kernel.sysctls.set('net.ipv6.conf.all.forwarding', 1);
    net.run(2 * NS_PER_S);
    a.sh('ip -6 route add default via 2001:db8:1::ff');
    b.sh('ip -6 route add default via 2001:db8:2::ff');
    net.seen.length = 0;
    a.echo('2001:db8:2::1');
    net.run(5 * NS_PER_S);
    const icmp = net.seen.filter((s) => !s.summary.includes('neighbour')).map((s) => `${s.from}/${s.dev}: ${s.summary}`);
    expect(icmp).toEqual([
      'a/eth0: 2001:db8:1::1 > 2001:db8:2::1 hlim 64 echoRequest',
      'r/eth1: 2001:db8:1::1 > 2001:db8:2::1 hlim 63 echoRequest',
      'b/eth0: 2001:db8:2::1 > 2001:db8:1::1 hlim 64 echoReply',
      'r/eth0: 2001:db8:2::1 > 2001:db8:1::1 hlim 63 echoReply',
    ]);
    net.seen.length = 0;
    for (let i = 0; i < 8; i++) a.echo('2001:db8:2::1', 1);
    a.echo('2001:db8:9::1');
    net.run(6 * NS_PER_S);
    const errors = net.seen.filter((s) => s.from === 'r').map((s) => s.summary);
    // inet_peer_xrlim_allow: a burst of six, then one per net.ipv6.icmp.ratelimit (1 s).
    expect(errors).toEqual(Array(6).fill('2001:db8:1::ff > 2001:db8:1::1 hlim 64 timeExceeded'));
    expect(r.drops.filter((d) => d.includes('rateLimited'))).toHaveLength(3);
    net.seen.length = 0;
    net.run(7 * NS_PER_S);
    a.echo('2001:db8:9::1');
    net.run(8 * NS_PER_S);
    expect(net.seen.filter((s) => s.from === 'r' && !s.summary.includes('neighbour')).map((s) => s.summary)).toEqual(['2001:db8:1::ff > 2001:db8:1::1 hlim 64 destinationUnreachable']);
  });

  test('an unknown next header gets a parameter problem pointing at the next-header field', () => {
    const { net, a, b } = lan();
    a.echo('2001:db8::2');
    net.run(3 * NS_PER_S);
    net.seen.length = 0;
    const packet = new Uint8Array(IPV6_HEADER_LENGTH + 8);
    emitIpv6HeaderFor({ trafficClass: 0, flowLabel: 0, nextHeader: 253, hopLimit: 64, source: ipv6ToBytes(parseIpv6Number('2001:db8::1')!), destination: ipv6ToBytes(parseIpv6Number('2001:db8::2')!) }, 8, packet, 0);
    a.layer.output('eth0', parseIpv6Number('2001:db8::2')!, packet, parseIpv6Number('2001:db8::1')!, net.now);
    net.run(4 * NS_PER_S);
    expect(net.seen.map((s) => s.summary)).toEqual(['2001:db8::1 > 2001:db8::2 hlim 64 next header 253', '2001:db8::2 > 2001:db8::1 hlim 64 parameterProblem code 1 pointer 6']);
    expect(b.drops).toContain('eth0 unsupportedProtocol next header 253');
  });
});
