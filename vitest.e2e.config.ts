import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: the image built and booted under QEMU, and the arm64 agent under qemu-user.
// Slow (minutes) and root-only, so apart from `npm test`. One file at a time: both use QEMU.
export default defineConfig({
  test: {
    include: ['image-build/test/e2e/**/*.e2e.test.ts'],
    testTimeout: 20 * 60_000,
    hookTimeout: 25 * 60_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
