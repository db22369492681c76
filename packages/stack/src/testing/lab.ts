/**
 * A test kit for the datapath: a few nodes built by createNode, wired by in-memory links and hubs
 * with a fixed latency, driven by a manual clock (the same (time, sequence) ordering the runtime
 * uses), with every transmitted frame and every trace event recorded.
 *
 * Leaves out: bandwidth, loss and queues (the runtime's links), shards.
 */
import { parseCidr4, parseIpv4 } from '@netloom/wire';
import type { RaInterfaceConfig } from '@netloom/wire/ra-config';
import type { CompatSettings, Nanos, StackEvent } from '../node-host.js';
import type { Program } from '../process.js';
import type { RouteType } from '../routing-api.js';
import { createNode, type LinuxNode } from '../node.js';
import { TimerHeap } from '../timers.js';

export const MS = 1_000_000;
export const SECOND = 1_000_000_000;

export interface CapturedFrame {
  at: Nanos;
  node: string;
  ifname: string;
  frame: Uint8Array;
}

export interface CapturedEvent {
  at: Nanos;
  node: string;
  event: StackEvent;
}

export interface CommandRun {
  stdout: string;
  stderr: string;
  /** null while the command is still running. */
  status: number | null;
  interrupt(): void;
}

export interface NodeOptions {
  forwarding?: boolean;
  compat?: CompatSettings;
  programs?: Readonly<Record<string, Program>>;
  seed?: number;
  /** DAD probes and router solicitations on the wire (NodeConfig.ndiscProbes). */
  ndiscProbes?: boolean;
  /** radvd on the node: what a topology's `ra:` block gives (NodeConfig.routerAdvertisements). */
  routerAdvertisements?: readonly RaInterfaceConfig[];
  /** Whether the host records trace events (NodeEnvironment.tracing); absent: always. */
  tracing?: () => boolean;
}

interface Port {
  node: string;
  ifname: string;
  segment: number;
}

export class Lab {
  now: Nanos = 0;
  readonly nodes = new Map<string, LinuxNode>();
  readonly transmitted: CapturedFrame[] = [];
  readonly events: CapturedEvent[] = [];
  latency: Nanos = 1 * MS;
  private readonly deliveries = new TimerHeap();
  private readonly ports = new Map<string, Port>();
  private readonly segments: Port[][] = [];
  private readonly segmentUp: boolean[] = [];
  private nodeCount = 0;

  addNode(name: string, options: NodeOptions = {}): LinuxNode {
    const index = ++this.nodeCount;
    const node = createNode(
      { name, kind: options.forwarding === true ? 'router' : 'host', seed: options.seed ?? index * 7919, ...(options.compat !== undefined ? { compat: options.compat } : {}), ...(options.ndiscProbes === true ? { ndiscProbes: true } : {}), ...(options.routerAdvertisements !== undefined ? { routerAdvertisements: options.routerAdvertisements } : {}) },
      {
        transmit: (ifname, frame) => this.carry(name, ifname, frame),
        event: (event) => this.events.push({ at: this.now, node: name, event }),
        ...(options.tracing !== undefined ? { tracing: options.tracing } : {}),
      },
      options.programs ?? {},
    );
    this.nodes.set(name, node);
    if (options.forwarding === true) this.sysctl(name, 'net.ipv4.ip_forward', 1);
    return node;
  }

