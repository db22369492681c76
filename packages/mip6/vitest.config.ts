import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    passWithNoTests: true,
    // Tests that build Linux network namespaces must not run side by side.
    fileParallelism: false,
  },
});
