/**
 * A shard: the nodes placed on one thread, their link ends, and one event queue, advanced one
 * conservative window at a time.
 *
 * Covers: building nodes, applying controls at a window's start (commands, interrupts, link
 * changes and carrier, node stop/start), running every event before the window's end in
 * (time, node, class, port, seq) order, link egress (link-egress.ts), LAN fan-out (hub) and
 * MAC-learning (switch-table.ts), carrier signals (a port's device set up or down reaches the other
 * ports one link latency later, as a frame would: a point-to-point partner's carrier follows it, as
 * for a veth pair; a switch disables the port and forgets its MACs, as a Linux bridge), frames for
 * other shards as envelopes, trace records, and
 * reporting the first fault of a node with that node's name (the shard then stops).
 * In worker placements a frame for another shard goes straight into the ring to that shard
 * (frame-ring.ts); a full ring blocks the sender, which drains its own input rings while it waits.
 * A frame too large for one record of its ring (rings are sized by the MTUs at start) goes in parts.
 * A span (runSpan) runs from its start to its end in steps bounded by the neighbour shards' promises
 * (Chandy–Misra–Bryant null messages with lookahead from the topology) instead of one controller window per step;
 * a frame that arrives for a time the shard has already run past is a bug and fails the shard.
 * Leaves out: threads and bytes on a port (shard-worker.ts), and the window choice (controller).
 *
 * Node faults, each reported as `{ node, message }` in the shard's next answer:
 *  - an exception out of any call into the node;
 *  - an exception or rejection out of asynchronous work the node started (node-faults.ts);
 *  - a frame, trace event or command output handed to the runtime outside a call into the node;
 *  - a next deadline that is not a time (NaN, not a number) or is negative;
 *  - timers that stay due after runTimers(now): a deadline before `now` at once, a deadline of
 *    `now` after MAX_TIMER_RUNS_PER_INSTANT runs at that instant — virtual time could not advance.
 * A deadline before `now` at any other moment is an overdue timer (a stopped node resumed, or a
 * timer armed in the past, as Linux's mod_timer allows): it runs at `now`.
 * The shard's `activity` cells tell a watchdog on another thread how it is doing: [0] the index + 1
 * of the node it is calling into (0 between calls), [1] a count of calls into nodes, so that a
 * worker that stops making progress, and the node it is stuck in, can be named.
 *
 * A stopped node is frozen (like `docker pause`): frames reaching it are dropped with
 * `nodeStopped`, its timers wait, commands fail; `start` resumes it with its state kept.
 */
import type {
  Control,
  ExitRecord,
  FrameEnvelope,
  LinkPlacement,
  NodePlacement,
  NodeStateRecord,
  OutputRecord,
  PortPlacement,
  PortStateRecord,
  ShardFailure,
  StartMessage,
  TraceKindRecord,
  TraceRecord,
  WindowDoneMessage,
  WindowMessage,
} from '@netloom/ipc';
import { PROTOCOL_VERSION } from '@netloom/ipc';
import { compatSettingsOf } from '@netloom/wire';
import type { CommandHandle, NodeHost, StackEvent } from '@netloom/stack/node-host';
import { EventClass, EventQueue, type QueuedEvent } from './event-queue.js';
import { EdgeAwareQueue } from './edge-aware-queue.js';
import { ON_HEAP_FRAME, type FrameRing, type RingSink } from './frame-ring.js';
import { LinkEgress } from './link-egress.js';
import { tableByIndex } from './start-subset.js';
import { isReportingNode, type ModuleState, type NodeFactory } from './node-factory.js';
import { NodeCallScope, type AsyncFaultKind, type NodeFaultOwner } from './node-faults.js';
import { hashSeed } from './prng.js';
import { SwitchTable } from './switch-table.js';
import { TouchedList, type Touchable } from './touched-list.js';

interface LocalNode extends Touchable {
  placement: NodePlacement;
  host: NodeHost;
  /** Its loadable parts' state (IPVS, Mobile IPv6) when its factory gives a reader. */
  moduleState: ((now: number) => ModuleState) | null;
  running: boolean;
  /** Time of the newest timer event queued for this node (older ones are stale). */
  timerAt: number;
  /** How often its timers ran at `stuckAt` and stayed due there. */
  stuckAt: number;
  stuckRuns: number;
  faults: NodeFaultOwner;
  /** Orders trace records and output of this node. */
  traceSeq: number;
  outputSeq: number;
  ports: Map<string, LocalPort>;
  handles: Map<number, CommandHandle>;
  /** Startup commands waiting for the previous one to exit. */
  queued: { id: number; cmd: string }[];
  queuedRunning: boolean;
}

interface LocalPort extends Touchable {
  placement: PortPlacement;
  node: LocalNode;
  link: LinkState;
  egress: LinkEgress;
  switchTable: SwitchTable | null;
  /** A point-to-point port's partner device is up (its carrier signals, below); true until one says otherwise. */
  partnerUp: boolean;
}

interface LinkState {
  placement: LinkPlacement;
  up: boolean;
  /**
   * A switch's ports on this shard in the queue's order (node, then port): the ports a carrier signal
   * visits in turn (one event for all, event-queue.ts `fan`). Made on the first signal.
   */
  fanout: number[] | null;
}

/** The rings between this shard and the shards it shares links with (worker placements). */
export interface ShardRings {
  /** The ring to each shard this one sends to, by shard index. */
  outputs: Map<number, FrameRing>;
  inputs: FrameRing[];
  /** Wake the thread of `shard` (its ring is full, or this shard's clock moved): it drains its inputs when woken. */
  wakeReader(shard: number): void;
  /**
   * The promises of every shard (neighbour synchronisation in a span, runSpan): one per shard, in ns,
   * POISONED_CLOCK when a shard gave up its span (a node failed); the controller sets them all to
   * the span's start before it hands the span out.
   */
  clocks: BigInt64Array;
  /** This shard's wake counter as it is now, and a wait (at most `ms` of wall time) for it to change. */
  wakeCount(): number;
  waitForWake(seen: number, ms: number): void;
  /** A wait (at most `ms`) for the reader of `ring` to move its `read` counter on from `seen` (it is full). */
  waitForRead(ring: FrameRing, seen: number, ms: number): void;
}

