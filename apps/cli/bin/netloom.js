#!/usr/bin/env node
// The `netloom` command: runs the compiled CLI (build it first: npx tsc -p apps/cli/tsconfig.build.json).
import { main } from '../dist/main.js';

let status;
try {
  status = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`netloom: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  status = 3;
}
process.exitCode = status;
// Leave once stdout has drained, even if something (a stuck worker) would keep the event loop alive.
process.stdout.write('', () => process.exit(status));
