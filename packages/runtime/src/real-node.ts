/**
 * The default node factory: a node of @netloom/stack running the programs of @netloom/apps, with
 * the files its topology gives it (`hosts:`, `gai.conf:`).
 * Loaded by URL inside each shard (see node-factory.ts).
 */
import type { NodePlacement } from '@netloom/ipc';
import { programs } from '@netloom/apps';
import { createNode, type NodeConfig, type NodeEnvironment, type NodeHost } from '@netloom/stack';

export function createRealNode(node: NodePlacement, config: NodeConfig, env: NodeEnvironment): NodeHost {
  const [advertised] = node.routerAdvertisements ?? [];
  if (advertised !== undefined) {
    // A topology's ra: block is validated and carried here, but the stack sends no router
    // advertisements yet (issue #15): the node refuses to start rather than run without them.
    throw new Error(`ra: router advertisements on ${advertised.ifname} cannot be sent: this netloom's stack has no router advertisement sender yet`);
  }
  return createNode({ ...config, ...(node.files !== undefined ? { files: node.files } : {}) }, env, programs);
}