/** While it runs events, a shard takes in its input rings every this many (a power of two; runBefore). */
const DRAIN_EVERY_EVENTS = 64;
/** The most bytes of spare frame buffers a shard keeps (Shard.spareFrame): a burst of 100 frames of 1,514 bytes and more (at 128 KiB, 30% of the frames a router read in `bench chain --payload 1472` per-node found no spare). */
const SPARE_FRAME_BYTES = 256 * 1024;
/** The most frame lengths it keeps spare buffers of. */
const SPARE_FRAME_LENGTHS = 64;

/** A clock a shard publishes when it gives up a span: its neighbours give up theirs too. */
export const POISONED_CLOCK = -1n;

/** How long a shard waiting for a neighbour's clock blocks before looking again (wall ms). */
const CLOCK_WAIT_MS = 50;

/** A neighbour gave up the span (a node of another shard failed): this shard stops where it is. */
class SpanAborted extends Error {}

/** How long a sender facing a full ring blocks before draining its own inputs again (wall ms). */
const FULL_RING_WAIT_MS = 1;

/** A node's timers may run this many times at one instant and stay due there; one more is a fault. */
export const MAX_TIMER_RUNS_PER_INSTANT = 1000;

/** A fault of one node, unwinding the window; `fault` is the one-line description. */
class NodeFailure extends Error {
  constructor(
    readonly node: string,
    readonly fault: string,
  ) {
    super(`${node}: ${fault}`);
  }
}

/** `Error: message` on one line (a multi-line message keeps its first line). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const newline = text.indexOf('\n');
  return newline < 0 ? text : `${text.slice(0, newline)} …`;
}

/** Activity cells nobody reads: an inline shard without an inline watchdog (inline-watchdog.ts). */
function unwatched(): Int32Array {
  return new Int32Array(2);
}

function failureOf(error: unknown): ShardFailure {
  return error instanceof NodeFailure ? { node: error.node, message: error.fault } : { node: null, message: describeError(error) };
}

/** A port has carrier when its link is up and, on a point-to-point link, the partner's device is up. */
function hasCarrier(port: LocalPort): boolean {
  return port.link.up && port.partnerUp;
}

export class Shard implements RingSink {
  readonly index: number;
  private readonly nodes = new Map<number, LocalNode>();
  /** By the emulation's indexes: a node's shard (-1: not sent), and the ports and links this shard was sent (start-subset.ts). */
  private readonly nodeShard: number[];
  private readonly ports: (PortPlacement | undefined)[];
  /** This shard's own ports, by the emulation's port index (a frame's delivery looks its port up here). */
  private readonly localPorts: (LocalPort | undefined)[] = [];
  private readonly links: (LinkState | undefined)[];
  private readonly queue: EventQueue;
  /** The same queue when this shard has neighbours: it tracks when edge nodes next have events (a span's promises). */
  private readonly edgeQueue: EdgeAwareQueue | null;
  private now = 0;
  private trace = false;
  private failure: ShardFailure | null = null;
  private initialCarrier: LocalPort[] = [];
  /** The shards this one shares links with, and those links (the per-link lookahead of a span). */
  private readonly neighbours: { shard: number; links: LinkState[] }[] = [];
  /** The links with every port on this shard (an inner node reaches an edge node over at least one). */
  private readonly localLinks: LinkState[] = [];
  /** In a span: the least latency of a link to another shard, and of a local link (Infinity: none); set per span. */
  private edgeLatency = Infinity;
  private localLatency = Infinity;
  /** In a span: the promise this shard published last (runSpan). */
  private promised = -Infinity;
  /** Every event before this time has run: a frame due before it arrived too late (a bug of the synchronisation). */
  private ranUntil = -Infinity;
  /** In a span: its end; frames written to rings due before it were taken in by their shard before it replied. */
  private spanLimit = -Infinity;
  /** Waits for a neighbour's clock in this span, and events run (reported: the controller's choice of spans). */
  private waits = 0;
  private events = 0;

  // Per-window results.
  private out = new Map<number, FrameEnvelope[]>();
  private ringed = new Map<number, { shard: number; frames: number; firstAt: number }>();
  /**
   * Buffers of frames this shard copied into rings and let go of, by length, for the frames it reads
   * from rings (sendAcross, frameBuffer): with a thread per router, a frame crossing a ring at every
   * hop then allocates nothing.
   */
  private readonly spareFrames = new Map<number, Uint8Array[]>();
  private spareBytes = 0;
  private outputs: OutputRecord[] = [];
  private exits: ExitRecord[] = [];
  private traces: TraceRecord[] = [];
  private readonly touchedNodes = new TouchedList<LocalNode>();
  private readonly touchedPorts = new TouchedList<LocalPort>();

  /** [0]: index + 1 of the node being called into, 0 between calls; [1]: calls so far (both read by a watchdog). */
  private readonly activity: Int32Array;
  /** Whose asynchronous work a call into a node starts: entered per stretch of calls, switched per node. */
  private readonly scope = new NodeCallScope();
  /** Nodes (indexes) whose state ready leaves to the first window (StartMessage.statesAfterFirstWindow). */
  private readonly statesAfterFirstWindow: ReadonlySet<number>;

  constructor(
    start: StartMessage,
    factory: NodeFactory,
    activity: Int32Array = unwatched(),
    private readonly rings: ShardRings | null = null,
  ) {
    this.index = start.shard;
    this.statesAfterFirstWindow = new Set(start.statesAfterFirstWindow);
    this.activity = activity;
    // By the emulation's indexes; a worker's shard is sent only its part of the tables (start-subset.ts).
    this.nodeShard = tableByIndex(start.peers === undefined ? start.nodes : [...start.nodes, ...start.peers]).map((n) => n?.shard ?? -1);
    this.ports = tableByIndex(start.ports);
    this.links = tableByIndex(start.links).map((placement) => placement && { placement, up: placement.up, fanout: null });
    this.neighbours = this.neighbourLinks();
    const atEdge: boolean[] = [];
    for (const link of this.links) {
      if (link === undefined) continue;
      const shards = link.placement.ports.map((p) => this.nodeShard[this.ports[p]!.node]!);
      if (shards.every((shard) => shard === this.index)) {
        this.localLinks.push(link);
        continue;
      }
      for (const p of link.placement.ports) atEdge[this.ports[p]!.node] = true;
    }
    this.edgeQueue = this.neighbours.length > 0 && rings !== null ? new EdgeAwareQueue(atEdge) : null;
    this.queue = this.edgeQueue ?? new EventQueue();
    const portsByNode = new Map<number, PortPlacement[]>();
    for (const port of start.ports) {
      const list = portsByNode.get(port.node) ?? [];
      list.push(port);
      portsByNode.set(port.node, list);
    }
    this.scope.run(() => {
      for (const placement of start.nodes) {
        if (placement.shard !== this.index) continue;
        try {
          const node = this.buildNode(placement, start, factory, portsByNode.get(placement.index) ?? []);
          this.nodes.set(placement.index, node);
          this.touchedNodes.add(node);
        } catch (error) {
          this.failure = { node: placement.name, message: error instanceof NodeFailure ? error.fault : describeError(error) };
          return;
        }
      }
    });
  }

