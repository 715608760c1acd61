import type { Descriptor, ImageStore, PayloadFile, StrategyContext } from '@metalayer/core';
import { readLayerTree } from '@metalayer/strategy-kit';
import { MAX_META_LAYER_ENTRIES, PRIVATE_DIRECTORY } from './private-directory';

/**
 * Streams the meta layer (blob digest and diff_id verified) and returns its
 * regular files, copied into `ctx.tempDir`, keyed by their path inside the
 * private directory. The layer must hold nothing but directories and regular
 * files below `/<private directory>`: anything else (a path outside it, a
 * whiteout, a link, a device, a duplicate, `.`/`..` components) means it is
 * not a layer this strategy wrote, and throws `PayloadFormatError`.
 */
export async function readMetaLayer(
  ctx: StrategyContext,
  store: ImageStore,
  layer: Descriptor,
  diffId: string,
): Promise<Map<string, PayloadFile>> {
  const tree = await readLayerTree(ctx, store, layer, diffId, {
    root: PRIVATE_DIRECTORY,
    maxEntries: MAX_META_LAYER_ENTRIES,
    what: 'meta layer',
  });
  return new Map([...tree].map(([path, file]) => [path.slice(PRIVATE_DIRECTORY.length + 1), file]));
}
