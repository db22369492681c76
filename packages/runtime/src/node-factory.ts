/**
 * How a shard builds its nodes. A factory module exports a function of this type; the shard imports
 * it by URL (workers cannot receive functions), the inline placement may be given the function.
 * The runtime adds the Ethernet ports and the initial carrier after the factory returns.
 *
 * A factory returns the node, or the node with a reader of its loadable parts' state (IPVS, Mobile
 * IPv6: module-state.ts), which the shard sends with the node's counters at the end of each window
 * the node was busy in, for a UI to show.
 */
import type { Nanos, NodeConfig, NodeEnvironment, NodeHost } from '@netloom/stack/node-host';
import type { IpvsStateRecord, MobilityStateRecord, NodePlacement } from '@netloom/ipc';

/** The state of a node's loadable parts; a part not loaded (or not running) is absent. */
export interface ModuleState {
  ipvs?: IpvsStateRecord;
  mobility?: MobilityStateRecord;
}

/** A node and a read-only look at its loadable parts at `now`. */
export interface ReportingNode {
  readonly host: NodeHost;
  moduleState(now: Nanos): ModuleState;
}

export type NodeFactory = (node: NodePlacement, config: NodeConfig, env: NodeEnvironment) => NodeHost | ReportingNode;

export function isReportingNode(built: NodeHost | ReportingNode): built is ReportingNode {
  return 'moduleState' in built;
}
