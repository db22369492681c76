/**
 * The node factory of `benchChain`: real stack routers between a traffic source and a sink that
 * are deliberately minimal, so the figure measures forwarding, not the end hosts.
 *
 * The source (`h1`) answers ARP for its address and runs `flood DST_MAC SRC_IP DST_IP COUNT BURST
 * INTERVAL_NS [PAYLOAD]`: COUNT UDP datagrams (discard port 9) of PAYLOAD bytes (default 18) in
 * bursts of BURST every INTERVAL_NS. The sink
 * (`h2`) answers ARP for its address and counts the UDP datagrams it gets (`received`). Both learn
 * their address from `addr A.B.C.D` (their startup command).
 *
 * Nodes named `tick…` (the barrier bench) are tickers: `tick INTERVAL_NS` makes one send a
 * 60-byte frame (EtherType 0x88b5, IEEE local experimental) out of every port each INTERVAL_NS,
 * for ever, and count what arrives; they carry no stack, so the figure is the engine's window and
 * barrier cost. Everything else is createRealNode.
 */
import type { NodePlacement } from '@netloom/ipc';
import type { CommandIo, NodeConfig, NodeEnvironment, NodeHost } from '@netloom/stack';
import { ArpOperation, buildArpFrame, buildEthernetFrame, buildUdpIpv4Packet, formatIpv4, isWireError, parseArp, parseIpv4 } from '@netloom/wire';
import type { ReportingNode } from './node-factory.js';
import { createRealNode } from './real-node.js';

export const SOURCE_NODE = 'h1';
export const SINK_NODE = 'h2';
export const TICKER_PREFIX = 'tick';
/** IEEE 802 local experimental EtherType 1: a frame no stack would take for its own. */
const EXPERIMENTAL_ETHERTYPE = 0x88b5;

export function createBenchNode(node: NodePlacement, config: NodeConfig, env: NodeEnvironment): NodeHost | ReportingNode {
  if (node.name === SOURCE_NODE || node.name === SINK_NODE) return new EndHost(config.name, env);
  if (node.name.startsWith(TICKER_PREFIX)) return new Ticker(config.name, env);
  return createRealNode(node, config, env);
}

class EndHost implements NodeHost {
  private mac: Uint8Array = new Uint8Array(6);
  private ifname = 'eth0';
  private address = 0;
  private received = 0;
  private sent = 0;
  private drops = 0;
  private framesIn = 0;
  private timer: { at: number; run: (now: number) => void } | null = null;

  constructor(
    readonly name: string,
    private readonly env: NodeEnvironment,
  ) {}

  addEthernet(ifname: string, mac: Uint8Array): void {
    this.ifname = ifname;
    this.mac = mac;
  }

  setCarrier(): void {}

  receive(_ifname: string, frame: Uint8Array): void {
    this.framesIn++;
    const ethertype = frame.length >= 14 ? (frame[12]! << 8) | frame[13]! : 0;
    if (ethertype === 0x0800) {
      this.received++;
      return;
    }
    if (ethertype === 0x0806) {
      const arp = parseArp(frame.subarray(14));
      if (!isWireError(arp) && arp.operation === ArpOperation.request && arp.targetIp === this.address) {
        this.sent++;
        this.env.transmit(
          this.ifname,
          buildArpFrame({ operation: ArpOperation.reply, senderMac: this.mac, senderIp: this.address, targetMac: arp.senderMac, targetIp: arp.senderIp }),
        );
        return;
      }
    }
    this.drops++;
  }

  nextDeadline(): number {
    return this.timer?.at ?? Infinity;
  }

  runTimers(now: number): void {
    const timer = this.timer;
    if (timer !== null && timer.at <= now) {
      this.timer = null;
      timer.run(now);
    }
  }

