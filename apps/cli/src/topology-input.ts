/**
 * Loading the topology file a command was given, turning loader failures into the CLI's bad-input
 * report: a TopologyError prints as `file:line:col: message` (its message already reads so), an
 * unreadable file as `netloom: FILE: reason`. Both mean exit status 2.
 */

import { loadTopologyFile, TopologyError, type TopologySpec } from '@netloom/topology';
import type { TextSink } from './cli-io.js';
import { errorMessage } from './engine.js';

export function loadTopologyOrReport(file: string, stderr: TextSink): TopologySpec | null {
  try {
    return loadTopologyFile(file);
  } catch (error) {
    if (error instanceof TopologyError) stderr.write(`${error.message}\n`);
    else stderr.write(`netloom: ${file}: ${errorMessage(error)}\n`);
    return null;
  }
}
