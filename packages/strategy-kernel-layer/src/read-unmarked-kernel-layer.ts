import type { Descriptor, ImageStore, ResolvedImage, StrategyContext } from '@metalayer/core';
import { byteStringToUtf8, readStoredLayer } from '@metalayer/oci';

const WHITEOUT_PREFIX = '.wh.';

/** A tar entry name as a path from the root: `./boot//EFI/` → `boot/EFI` (the merge resolves names so). */
const pathOf = (name: string) =>
  name
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');

/**
 * The last layer of `image` when it is a kernel layer in all but name for
 * `entries` (absolute paths of boot entries in the merged `/boot`): it writes
 * only regular files and directories at or below `/boot` — no whiteouts,
 * links or devices — and writes every one of `entries`, so nothing below it
 * put them there. This is how bootc's sealed images are built.
 *
 * Reads that one layer's headers, and only up to its first entry outside
 * that shape. Called only for a base that already has boot entries, which
 * attach refuses either way: the answer picks the refusal, not whether there
 * is one, and the layer was verified by the digest pass just before.
 */
export async function readUnmarkedKernelLayer(
  ctx: StrategyContext,
  store: ImageStore,
  image: ResolvedImage,
  entries: readonly string[],
): Promise<Descriptor | undefined> {
  const index = image.manifest.layers.length - 1;
  const layer = image.manifest.layers[index];
  if (layer === undefined || entries.length === 0) return undefined;
  const diffId = image.config.rootfs.diff_ids[index];
  const written = new Set<string>();
  for await (const { header } of readStoredLayer(store, layer, {
    ...(diffId ? { diffId } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })) {
    const path = pathOf(byteStringToUtf8(header.name));
    const name = path.slice(path.lastIndexOf('/') + 1);
    const inBoot = path === 'boot' || path.startsWith('boot/');
    if (!inBoot || name.startsWith(WHITEOUT_PREFIX) || (header.type !== 'file' && header.type !== 'directory')) return undefined;
    written.add(`/${path}`);
  }
  return entries.every((entry) => written.has(entry)) ? layer : undefined;
}
