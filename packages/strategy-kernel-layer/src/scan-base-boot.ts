import type { ImageStore, ResolvedImage, StrategyContext } from '@metalayer/core';
import { readStoredLayer } from '@metalayer/oci';
import { normalizeLayerPath } from '@metalayer/strategy-kit';

/** Top-level directories composefs-rs `transform_for_boot` requires (composefs-rs-semantics.md §5). */
export const REQUIRED_TOPLEVEL_DIRS = ['usr', 'boot', 'sysroot'] as const;

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** What a path of the merged tree is, as far as the scan cares. */
export type ScannedType = 'directory' | 'file' | 'other';

/** What {@link scanBaseBoot} found in the merged tree of an image. */
export interface BaseBootScan {
  /** `usr`, `boot`, `sysroot` entries missing or not directories, as absolute paths. */
  readonly missing: readonly string[];
  /** Every path at or below `boot` (no leading `/`) with its type and the index of the layer that last wrote it. */
  readonly paths: ReadonlyMap<string, { readonly type: ScannedType; readonly layer: number }>;
  /** Whether the last layer writes only at or below `boot` (plain files and directories, no whiteouts). */
  readonly lastLayerBootOnly: boolean;
}

const inBoot = (path: string) => path === 'boot' || path.startsWith('boot/');
const tracked = (path: string) => inBoot(path) || (REQUIRED_TOPLEVEL_DIRS as readonly string[]).includes(path);

/**
 * Streams the headers of every layer (verifying digests) and replays what
 * they do to `/boot` and the required top-level directories, with the
 * composefs-rs merge rules (`.wh.x` removes `x` and its subtree, an opaque
 * marker clears its directory at the point it is seen, a non-directory
 * replaces a directory with its subtree). Memory grows with the number of
 * paths under `/boot` only.
 */
export async function scanBaseBoot(ctx: StrategyContext, store: ImageStore, image: ResolvedImage): Promise<BaseBootScan> {
  const paths = new Map<string, { type: ScannedType; layer: number }>();
  const removeBelow = (dir: string) => {
    for (const key of [...paths.keys()]) if (dir === '' || key.startsWith(`${dir}/`)) paths.delete(key);
  };
  const { layers } = image.manifest;
  let lastLayerBootOnly = true;
  for (const [index, layer] of layers.entries()) {
    const diffId = image.config.rootfs.diff_ids[index];
    const last = index === layers.length - 1;
    for await (const { header } of readStoredLayer(store, layer, { ...(diffId ? { diffId } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) })) {
      const path = normalizeLayerPath(header.name);
      const slash = path.lastIndexOf('/');
      const dir = slash < 0 ? '' : path.slice(0, slash);
      const base = path.slice(slash + 1);
      const whiteout = base.startsWith(WHITEOUT_PREFIX);
      if (last && (!inBoot(path) || whiteout || !['file', 'directory'].includes(header.type))) lastLayerBootOnly = false;
      if (base === OPAQUE_WHITEOUT) {
        if (dir === '' || inBoot(dir)) removeBelow(dir);
      } else if (whiteout) {
        const target = dir === '' ? base.slice(WHITEOUT_PREFIX.length) : `${dir}/${base.slice(WHITEOUT_PREFIX.length)}`;
        if (tracked(target)) {
          paths.delete(target);
          removeBelow(target);
        }
      } else if (path !== '' && tracked(path)) {
        const type: ScannedType = header.type === 'directory' ? 'directory' : header.type === 'file' || header.type === 'hardlink' ? 'file' : 'other';
        if (type !== 'directory') removeBelow(path);
        paths.set(path, { type, layer: index });
      }
    }
  }
  const missing = REQUIRED_TOPLEVEL_DIRS.filter((name) => paths.get(name)?.type !== 'directory').map((name) => `/${name}`);
  for (const key of [...paths.keys()]) if (!inBoot(key)) paths.delete(key);
  return { missing, paths, lastLayerBootOnly: layers.length > 0 && lastLayerBootOnly };
}

/**
 * Boot entries composefs-rs `get_boot_resources` or bootc would pick up
 * from `/boot`: Type #1 `loader/entries/*.conf`, UKIs and addons anywhere
 * below `EFI/Linux`, global addons below `loader/addons` (absolute paths).
 */
export function bootEntriesIn(scan: BaseBootScan): string[] {
  const found: string[] = [];
  for (const path of scan.paths.keys()) {
    const isConf = path.startsWith('boot/loader/entries/') && !path.slice('boot/loader/entries/'.length).includes('/') && path.endsWith('.conf');
    const isEfi = (path.startsWith('boot/EFI/Linux/') || path.startsWith('boot/loader/addons/')) && path.endsWith('.efi');
    if (isConf || isEfi) found.push(`/${path}`);
  }
  return found.sort();
}
