/**
 * The messages between the controller (main thread) and the shards (worker threads), version 1.
 *
 * Covers: placing nodes, ports and links on shards (`start`), the conservative window protocol
 * (`window` → `windowDone`), frame envelopes batched per window, commands and interrupts, command
 * output and exit, trace records, counters, errors naming the node, and shutdown (`close` → `done`).
 * Leaves out: how the messages travel (MessagePorts today, any byte transport later — ARCHITECTURE
 * §9) and what nodes do with frames.
 *
 * Every number of time is integer nanoseconds of virtual time. Nodes, ports and links are named by
 * their index in the controller's tables, which are in topology file order and identical on every
 * shard, so that the ordering keys built from them are placement independent.
 */
import type { IpvsStateRecord, MobilityStateRecord } from './module-state.js';

/**
 * Raised whenever a message's meaning changes, so that a controller and a worker built from different
 * sources (a stale CLI bundle beside a rebuilt runtime, say) fail with the codec's version error and
 * not somewhere inside a shard. 2: a worker's start message holds only its shard's part of the tables
 * (runtime's start-subset.ts).
 */
export const PROTOCOL_VERSION = 2;

/** Parameters of a link or LAN segment, as the topology gives them. */
export interface LinkParamsRecord {
  latencyNs: number;
  /** Bits per second; null = unlimited. */
  bandwidthBps: number | null;
  /** 0..1 */
  loss: number;
  mtu: number;
  /** Drop-tail queue length in frames. */
  queue: number;
}

export interface InterfacePlacement {
  name: string;
  /** 6 bytes. */
  mac: Uint8Array;
  mtu: number;
}

export interface NodePlacement {
  index: number;
  name: string;
  kind: string;
  compat: string[];
  /** 32-bit seed for the node's own pseudo-random choices. */
  seed: number;
  interfaces: InterfacePlacement[];
  shard: number;
  /** Files the node starts with (a topology's `hosts:` and `gai.conf:`). */
  files?: { path: string; text: string }[];
  /** A topology's `ra:` settings per interface (wire's RaInterfaceConfig). */
  routerAdvertisements?: RouterAdvertisementPlacement[];
  /** DAD probes and router solicitations on the wire: its topology configures IPv6 (topology's configuresIpv6). */
  ndiscProbes?: boolean;
  /** A director's `healthcheck:` block (topology's HealthCheckSpec), carried as it is. */
  healthChecks?: HealthCheckPlacement[];
}

/** One health check of a director: topology's HealthCheckSpec as plain data. */
export interface HealthCheckPlacement {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  type: 'tcp' | 'http' | 'udp' | 'ping';
  checkPort?: number;
  path: string;
  statusCode: number;
  intervalNs: number;
  timeoutNs: number;
  fall: number;
  rise: number;
  onFailure: 'remove' | 'quiesce';
  sorryServer?: { address: string; port: number };
}

/** The router advertisements of one interface: wire's RaInterfaceConfig, carried as it is. */
export interface RouterAdvertisementPlacement {
  ifname: string;
  [setting: string]: unknown;
}

/** One end of a link or one member of a LAN: a node's Ethernet port. */
export interface PortPlacement {
  index: number;
  node: number;
  ifname: string;
  link: number;
}

export interface LinkPlacement {
  index: number;
  /** `a:eth0--b:eth0` or the LAN's name. */
  id: string;
  type: 'p2p' | 'hub' | 'switch';
  /** Port indexes, in endpoint / member order. */
  ports: number[];
  params: LinkParamsRecord;
  up: boolean;
}

/** Which module builds the nodes inside a shard: `export function <name>(spec, config, env): NodeHost`. */
export interface NodeFactoryRef {
  /** A file URL or package specifier that `import()` accepts. */
  module: string;
  export: string;
}

export interface StartMessage {
  type: 'start';
  version: number;
  shard: number;
  /** The topology seed (loss PRNGs derive from it). */
  seed: number;
  /**
   * The nodes, ports and links, each with its index in the emulation's tables. Inline, every one; a
   * worker's shard gets its own nodes, the links with a port on them, and those links' ports
   * (runtime's start-subset.ts).
   */
  nodes: NodePlacement[];
  ports: PortPlacement[];
  links: LinkPlacement[];
  /** The shard of each node of another shard with a port on those links (absent: `nodes` holds them all). */
  peers?: { index: number; shard: number }[];
  factory: NodeFactoryRef;
  /** Spin before blocking at the window barrier (only worth it when shards ≤ cores). */
  spin: boolean;
  /**
   * Nodes whose state ready leaves out: each has a startup command in the first window, whose
   * windowDone reports them (so a boot reads and formats every node's addresses once, not twice).
   */
  statesAfterFirstWindow?: number[];
}

