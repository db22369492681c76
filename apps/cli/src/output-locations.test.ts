/**
 * Where netloom writes files nobody named: the TUI's captures go under out/, the repository's
 * git-ignored folder for generated files (as README's `graph -o out/chain.svg` does), never into
 * the working tree's root.
 */

import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import type { EmulatorApi } from './runtime-api.js';
import { REPO_ROOT } from './testing/cli-harness.js';
import { createEngine } from './tui/start-tui.js';

const git = needs({ tools: ['git'], files: { [join(REPO_ROOT, '.git')]: 'a git clone of the repository' } });

git.describe('default output locations', () => {
  it('the TUI captures into out/captures of the current folder, which git ignores at the repository root', () => {
    const root = createEngine({} as EmulatorApi).captureRoot;
    expect(relative(process.cwd(), root)).toBe(join('out', 'captures'));
    for (const path of [join('out', 'captures', 'router-chain-1', 'h1_eth0--r1_eth0.pcapng'), join('out', 'chain.svg')]) {
      expect(spawnSync('git', ['check-ignore', '-q', path], { cwd: REPO_ROOT }).status, path).toBe(0);
    }
  });
});
