/**
 * The controller and the library API (`Emulator`): loads a topology, starts the shards, and moves
 * virtual time in conservative windows.
 *
 * Windows (ARCHITECTURE §3): a window is [T, min(T + lookahead, next timeline item, target)) where
 * T is the earliest pending event of any shard or in-flight envelope (idle time is skipped) and
 * the lookahead is the smallest latency of all links and LANs — of all, not only of those crossing
 * shards, so the windows (and with them every trace) are the same for every placement. Controls
 * (commands, link changes, node stop/start) are applied at a window's start, in the order they were
 * given. Shards with nothing due and nothing arriving sit a window out.
 *
 * Spans: when nothing the controller does depends on where windows end (advance, run up to the next
 * timeline item; no command awaited or watched, not real time), it hands every shard one span of up
 * to SPAN_LOOKAHEADS lookaheads instead, which each shard runs in steps bounded only by the shards it
 * shares links with (promises, shard.ts's runSpan); a shard computes the same events whatever
 * the steps, so traces do not change. `sync` chooses: auto (the default), neighbour or global.
 *
 * Results of a window are merged in (time, node, per-node seq) order before anyone sees them:
 * trace events, pcapng frames, command output. The first node that throws ends the emulation with
 * an EmulatorError naming it (`node r3: Error: …`); so does a shard thread that dies. The topology's
 * own commands (presets, `exec:` lines, timed `events:` commands) run as a script under `set -e`:
 * the first to exit non-zero, checked after every window in the order they were started, ends the
 * emulation with a CommandFailedError giving its file:line:col (a line ending in `|| true` may fail).
 *
 * Real-time mode paces window starts to the wall clock (× speed); it changes when windows run,
 * never what they compute. Leaves out: the node model (stack), the file format (topology).
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type {
  Control,
  ExitRecord,
  FrameEnvelope,
  LinkPlacement,
  NodeFactoryRef,
  NodePlacement,
  NodeStateRecord,
  OutputRecord,
  PortPlacement,
  PortStateRecord,
  ShardFailure,
  StartMessage,
  TraceRecord,
  WindowDoneMessage,
} from '@netloom/ipc';
import { PROTOCOL_VERSION } from '@netloom/ipc';
import { loadTopologyFile, parseExecLine, type SourcePosition, type TopologySpec } from '@netloom/topology';
import { CommandFailedError, EmulatorError, type CommandLocation, type FailedCommand } from './emulator-error.js';
import { CommandRecord } from './command-output.js';
import { checkExpectation } from './expectation-check.js';
import type {
  CommandExit,
  CommandResult,
  EmulatorApi,
  ExecOptions,
  EmulatorOptions,
  ExpectationResult,
  LinkChange,
  LinkInfo,
  NodeInfo,
  Placement,
  RunReport,
  Synchronisation,
  TimelineEvent,
  TraceEvent,
} from './emulator-types.js';
import { summarizeFrame } from './frame-summary.js';
import type { NodeFactory } from './node-factory.js';
import { PcapngCapture } from './pcapng-writer.js';
import { onStuckRefusal, type StuckNodeHandler } from './inline-watchdog.js';
import { buildTables, defaultPlacement } from './placement.js';
import { availableMemory, estimateMemory, memoryShortfall, workerThreadBytes } from './memory-budget.js';
import { allocateRing, ringCapacityForMtu } from './frame-ring.js';
import { InlineShardChannel, ShardPool, ShardThreadError, shouldSpin, type ShardChannel, watchdogMs, WorkerShardChannel } from './shard-channel.js';

/** The largest MTU a link may have (as the topology format's limit). */
const MAX_MTU = 65535;
/** How long a command may keep virtual time moving before it is interrupted. */
export const COMMAND_CAP_NS = 3600e9;
/** After the interrupt, how long it gets to print its summary and exit. */
const INTERRUPT_GRACE_NS = 10e9;
/** run() without `until`: the last timeline item plus this. */
const RUN_GRACE_NS = 1e9;
/** The longest the window loop keeps the event loop waiting. */
const YIELD_EVERY_MS = 20;
/** In real-time mode, the most wall time one idle step sleeps. */
const REALTIME_STEP_MS = 50;
/** A span covers at most this many lookaheads: what a shard holds for its reply stays bounded, and the caller's event loop turns between spans. */
const SPAN_LOOKAHEADS = 256;
/** Spans begin after this many windows in a row with no idle time between them (a busy stretch). */
const BUSY_WINDOWS_BEFORE_SPANS = 4;
/** Under auto, between threads, the first span of a busy stretch covers this many lookaheads, and each busy one doubles it (to SPAN_LOOKAHEADS). */
const FIRST_SPAN_LOOKAHEADS = 8;
/** A stop condition that never holds: runUntil may run spans (nothing depends on where windows end). */
const NEVER = (): boolean => false;

/** The synchronisation in effect: the option, else NETLOOM_SYNC, else auto. */
function synchronisationOf(option: EmulatorOptions['sync']): Synchronisation {
  const chosen = option ?? process.env['NETLOOM_SYNC'] ?? 'auto';
  if (chosen !== 'global' && chosen !== 'neighbour' && chosen !== 'auto') {
    throw new EmulatorError(`sync must be auto, neighbour or global, got ${JSON.stringify(chosen)}${option === undefined ? ' (NETLOOM_SYNC)' : ''}`);
  }
  return chosen;
}
const ROUTER_PRESET = 'sysctl -w net.ipv4.ip_forward=1';
const FORWARDING_KINDS = new Set(['router', 'director', 'home-agent']);

export const DEFAULT_NODE_FACTORY: NodeFactoryRef = {
  module: new URL(import.meta.url.endsWith('.ts') ? '../dist/real-node.js' : './real-node.js', import.meta.url).href,
  export: 'createRealNode',
};

/** Finished spawned commands whose results stay readable (commandResult); older ones are forgotten. */
const RECENT_SPAWNED = 64;

