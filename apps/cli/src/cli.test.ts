/**
 * The built `netloom` binary as users run it: exit statuses, what goes to stdout and stderr.
 * Commands that need no running network (check, schema, bad input, graph --static) are here;
 * runs against the real runtime are in cli-run.test.ts.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { REPO_ROOT } from './testing/cli-harness.js';
import { spawnCli } from './testing/spawn-cli.js';

const topologies = join(REPO_ROOT, 'topologies');
// startup-fail-* files load; their commands fail when started (startup-failure.test.ts).
const badFiles = readdirSync(join(topologies, 'bad'))
  .filter((name) => name.endsWith('.yaml') && !name.startsWith('startup-fail-'))
  .sort();

describe('netloom (built binary)', () => {
  it('check summarises a valid topology and exits 0', async () => {
    const file = join(topologies, 'router-chain.yaml');
    expect(await spawnCli(['check', file])).toEqual({ status: 0, stdout: `${file}: ok (10 nodes, 9 links, 0 lans, 0 events, 3 expectations)\n`, stderr: '' });
  });

  // One test per file: the files keep coming, and a loop in one test had to fit them all in one timeout.
  describe('every file in topologies/bad makes check (and run, exec, shell, graph) exit 2 with file:line:col: message', () => {
    it('there are at least 12 of them', () => {
      expect(badFiles.length).toBeGreaterThanOrEqual(12);
    });

    it.each(badFiles)('%s', async (name) => {
      const file = join(topologies, 'bad', name);
      const index = badFiles.indexOf(name);
      const others = [['run', file], ['exec', file, 'h1', '--', 'true'], ['shell', file], ['graph', file]];
      for (const args of [['check', file], ...(index < others.length ? [others[index] ?? []] : [])]) {
        const command = args.join(' ');
        const result = await spawnCli(args);
        expect(result.status, command).toBe(2);
        expect(result.stdout, command).toBe('');
        expect(result.stderr, command).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: \\S.*\\n$`));
      }
    }, 60_000);
  });

  it('schema prints the JSON Schema', async () => {
    const result = await spawnCli(['schema']);
    expect(result.status).toBe(0);
    const schema = JSON.parse(result.stdout) as { $schema?: string; properties?: Record<string, unknown> };
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['name', 'nodes', 'links', 'lans', 'events', 'expect']));
  });

  it('usage errors exit 2 with the problem on stderr; --help exits 0', async () => {
    const unknown = await spawnCli(['run', join(topologies, 'two-hosts.yaml'), '--frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("error: unknown option '--frobnicate'");
    expect((await spawnCli(['run', join(topologies, 'two-hosts.yaml'), '--placement', 'nowhere'])).stderr).toContain("argument 'nowhere' is invalid. Allowed choices are per-node, packed, inline.");
    expect((await spawnCli([])).status).toBe(2);
    const help = await spawnCli(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['run', 'check', 'schema', 'graph', 'bench', 'shell', 'exec', 'tui']) expect(help.stdout).toContain(`  ${command} `);
  });

  needs({ tools: ['dot'] }).it('graph --static draws router-chain as DOT that Graphviz lays out', async () => {
    const result = await spawnCli(['graph', join(topologies, 'router-chain.yaml'), '--static']);
    expect(result.status).toBe(0);
    const plain = execFileSync('dot', ['-Tplain'], { input: result.stdout, encoding: 'utf8' });
    expect(plain.split('\n').filter((line) => line.startsWith('node '))).toHaveLength(10);
    expect(plain.split('\n').filter((line) => line.startsWith('edge '))).toHaveLength(9);
    expect(result.stdout).toContain('"r4" [label="r4\\nrouter\\neth0 10.0.3.2/24\\neth1 10.0.4.1/24"];');
  });
});
