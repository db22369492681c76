/**
 * The public shapes of the library API (`import { Emulator } from '@netloom/runtime'`): what the
 * CLI, the TUI and users' scripts see. The Emulator class in emulator.ts implements EmulatorApi.
 *
 * Times are integer nanoseconds of virtual time (numbers).
 */

import type { IpvsStateRecord, MobilityStateRecord, NodeFactoryRef } from '@netloom/ipc';
import type { StuckNodeHandler } from './inline-watchdog.js';

export type Placement = 'per-node' | 'packed' | 'inline';

/**
 * How shards keep in step. `neighbour` hands out spans, in which each shard waits only for the
 * shards it shares links with (promises with per-link lookahead), whenever nothing depends on
 * where windows end; `global` runs every step as a window of the controller's; `auto` (the default)
 * spans inline always and between threads in busy stretches (windows skip idle time, where channel
 * clocks creep through it a lookahead at a time). Traces are the same in every mode.
 */
export type Synchronisation = 'auto' | 'global' | 'neighbour';

export interface EmulatorOptions {
  /** Overrides the topology's seed. */
  seed?: number;
  /** per-node: a worker thread per node; packed: nodes spread over `workers` threads; inline: main thread. */
  placement?: Placement;
  workers?: number;
  /**
   * Packed placement only: the shard of some nodes by name (0 … shards-1), the others by the contiguous
   * rule. A benchmark puts one node alone on a worker this way (`bench lvs`: the director apart from its
   * clients and real servers). Every shard must keep at least one node. Traces do not depend on it.
   */
  shardOf?: Readonly<Record<string, number>>;
  /** Spans with neighbour-only synchronisation, global windows only, or auto; default NETLOOM_SYNC, else auto. */
  sync?: Synchronisation;
  /** Real-time pacing of windows to the wall clock, `speed` × real time. */
  realtime?: boolean;
  speed?: number;
  /**
   * Play the topology's `events:` while time moves through advance() and waiting commands (the TUI
   * does, so a file's timeline happens as you watch). run() always plays them; don't mix the two.
   */
  playEvents?: boolean;
  /**
   * Wall-time milliseconds a worker inside a node may go without answering or making a new call into
   * a node before that node is reported as stuck (a loop that never ends) and the worker is stopped.
   * Default 10 000, or NETLOOM_WATCHDOG_MS. Inline, only `onStuck` uses it.
   */
  watchdogMs?: number;
  /**
   * Inline placement runs the nodes on the caller's thread, which nothing on it can interrupt. With
   * a handler, a watchdog thread calls it on that thread, by interrupt, in the middle of a call into
   * a node that has made no progress for `watchdogMs`: `{ node, message }`. It can end the process
   * (the CLI exits 3) but not the loop; if it returns, the loop goes on. Main thread only. Without
   * one (the default) a node that loops forever inline hangs the caller; use a worker placement to
   * have it named and stopped as an EmulatorError.
   */
  onStuck?: StuckNodeHandler;
  /**
   * Which module builds the nodes (default: the real stack with the apps). Tests and benchmarks
   * give their own; it must be importable by URL from a worker thread (compiled JavaScript).
   */
  nodeFactory?: NodeFactoryRef;
  /**
   * Bytes of memory the placement may take: load() refuses (EmulatorError) a placement whose start
   * would need more (memory-budget.ts: ≈ 19 MiB per worker thread, 24 when the worker bundle is stale, 64 KiB per node). Default: what
   * the machine has available when the topology is loaded.
   */
  availableMemory?: number;
  /**
   * The data capacity of every ring between shards (a power of two ≥ 1024), instead of one sized by
   * the links' MTUs: tests make rings too small for one frame, so that frames cross in parts and
   * senders wait for room. Traces do not depend on it.
   */
  ringBytes?: number;
}

export interface CommandResult {
  /** Virtual time when the command finished. */
  t: number;
  node: string;
  cmd: string;
  status: number;
  /**
   * Output up to 1 MiB characters per stream; past that, the first and the newest half with a line
   * `[netloom: N characters of output not kept]` between them (exec's onOutput sees everything).
   */
  stdout: string;
  stderr: string;
}

/** How exec() runs a command beyond the defaults. */
export interface ExecOptions {
  /** Each chunk of the command's output as it is produced, in virtual-time order. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /**
   * Aborting it is Ctrl-C: the program gets SIGINT at the next window (ping prints its statistics
   * and exits 0 with replies, 1 without), and exec() resolves when it has exited.
   */
  signal?: AbortSignal;
}

/** A command that exited (onExit): exec'd, spawned, a timeline or startup command. */
export interface CommandExit {
  node: string;
  id: number;
  status: number;
  /** Virtual time of the exit. */
  t: number;
}

/** One of the topology's `events:` as it is applied (onTimeline), with a line for people. */
export interface TimelineEvent {
  /** Virtual time when it was applied. */
  t: number;
  kind: 'exec' | 'link' | 'node';
  node: string | null;
  link: string | null;
  /** `node gw1 stop`, `link r1:eth1--r2:eth0 down`, `link … set latency 5ms loss 1%`, `host# ping …`. */
  description: string;
}

/** `log`: a line a node's daemon logged (the health checker), its text as the summary. */
export type TraceKind = 'tx' | 'rx' | 'drop' | 'forward' | 'deliver' | 'log';

