import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites spawn git and servers; two cores do best with few forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
