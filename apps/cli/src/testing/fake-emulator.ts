/**
 * A scripted stand-in for @netloom/runtime's Emulator, for testing the CLI's parsing, console and
 * reports without worker threads. Its nodes know a handful of commands (`echo`, `hostname`,
 * `false`, `ip addr add`, `ip link set`, `ping -c N ADDR`, `crash`, and for the forwarding
 * warnings `sysctl -n net.ipv4.ip_forward` (1 on routers) and `ip -4 -j route show table all`
 * (no routes)), time moves 1 ms per command
 * and 1 s per ping; `crash` throws as a failed shard would. Not a network model.
 */

import { matches, type TopologySpec } from '@netloom/topology';
import type { Engine } from '../engine.js';
import type { CommandResult, EmulatorApi, EmulatorOptions, ExecOptions, LinkChange, LinkInfo, NodeInfo, RunReport, TraceEvent } from '../runtime-api.js';

export class FakeEmulator implements EmulatorApi {
  readonly name: string;
  private time = 0;
  private readonly nodeState: NodeInfo[];
  private readonly linkState: LinkInfo[];
  private readonly traceListeners = new Set<(events: TraceEvent[]) => void>();
  readonly calls: string[] = [];
  closed = false;

  constructor(
    private readonly spec: TopologySpec,
    readonly options: EmulatorOptions = {},
  ) {
    this.name = spec.name;
    this.nodeState = spec.nodes.map((node) => ({
      name: node.name,
      kind: node.kind,
      running: true,
      interfaces: ['lo', ...node.interfaces.map((i) => i.name)],
      addresses: [{ ifname: 'lo', family: 4, address: '127.0.0.1', prefixLength: 8 }],
      framesIn: 0,
      framesOut: 0,
      drops: 0,
    }));
    this.linkState = [
      ...spec.links.map((link): LinkInfo => ({
        id: link.id,
        type: 'p2p',
        endpoints: [`${link.a.node}:${link.a.ifname}`, `${link.b.node}:${link.b.ifname}`],
        up: true,
        latencyNs: link.params.latencyNs,
        bandwidthBps: link.params.bandwidthBps,
        loss: link.params.loss,
        mtu: link.params.mtu,
        frames: 0,
        drops: 0,
        queueDepth: 0,
      })),
      ...spec.lans.map((lan): LinkInfo => ({
        id: lan.name,
        type: lan.type,
        endpoints: lan.members.map((m) => `${m.node}:${m.ifname}`),
        up: true,
        latencyNs: lan.params.latencyNs,
        bandwidthBps: lan.params.bandwidthBps,
        loss: lan.params.loss,
        mtu: lan.params.mtu,
        frames: 0,
        drops: 0,
        queueDepth: 0,
      })),
    ];
  }

  now(): number {
    return this.time;
  }

  async start(): Promise<void> {
    for (const node of this.spec.nodes) for (const cmd of node.exec) this.interpret(node.name, cmd);
  }

  /** Output reaches `options.onOutput` all at once when the command ends (stdout, then stderr). */
  async exec(node: string, cmd: string, options: ExecOptions = {}): Promise<CommandResult> {
    this.calls.push(`exec ${node} ${cmd}`);
    const { status, stdout, stderr } = this.interpret(node, cmd);
    if (stdout !== '') options.onOutput?.('stdout', stdout);
    if (stderr !== '') options.onOutput?.('stderr', stderr);
    return { t: this.time, node, cmd, status, stdout, stderr };
  }

  async spawn(): Promise<{ id: number; interrupt(): Promise<void> }> {
    throw new Error('spawn is not scripted in the fake emulator');
  }

  async advance(ns: number): Promise<void> {
    this.calls.push(`advance ${ns}`);
    this.time += ns;
  }