  /** For every other shard with a port on a link of this shard's: those links, by shard. */
  private neighbourLinks(): { shard: number; links: LinkState[] }[] {
    const byShard = new Map<number, LinkState[]>();
    for (const link of this.links) {
      if (link === undefined) continue; // not sent: no port on this shard
      const shards = new Set(link.placement.ports.map((p) => this.nodeShard[this.ports[p]!.node]!));
      if (!shards.has(this.index)) continue;
      for (const shard of shards) {
        if (shard === this.index) continue;
        const list = byShard.get(shard) ?? [];
        list.push(link);
        byShard.set(shard, list);
      }
    }
    return [...byShard].sort((a, b) => a[0] - b[0]).map(([shard, links]) => ({ shard, links }));
  }

  private buildNode(placement: NodePlacement, start: StartMessage, factory: NodeFactory, ports: PortPlacement[]): LocalNode {
    const node: LocalNode = {
      placement,
      host: undefined as unknown as NodeHost,
      moduleState: null,
      running: true,
      timerAt: Infinity,
      stuckAt: -1,
      stuckRuns: 0,
      faults: { asyncFault: (error, how) => this.asyncFault(node, error, how), armedRealTimer: () => (this.realTimerArmed = true) },
      traceSeq: 0,
      outputSeq: 0,
      ports: new Map(),
      handles: new Map(),
      queued: [],
      queuedRunning: false,
      touched: false,
    };
    const env = {
      transmit: (ifname: string, frame: Uint8Array): void => {
        if (this.isInCall(node, 'transmitted a frame')) this.transmit(node, ifname, frame);
      },
      event: (event: StackEvent): void => {
        if (this.isInCall(node, 'reported a trace event')) this.stackEvent(node, event);
      },
      adminStateChanged: (ifname: string, up: boolean): void => {
        if (this.isInCall(node, 'changed a device state')) this.signalAdminState(node, ifname, up);
      },
      // Trace events nobody records (a forward per hop) are then not built at all.
      tracing: (): boolean => this.trace,
    };
    const config = { name: placement.name, kind: placement.kind as never, seed: placement.seed, compat: compatSettingsOf(placement.compat) };
    const built = this.guard(node, () => factory(placement, config, env));
    if (isReportingNode(built)) {
      node.host = built.host;
      node.moduleState = (now) => built.moduleState(now);
    } else node.host = built;
    const byName = new Map(placement.interfaces.map((i) => [i.name, i]));
    for (const port of ports) {
      const link = this.links[port.link]!;
      const iface = byName.get(port.ifname);
      this.guard(node, () => node.host.addEthernet(port.ifname, iface?.mac ?? new Uint8Array(6), iface?.mtu ?? link.placement.params.mtu));
      const local: LocalPort = {
        placement: port,
        node,
        link,
        egress: new LinkEgress({ ...link.placement.params }, hashSeed(start.seed, 'loss', link.placement.id, String(port.index))),
        switchTable: link.placement.type === 'switch' ? new SwitchTable() : null,
        partnerUp: true,
        touched: false,
      };
      node.ports.set(port.ifname, local);
      this.localPorts[port.index] = local;
    }
    // Carrier comes up at the first window (t = 0), so frames a node sends on link-up are traced.
    for (const port of node.ports.values()) this.initialCarrier.push(port);
    this.scheduleTimer(node);
    return node;
  }

  get error(): ShardFailure | null {
    return this.failure;
  }

  /** The node that is being called into right now, if any. */
  private calling: LocalNode | null = null;

  /** Set by close(): the emulation is over, and a fault of a node can no longer fail an operation. */
  private closed = false;

  /** A node armed a real setTimeout since the last settle (node-faults.ts). */
  private realTimerArmed = false;

  /** Whether a node armed a real timer since the last call, which a settle must wait for. */
  takeRealTimerArmed(): boolean {
    const armed = this.realTimerArmed;
    this.realTimerArmed = false;
    return armed;
  }

  /**
   * The emulation closed. A node's real timer may still fire later on this thread (inline: the
   * caller's); if it throws, that is reported as a process warning naming the node, not a crash.
   */
  close(): void {
    this.closed = true;
  }

  /** A node's asynchronous work threw or rejected: the node has failed (the first fault stands). */
  private asyncFault(node: LocalNode, error: unknown, how: AsyncFaultKind): void {
    const fault = `${how} outside any call from the runtime (a real timer or promise): ${describeError(error)}`;
    if (this.closed) {
      process.emitWarning(`node ${node.placement.name} of a closed emulation: ${fault}`, { type: 'NetloomNodeFault' });
      return;
    }
    this.failure ??= { node: node.placement.name, message: fault };
  }

  /** An asynchronous error that no node context claims (a worker has nothing else on its thread): the shard's only node's, or the shard's. */
  orphanFault(error: unknown, how: AsyncFaultKind): void {
    const names = [...this.nodes.values()].map((n) => n.placement.name);
    const node = names.length === 1 ? names[0]! : null;
    this.failure ??= { node, message: `${how} outside any call from the runtime: ${describeError(error)}` };
  }

  /** Whether the runtime is inside a call into `node`; if not, what the node did is a fault. */
  private isInCall(node: LocalNode, what: string): boolean {
    if (this.calling === node) return true;
    this.failure ??= { node: node.placement.name, message: `${what} outside any call from the runtime (from a real timer or promise?)` };
    return false;
  }

  /** The states of the nodes touched since the last report (every node built, at first). */
  nodeStates(): NodeStateRecord[] {
    const states: NodeStateRecord[] = [];
    this.scope.run(() => {
      for (const node of this.touchedNodes.take()) states.push(this.guard(node, () => this.nodeState(node)));
    });
    return states;
  }

