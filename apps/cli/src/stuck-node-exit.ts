/**
 * What the CLI does with a node stuck inline (the runtime's inline watchdog, given as `onStuck` to
 * every emulator the CLI opens): ends the process. The runtime calls this on the main thread, by
 * interrupt, in the middle of the call that never returns, so the loop cannot be ended, only the
 * process: the process's `exit` listeners run first (the TUI leaves the alternate screen, ink
 * restores the terminal), then one line —
 * `netloom: node h2: Error: no progress from its thread for 10 s, inside the node (a loop that never
 * ends?); the process was stopped` — goes to stderr and the status is 3, as for any failed node.
 * stderr is closed after the line, which keeps Node from printing "Waiting for the debugger to
 * disconnect..." for the watchdog's inspector session at exit.
 */

import { closeSync, writeSync } from 'node:fs';
import type { StuckNode } from '@netloom/runtime';
import { EXIT_NODE_FAILED } from './engine.js';

/** Write all of `text` to stderr, synchronously (stderr may be a non-blocking pipe). */
function writeStderr(text: string): void {
  const bytes = Buffer.from(text);
  let written = 0;
  for (let attempts = 0; written < bytes.length && attempts < 1000; attempts++) {
    try {
      written += writeSync(2, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

/** The inline watchdog's handler in the CLI: exit listeners, the line naming the node, exit status 3. */
export function exitOnStuckNode(stuck: StuckNode): void {
  const line = `netloom: node ${stuck.node}: ${stuck.message}; the process was stopped\n`;
  // Registered last, so it runs after every other exit listener (the terminal is restored first).
  process.once('exit', () => {
    writeStderr(line);
    closeSync(2);
  });
  process.exit(EXIT_NODE_FAILED);
}
