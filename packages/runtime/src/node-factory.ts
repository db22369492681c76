/**
 * How a shard builds its nodes. A factory module exports a function of this type; the shard imports
 * it by URL (workers cannot receive functions), the inline placement may be given the function.
 * The runtime adds the Ethernet ports and the initial carrier after the factory returns.
 */
import type { NodeConfig, NodeEnvironment, NodeHost } from '@netloom/stack/node-host';
import type { NodePlacement } from '@netloom/ipc';

export type NodeFactory = (node: NodePlacement, config: NodeConfig, env: NodeEnvironment) => NodeHost;
