/**
 * A stand-in for the runtime's Emulator, for the UI's tests and the tmux launcher: a router
 * chain h1 — r1 — … — h2 addressed as topologies/router-chain.yaml is, that answers a few node-shell
 * commands with Linux-shaped output (`ip route get`, `ping -c N`, `ip addr`), fails the rest with
 * the tool's error text, emits trace events for pings (drops with reason `linkDown` when a link on
 * the path is down) and keeps virtual time. It models nothing real; it only exercises the
 * EmulatorApi surface the UI uses. `emit()` injects arbitrary trace events, `emitTimeline()` a
 * timeline event. A spawned command answers all at once: its output (in two chunks split
 * mid-line, as the runtime may split it) and its exit come with the next advance(), as the
 * runtime's come with the next window; the real engine's pacing is tested on the real engine.
 */
import type {
  CommandExit,
  CommandResult,
  EmulatorApi,
  LinkChange,
  LinkInfo,
  NodeInfo,
  RunReport,
  TimelineEvent,
  TraceEvent,
} from '@netloom/runtime';

interface FakeNode {
  name: string;
  kind: string;
  running: boolean;
  addresses: { ifname: string; address: string; prefixLength: number }[];
  gateway: string | null;
  framesIn: number;
  framesOut: number;
  drops: number;
}

/**
 * h1 — r1 — … — rN — h2 addressed like topologies/router-chain.yaml: link i is 10.0.i.0/24, its
 * left end .1 and right end .2; hosts and routers route by default to the right (h2 to the left).
 */
function routerChain(routers: number): FakeNode[] {
  const names = ['h1', ...Array.from({ length: routers }, (_, i) => `r${i + 1}`), 'h2'];
  return names.map((name, position) => {
    const addresses: FakeNode['addresses'] = [];
    if (position > 0) addresses.push({ ifname: 'eth0', address: `10.0.${position - 1}.2`, prefixLength: 24 });
    if (position < names.length - 1) addresses.push({ ifname: position === 0 ? 'eth0' : 'eth1', address: `10.0.${position}.1`, prefixLength: 24 });
    const gateway = position < names.length - 1 ? `10.0.${position}.2` : `10.0.${position - 1}.1`;
    const kind = position === 0 || position === names.length - 1 ? 'host' : 'router';
    return { name, kind, running: true, addresses, gateway, framesIn: 0, framesOut: 0, drops: 0 };
  });
}

const SECOND = 1_000_000_000;
const HOP_NS = 1_000_000;

function sameSubnet24(a: string, b: string): boolean {
  return a.split('.').slice(0, 3).join('.') === b.split('.').slice(0, 3).join('.');
}

export class FakeEmulator implements EmulatorApi {
  readonly name = 'router-chain';
  private time = 0;
  private readonly nodeList: FakeNode[];
  private readonly linkList: LinkInfo[];
  private readonly traceListeners = new Set<(events: TraceEvent[]) => void>();
  private readonly outputListeners = new Set<(out: { node: string; id: number; stream: 'stdout' | 'stderr'; text: string }) => void>();
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

  constructor(routers = 2) {
    this.nodeList = routerChain(routers);
    this.linkList = this.nodeList.slice(1).map((right, i) => {
      const left = this.nodeList[i] as FakeNode;
      return this.p2p(`${left.name}:${i === 0 ? 'eth0' : 'eth1'}--${right.name}:eth0`);
    });
  }

  private p2p(id: string): LinkInfo {
    return { id, type: 'p2p', endpoints: id.split('--'), up: true, latencyNs: HOP_NS, bandwidthBps: null, loss: 0, mtu: 1500, frames: 0, drops: 0, queueDepth: 0 };
  }

  now(): number {
    return this.time;
  }

  async start(): Promise<void> {
    this.calls.push('start');
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
    if (until !== undefined) this.time = until;
    return { endTime: this.time, expectations: [], passed: true };
  }

  nodes(): NodeInfo[] {
    return this.nodeList.map((n) => ({
      name: n.name,
      kind: n.kind,
      running: n.running,
      interfaces: ['lo', ...n.addresses.map((a) => a.ifname)],
      addresses: n.addresses.map((a) => ({ ifname: a.ifname, family: 4 as const, address: a.address, prefixLength: a.prefixLength })),
      framesIn: n.framesIn,
      framesOut: n.framesOut,
      drops: n.drops,
    }));
  }

  links(): LinkInfo[] {
    return this.linkList.map((l) => ({ ...l }));
  }

  async setLink(id: string, change: LinkChange): Promise<void> {
    this.calls.push(`setLink ${id} ${JSON.stringify(change)}`);
    const link = this.linkList.find((l) => l.id === id);
    if (link === undefined) throw new Error(`no link ${id}`);
    if (change.up !== undefined) link.up = change.up;
  }

  async stopNode(name: string): Promise<void> {
    const node = this.nodeList.find((n) => n.name === name);
    if (node !== undefined) node.running = false;
  }

  async startNode(name: string): Promise<void> {
    const node = this.nodeList.find((n) => n.name === name);
    if (node !== undefined) node.running = true;
  }

  onTrace(listener: (events: TraceEvent[]) => void): () => void {
    this.traceListeners.add(listener);
    return () => this.traceListeners.delete(listener);
  }

