/**
 * Loads a topology file into an Emulator through the runtime's library API
 * (`Emulator.load(path, options)` from '@netloom/runtime'), and classifies failures for the exit
 * status. The runtime and topology packages are imported lazily, so the UI's modules load without
 * the engine (tests use a fake) and `netloom tui` pays for it only when run.
 */
import type { EmulatorApi, EmulatorOptions } from '@netloom/runtime';
import { exitOnStuckNode } from '../stuck-node-exit.js';

/**
 * Loads with the file's `events:` playing as time moves, so the timeline happens as the user watches,
 * and the inline watchdog armed as everywhere in the CLI (runtime-engine.ts).
 */
export async function loadEmulator(file: string, options: EmulatorOptions): Promise<EmulatorApi> {
  const { Emulator } = await import('@netloom/runtime');
  return Emulator.load(file, { ...options, playEvents: true, onStuck: exitOnStuckNode });
}

/** A topology file problem (`file:line:col: …`), thrown as @netloom/topology's TopologyError. */
export async function isTopologyError(error: unknown): Promise<boolean> {
  const { TopologyError } = await import('@netloom/topology');
  return error instanceof TopologyError;
}
