/**
 * The one scripted stand-in for @netloom/runtime's Emulator, for the CLI's tests (parsing, console,
 * reports) and the terminal UI's (ink-testing-library and the tmux launcher), without worker threads.
 * It models nothing real; it only exercises the EmulatorApi surface. Built from a topology spec
 * (`routerChainSpec(n)` gives the UI's h1 — r1 — … — rN — h2, addressed as
 * topologies/router-chain.yaml), its nodes know a handful of commands:
 * `echo`, `hostname`, `false`, `ip addr add A/L dev IF`, `ip route add default via G`, `ip link …`,
 * `ip addr` (the addresses), `ip route get D` (connected or via the default gateway),
 * `ip -4 -j route show table all` (no routes) and `sysctl -n net.ipv4.ip_forward` (1 on routers)
 * for the forwarding warnings, `ping -c N D` (Linux-shaped lines; the path is found over the
 * topology's links and LANs, each crossing a tx trace event, a link that is down a `linkDown` drop),
 * and `crash`, which throws as a failed shard would; anything else fails with the tool's error text.
 * Time moves 1 ms per command and 1 s per ping probe; `advance` moves it.
 *
 * A spawned command answers all at once: its output (in two chunks split mid-line, as the runtime
 * may split it) and its exit come with the next advance(), as the runtime's come with the next
 * window; the real engine's pacing is tested on the real engine. `emit()` injects trace events,
 * `emitTimeline()` a timeline event, `advanceFailure` makes advance() reject (a node that died);
 * `calls` records what was asked of it. (It replaces the UI's own router-chain fake, which
 * answered the same commands for a fixed chain: one fake, one set of answers.)
 */

import { matches, parseTopology, type TopologySpec } from '@netloom/topology';
import type { Engine } from '../engine.js';
import type {
  CommandExit,
  CommandResult,
  EmulatorApi,
  EmulatorOptions,
  ExecOptions,
  LinkChange,
  LinkInfo,
  NodeInfo,
  RunReport,
  TimelineEvent,
  TraceEvent,
} from '../runtime-api.js';

const MS = 1_000_000;
const SECOND = 1_000_000_000;

/**
 * h1 — r1 — … — rN — h2 as topologies/router-chain.yaml: link i is 10.0.i.0/24, its left end .1
 * and its right end .2; every node routes by default to the right (h2 to the left); 1 ms links.
 */
export function routerChainSpec(routers = 2): TopologySpec {
  const names = ['h1', ...Array.from({ length: routers }, (_, i) => `r${i + 1}`), 'h2'];
  const last = names.length - 1;
  const nodes = names.map((name, position) => {
    const exec: string[] = [];
    if (position > 0) exec.push(`ip addr add 10.0.${position - 1}.2/24 dev eth0`);
    if (position < last) exec.push(`ip addr add 10.0.${position}.1/24 dev ${position === 0 ? 'eth0' : 'eth1'}`);
    exec.push(`ip route add default via ${position < last ? `10.0.${position}.2` : `10.0.${position - 1}.1`}`);
    const kind = position === 0 || position === last ? 'host' : 'router';
    return `  ${name}:\n    kind: ${kind}\n    exec:\n${exec.map((line) => `      - ${line}\n`).join('')}`;
  });
  const links = names.slice(1).map((right, i) => `  - endpoints: [${names[i]}:${i === 0 ? 'eth0' : 'eth1'}, ${right}:eth0]\n`);
  return parseTopology(`name: router-chain\nseed: 7\ndefaults:\n  link: { latency: 1ms }\nnodes:\n${nodes.join('')}links:\n${links.join('')}`, 'router-chain.yaml');
}

interface Address {
  ifname: string;
  family: 4 | 6;
  address: string;
  prefixLength: number;
}

