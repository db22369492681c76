/**
 * @netloom/runtime: the engine (virtual time, shards, links and LANs, traces, pcapng) and the
 * library API.
 */
export { Emulator, COMMAND_CAP_NS } from './emulator.js';
export { checkExpectation } from './expectation-check.js';
export { CommandFailedError, EmulatorError, type CommandLocation, type FailedCommand } from './emulator-error.js';
export { formatTrace, formatVirtualTime, traceVerb } from './trace-format.js';
export { CaptureError, captureFileName } from './pcapng-writer.js';
export { benchChain, chainSpec, type BenchChainOptions, type BenchChainResult } from './bench-chain.js';
export type {
  CommandExit,
  CommandResult,
  EmulatorApi,
  EmulatorOptions,
  ExecOptions,
  ExpectationResult,
  LinkChange,
  LinkInfo,
  NodeInfo,
  Placement,
  RunReport,
  TimelineEvent,
  TraceEvent,
  TraceKind,
} from './emulator-types.js';
export type { NodeFactory } from './node-factory.js';
export type { NodeFactoryRef } from '@netloom/ipc';
