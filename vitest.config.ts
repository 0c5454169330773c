import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'shared/test/**/*.test.ts',
      'agent/test/**/*.test.ts',
      'controller/test/**/*.test.ts',
      'image-build/test/unit/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start brokers and child processes; keep parallelism modest on 2-core CI.
    maxWorkers: 2,
  },
});
