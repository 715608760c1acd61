import type { Directory } from '@metalayer/composefs';
import { RootfsTransformError } from '../errors/rootfs-transform-error';
import { forEachStat } from './each-stat';

/** xattrs every container image keeps (composefs-rs `CONTAINER_XATTR_ALLOWLIST`). */
export const CONTAINER_XATTR_ALLOWLIST: readonly string[] = ['security.capability'];
/** Prefix of the xattrs `keepUserXattrs` also keeps. */
export const USER_XATTR_PREFIX = 'user.';

/** Options of {@link transformForOci}. */
export interface OciTransformOptions {
  /** Also keep `user.*` xattrs (composefs-rs `XattrFiltering::KeepUserXattrs`). Default false. */
  keepUserXattrs?: boolean;
}

/** The top-level directory `name`, or a typed error when it is missing or not a directory. */
export function topLevelDirectory(root: Directory, name: string, transform: 'oci' | 'bootable', hint?: string): Directory {
  const dir = root.entries.get(name);
  if (dir === undefined) throw new RootfsTransformError({ transform, path: `/${name}`, problem: 'missing', ...(hint ? { hint } : {}) });
  if (dir.kind !== 'directory')
    throw new RootfsTransformError({ transform, path: `/${name}`, problem: 'not-a-directory', ...(hint ? { hint } : {}) });
  return dir;
}

/**
 * The canonical form of a container root composefs-rs always applies
 * (`generic_tree.rs` `transform_for_oci`), in its order:
 *
 * 1. `/`'s mode, uid, gid, mtime (seconds and nanoseconds) and xattrs ← `/usr`'s
 *    (`/usr` must exist and be a directory);
 * 2. `/run`, when present, is emptied and takes `/usr`'s mtime (it must be a directory);
 * 3. xattrs everywhere are filtered to `security.capability` (and `user.*` when asked).
 *
 * Leaves orphaned by emptying `/run` simply drop out of the tree.
 */
export function transformForOci(root: Directory, options: OciTransformOptions = {}): void {
  const usr = topLevelDirectory(
    root,
    'usr',
    'oci',
    "composefs-rs derives the root directory's metadata from /usr; images without /usr have no composefs-rs digest",
  );
  root.stat = {
    mode: usr.stat.mode,
    uid: usr.stat.uid,
    gid: usr.stat.gid,
    mtimeSec: usr.stat.mtimeSec,
    mtimeNsec: usr.stat.mtimeNsec,
    xattrs: new Map(usr.stat.xattrs),
  };
  if (root.entries.has('run')) {
    const run = topLevelDirectory(root, 'run', 'oci');
    run.stat.mtimeSec = usr.stat.mtimeSec;
    run.stat.mtimeNsec = usr.stat.mtimeNsec;
    run.entries.clear();
  }
  const keep = (name: string) =>
    CONTAINER_XATTR_ALLOWLIST.includes(name) || (options.keepUserXattrs === true && name.startsWith(USER_XATTR_PREFIX));
  forEachStat(root, (stat) => {
    if (stat.xattrs.size === 0) return;
    for (const name of [...stat.xattrs.keys()]) if (!keep(name)) stat.xattrs.delete(name);
  });
}
