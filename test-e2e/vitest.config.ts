import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The QEMU end-to-end suite (`pnpm e2e` at the repository root). Separate from
 * the root config because every boot takes 5–15 s under TCG: unit tests of the
 * harness (`*.test.ts`) and the boots (`*.e2e.test.ts`) run here only.
 * At most two files run at once; `bootQemu()` additionally holds a machine-wide
 * VM slot, so no more than `METALAYER_E2E_JOBS` (default 2) VMs ever run together.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { conditions: ['@metalayer/source'] },
  ssr: { resolve: { conditions: ['@metalayer/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
