/**
 * The `netloom` command line: argument parsing (commander) and dispatch to the commands. Every
 * command returns its exit status instead of exiting, and writes through a CliIo, so `main` runs
 * in-process in tests exactly as the binary runs it.
 *
 * Exit statuses: 0 fine, 1 an expectation failed, 2 bad input (topology errors, bad options,
 * usage), 3 a node or shard failed. `netloom tui` loads the Ink UI lazily, so no other command
 * pays for ink and react.
 */

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Placement } from './runtime-api.js';
import { processIo, type CliIo } from './cli-io.js';
import { benchChainCommand } from './commands/bench.js';
import { checkCommand } from './commands/check.js';
import { graphCommand, type GraphFormat } from './commands/graph.js';
import { runCommand } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { execCommand, shellCommand } from './commands/shell.js';
import { EXIT_BAD_INPUT, type Engine } from './engine.js';

const PLACEMENTS: Placement[] = ['per-node', 'packed', 'inline'];

function integerOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return Number(value);
  };
}

function speedOption(value: string): number {
  const speed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(speed > 0)) throw new InvalidArgumentError('speed must be a positive number, e.g. 0.5 or 10');
  return speed;
}

function placementOption(): Option {
  return new Option('--placement <placement>', 'where nodes run: a worker each, packed on --workers threads, or the main thread').choices(PLACEMENTS);
}

function workersOption(): Option {
  return new Option('--workers <n>', 'worker threads for packed placement').argParser(integerOption('--workers', 1, 1024));
}

function seedOption(): Option {
  return new Option('--seed <n>', "override the topology's seed").argParser(integerOption('--seed', 0, 0xffffffff));
}

async function runtimeEngine(): Promise<Engine> {
  const { runtimeEngine: load } = await import('./runtime-engine.js');
  return load();
}

export interface MainDeps {
  /** How commands reach the runtime; tests pass a fake. */
  engine?: () => Promise<Engine>;
}

/** Runs `netloom ARGS…`; resolves to the exit status. */
export async function main(argv: string[], io: CliIo = processIo(), deps: MainDeps = {}): Promise<number> {
  const engine = deps.engine ?? runtimeEngine;
  let status = 0;
  const program = new Command('netloom')
    .description('netloom: a virtual network of Linux-like nodes in deterministic virtual time')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(netloom --help for usage)');

  program
    .command('run')
    .description("play a topology's timeline and check its expectations (exit 0 all hold, 1 one failed, 2 bad input, 3 a node failed)")
    .argument('<file>', 'topology file (YAML)')
    .option('--until <time>', 'stop at this virtual time (e.g. 30s); default: after the last event or expectation')
    .addOption(seedOption())
    .addOption(placementOption())
    .addOption(workersOption())
    .option('--trace', 'print every trace event (tx, rx, drop, forward, deliver)')
    .option('--pcap <dir>', 'write a pcapng file per link into DIR')
    .option('--json', 'print a JSON report')
    .option('--realtime', 'pace virtual time to the wall clock')
    .addOption(new Option('--speed <x>', 'real-time speed factor').argParser(speedOption))
    .action(async (file: string, options) => {
      status = await runCommand(file, options, io, engine);
    });

  program
    .command('check')
    .description('validate a topology file without running it')
    .argument('<file>', 'topology file (YAML)')
    .action((file: string) => {
      status = checkCommand(file, io);
    });

  program
    .command('schema')
    .description('print the JSON Schema of topology files')
    .action(() => {
      status = schemaCommand(io);
    });

  program
    .command('graph')
    .description('draw the topology: nodes with kinds and addresses, links and LANs with their parameters')
    .argument('<file>', 'topology file (YAML)')
    .addOption(new Option('--format <format>', 'picture format').choices(['dot', 'mermaid', 'svg']).default('dot'))
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--static', 'read addresses from the startup commands instead of starting the topology')
    .action(async (file: string, options: { format: GraphFormat; output?: string; static?: boolean }) => {
      status = await graphCommand(file, options, io, engine);
    });

  const bench = program.command('bench').description('benchmarks (figures only)');
  bench
    .command('chain')
    .description('packets through a chain of routers: hop-forwards per second, wall time, peak RSS')
    .addOption(new Option('--routers <n>', 'routers in the chain').argParser(integerOption('--routers', 1, 1000)).default(8))
    .addOption(new Option('--packets <n>', 'packets to send end to end').argParser(integerOption('--packets', 1)).default(100000))
    .addOption(placementOption())
    .addOption(workersOption())
    .option('--json', 'print the figures as JSON')
    .action(async (options) => {
      status = await benchChainCommand(options, io, engine);
    });

  program
    .command('shell')
    .description('start a topology and read console commands (NODE CMD..., advance, time, link, node, nodes, links, help, quit)')
    .argument('<file>', 'topology file (YAML)')
    .addOption(seedOption())
    .addOption(placementOption())
    .addOption(workersOption())
    .option('--json', 'one JSON object per command: {"t","node","cmd","status","stdout","stderr"}')
    .option('--realtime', 'let virtual time follow the wall clock between commands')
    .addOption(new Option('--speed <x>', 'real-time speed factor').argParser(speedOption))
    .option('--strict', "exit with the last command's status when it failed")
    .action(async (file: string, options) => {
      status = await shellCommand(file, options, io, engine);
    });

  program
    .command('exec')
    .description("start a topology, run one command on a node after the startup commands, exit with the command's status")
    .usage('[options] <file> <node> -- <cmd...>')
    .argument('<file>', 'topology file (YAML)')
    .argument('<node>', 'node name')
    .argument('<cmd...>', 'the command and its arguments (after --)')
    .addOption(seedOption())
    .addOption(placementOption())
    .addOption(workersOption())
    .option('--json', 'print the result as one JSON object')
    .option('--realtime', 'run the command paced to the wall clock, as on a real machine')
    .addOption(new Option('--speed <x>', 'real-time speed factor').argParser(speedOption))
    .action(async (file: string, node: string, words: string[], options) => {
      status = await execCommand(file, node, words, options, io, engine);
    });

  program
    .command('tui')
    .description('open the terminal UI on a topology')
    .argument('<file>', 'topology file (YAML)')
    .addOption(seedOption())
    .addOption(placementOption())
    .addOption(workersOption())
    .addOption(new Option('--speed <x>', 'real-time speed factor').argParser(speedOption))
    .action(async (file: string, options: { seed?: number; placement?: Placement; workers?: number; speed?: number }) => {
      // Imported here so that only `netloom tui` loads ink and react.
      const { runTui } = await import('./tui/index.js');
      status = await runTui(file, options);
    });

  if (argv.length === 0) {
    io.stderr.write(program.helpInformation());
    return EXIT_BAD_INPUT;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; help shown because something was missing is a usage error.
      return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    throw error;
  }
  return status;
}