function toNumber(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function sameSubnet(a: Address, destination: string): boolean {
  if (a.family !== 4 || a.ifname === 'lo') return false;
  const shift = 32 - a.prefixLength;
  return Math.floor(toNumber(a.address) / 2 ** shift) === Math.floor(toNumber(destination) / 2 ** shift);
}

type Output = { node: string; id: number; stream: 'stdout' | 'stderr'; text: string };

export class FakeEmulator implements EmulatorApi {
  readonly name: string;
  private time = 0;
  private readonly nodeState: NodeInfo[];
  private readonly gateways = new Map<string, string>();
  private readonly linkState: LinkInfo[];
  private readonly traceListeners = new Set<(events: TraceEvent[]) => void>();
  private readonly outputListeners = new Set<(out: Output) => void>();
  private readonly exitListeners = new Set<(exit: CommandExit) => void>();
  private readonly timelineListeners = new Set<(event: TimelineEvent) => void>();
  /** Spawned commands' answers, delivered by the next advance(). */
  private answers: { id: number; result: CommandResult }[] = [];
  private nextId = 1;
  readonly calls: string[] = [];
  /** When set, advance() rejects with it (a node or shard that died). */
  advanceFailure: Error | null = null;
  capturing: string | null = null;
  closed = false;
  private started = false;

  constructor(
    private readonly spec: TopologySpec = routerChainSpec(),
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
    const info = (id: string, type: LinkInfo['type'], endpoints: string[], params: TopologySpec['links'][number]['params']): LinkInfo => ({
      id,
      type,
      endpoints,
      up: true,
      latencyNs: params.latencyNs,
      bandwidthBps: params.bandwidthBps,
      loss: params.loss,
      mtu: params.mtu,
      frames: 0,
      drops: 0,
      queueDepth: 0,
    });
    this.linkState = [
      ...spec.links.map((link) => info(link.id, 'p2p', [`${link.a.node}:${link.a.ifname}`, `${link.b.node}:${link.b.ifname}`], link.params)),
      ...spec.lans.map((lan) => info(lan.name, lan.type, lan.members.map((m) => `${m.node}:${m.ifname}`), lan.params)),
    ];
  }

  now(): number {
    return this.time;
  }

  async start(): Promise<void> {
    this.calls.push('start');
    this.startNow();
  }

  /** Runs the nodes' startup commands at once (once: a later start() runs nothing again); for a UI test that renders synchronously. */
  startNow(): this {
    if (this.started) return this;
    this.started = true;
    // The startup commands take no virtual time, as on the runtime (they complete at once at 0).
    const time = this.time;
    for (const node of this.spec.nodes) for (const cmd of node.exec) this.interpret(node.name, cmd);
    this.time = time;
    return this;
  }

  /** Output reaches `options.onOutput` all at once when the command ends (stdout, then stderr). */
  async exec(node: string, cmd: string, options: ExecOptions = {}): Promise<CommandResult> {
    this.calls.push(`exec ${node} ${cmd}`);
    const result = this.interpret(node, cmd);
    if (result.stdout !== '') options.onOutput?.('stdout', result.stdout);
    if (result.stderr !== '') options.onOutput?.('stderr', result.stderr);
    return result;
  }

  /** As exec, without moving time. */
  async inspect(node: string, cmd: string): Promise<CommandResult> {
    this.calls.push(`inspect ${node} ${cmd}`);
    const time = this.time;
    const result = this.interpret(node, cmd);
    this.time = time;
    return { ...result, t: time };
  }

  async spawn(node: string, cmd: string): Promise<{ id: number; interrupt(): Promise<void> }> {
    this.calls.push(`spawn ${node} ${cmd}`);
    const id = this.nextId++;
    this.answers.push({ id, result: this.interpret(node, cmd) });
    return { id, interrupt: async () => this.advance(MS) };
  }

  async advance(ns: number): Promise<void> {
    this.calls.push(`advance ${ns}`);
    if (this.advanceFailure !== null) throw this.advanceFailure;
    const answers = this.answers;
    this.answers = [];
    for (const { id, result } of answers) {
      for (const stream of ['stdout', 'stderr'] as const) {
        const text = result[stream];
        const cut = Math.floor(text.length / 2);
        for (const piece of [text.slice(0, cut), text.slice(cut)]) {
          if (piece.length > 0) for (const listener of this.outputListeners) listener({ node: result.node, id, stream, text: piece });
        }
      }
      for (const listener of this.exitListeners) listener({ node: result.node, id, status: result.status, t: this.time });
    }
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
    if (this.spec.expect.length === 0 && until !== undefined) this.time = Math.max(this.time, until);
    return { endTime: until ?? this.time + SECOND, expectations, passed: expectations.every((e) => e.passed) };
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

  onOutput(listener: (out: Output) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  onExit(listener: (exit: CommandExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  onTimeline(listener: (event: TimelineEvent) => void): () => void {
    this.timelineListeners.add(listener);
    return () => this.timelineListeners.delete(listener);
  }

  emitTimeline(event: TimelineEvent): void {
    for (const listener of this.timelineListeners) listener(event);
  }

  emit(events: TraceEvent[]): void {
    for (const listener of this.traceListeners) listener(events);
  }

  /** One file a link, named as the runtime names them (`h1_eth0--r1_eth0.pcapng`). */
  async startCapture(dir: string): Promise<string[]> {
    this.capturing = dir;
    return this.linkState.map((link) => `${dir}/${link.id.replace(/:/g, '_')}.pcapng`);
  }

  async stopCapture(): Promise<void> {
    this.capturing = null;
  }

  setRealtime(): void {}

  async close(): Promise<void> {
    this.closed = true;
  }

  private node(name: string): NodeInfo {
    const node = this.nodeState.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  private interpret(name: string, cmd: string): CommandResult {
    this.time += MS;
    const node = this.node(name);
    const words = cmd.trim().split(/\s+/).filter((w) => w !== '');
    const result = (status: number, stdout = '', stderr = ''): CommandResult => ({ t: this.time, node: name, cmd, status, stdout, stderr });
    switch (words[0]) {
      case 'echo':
        return result(0, `${words.slice(1).join(' ')}\n`);
      case 'hostname':
        return result(0, `${name}\n`);
      case 'false':
        return result(1);
      case 'sysctl':
        if (words.slice(1).join(' ') === '-n net.ipv4.ip_forward') return result(0, node.kind === 'router' ? '1\n' : '0\n');
        return result(255, '', `sysctl: cannot stat ${words.at(-1) ?? ''}\n`);
      case 'crash':
        throw new Error(`shard 0 failed on node ${name}: crash requested`);
      case 'ip':
        return this.ip(node, words, result);
      case 'ping':
        return this.ping(node, words, result);
      default:
        return result(127, '', `${words[0] ?? ''}: command not found\n`);
    }
  }

  private ip(node: NodeInfo, words: string[], result: (status: number, stdout?: string, stderr?: string) => CommandResult): CommandResult {
    const object = words[1] ?? '';
    if ((object === 'addr' || object === 'a') && words[2] === 'add' && words[4] === 'dev') {
      const [address = '', length = '32'] = (words[3] ?? '').split('/');
      node.addresses.push({ ifname: words[5] ?? '', family: address.includes(':') ? 6 : 4, address, prefixLength: Number(length) });
      return result(0);
    }
    if (object === 'addr' || object === 'a') {
      const own = node.addresses.filter((a) => a.ifname !== 'lo');
      return result(0, own.map((a, i) => `${i + 2}: ${a.ifname}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n    inet ${a.address}/${a.prefixLength} scope global ${a.ifname}\n`).join(''));
    }
    if (object === 'route' && words[2] === 'add' && words[3] === 'default' && words[4] === 'via' && words[5] !== undefined) {
      this.gateways.set(node.name, words[5]);
      return result(0);
    }
    if (object === 'route' && words[2] === 'get' && words[3] !== undefined) return result(0, this.routeGet(node, words[3]));
    if (object === 'link') return result(0);
    if (words.slice(1, 4).join(' ') === '-4 -j route') return result(0, '[]\n');
    return result(255, '', `Object "${object}" is unknown, try "ip help".\n`);
  }

  private routeGet(node: NodeInfo, destination: string): string {
    const direct = node.addresses.find((a) => sameSubnet(a, destination));
    if (direct !== undefined) return `${destination} dev ${direct.ifname} src ${direct.address} uid 0 \n    cache \n`;
    const gateway = this.gateways.get(node.name);
    const out = node.addresses.find((a) => gateway !== undefined && sameSubnet(a, gateway)) ?? node.addresses.find((a) => a.ifname !== 'lo');
    return `${destination} via ${gateway ?? '0.0.0.0'} dev ${out?.ifname ?? 'eth0'} src ${out?.address ?? '0.0.0.0'} uid 0 \n    cache \n`;
  }

  /** The links crossed from `from` to `to` (breadth first over links and LANs), or null when none joins them. */
  private path(from: string, to: string): { link: LinkInfo; sender: string; receiver: string }[] | null {
    const previous = new Map<string, { link: LinkInfo; sender: string }>();
    const seen = new Set([from]);
    const queue = [from];
    while (queue.length > 0) {
      const here = queue.shift() as string;
      if (here === to) break;
      for (const link of this.linkState) {
        const ends = link.endpoints.map((e) => e.split(':')[0] ?? '');
        if (!ends.includes(here)) continue;
        for (const next of ends) {
          if (seen.has(next)) continue;
          seen.add(next);
          previous.set(next, { link, sender: here });
          queue.push(next);
        }
      }
    }
    if (!seen.has(to)) return null;
    const hops: { link: LinkInfo; sender: string; receiver: string }[] = [];
    for (let at = to; at !== from; ) {
      const step = previous.get(at) as { link: LinkInfo; sender: string };
      hops.unshift({ link: step.link, sender: step.sender, receiver: at });
      at = step.sender;
    }
    return hops;
  }

  private ping(me: NodeInfo, words: string[], result: (status: number, stdout?: string, stderr?: string) => CommandResult): CommandResult {
    const countIndex = words.indexOf('-c');
    const count = countIndex >= 0 ? Number(words[countIndex + 1] ?? '1') : 3;
    const destination = words[words.length - 1] as string;
    // The path leads to the node holding the address, running or not; a stopped node receives the
    // frames (its port still counts them) but neither forwards nor answers.
    const target = this.nodeState.find((n) => n.addresses.some((a) => a.address === destination && a.ifname !== 'lo'));
    const path = target === undefined ? null : this.path(me.name, target.name);
    const source = me.addresses.find((a) => a.ifname !== 'lo')?.address ?? '0.0.0.0';
    const header = `PING ${destination} (${destination}) 56(84) bytes of data.`;
    const summary = (received: number): string =>
      `\n--- ${destination} ping statistics ---\n${count} packets transmitted, ${received} received, ${Math.round(((count - received) / count) * 100)}% packet loss, time ${(count - 1) * 1000}ms\n`;
    if (path === null) {
      this.time += count * SECOND;
      return result(1, `${header}\n${summary(0)}\n`);
    }
    let received = 0;
    const lines: string[] = [header];
    for (let seq = 1; seq <= count; seq++) {
      const start = this.time;
      const events: TraceEvent[] = [];
      const request = `IP ${source} > ${destination}: ICMP echo request, id 1, seq ${seq}, length 64`;
      let delivered = true;
      for (const [i, hop] of path.entries()) {
        const t = start + i * MS;
        const sender = this.node(hop.sender);
        if (!sender.running) {
          delivered = false;
          break;
        }
        if (!hop.link.up) {
          const port = hop.link.endpoints.find((e) => e.startsWith(`${hop.sender}:`))?.split(':')[1] ?? null;
          events.push({ t, kind: 'drop', node: hop.sender, ifname: port, link: hop.link.id, reason: 'linkDown', summary: request });
          hop.link.drops++;
          sender.drops++;
          delivered = false;
          break;
        }
        events.push({ t, kind: 'tx', node: hop.sender, ifname: null, link: hop.link.id, summary: request });
        hop.link.frames++;
        sender.framesOut++;
        this.node(hop.receiver).framesIn++;
      }
      if (delivered && target?.running === true) {
        received++;
        const reply = `IP ${destination} > ${source}: ICMP echo reply, id 1, seq ${seq}, length 64`;
        events.push({ t: start + path.length * MS, kind: 'tx', node: target?.name ?? '?', ifname: null, link: null, summary: reply });
        lines.push(`64 bytes from ${destination}: icmp_seq=${seq} ttl=${64 - path.length + 1} time=${(2 * path.length).toFixed(2)} ms`);
      }
      this.emit(events);
      this.time += SECOND;
    }
    return result(received > 0 ? 0 : 1, `${lines.join('\n')}\n${summary(received)}`);
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
    async benchLvs(options) {
      const connections = options.connections ?? 2000;
      options.onProgress?.(1, 1);
      return { clients: options.clients ?? 4, servers: options.servers ?? 4, connections, answered: connections, requested: connections, wallMs: 1000, connectionsPerSecond: connections, connectionsPerVirtualSecond: connections, peakRssBytes: 100 * 1048576, placement: options.placement ?? 'packed', workers: options.workers ?? 2, virtualNs: 1e9 };
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
    async benchTree(options) {
      const nodes = options.nodes ?? 100_000;
      const lans = Math.floor(nodes / 100);
      const biggestLan = nodes - lans - 1 - 98 * (lans - 1);
      options.onProgress?.(1, 1);
      return {
        nodes, routers: lans + 1, hosts: nodes - lans - 1, lans, depth: 2, fanout: options.fanout ?? 16, hostsPerLan: options.hostsPerLan ?? 64, biggestLan, commands: 3 * nodes,
        readyMs: nodes, pingAnswered: true, pingMs: 10, stormAnswered: 2 * biggestLan, stormCommands: 2 * biggestLan, stormFrames: 4 * biggestLan, stormMs: 20,
        peakRssBytes: nodes * 65536, placement: options.placement ?? 'packed', workers: options.workers ?? 2,
      };
    },
  };
}
