/**
 * `netloom run` starts its topology once: the forwarding warnings are read from the run's own
 * emulator (without moving its virtual time), not from a second one started inline beside it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { runtimeEngine } from '../runtime-engine.js';
import { FIXTURES, runCli } from '../testing/cli-harness.js';

/** The real engine, counting the emulators it opens. */
async function countingEngine(): Promise<{ engine: Engine; opened: () => number }> {
  const real = await runtimeEngine();
  let opened = 0;
  const engine: Engine = {
    ...real,
    open: (spec, options) => {
      opened++;
      return real.open(spec, options);
    },
  };
  return { engine, opened: () => opened };
}

describe('netloom run', () => {
  for (const placement of ['inline', 'packed']) {
    it(`opens one emulator and prints the forwarding warning from it (${placement})`, async () => {
      const file = join(FIXTURES, 'forgotten-router.yaml');
      const { engine, opened } = await countingEngine();
      const result = await runCli(['run', file, '--placement', placement], { engine });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^.*forgotten-router\.yaml:10:3: warning: node mid has no "kind:", so it is a host and does not forward/);
      expect(opened()).toBe(1);
      // One short run (packed starts its workers): a hang guard.
    }, 60_000);
  }
});
