/**
 * A fake of ndisc's own interface to the IPv6 layer (NdiscDependencies), for testing NDP without
 * the IPv6 datapath: nodes on one link with 1 ms latency, each with a real nd_tbl and a real Ndisc.
 * NDP messages cross the link as real ICMPv6 bytes (wire's emitIcmpv6 / parseIcmpv6, checksummed
 * over the pseudo-header); the sender's link-layer destination is the group's MAC for a multicast
 * destination and the nd_tbl entry for a unicast one (queued while it resolves), as ip6_output
 * finds it. Upper-layer packets are opaque (next header 59); a node with `echo` on answers one
 * addressed to one of its addresses with one of the same length (what ping needs of its peer).
 * Everything about neighbours is the real table and the real ndisc.
 */
import {
  emitIcmpv6,
  formatIpv6,
  formatMac,
  icmpv6BufferLen,
  isWireError,
  parseIcmpv6,
  parseIpv6,
  type NdpRepr,
  ipv6ToBytes,
  ipv6FromBytes,
  isIpv6Multicast,
} from '@netloom/wire';
import { NS_PER_MS, Prng, TimerHeap } from '../timers.js';
import { multicastMac, IPV6_NEIGHBOUR_FAMILY, Ndisc, type NdiscAddress } from '../neigh/ndisc.js';
import { NeighbourTable, neighbourParams } from '../neigh/neighbour-table.js';
import { packetTypeOf } from '../neigh/arp.js';

export const LATENCY = 1 * NS_PER_MS;

/** One NDP message as it crossed the link. */
export interface Sent {
  at: number;
  from: string;
  linkSource: string;
  linkDestination: string;
  source: string;
  destination: string;
  hopLimit: number;
  message: NdpRepr;
}

export class Link {
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

export class FakeNode {
  readonly table: NeighbourTable<bigint>;
  readonly ndisc: Ndisc;
  readonly addresses: NdiscAddress[] = [];
  readonly conf = new Map<string, number>();
  readonly sysctl = new Map<string, number>();
  readonly delivered: { source: string; bytes: number }[] = [];
  /** Answer every upper-layer packet for one of our addresses with one of the same length (ping's peer). */
  echo = false;
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
      dadFailed: (_dev, address) => this.dadFailures.push(formatIpv6(ipv6ToBytes(address))),
      drop: (_dev, reason, detail) => this.drops.push(`${reason}: ${detail}`),
    });
    this.table.attachOps({
      solicit: (entry, unicastTo, trigger, now) => this.ndisc.solicit(entry, unicastTo, trigger, now),
      transmit: (entry, queued) => this.transmitTo(entry.mac!, queued.packet),
      unreachable: (entry) => this.unreachable.push(IPV6_NEIGHBOUR_FAMILY.format(entry.address)),
    });
  }

  removeAddress(text: string): void {
    const address = ipv6(text);
    const index = this.addresses.findIndex((a) => a.address === address);
    if (index < 0) throw new Error(`${this.name} has no address ${text}`);
    this.addresses.splice(index, 1);
  }

  addAddress(text: string, flags: Partial<NdiscAddress> = {}): bigint {
    const address = ipv6(text);
    this.addresses.push({ address, tentative: false, optimistic: false, ...flags });
    return address;
  }

  /** An upper-layer packet to `destination` through nd_tbl (ip6_finish_output2). */
  sendData(source: bigint, destination: bigint, length: number): void {
    const packet = new Uint8Array(length);
    packet.set(ipv6ToBytes(source), 8);
    packet.set(ipv6ToBytes(destination), 24);
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
    packet.set(ipv6ToBytes(source), 8);
    packet.set(ipv6ToBytes(destination), 24);
    emitIcmpv6(message, packet, 40, { source: ipv6ToBytes(source), destination: ipv6ToBytes(destination) });
    if (isIpv6Multicast(destination)) {
      this.transmitTo(multicastMac(destination), packet);
      return;
    }
    const outcome = this.table.resolve(dev, destination, { packet, source }, this.link.now);
    if (outcome.send) this.transmitTo(outcome.mac, packet);
  }

  private transmitTo(mac: Uint8Array, packet: Uint8Array): void {
    const source = ipv6FromBytes(packet, 8);
    const destination = ipv6FromBytes(packet, 24);
    if (packet[6] === 58) {
      const message = parseIcmpv6(packet.subarray(40), { source: ipv6ToBytes(source), destination: ipv6ToBytes(destination) });
      if (isWireError(message)) throw new Error(`the fake link was handed a bad ICMPv6 message: ${message.error}`);
      this.link.sent.push({
        at: this.link.now,
        from: this.name,
        linkSource: formatMac(this.mac),
        linkDestination: formatMac(mac),
        source: formatIpv6(ipv6ToBytes(source)),
        destination: formatIpv6(ipv6ToBytes(destination)),
        hopLimit: packet[7]!,
        message: message as NdpRepr,
      });
    }
    this.link.carry(this, mac, source, destination, packet[7]!, packet);
  }

  receive(packetType: 'host' | 'broadcast' | 'multicast', source: bigint, destination: bigint, hopLimit: number, packet: Uint8Array, now: number): void {
    if (packet[6] !== 58) {
      if (!this.addresses.some((a) => a.address === destination)) {
        this.drops.push(`notForUs: ${formatIpv6(ipv6ToBytes(destination))}`);
        return;
      }
      this.delivered.push({ source: formatIpv6(ipv6ToBytes(source)), bytes: packet.length });
      if (this.echo) this.sendData(destination, source, packet.length);
      return;
    }
    const message = parseIcmpv6(packet.subarray(40), { source: ipv6ToBytes(source), destination: ipv6ToBytes(destination) });
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

export function ipv6(text: string): bigint {
  const bytes = parseIpv6(text);
  if (bytes === null) throw new Error(`bad IPv6 address in a test: ${text}`);
  return ipv6FromBytes(bytes);
}

/** A line per NDP message: who sent what to where, with flags and options. */
export function describe6(sent: Sent): string {
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

