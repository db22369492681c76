// A node that loops forever in inline placement (the default for small topologies), through the CLI:
// the loop runs on the command's own thread, so only the inline watchdog (runtime's
// inline-watchdog.ts, armed by the CLI's engine) can end it. Each case runs in a child process — the
// watchdog ends the whole process — with `netloom` in-process there and the real engine, whose
// topology gets h2 built by the fault injector and a `fault busy` at 1 ms. The loop never ends, so
// the verdict is the same on any machine; a short NETLOOM_WATCHDOG_MS only keeps the test short.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const twoHosts = join(root, 'topologies', 'two-hosts.yaml');
const url = (path: string) => pathToFileURL(join(root, path)).href;

beforeAll(() => {
  // The fault injector, compiled (as reliability-faults.test.ts does).
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'packages', 'runtime', 'tsconfig.testing.json')], { stdio: 'inherit' });
});

/** `netloom ARGS…` in a child process whose engine makes h2 run `fault busy` at 1 ms (run) or on request (exec). */
function netloomWithBusyH2(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import { main } from ${JSON.stringify(url('apps/cli/dist/main.js'))};
    import { runtimeEngine } from ${JSON.stringify(url('apps/cli/dist/runtime-engine.js'))};
    const nodeFactory = { module: ${JSON.stringify(url('packages/runtime/dist-test/testing/faulty-real-node.js'))}, export: 'createFaultyRealNode' };
    const engine = async () => {
      const real = await runtimeEngine();
      const busy = (spec) => ({ ...spec, events: [...spec.events, { at: 1e6, kind: 'exec', node: 'h2', cmd: 'fault busy' }] });
      return { ...real, open: (spec, options) => real.open(busy(spec), { ...options, nodeFactory }) };
    };
    process.exitCode = await main(${JSON.stringify(argv)}, undefined, { engine });
  `;
  // The timeout only stops a child that hangs (the bug this guards against); it decides nothing.
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    // 3 s: far longer than any honest call into a node, even on a loaded machine, so only the
    // endless loop can trip it; the verdict is the same however slow the machine is.
    env: { ...process.env, NETLOOM_WATCHDOG_MS: '3000' },
    // The scenarios' test timeout (vitest.scenarios.config.ts): spawnSync holds the test's timer.
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const stuckLine = 'netloom: node h2: Error: no progress from its thread for 3 s, inside the node (a loop that never ends?); the process was stopped\n';

describe('a node that loops forever inline, through the CLI', () => {
  it('netloom run (inline by default for two hosts): exit 3, one line naming h2, no expectations reported', () => {
    const result = netloomWithBusyH2(['run', twoHosts]);
    expect(result.stderr).toBe(stuckLine);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(3);
  });

  it('netloom run --placement inline --json: exit 3, the same line, no report', () => {
    const result = netloomWithBusyH2(['run', twoHosts, '--placement', 'inline', '--json']);
    expect(result.stderr).toBe(stuckLine);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(3);
  });

  it('netloom exec h2 -- fault busy: exit 3, one line naming h2', () => {
    const result = netloomWithBusyH2(['exec', twoHosts, 'h2', '--', 'fault', 'busy']);
    expect(result.stderr).toBe(stuckLine);
    expect(result.status).toBe(3);
  });
});
