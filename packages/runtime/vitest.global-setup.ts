import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.testing.json'], { cwd: dir, stdio: 'inherit' });
  // Node threads run the worker bundle while it is current (worker-bundle.ts): bundle what tsc just
  // wrote, so the worker tests run the bundle of this code. Another build writing the inputs at the
  // same time fails a try (the bundle is then left without a list, unusable): try again.
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync(process.execPath, ['scripts/bundle-worker.mjs'], { cwd: dir, stdio: ['ignore', 'inherit', 'pipe'] });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}