  async run(until?: number): Promise<RunReport> {
    const expectations = [];
    for (const [index, expect] of this.spec.expect.entries()) {
      if (until !== undefined && expect.at > until) {
        const result = { t: until, node: expect.node, cmd: expect.cmd, status: -1, stdout: '', stderr: '' };
        expectations.push({ index, at: expect.at, node: expect.node, cmd: expect.cmd, passed: false, message: 'not run', result });
        continue;
      }
      if (expect.at > this.time) this.time = expect.at;
      const result = await this.exec(expect.node, expect.cmd);
      const problems: string[] = [];
      if (expect.status !== undefined && result.status !== expect.status) problems.push(`status ${result.status}, want ${expect.status}`);
      for (const m of expect.stdout) if (!matches(m, result.stdout)) problems.push(`stdout did not match ${JSON.stringify(m)}`);
      for (const m of expect.stderr) if (!matches(m, result.stderr)) problems.push(`stderr did not match ${JSON.stringify(m)}`);
      expectations.push({ index, at: expect.at, node: expect.node, cmd: expect.cmd, passed: problems.length === 0, message: problems.join('; '), result });
    }
    return { endTime: until ?? this.time + 1_000_000_000, expectations, passed: expectations.every((e) => e.passed) };
  }

  nodes(): NodeInfo[] {
    return this.nodeState.map((node) => ({ ...node, addresses: [...node.addresses] }));
  }

  links(): LinkInfo[] {
    return this.linkState.map((link) => ({ ...link }));
  }

  async setLink(id: string, change: LinkChange): Promise<void> {
    this.calls.push(`setLink ${id} ${JSON.stringify(change)}`);
    const link = this.linkState.find((l) => l.id === id);
    if (!link) throw new Error(`no link ${id}`);
    if (change.up !== undefined) link.up = change.up;
    if (change.latencyNs !== undefined) link.latencyNs = change.latencyNs;
    if (change.bandwidthBps !== undefined) link.bandwidthBps = change.bandwidthBps;
    if (change.loss !== undefined) link.loss = change.loss;
    if (change.mtu !== undefined) link.mtu = change.mtu;
  }

  async stopNode(name: string): Promise<void> {
    this.calls.push(`stopNode ${name}`);
    this.node(name).running = false;
  }

  async startNode(name: string): Promise<void> {
    this.calls.push(`startNode ${name}`);
    this.node(name).running = true;
  }

  onTrace(listener: (events: TraceEvent[]) => void): () => void {
    this.traceListeners.add(listener);
    return () => this.traceListeners.delete(listener);
  }

  onOutput(): () => void {
    return () => undefined;
  }

  onExit(): () => void {
    return () => undefined;
  }

  onTimeline(): () => void {
    return () => undefined;
  }

  async startCapture(dir: string): Promise<string[]> {
    return this.linkState.map((link) => `${dir}/${link.id.replaceAll(':', '-')}.pcapng`);
  }

  async stopCapture(): Promise<void> {}

  setRealtime(): void {}

  async close(): Promise<void> {
    this.closed = true;
  }

