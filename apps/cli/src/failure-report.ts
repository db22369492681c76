/**
 * How the CLI reports an emulation that failed after the topology loaded. One of the topology's own
 * commands (a startup `exec:` line or a timed `events:` command) that failed is the runtime's
 * CommandFailedError: its message already reads `file:line:col: node h1: startup command failed
 * with exit status 1: COMMAND` with the node's stderr beneath, and it exits 4. Anything else is a
 * node or shard that failed: `netloom: node r3: …`, exit 3.
 *
 * The runtime is not imported here (check and schema must not load it; its types are): a command
 * failure is recognised by its name and fields, the shape of @netloom/runtime's FailedCommand.
 */

import type { FailedCommand } from '@netloom/runtime';
import type { TextSink } from './cli-io.js';
import { EXIT_COMMAND_FAILED, EXIT_NODE_FAILED, errorMessage } from './engine.js';

/** A CommandFailedError as the CLI reads it: its fields and message. */
export type CommandFailure = FailedCommand & { message: string };

/** The failed topology command `error` reports, or null when it is another kind of failure. */
export function commandFailureOf(error: unknown): CommandFailure | null {
  if (!(error instanceof Error) || error.name !== 'CommandFailedError') return null;
  const failure = error as Error & Partial<CommandFailure>;
  if (typeof failure.node !== 'string' || typeof failure.command !== 'string' || (failure.phase !== 'startup' && failure.phase !== 'event')) return null;
  return failure as CommandFailure;
}

/** Prints what failed and gives the exit status: 4 for a topology command, 3 for a node or shard. */
export function reportFailure(error: unknown, stderr: TextSink): number {
  const failure = commandFailureOf(error);
  if (failure !== null) {
    stderr.write(`${failure.message}\n`);
    return EXIT_COMMAND_FAILED;
  }
  stderr.write(`netloom: ${errorMessage(error)}\n`);
  return EXIT_NODE_FAILED;
}

/** The `failure` member of `run --json`'s report. */
export function failureJson(failure: CommandFailure): object {
  const { phase, node, command, status, stdout, stderr, at, location } = failure;
  return { phase, node, command, status, stdout, stderr, at, location };
}
