/**
 * `netloom check FILE` validates a topology file without running it, and `netloom schema` prints
 * the JSON Schema editors use to validate topology files — both straight from @netloom/topology.
 */

import type { TopologySpec } from '@netloom/topology';
import type { CliIo } from '../cli-io.js';
import { EXIT_BAD_INPUT, EXIT_OK } from '../engine.js';
import { loadTopologyOrReport } from '../topology-input.js';

export function checkCommand(file: string, io: CliIo): number {
  const spec = loadTopologyOrReport(file, io.stderr);
  if (!spec) return EXIT_BAD_INPUT;
  io.stdout.write(`${file}: ok (${describeCounts(spec)})\n`);
  return EXIT_OK;
}

export function describeCounts(spec: TopologySpec): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return [
    count(spec.nodes.length, 'node', 'nodes'),
    count(spec.links.length, 'link', 'links'),
    count(spec.lans.length, 'lan', 'lans'),
    count(spec.events.length, 'event', 'events'),
    count(spec.expect.length, 'expectation', 'expectations'),
  ].join(', ');
}
