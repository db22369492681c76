/**
 * The normalised topology: plain data the runtime, the CLI and the tests consume once a topology
 * file has been loaded and validated. These shapes are the contract agreed between the engineers
 * (see the topology file format note); change them only together with their users.
 *
 * Times are integer nanoseconds of virtual time; bandwidths are bits per second; loss is a
 * fraction 0..1. Leaves out everything about how the runtime realises a topology.
 */
import type { RaInterfaceConfig } from '@netloom/wire/ra-config';

export type { RaInterfaceConfig, RaPrefixConfig } from '@netloom/wire/ra-config';

export type NodeKind = 'host' | 'router' | 'director' | 'mobile-node' | 'home-agent' | 'switch';

export interface Endpoint {
  node: string;
  ifname: string;
}

export interface LinkParams {
  latencyNs: number;
  /** Bits per second; null = unlimited (no serialization delay). */
  bandwidthBps: number | null;
  /** Fraction of frames lost, 0..1. */
  loss: number;
  mtu: number;
  /** Drop-tail queue length in frames. */
  queue: number;
}

/** 1-based line and column of an item in the topology file (`spec.file`). */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface InterfaceSpec {
  name: string;
  /** Lower-case colon-separated, e.g. `02:00:00:00:01:01`. */
  mac: string;
  mtu: number;
}

export interface NodeSpec {
  name: string;
  kind: NodeKind;
  /** The file gives no `kind:`, so the node is a host (the default); absent for specs built in code. */
  kindDefaulted?: boolean;
  /** Where the node is named (its key in `nodes`); absent for specs built in code. */
  source?: SourcePosition;
  compat: string[];
  /**
   * Startup commands in node-shell syntax as written, run in order at t=0 (after the kind's preset).
   * The first that fails stops the start, unless it ends in `|| true` (see exec-line.ts).
   */
  exec: string[];
  /** Where each `exec` line is written, one per line; absent for specs built in code. */
  execSource?: SourcePosition[];
  /** Ethernet ports in the order they first appear in links, then LANs. `lo` is implicit and not listed. */
  interfaces: InterfaceSpec[];
  /** Files the node starts with: `hosts:` as /etc/hosts, `gai.conf:` as /etc/gai.conf. */
  files?: NodeFileSpec[];
  /** `ra:`: the router advertisements each interface sends (radvd's settings, defaults filled in). */
  ra?: RaInterfaceConfig[];
  /** Where the `ra:` block is written. */
  raSource?: SourcePosition;
  /** `healthcheck:`: a director's checks of its virtual services (health-checks.ts). */
  healthChecks?: HealthCheckSpec[];
}

/** One health check, defaults filled in (keepalived's, fall/rise 1). */
export interface HealthCheckSpec {
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

export interface NodeFileSpec {
  path: string;
  text: string;
}

export interface LinkSpec {
  /** `a:eth0--b:eth0`, endpoints in file order. */
  id: string;
  a: Endpoint;
  b: Endpoint;
  params: LinkParams;
}

export interface LanSpec {
  name: string;
  type: 'hub' | 'switch';
  members: Endpoint[];
  params: LinkParams;
}

export type Matcher =
  | { kind: 'contains'; text: string }
  | { kind: 'regex'; source: string; flags: string }
  | { kind: 'empty' };

export interface LinkChangeSpec {
  up?: boolean;
  latencyNs?: number;
  bandwidthBps?: number | null;
  loss?: number;
  mtu?: number;
  queue?: number;
}

export type EventSpec =
  /** `cmd` as written (a trailing `|| true` lets it fail); `source`: where, when loaded from a file. */
  | { at: number; kind: 'exec'; node: string; cmd: string; source?: SourcePosition }
  | { at: number; kind: 'link'; link: string; change: LinkChangeSpec }
  | { at: number; kind: 'node'; node: string; action: 'stop' | 'start' };

export interface ExpectSpec {
  at: number;
  node: string;
  cmd: string;
  status?: number;
  /** Every matcher must match stdout. */
  stdout: Matcher[];
  /** Every matcher must match stderr. */
  stderr: Matcher[];
  /** No matcher may match stdout. */
  notStdout: Matcher[];
  /** 1-based line of the expect item in the file, for reports. */
  line: number;
}

export interface TopologySpec {
  name: string;
  seed: number;
  /** The file name as given to the loader. */
  file: string;
  nodes: NodeSpec[];
  links: LinkSpec[];
  lans: LanSpec[];
  /** In file order (the runtime orders by time, stably). */
  events: EventSpec[];
  /** In file order. */
  expect: ExpectSpec[];
}
