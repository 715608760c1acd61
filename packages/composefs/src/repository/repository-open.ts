import { open, readdir } from 'node:fs/promises';
import { LimitExceededError } from '@metalayer/core';
import type { FsVerityAlgorithm } from '../fsverity/fsverity-algorithm';
import { measureFsVerity } from './fsverity-tool';
import { RepositoryError } from './repository-error';
import { MAX_REPOSITORY_META_SIZE, REPOSITORY_META_FILE, type RepositoryMeta } from './repository-meta';

/** The text of `meta.json`, or undefined when there is none (size checked against `MAX_REPOSITORY_META_SIZE`). */
export async function readMetaText(metaPath: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(metaPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_REPOSITORY_META_SIZE) {
      throw new LimitExceededError({
        limit: 'MAX_REPOSITORY_META_SIZE',
        maximum: MAX_REPOSITORY_META_SIZE,
        actual: size,
        subject: metaPath,
      });
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Refuses an existing repository metalayer must not write: unknown
 * read-only-compatible features, another algorithm or EROFS format than the
 * caller asked for, or a format metalayer cannot produce (V2).
 */
export function checkOpenedMeta(
  meta: RepositoryMeta,
  metaPath: string,
  wanted: { algorithm?: FsVerityAlgorithm; erofsVersion?: number },
): void {
  if (meta.unknownReadOnlyFeatures.length > 0) {
    throw new RepositoryError({
      reason: 'read-only',
      path: metaPath,
      message: `unknown read-only-compatible features ${meta.unknownReadOnlyFeatures.join(', ')}: the repository may not be written`,
    });
  }
  if (wanted.algorithm !== undefined && wanted.algorithm !== meta.algorithm) {
    throw new RepositoryError({
      reason: 'algorithm-mismatch',
      path: metaPath,
      message: `repository uses fs-verity ${meta.algorithm}, not ${wanted.algorithm}`,
      expected: wanted.algorithm,
      actual: meta.algorithm,
      hint: `omit the algorithm to use the repository's, or use another repository`,
    });
  }
  if (meta.erofsVersion !== 0 && meta.erofsVersion !== 1) {
    throw new RepositoryError({
      reason: 'format-mismatch',
      path: metaPath,
      message: `repository produces EROFS format V${meta.erofsVersion}, which metalayer does not write (formats 0 and 1 only)`,
      actual: String(meta.erofsVersion),
    });
  }
  if (wanted.erofsVersion !== undefined && wanted.erofsVersion !== meta.erofsVersion) {
    throw new RepositoryError({
      reason: 'format-mismatch',
      path: metaPath,
      message: `repository produces EROFS format ${meta.erofsVersion}, not ${wanted.erofsVersion}`,
      expected: String(wanted.erofsVersion),
      actual: String(meta.erofsVersion),
    });
  }
}

/**
 * Whether the repository requires fs-verity (composefs-rs: fs-verity on
 * `meta.json` marks a repository that requires it everywhere). With policy
 * `no` such a repository is refused rather than written without verity.
 */
export async function requiresVerity(metaPath: string, policy: 'auto' | 'yes' | 'no'): Promise<boolean> {
  let required = false;
  try {
    required = (await measureFsVerity(metaPath)) !== undefined;
  } catch (error) {
    // Cannot tell (no fsverity tool, no kernel support): only `yes` needs an answer.
    if (policy === 'yes') throw error;
  }
  if (required && policy === 'no') {
    throw new RepositoryError({
      reason: 'verity-unsupported',
      path: metaPath,
      message: 'the repository requires fs-verity (meta.json has it) but verity is turned off',
      hint: 'use --enable-verity auto or yes',
    });
  }
  return required;
}

/** Refuses to create a repository over a pre-`meta.json` object store (composefs-rs upgrades those itself). */
export async function assertNotLegacy(dir: string, objectsDir: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(objectsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (entries.length > 0) {
    throw new RepositoryError({
      reason: 'legacy-layout',
      path: dir,
      message: `objects/ exists but ${REPOSITORY_META_FILE} does not (a layout older than composefs-rs 0.7)`,
      hint: 'let composefs-rs upgrade it (`cfsctl --repo DIR init`), or use a new directory',
    });
  }
}
