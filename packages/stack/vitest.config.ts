import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests that build Linux network namespaces must not run side by side.
    fileParallelism: false,
  },
});
