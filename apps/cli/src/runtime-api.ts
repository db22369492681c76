/**
 * The library API types the CLI uses, in one place: everything comes from @netloom/runtime's
 * public surface (emulator-types.ts). Commands import these names from here.
 */

export type {
  BenchBarrierOptions,
  BenchBarrierResult,
  BenchBootOptions,
  BenchBootResult,
  BenchChainOptions,
  BenchChainResult,
  BenchLanOptions,
  BenchLanResult,
  BenchLvsOptions,
  BenchLvsResult,
  BenchProgress,
  BenchTreeOptions,
  BenchTreeResult,
  CommandExit,
  CommandResult,
  EmulatorApi,
  EmulatorOptions,
  ExecOptions,
  ExpectationResult,
  IpvsState,
  LinkChange,
  LinkInfo,
  MobilityState,
  NodeInfo,
  Placement,
  RunReport,
  TimelineEvent,
  TraceEvent,
} from '@netloom/runtime';