  /**
   * The states ready reports: every node built but those the first window reports
   * (StartMessage.statesAfterFirstWindow), which stay touched until then.
   */
  readyStates(): NodeStateRecord[] {
    if (this.statesAfterFirstWindow.size === 0) return this.nodeStates();
    const states: NodeStateRecord[] = [];
    this.scope.run(() => {
      for (const node of this.touchedNodes.take()) {
        if (this.statesAfterFirstWindow.has(node.placement.index)) this.touchedNodes.add(node);
        else states.push(this.guard(node, () => this.nodeState(node)));
      }
    });
    return states;
  }

  nextEventAt(): number {
    return this.queue.nextTime();
  }

  private nodeState(node: LocalNode): NodeStateRecord {
    const counters = node.host.counters();
    return {
      node: node.placement.index,
      running: node.running,
      framesIn: counters.framesIn,
      framesOut: counters.framesOut,
      drops: counters.drops,
      interfaces: node.host.interfaceNames(),
      addresses: node.host.addresses(),
      ...node.moduleState?.(this.now),
    };
  }

  /**
   * Run one window: controls at `start`, then every event before `until`. A span (`message.span`)
   * runs the same from `start` to `until` but in steps bounded by the neighbours' promises
   * (runSpan), with no controller between them.
   */
  runWindow(message: WindowMessage): WindowDoneMessage {
    return this.scope.run(() => this.runWindowCalls(message));
  }

  private runWindowCalls(message: WindowMessage): WindowDoneMessage {
    this.trace = message.trace;
    if (this.failure === null) {
      try {
        this.now = message.start;
        for (const port of this.initialCarrier) {
          const node = port.node;
          this.guard(node, () => node.host.setCarrier(port.placement.ifname, hasCarrier(port), this.now));
          this.scheduleTimer(node);
        }
        this.initialCarrier = [];
        this.drainRings();
        for (const envelope of message.frames) this.acceptEnvelope(envelope);
        for (const control of message.controls) this.applyControl(control);
        if (message.span === true) this.runSpan(message.until);
        else this.runBefore(message.until);
      } catch (error) {
        if (!(error instanceof SpanAborted)) this.failure ??= failureOf(error);
        // Neighbours waiting for this shard's clock must not wait forever: they give up too.
        if (message.span === true) this.poisonSpan();
      }
    }
    this.spanLimit = -Infinity;
    const out: { shard: number; frames: FrameEnvelope[] }[] = [];
    for (const [shard, frames] of this.out) out.push({ shard, frames });
    const ports: PortStateRecord[] = [];
    for (const port of this.touchedPorts.take()) {
      ports.push({ port: port.placement.index, frames: port.egress.frames, drops: port.egress.drops, queueDepth: port.egress.queueDepth(message.until) });
    }
    let nodes: NodeStateRecord[] = [];
    try {
      nodes = this.failure === null ? this.nodeStates() : [];
    } catch (error) {
      this.failure ??= failureOf(error);
    }
    const done: WindowDoneMessage = {
      type: 'windowDone',
      version: PROTOCOL_VERSION,
      shard: this.index,
      out,
      ringed: [...this.ringed.values()],
      outputs: this.outputs,
      exits: this.exits,
      traces: this.traces,
      nodes,
      ports,
      nextEventAt: this.queue.nextTime(),
      error: this.failure,
    };
    if (message.span === true) {
      done.waits = this.waits;
      done.events = this.events;
    }
    this.waits = 0;
    this.events = 0;
    this.out = new Map();
    this.ringed = new Map();
    this.outputs = [];
    this.exits = [];
    this.traces = [];
    return done;
  }

  /**
   * Every event before `until`, in (time, node, class, port, seq) order. In a span (`arrivals`: the
   * least of the neighbours' promises), this shard's promise is published as soon as its edge nodes
   * are past an instant (runSpan).
   */
  private runBefore(until: number, arrivals?: number): void {
    this.ranUntil = Math.max(this.ranUntil, until);
    const promising = arrivals !== undefined ? this.edgeQueue : null;
    for (;;) {
      const event = this.queue.popBefore(until);
      if (event === undefined) return;
      this.events++;
      const time = event.time;
      this.now = time;
      const edge = promising !== null && promising.atEdge(event.node);
      if (event.cls === EventClass.Delivery) {
        this.deliver(event);
        // A carrier signal's next port: the same object back in the queue, not recycled.
        if (!(event.fan >= 0 && this.fanOutNext(event))) this.queue.recycle(event);
      } else {
        this.fireTimer(event);
        this.queue.recycle(event);
      }
      // The edge nodes are past this instant: a neighbour waiting for this shard may start its next one.
      if (edge && promising.edgeTime() > time) this.publishPromise(arrivals!);
      // A neighbour whose ring to this shard is full waits for room: take the rings in now and then,
      // not only between steps (a burst of 100 frames of 1,514 bytes fills a 128 KiB ring). Every frame
      // still to come is due at or after `until` (a window: one lookahead on; a step: a promise read
      // before it), so taking it early changes nothing this runs.
      if ((this.events & (DRAIN_EVERY_EVENTS - 1)) === 0) this.drainRings();
    }
  }

