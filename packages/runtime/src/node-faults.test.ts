/**
 * Every fault mode of a node's code, in every placement: the run ends with an EmulatorError that
 * names the node and the fault, never with a report of success, a hang or a crash of the process.
 * The faults come from the fault injector (testing/fault-injector.ts) around the fake node.
 */
import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';
import { listenForNodeFaults, NodeCallScope, settleNodes, type NodeFaultOwner } from './node-faults.js';
import { EmulatorError } from './emulator-error.js';
import type { Placement, Synchronisation } from './emulator-types.js';
import { MAX_TIMER_RUNS_PER_INSTANT } from './shard.js';
import { buildSpec, FAKE_NODES } from './testing/specs.js';

const ms = 1e6;

/**
 * a — b — c — d; packed on 2 workers b shares its thread with a. `fault` runs on b at 1 ms; with
 * `mayFail` both commands end in `|| true`, so the controller waits on neither and, under neighbour
 * synchronisation, the fault happens inside a span.
 */
function chainWithFault(fault: string, mayFail = false) {
  const names = ['a', 'b', 'c', 'd'];
  return buildSpec({
    name: 'faulty-chain',
    nodes: names.map((name) => ({ name, kind: 'host' as const })),
    links: names.slice(1).map((name, i) => ({ ends: [`${names[i]}:eth1`, `${name}:eth0`] as [string, string] })),
    events: [
      { at: 0, kind: 'exec', node: 'a', cmd: `send eth1 20 64 100000${mayFail ? ' || true' : ''}` },
      { at: 1 * ms, kind: 'exec', node: 'b', cmd: `fault ${fault}${mayFail ? ' || true' : ''}` },
    ],
    expect: [{ at: 3 * ms, node: 'd', cmd: 'echo still here', stdout: [{ kind: 'contains', text: 'still here' }], stderr: [], notStdout: [], line: 1 }],
  });
}

const placements: { placement: Placement; workers?: number }[] = [{ placement: 'inline' }, { placement: 'packed', workers: 2 }, { placement: 'per-node' }];

async function runFault(fault: string, where: { placement: Placement; workers?: number; sync?: Synchronisation }, watchdogMs?: number, mayFail = false): Promise<EmulatorError> {
  const options = { ...where, nodeFactory: FAKE_NODES, ...(watchdogMs === undefined ? {} : { watchdogMs }) };
  const emulator = await Emulator.load(chainWithFault(fault, mayFail), options);
  try {
    const outcome = await emulator.run().then(
      (report) => report,
      (error: unknown) => error,
    );
    if (!(outcome instanceof EmulatorError)) throw new Error(`want an EmulatorError, got ${JSON.stringify(outcome)}`);
    // The emulator stays failed: the next operation gets the same error.
    await expect(emulator.exec('a', 'echo again')).rejects.toBe(outcome);
    return outcome;
  } finally {
    await emulator.close();
  }
}

const faults: { fault: string; message: RegExp }[] = [
  { fault: 'throw', message: /^node b: Error: fault from b: thrown out of exec$/ },
  { fault: 'throw-in-timer', message: /^node b: uncaught exception outside any call from the runtime \(a real timer or promise\): Error: fault from b: thrown in a timer$/ },
  { fault: 'throw-in-immediate', message: /^node b: uncaught exception outside any call from the runtime .*: Error: fault from b: thrown in an immediate$/ },
  { fault: 'reject', message: /^node b: unhandled rejection outside any call from the runtime .*: Error: fault from b: a rejected promise$/ },
  { fault: 'transmit-later', message: /^node b: transmitted a frame outside any call from the runtime/ },
  { fault: 'deadline nan', message: /^node b: next timer deadline is NaN, not a time: virtual time cannot advance$/ },
  { fault: 'deadline negative', message: /^node b: next timer deadline is -1 ns, before time began$/ },
  { fault: 'deadline past', message: /^node b: next timer deadline 999999 ns is still in the past after running its timers at 1000000 ns: virtual time cannot advance$/ },
  {
    fault: 'deadline stuck',
    message: new RegExp(`^node b: timers still due after running ${MAX_TIMER_RUNS_PER_INSTANT} times at 1000000 ns: virtual time cannot advance$`),
  },
];

describe('a node that fails inside a span is reported by name, and its neighbours do not wait for it forever', () => {
  const spanning: { placement: Placement; workers?: number; sync: Synchronisation }[] = [
    { placement: 'packed', workers: 2, sync: 'neighbour' },
    { placement: 'per-node', sync: 'neighbour' },
  ];
  for (const where of spanning) {
    for (const { fault, message } of faults.filter((f) => ['throw', 'deadline stuck', 'deadline past'].includes(f.fault))) {
      it(`fault ${fault} (${where.placement}, neighbour)`, async () => {
        const error = await runFault(fault, where, undefined, true);
        expect(error.message).toMatch(message);
        expect(error.node).toBe('b');
      });
    }

    it(`a node that loops forever in a span is named by the watchdog (${where.placement}, neighbour)`, async () => {
      const error = await runFault('busy', where, 2000, true);
      expect(error.message).toBe('node b: Error: no progress from its worker for 2 s, inside the node (a loop that never ends?); the worker was stopped');
    });
  }
});