export interface TraceEvent {
  t: number;
  kind: TraceKind;
  node: string;
  ifname: string | null;
  /** Link id (`a:eth0--b:eth0` or LAN name) the frame travelled on, when known. */
  link: string | null;
  /** Drop reason (stack DropReason or link reasons `linkDown`, `queueFull`, `loss`, `mtuExceeded`). */
  reason?: string;
  /** One-line tcpdump-like summary of the frame (from wire.describeFrame). */
  summary: string;
  /** Frame bytes (tx/rx/drop when available). */
  frame?: Uint8Array;
  /** forward: the output interface; deliver: the protocol. */
  detail?: string;
}

export interface NodeInfo {
  name: string;
  kind: string;
  running: boolean;
  interfaces: string[];
  addresses: { ifname: string; family: 4 | 6; address: string; prefixLength: number }[];
  framesIn: number;
  framesOut: number;
  drops: number;
  /**
   * Once IPVS is loaded: its services and real servers with weights, ActiveConn/InActConn, Conns and
   * rates, as `ipvsadm -L -n`, `--stats` and `--rate` give them (shared: do not change).
   */
  ipvs?: IpvsState;
  /** While mip6d runs: the home agent's binding cache or the mobile node's binding update list (shared: do not change). */
  mobility?: MobilityState;
}

/** A director's IPVS as NodeInfo carries it (ipc's module-state.ts). */
export type IpvsState = IpvsStateRecord;
/** A Mobile IPv6 node's bindings as NodeInfo carries them; each binding's `expiresAt` is virtual ns. */
export type MobilityState = MobilityStateRecord;

export interface LinkInfo {
  /** `a:eth0--b:eth0` for point-to-point links, the LAN name for LANs. */
  id: string;
  type: 'p2p' | 'hub' | 'switch';
  endpoints: string[];
  up: boolean;
  latencyNs: number;
  bandwidthBps: number | null;
  loss: number;
  mtu: number;
  frames: number;
  drops: number;
  queueDepth: number;
}

export interface LinkChange {
  up?: boolean;
  latencyNs?: number;
  bandwidthBps?: number | null;
  loss?: number;
  mtu?: number;
  queue?: number;
}

export interface ExpectationResult {
  /** Index in the topology's expect list, its time and node. */
  index: number;
  at: number;
  node: string;
  cmd: string;
  passed: boolean;
  /** What failed: "stdout did not match /…/", "status 1, want 0", with the output. */
  message: string;
  result: CommandResult;
}

export interface RunReport {
  endTime: number;
  expectations: ExpectationResult[];
  passed: boolean;
}

export interface EmulatorApi {
  readonly name: string;
  /** Current virtual time. */
  now(): number;
  /** Start shards, apply every node's startup `exec:` commands. */
  start(): Promise<void>;
  /**
   * Run a command on a node at the current time; resolves when it exits (virtual time advances as
   * needed; after an hour of virtual time the command is interrupted, like Ctrl-C). Afterwards now()
   * is the end of the window in which it exited (at most one lookahead after `t`).
   */
  exec(node: string, cmd: string, options?: ExecOptions): Promise<CommandResult>;
  /**
   * Run a command on a node at the current instant without moving virtual time, to read its state
   * (`ip -j route show`, `sysctl -n …`): no event due later runs, and now() is unchanged. Its result
   * is what it printed in that instant; one still running then is interrupted (as Ctrl-C) in the
   * same instant, and its status is the one it exited with, or 130.
   */
  inspect(node: string, cmd: string): Promise<CommandResult>;
  /**
   * Start a long-running command; output arrives through onOutput, its end through onExit;
   * returns a handle. Results of the 64 newest finished ones stay readable (commandResult).
   */
  spawn(node: string, cmd: string): Promise<{ id: number; interrupt(): Promise<void> }>;
  /** Move virtual time forward by `ns`, running events/timers. */
  advance(ns: number): Promise<void>;
  /** Run the topology's timeline (events and expectations) until `until` or the last item + grace. */
  run(until?: number): Promise<RunReport>;
  nodes(): NodeInfo[];
  links(): LinkInfo[];
  setLink(id: string, change: LinkChange): Promise<void>;
  /**
   * Freeze a node (like `docker pause`): frames reaching it are dropped with reason `nodeStopped`,
   * its timers wait, commands fail. startNode resumes it with all its state kept (no reboot);
   * overdue timers run at once. Carrier is unchanged. Both take effect at the current time.
   */
  stopNode(name: string): Promise<void>;
  startNode(name: string): Promise<void>;
  onTrace(listener: (events: TraceEvent[]) => void): () => void;
  onOutput(listener: (out: { node: string; id: number; stream: 'stdout' | 'stderr'; text: string }) => void): () => void;
  /** Every command's exit, after its last output. */
  onExit(listener: (exit: CommandExit) => void): () => void;
  /** The topology's `events:` as they are applied (by run(), or as time moves with `playEvents`). */
  onTimeline(listener: (event: TimelineEvent) => void): () => void;
  /** Write one pcapng per link/LAN into `dir` (`<id with : → _>.pcapng`); returns the paths. */
  startCapture(dir: string): Promise<string[]>;
  stopCapture(): Promise<void>;
  /** Real-time control (TUI). */
  setRealtime(on: boolean, speed?: number): void;
  close(): Promise<void>;
}
