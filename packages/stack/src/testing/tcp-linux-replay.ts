/**
 * Replays a Linux TCP recording (tcp/fixtures/record-linux.py, read by ./tcp-linux-recording.ts) on
 * the model: the same network shape in a stack test Lab (1 ms per hop), the recording's sysctls, and
 * the same socket calls made by a program named `python3` on each end (so `ss -tanp` names the same
 * process), at the same distance in (virtual) time from what preceded them on Linux. A call whose
 * result Linux had before the next event is waited for in the model too, so the order of calls and
 * results is Linux's; the model's own speed sets how long each takes. `ss` listings are taken at the
 * recorded moments by the node's shell, and so are the scenario's own commands (a blackhole route on the
 * router). Captures: what tcpdump on that interface would see — the
 * node's own transmissions and its link peer's, the latter at their arrival.
 *
 * The agent mirrors fixtures/tcp-agent.py command for command through the TcpSocket contract
 * (process.ts): a non-blocking socket whose bytes are read as soon as they arrive.
 * Leaves out: more than one connection per agent; IPv6 through the router.
 */
import type { Nanos } from '../node-host.js';
import type { Errno, ProcessContext, Program, TcpSocket } from '../process.js';
import { Lab, MS, SECOND } from './lab.js';
import { wireSegmentOf, type LinuxRecording, type RecordedStep, type Role, type WireSegment } from './tcp-linux-recording.js';

/** What a call answered, as the Python agent prints it. */
export interface CallResult {
  ok?: true;
  errno?: string;
  bytes?: number;
  local?: [string, number];
}

interface Pending {
  done: boolean;
  result: CallResult;
  at: Nanos;
}

/** Every pending call is waited for at most this long (virtual): past it, the replay stops with an error. */
const WAIT_LIMIT: Nanos = 300 * SECOND;
/** sendall's chunk, as the bytes Python hands send(2) at once. */
const SEND_CHUNK = 65536;

/** One end's socket calls, as tcp-agent.py makes them. */
export class ModelAgent {
  private listener: TcpSocket | null = null;
  private conn: TcpSocket | null = null;
  private readonly backlog: TcpSocket[] = [];
  private buffered = 0;
  private ended = false;
  private failure: Errno | null = null;
  private waiter: (() => void) | null = null;

  constructor(private readonly ctx: ProcessContext) {}

  /** Starts a call; the returned record fills in when the call returns. */
  call(line: string): Pending {
    const pending: Pending = { done: false, result: {}, at: 0 };
    const finish = (result: CallResult): void => {
      if (pending.done) return;
      pending.done = true;
      pending.result = result;
      pending.at = this.ctx.now();
    };
    // The call runs from a timer due at once, so that it happens inside the node's own time (as a
    // program's code always does), not at whatever time the node last handled an event.
    this.ctx.setTimer(0, () => this.start(line, finish));
    return pending;
  }

