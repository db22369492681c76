// A real topology (two-hosts.yaml, real stack nodes) whose h2 fails the way a bug in a node would:
// through the library API in every placement, and through `netloom run` end to end (in-process, with
// an engine that builds the nodes with the fault injector). Each fault ends the emulation with an
// EmulatorError naming h2; `netloom run` exits 3 with one line naming it and never reports the
// expectations as holding. The faults are packages/runtime/src/testing/fault-injector.ts's.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '@netloom/cli/testing/cli-harness';
import { Emulator, EmulatorError, type EmulatorOptions, type Placement } from '@netloom/runtime';
import type { TopologySpec } from '@netloom/topology';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const twoHosts = join(root, 'topologies', 'two-hosts.yaml');
const faultyRealNodes = {
  module: new URL('../packages/runtime/dist-test/testing/faulty-real-node.js', import.meta.url).href,
  export: 'createFaultyRealNode',
};
/**
 * The busy node never returns, so any watchdog gives the same verdict; a short one keeps that test short.
 * Every other fault runs with the default watchdog: on a loaded machine a worker can take more than 2 s
 * of wall time over work that does end (seen once at load 15), and that must not become the verdict.
 */
const BUSY_WATCHDOG_MS = 2000;
const watchdogFor = (fault: string): number | undefined => (fault === 'busy' ? BUSY_WATCHDOG_MS : undefined);
const ms = 1e6;

beforeAll(() => {
  // Worker threads load the fault injector compiled (as the runtime's own tests do).
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'packages', 'runtime', 'tsconfig.testing.json')], { stdio: 'inherit' });
});

const placements: Placement[] = ['inline', 'packed', 'per-node'];

const faults: { fault: string; message: RegExp; workersOnly?: boolean }[] = [
  { fault: 'throw-in-timer', message: /^node h2: uncaught exception outside any call from the runtime \(a real timer or promise\): Error: fault from h2: thrown in a timer$/ },
  { fault: 'reject', message: /^node h2: unhandled rejection outside any call from the runtime \(a real timer or promise\): Error: fault from h2: a rejected promise$/ },
  { fault: 'deadline stuck', message: /^node h2: timers still due after running 1000 times at \d+ ns: virtual time cannot advance$/ },
  { fault: 'deadline nan', message: /^node h2: next timer deadline is NaN, not a time: virtual time cannot advance$/ },
  { fault: 'busy', message: /^node h2: Error: no progress from its worker for 2 s, inside the node \(a loop that never ends\?\); the worker was stopped$/, workersOnly: true },
];

function options(placement: Placement, fault: string): EmulatorOptions {
  const watchdogMs = watchdogFor(fault);
  return { placement, nodeFactory: faultyRealNodes, ...(watchdogMs !== undefined ? { watchdogMs } : {}) };
}

describe('a failing node in a real topology (library API)', () => {
  for (const { fault, message, workersOnly } of faults) {
    for (const placement of placements) {
      if (workersOnly && placement === 'inline') continue; // inline has no watchdog (docs/engine.md)
      it(`h2: fault ${fault} (${placement}) fails the operation and every later one, naming h2`, async () => {
        const emulator = await Emulator.load(twoHosts, options(placement, fault));
        try {
          const ping = await emulator.exec('h1', 'ping -c 1 10.0.0.2');
          expect(ping.stdout).toContain('1 received');
          const error = await emulator.exec('h2', `fault ${fault}`).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(EmulatorError);
          expect((error as EmulatorError).message).toMatch(message);
          expect((error as EmulatorError).node).toBe('h2');
          await expect(emulator.exec('h1', 'ip addr')).rejects.toBe(error);
        } finally {
          await emulator.close();
        }
      });
    }
  }
});

describe('a fault raised in the last span of an advance', () => {
  // The last span of an advance settles every shard before it replies (no settle round trip after):
  // an asynchronous fault a command raised in that span is the advance's failure, not the next
  // operation's.
  for (const placement of placements) {
    for (const fault of ['reject', 'throw-in-timer']) {
      it(`h2: fault ${fault} from a spawned command (${placement}, neighbour sync) fails the advance that ran it`, async () => {
        const emulator = await Emulator.load(twoHosts, { ...options(placement, fault), sync: 'neighbour' });
        try {
          await emulator.start();
          await emulator.spawn('h2', `fault ${fault}`);
          const spansBefore = emulator.synchronisation().spans;
          const error = await emulator.advance(5 * ms).catch((e: unknown) => e);
          expect(emulator.synchronisation().spans).toBeGreaterThan(spansBefore);
          expect(error).toBeInstanceOf(EmulatorError);
          expect((error as EmulatorError).message).toMatch(/^node h2: (unhandled rejection|uncaught exception) outside any call from the runtime \(a real timer or promise\): Error: fault from h2: /);
          expect((error as EmulatorError).node).toBe('h2');
        } finally {
          await emulator.close();
        }
      });
    }
  }
});

/** An engine for `netloom run`: the real runtime, h2 faulting at 1 ms, nodes from the fault injector. */
function engineWithFault(fault: string) {
  return async () => {
    const { runtimeEngine } = await import('@netloom/cli/runtime-engine');
    const real = await runtimeEngine();
    return {
      ...real,
      open: (spec: TopologySpec, opened: EmulatorOptions) => {
        const faulty: TopologySpec = { ...spec, events: [...spec.events, { at: 1 * ms, kind: 'exec', node: 'h2', cmd: `fault ${fault}` }] };
        const watchdogMs = watchdogFor(fault);
        return Emulator.load(faulty, { ...opened, nodeFactory: faultyRealNodes, ...(watchdogMs !== undefined ? { watchdogMs } : {}) });
      },
    };
  };
}

describe('netloom run with a failing node', () => {
  for (const [fault, placement] of [
    ['throw-in-timer', 'packed'],
    ['throw-in-timer', 'inline'],
    ['reject', 'per-node'],
    ['deadline stuck', 'inline'],
    ['busy', 'per-node'],
  ] as const) {
    it(`h2: fault ${fault} (${placement}): exit 3, one line naming h2, no expectations reported`, async () => {
      const result = await runCli(['run', twoHosts, '--placement', placement], { engine: engineWithFault(fault) });
      expect(result.status).toBe(3);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^netloom: node h2: [^\n]+\n$/);
      expect(result.stderr).not.toContain('Piscina');
    });
  }
});
