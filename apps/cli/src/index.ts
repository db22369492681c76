/**
 * @netloom/cli: the `netloom` command. The binary is bin/netloom.js; this module exports what is
 * useful beyond it — running the command line in-process, the console interpreter behind
 * `netloom shell`, and the topology pictures behind `netloom graph`.
 */

export { main, type MainDeps } from './main.js';
export type { CliIo, TextSink } from './cli-io.js';
export { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_NODE_FAILED, EXIT_OK, type Engine } from './engine.js';
export { ShellConsole, renderJsonLine, CONSOLE_HELP, type ConsoleOutcome, type ConsoleResult } from './shell/console.js';
export { humanReport } from './commands/run.js';
export { addressesFromEmulator, addressesFromStartup, topologyGraph, type TopologyGraph } from './graph/topology-graph.js';
export { renderDot } from './graph/dot.js';
export { renderMermaid } from './graph/mermaid.js';
export { renderSvg } from './graph/svg.js';
