/**
 * `netloom graph FILE [--format dot|mermaid|svg] [-o FILE] [--static]`: a picture of the topology.
 * By default the topology is started inline (main thread, no workers) so the addresses shown are
 * the ones the startup commands really configured; `--static` reads them from the startup commands
 * instead and runs nothing. The picture goes to stdout, or with `-o FILE` to FILE, making its folder
 * if need be (`-o out/chain.svg`: out/ is the repository's ignored folder for such files).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CliIo } from '../cli-io.js';
import { EXIT_BAD_INPUT, EXIT_NODE_FAILED, EXIT_OK, errorMessage, type Engine } from '../engine.js';
import { renderDot } from '../graph/dot.js';
import { renderMermaid } from '../graph/mermaid.js';
import { renderSvg } from '../graph/svg.js';
import { addressesFromEmulator, addressesFromStartup, topologyGraph, type AddressBook, type TopologyGraph } from '../graph/topology-graph.js';
import { loadTopologyOrReport } from '../topology-input.js';

export type GraphFormat = 'dot' | 'mermaid' | 'svg';

export interface GraphOptions {
  format: GraphFormat;
  output?: string;
  static?: boolean;
}

export const RENDERERS: Record<GraphFormat, (graph: TopologyGraph) => string> = {
  dot: renderDot,
  mermaid: renderMermaid,
  svg: renderSvg,
};

export async function graphCommand(file: string, options: GraphOptions, io: CliIo, engine: () => Promise<Engine>): Promise<number> {
  const spec = loadTopologyOrReport(file, io.stderr);
  if (!spec) return EXIT_BAD_INPUT;
  let addresses: AddressBook;
  if (options.static) addresses = addressesFromStartup(spec);
  else {
    try {
      const runtime = await engine();
      addresses = await addressesFromEmulator(async (emulatorOptions) => runtime.open(spec, emulatorOptions));
    } catch (error) {
      io.stderr.write(`netloom: ${errorMessage(error)}\n`);
      return EXIT_NODE_FAILED;
    }
  }
  const text = RENDERERS[options.format](topologyGraph(spec, addresses));
  if (options.output === undefined || options.output === '-') io.stdout.write(text);
  else {
    try {
      mkdirSync(dirname(options.output), { recursive: true });
      writeFileSync(options.output, text);
    } catch (error) {
      io.stderr.write(`netloom: ${options.output}: ${errorMessage(error)}\n`);
      return EXIT_BAD_INPUT;
    }
  }
  return EXIT_OK;
}
