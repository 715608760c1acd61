import { InvalidTreeError } from '../errors/invalid-tree-error';
import { printableByteString, type ByteString } from './byte-string';
import { splitPath } from './path';
import type { Directory, Inode, Leaf } from './types';

/** Entry names of `dir` in on-disk order (bytewise, like C `strcmp`). */
export function sortedNames(dir: Directory): ByteString[] {
  return [...dir.entries.keys()].sort();
}

/** The inode at `path` (`/` is `root`), or undefined. */
export function lookupPath(root: Directory, path: ByteString): Inode | undefined {
  let node: Inode = root;
  for (const name of splitPath(path)) {
    if (node.kind !== 'directory') return undefined;
    const next: Inode | undefined = node.entries.get(name);
    if (next === undefined) return undefined;
    node = next;
  }
  return node;
}

/** The directory that holds (or would hold) `path`, and the last name. Throws for the root. */
export function lookupParent(root: Directory, path: ByteString): { parent: Directory; name: ByteString } {
  const names = splitPath(path);
  const name = names.pop();
  if (name === undefined) {
    throw new InvalidTreeError({ reason: 'invalid-path', path: '/', message: 'the root has no parent' });
  }
  let dir = root;
  for (const component of names) {
    const next = dir.entries.get(component);
    if (next === undefined) {
      throw new InvalidTreeError({
        reason: 'not-found',
        path: printableByteString(path),
        message: `parent directory '${printableByteString(component)}' does not exist`,
      });
    }
    if (next.kind !== 'directory') {
      throw new InvalidTreeError({
        reason: 'not-a-directory',
        path: printableByteString(path),
        message: `'${printableByteString(component)}' is not a directory`,
      });
    }
    dir = next;
  }
  return { parent: dir, name };
}

/** Options of {@link insertPath}. */
export interface InsertOptions {
  /** Replace an existing entry instead of failing (a directory replaced loses its children). */
  replace?: boolean;
  /** Record the entry as a secondary hard-link name (see `Directory.hardLinks`). */
  hardLink?: boolean;
}

/** Adds `inode` at `path`; the parent directory must exist. */
export function insertPath(root: Directory, path: ByteString, inode: Inode, options: InsertOptions = {}): void {
  const { parent, name } = lookupParent(root, path);
  if (!options.replace && parent.entries.has(name)) {
    throw new InvalidTreeError({ reason: 'exists', path: printableByteString(path), message: 'entry already exists' });
  }
  parent.entries.set(name, inode);
  setHardLinkFlag(parent, name, options.hardLink === true);
}

/** Adds a hard link at `linkPath` to the leaf at `targetPath` (same leaf object). */
export function linkPath(root: Directory, targetPath: ByteString, linkPath: ByteString): Leaf {
  const target = lookupPath(root, targetPath);
  if (target === undefined || target.kind === 'directory') {
    throw new InvalidTreeError({
      reason: 'hard-link',
      path: printableByteString(linkPath),
      message: `hard-link target '${printableByteString(targetPath)}' ${target ? 'is a directory' : 'does not exist'}`,
    });
  }
  insertPath(root, linkPath, target, { hardLink: true });
  return target;
}

/** Removes and returns the entry at `path`. */
export function removePath(root: Directory, path: ByteString): Inode {
  const { parent, name } = lookupParent(root, path);
  const inode = parent.entries.get(name);
  if (inode === undefined) {
    throw new InvalidTreeError({ reason: 'not-found', path: printableByteString(path), message: 'no such entry' });
  }
  parent.entries.delete(name);
  setHardLinkFlag(parent, name, false);
  return inode;
}

function setHardLinkFlag(dir: Directory, name: ByteString, flag: boolean): void {
  if (flag) (dir.hardLinks ??= new Set()).add(name);
  else if (dir.hardLinks?.delete(name) && dir.hardLinks.size === 0) delete dir.hardLinks;
}
