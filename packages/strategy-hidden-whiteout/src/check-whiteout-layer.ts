import type { Descriptor, ImageStore, StrategyContext } from '@metalayer/core';
import { byteStringToUtf8, readStoredLayer } from '@metalayer/oci';
import { normalizeLayerPath, PayloadFormatError } from '@metalayer/strategy-kit';
import { PRIVATE_DIRECTORY, PRIVATE_DIRECTORY_WHITEOUT } from './private-directory';

/**
 * Checks that `layer` is exactly our whiteout layer: one empty regular file
 * `.wh.<private directory>` at the root and nothing else. Anything else would
 * leave the payload visible to containers or change the merged tree, so it
 * throws `PayloadFormatError`. The layer is tiny (one header).
 */
export async function checkWhiteoutLayer(ctx: StrategyContext, store: ImageStore, layer: Descriptor, diffId: string): Promise<void> {
  const subject = `${store.location}: whiteout layer ${layer.digest}`;
  const names: string[] = [];
  let whitesOut = false;
  for await (const { header } of readStoredLayer(store, layer, { diffId, ...(ctx.signal ? { signal: ctx.signal } : {}) })) {
    const name = normalizeLayerPath(byteStringToUtf8(header.name));
    names.push(name);
    if (name === PRIVATE_DIRECTORY_WHITEOUT && header.type === 'file' && header.size === 0) whitesOut = true;
    // A second entry already makes it foreign: no need to read (or verify) the rest before refusing it.
    if (names.length > 1) break;
  }
  if (!whitesOut || names.length !== 1) {
    throw new PayloadFormatError({
      subject,
      reason: `expected exactly one entry, the whiteout ${PRIVATE_DIRECTORY_WHITEOUT} of /${PRIVATE_DIRECTORY}; found ${names.map((n) => JSON.stringify(n)).join(', ') || 'none'}`,
    });
  }
}