/** A frame crossing shards: delivered at `deliverAt` to the far end(s) of `link`, sent from `port`. */
export interface FrameEnvelope {
  deliverAt: number;
  link: number;
  /** Sending port; with `seq` the deterministic tie-break among frames due at the same time. */
  port: number;
  /** Per sending port, counts frames put on the wire. */
  seq: number;
  bytes: Uint8Array;
  /**
   * Set when this is a carrier signal, not a frame (`bytes` empty): the sending port's device was
   * set up (true) or down (false), so the link partner's carrier follows (a veth pair; a bridge port).
   */
  adminUp?: boolean;
}

export interface LinkChangeRecord {
  up?: boolean;
  latencyNs?: number;
  bandwidthBps?: number | null;
  loss?: number;
  mtu?: number;
  queue?: number;
}

/** Things the controller applies at a window's start, in this order, before any event of that time. */
export type Control =
  /** Run a command line; `queued` ones wait for the node's previous queued command (startup scripts). */
  | { type: 'exec'; id: number; node: number; cmd: string; queued: boolean }
  | { type: 'interrupt'; id: number; node: number }
  | { type: 'link'; link: number; change: LinkChangeRecord }
  | { type: 'node'; node: number; action: 'stop' | 'start' };

export interface WindowMessage {
  type: 'window';
  version: number;
  /** The window is [start, until): events with time < until run. */
  start: number;
  until: number;
  controls: Control[];
  frames: FrameEnvelope[];
  /** Send trace records (with frame bytes) back. */
  trace: boolean;
  /**
   * A span: every shard gets the same [start, until) and runs it in steps bounded by its
   * neighbours' channel clocks (neighbour synchronisation), replying once for the whole span.
   */
  span?: boolean;
  /**
   * The operation's last window, given to every shard: after it the shard settles (as for a
   * SettleMessage) before it replies, and the reply's `error` includes what the settle raised, so the
   * controller needs no settle round trip of its own.
   */
  settle?: boolean;
}

export interface CloseMessage {
  type: 'close';
  version: number;
}

/**
 * Let the shard's thread run asynchronous work its nodes started (real timers, promises) and answer
 * with any fault that raised: sent at the end of each operation, so a node's late exception is never
 * reported as success.
 */
export interface SettleMessage {
  type: 'settle';
  version: number;
}

export type ControllerMessage = StartMessage | WindowMessage | SettleMessage | CloseMessage;

export interface OutputRecord {
  id: number;
  node: number;
  t: number;
  /** Per node, orders output and exits of the same time. */
  seq: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ExitRecord {
  id: number;
  node: number;
  t: number;
  seq: number;
  status: number;
}

export type TraceKindRecord = 'tx' | 'rx' | 'drop' | 'forward' | 'deliver' | 'log';

export interface TraceRecord {
  t: number;
  /** Per node; (t, node, seq) orders trace records the same way for every placement. */
  seq: number;
  kind: TraceKindRecord;
  node: number;
  ifname: string | null;
  /** Link index, or -1 when none. */
  link: number;
  reason?: string;
  /** forward: the output interface; deliver: the protocol. */
  detail?: string;
  frame?: Uint8Array;
}

export interface NodeStateRecord {
  node: number;
  running: boolean;
  framesIn: number;
  framesOut: number;
  drops: number;
  interfaces: string[];
  addresses: { ifname: string; family: 4 | 6; address: string; prefixLength: number }[];
  /** A node with IPVS loaded: its services and real servers (module-state.ts). */
  ipvs?: IpvsStateRecord;
  /** A node running mip6d: its bindings. */
  mobility?: MobilityStateRecord;
}

export interface PortStateRecord {
  port: number;
  frames: number;
  drops: number;
  queueDepth: number;
}

export interface ShardFailure {
  /** The node whose code threw, or null when the shard itself failed. */
  node: string | null;
  message: string;
}

export interface WindowDoneMessage {
  type: 'windowDone';
  version: number;
  shard: number;
  /** Envelopes for other shards, grouped by destination shard. */
  out: { shard: number; frames: FrameEnvelope[] }[];
  /**
   * Frames this window wrote straight into the ring to another shard (worker placements): how many,
   * and the earliest delivery time among them, for the controller's choice of windows.
   */
  ringed: { shard: number; frames: number; firstAt: number }[];
  outputs: OutputRecord[];
  exits: ExitRecord[];
  traces: TraceRecord[];
  /** Nodes and ports whose state changed in this window. */
  nodes: NodeStateRecord[];
  ports: PortStateRecord[];
  /** Earliest pending event of this shard, Infinity when idle. */
  nextEventAt: number;
  error: ShardFailure | null;
  /** In a span's reply: how often the shard waited for a neighbour's clock, and how many events it ran. */
  waits?: number;
  events?: number;
}

export interface ReadyMessage {
  type: 'ready';
  version: number;
  shard: number;
  nodes: NodeStateRecord[];
  error: ShardFailure | null;
}

export interface DoneMessage {
  type: 'done';
  version: number;
  shard: number;
}

export interface SettledMessage {
  type: 'settled';
  version: number;
  shard: number;
  error: ShardFailure | null;
}

export type ShardMessage = ReadyMessage | WindowDoneMessage | SettledMessage | DoneMessage;
