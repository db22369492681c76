/**
 * The public shapes of the library API (`import { Emulator } from '@netloom/runtime'`): what the
 * CLI, the TUI and users' scripts see. The Emulator class in emulator.ts implements EmulatorApi.
 *
 * Times are integer nanoseconds of virtual time (numbers).
 */

import type { NodeFactoryRef } from '@netloom/ipc';

export type Placement = 'per-node' | 'packed' | 'inline';

export interface EmulatorOptions {
  /** Overrides the topology's seed. */
  seed?: number;
  /** per-node: a worker thread per node; packed: nodes spread over `workers` threads; inline: main thread. */
  placement?: Placement;
  workers?: number;
  /** Real-time pacing of windows to the wall clock, `speed` × real time. */
  realtime?: boolean;
  speed?: number;
  /**
   * Play the topology's `events:` while time moves through advance() and waiting commands (the TUI
   * does, so a file's timeline happens as you watch). run() always plays them; don't mix the two.
   */
  playEvents?: boolean;
  /**
   * Which module builds the nodes (default: the real stack with the apps). Tests and benchmarks
   * give their own; it must be importable by URL from a worker thread (compiled JavaScript).
   */
  nodeFactory?: NodeFactoryRef;
}

export interface CommandResult {
  /** Virtual time when the command finished. */
  t: number;
  node: string;
  cmd: string;
  status: number;
  stdout: string;
  stderr: string;
}

export type TraceKind = 'tx' | 'rx' | 'drop' | 'forward' | 'deliver';

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
}

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
  exec(node: string, cmd: string): Promise<CommandResult>;
  /** Start a long-running command; output arrives through onOutput; returns a handle. */
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
  /** Write one pcapng per link/LAN into `dir` (`<id with : → _>.pcapng`); returns the paths. */
  startCapture(dir: string): Promise<string[]>;
  stopCapture(): Promise<void>;
  /** Real-time control (TUI). */
  setRealtime(on: boolean, speed?: number): void;
  close(): Promise<void>;
}
