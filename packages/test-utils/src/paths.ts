import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (the directory holding pnpm-workspace.yaml). */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('pnpm-workspace.yaml not found above test-utils');
    dir = up;
  }
  return dir;
})();

/**
 * The shared reference folder (`../shared` next to the checkout, or
 * `$METALAYER_SHARED_DIR`): vectors made with the C tools live in `vectors/`.
 */
export const sharedDir: string = resolve(process.env.METALAYER_SHARED_DIR ?? join(repoRoot, '..', 'shared'));

/** `../shared/vectors/<sub>`. */
export function vectorsPath(...sub: string[]): string {
  return join(sharedDir, 'vectors', ...sub);
}

/** The built CLI entry (`apps/cli/bin/metalayer.js`); tests that spawn it need `pnpm build` first. */
export const cliBin: string = join(repoRoot, 'apps', 'cli', 'bin', 'metalayer.js');
