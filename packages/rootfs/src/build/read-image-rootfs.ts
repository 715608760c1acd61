import { createDirectory, type Directory, type FsVerityAlgorithm } from '@metalayer/composefs';
import { InvalidArgumentError, type Descriptor, type ImageStore, type ResolvedImage } from '@metalayer/core';
import { ManifestFormatError } from '@metalayer/oci';
import { createVerityPool, defaultHashThreads } from '../hashing/verity-pool';
import { scanLayer, type ObjectSink, type ScannedLayer } from '../layer/scan-layer';
import { applyLayerComposefsRs } from '../merge/apply-composefs-rs';
import { applyLayerOciSpec, IMPLICIT_DIRECTORY } from '../merge/apply-oci-spec';
import { ExternalFiles } from '../merge/external-files';

/**
 * How layers are merged. `composefs-rs` reproduces the digest bootc and
 * composefs-setup-root check; `oci-spec` is the container view (umoci,
 * podman). See the package README for every difference.
 */
export type MergeSemantics = 'composefs-rs' | 'oci-spec';

/** Below this much layer data, hashing threads cost more than they save. */
const THREADS_MIN_BYTES = 8 << 20;

/** Progress of {@link readImageRootfs}. */
export interface RootfsProgress {
  /** Layer being read (0 = base). */
  layer: number;
  layers: number;
  /** Content bytes read in this layer. */
  bytes: number;
  /** Whether this layer's entries came from an earlier layer with the same diff_id. */
  cached: boolean;
}

/** Options of {@link readImageRootfs}. */
export interface ReadRootfsOptions {
  /** Default `composefs-rs`. */
  semantics?: MergeSemantics;
  /** fs-verity digests computed for every external file (default `['sha512']`). */
  algorithms?: readonly FsVerityAlgorithm[];
  /** Apply only the first N layers of `rootfs.diff_ids` (default all). */
  layers?: number;
  /** Hashing worker threads; 0 hashes on the main thread. Default: one per CPU for images over 8 MiB. */
  hashThreads?: number;
  /** Receives external files' content while it streams (used by deploy). */
  objectSink?: ObjectSink;
  signal?: AbortSignal;
  onProgress?: (progress: RootfsProgress) => void;
}

/** One layer as read. */
export interface LayerSummary {
  index: number;
  diffId: string;
  blob: Descriptor;
  entries: number;
  externalFiles: number;
  externalBytes: number;
  /** Re-applied from an earlier layer with the same diff_id (not read again). */
  cached: boolean;
}

/** The merged root filesystem of an image, before any transform. */
export interface ImageRootfs {
  readonly tree: Directory;
  readonly semantics: MergeSemantics;
  /** Digests and kept content of the tree's external files. */
  readonly files: ExternalFiles;
  readonly layers: readonly LayerSummary[];
}

function layerPlan(image: ResolvedImage, requested: number | undefined): { diffIds: string[]; blobs: Descriptor[] } {
  const subject = `image ${image.descriptor.digest}`;
  const rootfs = image.config.rootfs;
  if (rootfs?.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) {
    throw new ManifestFormatError({ subject, field: 'rootfs', reason: 'config.rootfs must be {"type": "layers", "diff_ids": [...]}' });
  }
  const { diff_ids: diffIds } = rootfs;
  const blobs = image.manifest.layers;
  if (diffIds.length !== blobs.length) {
    throw new ManifestFormatError({ subject, field: 'rootfs.diff_ids', reason: `${diffIds.length} diff_ids for ${blobs.length} layers` });
  }
  const count = requested ?? diffIds.length;
  if (!Number.isInteger(count) || count < 0 || count > diffIds.length) {
    throw new InvalidArgumentError({
      argument: 'layers',
      value: requested,
      message: `layers must be 0..${diffIds.length}, got ${String(requested)}`,
    });
  }
  return { diffIds: diffIds.slice(0, count), blobs: blobs.slice(0, count) };
}

/**
 * Merges an image's layers (in `rootfs.diff_ids` order) into a tree, one
 * streaming pass per distinct layer: blob digest and diff_id checked,
 * external files fs-verity hashed on the fly (in worker threads for large
 * images), nothing but metadata kept. A diff_id that repeats is read once
 * and its entries re-applied. No transform is applied here.
 */
export async function readImageRootfs(store: ImageStore, image: ResolvedImage, options: ReadRootfsOptions = {}): Promise<ImageRootfs> {
  const semantics = options.semantics ?? 'composefs-rs';
  if (semantics !== 'composefs-rs' && semantics !== 'oci-spec') {
    throw new InvalidArgumentError({
      argument: 'semantics',
      value: semantics,
      message: `semantics must be composefs-rs or oci-spec, got ${String(semantics)}`,
    });
  }
  const algorithms = options.algorithms ?? ['sha512'];
  const { diffIds, blobs } = layerPlan(image, options.layers);
  const remaining = new Map<string, number>();
  for (const id of diffIds) remaining.set(id, (remaining.get(id) ?? 0) + 1);
  const totalBytes = blobs.reduce((n, b) => n + b.size, 0);
  const threads = options.hashThreads ?? (totalBytes < THREADS_MIN_BYTES ? 0 : defaultHashThreads());
  const pool = createVerityPool({ algorithms, threads });
  // composefs-rs overwrites the root's stat from /usr; the container view shows a runtime's default root.
  const tree = createDirectory(semantics === 'oci-spec' ? IMPLICIT_DIRECTORY : {});
  const files = new ExternalFiles(algorithms);
  const cache = new Map<string, ScannedLayer>();
  const layers: LayerSummary[] = [];
  try {
    for (let index = 0; index < diffIds.length; index++) {
      const diffId = diffIds[index]!;
      const blob = blobs[index]!;
      options.signal?.throwIfAborted();
      let scanned = cache.get(diffId);
      const cached = scanned !== undefined;
      if (scanned === undefined) {
        scanned = await scanLayer(store, { index, diffId }, blob, {
          pool,
          ...(options.objectSink ? { sink: options.objectSink } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onBytes: (bytes) => options.onProgress?.({ layer: index, layers: diffIds.length, bytes, cached: false }),
        });
      } else {
        options.onProgress?.({ layer: index, layers: diffIds.length, bytes: scanned.externalBytes, cached: true });
      }
      const left = remaining.get(diffId)! - 1;
      remaining.set(diffId, left);
      if (left > 0) cache.set(diffId, scanned);
      else cache.delete(diffId);
      const ref = { index, diffId };
      if (semantics === 'composefs-rs') applyLayerComposefsRs(tree, scanned.entries, ref, files);
      else applyLayerOciSpec(tree, scanned.entries, ref, files);
      layers.push({
        index,
        diffId,
        blob,
        entries: scanned.entries.length,
        externalFiles: scanned.externalFiles,
        externalBytes: scanned.externalBytes,
        cached,
      });
    }
  } finally {
    await pool.close();
  }
  return { tree, semantics, files, layers };
}
