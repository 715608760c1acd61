import type { Options } from 'tsup';

/**
 * The one tsup setting every package shares: ESM for Node 20, JavaScript only.
 * Declarations come from the root's `tsc --build` (project references), so
 * tsup never needs to resolve types across packages. No `clean`: the bundle's
 * file names are fixed, and wiping `dist/` would delete the declarations and
 * build info `tsc -b` relies on to stay incremental.
 */
export const tsupBase: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  splitting: false,
  clean: false,
  dts: false,
};
