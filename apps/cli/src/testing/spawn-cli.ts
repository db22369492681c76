/**
 * Running the built `netloom` binary (bin/netloom.js → dist/) as a child process, the way users
 * run it. Needs `npx tsc -p apps/cli/tsconfig.build.json` (the repo's build) first.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/netloom.js', import.meta.url));
const DIST_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(DIST_MAIN)) throw new Error('apps/cli is not built: run npx tsc -p apps/cli/tsconfig.build.json first');
}

export interface SpawnResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/netloom.js ARGS…` with `input` on stdin (a pipe, so not a terminal). */
export function spawnCli(args: string[], input = '', timeoutMs = 60_000): Promise<SpawnResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: CLI_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`netloom ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
