#!/usr/bin/env node
// The `netloom` command. Runs the bundle (dist/bundle/, built by `npm run build`) while it is current,
// else the compiled modules in dist/ (see @netloom/runtime's bundle-state.ts); build first: npm run build.
import { fileURLToPath } from 'node:url';
import { bundleState } from '@netloom/runtime/bundle-state';

const bundle = new URL('../dist/bundle/', import.meta.url);
const entry = bundleState(bundle).usable ? new URL('main.js', bundle) : new URL('../dist/main.js', import.meta.url);

let status;
try {
  const { main } = await import(entry.href);
  status = await main(process.argv.slice(2), undefined, { binary: fileURLToPath(import.meta.url) });
} catch (error) {
  process.stderr.write(`netloom: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  status = 3;
}
process.exitCode = status;
// Leave once stdout has drained, even if something (a stuck worker) would keep the event loop alive.
process.stdout.write('', () => process.exit(status));
