/**
 * What an `ip` subcommand gets: the kernel, the global options (ip-options.ts: family, -j, -p, -d, -s, -br, -o) and
 * output sinks. Output is collected and written by the `ip` entry point.
 */
import type { Kernel } from '../kernel.js';
import type { Nanos } from '../node-host.js';
import type { IpGlobalOptions } from './ip-options.js';

export interface IpContext extends IpGlobalOptions {
  kernel: Kernel;
  now: Nanos;
  /** Append to stdout (text as given; callers add newlines). */
  out(text: string): void;
  /** Print one line on stderr (a newline is added). */
  err(line: string): void;
}
