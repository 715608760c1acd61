import { MAX_REFERRER_DEPTH } from '../limits';
import { DEFAULT_PLATFORM, selectPlatform } from '../platform';
import { RegistryStore } from '../registry/registry-store';
import type { ImageStore, StoredManifest } from '@metalayer/core';
import type { Descriptor, Platform } from '@metalayer/core';

/** Options of {@link copyImage}. */
export interface CopyImageOptions {
  /** Tag to give the copied image in the destination. */
  tag?: string;
  /** Layouts: list the image in `index.json` even without a tag (default true when no tag). */
  root?: boolean;
  /** Platform picked from an image index (default linux/amd64); ignored with `all`. */
  platform?: Platform;
  /** Copy a whole image index with every manifest it lists, instead of one platform. */
  all?: boolean;
  /** Also copy the artifacts that refer to the image (and the artifacts that refer to those). */
  referrers?: boolean;
  /** Called as blob bytes move: total bytes copied so far, and the blob in flight. */
  onProgress?: (copiedBytes: number, blob: Descriptor) => void;
  signal?: AbortSignal;
}

/** One blob the copy handled. */
export interface CopiedBlob {
  digest: string;
  size: number;
  mediaType: string;
  /** `copied` (streamed), `mounted` (cross-repository mount) or `skipped` (already present). */
  action: 'copied' | 'mounted' | 'skipped';
}

/** What {@link copyImage} did. */
export interface CopyImageResult {
  /** The copied root: the image manifest (or the index with `all`), digest unchanged. */
  manifest: Descriptor;
  /** Every manifest and index written, in write order (children before parents, image before referrers). */
  manifests: Descriptor[];
  /** Referrers copied (descriptors as the source listed them). */
  referrers: Descriptor[];
  blobs: CopiedBlob[];
  /** Bytes streamed (skipped and mounted blobs excluded). */
  bytesCopied: number;
}

/**
 * Copies an image between stores (layout ↔ registry, any direction), keeping
 * every manifest byte-identical so digests do not change. Blobs stream from
 * source to destination, verified on both ends; blobs already present are
 * skipped; registries on the same host mount instead of copying.
 */
export async function copyImage(
  source: ImageStore,
  sourceRef: string,
  dest: ImageStore,
  options: CopyImageOptions = {},
): Promise<CopyImageResult> {
  const { signal } = options;
  const result: CopyImageResult = { manifest: undefined as unknown as Descriptor, manifests: [], referrers: [], blobs: [], bytesCopied: 0 };
  const seenBlobs = new Set<string>();
  const seenManifests = new Set<string>();

  async function copyBlob(blob: Descriptor): Promise<void> {
    if (seenBlobs.has(blob.digest)) return;
    seenBlobs.add(blob.digest);
    const entry = { digest: blob.digest, size: blob.size, mediaType: blob.mediaType };
    if ((await dest.statBlob(blob.digest, signal)) !== undefined) {
      result.blobs.push({ ...entry, action: 'skipped' });
      return;
    }
    if (
      source instanceof RegistryStore &&
      dest instanceof RegistryStore &&
      source.client.registry === dest.client.registry &&
      source.repository !== dest.repository
    ) {
      if (await dest.mountBlob(blob.digest, source.repository, signal)) {
        result.blobs.push({ ...entry, action: 'mounted' });
        return;
      }
    }
    const before = result.bytesCopied;
    await dest.putBlob(source.openBlob(blob, signal), {
      expected: { digest: blob.digest, size: blob.size },
      signal,
      onProgress: (bytes) => options.onProgress?.(before + bytes, blob),
    });
    result.bytesCopied = before + blob.size;
    options.onProgress?.(result.bytesCopied, blob);
    result.blobs.push({ ...entry, action: 'copied' });
  }

  async function copyTree(stored: StoredManifest, put: { tag?: string; root?: boolean }): Promise<Descriptor> {
    const { parsed } = stored;
    if (parsed.kind === 'index') {
      for (const child of parsed.index.manifests) {
        if (seenManifests.has(child.digest)) continue;
        await copyTree(await source.getManifest(child.digest, signal), {});
      }
    } else {
      await copyBlob(parsed.manifest.config);
      for (const layer of parsed.manifest.layers) await copyBlob(layer);
    }
    const written = await dest.putManifest(parsed.bytes, { mediaType: stored.descriptor.mediaType, ...put, signal });
    if (written.digest !== stored.descriptor.digest) {
      throw new Error(`${dest.location} stored ${stored.descriptor.digest} as ${written.digest}`);
    }
    seenManifests.add(written.digest);
    result.manifests.push(written);
    return written;
  }

  let root = await source.getManifest(sourceRef, signal);
  if (root.parsed.kind === 'index' && !options.all) {
    const picked = selectPlatform(root.parsed.index.manifests, options.platform ?? DEFAULT_PLATFORM);
    root = await source.getManifest(picked.digest, signal);
  }
  const put = options.tag !== undefined ? { tag: options.tag } : { root: options.root ?? true };
  result.manifest = await copyTree(root, put);

  if (options.referrers) {
    let level = [...result.manifests.map((m) => m.digest)];
    for (let depth = 0; depth < MAX_REFERRER_DEPTH && level.length; depth++) {
      const next: string[] = [];
      for (const subject of level) {
        for (const referrer of await source.listReferrers(subject, { signal })) {
          if (seenManifests.has(referrer.digest)) continue;
          const stored = await source.getManifest(referrer.digest, signal);
          await copyTree(stored, {});
          result.referrers.push(referrer);
          next.push(referrer.digest);
        }
      }
      level = next;
    }
  }
  return result;
}