describe('a node that fails is reported by name in every placement', () => {
  for (const { fault, message } of faults) {
    for (const where of placements) {
      it(`fault ${fault} (${where.placement})`, async () => {
        const error = await runFault(fault, where);
        expect(error.message).toMatch(message);
        expect(error.node).toBe('b');
      });
    }
  }

  for (const where of placements.slice(1)) {
    it(`a node that loops forever is named by the watchdog and its worker stopped (${where.placement})`, async () => {
      // The node never returns, so any watchdog gives this verdict; a short one keeps the test short.
      const error = await runFault('busy', where, 2000);
      expect(error.message).toBe('node b: Error: no progress from its worker for 2 s, inside the node (a loop that never ends?); the worker was stopped');
      expect(error.node).toBe('b');
    });

    it(`a window that takes longer than the watchdog but keeps calling its nodes is not cut short (${where.placement})`, async () => {
      // Calls of 5 ms for 6 s of real time: a window three times the 2 s watchdog, however fast the machine. Only a
      // thread kept off the CPU for the whole 2 s between two calls could trip it (a busy machine stalls far less).
      const emulator = await Emulator.load(chainWithFault('throw'), { ...where, nodeFactory: FAKE_NODES, watchdogMs: 2000 });
      try {
        expect((await emulator.exec('b', 'work-for 6000 5')).stdout).toMatch(/^worked \d+ calls/);
      } finally {
        await emulator.close();
      }
    });

    it(`a microtask's throw, which carries no node context, names the worker's nodes (${where.placement})`, async () => {
      const error = await runFault('throw-in-microtask', where);
      if (where.placement === 'per-node') {
        expect(error.message).toBe('node b: uncaught exception outside any call from the runtime: Error: fault from b: thrown in a microtask');
      } else {
        expect(error.message).toBe('shard 0 (nodes a, b): uncaught exception outside any call from the runtime: Error: fault from b: thrown in a microtask');
      }
    });
  }

  it('an asynchronous fault between operations fails the operation that started it, not a later one', async () => {
    const emulator = await Emulator.load(chainWithFault('throw'), { placement: 'inline', nodeFactory: FAKE_NODES });
    try {
      await emulator.start();
      expect((await emulator.exec('c', 'echo fine')).stdout).toBe('fine\n');
      await expect(emulator.exec('c', 'fault reject')).rejects.toThrow(/^node c: unhandled rejection/);
    } finally {
      await emulator.close();
    }
  });

  for (const where of placements) {
    it(`a real timer of 0 ms that throws fails the exec that armed it, not a later operation (${where.placement})`, async () => {
      const emulator = await Emulator.load(chainWithFault('throw'), { ...where, nodeFactory: FAKE_NODES });
      try {
        await emulator.start();
        await expect(emulator.exec('c', 'fault throw-in-timer')).rejects.toThrow(/^node c: uncaught exception outside any call from the runtime \(a real timer or promise\): Error: fault from c: thrown in a timer$/);
      } finally {
        await emulator.close();
      }
    });
  }

  it(`timers may stay due at one instant for ${MAX_TIMER_RUNS_PER_INSTANT} runs; one more is a fault`, async () => {
    for (const [runs, fails] of [
      [MAX_TIMER_RUNS_PER_INSTANT, false],
      [MAX_TIMER_RUNS_PER_INSTANT + 1, true],
    ] as const) {
      const emulator = await Emulator.load(chainWithFault('throw'), { placement: 'inline', nodeFactory: FAKE_NODES });
      try {
        const outcome = await emulator.exec('a', `fault deadline stuck ${runs}`).then(
          (result) => `exit ${result.status}`,
          (error: unknown) => String(error),
        );
        expect(outcome, `stuck for ${runs} runs`).toBe(fails ? `EmulatorError: node a: timers still due after running ${MAX_TIMER_RUNS_PER_INSTANT} times at 0 ns: virtual time cannot advance` : 'exit 0');
      } finally {
        await emulator.close();
      }
    }
  });
});

describe('settling and the node context', () => {
  function owner(): NodeFaultOwner & { timers: number; faults: string[] } {
    const record = {
      timers: 0,
      faults: [] as string[],
      asyncFault: (error: unknown) => record.faults.push(String(error)),
      armedRealTimer: () => record.timers++,
    };
    return record;
  }

  it('a real timer armed inside a call into a node is reported to its owner, and a settle waits for it', async () => {
    const stop = listenForNodeFaults();
    try {
      const node = owner();
      const scope = new NodeCallScope();
      let fired = false;
      scope.run(() => {
        scope.enter(node);
        setTimeout(() => (fired = true), 1);
      });
      setTimeout(() => undefined, 0); // the runtime's own timer, outside any node
      expect(node.timers).toBe(1);
      // The owner said a timer was armed: the settle lets a millisecond pass, so it has fired.
      await settleNodes(() => node.timers > 0);
      expect(fired).toBe(true);
    } finally {
      stop();
    }
  });

  it('a stretch switches the context per node and hands the caller its own back', async () => {
    const stop = listenForNodeFaults();
    try {
      const a = owner();
      const b = owner();
      const scope = new NodeCallScope();
      scope.run(() => {
        scope.enter(a);
        setImmediate(() => {
          throw new Error('from a');
        });
        scope.enter(b);
        void Promise.reject(new Error('from b'));
      });
      setImmediate(() => undefined);
      await settleNodes(() => false);
      await settleNodes(() => false);
      expect(a.faults).toEqual(['Error: from a']);
      expect(b.faults).toEqual(['Error: from b']);
      expect(() => scope.enter(a)).toThrow(/outside run/);
    } finally {
      stop();
    }
  });
});
