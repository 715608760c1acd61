import type {
  ComposefsDigestSpec,
  ComposefsDigestValue,
  ImageStore,
  ResolvedImage,
  StrategyContext,
} from '@metalayer/core';

/** Metadata of a directory in an image's merged tree: what a layer adding files below it must repeat. */
export interface DirectoryStat {
  /** Permission bits (`& 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: { readonly seconds: number; readonly nanoseconds: number };
  /** Extended attributes as layers carry them (byte-string names → raw values). */
  readonly xattrs: ReadonlyMap<string, Uint8Array>;
}

/**
 * Bootable composefs digests of `image`, one per spec, from one pass over its
 * layers (composefs-rs `compute-id --bootable` semantics).
 */
export async function computeBootableDigests(
  _ctx: StrategyContext,
  _store: ImageStore,
  _image: ResolvedImage,
  _specs: readonly ComposefsDigestSpec[],
): Promise<ComposefsDigestValue[]> {
  throw new Error('computeBootableDigests: waiting for @metalayer/rootfs (lead is wiring it)');
}

/**
 * Metadata of directories (`paths`, no leading `/`) in the merged tree of
 * `image`, as its layers leave them (before any composefs transform);
 * `undefined` for a path that does not exist or is not a directory.
 */
export async function readDirectoryStats(
  _ctx: StrategyContext,
  _store: ImageStore,
  _image: ResolvedImage,
  _paths: readonly string[],
): Promise<Map<string, DirectoryStat | undefined>> {
  throw new Error('readDirectoryStats: waiting for @metalayer/rootfs (lead is wiring it)');
}
