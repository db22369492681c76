/**
 * The default node factory: a node of @netloom/stack running the programs of @netloom/apps.
 * Loaded by URL inside each shard (see node-factory.ts).
 */
import type { NodePlacement } from '@netloom/ipc';
import { programs } from '@netloom/apps';
import { createNode, type NodeConfig, type NodeEnvironment, type NodeHost } from '@netloom/stack';

export function createRealNode(_node: NodePlacement, config: NodeConfig, env: NodeEnvironment): NodeHost {
  return createNode(config, env, programs);
}
