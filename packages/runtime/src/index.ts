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
export { benchLan, lanSpec, lanRound, type BenchLanOptions, type BenchLanResult } from './bench-lan.js';
export { benchLvs, lvsSpec, type BenchLvsOptions, type BenchLvsResult } from './bench-lvs.js';
export { benchBoot, bootSpec, bootNodeCommands, type BenchBootOptions, type BenchBootResult } from './bench-boot.js';
export { benchBarrier, barrierSpec, type BenchBarrierOptions, type BenchBarrierResult } from './bench-barrier.js';
export { benchTree, treeNetwork, treeShape, type BenchTreeOptions, type BenchTreeResult } from './bench-tree.js';
export type { BenchProgress } from './bench-common.js';
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
  IpvsState,
  MobilityState,
  Placement,
  RunReport,
  Synchronisation,
  TimelineEvent,
  TraceEvent,
  TraceKind,
} from './emulator-types.js';
export type { ModuleState, NodeFactory, ReportingNode } from './node-factory.js';
export type { StuckNode, StuckNodeHandler } from './inline-watchdog.js';
export type { NodeFactoryRef } from '@netloom/ipc';