  node(name: string): LinuxNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  }

  /** A point-to-point link or, with more ends, a hub: ends as `node:ifname`. Interfaces come up. */
  link(...ends: string[]): number {
    const segment = this.segments.length;
    const members: Port[] = [];
    for (const end of ends) {
      const [nodeName, ifname] = end.split(':') as [string, string];
      const node = this.node(nodeName);
      const nodeIndex = [...this.nodes.keys()].indexOf(nodeName) + 1;
      const portIndex = node.interfaceNames().length;
      const mac = new Uint8Array([0x02, 0, 0, 0, nodeIndex, portIndex]);
      node.addEthernet(ifname, mac, 1500);
      node.setCarrier(ifname, true, this.now);
      node.kernel.setLinkUp(ifname, true);
      const port = { node: nodeName, ifname, segment };
      this.ports.set(end, port);
      members.push(port);
    }
    this.segments.push(members);
    this.segmentUp.push(true);
    return segment;
  }

  /** Cut or restore a link: carrier changes on every end. */
  setLink(segment: number, up: boolean): void {
    this.segmentUp[segment] = up;
    for (const port of this.segments[segment] ?? []) this.node(port.node).setCarrier(port.ifname, up, this.now);
  }

  addr(nodeName: string, ifname: string, cidr: string): void {
    const parsed = parseCidr4(cidr);
    if (parsed === null) throw new Error(`bad cidr ${cidr}`);
    const result = this.node(nodeName).kernel.addAddress(ifname, { address: parsed.address, prefixLength: parsed.prefixLength });
    if (!result.ok) throw new Error(`addAddress ${cidr}: ${JSON.stringify(result)}`);
  }

  delAddr(nodeName: string, ifname: string, cidr: string): void {
    const parsed = parseCidr4(cidr);
    if (parsed === null) throw new Error(`bad cidr ${cidr}`);
    const result = this.node(nodeName).kernel.deleteAddress(ifname, parsed.address, parsed.prefixLength);
    if (!result.ok) throw new Error(`deleteAddress ${cidr}: ${JSON.stringify(result)}`);
  }

  /** `ip route add|append PREFIX [via GW] [dev DEV] [metric M]`, or a reject type. */
  route(nodeName: string, prefix: string, options: { via?: string; dev?: string; metric?: number; type?: RouteType; mode?: 'add' | 'append' | 'replace'; table?: number; protocol?: number } = {}): void {
    const parsed = prefix === 'default' ? { address: 0, prefixLength: 0 } : parseCidr4(prefix);
    if (parsed === null) throw new Error(`bad prefix ${prefix}`);
    const node = this.node(nodeName);
    const gateway = options.via !== undefined ? parseIpv4(options.via) ?? 0 : 0;
    let dev = options.dev;
    if (dev === undefined && gateway !== 0) {
      const found = node.kernel.devices().find((d) => d.addresses.some((a) => !a.secondary && (((a.address ^ gateway) >>> (32 - a.prefixLength)) === 0 || a.prefixLength === 0)));
      dev = found?.name;
    }
    const type = options.type ?? 'unicast';
    const result = node.kernel.modifyRoute(
      {
        table: options.table ?? 254,
        dst: parsed.address,
        prefixLength: parsed.prefixLength,
        tos: 0,
        priority: options.metric ?? 0,
        type,
        protocol: options.protocol ?? 3,
        scope: type !== 'unicast' ? 0 : gateway === 0 ? 253 : 0,
        prefsrc: 0,
        nexthops: type === 'unicast' && dev !== undefined ? [{ gateway, dev, weight: 1, onlink: false }] : [],
        multipath: false,
        mtu: 0,
        mtuLock: false,
      },
      options.mode ?? 'add',
    );
    if (!result.ok) throw new Error(`route ${prefix}: ${JSON.stringify(result)}`);
  }

  sysctl(nodeName: string, name: string, value: number): void {
    const result = this.node(nodeName).kernel.sysctls.set(name, value);
    if (result !== 'ok') throw new Error(`sysctl ${name}: ${result}`);
  }

  /** Run a command line on a node; runs the clock until it exits or `within` has passed. */
  exec(nodeName: string, line: string, within: Nanos = 0): CommandRun {
    const run: CommandRun = { stdout: '', stderr: '', status: null, interrupt: () => {} };
    const handle = this.node(nodeName).exec(line, this.now, {
      stdout: (text) => {
        run.stdout += text;
      },
      stderr: (text) => {
        run.stderr += text;
      },
      exit: (status) => {
        run.status = status;
      },
    });
    run.interrupt = () => handle.interrupt();
    if (within > 0) this.runUntil(this.now + within, () => run.status !== null);
    return run;
  }

  /** Advance the clock by `duration`, processing deliveries and timers in order. */
  run(duration: Nanos): void {
    this.runUntil(this.now + duration);
  }

  runUntil(end: Nanos, stop?: () => boolean): void {
    for (;;) {
      if (stop?.() === true) return;
      let next = this.deliveries.nextDeadline();
      for (const node of this.nodes.values()) next = Math.min(next, node.nextDeadline());
      if (next > end) break;
      this.now = Math.max(this.now, next);
      this.deliveries.runDue(this.now);
      for (const node of this.nodes.values()) if (node.nextDeadline() <= this.now) node.runTimers(this.now);
    }
    this.now = Math.max(this.now, end);
  }

  /** Frames sent by `node` (optionally on `ifname`) since `since`. */
  sent(nodeName: string, ifname?: string, since = 0): CapturedFrame[] {
    return this.transmitted.filter((f) => f.node === nodeName && (ifname === undefined || f.ifname === ifname) && f.at >= since);
  }

  drops(nodeName?: string): CapturedEvent[] {
    return this.events.filter((e) => e.event.type === 'drop' && (nodeName === undefined || e.node === nodeName));
  }

  private carry(nodeName: string, ifname: string, frame: Uint8Array): void {
    this.transmitted.push({ at: this.now, node: nodeName, ifname, frame });
    const port = this.ports.get(`${nodeName}:${ifname}`);
    if (port === undefined || this.segmentUp[port.segment] !== true) return;
    for (const peer of this.segments[port.segment] ?? []) {
      if (peer === port) continue;
      const copy = frame.slice();
      this.deliveries.schedule(this.now + this.latency, (at) => this.node(peer.node).receive(peer.ifname, copy, at));
    }
  }
}

