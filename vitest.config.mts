import { defineConfig } from 'vitest/config';

// Real-model tests are CPU-bound on 2 cores: run files one at a time and allow slow tests.
// Two projects, one naming rule: `*.real.test.ts` loads a real model (SAM, the detector), starts
// Node-RED or a browser in its own process, or reads ../shared/data; everything else is a fast unit
// test (fakes, synthetic scenes, marble tests). `vitest run` runs both; `--project unit|real` one.
const real = 'test/**/*.real.test.ts';

export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [real] } },
      { extends: true, test: { name: 'real', include: [real] } },
    ],
  },
});
