import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,core,agent,cli,test}/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Process-level tests start servers and agents; two cores cannot run many at once.
    maxWorkers: 2,
  },
});