/** Two nodes on one link, each with an address on its eth0: `twoNodes(['h1', '10.0.0.1/24'], ['h2', '10.0.0.2/24'])`. */
export function twoNodes([first, firstCidr]: [string, string], [second, secondCidr]: [string, string]): Lab {
  const lab = new Lab();
  lab.addNode(first);
  lab.addNode(second);
  lab.link(`${first}:eth0`, `${second}:eth0`);
  lab.addr(first, 'eth0', firstCidr);
  lab.addr(second, 'eth0', secondCidr);
  return lab;
}

/**
 * Two IPv6 hosts on one link, h1 2001:db8::1/64 and h2 2001:db8::2/64 on eth0 (nodad: usable at
 * once), each with its programs, 2 s on (their link-local addresses through DAD).
 */
export function ipv6Pair(programs: { h1?: Readonly<Record<string, Program>>; h2?: Readonly<Record<string, Program>> } = {}): Lab {
  const lab = new Lab();
  lab.addNode('h1', programs.h1 !== undefined ? { programs: programs.h1 } : {});
  lab.addNode('h2', programs.h2 !== undefined ? { programs: programs.h2 } : {});
  lab.link('h1:eth0', 'h2:eth0');
  lab.exec('h1', 'ip -6 addr add 2001:db8::1/64 dev eth0 nodad');
  lab.exec('h2', 'ip -6 addr add 2001:db8::2/64 dev eth0 nodad');
  lab.run(2 * SECOND);
  return lab;
}

/** A socket a test opens on a node directly (parts.sockets.openUdp): the socket, or the test fails with the errno. */
export function opened<S extends object>(socket: S): Exclude<S, { errno: string }> {
  if ('errno' in socket) throw new Error(`socket: ${String(socket.errno)}`);
  return socket as Exclude<S, { errno: string }>;
}

export function ip(text: string): number {
  const address = parseIpv4(text);
  if (address === null) throw new Error(`bad address ${text}`);
  return address;
}