  /**
   * A span [now, limit): run ahead of the neighbours by promises (Chandy–Misra–Bryant null messages
   * with lookahead from the topology). Each shard publishes P, "nothing I send arrives before P":
   * P = E + L, with L the least latency of its links to other shards and E the earliest time it can
   * send on one — the next event of an edge node (one with such a link), one local link after the
   * next event of an inner node (it must reach an edge node first), or the earliest arrival from a
   * neighbour (min over them of their P, read before the input rings are drained: a frame not yet in
   * a ring arrives at that P or later). So every event before min(limit, the neighbours' P) can run.
   * A shard publishes once its edge nodes are past an instant, when it has run up to its horizon,
   * and before it waits (only a promise that grew is stored): a neighbour starts its next instant as soon as this one's
   * edge nodes are past theirs, not when the whole instant has run — in a chain of shards the one
   * downstream trails the one upstream by the part of an instant its first router takes, where a
   * clock of "every event before C has run" made the two take each instant in lock-step. Without
   * neighbours (inline, or a shard with no links to others) the span runs in one step. Events run in
   * the same order as in windows, whatever the steps: what a shard computes depends only on its inputs.
   */
  private runSpan(limit: number): void {
    this.spanLimit = limit;
    const rings = this.rings;
    if (rings === null || this.neighbours.length === 0) {
      this.runBefore(limit);
      return;
    }
    // Per span: a link's latency may have changed.
    let edgeLatency = Infinity;
    for (const { links } of this.neighbours) for (const link of links) edgeLatency = Math.min(edgeLatency, link.placement.params.latencyNs);
    let localLatency = Infinity;
    for (const link of this.localLinks) localLatency = Math.min(localLatency, link.placement.params.latencyNs);
    this.edgeLatency = edgeLatency;
    this.localLatency = localLatency;
    // The controller set every shard's promise to the span's start (startClocks).
    this.promised = -Infinity;
    let horizon = this.now;
    for (;;) {
      const seen = rings.wakeCount();
      let arrivals = Infinity;
      for (let i = 0; i < this.neighbours.length; i++) {
        const promise = Atomics.load(rings.clocks, this.neighbours[i]!.shard);
        if (promise === POISONED_CLOCK) throw new SpanAborted();
        arrivals = Math.min(arrivals, Number(promise));
      }
      this.drainRings();
      const h = Math.min(limit, arrivals);
      if (h > horizon) {
        this.runBefore(h, arrivals);
        horizon = h;
        this.publishPromise(arrivals);
        if (h >= limit) return;
        continue;
      }
      this.publishPromise(arrivals);
      this.waits++;
      rings.waitForWake(seen, CLOCK_WAIT_MS);
      // Waiting for a neighbour is progress, not a loop in a node: the watchdog blames a stuck neighbour.
      this.activity[1] = (this.activity[1]! + 1) | 0;
    }
  }

  /** This shard gives up its span: its neighbours, woken, see the poisoned promise and give up theirs. */
  private poisonSpan(): void {
    const rings = this.rings;
    if (rings === null || this.neighbours.length === 0) return;
    Atomics.store(rings.clocks, this.index, POISONED_CLOCK);
    for (const { shard } of this.neighbours) rings.wakeReader(shard);
  }

  /**
   * Publish this shard's promise (runSpan) when it grew, and wake the neighbours. `arrivals`: the
   * least of the neighbours' promises, as read before the last drain of the input rings. The queue's
   * next time stands for the inner nodes' (it is no later).
   */
  private publishPromise(arrivals: number): void {
    const queue = this.edgeQueue!;
    const earliest = Math.min(queue.edgeTime(), queue.nextTime() + this.localLatency, arrivals);
    const promise = Math.floor(earliest + this.edgeLatency);
    if (!(promise > this.promised) || !Number.isFinite(promise)) return;
    this.promised = promise;
    const rings = this.rings!;
    // After this shard's ring writes (Atomics.store orders them before it).
    Atomics.store(rings.clocks, this.index, BigInt(promise));
    for (const { shard } of this.neighbours) rings.wakeReader(shard);
  }

  /**
   * Call into a node (in its fault context, marked busy for the watchdog); an exception becomes a
   * failure naming the node. Only inside a stretch of `scope.run` (a window, the start).
   */
  private guard<T>(node: LocalNode, call: () => T): T {
    const caller = this.calling;
    const busy = this.enterNode(node);
    try {
      return call();
    } catch (error) {
      throw this.nodeFailureOf(node, error);
    } finally {
      this.leaveNode(caller, busy);
    }
  }

  /**
   * The per-hop calls, guarded as `guard` does without a closure per call: a frame received, and
   * the node's next deadline after it.
   */
  private receiveGuarded(node: LocalNode, ifname: string, frame: Uint8Array): void {
    const caller = this.calling;
    const busy = this.enterNode(node);
    try {
      node.host.receive(ifname, frame, this.now);
    } catch (error) {
      throw this.nodeFailureOf(node, error);
    } finally {
      this.leaveNode(caller, busy);
    }
  }

  private nextDeadlineGuarded(node: LocalNode): unknown {
    const caller = this.calling;
    const busy = this.enterNode(node);
    try {
      return node.host.nextDeadline();
    } catch (error) {
      throw this.nodeFailureOf(node, error);
    } finally {
      this.leaveNode(caller, busy);
    }
  }

  /** Mark a call into `node` begun (fault context, watchdog cells); returns the busy cell to restore. */
  private enterNode(node: LocalNode): number {
    const busy = this.activity[0]!;
    this.calling = node;
    this.activity[0] = node.placement.index + 1;
    this.activity[1] = (this.activity[1]! + 1) | 0;
    this.scope.enter(node.faults);
    return busy;
  }

  private leaveNode(caller: LocalNode | null, busy: number): void {
    this.calling = caller;
    this.activity[0] = busy;
    // A call nested in another node's (a queued command started by an exit) hands the context back.
    if (caller !== null) this.scope.enter(caller.faults);
  }

  /** What an exception out of a call into `node` becomes: a failure naming the node (a failure or abort passes as it is). */
  private nodeFailureOf(node: LocalNode, error: unknown): unknown {
    if (error instanceof NodeFailure || error instanceof SpanAborted) return error;
    return new NodeFailure(node.placement.name, describeError(error));
  }

  /** The node's next deadline; one that is no time at all (NaN, negative, not a number) is a fault. */
  private deadlineOf(node: LocalNode): number {
    const deadline = this.nextDeadlineGuarded(node);
    if (typeof deadline !== 'number' || Number.isNaN(deadline)) {
      throw new NodeFailure(node.placement.name, `next timer deadline is ${String(deadline)}, not a time: virtual time cannot advance`);
    }
    if (deadline < 0) throw new NodeFailure(node.placement.name, `next timer deadline is ${deadline} ns, before time began`);
    return deadline;
  }

  private scheduleTimer(node: LocalNode): void {
    if (!node.running) return;
    let deadline = this.deadlineOf(node);
    if (deadline === Infinity || deadline >= node.timerAt) return;
    if (deadline < this.now) deadline = this.now; // overdue: runs now
    node.timerAt = deadline;
    this.queue.add(deadline, node.placement.index, EventClass.Timer, -1, 0, -1, -1, null, undefined);
  }

