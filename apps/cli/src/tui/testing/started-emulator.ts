/**
 * The real engine for a UI test file: an Emulator on a topology file (placement inline), loaded and
 * started before the file's tests, and closed after them (once ink-testing-library has unmounted
 * every UI). Start-up has a hang guard of 60 s: a busy machine may take a while.
 */
import { afterAll, beforeAll } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Emulator } from '@netloom/runtime';

export function startedEmulator(topology: string): { readonly current: Emulator } {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await Emulator.load(topology, { placement: 'inline' });
    await emulator.start();
  }, 60_000);
  afterAll(async () => {
    cleanup();
    await emulator?.close();
  });
  return {
    get current(): Emulator {
      if (emulator === undefined) throw new Error('the emulator is started before the tests run');
      return emulator;
    },
  };
}
