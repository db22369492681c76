/**
 * `netloom schema`: prints the JSON Schema of topology files that @netloom/topology publishes.
 */

import { topologySchema } from '@netloom/topology';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../engine.js';

export function schemaCommand(io: CliIo): number {
  io.stdout.write(`${JSON.stringify(topologySchema(), null, 2)}\n`);
  return EXIT_OK;
}
