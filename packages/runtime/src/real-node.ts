/**
 * The default node factory: a node of @netloom/stack running the programs of @netloom/apps.
 * Loaded by URL inside each shard (see node-factory.ts).
 */
import type { NodeConfig, NodeEnvironment, NodeHost } from '@netloom/stack/node-host';
import type { NodePlacement } from '@netloom/ipc';

export function createRealNode(node: NodePlacement, _config: NodeConfig, _env: NodeEnvironment): NodeHost {
  throw new Error(`node ${node.name}: @netloom/stack's createNode is not available yet`);
}
