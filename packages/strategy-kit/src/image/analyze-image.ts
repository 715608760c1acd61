import {
  byteStringToUtf8,
  lookupPath,
  sortedNames,
  splitPath,
  utf8ToByteString,
  walkTree,
  type Directory,
  type FsVerityAlgorithm,
  type Inode,
} from '@metalayer/composefs';
import {
  InvalidArgumentError,
  type ComposefsDigestSpec,
  type ComposefsDigestValue,
  type ImageStore,
  type ResolvedImage,
  type StrategyContext,
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

/** What a path of the merged tree is (a hard link reports its target's kind: both names share one inode). */
export type TreeEntryKind = 'directory' | 'regular' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket';

/** One entry of a listed directory. */
export interface TreeEntry {
  /** Path relative to the listed directory: a bare name, or `sub/name` in a recursive listing. */
  readonly path: string;
  readonly kind: TreeEntryKind;
}

/** A directory to list; `recursive` descends into its subdirectories (never through symlinks). */
export interface ListingRequest {
  readonly path: string;
  readonly recursive?: boolean;
}

/**
 * Answers about an image's merged tree (composefs-rs merge, before any
 * transform), keyed by the paths as requested. Paths are relative to the
 * root, `/`-separated; symlinks are never followed, so a path below a
 * symlink or a file is absent (`undefined`), as it is to a layer, whose
 * entries there would have no directory to land in.
 */
export interface MergedTreeFacts {
  /** The kind of each requested path (`undefined`: absent). */
  readonly paths: Map<string, TreeEntryKind | undefined>;
  /** Entries of each requested directory in byte order, parents before children (`undefined`: absent or not a directory). */
  readonly listings: Map<string, TreeEntry[] | undefined>;
  /** Metadata of each requested directory (`undefined`: absent or not a directory). */
  readonly directories: Map<string, DirectoryStat | undefined>;
}

/** What {@link analyzeImage} computes in one pass over an image's layers. */
export interface ImageAnalysis extends MergedTreeFacts {
  /** Bootable composefs digests, one per requested spec (in order). */
  readonly digests: ComposefsDigestValue[];
}

/** What {@link analyzeImage} should compute; every part is optional. */
export interface AnalyzeImageRequest {
  readonly specs?: readonly ComposefsDigestSpec[];
  readonly directories?: readonly string[];
  readonly paths?: readonly string[];
  /** A string lists that directory's direct entries. */
  readonly listings?: readonly (string | ListingRequest)[];
  /**
   * Called with the answers once the layers are merged and before any digest
   * is computed: throw to refuse the image without that work (the bootable
   * transform itself fails on an image without `/usr`, `/boot` or `/sysroot`).
   */
  readonly check?: (facts: MergedTreeFacts) => void | Promise<void>;
}

/** The requested path as a tree path (byte string); a malformed one is the caller's error, reported before any layer is read. */
function treePathOf(path: string, argument: string): string {
  const bytes = utf8ToByteString(path);
  try {
    splitPath(bytes);
  } catch (cause) {
    throw new InvalidArgumentError({
      argument,
      value: path,
      message: `${argument}: ${JSON.stringify(path)} is not a relative path without empty, "." or ".." components`,
      cause,
    });
  }
  return bytes;
}

const statOf = (inode: Directory): DirectoryStat => ({
  mode: inode.stat.mode,
  uid: inode.stat.uid,
  gid: inode.stat.gid,
  mtime: { seconds: Number(inode.stat.mtimeSec), nanoseconds: inode.stat.mtimeNsec },
  xattrs: new Map(inode.stat.xattrs),
});

function listingOf(dir: Inode | undefined, recursive: boolean): TreeEntry[] | undefined {
  if (dir?.kind !== 'directory') return undefined;
  if (!recursive) return sortedNames(dir).map((name) => ({ path: byteStringToUtf8(name), kind: dir.entries.get(name)!.kind }));
  const entries: TreeEntry[] = [];
  for (const { path, inode, depth } of walkTree(dir))
    if (depth > 0) entries.push({ path: byteStringToUtf8(path.slice(1)), kind: inode.kind });
  return entries;
}

/**
 * Reads an image's layers once (composefs-rs merge semantics, every blob
 * verified) and answers, from that one merged tree: the kind of `paths`, the
 * entries of `listings`, the metadata of `directories` (what a new layer
 * must repeat), then `request.check`, then the bootable composefs digest for
 * every spec (composefs-rs `compute-id --bootable`).
 */
export async function analyzeImage(
  ctx: StrategyContext,
  store: ImageStore,
  image: ResolvedImage,
  request: AnalyzeImageRequest,
): Promise<ImageAnalysis> {
  const specs = request.specs ?? [];
  const wantedPaths = (request.paths ?? []).map((p) => [p, treePathOf(p, 'paths')] as const);
  const wantedDirectories = (request.directories ?? []).map((p) => [p, treePathOf(p, 'directories')] as const);
  const wantedListings = (request.listings ?? []).map((r) => {
    const { path, recursive = false } = typeof r === 'string' ? { path: r } : r;
    return [path, treePathOf(path, 'listings'), recursive] as const;
  });
  const algorithms = [...new Set(specs.map((s) => s.algorithm))] as FsVerityAlgorithm[];
  const rootfs = await readImageRootfs(store, image, {
    algorithms: algorithms.length ? algorithms : ['sha256'],
    semantics: 'composefs-rs',
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  // Answered before the transforms, which empty /boot and /sysroot and rewrite the root in place.
  const facts: MergedTreeFacts = { paths: new Map(), listings: new Map(), directories: new Map() };
  for (const [path, bytes] of wantedPaths) facts.paths.set(path, lookupPath(rootfs.tree, bytes)?.kind);
  for (const [path, bytes, recursive] of wantedListings) facts.listings.set(path, listingOf(lookupPath(rootfs.tree, bytes), recursive));
  for (const [path, bytes] of wantedDirectories) {
    const inode = lookupPath(rootfs.tree, bytes);
    facts.directories.set(path, inode?.kind === 'directory' ? statOf(inode) : undefined);
  }
  await request.check?.(facts);
  let digests: ComposefsDigestValue[] = [];
  if (specs.length) {
    canonicalizeRootfs(rootfs, { bootable: true });
    digests = specs.map((spec) => {
      const id = imageIdOf(rootfs, spec);
      return { algorithm: id.algorithm, erofsVersion: id.erofsVersion, hex: id.hex };
    });
  }
  return { ...facts, digests };
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
