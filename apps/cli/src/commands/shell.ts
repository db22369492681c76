/**
 * `netloom shell FILE` (issue 7): start the network, then read console lines from stdin
 * (interactive with a prompt and history on a terminal, silent in pipes), and
 * `netloom exec FILE NODE -- CMD…`: start, run one command after the startup commands, print its
 * output as it is produced and exit with its status. Ctrl-C (SIGINT) reaches the node's program
 * as it would a real one (ping prints its statistics; the status is the program's); a second
 * Ctrl-C ends netloom itself.
 *
 * Exit statuses: 0 (or, with --strict, the failed last line's status), 2 on a bad topology or
 * unknown node, 3 when a node or shard fails, 4 when a startup command fails (failure-report.ts;
 * for `exec`, 4 may also be the command's own status: stderr tells which).
 */

import type { EmulatorOptions } from '../runtime-api.js';
import type { CliIo } from '../cli-io.js';
import { closeQuietly, EXIT_BAD_INPUT, EXIT_NODE_FAILED, type Engine } from '../engine.js';
import { reportFailure } from '../failure-report.js';
import { renderJsonLine, ShellConsole } from '../shell/console.js';
import { runShellSession } from '../shell/session.js';
import { quoteArgument } from '../shell/words.js';
import { loadTopologyOrReport } from '../topology-input.js';
import { emulatorOptions, openOrReport } from './run.js';

export interface ShellOptions extends EmulatorOptions {
  json?: boolean;
  strict?: boolean;
}

export async function shellCommand(file: string, options: ShellOptions, io: CliIo, engine: () => Promise<Engine>): Promise<number> {
  const spec = loadTopologyOrReport(file, io.stderr);
  if (!spec) return EXIT_BAD_INPUT;
  const opened = await openOrReport(engine, spec, emulatorOptions(options), io);
  if (!opened) return EXIT_NODE_FAILED;
  const { emulator } = opened;
  try {
    await emulator.start();
    const realtime = options.realtime ? { speed: options.speed ?? 1 } : undefined;
    return await runShellSession(new ShellConsole(emulator, realtime ? { realtime } : {}), emulator, io, {
      json: options.json === true,
      strict: options.strict === true,
      ...(realtime ? { realtime } : {}),
    });
  } catch (error) {
    return reportFailure(error, io.stderr);
  } finally {
    await closeQuietly(emulator);
  }
}

export async function execCommand(
  file: string,
  node: string,
  words: string[],
  options: ShellOptions,
  io: CliIo,
  engine: () => Promise<Engine>,
): Promise<number> {
  const spec = loadTopologyOrReport(file, io.stderr);
  if (!spec) return EXIT_BAD_INPUT;
  if (!spec.nodes.some((n) => n.name === node)) {
    io.stderr.write(`netloom: ${file}: no node "${node}" (nodes: ${spec.nodes.map((n) => n.name).join(', ')})\n`);
    return EXIT_BAD_INPUT;
  }
  if (words.length === 0) {
    io.stderr.write(`netloom: exec: missing command (netloom exec ${file} ${node} -- CMD...)\n`);
    return EXIT_BAD_INPUT;
  }
  const opened = await openOrReport(engine, spec, emulatorOptions(options), io);
  if (!opened) return EXIT_NODE_FAILED;
  const { emulator } = opened;
  const ctrlC = new AbortController();
  const stopListening = io.onInterrupt(() => ctrlC.abort());
  try {
    await emulator.start();
    const cmd = words.map(quoteArgument).join(' ');
    // As a terminal shows it: each piece of output when the program writes it (JSON waits for the end).
    const onOutput = options.json ? undefined : (stream: 'stdout' | 'stderr', text: string) => io[stream].write(text);
    const result = await emulator.exec(node, cmd, { signal: ctrlC.signal, ...(onOutput ? { onOutput } : {}) });
    if (options.json) io.stdout.write(renderJsonLine(result));
    return Math.min(Math.max(result.status, 0), 255);
  } catch (error) {
    return reportFailure(error, io.stderr);
  } finally {
    stopListening();
    await closeQuietly(emulator);
  }
}
