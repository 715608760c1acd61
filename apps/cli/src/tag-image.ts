import type { ImageStore } from '@metalayer/core';

/**
 * Points `tag` at the manifest `digest` already in `store` (same bytes, so
 * the digest stays). Used when a strategy leaves the image itself unchanged.
 */
export async function tagImage(store: ImageStore, digest: string, tag: string): Promise<void> {
  const stored = await store.getManifest(digest);
  await store.putManifest(stored.parsed.bytes, { mediaType: stored.descriptor.mediaType, tag });
}
