/**
 * Running `netloom` in-process for tests: main() with in-memory stdout/stderr, stdin fed from a
 * string, and an engine of choice — an Engine (the fake, fakeEngine()), a factory of one (the real
 * runtime wrapped, as the reliability tests do), or none for the real runtime engine. The one
 * runCli of the repository: apps/cli's tests import it from here, test/reliability-*.test.ts from
 * the build (`@netloom/cli/testing/cli-harness`; tsconfig.build.json compiles this file).
 */

import { fileURLToPath } from 'node:url';
import { Readable, Writable } from 'node:stream';
import { BufferSink, type CliIo } from '../cli-io.js';
import type { Engine } from '../engine.js';
import { main } from '../main.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], options: { engine?: Engine | (() => Promise<Engine>); stdin?: string } = {}): Promise<CliRun> {
  const stdout = new BufferSink();
  const stderr = new BufferSink();
  const io: CliIo = {
    stdout,
    stderr,
    stdin: Readable.from([options.stdin ?? '']),
    stdinIsTTY: false,
    terminal: new Writable({ write: (_chunk, _encoding, done) => done() }),
    onInterrupt: () => () => undefined,
  };
  const engine = options.engine;
  const status = await main(argv, io, engine === undefined ? {} : { engine: typeof engine === 'function' ? engine : async () => engine });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}
