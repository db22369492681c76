/**
 * Real nodes for the apps' tests: @netloom/stack's test lab (nodes built by createNode, in-memory
 * point-to-point links and hubs with a fixed 1 ms latency, a manual clock in (time, scheduling
 * order)) with this package's programs installed on every node, and `sh` to configure a node through
 * its own shell (`ip addr add …`), as a topology's `exec:` would. `chain()` is the network the
 * programs' tests run on: the namespaces a — r — b the expected texts were recorded in.
 *
 * Leaves out: bandwidth, loss and queues (the runtime's links), shards and workers. There is no
 * stand-in socket layer: every probe, reply and error is a real frame through the real stack; the
 * ICMP messages a Linux router never sends (source quench, a parameter problem about a sound
 * header) come as frames from the wire (`answerLastProbe`), through the receiving node's real stack.
 */
import type { LinuxNode, Nanos, Program } from '@netloom/stack';
import { Lab, type NodeOptions } from '@netloom/stack/testing/lab';
import { buildEthernetFrame, buildIcmpv4Packet, formatIpv4, isWireError, parseArp, parseEthernet, parseIcmpv4, parseIpv4, parseIpv4Packet, parseUdp, type Icmpv4Repr } from '@netloom/wire';

export { MS, SECOND, type CommandRun } from '@netloom/stack/testing/lab';

export class NodeLab extends Lab {
  constructor(private readonly programs: Readonly<Record<string, Program>>) {
    super();
  }

  override addNode(name: string, options: NodeOptions = {}): LinuxNode {
    return super.addNode(name, { programs: this.programs, ...options });
  }

  /** Run a shell command that completes at once; throws when it fails. */
  sh(nodeName: string, line: string): string {
    const run = this.exec(nodeName, line);
    if (run.status !== 0) throw new Error(`${nodeName}: ${line}: status ${run.status}: ${run.stderr}`);
    return run.stdout;
  }

  /** `sh` each [node, line] in order, as a topology's `exec:` lines. */
  configure(lines: readonly (readonly [string, string])[]): this {
    for (const [nodeName, line] of lines) this.sh(nodeName, line);
    return this;
  }
}

/**
 * a — r — b as in the namespace runs the expected texts come from (iputils 20221126, traceroute
 * 2.1.2): a's vA 10.200.1.1/24, the router r at 10.200.1.254 (eth0) and 10.200.2.254 (eth1), b's
 * eth0 10.200.2.2/24; a and b route by default through r. 1 ms a link each way, so a reply from b
 * takes 4 ms once the neighbours are resolved.
 */
export function chain(programs: Readonly<Record<string, Program>>): NodeLab {
  const lab = new NodeLab(programs);
  lab.addNode('a');
  lab.addNode('r', { forwarding: true });
  lab.addNode('b');
  lab.link('a:vA', 'r:eth0');
  lab.link('r:eth1', 'b:eth0');
  return lab.configure([
    ['a', 'ip addr add 10.200.1.1/24 dev vA'],
    ['r', 'ip addr add 10.200.1.254/24 dev eth0'],
    ['r', 'ip addr add 10.200.2.254/24 dev eth1'],
    ['b', 'ip addr add 10.200.2.2/24 dev eth0'],
    ['a', 'ip route add default via 10.200.1.254'],
    ['b', 'ip route add default via 10.200.2.254'],
  ]);
}

/**
 * a (vA 10.200.1.1/24) on a LAN with two routers, r1 (10.200.1.254, a's default gateway) and r2
 * (10.200.1.253); b behind both: b's eth0 10.200.2.2/24 on r1's eth1 (10.200.2.254), b's eth1
 * 10.200.3.2/24 on r2's eth1 (10.200.3.254), b's default route through r2. Tests add the routes
 * that make the case: r1 sending 10.200.3/24 on to r2 redirects a; a blackhole to a on r1 makes
 * it a silent hop whose traffic still comes back through r2.
 */
export function twoRouterLan(programs: Readonly<Record<string, Program>>): NodeLab {
  const lab = new NodeLab(programs);
  lab.addNode('a');
  lab.addNode('r1', { forwarding: true });
  lab.addNode('r2', { forwarding: true });
  lab.addNode('b');
  lab.link('a:vA', 'r1:eth0', 'r2:eth0');
  lab.link('r1:eth1', 'b:eth0');
  lab.link('r2:eth1', 'b:eth1');
  return lab.configure([
    ['a', 'ip addr add 10.200.1.1/24 dev vA'],
    ['r1', 'ip addr add 10.200.1.254/24 dev eth0'],
    ['r1', 'ip addr add 10.200.2.254/24 dev eth1'],
    ['r2', 'ip addr add 10.200.1.253/24 dev eth0'],
    ['r2', 'ip addr add 10.200.3.254/24 dev eth1'],
    ['b', 'ip addr add 10.200.2.2/24 dev eth0'],
    ['b', 'ip addr add 10.200.3.2/24 dev eth1'],
    ['a', 'ip route add default via 10.200.1.254'],
    ['b', 'ip route add default via 10.200.3.254'],
  ]);
}

