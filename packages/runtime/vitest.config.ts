import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Worker threads load compiled JavaScript: build dist/ and the fake nodes first.
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 60_000,
    fileParallelism: false,
  },
});
