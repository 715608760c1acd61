import { defineConfig } from 'vitest/config';

/**
 * One test configuration for the whole workspace. Packages resolve each other
 * through the `@metalayer/source` export condition, so tests run against the
 * TypeScript sources without a build. The QEMU suite has its own config
 * (`test-e2e/vitest.config.ts`, run by `pnpm e2e`).
 */
export default defineConfig({
  resolve: { conditions: ['@metalayer/source'] },
  ssr: { resolve: { conditions: ['@metalayer/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
