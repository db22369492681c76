/**
 * The `netloom` command line: argument parsing (commander) and dispatch to the commands. Every
 * command returns its exit status instead of exiting, and writes through a CliIo, so `main` runs
 * in-process in tests exactly as the binary runs it.
 *
 * Exit statuses: 0 fine, 1 an expectation failed, 2 bad input (topology errors, bad options,
 * usage), 3 a node or shard failed,
 * 4 a startup (`exec:`) or timed event command of the topology failed.
 *
 * Start-up time: this module loads only commander; each command's module (and with it the topology
 * loader, the runtime, dagre, ink and react) is imported when that command runs, so `netloom --help`
 * and `--version` pay for none of them (`netloom bench startup` measures it).
 */

import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Placement } from './runtime-api.js';
import { processIo, type CliIo } from './cli-io.js';
import type { BenchScenario } from './commands/bench.js';
import type { GraphFormat } from './commands/graph.js';
import { EXIT_BAD_INPUT, type Engine } from './engine.js';
import { cliVersion } from './version.js';

const PLACEMENTS: Placement[] = ['per-node', 'packed', 'inline'];

function integerOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return Number(value);
  };
}

function integerListOption(name: string, min: number, max: number): (value: string) => number[] {
  const one = integerOption(name, min, max);
  return (value) => value.split(',').map((item) => one(item.trim()));
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

/** Where bin/netloom.js is when this module runs from src/ or dist/ (the bin passes its own path). */
const DEFAULT_BINARY = fileURLToPath(new URL('../bin/netloom.js', import.meta.url));

export interface MainDeps {
  /** How commands reach the runtime; tests pass a fake. */
  engine?: () => Promise<Engine>;
  /** The `netloom` script that `bench startup` runs as child processes (default: this package's bin/netloom.js). */
  binary?: string;
}

/** Runs `netloom ARGS…`; resolves to the exit status. */
export async function main(argv: string[], io: CliIo = processIo(), deps: MainDeps = {}): Promise<number> {
  const engine = deps.engine ?? runtimeEngine;
  const binary = deps.binary ?? DEFAULT_BINARY;
  let status = 0;
  const program = new Command('netloom')
    .description('netloom: a virtual network of Linux-like nodes in deterministic virtual time')
    .version(cliVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(netloom --help for usage)');

  program
    .command('run')
    .description("play a topology's timeline and check its expectations (exit 0 all hold, 1 one failed, 2 bad input, 3 a node failed, 4 a startup or event command failed)")
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
      const { runCommand } = await import('./commands/run.js');
      status = await runCommand(file, options, io, engine);
    });

  program
    .command('check')
    .description('validate a topology file and run its startup commands (exit 0 ok, 2 bad input, 4 a startup command failed)')
    .argument('<file>', 'topology file (YAML)')
    .action(async (file: string) => {
      const { checkCommand } = await import('./commands/check.js');
      status = await checkCommand(file, io, engine);
    });

  program
    .command('schema')
    .description('print the JSON Schema of topology files')
    .action(async () => {
      const { schemaCommand } = await import('./commands/schema.js');
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
      const { graphCommand } = await import('./commands/graph.js');
      status = await graphCommand(file, options, io, engine);
    });

  const bench = program.command('bench').description('benchmarks (figures only)');
  const benchPlacement = () =>
    new Option('--placement <placement>', 'where nodes run; all: inline, packed and per-node side by side, each in a child process')
      .choices(['all', ...PLACEMENTS])
      .default('all');
  const benchScenario = (name: BenchScenario, description: string, options: Option[]) => {
    const command = bench.command(name).description(description);
    const rounds = new Option('--rounds <n>', 'with --placement all: run every case n times, interleaved, and report the median (default 1)').argParser(integerOption('--rounds', 1, 99));
    for (const option of [...options, benchPlacement(), workersOption(), rounds]) command.addOption(option);
    command.option('--json', 'print the figures as JSON').action(async (chosen) => {
      const { benchCommand } = await import('./commands/bench.js');
      status = await benchCommand(name, chosen, io, engine, binary);
    });
  };
  benchScenario('chain', 'datagrams through a chain of routers: hop-forwards per second, wall time, peak RSS', [
    new Option('--routers <n>', 'routers in the chain (default 8)').argParser(integerOption('--routers', 1, 1000)),
    new Option('--packets <n>', 'datagrams to send end to end (default 100000)').argParser(integerOption('--packets', 1)),
    new Option('--burst <n>', 'datagrams per burst (default 100)').argParser(integerOption('--burst', 1)),
    new Option('--interval-us <n>', 'virtual µs between bursts (default 100, one link latency: a burst on every hop at once; 1000 with --burst 1000 makes one wave, which no placement can run in parallel)').argParser(integerOption('--interval-us', 1, 3_600_000_000)),
    new Option('--payload <bytes>', 'UDP payload of each datagram (default 18: 60-byte frames, as the ns-3 anchor sends; 1472 fills a 1500-byte MTU)').argParser(integerOption('--payload', 0, 1472)),
  ]);
  benchScenario('lan', 'N hosts on one switch, each arpings and pings every other: switch frames per second', [
    new Option('--hosts <n>', 'hosts on the switch (default 32)').argParser(integerOption('--hosts', 2, 4096)),
  ]);
  benchScenario('lvs', 'clients through one IPVS director (LVS-NAT) to real servers: new TCP connections per second', [
    new Option('--clients <n>', 'client nodes running http-load (default 4)').argParser(integerOption('--clients', 1, 10000)),
    new Option('--servers <n>', 'real servers running httpd (default 4)').argParser(integerOption('--servers', 1, 1024)),
    new Option('--connections <n>', 'connections in all (default 2000)').argParser(integerOption('--connections', 1)),
  ]);
  benchScenario('boot', 'time to a ready chain of N nodes and peak RSS, each size and placement in its own process', [
    new Option('--nodes <list>', 'sizes, comma-separated (default 100,1000,10000)').argParser(integerListOption('--nodes', 2, 65537)),
  ]);
  benchScenario('barrier', 'lookahead windows per second against the number of shards (ticker nodes, no stack)', [
    new Option('--nodes <n>', 'ticker nodes in the chain (default 16)').argParser((value) => [integerOption('--nodes', 2, 100000)(value)]),
    new Option('--windows <n>', 'lookahead windows to run (default 2000)').argParser(integerOption('--windows', 1)),
    new Option('--shards <list>', 'packed worker counts to compare, comma-separated (default 1,2,4,8)').argParser(integerListOption('--shards', 1, 1024)),
  ]);
  benchScenario('tree', 'a tree of routers over switched host LANs: time to ready and peak RSS, a ping across it, an ARP storm on its biggest LAN', [
    new Option('--nodes <n>', 'routers and hosts in all (default 100000)').argParser((value) => [integerOption('--nodes', 3, 1_000_000)(value)]),
    new Option('--fanout <k>', 'routers below each router (default 16)').argParser(integerOption('--fanout', 2, 255)),
    new Option('--hosts-per-lan <m>', 'hosts on each LAN but the biggest (default 64)').argParser(integerOption('--hosts-per-lan', 1, 100_000)),
  ]);
  bench
    .command('startup')
    .description('how long netloom takes to start and finish small jobs: median wall time of child processes')
    .addOption(new Option('--runs <n>', 'runs of each case').argParser(integerOption('--runs', 1, 1000)).default(5))
    .option('--topology <file>', "the topology the check and run cases use (default: the repository's topologies/two-hosts.yaml)")
    .option('--json', 'print the figures as JSON')
    .action(async (options: { runs: number; topology?: string; json?: boolean }) => {
      const { benchStartupCommand } = await import('./commands/bench-startup.js');
      status = benchStartupCommand(options, io, binary);
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
      const { shellCommand } = await import('./commands/shell.js');
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
      const { execCommand } = await import('./commands/shell.js');
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
