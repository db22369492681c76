/**
 * `netloom check FILE` validates a topology file and runs its startup commands on the main thread
 * (inline placement, no workers), so an editor's save catches a failing `exec:` line with the same
 * `file:line:col:` message and exit status (4) as `netloom run`. It then prints warnings about
 * nodes that route like routers but do not forward (forwarding-warnings.ts) on stderr; warnings
 * never change the exit status. `run` reads the same warnings from its own emulator.
 */

import type { TopologySpec } from '@netloom/topology';
import type { CliIo } from '../cli-io.js';
import { closeQuietly, EXIT_BAD_INPUT, EXIT_OK, type Engine } from '../engine.js';
import { reportFailure } from '../failure-report.js';
import { forwardingWarnings } from '../forwarding-warnings.js';
import { loadTopologyOrReport } from '../topology-input.js';

export async function checkCommand(file: string, io: CliIo, engine: () => Promise<Engine>): Promise<number> {
  const spec = loadTopologyOrReport(file, io.stderr);
  if (!spec) return EXIT_BAD_INPUT;
  let warnings: string[];
  try {
    warnings = await checkStartup(engine, spec);
  } catch (error) {
    return reportFailure(error, io.stderr);
  }
  for (const warning of warnings) io.stderr.write(`${warning}\n`);
  io.stdout.write(`${file}: ok (${describeCounts(spec)})\n`);
  return EXIT_OK;
}

/**
 * Starts `spec` on the main thread, so that every startup command runs, and returns the forwarding
 * warnings as `file:line:col: warning: …` lines. Throws what start() throws (a CommandFailedError for a
 * failing startup command).
 */
async function checkStartup(engine: () => Promise<Engine>, spec: TopologySpec): Promise<string[]> {
  const runtime = await engine();
  const emulator = await runtime.open(spec, { placement: 'inline' });
  try {
    await emulator.start();
    return await forwardingWarnings(emulator, spec);
  } finally {
    await closeQuietly(emulator);
  }
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