  exec(line: string, now: number, io: CommandIo): { interrupt(): void } {
    const argv = line.trim().split(/\s+/);
    const interrupt = { interrupt: (): void => io.exit(130) };
    if (argv[0] === 'addr') {
      this.address = parseIpv4(argv[1] ?? '') ?? 0;
      io.exit(0);
    } else if (argv[0] === 'received') {
      io.stdout(`${this.received}\n`);
      io.exit(0);
    } else if (argv[0] === 'sysctl') {
      io.exit(0);
    } else if (argv[0] === 'flood') {
      const [, dstMac, src, dst, count, burst, interval, payload = '18'] = argv;
      const macBytes = Uint8Array.from((dstMac ?? '').split(':').map((h) => Number.parseInt(h, 16)));
      const packet = buildUdpIpv4Packet({ source: parseIpv4(src ?? '') ?? 0, destination: parseIpv4(dst ?? '') ?? 0 }, 40000, 9, new Uint8Array(Number(payload)));
      // A transmitted frame is the runtime's (NodeEnvironment.transmit): each datagram is a copy of the template.
      const template = buildEthernetFrame(macBytes, this.mac, 0x0800, packet);
      let left = Number(count);
      const perBurst = Number(burst);
      const step = Number(interval);
      const sendBurst = (t: number): void => {
        for (let i = 0; i < perBurst && left > 0; i++, left--) {
          this.sent++;
          this.env.transmit(this.ifname, template.slice());
        }
        if (left > 0) this.timer = { at: t + step, run: sendBurst };
        else {
          io.stdout(`flooded ${Number(count)} datagrams to ${dst}\n`);
          io.exit(0);
        }
      };
      sendBurst(now);
      return { interrupt: () => ((this.timer = null), io.exit(130)) };
    } else {
      io.stderr(`${argv[0]}: command not found\n`);
      io.exit(127);
    }
    return interrupt;
  }

  counters(): { framesIn: number; framesOut: number; drops: number } {
    return { framesIn: this.framesIn, framesOut: this.sent, drops: this.drops };
  }

  interfaceNames(): string[] {
    return ['lo', this.ifname];
  }

  addresses(): { ifname: string; family: 4 | 6; address: string; prefixLength: number }[] {
    return this.address === 0 ? [] : [{ ifname: this.ifname, family: 4, address: formatIpv4(this.address), prefixLength: 24 }];
  }
}

class Ticker implements NodeHost {
  private readonly ports: { ifname: string; mac: Uint8Array }[] = [];
  private interval = 0;
  private next = Infinity;
  private framesIn = 0;
  private framesOut = 0;

  constructor(
    readonly name: string,
    private readonly env: NodeEnvironment,
  ) {}

  addEthernet(ifname: string, mac: Uint8Array): void {
    this.ports.push({ ifname, mac });
  }

  setCarrier(): void {}

  receive(): void {
    this.framesIn++;
  }

  nextDeadline(): number {
    return this.next;
  }

  runTimers(now: number): void {
    if (this.next > now) return;
    for (const port of this.ports) {
      this.framesOut++;
      this.env.transmit(port.ifname, buildEthernetFrame(BROADCAST, port.mac, EXPERIMENTAL_ETHERTYPE, new Uint8Array(46)));
    }
    this.next = now + this.interval;
  }

  exec(line: string, now: number, io: CommandIo): { interrupt(): void } {
    const argv = line.trim().split(/\s+/);
    const interval = Number(argv[1]);
    if (argv[0] === 'tick' && Number.isInteger(interval) && interval > 0) {
      this.interval = interval;
      this.next = now;
      io.exit(0);
    } else if (argv[0] === 'sysctl') io.exit(0);
    else {
      io.stderr(`${line.trim()}: usage: tick INTERVAL_NS\n`);
      io.exit(2);
    }
    return { interrupt: () => undefined };
  }

  counters(): { framesIn: number; framesOut: number; drops: number } {
    return { framesIn: this.framesIn, framesOut: this.framesOut, drops: 0 };
  }

  interfaceNames(): string[] {
    return ['lo', ...this.ports.map((p) => p.ifname)];
  }

  addresses(): { ifname: string; family: 4 | 6; address: string; prefixLength: number }[] {
    return [];
  }
}

const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
