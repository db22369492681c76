/**
 * Real nodes for the apps' integration tests: nodes built by @netloom/stack's createNode with the
 * programs of this package, wired by in-memory point-to-point links or hubs with a fixed latency,
 * and driven by a manual clock in (time, scheduling order). Nodes are configured through their
 * own shell (`ip addr add …`), as a topology's `exec:` would.
 *
 * Leaves out: bandwidth, loss and queues (the runtime's links), shards and workers.
 */
import { createNode, type LinuxNode, type Nanos, type Program } from '@netloom/stack';

export const MS = 1_000_000;
export const SECOND = 1_000_000_000;

export interface LabRun {
  stdout: string;
  stderr: string;
  /** null while the command is still running. */
  status: number | null;
  interrupt(): void;
}

interface Delivery {
  at: Nanos;
  order: number;
  run: (at: Nanos) => void;
}

interface Port {
  node: string;
  ifname: string;
  segment: number;
}

export class NodeLab {
  now: Nanos = 0;
  latency: Nanos = 1 * MS;
  private readonly nodes = new Map<string, LinuxNode>();
  private readonly ports = new Map<string, Port>();
  private readonly segments: Port[][] = [];
  private readonly segmentUp: boolean[] = [];
  private deliveries: Delivery[] = [];
  private order = 0;

  constructor(private readonly programs: Readonly<Record<string, Program>>) {}

  addNode(name: string, options: { forwarding?: boolean; netbsd2004?: boolean } = {}): LinuxNode {
    const node = createNode(
      {
        name,
        kind: options.forwarding === true ? 'router' : 'host',
        seed: (this.nodes.size + 1) * 7919,
        ...(options.netbsd2004 === true ? { compat: { 'netbsd-2004': true } } : {}),
      },
      { transmit: (ifname, frame) => this.carry(name, ifname, frame), event: () => {} },
      this.programs,
    );
    this.nodes.set(name, node);
    if (options.forwarding === true) this.sh(name, 'sysctl -w net.ipv4.ip_forward=1');
    return node;
  }

  node(name: string): LinuxNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  }

  /** A link between `node:ifname` ends (a hub with more than two); interfaces are set up. */
  link(...ends: string[]): number {
    const segment = this.segments.length;
    const members: Port[] = [];
    for (const end of ends) {
      const [nodeName = '', ifname = ''] = end.split(':');
      const node = this.node(nodeName);
      const nodeIndex = [...this.nodes.keys()].indexOf(nodeName) + 1;
      node.addEthernet(ifname, new Uint8Array([0x02, 0, 0, 0, nodeIndex, node.interfaceNames().length]), 1500);
      node.setCarrier(ifname, true, this.now);
      this.sh(nodeName, `ip link set ${ifname} up`);
      const port = { node: nodeName, ifname, segment };
      this.ports.set(end, port);
      members.push(port);
    }
    this.segments.push(members);
    this.segmentUp.push(true);
    return segment;
  }

  /** Run a shell command that completes at once; throws when it fails. */
  sh(nodeName: string, line: string): string {
    const run = this.exec(nodeName, line);
    if (run.status !== 0) throw new Error(`${nodeName}: ${line}: status ${run.status}: ${run.stderr}`);
    return run.stdout;
  }

  /** Start a command; with `within`, run the clock until it exits or `within` has passed. */
  exec(nodeName: string, line: string, within: Nanos = 0): LabRun {
    const run: LabRun = { stdout: '', stderr: '', status: null, interrupt: () => {} };
    const handle = this.node(nodeName).exec(line, this.now, {
      stdout: (text) => void (run.stdout += text),
      stderr: (text) => void (run.stderr += text),
      exit: (status) => void (run.status = status),
    });
    run.interrupt = () => handle.interrupt();
    if (within > 0) this.runUntil(this.now + within, () => run.status !== null);
    return run;
  }

  run(duration: Nanos): void {
    this.runUntil(this.now + duration);
  }

  runUntil(end: Nanos, stop?: () => boolean): void {
    for (;;) {
      if (stop?.() === true) return;
      let next = Number.POSITIVE_INFINITY;
      for (const d of this.deliveries) next = Math.min(next, d.at);
      for (const node of this.nodes.values()) next = Math.min(next, node.nextDeadline());
      if (next > end) break;
      this.now = Math.max(this.now, next);
      const due = this.deliveries.filter((d) => d.at <= this.now).sort((a, b) => a.at - b.at || a.order - b.order);
      this.deliveries = this.deliveries.filter((d) => d.at > this.now);
      for (const d of due) d.run(this.now);
      for (const node of this.nodes.values()) if (node.nextDeadline() <= this.now) node.runTimers(this.now);
    }
    this.now = Math.max(this.now, end);
  }

  private carry(nodeName: string, ifname: string, frame: Uint8Array): void {
    const port = this.ports.get(`${nodeName}:${ifname}`);
    if (port === undefined || this.segmentUp[port.segment] !== true) return;
    for (const peer of this.segments[port.segment] ?? []) {
      if (peer === port) continue;
      const copy = frame.slice();
      this.deliveries.push({ at: this.now + this.latency, order: this.order++, run: (at) => this.node(peer.node).receive(peer.ifname, copy, at) });
    }
  }
}