  private start(line: string, finish: (result: CallResult) => void): void {
    const [command = '', ...args] = line.split(' ');
    const fail = (errno: string) => finish({ errno });
    switch (command) {
      case 'listen': {
        const s = this.socket(args[0] ?? '');
        const r = s.setsockopt('SO_REUSEADDR', true);
        const bound = r.ok ? s.bind(args[0] ?? '', Number(args[1])) : r;
        const listening = bound.ok ? s.listen(Number(args[2])) : bound;
        if (!listening.ok) return fail(listening.errno);
        this.listener = s;
        s.onAccept((connection) => {
          this.backlog.push(connection);
          this.wake();
        });
        finish({ ok: true });
        break;
      }
      case 'accept':
        this.until(() => this.backlog.length > 0, () => {
          this.adopt(this.backlog.shift() as TcpSocket);
          finish({ ok: true });
        });
        break;
      case 'connect': {
        const s = this.socket(args[0] ?? '');
        this.adopt(s);
        let connected = false;
        s.onConnect(() => {
          connected = true;
          this.wake();
        });
        const r = s.connect(args[0] ?? '', Number(args[1]));
        if (!r.ok) return fail(r.errno);
        this.until(() => connected || this.failure !== null, () => {
          if (this.failure !== null) fail(this.failure);
          else {
            const local = s.localAddress();
            finish({ ok: true, ...(local !== null ? { local: [local.address, local.port] } : {}) });
          }
        });
        break;
      }
      case 'send': {
        // sendall: blocks while the send buffer is full, fails with the connection's error.
        let left = Number(args[0]);
        let errno: Errno | null = null;
        const conn = this.connection();
        const pump = (): boolean => {
          while (left > 0 && errno === null) {
            if (this.failure !== null) errno = this.failure;
            else {
              const r = conn.send(new Uint8Array(Math.min(left, SEND_CHUNK)).fill(0x78));
              if (!r.ok) errno = r.errno;
              else if (r.accepted === 0) return false;
              else left -= r.accepted;
            }
          }
          return true;
        };
        conn.onWritable(() => this.wake());
        this.until(pump, () => (errno !== null ? fail(errno) : finish({ ok: true })));
        break;
      }
      case 'recv':
      case 'recveof': {
        const want = command === 'recv' ? Number(args[0]) : Infinity;
        let got = 0;
        this.until(
          () => {
            const take = Math.min(this.buffered, want - got);
            this.buffered -= take;
            got += take;
            return got >= want || this.ended || this.failure !== null;
          },
          () => (this.failure !== null && got === 0 ? fail(this.failure) : finish({ ok: true, bytes: got })),
        );
        break;
      }
      case 'waiterror':
        this.until(() => this.buffered > 0 || this.ended || this.failure !== null, () => {
          if (this.failure !== null) return fail(this.failure);
          const bytes = this.buffered;
          this.buffered = 0;
          finish({ ok: true, bytes });
        });
        break;
      case 'shutdown': {
        const r = this.connection().shutdown();
        if (r.ok) finish({ ok: true });
        else fail(r.errno);
        break;
      }
      case 'close':
        (this.conn ?? this.listener)?.close();
        if (this.conn !== null) this.conn = null;
        else this.listener = null;
        finish({ ok: true });
        break;
      case 'closelistener':
        this.listener?.close();
        this.listener = null;
        finish({ ok: true });
        break;
      default:
        throw new Error(`tcp-linux-replay: no agent command ${command}`);
    }
  }

  /** An IPv6 socket for an address with a colon, as tcp-agent.py makes them. */
  private socket(address: string): TcpSocket {
    const family = address.includes(':') ? 6 : 4;
    const s = this.ctx.tcpSocket(family);
    if ('errno' in s) throw new Error(`socket(AF_INET${family === 6 ? '6' : ''}, SOCK_STREAM): ${s.errno}`);
    return s;
  }

  private connection(): TcpSocket {
    if (this.conn === null) throw new Error('tcp-linux-replay: no connection');
    return this.conn;
  }

  private adopt(conn: TcpSocket): void {
    this.conn = conn;
    this.buffered = 0;
    this.ended = false;
    this.failure = null;
    conn.onData((data) => {
      this.buffered += data.length;
      this.wake();
    });
    conn.onEnd(() => {
      this.ended = true;
      this.wake();
    });
    conn.onError((errno) => {
      this.failure = errno;
      this.wake();
    });
  }

  /** Runs `then` once `ready()` holds (now, or when a socket event makes it hold). One waiter at a time. */
  private until(ready: () => boolean, then: () => void): void {
    if (ready()) return then();
    if (this.waiter !== null) throw new Error('tcp-linux-replay: a call is already blocked');
    this.waiter = () => {
      if (!ready()) return;
      this.waiter = null;
      then();
    };
  }

  private wake(): void {
    this.waiter?.();
  }
}

