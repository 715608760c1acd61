import { openAtomic } from '@metalayer/core/node';
import { FsVerityHasher } from '../fsverity/fsverity-hasher';
import type { FsVerityAlgorithm } from '../fsverity/fsverity-algorithm';
import type { Directory } from '../tree/types';
import { buildImageNodes, treeHasWhiteout } from './image-nodes';
import { layoutImage } from './image-layout';
import { serializeImage } from './image-writer';
import { resolveVersionRange, type ComposefsVersion } from './version';

/** Options of the EROFS image writer. */
export interface ErofsWriteOptions {
  /**
   * Lowest composefs format version (mkcomposefs `--min-version`). With
   * neither bound given the range is 0..1; with only one, the other is 0.
   */
  minVersion?: number;
  /** Highest format version (mkcomposefs `--max-version`); a tree with whiteouts is written as 1 when allowed. */
  maxVersion?: number;
}

/** A composefs image laid out and ready to be serialised. */
export interface ErofsImagePlan {
  /** The composefs format version written (header offset 12). */
  readonly version: ComposefsVersion;
  /** Image size in bytes. */
  readonly size: number;
  /** Number of inodes. */
  readonly inodeCount: number;
  /** The image bytes in chunks of about 1 MiB; may be iterated more than once. */
  chunks(): Generator<Uint8Array>;
}

/**
 * Plans the composefs EROFS image of `root`, byte-identical to C
 * `mkcomposefs --from-file` for the same tree. Memory grows with the tree's
 * metadata only. The tree must not change until the chunks are consumed.
 */
export function planErofsImage(root: Directory, options: ErofsWriteOptions = {}): ErofsImagePlan {
  const range = resolveVersionRange(options.minVersion, options.maxVersion);
  let version = range.min;
  if (version < 1 && range.max >= 1 && treeHasWhiteout(root)) version = 1;
  const image = buildImageNodes(root, version);
  const layout = layoutImage(image);
  const { nodes } = image;
  return {
    version,
    size: layout.size,
    inodeCount: nodes.length,
    chunks: () => serializeImage(version, nodes, layout),
  };
}

/** The whole image in memory. */
export function writeErofsImage(root: Directory, options: ErofsWriteOptions = {}): Uint8Array {
  const plan = planErofsImage(root, options);
  const out = new Uint8Array(plan.size);
  let offset = 0;
  for (const chunk of plan.chunks()) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Options of {@link writeErofsImageFile}. */
export interface ErofsFileWriteOptions extends ErofsWriteOptions {
  /** Also compute the image's fs-verity digest with this algorithm while writing. */
  digestAlgorithm?: FsVerityAlgorithm;
  /** File mode of the image (default 0o644). */
  mode?: number;
  signal?: AbortSignal;
}

/** What {@link writeErofsImageFile} and {@link computeErofsImageDigest} report. */
export interface ErofsWriteResult {
  version: ComposefsVersion;
  size: number;
  /** fs-verity digest of the image (the composefs image id), when asked for. */
  digest?: Uint8Array;
}

/**
 * Writes the image to `path` atomically (temporary file, fsync, rename):
 * readers see the old file or the complete new one.
 */
export async function writeErofsImageFile(root: Directory, path: string, options: ErofsFileWriteOptions = {}): Promise<ErofsWriteResult> {
  const plan = planErofsImage(root, options);
  const hasher = options.digestAlgorithm ? new FsVerityHasher(options.digestAlgorithm) : undefined;
  const file = await openAtomic(path, { mode: options.mode ?? 0o644 });
  try {
    for (const chunk of plan.chunks()) {
      options.signal?.throwIfAborted();
      hasher?.update(chunk);
      await file.write(chunk);
    }
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.commit();
  return { version: plan.version, size: plan.size, ...(hasher ? { digest: hasher.digest() } : {}) };
}

/** The image's fs-verity digest without writing it anywhere (mkcomposefs `--print-digest-only`). */
export function computeErofsImageDigest(
  root: Directory,
  options: ErofsWriteOptions & { digestAlgorithm?: FsVerityAlgorithm } = {},
): ErofsWriteResult & { digest: Uint8Array } {
  const plan = planErofsImage(root, options);
  const hasher = new FsVerityHasher(options.digestAlgorithm ?? 'sha256');
  for (const chunk of plan.chunks()) hasher.update(chunk);
  return { version: plan.version, size: plan.size, digest: hasher.digest() };
}
