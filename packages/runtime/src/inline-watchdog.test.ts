/**
 * The inline watchdog on its own: a child process arms it over activity cells it writes as an
 * inline shard would (node index + 1, a call counter), with a handler that prints what it is given,
 * then keeps its main thread busy. A call that never returns gets the handler called on the main
 * thread, inside the loop, with the node's name; a handler that returns lets the loop go on; a long
 * run of short calls, time outside any node, and a stopped watchdog never call it. Children load
 * the compiled module (dist/), as the runtime's worker tests do. What the CLI's handler does (exit
 * 3) is tested in apps/cli (stuck-node-exit.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';
import { EmulatorError } from './emulator-error.js';
import { buildSpec, FAKE_NODES } from './testing/specs.js';

const compiled = new URL('../dist/inline-watchdog.js', import.meta.url).href;

/**
 * Runs `body` in a child with `watchdog` (an InlineWatchdog over nodes a, h2) in scope; its handler
 * writes `stuck: {…}` to stderr and, unless `state.returns`, closes stderr and exits with status 7.
 */
function child(watchdogMs: number, body: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import { closeSync, writeSync } from 'node:fs';
    import { performance } from 'node:perf_hooks';
    import { InlineWatchdog } from ${JSON.stringify(compiled)};
    const state = { returns: false, stuck: null };
    const watchdog = new InlineWatchdog(${watchdogMs}, ['a', 'h2'], (stuck) => {
      writeSync(2, 'stuck: ' + JSON.stringify(stuck) + '\\n');
      state.stuck = stuck;
      if (state.returns) return;
      // As the CLI's handler does: no "Waiting for the debugger to disconnect..." for the watchdog's session.
      closeSync(2);
      process.exit(7);
    });
    const cells = watchdog.activity;
    /** Keeps this thread busy for ms of wall time: the length of the run, never a verdict. */
    const spinFor = (ms, each) => { const end = performance.now() + ms; while (performance.now() < end) each(); };
    ${body}
  `;
  // The timeout only stops a child that hangs (a broken watchdog); it decides nothing. The package's
  // test timeout (vitest.config.ts): spawnSync holds the test's own timer until the child is gone.
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const stuckLine = (seconds: string) => `stuck: {"node":"h2","message":"Error: no progress from its thread for ${seconds} s, inside the node (a loop that never ends?)"}\n`;

describe('the inline watchdog', () => {
  it('a call into a node that never returns gets the handler called on the main thread, inside the loop, naming the node', () => {
    const result = child(300, `
      cells[0] = 2; cells[1] = 41;
      setTimeout(() => { for (;;); }, 0);
    `);
    expect(result.status).toBe(7);
    expect(result.stderr).toBe(stuckLine('0.3'));
  });

  it('a handler that returns lets the loop go on, and the watchdog does not call it again', () => {
    const result = child(300, `
      state.returns = true;
      cells[0] = 2; cells[1] = 1;
      while (state.stuck === null);
      spinFor(1000, () => undefined);
      console.log('the loop went on');
    `);
    expect(result.stderr).toBe(stuckLine('0.3'));
    expect(result.stdout).toBe('the loop went on\n');
    expect(result.status).toBe(0);
  });

  it('a long run of short calls into a node is progress and is never cut short', () => {
    const result = child(1000, `
      cells[0] = 2;
      spinFor(3000, () => { cells[1] = (cells[1] + 1) | 0; });
      console.log('finished');
    `);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('finished\n');
    expect(result.status).toBe(0);
  });

  it('a thread busy outside any node is not a stuck node', () => {
    const result = child(300, `
      cells[0] = 0; cells[1] = 5;
      spinFor(1500, () => undefined);
      console.log('finished');
    `);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('a stopped watchdog fires no more, and an armed one never keeps the process alive', () => {
    const stopped = child(300, `
      await watchdog.stop();
      cells[0] = 2; cells[1] = 1;
      spinFor(1500, () => undefined);
      console.log('finished');
    `);
    expect(stopped.stderr).toBe('');
    expect(stopped.stdout).toBe('finished\n');
    const idle = child(300, `console.log('nothing else to do');`);
    expect(idle.status).toBe(0);
    expect(idle.stdout).toBe('nothing else to do\n');
  });
});

describe('onStuck option', () => {
  const spec = buildSpec({ name: 'pair', nodes: [{ name: 'a', kind: 'host' }, { name: 'b', kind: 'host' }], links: [{ ends: ['a:eth0', 'b:eth0'] }] });

  it('is a function; anything else is refused at load', async () => {
    const error = await Emulator.load(spec, { placement: 'inline', onStuck: 'exit' as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorError);
    expect((error as EmulatorError).message).toBe('onStuck must be a function, got string');
  });

  it('is refused for an inline emulator loaded in a worker thread (the watchdog could not interrupt it)', async () => {
    const runtime = new URL('../dist/index.js', import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.runtime)
        .then(({ Emulator }) => Emulator.load(workerData.spec, { placement: 'inline', onStuck: () => undefined }))
        .then(() => parentPort.postMessage('loaded'), (error) => parentPort.postMessage(error.name + ': ' + error.message));
    `;
    const worker = new Worker(code, { eval: true, execArgv: [], workerData: { runtime, spec } });
    const [answer] = (await once(worker, 'message')) as [string];
    await worker.terminate();
    expect(answer).toBe('EmulatorError: onStuck works only on the main thread (the one the inline watchdog interrupts), not in a worker thread');
  });

  it('armed, an inline emulator runs and closes as usual (the thread goes with it)', async () => {
    const stuck: unknown[] = [];
    const emulator = await Emulator.load(spec, { placement: 'inline', nodeFactory: FAKE_NODES, onStuck: (node) => stuck.push(node), watchdogMs: 60_000 });
    try {
      const result = await emulator.exec('a', 'echo armed');
      expect(result.stdout).toBe('armed\n');
    } finally {
      await emulator.close();
    }
    expect(stuck).toEqual([]);
  });
});
