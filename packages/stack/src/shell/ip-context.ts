/**
 * What an `ip` subcommand gets: the kernel, the global options (-4/-6, -j, -p, -d, -s, -br, -o) and
 * output sinks. Output is collected and written by the `ip` entry point.
 */
import type { Kernel } from '../kernel.js';
import type { Nanos } from '../node-host.js';

export interface IpContext {
  kernel: Kernel;
  now: Nanos;
  family: 0 | 4 | 6;
  json: boolean;
  pretty: boolean;
  details: boolean;
  stats: number;
  brief: boolean;
  oneline: boolean;
  /** Append to stdout (text as given; callers add newlines). */
  out(text: string): void;
  /** Print one line on stderr (a newline is added). */
  err(line: string): void;
}
