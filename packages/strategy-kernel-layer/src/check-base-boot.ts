import { AlreadyAttachedError, type ImageStore, type ResolvedImage, type StrategyContext } from '@metalayer/core';
import type { ListingRequest, MergedTreeFacts } from '@metalayer/strategy-kit';
import { BootEntryConflictError, NotBootableBaseError } from './errors/index';
import { BLS_ENTRIES_DIR, UKI_DIR } from './kernel-layer-layout';
import { STRATEGY_NAME } from './labels';
import { readUnmarkedKernelLayer } from './read-unmarked-kernel-layer';

/** Top-level directories composefs-rs `transform_for_boot` requires (composefs-rs-semantics.md §5). */
export const REQUIRED_TOPLEVEL_DIRS = ['usr', 'boot', 'sysroot'] as const;

/** Global UKI addons (composefs-rs `get_boot_resources`). */
const ADDONS_DIR = 'boot/loader/addons';

/**
 * Where composefs-rs `get_boot_resources` and bootc pick up boot entries:
 * Type #1 `loader/entries/*.conf`, UKIs and addons anywhere below
 * `EFI/Linux`, global addons anywhere below `loader/addons`.
 */
const BOOT_ENTRY_LISTINGS: readonly ListingRequest[] = [
  { path: BLS_ENTRIES_DIR },
  { path: UKI_DIR, recursive: true },
  { path: ADDONS_DIR, recursive: true },
];

/** What the merged tree of a base says about taking a kernel layer. */
export interface BaseBoot {
  /** `/usr`, `/boot`, `/sysroot` when absent or not directories. */
  readonly missing: readonly string[];
  /** Boot entries already in `/boot` (absolute paths, sorted). */
  readonly entries: readonly string[];
  /** Directories the layer needs that the base has as something else, as `/<path> (not a directory)`. */
  readonly notDirectories: readonly string[];
}

/** The `analyzeImage` questions that {@link baseBootOf} answers from, for a layer needing `directories`. */
export function baseBootQueries(directories: readonly string[]): { paths: string[]; listings: ListingRequest[] } {
  return { paths: [...new Set([...REQUIRED_TOPLEVEL_DIRS, ...directories])], listings: [...BOOT_ENTRY_LISTINGS] };
}

/** Reads {@link BaseBoot} from the base's merged tree (asked with {@link baseBootQueries}). */
export function baseBootOf(facts: MergedTreeFacts, directories: readonly string[]): BaseBoot {
  const missing = REQUIRED_TOPLEVEL_DIRS.filter((name) => facts.paths.get(name) !== 'directory').map((name) => `/${name}`);
  const entries: string[] = [];
  for (const { path: dir, recursive } of BOOT_ENTRY_LISTINGS) {
    for (const entry of facts.listings.get(dir) ?? []) {
      const isEntry = recursive ? entry.path.endsWith('.efi') : entry.path.endsWith('.conf');
      if (isEntry) entries.push(`/${dir}/${entry.path}`);
    }
  }
  const notDirectories = directories
    .filter((d) => (facts.paths.get(d) ?? 'directory') !== 'directory')
    .map((d) => `/${d} (not a directory)`);
  return { missing, entries: entries.sort(), notDirectories };
}

/**
 * Refuses a base that cannot take a kernel layer, from its merged tree: one
 * without `/usr`, `/boot` or `/sysroot` (`NotBootableBaseError`), one whose
 * last layer is an unmarked kernel layer (`AlreadyAttachedError`), one that
 * already ships boot entries in `/boot` or has a non-directory where the layer
 * needs a directory (`BootEntryConflictError`). Only when `/boot` already has
 * entries does it read anything more: the last layer's headers, to tell the
 * two refusals apart.
 */
export async function checkBaseBoot(
  ctx: StrategyContext,
  store: ImageStore,
  image: ResolvedImage,
  name: string,
  boot: BaseBoot,
): Promise<void> {
  if (boot.missing.length) throw new NotBootableBaseError({ image: name, missing: boot.missing });
  if (boot.entries.length) {
    const unmarked = await readUnmarkedKernelLayer(ctx, store, image, boot.entries);
    // A last layer that only adds boot entries is a kernel layer in all but name (bootc's sealed images are built so).
    if (unmarked)
      throw new AlreadyAttachedError({
        image: name,
        strategy: STRATEGY_NAME,
        existing: `unmarked kernel layer ${unmarked.digest} with ${boot.entries.join(', ')}`,
      });
  }
  if (boot.entries.length || boot.notDirectories.length)
    throw new BootEntryConflictError({ image: name, entries: [...boot.entries, ...boot.notDirectories] });
}