  private fireTimer(event: QueuedEvent): void {
    const node = this.nodes.get(event.node)!;
    if (event.time !== node.timerAt) return; // superseded by an earlier timer event
    node.timerAt = Infinity;
    if (!node.running) return;
    this.touchedNodes.add(node);
    this.guard(node, () => node.host.runTimers(this.now));
    const deadline = this.deadlineOf(node);
    if (deadline < this.now) {
      throw new NodeFailure(node.placement.name, `next timer deadline ${deadline} ns is still in the past after running its timers at ${this.now} ns: virtual time cannot advance`);
    }
    if (deadline === this.now) {
      // Still due: run them again at this instant, a bounded number of times.
      if (node.stuckAt !== this.now) {
        node.stuckAt = this.now;
        node.stuckRuns = 0;
      }
      if (++node.stuckRuns >= MAX_TIMER_RUNS_PER_INSTANT) {
        throw new NodeFailure(node.placement.name, `timers still due after running ${node.stuckRuns} times at ${this.now} ns: virtual time cannot advance`);
      }
      node.timerAt = this.now;
      this.queue.add(this.now, event.node, EventClass.Timer, -1, 0, -1, -1, null, undefined);
      return;
    }
    this.scheduleTimer(node);
  }

  private record(node: LocalNode, kind: TraceKindRecord, ifname: string | null, link: number, frame: Uint8Array | undefined, reason?: string, detail?: string): void {
    if (!this.trace) return;
    const trace: TraceRecord = { t: this.now, seq: node.traceSeq++, kind, node: node.placement.index, ifname, link };
    if (reason !== undefined) trace.reason = reason;
    if (detail !== undefined) trace.detail = detail;
    if (frame !== undefined) trace.frame = frame;
    this.traces.push(trace);
  }

  private stackEvent(node: LocalNode, event: StackEvent): void {
    if (!this.trace) return;
    switch (event.type) {
      case 'drop': {
        const port = event.ifname === null ? undefined : node.ports.get(event.ifname);
        this.record(node, 'drop', event.ifname, port?.placement.link ?? -1, event.frame?.slice(), event.reason, event.detail);
        break;
      }
      case 'forward': {
        const port = node.ports.get(event.inIf);
        this.record(node, 'forward', event.inIf, port?.placement.link ?? -1, event.frame.slice(), undefined, event.outIf);
        break;
      }
      case 'deliver': {
        const port = node.ports.get(event.ifname);
        this.record(node, 'deliver', event.ifname, port?.placement.link ?? -1, event.frame.slice(), undefined, event.protocol);
        break;
      }
      case 'log':
        this.record(node, 'log', null, -1, undefined, undefined, event.text);
        break;
    }
  }

  private transmit(node: LocalNode, ifname: string, frame: Uint8Array): void {
    const port = node.ports.get(ifname);
    if (port === undefined) {
      this.record(node, 'drop', ifname, -1, frame, 'noLink');
      return;
    }
    // The frame is the wire's from here: the stack never writes into a buffer it transmitted (it
    // builds each frame it sends, or sends the frame it received and let go of; frame-ownership.test.ts
    // holds it to that), so no copy is made. The receiver may rewrite it in place (TTL, MACs), and a
    // frame copied into rings only is spared for one read from a ring (sendAcross).
    const link = port.link;
    const result = port.egress.offer(frame, this.now, link.up);
    this.touchedPorts.add(port);
    if (typeof result !== 'number') {
      port.egress.drops++;
      if (result === 'loss') {
        port.egress.frames++;
        port.egress.seq++;
        this.record(node, 'tx', ifname, link.placement.index, frame);
      }
      this.record(node, 'drop', ifname, link.placement.index, frame, result);
      return;
    }
    port.egress.frames++;
    const seq = port.egress.seq++;
    if (this.trace) this.record(node, 'tx', ifname, link.placement.index, frame.slice());
    this.sendAcross(link, port.placement.index, seq, result, frame);
  }

  /**
   * A port's device was set up or down: a carrier signal crosses the link as a frame would (one link
   * latency, in the queue's order, to every other port and the sending port's switch replica), so
   * every placement sees it at the same virtual time.
   */
  private signalAdminState(node: LocalNode, ifname: string, up: boolean): void {
    const port = node.ports.get(ifname);
    if (port === undefined) return;
    const seq = port.egress.seq++;
    this.sendAcross(port.link, port.placement.index, seq, this.now + port.link.placement.params.latencyNs, new Uint8Array(0), up);
  }

  /** A carrier signal reached `port`: a point-to-point partner's carrier follows; a switch forgets the port's MACs. */
  private receiveAdminState(port: LocalPort, fromPort: number, up: boolean): void {
    if (port.switchTable !== null) {
      port.switchTable.setPortCarrier(fromPort, up, this.now);
      return;
    }
    if (port.link.placement.type !== 'p2p' || port.partnerUp === up) return;
    const before = hasCarrier(port);
    port.partnerUp = up;
    if (hasCarrier(port) === before) return;
    const node = port.node;
    this.touchedNodes.add(node);
    this.guard(node, () => node.host.setCarrier(port.placement.ifname, hasCarrier(port), this.now));
    this.scheduleTimer(node);
  }

  /**
   * A carrier signal on a switch reaches every port of it on this shard (the sender's own too, for its
   * replica), each at its own place in the queue's order: one event that visits them in turn.
   */
  private fanOutCarrier(link: LinkState, fromPort: number, seq: number, deliverAt: number, frame: Uint8Array, adminUp: boolean): void {
    const fanout = (link.fanout ??= this.localPortsInQueueOrder(link));
    if (fanout.length === 0) return;
    const first = fanout[0]!;
    this.queue.add(deliverAt, this.ports[first]!.node, EventClass.Delivery, fromPort, seq, first, link.placement.index, frame, adminUp, 0);
  }

  /** The link's ports on this shard, by (node, port): the order of their events' keys. */
  private localPortsInQueueOrder(link: LinkState): number[] {
    return link.placement.ports.filter((p) => this.nodeShard[this.ports[p]!.node] === this.index).sort((a, b) => this.ports[a]!.node - this.ports[b]!.node || a - b);
  }

  /** Move a fanned-out carrier signal on to its link's next port here; false when every port has had it. */
  private fanOutNext(event: QueuedEvent): boolean {
    const fanout = this.links[event.link]!.fanout!;
    const next = event.fan + 1;
    if (next >= fanout.length) return false;
    const port = fanout[next]!;
    event.fan = next;
    event.dst = port;
    event.node = this.ports[port]!.node;
    this.queue.push(event);
    return true;
  }

