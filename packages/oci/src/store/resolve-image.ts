import { ManifestFormatError } from '../errors/index';
import { MAX_CONFIG_SIZE, MAX_INDEX_DEPTH } from '../limits';
import { parseImageConfig } from '../parse-json';
import { DEFAULT_PLATFORM, selectPlatform } from '../platform';
import type { ImageStore, Platform, ResolvedImage, StoredManifest } from '@metalayer/core';

/** Options of {@link resolveImage} and {@link resolveManifest}. */
export interface ResolveOptions {
  /** Platform picked from image indexes (default linux/amd64). */
  platform?: Platform;
  signal?: AbortSignal;
}

/**
 * Follows a tag or digest to a single image manifest, choosing the platform
 * in (nested) image indexes. Returns the manifest and the indexes passed.
 */
export async function resolveManifest(
  store: ImageStore,
  reference: string,
  options: ResolveOptions = {},
): Promise<{ manifest: StoredManifest; indexes: StoredManifest[] }> {
  const indexes: StoredManifest[] = [];
  let current = await store.getManifest(reference, options.signal);
  while (current.parsed.kind === 'index') {
    if (indexes.length >= MAX_INDEX_DEPTH) {
      throw new ManifestFormatError({
        subject: `${store.location}: ${reference}`,
        reason: `image indexes nested deeper than MAX_INDEX_DEPTH (${MAX_INDEX_DEPTH})`,
      });
    }
    indexes.push(current);
    const picked = selectPlatform(current.parsed.index.manifests, options.platform ?? DEFAULT_PLATFORM);
    current = await store.getManifest(picked.digest, options.signal);
    current = { ...current, descriptor: { ...picked, mediaType: picked.mediaType || current.descriptor.mediaType } };
  }
  return { manifest: current, indexes };
}

/** Resolves a reference to an image: manifest (platform chosen) and parsed config. */
export async function resolveImage(store: ImageStore, reference: string, options: ResolveOptions = {}): Promise<ResolvedImage> {
  const { manifest, indexes } = await resolveManifest(store, reference, options);
  if (manifest.parsed.kind !== 'manifest') throw new Error('unreachable: resolveManifest returns a manifest');
  const image = manifest.parsed.manifest;
  const configBytes = await store.readBlob(image.config, MAX_CONFIG_SIZE, options.signal);
  const config = parseImageConfig(configBytes, `${store.location}: config ${image.config.digest}`);
  return { descriptor: manifest.descriptor, manifest: image, manifestBytes: manifest.parsed.bytes, indexes, config, configBytes };
}
