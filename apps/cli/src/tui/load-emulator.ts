/**
 * Loads a topology file into an Emulator through the runtime's library API
 * (`Emulator.load(path, options)` from '@netloom/runtime'). The runtime is imported lazily so the
 * UI's modules load without it and so that `netloom tui` pays for the engine only when used.
 */
import type { EmulatorApi, EmulatorOptions } from '@netloom/runtime/emulator-types';

interface RuntimeModule {
  Emulator: { load(path: string, options?: EmulatorOptions): Promise<EmulatorApi> };
}

const RUNTIME_MODULE: string = '@netloom/runtime';

export async function loadEmulator(file: string, options: EmulatorOptions): Promise<EmulatorApi> {
  const runtime = (await import(RUNTIME_MODULE)) as RuntimeModule;
  return runtime.Emulator.load(file, options);
}

/** A topology file problem (`file:line:col: …`), as thrown by @netloom/topology's TopologyError. */
export function isTopologyError(error: unknown): error is Error {
  return error instanceof Error && (error.name === 'TopologyError' || error.constructor.name === 'TopologyError');
}
