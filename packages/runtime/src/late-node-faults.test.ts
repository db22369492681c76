/**
 * A node's real timer that fires after its inline emulator was closed: there is no operation left
 * to fail, and it runs on the caller's thread. It is reported as a process warning naming the node
 * (type NetloomNodeFault), and the process goes on — never Node's default crash. Run in a child
 * process so that a regression crashes the child, not the test runner.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAULTY_REAL_NODES } from './testing/specs.js';

const runtime = new URL('../dist/index.js', import.meta.url).href;
const twoHosts = join(fileURLToPath(new URL('../../..', import.meta.url)), 'topologies', 'two-hosts.yaml');

describe('a node fault after its inline emulator closed', () => {
  it('a real timer that throws after close is a warning naming the node, not a crash', () => {
    const script = `
      import { Emulator } from ${JSON.stringify(runtime)};
      const emulator = await Emulator.load(${JSON.stringify(twoHosts)}, { placement: 'inline', nodeFactory: ${JSON.stringify(FAULTY_REAL_NODES)} });
      const armed = await emulator.exec('h2', 'fault throw-in-timer 50');
      await emulator.close();
      console.log('closed, exit status', armed.status);
      // Armed after the node's 50 ms timer, with a longer delay: Node runs the node's timer first.
      setTimeout(() => console.log('still running'), 200);
    `;
    // The kill switch stops a child that hangs (it decides nothing): the package's test timeout
    // (vitest.config.ts), as spawnSync holds the test's own timer until the child is gone.
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 600_000 });
    expect(result.stdout).toBe('closed, exit status 0\nstill running\n');
    expect(result.stderr).toMatch(
      /^\(node:\d+\) NetloomNodeFault: node h2 of a closed emulation: uncaught exception outside any call from the runtime \(a real timer or promise\): Error: fault from h2: thrown in a timer after 50 ms\n/,
    );
    expect(result.status).toBe(0);
  });
});
