import type { ImageStore, PayloadFile, StrategyContext } from '@metalayer/core';
import { readLayerTree } from '@metalayer/strategy-kit';
import { LayerOutsideBootError } from './errors/index';
import type { KernelLayerMark } from './find-kernel-layer';

/** Most entries (files and directories) a kernel layer may hold; ours hold at most a dozen. */
export const MAX_KERNEL_LAYER_ENTRIES = 256;

/**
 * Streams the kernel layer (verifying digest and diff_id) and checks its
 * structure while doing so: every entry must be a plain directory or regular
 * file at or below `boot` — an entry anywhere else would change what boots,
 * so it is a `LayerOutsideBootError`; links, devices, whiteouts or
 * duplicates are a `PayloadFormatError`. Returns the regular files, copied
 * into `ctx.tempDir`, by path (`boot/…`) once the whole layer was verified.
 */
export function readKernelLayer(ctx: StrategyContext, store: ImageStore, mark: KernelLayerMark): Promise<Map<string, PayloadFile>> {
  return readLayerTree(ctx, store, mark.layer, mark.diffId, {
    root: 'boot',
    maxEntries: MAX_KERNEL_LAYER_ENTRIES,
    what: 'kernel layer',
    outside: (path) => new LayerOutsideBootError({ layer: `${store.location}: layer ${mark.layer.digest}`, path }),
  });
}
