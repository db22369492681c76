/**
 * The errors the library API throws for a failed emulation. EmulatorError: a node that threw
 * (`node r3: Error: …`), a shard thread that died, a bad argument (unknown node or link), or use
 * after close. CommandFailedError, an EmulatorError too: one of the topology's own commands (a
 * node's `exec:` line, or a timed `events:` command) failed, so the network is not the one the
 * file describes; it carries the node, command, exit status, output and where the line is written.
 */
import { formatDuration } from '@netloom/topology';

export class EmulatorError extends Error {
  override name = 'EmulatorError';

  constructor(
    message: string,
    /** The node whose code failed, when one did. */
    readonly node: string | null = null,
  ) {
    super(message);
  }
}

/** Where a command is written: the topology file, 1-based line and column. */
export interface CommandLocation {
  file: string;
  line: number;
  column: number;
}

export interface FailedCommand {
  /** `startup`: a node's `exec:` line (or its kind's preset); `event`: a timed `events:` command. */
  phase: 'startup' | 'event';
  node: string;
  /** As the node shell ran it (a line's trailing `|| true` is not part of it). */
  command: string;
  /** The exit status; null when the command was still running after an hour of virtual time. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Virtual time (ns) at which it was started. */
  at: number;
  /** Null for a kind's preset and for specs built in code. */
  location: CommandLocation | null;
}

/**
 * `file:line:col: node h1: startup command failed with exit status 1: ip link set eth3 up`, then the
 * node's stderr, each line indented by four spaces.
 */
function describeFailure(failure: FailedCommand): string {
  const where = failure.location === null ? '' : `${failure.location.file}:${failure.location.line}:${failure.location.column}: `;
  const what = failure.phase === 'startup' ? 'startup command' : `event command (at ${formatDuration(failure.at)})`;
  const how = failure.status === null ? 'was still running after an hour of virtual time' : `failed with exit status ${failure.status}`;
  const stderr = failure.stderr.endsWith('\n') ? failure.stderr.slice(0, -1) : failure.stderr;
  const details = stderr === '' ? '' : `\n${stderr.split('\n').map((line) => `    ${line}`).join('\n')}`;
  return `${where}node ${failure.node}: ${what} ${how}: ${failure.command}${details}`;
}

export class CommandFailedError extends EmulatorError {
  override name = 'CommandFailedError';
  readonly phase: FailedCommand['phase'];
  readonly command: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly at: number;
  readonly location: CommandLocation | null;

  constructor(failure: FailedCommand) {
    super(describeFailure(failure), failure.node);
    this.phase = failure.phase;
    this.command = failure.command;
    this.status = failure.status;
    this.stdout = failure.stdout;
    this.stderr = failure.stderr;
    this.at = failure.at;
    this.location = failure.location;
  }

  /** The node is never null here. */
  declare readonly node: string;
}
