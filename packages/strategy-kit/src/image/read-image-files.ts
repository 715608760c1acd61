import { rm } from 'node:fs/promises';
import { type ImageStore, type PayloadFile, type ResolvedImage, type StrategyContext } from '@metalayer/core';
import { lazyFileSource } from '@metalayer/boot/node';
import { byteStringToUtf8, readStoredLayer } from '@metalayer/oci';
import { normalizeLayerPath, spoolEntry } from './layer-files';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Whether `path` is `dir` or lies below it. */
const within = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/**
 * Reads regular files out of an image's merged tree (the container view):
 * every path `select` accepts, as the layers leave it. One pass over the
 * layers, in order: a candidate is copied to `ctx.tempDir` when a layer
 * writes it, and dropped when a later layer whites it (or a parent) out,
 * makes a parent opaque, or replaces it (or a parent) with something that is
 * not a regular file. Whiteouts act on lower layers only, as the OCI spec
 * says (this is the container view, not the composefs-rs digest view). Symlinks are not followed; hard links to a selected file are not
 * resolved (kernels and os-release are plain files in practice). Every layer
 * is verified against its digest and diff_id while streaming.
 */
export async function readImageFiles(
  ctx: StrategyContext,
  store: ImageStore,
  image: ResolvedImage,
  select: (path: string) => boolean,
): Promise<Map<string, PayloadFile>> {
  const found = new Map<string, { file: string; layer: number }>();
  let index = 0;
  /** Whiteouts and opaque markers act on lower layers only (image-spec layer.md), unlike replacements. */
  const drop = async (predicate: (path: string) => boolean, lowerOnly: boolean) => {
    for (const [path, candidate] of [...found]) {
      if (!predicate(path) || (lowerOnly && candidate.layer >= index)) continue;
      found.delete(path);
      await rm(candidate.file, { force: true });
    }
  };
  for (const [layerIndex, layer] of image.manifest.layers.entries()) {
    index = layerIndex;
    const diffId = image.config.rootfs.diff_ids[layerIndex];
    for await (const { header, body } of readStoredLayer(store, layer, {
      ...(diffId ? { diffId } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    })) {
      const path = normalizeLayerPath(byteStringToUtf8(header.name));
      const slash = path.lastIndexOf('/');
      const dir = slash < 0 ? '' : path.slice(0, slash);
      const name = path.slice(slash + 1);
      if (name === OPAQUE) {
        await drop((p) => (dir === '' ? true : p.startsWith(`${dir}/`)), true);
        continue;
      }
      if (name.startsWith(WHITEOUT)) {
        const removed = `${dir ? `${dir}/` : ''}${name.slice(WHITEOUT.length)}`;
        await drop((p) => within(p, removed), true);
        continue;
      }
      if (header.type !== 'directory') await drop((p) => within(p, path) && p !== path, false);
      if (!select(path)) continue;
      if (header.type !== 'file') {
        await drop((p) => p === path, false);
        continue;
      }
      const file = await spoolEntry(ctx, header.size, body, `${store.location}: ${path}`);
      await drop((p) => p === path, false);
      found.set(path, { file, layer: layerIndex });
    }
  }
  const files = new Map<string, PayloadFile>();
  for (const [path, { file }] of [...found].sort(([a], [b]) => (a < b ? -1 : 1))) {
    files.set(path, { name: path.split('/').pop()!, data: await lazyFileSource(file) });
  }
  return files;
}
