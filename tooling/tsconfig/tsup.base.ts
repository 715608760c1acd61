import type { Options } from 'tsup';

/**
 * The one tsup setting every package shares: ESM for Node 20, JavaScript only.
 * Declarations come from `tsc --build` (project references), so tsup never
 * needs to resolve types across packages.
 */
export const tsupBase: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  splitting: false,
  clean: true,
  dts: false,
};
