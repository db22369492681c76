/**
 * A node that fails inside a real runtime shard (worker thread): every command that runs a topology
 * reports it by name and exits 3, without hanging.
 */

import { join } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { describe, expect, it } from 'vitest';
import type { Engine } from './engine.js';
import { runtimeEngine } from './runtime-engine.js';
import { REPO_ROOT, runCli } from './testing/cli-harness.js';

const twoHosts = join(REPO_ROOT, 'topologies', 'two-hosts.yaml');
const failingNodes = { module: new URL('./testing/failing-node.js', import.meta.url).href, export: 'createFailingNode' };

async function engineWithFailingNode(): Promise<Engine> {
  const real = await runtimeEngine();
  return { ...real, open: (spec, options) => Emulator.load(spec, { ...options, nodeFactory: failingNodes }) };
}

describe('a failing node (real runtime)', () => {
  for (const placement of ['per-node', 'packed', 'inline']) {
    it(`run, exec and shell exit 3 naming the node (${placement})`, async () => {
      const engine = await engineWithFailingNode();
      for (const args of [['run', twoHosts], ['exec', twoHosts, 'h1', '--', 'ping', '-c', '1', '10.0.0.2'], ['shell', twoHosts]]) {
        const result = await runCli([...args, '--placement', placement], { engine, stdin: 'h1 ping -c 1 h2\n' });
        expect(result.status, args[0]).toBe(3);
        expect(result.stdout, args[0]).toBe('');
        expect(result.stderr, args[0]).toMatch(/^netloom: node h2: .*simulated fault in the node model/);
      }
    }, 60_000);
  }
});
