// A node factory for the CLI's failure tests, loaded by URL inside runtime shards (worker threads
// cannot load TypeScript, hence plain JS): the node named `h2` throws while being built, the way
// a bug in a node's code would. Any other node is the real stack node.
import { createRealNode } from '@netloom/runtime/real-node';

export function createFailingNode(node, config, env) {
  if (config.name === 'h2') throw new Error('simulated fault in the node model');
  return createRealNode(node, config, env);
}
