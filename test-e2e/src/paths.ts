import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `test-e2e` package directory. */
export const e2eRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The monorepo root. */
export const repoRoot: string = resolve(e2eRoot, '..');

/** Shell scripts and other text inputs shipped with the harness. */
export const assetsDir: string = join(e2eRoot, 'assets');

/** Build cache (decompressed modules, built images); gitignored. */
export const e2eCacheDir: string = resolve(process.env.METALAYER_E2E_CACHE ?? join(e2eRoot, '.cache'));

/** Serial logs of every boot, one `<test>.log` each; gitignored, kept as CI artefacts. */
export const artifactsDir: string = resolve(process.env.METALAYER_E2E_ARTIFACTS ?? join(e2eRoot, 'artifacts'));

/** The unpacked backports kernel: `$METALAYER_KERNEL_DIR`, default `<repo>/.cache/kernel`. */
export const kernelDir: string = resolve(process.env.METALAYER_KERNEL_DIR ?? join(repoRoot, '.cache', 'kernel'));