  private node(name: string): NodeInfo {
    const node = this.nodeState.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  private interpret(name: string, cmd: string): { status: number; stdout: string; stderr: string } {
    this.time += 1_000_000;
    const node = this.node(name);
    const words = cmd.split(/\s+/).filter((w) => w !== '');
    const ok = (stdout = '') => ({ status: 0, stdout, stderr: '' });
    switch (words[0]) {
      case 'echo':
        return ok(`${words.slice(1).join(' ')}\n`);
      case 'hostname':
        return ok(`${name}\n`);
      case 'false':
        return { status: 1, stdout: '', stderr: '' };
      case 'sysctl':
        if (words.slice(1).join(' ') === '-n net.ipv4.ip_forward') return ok(node.kind === 'router' ? '1\n' : '0\n');
        return { status: 255, stdout: '', stderr: `sysctl: cannot stat ${words.at(-1) ?? ''}\n` };
      case 'crash':
        throw new Error(`shard 0 failed on node ${name}: crash requested`);
      case 'ip':
        if (words[1] === 'addr' && words[2] === 'add' && words[4] === 'dev') {
          const [address = '', length = '32'] = (words[3] ?? '').split('/');
          node.addresses.push({ ifname: words[5] ?? '', family: address.includes(':') ? 6 : 4, address, prefixLength: Number(length) });
          return ok();
        }
        if (words[1] === 'link') return ok();
        if (words.slice(1, 4).join(' ') === '-4 -j route') return ok('[]\n');
        return { status: 255, stdout: '', stderr: `Object "${words[1] ?? ''}" is unknown, try "ip help".\n` };
      case 'ping': {
        const count = Number(words[words.indexOf('-c') + 1] ?? 1);
        const target = words[words.length - 1] ?? '';
        const reachable = this.nodeState.some((n) => n.running && n.addresses.some((a) => a.address === target && a.ifname !== 'lo'));
        this.time += count * 1_000_000_000;
        const event: TraceEvent = { t: this.time, kind: 'tx', node: name, ifname: 'eth0', link: null, summary: `ICMP echo request to ${target}` };
        for (const listener of this.traceListeners) listener([event]);
        const received = reachable ? count : 0;
        const stdout = `PING ${target}\n${count} packets transmitted, ${received} received, ${reachable ? 0 : 100}% packet loss\n`;
        return { status: reachable ? 0 : 1, stdout, stderr: '' };
      }
      default:
        return { status: 127, stdout: '', stderr: `${words[0] ?? ''}: command not found\n` };
    }
  }
}

/** An Engine whose emulators are FakeEmulators; `opened` keeps them for assertions. */
export function fakeEngine(): Engine & { opened: FakeEmulator[] } {
  const opened: FakeEmulator[] = [];
  return {
    opened,
    open(spec, options) {
      const emulator = new FakeEmulator(spec, options);
      opened.push(emulator);
      return emulator;
    },
    formatTrace(event) {
      return `${(event.t / 1e9).toFixed(9)} ${event.node} ${event.kind} ${event.summary}`;
    },
    async benchChain(options) {
      const routers = options.routers ?? 8;
      const packets = options.packets ?? 100_000;
      const hopForwards = routers * packets;
      return {
        routers,
        packets,
        delivered: packets,
        hopForwards,
        wallMs: 1000,
        hopForwardsPerSec: hopForwards,
        hopForwardsPerSecond: hopForwards,
        peakRssBytes: 100 * 1048576,
        placement: options.placement ?? 'packed',
        workers: options.workers ?? 2,
        virtualNs: 1e9,
      };
    },
    // The other benchmarks: figures that follow from the options, as the real ones' shapes.
    async benchLan(options) {
      const hosts = options.hosts ?? 32;
      const commands = 2 * hosts * (hosts - 1);
      options.onProgress?.(1, 1);
      return { hosts, rounds: hosts - 1, answered: commands, commands, switchFrames: 2 * commands, wallMs: 1000, framesPerSecond: 2 * commands, peakRssBytes: 100 * 1048576, placement: options.placement ?? 'packed', workers: options.workers ?? 2, virtualNs: 1e9 };
    },
    async benchBoot(options) {
      const nodes = options.nodes ?? 1000;
      return { nodes, links: nodes - 1, commands: 5 * nodes, readyMs: nodes, peakRssBytes: nodes * 65536, placement: options.placement ?? 'packed', workers: options.workers ?? 2 };
    },
    async benchBarrier(options) {
      const windows = options.windows ?? 2000;
      const workers = options.placement === 'inline' ? 0 : (options.workers ?? 2);
      return { nodes: options.nodes ?? 16, windows, shards: Math.max(1, workers), frames: 2 * 15 * windows, wallMs: 1000, windowsPerSecond: windows, peakRssBytes: 100 * 1048576, placement: options.placement ?? 'packed', workers, virtualNs: windows * 1e5 };
    },
  };
}
