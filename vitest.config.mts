import { defineConfig } from 'vitest/config';

// Real-model tests are CPU-bound on 2 cores: run files one at a time and allow slow tests.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