  onOutput(listener: (out: { node: string; id: number; stream: 'stdout' | 'stderr'; text: string }) => void): () => void {
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

  async startCapture(dir: string): Promise<string[]> {
    this.capturing = dir;
    return this.linkList.map((l) => `${dir}/${l.id.replace(/:/g, '_')}.pcapng`);
  }

  async stopCapture(): Promise<void> {
    this.capturing = null;
  }

  setRealtime(): void {}

  async close(): Promise<void> {
    this.closed = true;
  }

  async spawn(node: string, cmd: string): Promise<{ id: number; interrupt(): Promise<void> }> {
    this.calls.push(`spawn ${node} ${cmd}`);
    const id = this.nextId++;
    this.answers.push({ id, result: this.answer(node, cmd) });
    return { id, interrupt: async () => this.advance(HOP_NS) };
  }

  async exec(node: string, cmd: string): Promise<CommandResult> {
    this.calls.push(`exec ${node} ${cmd}`);
    return this.answer(node, cmd);
  }

  private answer(node: string, cmd: string): CommandResult {
    const me = this.nodeList.find((n) => n.name === node);
    if (me === undefined) throw new Error(`no node ${node}`);
    const words = cmd.trim().split(/\s+/);
    const result = (status: number, stdout: string, stderr = ''): CommandResult => ({ t: this.time, node, cmd, status, stdout, stderr });
    if (words[0] === 'crash') throw new Error('shard for r1 failed: something broke');
    if (words[0] === 'ip' && words[1] === 'route' && words[2] === 'get' && words[3] !== undefined) {
      return result(0, this.routeGet(me, words[3]));
    }
    if (words[0] === 'ip' && (words[1] === 'addr' || words[1] === 'a')) {
      return result(0, me.addresses.map((a, i) => `${i + 2}: ${a.ifname}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n    inet ${a.address}/${a.prefixLength} scope global ${a.ifname}\n`).join(''));
    }
    if (words[0] === 'ip') return result(255, '', `Object "${words[1] ?? ''}" is unknown, try "ip help".\n`);
    if (words[0] === 'ping') return this.ping(me, words, result);
    return result(127, '', `${words[0]}: command not found\n`);
  }

  private routeGet(me: FakeNode, destination: string): string {
    const direct = me.addresses.find((a) => sameSubnet24(a.address, destination));
    if (direct !== undefined) return `${destination} dev ${direct.ifname} src ${direct.address} uid 0 \n    cache \n`;
    const out = me.addresses.find((a) => me.gateway !== null && sameSubnet24(a.address, me.gateway)) ?? me.addresses[0];
    return `${destination} via ${me.gateway ?? '0.0.0.0'} dev ${out?.ifname ?? 'eth0'} src ${out?.address ?? '0.0.0.0'} uid 0 \n    cache \n`;
  }

  private ping(me: FakeNode, words: string[], result: (status: number, stdout: string, stderr?: string) => CommandResult): CommandResult {
    const countIndex = words.indexOf('-c');
    const count = countIndex >= 0 ? Number(words[countIndex + 1] ?? '1') : 3;
    const destination = words[words.length - 1] as string;
    const from = this.nodeList.indexOf(me);
    const to = this.nodeList.findIndex((n) => n.addresses.some((a) => a.address === destination));
    const source = me.addresses[0]?.address ?? '0.0.0.0';
    if (to < 0) {
      this.time += count * SECOND;
      return result(1, `PING ${destination} (${destination}) 56(84) bytes of data.\n\n--- ${destination} ping statistics ---\n${count} packets transmitted, 0 received, 100% packet loss, time ${count - 1}000ms\n\n`);
    }
    let received = 0;
    const lines: string[] = [`PING ${destination} (${destination}) 56(84) bytes of data.`];
    for (let seq = 1; seq <= count; seq++) {
      const start = this.time;
      const events: TraceEvent[] = [];
      let ok = true;
      const step = from < to ? 1 : -1;
      for (let i = from; i !== to; i += step) {
        const [a, b] = step > 0 ? [i, i + 1] : [i + step, i];
        const link = this.linkList[a] as LinkInfo;
        const sender = this.nodeList[i] as FakeNode;
        const summary = `IP ${source} > ${destination}: ICMP echo request, id 1, seq ${seq}, length 64`;
        const t = start + Math.abs(i - from) * HOP_NS;
        if (!link.up) {
          events.push({ t, kind: 'drop', node: sender.name, ifname: link.endpoints[step > 0 ? 0 : 1]?.split(':')[1] ?? null, link: link.id, reason: 'linkDown', summary });
          link.drops++;
          sender.drops++;
          ok = false;
          break;
        }
        events.push({ t, kind: 'tx', node: sender.name, ifname: null, link: link.id, summary });
        link.frames++;
        sender.framesOut++;
        const receiver = this.nodeList[step > 0 ? b : a] as FakeNode;
        receiver.framesIn++;
      }
      if (ok) {
        received++;
        events.push({ t: start + Math.abs(to - from) * HOP_NS, kind: 'tx', node: this.nodeList[to]?.name ?? '?', ifname: null, link: null, summary: `IP ${destination} > ${source}: ICMP echo reply, id 1, seq ${seq}, length 64` });
        lines.push(`64 bytes from ${destination}: icmp_seq=${seq} ttl=${64 - Math.abs(to - from) + 1} time=${(2 * Math.abs(to - from)).toFixed(2)} ms`);
      }
      this.emit(events);
      this.time += SECOND;
    }
    const loss = Math.round(((count - received) / count) * 100);
    lines.push('', `--- ${destination} ping statistics ---`, `${count} packets transmitted, ${received} received, ${loss}% packet loss, time ${(count - 1) * 1000}ms`, '');
    return result(received > 0 ? 0 : 1, `${lines.join('\n')}\n`);
  }
}