  /** Queue a frame for every other port of its link: locally as events, remotely as one envelope per shard. */
  private sendAcross(link: LinkState, fromPort: number, seq: number, deliverAt: number, frame: Uint8Array, adminUp?: boolean): void {
    const placement = link.placement;
    // The shards sent to so far: the first, then the others (a switch's); none allocated for a point-to-point link.
    let firstRemote = -1;
    let moreRemote: number[] | null = null;
    let shared = true;
    let ringed = false;
    // A carrier signal on a switch: one event for this shard's ports (the sender's included), envelopes for the others.
    const fanned = adminUp !== undefined && placement.type === 'switch';
    if (fanned) this.fanOutCarrier(link, fromPort, seq, deliverAt, frame, adminUp);
    // An index loop: for…of made an iterator a hop whenever this ran unoptimised (6–8 bytes a hop-forward).
    const ports = placement.ports;
    for (let k = 0; k < ports.length; k++) {
      const portIndex = ports[k]!;
      const port = this.ports[portIndex]!;
      if (fanned && this.nodeShard[port.node] === this.index) continue;
      if (portIndex === fromPort) {
        // A switch's replica at the sending port learns from its own frames too (it reads only the MACs).
        if (placement.type === 'switch') {
          this.queue.add(deliverAt, port.node, EventClass.Delivery, fromPort, seq, portIndex, placement.index, frame.length === 0 ? frame : frame.slice(0, 14), adminUp);
        }
        continue;
      }
      const shard = this.nodeShard[port.node]!;
      if (shard === this.index) {
        const bytes = shared ? frame : frame.slice();
        // A carrier signal's empty frame has nothing to change: every port's event shares it.
        shared = frame.length === 0;
        this.queue.add(deliverAt, port.node, EventClass.Delivery, fromPort, seq, portIndex, placement.index, bytes, adminUp);
        continue;
      }
      if (shard === firstRemote || (moreRemote !== null && moreRemote.includes(shard))) continue;
      if (firstRemote < 0) firstRemote = shard;
      else (moreRemote ??= []).push(shard);
      const ring = this.rings?.outputs.get(shard);
      if (ring !== undefined) {
        this.writeRing(shard, ring, deliverAt, placement.index, fromPort, seq, frame, adminUp);
        ringed = true;
        continue;
      }
      // No ring to that shard: the envelope waits for the window's end in the reply, and a receiver
      // on this shard may rewrite the frame in place before then (TTL, MACs), so it keeps a copy.
      const kept: FrameEnvelope = { deliverAt, link: placement.index, port: fromPort, seq, bytes: frame.slice() };
      if (adminUp !== undefined) kept.adminUp = adminUp;
      const batch = this.out.get(shard);
      if (batch === undefined) this.out.set(shard, [kept]);
      else batch.push(kept);
    }
    // Copied into every ring it goes to, and handed to no event here: the buffer is free (the node let go
    // of it at transmit), for the next frame this shard reads from a ring.
    if (ringed && shared && frame.length > ON_HEAP_FRAME) this.spareFrame(frame);
  }

  /**
   * Keep a frame's buffer for `frameBuffer` when it is a whole buffer of its own (not a view into a
   * larger one), within SPARE_FRAME_BYTES in all and SPARE_FRAME_LENGTHS lengths.
   */
  private spareFrame(frame: Uint8Array): void {
    const length = frame.length;
    if (frame.byteOffset !== 0 || frame.buffer.byteLength !== length || this.spareBytes + length > SPARE_FRAME_BYTES) return;
    let spares = this.spareFrames.get(length);
    if (spares === undefined) {
      if (this.spareFrames.size >= SPARE_FRAME_LENGTHS) return;
      this.spareFrames.set(length, (spares = []));
    }
    spares.push(frame);
    this.spareBytes += length;
  }

  /** RingSink: a buffer for a frame read from a ring — one this shard sent on and spared, else a new one. */
  frameBuffer(length: number): Uint8Array {
    const spare = this.spareFrames.get(length)?.pop();
    if (spare === undefined) return new Uint8Array(length);
    this.spareBytes -= length;
    return spare;
  }

  /**
   * Put a frame (an envelope's fields) into the ring to `shard`. A full ring blocks this shard's
   * progress (never a drop): the reader is woken, and while it makes room this shard takes in its own
   * input rings, so two shards sending to each other cannot wait on each other forever.
   */
  private writeRing(shard: number, ring: FrameRing, deliverAt: number, link: number, port: number, seq: number, frame: Uint8Array, adminUp: boolean | undefined): void {
    const length = frame.length;
    if (ring.fits(length)) {
      while (!ring.tryWriteFrame(deliverAt, seq, link, port, frame, adminUp)) this.waitForRoom(shard, ring);
    } else {
      // Larger than a record of this ring (an MTU raised while running): in parts.
      const envelope: FrameEnvelope = { deliverAt, link, port, seq, bytes: frame };
      if (adminUp !== undefined) envelope.adminUp = adminUp;
      for (let from = 0; from < length; ) {
        const next = ring.tryWritePart(envelope, from);
        if (next === from) this.waitForRoom(shard, ring);
        from = next;
      }
    }
    // In a span, a frame due before its end was taken in by its shard before that one replied.
    if (deliverAt < this.spanLimit) return;
    const summary = this.ringed.get(shard);
    if (summary === undefined) this.ringed.set(shard, { shard, frames: 1, firstAt: deliverAt });
    else {
      summary.frames++;
      if (deliverAt < summary.firstAt) summary.firstAt = deliverAt;
    }
  }

  /** The ring to `shard` is full: wake its reader and take in this shard's own inputs while it makes room. */
  private waitForRoom(shard: number, ring: FrameRing): void {
    const rings = this.rings!;
    if (this.spanLimit > -Infinity && (Atomics.load(rings.clocks, shard) === POISONED_CLOCK || Atomics.load(rings.clocks, this.index) === POISONED_CLOCK)) {
      throw new SpanAborted();
    }
    const seen = ring.readCounter();
    rings.wakeReader(shard);
    this.drainRings();
    rings.waitForRead(ring, seen, FULL_RING_WAIT_MS);
    // Waiting for another shard is progress, not a loop in the node: the watchdog blames the reader if it is stuck.
    this.activity[1] = (this.activity[1]! + 1) | 0;
  }