type CommandState = CommandRecord;

/** A topology command that must succeed, until it has. */
interface WatchedCommand {
  phase: FailedCommand['phase'];
  at: number;
  location: CommandLocation | null;
}

type OutputListener = (out: { node: string; id: number; stream: 'stdout' | 'stderr'; text: string }) => void;

function byTimeNodeSeq(a: { t: number; node: number; seq: number }, b: { t: number; node: number; seq: number }): number {
  return a.t - b.t || a.node - b.node || a.seq - b.seq;
}

/** `down`, `up`, `set latency 5ms loss 1%`: a link event in the shell console's words. */
function describeLinkChange(change: LinkChange): string {
  const words: string[] = [];
  if (change.up !== undefined) words.push(change.up ? 'up' : 'down');
  const settings: string[] = [];
  if (change.latencyNs !== undefined) settings.push(`latency ${change.latencyNs / 1e6}ms`);
  if (change.bandwidthBps !== undefined) settings.push(`bandwidth ${change.bandwidthBps === null ? 'unlimited' : `${change.bandwidthBps}bit`}`);
  if (change.loss !== undefined) settings.push(`loss ${change.loss * 100}%`);
  if (change.mtu !== undefined) settings.push(`mtu ${change.mtu}`);
  if (change.queue !== undefined) settings.push(`queue ${change.queue}`);
  if (settings.length > 0) words.push(`set ${settings.join(' ')}`);
  return words.join(' ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Emulator implements EmulatorApi {
  readonly name: string;
  readonly spec: TopologySpec;
  /** The placement in use and the number of shards, e.g. `packed` with 2. */
  readonly placement: Placement;
  readonly shardCount: number;
  private readonly seed: number;
  private readonly factory: NodeFactoryRef;
  private readonly nodeTable: NodePlacement[];
  private readonly portTable: PortPlacement[];
  private readonly linkTable: LinkPlacement[];
  private readonly nodeIndex: Map<string, number>;
  private readonly linkIndex: Map<string, number>;
  private readonly portIndex = new Map<string, number>();
  private readonly portEnd: number[] = [];
  private readonly nodeInfo: NodeInfo[];
  private readonly portState: PortStateRecord[];
  /** The frame rings between shards (worker placements): each direction, with its data capacity. */
  private readonly rings: { from: number; to: number; capacity: number }[];

  private channels: ShardChannel[] = [];
  private pool: ShardPool | null = null;
  private started = false;
  private closed = false;
  /** Set by close(): the running operation stops at its next window. */
  private closing = false;
  private failure: EmulatorError | null = null;
  /** Windows ran since the shards last settled (see settle()). */
  private unsettled = false;
  /** Wall-time ms a worker may go without answering (shard-channel.ts). */
  private readonly watchdogMs: number;
  /** Who is told of a node stuck inline (inline-watchdog.ts); null: no inline watchdog. */
  private readonly onStuck: StuckNodeHandler | null;
  private current = 0;
  private lookahead: number;
  private inflight: FrameEnvelope[][] = [];
  /** Frames in the rings to each shard (worker placements): how many, and the earliest due. */
  private ringed: { frames: number; firstAt: number }[] = [];
  private shardNext: number[] = [];
  private controls: Control[][] = [];
  private hasControls = false;
  private nextCommandId = 1;
  private readonly commands = new Map<number, CommandState>();
  private readonly startup: number[] = [];
  /** Topology commands that must succeed and have not exited yet, in the order they started. */
  private readonly watched = new Map<number, WatchedCommand>();
  private readonly traceListeners = new Set<(events: TraceEvent[]) => void>();
  private readonly outputListeners = new Set<OutputListener>();
  private readonly exitListeners = new Set<(exit: CommandExit) => void>();
  private readonly timelineListeners = new Set<(event: TimelineEvent) => void>();
  /** Spawned commands, oldest first, whose records go once RECENT_SPAWNED newer ones have exited. */
  private readonly spawned: number[] = [];
  private capture: PcapngCapture | null = null;
  private operations: Promise<unknown> = Promise.resolve();
  private realtime: boolean;
  /** With `playEvents`: the file's events in time order, and how many have been applied. */
  private readonly liveEvents: { at: number; apply(): void }[] | null;
  private liveEventsApplied = 0;
  /** Spans (neighbour) or windows only (global): see runUntil. */
  readonly sync: Synchronisation;
  /** Windows and spans run, and the waits for a neighbour's clock inside spans (for benchmarks). */
  private readonly synchronised = { windows: 0, spans: 0, waits: 0 };
  /** Windows in a row that began where the previous one ended (no idle time skipped). */
  private busyWindows = 0;
  /** Lookaheads the next span covers under auto between threads (FIRST_SPAN_LOOKAHEADS … SPAN_LOOKAHEADS). */
  private spanLookaheads = FIRST_SPAN_LOOKAHEADS;
  private speed: number;
  private wallBase = 0;
  private virtualBase = 0;

  private constructor(spec: TopologySpec, options: EmulatorOptions) {
    for (const link of [...spec.links.map((l) => ({ id: l.id, params: l.params })), ...spec.lans.map((l) => ({ id: l.name, params: l.params }))]) {
      // The lookahead is the smallest latency: a zero latency would make windows empty.
      if (!(Number.isInteger(link.params.latencyNs) && link.params.latencyNs > 0)) {
        throw new EmulatorError(`link ${link.id}: latency must be a positive whole number of ns, got ${link.params.latencyNs}`);
      }
    }
    if (options.workers !== undefined && !(Number.isInteger(options.workers) && options.workers >= 1)) {
      throw new EmulatorError(`workers must be a whole number ≥ 1, got ${options.workers}`);
    }
    if (options.speed !== undefined && !(options.speed > 0)) throw new EmulatorError(`speed must be positive, got ${options.speed}`);
    if (options.watchdogMs !== undefined && !(options.watchdogMs > 0)) throw new EmulatorError(`watchdogMs must be positive, got ${options.watchdogMs}`);
    this.spec = spec;
    this.name = spec.name;
    this.seed = options.seed ?? spec.seed;
    const cores = availableParallelism();
    // Default: inline for small topologies, else packed on as many workers as there are cores (§4).
    this.placement = options.placement ?? defaultPlacement(spec.nodes.length, options.workers);
    const refusal = onStuckRefusal(options.onStuck, this.placement === 'inline');
    if (refusal !== null) throw new EmulatorError(refusal);
    const workers = options.workers ?? Math.min(cores, spec.nodes.length);
    let tables: ReturnType<typeof buildTables>;
    try {
      tables = buildTables(spec, this.seed, this.placement, workers, options.shardOf);
    } catch (e) {
      if (e instanceof RangeError) throw new EmulatorError(e.message);
      throw e;
    }
    this.shardCount = tables.shards;
    this.nodeTable = tables.nodes;
    this.portTable = tables.ports;
    this.linkTable = tables.links;
    if (options.ringBytes !== undefined && !(Number.isInteger(options.ringBytes) && options.ringBytes >= 1024 && (options.ringBytes & (options.ringBytes - 1)) === 0)) {
      throw new EmulatorError(`ringBytes must be a power of two ≥ 1024, got ${options.ringBytes}`);
    }
    this.rings = this.placement === 'inline' ? [] : this.ringPlan(options.ringBytes);
    const rings = this.rings.map((ring) => ring.capacity);
    const threadBytes = workerThreadBytes(this.placement, options.nodeFactory ?? DEFAULT_NODE_FACTORY);
    const shortfall = memoryShortfall(this.placement, estimateMemory(this.placement, this.shardCount, spec.nodes.length, rings, threadBytes), options.availableMemory ?? availableMemory());
    if (shortfall !== null) throw new EmulatorError(shortfall);
    this.factory = options.nodeFactory ?? DEFAULT_NODE_FACTORY;
    this.nodeIndex = new Map(tables.nodes.map((n) => [n.name, n.index]));
    this.linkIndex = new Map(tables.links.map((l) => [l.id, l.index]));
    for (const port of tables.ports) {
      this.portIndex.set(`${tables.nodes[port.node]!.name}:${port.ifname}`, port.index);
      this.portEnd[port.index] = tables.links[port.link]!.ports.indexOf(port.index);
    }
    this.nodeInfo = spec.nodes.map((node) => ({
      name: node.name,
      kind: node.kind,
      running: true,
      interfaces: ['lo', ...node.interfaces.map((i) => i.name)],
      addresses: [],
      framesIn: 0,
      framesOut: 0,
      drops: 0,
    }));
    this.portState = tables.ports.map((p) => ({ port: p.index, frames: 0, drops: 0, queueDepth: 0 }));
    this.lookahead = this.computeLookahead();
    this.realtime = options.realtime ?? false;
    this.sync = synchronisationOf(options.sync);
    this.speed = options.speed ?? 1;
    this.watchdogMs = watchdogMs(options.watchdogMs);
    this.onStuck = options.onStuck ?? null;
    this.liveEvents = options.playEvents === true ? this.eventItems().sort((a, b) => a.at - b.at) : null;
    for (let s = 0; s < this.shardCount; s++) {
      this.inflight.push([]);
      this.ringed.push({ frames: 0, firstAt: Infinity });
      this.shardNext.push(0);
      this.controls.push([]);
    }
  }

  /** Load a topology file (or take a parsed spec). Nothing runs until start(). Throws TopologyError on a bad file. */
  static async load(pathOrSpec: string | TopologySpec, options: EmulatorOptions = {}): Promise<Emulator> {
    const spec = typeof pathOrSpec === 'string' ? loadTopologyFile(pathOrSpec) : pathOrSpec;
    return new Emulator(spec, options);
  }

  /** How the nodes were placed, for messages: `per-node (5 workers)`, `packed (2 workers)`, `inline`. */
  describePlacement(): string {
    if (this.placement === 'inline') return 'inline';
    return `${this.placement} (${this.shardCount} worker${this.shardCount === 1 ? '' : 's'})`;
  }

  private computeLookahead(): number {
    let lookahead = Infinity;
    for (const link of this.linkTable) lookahead = Math.min(lookahead, link.params.latencyNs);
    return lookahead;
  }

  now(): number {
    return this.current;
  }

  // ---- serialisation of operations -------------------------------------------------------------

  private operate<T>(operation: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.failure !== null) throw this.failure;
      if (this.closed) throw new EmulatorError('the emulator is closed');
      try {
        const result = await operation();
        if (this.unsettled) await this.settle();
        return result;
      } catch (error) {
        throw await this.fail(error);
      }
    };
    const result = this.operations.then(run, run);
    this.operations = result.catch(() => undefined);
    return result;
  }

  /**
   * Before an operation reports success, let every shard run what its nodes started asynchronously
   * and report a fault it raised (a node's exception in a real timer is never a success).
   */
  private async settle(): Promise<void> {
    this.unsettled = false;
    for (const settled of await Promise.all(this.channels.map((channel) => channel.settle()))) {
      if (settled.error !== null) throw this.shardError(settled.shard, settled.error);
    }
  }

  private async fail(error: unknown): Promise<unknown> {
    if (this.failure !== null) return this.failure;
    if (error instanceof ShardThreadError) {
      const nodes = this.nodeTable.filter((n) => n.shard === error.shard).map((n) => n.name);
      const named = error.node !== null ? this.nodeTable[error.node]!.name : nodes.length === 1 ? nodes[0]! : null;
      const who = named !== null ? `node ${named}` : `shard ${error.shard} (nodes ${nodes.join(', ')})`;
      this.failure = new EmulatorError(`${who}: ${error.message}`, named);
    } else if (error instanceof EmulatorError && error.node !== null) {
      this.failure = error;
    } else {
      return error;
    }
    await this.shutdown();
    return this.failure;
  }

  private async shutdown(): Promise<void> {
    this.capture?.close();
    this.capture = null;
    const channels = this.channels;
    this.channels = [];
    // A shard still in a span (its neighbour failed) gives it up instead of waiting for a clock.
    this.pool?.poisonClocks();
    await Promise.all(channels.map((c) => c.close().catch(() => undefined)));
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy().catch(() => undefined);
  }

  // ---- starting ---------------------------------------------------------------------------------

  start(): Promise<void> {
    return this.operate(() => this.startNow());
  }

  private async startNow(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.placement === 'inline') {
      const module = (await import(this.factory.module)) as Record<string, unknown>;
      const factory = module[this.factory.export];
      if (typeof factory !== 'function') throw new EmulatorError(`${this.factory.module} does not export ${this.factory.export}`);
      this.channels = [new InlineShardChannel(0, factory as NodeFactory, { onStuck: this.onStuck, watchdogMs: this.watchdogMs })];
    } else {
      const rings = this.rings.map((ring) => ({ from: ring.from, to: ring.to, buffer: allocateRing(ring.capacity) }));
      this.pool = await ShardPool.open(this.shardCount, shouldSpin(this.shardCount), this.watchdogMs, rings, this.factory);
      // The pool's own list: workers it starts later (after the one making the code cache) join it.
      this.channels = this.pool.channels;
    }
    const spin = this.pool !== null && shouldSpin(this.shardCount);
    // A node with a startup command is busy in the first window, which reports its state: ready need not.
    const statesAfterFirstWindow: number[] = [];
    this.spec.nodes.forEach((node, index) => {
      if (FORWARDING_KINDS.has(node.kind) || node.exec.length > 0) statesAfterFirstWindow.push(index);
    });
    // The whole tables; a pool sends each worker its shard's part (start-subset.ts).
    const start: StartMessage = {
      type: 'start',
      version: PROTOCOL_VERSION,
      shard: 0,
      seed: this.seed,
      nodes: this.nodeTable,
      ports: this.portTable,
      links: this.linkTable,
      factory: this.factory,
      spin,
      statesAfterFirstWindow,
    };
    const readies = this.pool !== null ? await this.pool.start(start) : await Promise.all(this.channels.map((channel) => channel.start(start)));
    for (const ready of readies) {
      if (ready.error !== null) throw this.shardError(ready.shard, ready.error);
      this.applyNodeStates(ready.nodes);
    }
    for (const [index, node] of this.spec.nodes.entries()) {
      if (FORWARDING_KINDS.has(node.kind)) this.startup.push(this.injectTopologyCommand(index, ROUTER_PRESET, 'startup', undefined, true));
      node.exec.forEach((line, j) => this.startup.push(this.injectTopologyCommand(index, line, 'startup', node.execSource?.[j], true)));
    }
    await this.runUntil(this.current + COMMAND_CAP_NS, () => this.startup.every((id) => this.commands.get(id)!.status !== null));
    const stuck = this.startup.find((id) => this.watched.has(id));
    if (stuck !== undefined) throw this.commandFailure(stuck);
  }

  /**
   * Starts one of the topology's own command lines: a trailing `|| true` is split off and lets it
   * fail; otherwise it is watched, and its failure ends the emulation.
   */
  private injectTopologyCommand(node: number, line: string, phase: WatchedCommand['phase'], source: SourcePosition | undefined, queued: boolean): number {
    const { cmd, mayFail } = parseExecLine(line);
    const id = this.inject(node, cmd, queued);
    const location = source === undefined ? null : { file: this.spec.file, ...source };
    if (!mayFail) this.watched.set(id, { phase, at: this.current, location });
    return id;
  }

  private commandFailure(id: number): CommandFailedError {
    const command = this.commands.get(id)!;
    const watched = this.watched.get(id)!;
    const { node, cmd, status, stdout, stderr } = command;
    return new CommandFailedError({ phase: watched.phase, node, command: cmd, status, stdout, stderr, at: watched.at, location: watched.location });
  }

  /** After a window: forget the watched commands that succeeded; throw for the first that failed. */
  private checkWatchedCommands(): void {
    for (const id of this.watched.keys()) {
      const status = this.commands.get(id)!.status;
      if (status === null) continue;
      if (status !== 0) throw this.commandFailure(id);
      this.watched.delete(id);
    }
  }

  /** A shard's report of a failure: a node's (named), or the shard's own (it and its nodes are named by fail()). */
  private shardError(shard: number, failure: ShardFailure): Error {
    return failure.node === null ? new ShardThreadError(shard, failure.message) : new EmulatorError(`node ${failure.node}: ${failure.message}`, failure.node);
  }

  /** Results of the startup commands (router presets and `exec:` lines), in order. */
  startupResults(): CommandResult[] {
    return this.startup.map((id) => this.result(id));
  }

  // ---- the window loop ----------------------------------------------------------------------------

  private addControl(node: number | null, control: Control): void {
    if (node === null) for (const list of this.controls) list.push(control);
    else this.controls[this.nodeTable[node]!.shard]!.push(control);
    this.hasControls = true;
  }

  private inject(node: number, cmd: string, queued: boolean, onOutput: ExecOptions['onOutput'] | null = null): number {
    const id = this.nextCommandId++;
    this.commands.set(id, new CommandRecord(this.nodeTable[node]!.name, cmd, this.current, onOutput ?? null));
    this.addControl(node, { type: 'exec', id, node, cmd, queued });
    return id;
  }

  /**
   * A ring each way between two shards that share a link, sized by the largest MTU of the links
   * between them (frame-ring.ts's ringCapacityForMtu), or `ringBytes` when given.
   */
  private ringPlan(ringBytes: number | undefined): { from: number; to: number; capacity: number }[] {
    const mtus = new Map<number, number>();
    for (const link of this.linkTable) {
      const shards = [...new Set(link.ports.map((p) => this.nodeTable[this.portTable[p]!.node]!.shard))];
      for (const from of shards) {
        for (const to of shards) {
          const pair = from * this.shardCount + to;
          if (from !== to) mtus.set(pair, Math.max(mtus.get(pair) ?? 0, link.params.mtu));
        }
      }
    }
    return [...mtus]
      .sort((a, b) => a[0] - b[0])
      .map(([pair, mtu]) => ({ from: Math.floor(pair / this.shardCount), to: pair % this.shardCount, capacity: ringBytes ?? ringCapacityForMtu(mtu) }));
  }

  private nextEventTime(): number {
    let next = Infinity;
    for (const t of this.shardNext) if (t < next) next = t;
    for (const ring of this.ringed) if (ring.firstAt < next) next = ring.firstAt;
    for (const batch of this.inflight) for (const envelope of batch) if (envelope.deliverAt < next) next = envelope.deliverAt;
    return next;
  }

  /**
   * Run windows until virtual time reaches `target` or `stop()` holds after a window; `timeline`
   * gives the next item's time and applies items due now.
   */
  private async runUntil(target: number, stop: () => boolean, timeline = this.liveTimeline(), lastSettles = false): Promise<void> {
    let lastYield = performance.now();
    for (;;) {
      if (this.closing) throw new EmulatorError('the emulator was closed');
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        // Long runs still let the event loop breathe (the TUI's keys, timers, worker failures).
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      timeline?.applyDue(this.current);
      if (stop() || this.current >= target) return;
      let limit = Math.min(target, timeline?.next() ?? Infinity);
      // In real time, idle stretches pass in short steps: the clock visibly moves and close() is prompt.
      if (this.realtime) limit = Math.min(limit, this.current + Math.max(1, Math.round(REALTIME_STEP_MS * 1e6 * this.speed)));
      const start = this.hasControls ? this.current : Math.max(this.current, this.nextEventTime());
      if (start >= limit) {
        await this.pace(limit);
        this.current = limit;
        continue;
      }
      await this.pace(start);
      // A span when nothing the controller does depends on where windows end: no stop condition, no
      // topology command to check after each window, no pacing; controls apply at its start as at a window's.
      // Between threads a span costs a wait per shard for every lookahead it covers (channel clocks
      // creep while idle), where windows skip idle time: `auto` starts spans after a busy stretch,
      // short ones first (doubling while busy), and goes back to windows after a span with more
      // waits than events; `neighbour` always spans, and inline (no waits) spans at full length.
      const adaptive = this.sync === 'auto' && this.pool !== null;
      const spans = this.sync === 'neighbour' || (this.sync === 'auto' && (this.pool === null || this.busyWindows >= BUSY_WINDOWS_BEFORE_SPANS));
      if (stop === NEVER && spans && !this.realtime && this.watched.size === 0) {
        const lookaheads = adaptive ? this.spanLookaheads : SPAN_LOOKAHEADS;
        const until = Math.min(start + lookaheads * this.lookahead, limit);
        // The operation's last span settles every shard on the way (each is in it): no settle round trip after.
        const { waits, events } = await this.window(start, until, true, lastSettles && until >= target);
        if (waits > events) {
          this.busyWindows = 0;
          this.spanLookaheads = FIRST_SPAN_LOOKAHEADS;
        } else this.spanLookaheads = Math.min(SPAN_LOOKAHEADS, 2 * this.spanLookaheads);
      } else {
        const contiguous = start === this.current;
        await this.window(start, Math.min(start + this.lookahead, limit));
        this.busyWindows = contiguous ? this.busyWindows + 1 : 0;
      }
      this.checkWatchedCommands();
    }
  }

  private async pace(virtual: number): Promise<void> {
    if (!this.realtime) return;
    const wallNow = performance.now();
    let due = this.wallBase + (virtual - this.virtualBase) / 1e6 / this.speed;
    if (due < wallNow - 100 || virtual < this.virtualBase) {
      // Paused or fell behind: start pacing afresh from here.
      this.wallBase = wallNow;
      this.virtualBase = this.current;
      due = this.wallBase + (virtual - this.virtualBase) / 1e6 / this.speed;
    }
    if (due > wallNow + 1) await sleep(due - wallNow);
  }

  /**
   * Run [start, until) on the shards: a window (the shards with work), or a span (every shard, each
   * bounded by its neighbours' promises; shard.ts's runSpan).
   */
  private async window(start: number, until: number, span = false, settle = false): Promise<{ waits: number; events: number }> {
    const trace = this.traceListeners.size > 0 || this.capture !== null;
    const active: number[] = [];
    for (let s = 0; s < this.shardCount; s++) {
      if (span || this.controls[s]!.length > 0 || this.inflight[s]!.length > 0 || this.ringed[s]!.frames > 0 || this.shardNext[s]! < until) active.push(s);
    }
    const messages = active.map((s) => ({
      type: 'window' as const,
      version: PROTOCOL_VERSION,
      start,
      until,
      controls: this.controls[s]!,
      frames: this.inflight[s]!,
      trace,
      ...(span ? { span } : {}),
      ...(settle ? { settle } : {}),
    }));
    if (settle && active.length !== this.shardCount) throw new Error('a settling window must go to every shard');
    for (const s of active) {
      this.controls[s] = [];
      this.inflight[s] = [];
      // It takes in everything in its rings at the window's start.
      this.ringed[s] = { frames: 0, firstAt: Infinity };
    }
    this.hasControls = false;
    this.unsettled = true;
    let results: WindowDoneMessage[];
    if (span) this.synchronised.spans++;
    else this.synchronised.windows++;
    if (this.pool !== null) {
      if (span) this.pool.startClocks(start);
      const channels = active.map((s) => this.channels[s] as WorkerShardChannel);
      channels.forEach((channel, i) => channel.post(messages[i]!));
      results = await Promise.all(channels.map((channel) => channel.reply()));
    } else {
      results = await Promise.all(active.map((s, i) => this.channels[s]!.window(messages[i]!)));
    }
    this.current = until;
    for (const result of results) {
      if (result.error !== null) throw this.shardError(result.shard, result.error);
    }
    // Every shard settled after this window (and reported what the settle raised, above).
    if (settle) this.unsettled = false;
    const outputs: OutputRecord[] = [];
    const exits: ExitRecord[] = [];
    const traces: TraceRecord[] = [];
    let waits = 0;
    let events = 0;
    for (const result of results) {
      waits += result.waits ?? 0;
      events += result.events ?? 0;
      this.shardNext[result.shard] = result.nextEventAt;
      for (const batch of result.out) for (const envelope of batch.frames) this.inflight[batch.shard]!.push(envelope);
      for (const batch of result.ringed) {
        const ring = this.ringed[batch.shard]!;
        ring.frames += batch.frames;
        if (batch.firstAt < ring.firstAt) ring.firstAt = batch.firstAt;
      }
      // Loops, not spreads: a busy window can hold more records than a call's argument limit.
      for (const output of result.outputs) outputs.push(output);
      for (const exit of result.exits) exits.push(exit);
      for (const trace of result.traces) traces.push(trace);
      this.applyNodeStates(result.nodes);
      for (const port of result.ports) this.portState[port.port] = port;
    }
    if (traces.length > 0) this.publishTraces(traces.sort(byTimeNodeSeq));
    if (outputs.length > 0) this.publishOutput(outputs.sort(byTimeNodeSeq));
    for (const exit of exits.sort(byTimeNodeSeq)) {
      const command = this.commands.get(exit.id);
      if (command !== undefined) {
        command.status = exit.status;
        command.t = exit.t;
      }
      if (this.exitListeners.size > 0) {
        const done: CommandExit = { node: this.nodeTable[exit.node]!.name, id: exit.id, status: exit.status, t: exit.t };
        for (const listener of this.exitListeners) listener(done);
      }
    }
    this.forgetOldSpawned();
    this.synchronised.waits += waits;
    return { waits, events };
  }

  private applyNodeStates(states: NodeStateRecord[]): void {
    for (const state of states) {
      const info = this.nodeInfo[state.node]!;
      info.running = state.running;
      info.framesIn = state.framesIn;
      info.framesOut = state.framesOut;
      info.drops = state.drops;
      info.interfaces = state.interfaces;
      info.addresses = state.addresses;
      if (state.ipvs !== undefined) info.ipvs = state.ipvs;
      else delete info.ipvs;
      if (state.mobility !== undefined) info.mobility = state.mobility;
      else delete info.mobility;
    }
  }

  private publishTraces(records: TraceRecord[]): void {
    const events: TraceEvent[] = records.map((record) => {
      const event: TraceEvent = {
        t: record.t,
        kind: record.kind,
        node: this.nodeTable[record.node]!.name,
        ifname: record.ifname,
        link: record.link >= 0 ? this.linkTable[record.link]!.id : null,
        summary: record.frame !== undefined ? summarizeFrame(record.frame) : (record.detail ?? ''),
      };
      if (record.reason !== undefined) event.reason = record.reason;
      if (record.detail !== undefined && record.kind !== 'drop') event.detail = record.detail;
      if (record.frame !== undefined) event.frame = record.frame;
      return event;
    });
    if (this.capture !== null) {
      for (const event of events) {
        // Each frame once, as its sender put it on the wire (a tap at the sending end).
        if (event.kind !== 'tx' || event.frame === undefined || event.link === null) continue;
        const port = this.portIndex.get(`${event.node}:${event.ifname}`);
        if (port === undefined) continue;
        this.capture.add(this.portTable[port]!.link, this.portEnd[port]!, event.t, event.frame, false);
      }
      this.capture.flush();
    }
    for (const listener of this.traceListeners) listener(events);
  }

  private publishOutput(records: OutputRecord[]): void {
    for (const record of records) {
      const command = this.commands.get(record.id);
      command?.write(record.stream, record.text);
      if (this.outputListeners.size === 0) continue;
      const out = { node: this.nodeTable[record.node]!.name, id: record.id, stream: record.stream, text: record.text };
      for (const listener of this.outputListeners) listener(out);
    }
  }

  private result(id: number): CommandResult {
    const command = this.commands.get(id)!;
    return { t: command.t, node: command.node, cmd: command.cmd, status: command.status ?? 130, stdout: command.stdout, stderr: command.stderr };
  }

  private exited(id: number): boolean {
    return this.commands.get(id)?.status !== null;
  }

  /** Let a command run until it exits; interrupt it after COMMAND_CAP_NS of virtual time. */
  private async awaitCommand(id: number, node: number): Promise<CommandResult> {
    const begin = this.current;
    await this.runUntil(begin + COMMAND_CAP_NS, () => this.exited(id));
    if (!this.exited(id)) {
      this.addControl(node, { type: 'interrupt', id, node });
      await this.runUntil(this.current + INTERRUPT_GRACE_NS, () => this.exited(id));
    }
    return this.result(id);
  }

  // ---- the public operations ------------------------------------------------------------------------

  private nodeNumber(name: string): number {
    const index = this.nodeIndex.get(name);
    if (index === undefined) throw new EmulatorError(`unknown node ${JSON.stringify(name)}`);
    return index;
  }

  exec(node: string, cmd: string, options: ExecOptions = {}): Promise<CommandResult> {
    return this.operate(async () => {
      const index = this.nodeNumber(node);
      await this.startNow();
      const id = this.inject(index, cmd, false, options.onOutput);
      const { signal } = options;
      // Ctrl-C reaches the program at the next window's start, also in the middle of this call.
      const interrupt = (): void => {
        if (!this.exited(id)) this.addControl(index, { type: 'interrupt', id, node: index });
      };
      if (signal?.aborted === true) interrupt();
      else signal?.addEventListener('abort', interrupt, { once: true });
      try {
        return await this.awaitCommand(id, index);
      } finally {
        signal?.removeEventListener('abort', interrupt);
        this.commands.delete(id);
      }
    });
  }

  inspect(node: string, cmd: string): Promise<CommandResult> {
    return this.operate(async () => {
      const index = this.nodeNumber(node);
      await this.startNow();
      const id = this.inject(index, cmd, false);
      try {
        // A window of no length: the controls apply at `current`, no queued event is due before it.
        await this.window(this.current, this.current);
        if (!this.exited(id)) {
          this.addControl(index, { type: 'interrupt', id, node: index });
          await this.window(this.current, this.current);
        }
        return this.result(id);
      } finally {
        this.commands.delete(id);
      }
    });
  }

  spawn(node: string, cmd: string): Promise<{ id: number; interrupt(): Promise<void> }> {
    return this.operate(async () => {
      const index = this.nodeNumber(node);
      await this.startNow();
      const id = this.inject(index, cmd, false);
      this.spawned.push(id);
      return {
        id,
        interrupt: (): Promise<void> =>
          this.operate(async () => {
            if (this.exited(id)) return;
            this.addControl(index, { type: 'interrupt', id, node: index });
            await this.runUntil(this.current + this.stepSize(), NEVER);
          }),
      };
    });
  }

  /** Forgets the records of finished spawned commands beyond the RECENT_SPAWNED newest. */
  private forgetOldSpawned(): void {
    let finished = 0;
    for (let i = this.spawned.length - 1; i >= 0; i--) {
      const id = this.spawned[i]!;
      if (!this.exited(id)) continue;
      if (++finished <= RECENT_SPAWNED) continue;
      this.commands.delete(id);
      this.spawned.splice(i, 1);
    }
  }

  /** Has command `id` (from spawn) exited, and with which result so far. */
  commandResult(id: number): CommandResult | null {
    return this.commands.has(id) ? this.result(id) : null;
  }

  /** How many windows and spans ran so far, and how often a shard waited for a neighbour's clock in a span. */
  synchronisation(): { sync: Synchronisation; windows: number; spans: number; waits: number } {
    return { sync: this.sync, ...this.synchronised };
  }

  /** One lookahead of virtual time: the smallest step that lets a frame cross a link. */
  stepSize(): number {
    return Number.isFinite(this.lookahead) ? this.lookahead : 1e6;
  }

  advance(ns: number): Promise<void> {
    return this.operate(async () => {
      if (!Number.isFinite(ns) || ns < 0) throw new EmulatorError(`cannot advance by ${ns} ns`);
      await this.startNow();
      await this.runUntil(this.current + Math.round(ns), NEVER, this.liveTimeline(), true);
    });
  }

  run(until?: number): Promise<RunReport> {
    return this.operate(async () => {
      await this.startNow();
      return this.runTimeline(until);
    });
  }

  /** The file's `events:` as timeline items (commands, link changes, node stop/start). */
  private eventItems(): { at: number; apply(): void }[] {
    return this.spec.events.map((event) => ({
      at: event.at,
      apply: () => {
        this.announce(event);
        if (event.kind === 'exec') this.injectTopologyCommand(this.nodeNumber(event.node), event.cmd, 'event', event.source, false);
        else if (event.kind === 'link') this.changeLink(event.link, event.change);
        else this.changeNode(event.node, event.action);
      },
    }));
  }

  /** Tells the onTimeline listeners about an event being applied now. */
  private announce(event: TopologySpec['events'][number]): void {
    if (this.timelineListeners.size === 0) return;
    const t = this.current;
    let announced: TimelineEvent;
    if (event.kind === 'exec') announced = { t, kind: 'exec', node: event.node, link: null, description: `${event.node}# ${event.cmd}` };
    else if (event.kind === 'node') announced = { t, kind: 'node', node: event.node, link: null, description: `node ${event.node} ${event.action}` };
    else announced = { t, kind: 'link', node: null, link: event.link, description: `link ${event.link} ${describeLinkChange(event.change)}` };
    for (const listener of this.timelineListeners) listener(announced);
  }

  /** With `playEvents`, the events still to come as a timeline for runUntil; otherwise none. */
  private liveTimeline(): { next(): number; applyDue(now: number): void } | undefined {
    const items = this.liveEvents;
    if (items === null) return undefined;
    return {
      next: () => (this.liveEventsApplied < items.length ? Math.max(items[this.liveEventsApplied]!.at, this.current) : Infinity),
      applyDue: (now) => {
        while (this.liveEventsApplied < items.length && items[this.liveEventsApplied]!.at <= now) items[this.liveEventsApplied++]!.apply();
      },
    };
  }

  private async runTimeline(until: number | undefined): Promise<RunReport> {
    type Item = { at: number; apply(): void };
    const items: Item[] = this.eventItems();
    const expectIds: (number | null)[] = this.spec.expect.map(() => null);
    this.spec.expect.forEach((expectation, i) => {
      items.push({ at: expectation.at, apply: () => (expectIds[i] = this.inject(this.nodeNumber(expectation.node), expectation.cmd, false)) });
    });
    items.sort((a, b) => a.at - b.at); // stable: file order among equal times
    const lastAt = items.reduce((max, item) => Math.max(max, item.at), 0);
    const end = until ?? Math.max(this.current, lastAt) + RUN_GRACE_NS;
    let next = 0;
    const timeline = {
      next: (): number => (next < items.length ? Math.max(items[next]!.at, this.current) : Infinity),
      applyDue: (now: number): void => {
        while (next < items.length && items[next]!.at <= now && items[next]!.at <= end) items[next++]!.apply();
      },
    };
    await this.runUntil(end, NEVER, timeline);
    const pending = (): number[] => expectIds.filter((id): id is number => id !== null && !this.exited(id));
    if (until === undefined) {
      // Without an explicit end, expectations get their full time.
      await this.runUntil(end + COMMAND_CAP_NS, () => pending().length === 0);
    }
    for (const id of pending()) {
      const command = this.commands.get(id)!;
      this.addControl(this.nodeNumber(command.node), { type: 'interrupt', id, node: this.nodeNumber(command.node) });
    }
    if (pending().length > 0) await this.runUntil(this.current + INTERRUPT_GRACE_NS, () => pending().length === 0);
    const expectations = this.spec.expect.map((expectation, index): ExpectationResult => {
      const id = expectIds[index] ?? null;
      const result: CommandResult =
        id === null ? { t: this.current, node: expectation.node, cmd: expectation.cmd, status: -1, stdout: '', stderr: '' } : this.result(id);
      const problems = id === null ? [`not run: the run ended at ${this.current} ns, before ${expectation.at} ns`] : checkExpectation(expectation, result);
      const where = `${this.spec.file}:${expectation.line}`;
      const message = problems.length === 0 ? `${where}: ${expectation.node}: ${expectation.cmd}: ok` : `${where}: ${expectation.node}: ${expectation.cmd}: ${problems.join('; ')}`;
      return { index, at: expectation.at, node: expectation.node, cmd: expectation.cmd, passed: problems.length === 0, message, result };
    });
    return { endTime: this.current, expectations, passed: expectations.every((e) => e.passed) };
  }

  nodes(): NodeInfo[] {
    return this.nodeInfo.map((info) => ({ ...info, interfaces: [...info.interfaces], addresses: info.addresses.map((a) => ({ ...a })) }));
  }

  links(): LinkInfo[] {
    return this.linkTable.map((link) => {
      const states = link.ports.map((p) => this.portState[p]!);
      return {
        id: link.id,
        type: link.type,
        endpoints: link.ports.map((p) => `${this.nodeTable[this.portTable[p]!.node]!.name}:${this.portTable[p]!.ifname}`),
        up: link.up,
        latencyNs: link.params.latencyNs,
        bandwidthBps: link.params.bandwidthBps,
        loss: link.params.loss,
        mtu: link.params.mtu,
        frames: states.reduce((sum, s) => sum + s.frames, 0),
        drops: states.reduce((sum, s) => sum + s.drops, 0),
        queueDepth: states.reduce((max, s) => Math.max(max, s.queueDepth), 0),
      };
    });
  }

  private changeLink(id: string, change: LinkChange): void {
    const index = this.linkIndex.get(id);
    if (index === undefined) throw new EmulatorError(`unknown link ${JSON.stringify(id)}`);
    if (change.latencyNs !== undefined && !(Number.isInteger(change.latencyNs) && change.latencyNs > 0)) {
      throw new EmulatorError(`link ${id}: latency must be a positive whole number of ns, got ${change.latencyNs}`);
    }
    if (change.loss !== undefined && !(change.loss >= 0 && change.loss <= 1)) throw new EmulatorError(`link ${id}: loss must be within 0..1, got ${change.loss}`);
    if (change.mtu !== undefined && !(Number.isInteger(change.mtu) && change.mtu >= 68 && change.mtu <= MAX_MTU)) {
      throw new EmulatorError(`link ${id}: mtu must be a whole number within 68..${MAX_MTU}, got ${change.mtu}`);
    }
    const link = this.linkTable[index]!;
    const params = link.params;
    if (change.latencyNs !== undefined) params.latencyNs = change.latencyNs;
    if (change.bandwidthBps !== undefined) params.bandwidthBps = change.bandwidthBps;
    if (change.loss !== undefined) params.loss = change.loss;
    if (change.mtu !== undefined) params.mtu = change.mtu;
    if (change.queue !== undefined) params.queue = change.queue;
    if (change.up !== undefined) link.up = change.up;
    this.lookahead = this.computeLookahead();
    this.addControl(null, { type: 'link', link: index, change: { ...change } });
  }

  private changeNode(name: string, action: 'stop' | 'start'): void {
    const index = this.nodeNumber(name);
    this.nodeInfo[index]!.running = action === 'start';
    this.addControl(index, { type: 'node', node: index, action });
  }

  /** Change a link or LAN; takes effect at the current virtual time (the next window's start). */
  setLink(id: string, change: LinkChange): Promise<void> {
    return this.operate(async () => this.changeLink(id, change));
  }

  stopNode(name: string): Promise<void> {
    return this.operate(async () => this.changeNode(name, 'stop'));
  }

  startNode(name: string): Promise<void> {
    return this.operate(async () => this.changeNode(name, 'start'));
  }

  onTrace(listener: (events: TraceEvent[]) => void): () => void {
    this.traceListeners.add(listener);
    return () => this.traceListeners.delete(listener);
  }

  onOutput(listener: OutputListener): () => void {
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

  startCapture(dir: string): Promise<string[]> {
    return this.operate(async () => {
      this.capture?.close();
      this.capture = null;
      this.capture = new PcapngCapture(
        dir,
        this.linkTable.map((link) => ({
          id: link.id,
          ends: link.ports.map((p) => `${this.nodeTable[this.portTable[p]!.node]!.name}:${this.portTable[p]!.ifname}`),
        })),
      );
      return this.capture.paths;
    });
  }

  stopCapture(): Promise<void> {
    return this.operate(async () => {
      this.capture?.close();
      this.capture = null;
    });
  }

  setRealtime(on: boolean, speed?: number): void {
    if (speed !== undefined) {
      if (!(speed > 0)) throw new EmulatorError(`speed must be positive, got ${speed}`);
      this.speed = speed;
    }
    this.realtime = on;
    this.wallBase = performance.now();
    this.virtualBase = this.current;
  }

  isRealtime(): { on: boolean; speed: number } {
    return { on: this.realtime, speed: this.speed };
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closing = true;
    const done = this.operations.then(async () => {
      this.closed = true;
      await this.shutdown();
    });
    this.operations = done.catch(() => undefined);
    return done;
  }
}
