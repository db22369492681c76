/**
 * The CLI's handler for a node stuck inline, under the runtime's real inline watchdog: a child
 * process arms the watchdog with exitOnStuckNode over activity cells it writes as an inline shard
 * would, then loops forever inside "node h2". The process's exit listeners run, then one line naming
 * the node, and the status is 3. Children load the compiled modules (dist/). The loop never ends,
 * so the verdict is the same on any machine.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const handler = new URL('../dist/stuck-node-exit.js', import.meta.url).href;

function child(body: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import { writeSync } from 'node:fs';
    import { InlineWatchdog } from '@netloom/runtime/inline-watchdog';
    import { exitOnStuckNode } from ${JSON.stringify(handler)};
    const cells = new InlineWatchdog(300, ['a', 'h2'], exitOnStuckNode).activity;
    ${body}
  `;
  // The timeout only stops a child that hangs (a broken watchdog); it decides nothing. The tests'
  // own timeout (the describe's), as spawnSync holds the test's timer until the child is gone.
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const stuckLine = 'netloom: node h2: Error: no progress from its thread for 0.3 s, inside the node (a loop that never ends?); the process was stopped\n';

describe('a node stuck inline, in the CLI', { timeout: 60_000 }, () => {
  it('ends the process with status 3 and one line naming the node', () => {
    const result = child(`
      cells[0] = 2; cells[1] = 41;
      setTimeout(() => { for (;;); }, 0);
    `);
    expect(result.status).toBe(3);
    expect(result.stderr).toBe(stuckLine);
  });

  it("runs the process's exit listeners first (the TUI restores the terminal), then prints the line", () => {
    const result = child(`
      process.on('exit', () => writeSync(2, 'terminal restored\\n'));
      cells[0] = 2; cells[1] = 1;
      for (;;);
    `);
    expect(result.status).toBe(3);
    expect(result.stderr).toBe(`terminal restored\n${stuckLine}`);
  });
});
