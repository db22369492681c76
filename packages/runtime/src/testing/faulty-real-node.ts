/**
 * The real stack node with the fault injector's `fault KIND` command (fault-injector.ts), for
 * scenario tests of node failures on real topologies. Loaded by URL from the compiled
 * dist-test/testing/faulty-real-node.js, like the fake node.
 */
import type { NodePlacement } from '@netloom/ipc';
import type { NodeConfig, NodeEnvironment, NodeHost } from '@netloom/stack/node-host';
import { createRealNode } from '../real-node.js';
import { withFaults } from './fault-injector.js';

export function createFaultyRealNode(node: NodePlacement, config: NodeConfig, env: NodeEnvironment): NodeHost {
  return withFaults(createRealNode(node, config, env).host, env);
}
