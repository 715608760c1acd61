import { lookupPath, utf8ToByteString, type FsVerityAlgorithm } from '@metalayer/composefs';
import type {
  ComposefsDigestSpec,
  ComposefsDigestValue,
  ImageStore,
  ResolvedImage,
  StrategyContext,
} from '@metalayer/core';
import { canonicalizeRootfs, imageIdOf, readImageRootfs } from '@metalayer/rootfs';

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

/** What {@link analyzeImage} computes in one pass over an image's layers. */
export interface ImageAnalysis {
  /** Bootable composefs digests, one per requested spec (in order). */
  readonly digests: ComposefsDigestValue[];
  /** Requested directories of the merged tree before any transform (`undefined`: absent or not a directory). */
  readonly directories: Map<string, DirectoryStat | undefined>;
}

/**
 * Reads an image's layers once (composefs-rs merge semantics) and returns the
 * bootable composefs digest for every spec (composefs-rs `compute-id
 * --bootable`) and the metadata of the requested directories (paths without
 * a leading `/`) as the layers leave them — what a new layer must repeat.
 */
export async function analyzeImage(
  ctx: StrategyContext,
  store: ImageStore,
  image: ResolvedImage,
  request: { specs?: readonly ComposefsDigestSpec[]; directories?: readonly string[] },
): Promise<ImageAnalysis> {
  const specs = request.specs ?? [];
  const algorithms = [...new Set(specs.map((s) => s.algorithm))] as FsVerityAlgorithm[];
  const rootfs = await readImageRootfs(store, image, {
    algorithms: algorithms.length ? algorithms : ['sha256'],
    semantics: 'composefs-rs',
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const directories = new Map<string, DirectoryStat | undefined>();
  for (const path of request.directories ?? []) {
    const inode = lookupPath(rootfs.tree, utf8ToByteString(path));
    directories.set(
      path,
      inode?.kind === 'directory'
        ? {
            mode: inode.stat.mode,
            uid: inode.stat.uid,
            gid: inode.stat.gid,
            mtime: { seconds: Number(inode.stat.mtimeSec), nanoseconds: inode.stat.mtimeNsec },
            xattrs: new Map(inode.stat.xattrs),
          }
        : undefined,
    );
  }
  let digests: ComposefsDigestValue[] = [];
  if (specs.length) {
    canonicalizeRootfs(rootfs, { bootable: true });
    digests = specs.map((spec) => {
      const id = imageIdOf(rootfs, spec);
      return { algorithm: id.algorithm, erofsVersion: id.erofsVersion, hex: id.hex };
    });
  }
  return { digests, directories };
}

/**
 * Bootable composefs digests of `image`, one per spec, from one pass over its
 * layers (composefs-rs `compute-id --bootable` semantics).
 */
export async function computeBootableDigests(
  ctx: StrategyContext,
  store: ImageStore,
  image: ResolvedImage,
  specs: readonly ComposefsDigestSpec[],
): Promise<ComposefsDigestValue[]> {
  return (await analyzeImage(ctx, store, image, { specs })).digests;
}

/**
 * Metadata of directories (`paths`, no leading `/`) in the merged tree of
 * `image`, as its layers leave them (before any composefs transform);
 * `undefined` for a path that does not exist or is not a directory.
 */
export async function readDirectoryStats(
  ctx: StrategyContext,
  store: ImageStore,
  image: ResolvedImage,
  paths: readonly string[],
): Promise<Map<string, DirectoryStat | undefined>> {
  return (await analyzeImage(ctx, store, image, { directories: paths })).directories;
}