/** A model network of the recording's shape. */
export interface ModelNetwork {
  lab: Lab;
  agents: Map<Role, ModelAgent>;
  /** Capture label → the node and interface, and the link peer whose frames arrive there. */
  captures: Record<string, { node: string; ifname: string; peer: { node: string; ifname: string } }>;
  /** The recording's sysctls the model does not have (`node: name = value`); the others are set as recorded. */
  unsupportedSysctls: string[];
}

/** Builds the recording's network in a Lab and starts an agent (`python3`) on the client and the server. */
export function buildModelNetwork(recording: LinuxRecording): ModelNetwork {
  const lab = new Lab();
  const agents = new Map<Role, ModelAgent>();
  const python3: Program = (ctx) => {
    agents.set(ctx.hostname as Role, new ModelAgent(ctx));
  };
  const programs = { python3 };
  let captures: ModelNetwork['captures'];
  if (recording.network.shape === 'direct') {
    lab.addNode('client', { programs });
    lab.addNode('server', { programs });
    lab.link('client:eth0', 'server:eth0');
    if (recording.network.client.includes(':')) {
      shell(lab, 'client', `ip -6 addr add ${recording.network.client}/64 dev eth0 nodad`);
      shell(lab, 'server', `ip -6 addr add ${recording.network.server}/64 dev eth0 nodad`);
    } else {
      lab.addr('client', 'eth0', `${recording.network.client}/24`);
      lab.addr('server', 'eth0', `${recording.network.server}/24`);
    }
    captures = {
      'client-eth0': { node: 'client', ifname: 'eth0', peer: { node: 'server', ifname: 'eth0' } },
      'server-eth0': { node: 'server', ifname: 'eth0', peer: { node: 'client', ifname: 'eth0' } },
    };
  } else {
    lab.addNode('client', { programs });
    lab.addNode('router', { forwarding: true });
    lab.addNode('server', { programs });
    lab.link('client:eth0', 'router:eth0');
    lab.link('router:eth1', 'server:eth0');
    lab.addr('client', 'eth0', '10.0.1.1/24');
    lab.addr('router', 'eth0', '10.0.1.254/24');
    lab.addr('router', 'eth1', '10.0.2.254/24');
    lab.addr('server', 'eth0', '10.0.2.1/24');
    lab.route('client', 'default', { via: '10.0.1.254' });
    lab.route('server', 'default', { via: '10.0.2.254' });
    shell(lab, 'router', 'ip link set eth1 mtu 1400');
    shell(lab, 'server', 'ip link set eth0 mtu 1400');
    captures = {
      'client-eth0': { node: 'client', ifname: 'eth0', peer: { node: 'router', ifname: 'eth0' } },
      'server-eth0': { node: 'server', ifname: 'eth0', peer: { node: 'router', ifname: 'eth1' } },
    };
  }
  const unsupportedSysctls: string[] = [];
  for (const [node, values] of Object.entries(recording.sysctl)) {
    for (const [name, text] of Object.entries(values)) {
      const value = text.split('\t').join(' ');
      const current = lab.exec(node, `sysctl -n ${name}`, SECOND);
      if (current.status !== 0) unsupportedSysctls.push(`${node}: ${name} = ${value}`);
      else if (current.stdout.trim().split(/\s+/).join(' ') !== value) shell(lab, node, `sysctl -qw ${name}="${value}"`);
    }
  }
  lab.run(100 * MS);
  for (const role of ['client', 'server'] as const) lab.exec(role, 'python3');
  return { lab, agents, captures, unsupportedSysctls };
}

function shell(lab: Lab, node: string, line: string): void {
  const run = lab.exec(node, line, SECOND);
  if (run.status !== 0) throw new Error(`${node}: ${line}: status ${run.status}: ${run.stderr.trim()}`);
}

/** What the model did for a recording: each step's result and time, the listings, the captures. */
export interface ModelReplay {
  network: ModelNetwork;
  /** Virtual time of the first call (the origin the recording's times are measured from). */
  start: Nanos;
  steps: { step: RecordedStep; issuedAt: Nanos; result: CallResult; at: Nanos }[];
  listings: { stage: string; node: string; command: string; output: string; at: Nanos }[];
}

