import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Worker threads load compiled JavaScript: build dist/ and the fake nodes first.
    globalSetup: ['./vitest.global-setup.ts'],
    // Only a guard against a hang, never a judge of speed: the same ten minutes npm test gives every
    // test (tools/run-tests.mjs). No test sets a shorter one of its own; long runs are sized by
    // NETLOOM_TEST_SCALE.
    testTimeout: 600_000,
    fileParallelism: false,
  },
});
