/**
 * Start-up: --version and help, which modules a command loads, the bundle the binary runs (and
 * when it must not), and `netloom bench startup`. No verdict here depends on how fast anything is.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleState } from '@netloom/runtime/bundle-state';
import { median } from './commands/bench-startup.js';
import { REPO_ROOT, runCli } from './testing/cli-harness.js';
import { assertBuilt, BIN, CLI_ROOT, spawnCli } from './testing/spawn-cli.js';

const twoHosts = join(REPO_ROOT, 'topologies', 'two-hosts.yaml');
/** The kill switch of a child run with spawnSync here, spawnCli's default: a hang guard, never a verdict. */
const CHILD_MS = 60_000;
const version = (JSON.parse(readFileSync(join(CLI_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The module URLs a `node bin/netloom.js ARGS` process loads on its main thread. */
function loadedModules(args: string[], env: NodeJS.ProcessEnv): string[] {
  assertBuilt();
  const hook = `data:text/javascript,${encodeURIComponent(
    "import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(\"export async function load(url, context, next) { process.stderr.write('loaded ' + url + '\\\\n'); return next(url, context); }\"));",
  )}`;
  // The kill switch stops a child that hangs (it decides nothing), as spawnCli's does.
  const child = spawnSync(process.execPath, ['--import', hook, BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: CHILD_MS });
  expect(child.status, child.stderr).toBe(0);
  return child.stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded '))
    .map((line) => line.slice('loaded '.length));
}

describe('netloom --version and help', () => {
  it('--version and -V print the package version and exit 0', async () => {
    expect(await runCli(['--version'])).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
    expect(await runCli(['-V'])).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('help and help COMMAND print usage on stdout and exit 0; help for a missing subcommand is a usage error', async () => {
    const help = await runCli(['help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('-V, --version');
    const run = await runCli(['help', 'run']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: netloom run \[options\] <file>/);
    expect((await runCli(['help', 'bench'])).stdout).toContain('startup [options]');
    expect((await runCli(['bench'])).status).toBe(2);
  });
});

describe('what a command loads', () => {
  it('--help loads commander, main and the bundle check only: no topology loader, runtime, dagre, ink or react (compiled modules)', () => {
    const loaded = loadedModules(['--help'], { NETLOOM_BUNDLE: '0' });
    expect(loaded.some((url) => url.endsWith('/dist/main.js'))).toBe(true);
    // The binary's bundle check aside (the runtime's bundle-state.js, which loads only Node's own modules).
    const heavy = loaded.filter((url) => !url.endsWith('/packages/runtime/dist/bundle-state.js'));
    expect(heavy.filter((url) => /zod|yaml|@netloom|packages\/|dagre|ink|react|piscina|commands\//.test(url))).toEqual([]);
  });

  it('run on two hosts (inline by default) loads no piscina; with --placement packed it does', () => {
    const piscina = (args: string[]) => loadedModules(['run', twoHosts, ...args], { NETLOOM_BUNDLE: '0' }).filter((url) => url.includes('/piscina/'));
    expect(piscina([])).toEqual([]);
    expect(piscina(['--placement', 'packed']).length).toBeGreaterThan(0);
    // Two child processes with a loader hook that logs every module: 2–5 s on a loaded machine.
    // Synchronous: the bound is the children's kill switches, so that it never decides first.
  }, 2 * CHILD_MS);

  it('run places a small topology inline by default (no worker threads to start), packed when given --workers', async () => {
    const placement = async (args: string[]) => {
      const result = await spawnCli(['run', ...args, '--json']);
      expect(result.status, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { placement?: string }).placement;
    };
    expect(await placement([twoHosts])).toBe('inline');
    expect(await placement([join(REPO_ROOT, 'topologies', 'router-chain.yaml')])).toBe('inline');
    expect(await placement([twoHosts, '--workers', '2'])).toBe('packed (2 workers)');
    // Three short runs, one of them starting worker threads; each child is killed after 60 s.
  }, 120_000);
});

describe('the bundle', () => {
  it('runs router-chain with the same trace as the compiled modules, in every placement; in CI it is current', async () => {
    const state = bundleState(new URL('../dist/bundle/', import.meta.url));
    if (process.env['CI'] === 'true') expect(state).toEqual({ usable: true });
    const chain = join(REPO_ROOT, 'topologies', 'router-chain.yaml');
    const modules = spawnSync(process.execPath, [BIN, 'run', chain, '--trace'], { encoding: 'utf8', env: { ...process.env, NETLOOM_BUNDLE: '0' }, timeout: CHILD_MS });
    expect(modules.status, modules.stderr).toBe(0);
    for (const placement of ['inline', 'packed']) {
      const bundled = await spawnCli(['run', chain, '--trace', '--placement', placement]);
      expect(bundled.status, bundled.stderr).toBe(0);
      expect(bundled.stdout).toBe(modules.stdout);
    }
    // Three runs of router-chain (one packed); each child is killed after 60 s.
  }, 120_000);
});

describe('netloom bench startup', () => {
  it('prints a median for each case, from child processes that all succeeded', async () => {
    const result = await spawnCli(['bench', 'startup', '--runs', '1', '--topology', twoHosts]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^start-up, median of 1 run \(fastest–slowest\), load average \d+\.\d\d, node v\d+/);
    expect(lines.pop()).toMatch(/^netloom ran (the bundle \(dist\/bundle\)|the compiled modules \(.+\))$/);
    expect(lines.slice(1).map((line) => line.replace(/\s+\d+ ms\s+\(\d+–\d+\)$/, ''))).toEqual([
      "node -e ''",
      'netloom --help',
      'netloom --version',
      'netloom check two-hosts.yaml',
      'netloom run two-hosts.yaml --placement inline',
      'netloom run two-hosts.yaml',
    ]);
    // One run of each case; spawnCli kills the bench after 60 s.
  }, 60_000);

  it('stops with the failing case, its status and its error text', async () => {
    const missing = join(REPO_ROOT, 'topologies', 'no-such-file.yaml');
    const result = await spawnCli(['bench', 'startup', '--runs', '1', '--topology', missing]);
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: `netloom: bench startup: netloom check no-such-file.yaml: exit 2\n${missing}:1:1: cannot read the topology file: no such file\n`,
    });
    expect((await runCli(['bench', 'startup', '--runs', '0'])).stderr).toContain('--runs must be an integer from 1 to 1000');
  }, 60_000);

  it('takes the middle value, or the mean of the two middle ones', () => {
    expect([median([3]), median([5, 1, 4]), median([4, 1, 3, 2])]).toEqual([3, 4, 2.5]);
  });
});
