import { join } from 'node:path';
import {
  ComposefsRepository,
  IMAGES_DIR,
  planErofsImage,
  toHex,
  type FsVerityAlgorithm,
  type RepositoryStats,
  type VerityPolicy,
  type VerityState,
} from '@metalayer/composefs';
import { VerificationError, type ComposefsErofsVersion, type ImageStore, type ResolvedImage } from '@metalayer/core';
import {
  assignObjectNames,
  canonicalizeRootfs,
  erofsOptionsFor,
  type ComposefsImageId,
  type ComposefsTransformOptions,
} from './composefs-image';
import { readImageRootfs, type LayerSummary, type ReadRootfsOptions } from './read-image-rootfs';

/** Options of {@link deployImage}. */
export interface DeployOptions extends ComposefsTransformOptions, Omit<ReadRootfsOptions, 'algorithms' | 'semantics' | 'objectSink'> {
  /** The composefs repository directory (created, with `meta.json`, when missing). */
  repository: string;
  /** Algorithm of a new repository (default sha512); an existing repository must use it when given. */
  algorithm?: FsVerityAlgorithm;
  /** EROFS format of a new repository (default 1); an existing repository must use it when given. */
  erofsVersion?: ComposefsErofsVersion;
  /** fs-verity on written files (default `auto`: enabled where the filesystem supports it). */
  verity?: VerityPolicy;
  /** Also name the image `images/refs/<ref>`: composefs-rs garbage collection keeps named images. */
  ref?: string;
  /**
   * The image id (hex) something already names, e.g. a kernel command line:
   * when the image hashes to anything else, nothing names it — the EROFS
   * image is neither written nor linked under `images/` — and the deploy
   * throws `VerificationError`. Objects written on the way are unreferenced.
   */
  expectedId?: string;
}

/** What {@link deployImage} did. */
export interface DeployResult {
  readonly imageId: ComposefsImageId;
  readonly repository: string;
  /** Whether the repository was created by this call. */
  readonly created: boolean;
  /** `images/<hex>`, the path composefs-setup-root opens. */
  readonly imagePath: string;
  /** Whether the EROFS image object was written now (false: it was there). */
  readonly imageWritten: boolean;
  /** Whether `images/<hex>` was (re)created now. */
  readonly imageLinked: boolean;
  readonly refLinked: boolean;
  readonly stats: RepositoryStats;
  readonly verity: VerityState;
  readonly selinuxPolicy: string | undefined;
  readonly layers: readonly LayerSummary[];
}

/**
 * Deploys an image into a composefs repository as composefs-rs lays it out:
 * every file larger than 64 bytes becomes `objects/xx/<rest>` (written while
 * its layer streams, one pass), the EROFS image becomes an object too, and
 * `images/<hex>` points at it, last. Re-running it changes nothing. With
 * `expectedId`, the image is hashed while it is written and a mismatch is
 * discarded before it is committed or linked.
 */
export async function deployImage(store: ImageStore, image: ResolvedImage, options: DeployOptions): Promise<DeployResult> {
  const repo = await ComposefsRepository.open(options.repository, {
    create: true,
    verity: options.verity ?? 'auto',
    ...(options.algorithm ? { algorithm: options.algorithm } : {}),
    ...(options.erofsVersion !== undefined ? { erofsVersion: options.erofsVersion } : {}),
  });
  const {
    repository: _repository,
    algorithm: _algorithm,
    erofsVersion: _erofsVersion,
    verity: _verity,
    ref,
    expectedId: _expectedId,
    ...rest
  } = options;
  const rootfs = await readImageRootfs(store, image, {
    ...rest,
    algorithms: [repo.algorithm],
    semantics: 'composefs-rs',
    objectSink: { algorithmIndex: 0, create: () => repo.createObjectWriter() },
  });
  const canonical = canonicalizeRootfs(rootfs, options);
  assignObjectNames(rootfs, repo.algorithm);
  const plan = planErofsImage(rootfs.tree, erofsOptionsFor(repo.erofsVersion));
  const expected = options.expectedId?.toLowerCase();
  const written = await repo.writeImage(plan.chunks(), {
    accept: (digest) => {
      if (expected === undefined || toHex(digest) === expected) return;
      throw new VerificationError({
        image: `image ${image.descriptor.digest}`,
        expected: toHex(digest),
        actual: [options.expectedId!],
        reason: 'refusing to deploy an image under a name it does not hash to',
      });
    },
  });
  const refLinked = ref !== undefined ? await repo.addImageRef(ref, written.digest) : false;
  await repo.sync();
  const hex = toHex(written.digest);
  return {
    imageId: {
      algorithm: repo.algorithm,
      erofsVersion: repo.erofsVersion,
      hex,
      digest: written.digest,
      composefsVersion: plan.version,
      size: plan.size,
    },
    repository: repo.path,
    created: repo.created,
    imagePath: join(repo.path, IMAGES_DIR, hex),
    imageWritten: written.status === 'written',
    imageLinked: written.linked,
    refLinked,
    stats: { ...repo.stats },
    verity: repo.verity,
    selinuxPolicy: canonical.selinuxPolicy,
    layers: rootfs.layers,
  };
}