/**
 * A router on the path answers the last IPv4 packet `nodeName` sent on `ifname` with the ICMP
 * message `icmp(quoted)` (quoted: the packet's header and first 8 bytes, as RFC 792 quotes them),
 * from `from`; the frame arrives on that interface now, from the MAC the packet was sent to.
 */
export function answerLastProbe(lab: Lab, nodeName: string, ifname: string, from: string, icmp: (quoted: Uint8Array) => Icmpv4Repr): void {
  const sent = lab.sent(nodeName, ifname).filter((f) => f.frame[12] === 0x08 && f.frame[13] === 0x00);
  const probe = sent.at(-1)?.frame;
  if (probe === undefined) throw new Error(`${nodeName} has sent no IPv4 packet on ${ifname}`);
  const headerLength = ((probe[14] ?? 0x45) & 0x0f) * 4;
  const source = parseIpv4(from);
  if (source === null) throw new Error(`bad address ${from}`);
  const probeSource = ((probe[26]! << 24) | (probe[27]! << 16) | (probe[28]! << 8) | probe[29]!) >>> 0;
  const packet = buildIcmpv4Packet({ source, destination: probeSource }, icmp(probe.slice(14, 14 + headerLength + 8)));
  lab.node(nodeName).receive(ifname, buildEthernetFrame(probe.slice(6, 12), probe.slice(0, 6), 0x0800, packet), lab.now);
}

/** A probe as it left a node: when, its addresses, TTL and IP length, and its UDP ports and size or ICMP echo sequence. */
export interface SentProbe {
  at: Nanos;
  source: string;
  destination: string;
  ttl: number;
  ipLength: number;
  udpSourcePort?: number;
  udpPayloadLength?: number;
  udpPort?: number;
  echoSequence?: number;
}

/** The UDP datagrams and ICMP echo requests `nodeName` sent on `ifname` since `since`, in order. */
export function sentProbes(lab: Lab, nodeName: string, ifname: string, since = 0): SentProbe[] {
  const probes: SentProbe[] = [];
  for (const { at, frame } of lab.sent(nodeName, ifname, since)) {
    const ethernet = parseEthernet(frame);
    if (isWireError(ethernet) || ethernet.ethertype !== 0x0800) continue;
    const ip = parseIpv4Packet(ethernet.payload);
    if (isWireError(ip)) throw new Error(`${nodeName} sent a malformed IPv4 packet: ${ip.error}`);
    const probe: SentProbe = { at, source: formatIpv4(ip.source), destination: formatIpv4(ip.destination), ttl: ip.ttl, ipLength: 20 + ip.options.length + ip.payload.length };
    if (ip.protocol === 17) {
      const udp = parseUdp(ip.payload, null);
      if (!isWireError(udp)) probes.push({ ...probe, udpPort: udp.destinationPort, udpSourcePort: udp.sourcePort, udpPayloadLength: udp.payload.length });
    } else if (ip.protocol === 1) {
      const icmp = parseIcmpv4(ip.payload);
      if (!isWireError(icmp) && icmp.kind === 'echoRequest') probes.push({ ...probe, echoSequence: icmp.sequence });
    }
  }
  return probes;
}

/** An ARP packet as it left a node: `who-has T tell S` (request) or `S is-at` (reply), and to whom. */
export interface SentArp {
  at: Nanos;
  operation: 'request' | 'reply';
  broadcast: boolean;
  senderIp: string;
  targetIp: string;
}

/** The ARP packets `nodeName` sent on `ifname` since `since`, in order. */
export function sentArp(lab: Lab, nodeName: string, ifname: string, since = 0): SentArp[] {
  const packets: SentArp[] = [];
  for (const { at, frame } of lab.sent(nodeName, ifname, since)) {
    const ethernet = parseEthernet(frame);
    if (isWireError(ethernet) || ethernet.ethertype !== 0x0806) continue;
    const arp = parseArp(ethernet.payload);
    if (isWireError(arp)) throw new Error(`${nodeName} sent a malformed ARP packet: ${arp.error}`);
    packets.push({
      at,
      operation: arp.operation === 1 ? 'request' : 'reply',
      broadcast: ethernet.destination.every((byte) => byte === 0xff),
      senderIp: formatIpv4(arp.senderIp),
      targetIp: formatIpv4(arp.targetIp),
    });
  }
  return packets;
}
