import { posix } from 'node:path';

/** Metadata every tree entry carries (all numeric, like `struct stat`). */
export interface EntryMeta {
  /** Absolute path inside the tree, `/` for the root, no trailing slash. */
  path: string;
  /** Permission bits only (no file type bits), e.g. `0o755`. */
  mode: number;
  uid: number;
  gid: number;
  /** Modification time in whole seconds since the epoch. */
  mtime: number;
}

/** Where a regular file's bytes come from: inline bytes, or a file on the host read when needed. */
export type FileSource = { bytes: Uint8Array } | { hostPath: string; size: number };

/** One node of a tree description. `whiteout` only occurs in OCI layers (it deletes a lower path). */
export type TreeEntry =
  | (EntryMeta & { type: 'dir' })
  | (EntryMeta & { type: 'file'; source: FileSource })
  | (EntryMeta & { type: 'symlink'; target: string })
  | { type: 'whiteout'; path: string };

/** A whole tree or one layer: entries in any order; {@link sortTree} puts parents first. */
export type Tree = readonly TreeEntry[];

/** Defaults used when a helper creates entries: root-owned, a fixed mtime for reproducible images. */
export const TREE_DEFAULT_MTIME = 1_700_000_000;

const base = { uid: 0, gid: 0, mtime: TREE_DEFAULT_MTIME };

/** A directory entry with the usual defaults (0755, root, {@link TREE_DEFAULT_MTIME}). */
export function dir(path: string, mode = 0o755): TreeEntry {
  return { type: 'dir', path, mode, ...base };
}

/** A regular file holding `content` (a string is UTF-8 encoded). */
export function file(path: string, content: string | Uint8Array, mode = 0o644): TreeEntry {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { type: 'file', path, mode, ...base, source: { bytes } };
}

/** A regular file whose content is copied from `hostPath` (of `size` bytes) when the tree is written. */
export function hostFile(path: string, hostPath: string, size: number, mode = 0o755): TreeEntry {
  return { type: 'file', path, mode, ...base, source: { hostPath, size } };
}

/** A symbolic link. */
export function symlink(path: string, target: string): TreeEntry {
  return { type: 'symlink', path, target, mode: 0o777, ...base };
}

/** An OCI whiteout: the layer deletes `path` (and everything under it) from the layers below. */
export function whiteout(path: string): TreeEntry {
  return { type: 'whiteout', path };
}

/** Size in bytes of a file source. */
export function sourceSize(source: FileSource): number {
  return 'bytes' in source ? source.bytes.length : source.size;
}

/** Checks that a tree path is absolute and normalised (`/`, `/a/b`), so no entry escapes the tree. */
export function assertTreePath(path: string): void {
  if (path === '/') return;
  if (!path.startsWith('/') || path.endsWith('/') || posix.normalize(path) !== path || path.includes('/../')) {
    throw new Error(`tree path must be absolute and normalised: ${JSON.stringify(path)}`);
  }
}

/**
 * Entries sorted so that every parent comes before its children (byte order of the
 * path components), which cpio, tar and composefs dumpfiles all want.
 */
export function sortTree<T extends { path: string }>(entries: readonly T[]): T[] {
  const key = (p: string): string[] => (p === '/' ? [] : p.slice(1).split('/'));
  return [...entries].sort((a, b) => {
    const ka = key(a.path);
    const kb = key(b.path);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const x = Buffer.compare(Buffer.from(ka[i]!), Buffer.from(kb[i]!));
      if (x !== 0) return x;
    }
    return ka.length - kb.length;
  });
}

/**
 * Adds a default directory entry ({@link dir}) for every missing ancestor of every
 * entry (the root included), so a tree can be assembled from loose paths.
 * Explicit entries win; a later duplicate of a path replaces an earlier one.
 */
export function withParentDirs(entries: readonly TreeEntry[]): TreeEntry[] {
  const byPath = new Map<string, TreeEntry>();
  for (const entry of entries) {
    assertTreePath(entry.path);
    byPath.set(entry.path, entry);
  }
  for (const entry of [...byPath.values()]) {
    for (let p = posix.dirname(entry.path); ; p = posix.dirname(p)) {
      if (!byPath.has(p)) byPath.set(p, dir(p));
      if (p === '/') break;
    }
  }
  return sortTree([...byPath.values()]);
}

/**
 * Applies layers bottom to top with OCI semantics for the entries this harness uses:
 * a later entry replaces an earlier one at the same path, a whiteout deletes the path
 * and its subtree, and a non-directory replacing a directory drops the subtree.
 * Returns the merged tree, parents first, without whiteouts.
 */
export function mergeLayers(layers: readonly Tree[]): TreeEntry[] {
  const merged = new Map<string, TreeEntry>();
  const dropSubtree = (path: string): void => {
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const p of [...merged.keys()]) if (p.startsWith(prefix)) merged.delete(p);
  };
  for (const layer of layers) {
    for (const entry of layer) {
      assertTreePath(entry.path);
      if (entry.type === 'whiteout') {
        merged.delete(entry.path);
        dropSubtree(entry.path);
        continue;
      }
      if (entry.type !== 'dir') dropSubtree(entry.path);
      merged.set(entry.path, entry);
    }
  }
  const out = sortTree([...merged.values()]);
  for (const entry of out) {
    const parent = posix.dirname(entry.path);
    if (entry.path !== '/' && merged.get(parent)?.type !== 'dir') {
      throw new Error(`tree entry ${entry.path} has no parent directory ${parent}`);
    }
  }
  return out;
}
