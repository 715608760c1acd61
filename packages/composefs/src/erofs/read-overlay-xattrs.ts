import { bytesToByteString } from '../tree/byte-string';
import type { CharDevice, Inode } from '../tree/types';
import {
  OVERLAY_XATTR_ESCAPE_PREFIX,
  OVERLAY_XATTR_ESCAPED_WHITEOUT,
  OVERLAY_XATTR_ESCAPED_WHITEOUTS,
  OVERLAY_XATTR_METACOPY,
  OVERLAY_XATTR_PREFIX,
  OVERLAY_XATTR_REDIRECT,
  OVERLAY_XATTR_USERXATTR_WHITEOUT,
  OVERLAY_XATTR_USERXATTR_WHITEOUTS,
  digestFromMetacopy,
} from './overlay-xattrs';

/**
 * Undoes the composefs rewrite of an inode's xattrs (composefs-image-format.md
 * §6, libcomposefs reader): metacopy and redirect become the file's digest and
 * payload, an escaped whiteout turns the file back into a char 0/0 device,
 * whiteout markers are dropped, `trusted.overlay.overlay.X` is unescaped and
 * any other `trusted.overlay.*` is dropped. Returns the (possibly replaced) inode.
 */
export function applyOverlayXattrs<T extends Inode>(inode: T, xattrs: Array<[string, Uint8Array]>): T | CharDevice {
  let whiteout = false;
  for (const [name, value] of xattrs) {
    if (name === OVERLAY_XATTR_REDIRECT) {
      if (inode.kind === 'regular') {
        const path = bytesToByteString(value);
        inode.payload = path.length > 1 && path.startsWith('/') ? path.slice(1) : path;
      }
    } else if (name === OVERLAY_XATTR_METACOPY) {
      if (inode.kind === 'regular') {
        const digest = digestFromMetacopy(value);
        if (digest) inode.digest = digest;
      }
    } else if (name === OVERLAY_XATTR_ESCAPED_WHITEOUT && inode.kind === 'regular') {
      whiteout = true;
    } else if (
      name === OVERLAY_XATTR_ESCAPED_WHITEOUTS ||
      name === OVERLAY_XATTR_USERXATTR_WHITEOUT ||
      name === OVERLAY_XATTR_USERXATTR_WHITEOUTS
    ) {
      // markers the writer adds; not part of the tree
    } else if (name.startsWith(OVERLAY_XATTR_ESCAPE_PREFIX)) {
      inode.stat.xattrs.set(OVERLAY_XATTR_PREFIX + name.slice(OVERLAY_XATTR_ESCAPE_PREFIX.length), value);
    } else if (!name.startsWith(OVERLAY_XATTR_PREFIX)) {
      inode.stat.xattrs.set(name, value);
    }
  }
  if (!whiteout) return inode;
  return { kind: 'chardev', stat: inode.stat, nlink: inode.kind === 'directory' ? 1 : inode.nlink, rdev: 0 };
}
