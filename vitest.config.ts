import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests build from source every time; the cache tests turn it on for themselves.
    // Index builds on worker threads run at normal priority here: a saturated test machine would starve them.
    env: { INDEX_CACHE: 'off', INDEX_BUILD_NICE: '0' },
  },
});
