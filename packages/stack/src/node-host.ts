/**
 * The contract between one node's kernel model and whoever hosts it (the runtime's shard).
 *
 * Covers: how frames enter and leave a node, how virtual time reaches it, how commands run on it,
 * and what it reports (trace events, process output). Leaves out: links, LANs, threads and
 * msgpack — the stack never sees them (ARCHITECTURE.md §1, §3).
 *
 * Time is integer nanoseconds as a JS number (exact up to 2^53 ns ≈ 104 days), always passed in.
 * The node never reads a clock and never draws random numbers except from the seed it was given.
 */
import type { RaInterfaceConfig } from '@netloom/wire/ra-config';
import type { CompatSettings } from '@netloom/wire';
import type { Errno } from './process.js';

/** Virtual time in integer nanoseconds. */
export type Nanos = number;

export type NodeKind = 'host' | 'router' | 'director' | 'mobile-node' | 'home-agent' | 'switch';

/** Named compatibility settings: the one list is wire's compat-settings.ts (docs/compatibility.md). Default: modern Linux. */
export type { CompatSettings };

export interface NodeConfig {
  name: string;
  kind: NodeKind;
  /** 32-bit seed for this node's own pseudo-random choices (e.g. neighbour timer jitter). */
  seed: number;
  compat?: CompatSettings;
  /** Files the node starts with (a topology's `hosts:` and `gai.conf:` blocks): path and text. */
  files?: readonly { path: string; text: string }[];
  /** The interfaces it sends router advertisements on (a topology's `ra:` block, radvd's settings). */
  routerAdvertisements?: readonly RaInterfaceConfig[];
  /**
   * DAD's neighbour solicitations and router solicitations go on the wire (ipv6/addrconf-probes.ts).
   * The runtime sets it for a topology that configures IPv6, so IPv4-only networks stay quiet.
   */
  ndiscProbes?: boolean;
}

/** Why the stack dropped a frame; one of these is in every drop trace and counter. */
export type DropReason =
  | 'malformed'
  | 'badChecksum'
  | 'notForUs'
  | 'ttlExpired'
  | 'noRoute'
  | 'hostUnreachable'
  | 'prohibited'
  | 'blackhole'
  | 'martianSource'
  | 'martianDestination'
  | 'rpFilter'
  | 'forwardingDisabled'
  | 'neighbourFailed'
  | 'neighbourQueueFull'
  /** No neighbour entry could be made: the table is at gc_thresh3 (neigh_create failing, SKB_DROP_REASON_NEIGH_CREATEFAIL). */
  | 'neighbourTableFull'
  | 'fragmentationNeeded'
  | 'interfaceDown'
  | 'noSocket'
  | 'unsupportedProtocol'
  | 'rateLimited'
  | 'redirectRejected'
  | 'reassemblyFailed'
  | 'nodeStopped'
  /** IPVS's NF_DROP (ip_vs_in): no real server available, the connection's server deleted, the connection table full. */
  | 'ipvs';

/** What the stack reports besides frames; the runtime stamps node name and time. */
export type StackEvent =
  | { type: 'drop'; ifname: string | null; reason: DropReason; frame?: Uint8Array; detail?: string }
  | { type: 'forward'; inIf: string; outIf: string; frame: Uint8Array }
  | { type: 'deliver'; ifname: string; protocol: string; frame: Uint8Array }
  /** A line a daemon of the node logs (the director's health checker): shown in the trace and the TUI. */
  | { type: 'log'; text: string };

/** Provided by the host (runtime) to the node. Calls happen synchronously inside node methods. */
export interface NodeEnvironment {
  /**
   * Put a whole Ethernet frame on the wire of interface `ifname` at the current time. The frame is
   * the host's from then on, as an skb handed to dev_queue_xmit: the node never writes into it or
   * reads it again (the host delivers it without a copy, and its receiver may rewrite it in place;
   * once a frame has been copied to another thread, the host reuses its buffer for one that comes in).
   */
  transmit(ifname: string, frame: Uint8Array): void;
  /** Trace events (drops with reasons, forwards, local deliveries). */
  event(event: StackEvent): void;
  /**
   * Whether the host records trace events now; absent: always. While it answers false, a node
   * leaves out the events it would build only for the trace — a `forward` per hop — and reports
   * the others (drops, deliveries, log lines) as before.
   */
  tracing?(): boolean;
  /**
   * The device behind port `ifname` was set up or down (`ip link set`): as for a veth pair, the
   * link partner's carrier follows (the runtime carries the change across the link).
   */
  adminStateChanged?(ifname: string, up: boolean): void;
}

/** Output sink and completion of one command line run on a node. */
export interface CommandIo {
  /**
   * Nothing when the text was taken; the errno of write(2) when it could not be (stdout redirected
   * into a node file that is full: ENOSPC).
   */
  stdout(text: string): Errno | void;
  stderr(text: string): void;
  /** Called exactly once, possibly synchronously from within `exec`. */
  exit(status: number): void;
  /**
   * Standard input read to its end: the text of the file redirected with `< FILE` (read when
   * called), a here-string; '' once read (end of file, as read(2) after the last byte). Absent or
   * null: the command has no input of its own — the node shell has no terminal, so a program
   * reading it sees end of file at once, as with `< /dev/null`.
   */
  stdin?(): string | null;
}

export interface CommandHandle {
  /** Ctrl-C: the program prints what it prints on SIGINT (ping's summary) and exits. */
  interrupt(): void;
}

/** Counters a UI shows per node. */
export interface NodeCounters {
  framesIn: number;
  framesOut: number;
  drops: number;
}

/**
 * A node as the host sees it. The runtime calls, in virtual-time order:
 *   receive() for each delivered frame, runTimers() when nextDeadline() is due, exec() for commands,
 *   setCarrier() when a link's carrier changes.
 */
export interface NodeHost {
  readonly name: string;
  /** Add an Ethernet port (before start). `mac` is 6 bytes. */
  addEthernet(ifname: string, mac: Uint8Array, mtu: number): void;
  /** Carrier (link partner present and link up) changed on `ifname`. */
  setCarrier(ifname: string, carrier: boolean, now: Nanos): void;
  /** A frame arrived on `ifname`. Never throws: malformed input is a counted drop. */
  receive(ifname: string, frame: Uint8Array, now: Nanos): void;
  /** The earliest time a timer of this node is due, or Infinity. */
  nextDeadline(): Nanos;
  /** Run every timer due at or before `now`. */
  runTimers(now: Nanos): void;
  /** Run a command line in the node shell (ip, sysctl, ping, …). */
  exec(line: string, now: Nanos, io: CommandIo): CommandHandle;
  counters(): NodeCounters;
  /** Interface names in ifindex order (lo first). */
  interfaceNames(): string[];
  /** Addresses for display and for replacing a node name by its address (`h1 ping h2`). */
  addresses(): { ifname: string; family: 4 | 6; address: string; prefixLength: number }[];
}