  /**
   * Take in every frame other shards have put in this shard's input rings. Each is due at or after
   * the end of the window it was sent in (a link's latency is at least the lookahead), so taking it
   * early — while waiting between windows, or mid-window — never changes what this window runs.
   */
  drainRings(): void {
    if (this.rings === null) return;
    const inputs = this.rings.inputs;
    for (let i = 0; i < inputs.length; i++) inputs[i]!.drainTo(this);
  }

  /** A frame from another shard (RingSink, from a ring; acceptEnvelope, from a window's message). */
  takeFrame(deliverAt: number, linkIndex: number, fromPort: number, seq: number, bytes: Uint8Array, adminUp: boolean | undefined): void {
    if (deliverAt < this.ranUntil) {
      throw new Error(`shard ${this.index}: a frame due at ${deliverAt} ns on link ${linkIndex} arrived after this shard ran every event before ${this.ranUntil} ns`);
    }
    const link = this.links[linkIndex]!;
    if (adminUp !== undefined && link.placement.type === 'switch') {
      this.fanOutCarrier(link, fromPort, seq, deliverAt, bytes, adminUp);
      return;
    }
    let first = true;
    const ports = link.placement.ports;
    for (let k = 0; k < ports.length; k++) {
      const portIndex = ports[k]!;
      if (portIndex === fromPort) continue;
      const port = this.localPorts[portIndex];
      if (port === undefined) continue;
      const copy = first ? bytes : bytes.slice();
      first = false;
      this.queue.add(deliverAt, port.placement.node, EventClass.Delivery, fromPort, seq, portIndex, linkIndex, copy, adminUp);
    }
  }

  private acceptEnvelope(envelope: FrameEnvelope): void {
    this.takeFrame(envelope.deliverAt, envelope.link, envelope.port, envelope.seq, envelope.bytes, envelope.adminUp);
  }

  private deliver(event: QueuedEvent): void {
    const port = this.localPorts[event.dst]!;
    if (event.adminUp !== undefined) {
      this.receiveAdminState(port, event.port, event.adminUp);
      return;
    }
    const frame = event.bytes!;
    if (port.switchTable !== null && !port.switchTable.process(frame, event.port, event.dst, this.now)) return;
    const node = port.node;
    const ifname = port.placement.ifname;
    this.touchedNodes.add(node);
    if (!port.link.up) {
      port.egress.drops++;
      this.touchedPorts.add(port);
      this.record(node, 'drop', ifname, event.link, frame, 'linkDown');
      return;
    }
    if (!node.running) {
      this.record(node, 'drop', ifname, event.link, frame, 'nodeStopped');
      return;
    }
    // The node may rewrite the frame in place (TTL, MACs): the trace keeps what arrived.
    if (this.trace) this.record(node, 'rx', ifname, event.link, frame.slice());
    this.receiveGuarded(node, ifname, frame);
    this.scheduleTimer(node);
  }

  private applyControl(control: Control): void {
    switch (control.type) {
      case 'exec': {
        const node = this.nodes.get(control.node);
        if (node === undefined) return;
        if (control.queued && node.queuedRunning) node.queued.push({ id: control.id, cmd: control.cmd });
        else this.startCommand(node, control.id, control.cmd, control.queued);
        return;
      }
      case 'interrupt': {
        const node = this.nodes.get(control.node);
        const handle = node?.handles.get(control.id);
        if (node === undefined || handle === undefined) return;
        this.guard(node, () => handle.interrupt());
        this.scheduleTimer(node);
        return;
      }
      case 'link': {
        const link = this.links[control.link];
        if (link === undefined) return;
        const change = control.change;
        const params = link.placement.params;
        if (change.latencyNs !== undefined) params.latencyNs = change.latencyNs;
        if (change.bandwidthBps !== undefined) params.bandwidthBps = change.bandwidthBps;
        if (change.loss !== undefined) params.loss = change.loss;
        if (change.mtu !== undefined) params.mtu = change.mtu;
        if (change.queue !== undefined) params.queue = change.queue;
        const carrierChanged = change.up !== undefined && change.up !== link.up;
        if (change.up !== undefined) link.up = change.up;
        for (const portIndex of link.placement.ports) {
          const port = this.localPorts[portIndex];
          if (port === undefined) continue;
          port.egress.params = { ...params };
          this.touchedPorts.add(port);
          if (carrierChanged && port.partnerUp) {
            const node = port.node;
            this.touchedNodes.add(node);
            this.guard(node, () => node.host.setCarrier(port.placement.ifname, hasCarrier(port), this.now));
            this.scheduleTimer(node);
          }
        }
        return;
      }
      case 'node': {
        const node = this.nodes.get(control.node);
        if (node === undefined) return;
        node.running = control.action === 'start';
        this.touchedNodes.add(node);
        this.scheduleTimer(node);
        return;
      }
    }
  }

  private startCommand(node: LocalNode, id: number, cmd: string, queued: boolean): void {
    const nodeIndex = node.placement.index;
    this.touchedNodes.add(node);
    if (queued) node.queuedRunning = true;
    let exited = false;
    const write = (stream: 'stdout' | 'stderr', text: string): void => {
      if (!exited) this.outputs.push({ id, node: nodeIndex, t: this.now, seq: node.outputSeq++, stream, text });
    };
    const exit = (status: number): void => {
      if (exited) return;
      exited = true;
      node.handles.delete(id);
      this.exits.push({ id, node: nodeIndex, t: this.now, seq: node.outputSeq++, status });
      if (queued) {
        node.queuedRunning = false;
        const next = node.queued.shift();
        if (next !== undefined) this.startCommand(node, next.id, next.cmd, true);
      }
    };
    if (!node.running) {
      write('stderr', `netloom: node ${node.placement.name} is stopped\n`);
      exit(1);
      return;
    }
    const io = {
      stdout: (text: string): void => {
        if (this.isInCall(node, 'wrote command output')) write('stdout', text);
      },
      stderr: (text: string): void => {
        if (this.isInCall(node, 'wrote command output')) write('stderr', text);
      },
      exit: (status: number): void => {
        if (this.isInCall(node, 'ended a command')) exit(status);
      },
    };
    const handle = this.guard(node, () => node.host.exec(cmd, this.now, io));
    if (!exited) node.handles.set(id, handle);
    this.scheduleTimer(node);
  }
}
