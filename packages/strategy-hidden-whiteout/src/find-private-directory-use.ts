import type { ImageStore, ResolvedImage, StrategyContext } from '@metalayer/core';
import { byteStringToUtf8, readStoredLayer } from '@metalayer/oci';
import { normalizeLayerPath } from '@metalayer/strategy-kit';
import { PRIVATE_DIRECTORY, PRIVATE_DIRECTORY_WHITEOUT } from './private-directory';

/** An entry of a base layer that touches the private directory. */
export interface PrivateDirectoryUse {
  /** Digest of the layer blob. */
  readonly layer: string;
  /** The entry's path, normalised. */
  readonly path: string;
}

/**
 * The first entry of any layer of `image` that creates, changes or whites
 * out `/<private directory>` or anything below it. Deliberately stricter than
 * "exists in the merged tree": a base that ever touched the name is refused,
 * so no layer order or whiteout subtlety (tools disagree, oci-facts.md §4.2)
 * can make our whiteout delete base content. Reads every layer's headers
 * (bodies are skipped, but each layer is still decompressed and verified).
 */
export async function findPrivateDirectoryUse(
  ctx: StrategyContext,
  store: ImageStore,
  image: ResolvedImage,
): Promise<PrivateDirectoryUse | undefined> {
  const diffIds = image.config.rootfs.diff_ids;
  for (const [i, layer] of image.manifest.layers.entries()) {
    const diffId = diffIds[i];
    const entries = readStoredLayer(store, layer, { ...(diffId ? { diffId } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
    for await (const { header } of entries) {
      const path = normalizeLayerPath(byteStringToUtf8(header.name));
      const top = path.split('/').find((part) => part !== '' && part !== '.');
      if (top === PRIVATE_DIRECTORY || top === PRIVATE_DIRECTORY_WHITEOUT) return { layer: layer.digest, path };
    }
  }
  return undefined;
}