type TimelineEvent =
  | { t: number; kind: 'call'; index: number }
  | { t: number; kind: 'result'; index: number }
  | { t: number; kind: 'listing'; index: number }
  | { t: number; kind: 'command'; index: number };

/** Replays every call and listing of `recording` on a model network of its shape. */
export function replayRecording(recording: LinuxRecording): ModelReplay {
  const network = buildModelNetwork(recording);
  const { lab, agents } = network;
  const events: TimelineEvent[] = [
    ...recording.steps.flatMap((step, index): TimelineEvent[] => [
      { t: step.t, kind: 'call', index },
      // The recorder stamps a call just after handing it over, so a quick answer may carry an earlier time.
      { t: Math.max(step.t, step.result.t), kind: 'result', index },
    ]),
    ...recording.ss.map((listing, index): TimelineEvent => ({ t: listing.t, kind: 'listing', index })),
    ...(recording.commands ?? []).map((command, index): TimelineEvent => ({ t: command.t, kind: 'command', index })),
  ].sort((a, b) => a.t - b.t);
  const start = lab.now + SECOND;
  const pending: (Pending | undefined)[] = [];
  const replay: ModelReplay = { network, start, steps: [], listings: [] };
  let anchorLinux = events[0]?.t ?? 0;
  let anchorModel = start;
  for (const event of events) {
    if (event.kind === 'result') {
      const p = pending[event.index];
      if (p === undefined) throw new Error(`tcp-linux-replay: result before call ${event.index}`);
      lab.runUntil(lab.now + WAIT_LIMIT, () => p.done);
      const step = recording.steps[event.index] as RecordedStep;
      if (!p.done) throw new Error(`tcp-linux-replay: ${step.role}: ${step.call}: no result after ${WAIT_LIMIT / SECOND} s`);
      anchorLinux = event.t;
      anchorModel = Math.max(anchorModel, p.at);
      continue;
    }
    const at = anchorModel + Math.round((event.t - anchorLinux) * SECOND);
    lab.runUntil(Math.max(lab.now, at));
    anchorLinux = event.t;
    anchorModel = lab.now;
    if (event.kind === 'call') {
      const step = recording.steps[event.index] as RecordedStep;
      const agent = agents.get(step.role);
      if (agent === undefined) throw new Error(`tcp-linux-replay: no agent on ${step.role}`);
      const p = agent.call(step.call);
      lab.runUntil(lab.now);
      pending[event.index] = p;
      replay.steps[event.index] = { step, issuedAt: lab.now, get result() { return p.result; }, get at() { return p.at; } };
    } else if (event.kind === 'command') {
      const command = recording.commands?.[event.index];
      if (command !== undefined) shell(lab, command.node, command.command);
    } else {
      const listing = recording.ss[event.index] as LinuxRecording['ss'][number];
      const run = lab.exec(listing.node, listing.command, SECOND);
      replay.listings.push({ stage: listing.stage, node: listing.node, command: listing.command, output: run.stdout + run.stderr, at: lab.now });
    }
  }
  lab.run(SECOND);
  return replay;
}

/** The TCP segments tcpdump on a capture's interface would have seen in the model. */
export function modelSegments(replay: ModelReplay, capture: string): WireSegment[] {
  const where = replay.network.captures[capture];
  if (where === undefined) throw new Error(`tcp-linux-replay: no capture ${capture}`);
  const { lab } = replay.network;
  const frames = lab.transmitted
    .filter((f) => (f.node === where.node && f.ifname === where.ifname) || (f.node === where.peer.node && f.ifname === where.peer.ifname))
    .map((f) => ({ at: f.node === where.node ? f.at : f.at + lab.latency, frame: f.frame }))
    .sort((a, b) => a.at - b.at);
  return frames.map(wireSegmentOf).filter((s): s is WireSegment => s !== null);
}
