import { printableByteString, type ByteString } from '@metalayer/composefs';
import type { TarHeader } from '@metalayer/oci';
import { LayerEntryError } from '../errors/layer-entry-error';
import { PathTraversalError } from '../errors/path-traversal-error';
import { MAX_RDEV } from '../limits';
import { joinNames, nameProblem, splitTarPath } from './tar-path';

/** PAX keyword prefix of extended attributes composefs-rs reads (tar-core: `SCHILY.xattr.` only). */
const SCHILY_XATTR = 'SCHILY.xattr.';
/** uid/gid are stored as u32: composefs-rs converts tar's u64 with `as u32`. */
const ID_MODULUS = 2 ** 32;

/** Which layer an entry comes from, for error messages. */
export interface LayerRef {
  /** Position in `rootfs.diff_ids` (0 = base). */
  readonly index: number;
  readonly diffId: string;
}

/**
 * The metadata of one tar entry, kept (without file content) until the
 * layer is applied, and cached to re-apply a layer whose diff_id repeats.
 */
interface EntryCommon {
  /** Names from the root (resolved as composefs-rs does); empty for the root entry. */
  readonly names: readonly ByteString[];
  /** The path as archived, for messages. */
  readonly rawPath: ByteString;
  /** Header offset in the uncompressed tar stream. */
  readonly offset: number;
  /** Permission bits (`& 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch (never negative: composefs-rs refuses those). */
  readonly mtimeSec: number;
  readonly mtimeNsec: number;
  /** `SCHILY.xattr.*` records in archive order; undefined when none (saves memory per entry). */
  readonly xattrs: ReadonlyArray<readonly [ByteString, Uint8Array]> | undefined;
}

/** One tar entry of a layer. */
export type LayerEntry = EntryCommon &
  (
    | { readonly kind: 'directory' }
    | {
        readonly kind: 'regular';
        readonly size: number;
        /** Content of a file of at most 64 bytes (stored inline). */
        content: Uint8Array | undefined;
        /** fs-verity digests of a larger file, one per requested algorithm (filled in once hashed). */
        digests: readonly Uint8Array[] | undefined;
        /** Content kept for files the transforms must read (`/etc/selinux/config`). */
        captured: Uint8Array | undefined;
      }
    | { readonly kind: 'hardlink'; readonly target: readonly ByteString[]; readonly rawTarget: ByteString }
    | { readonly kind: 'symlink'; readonly target: ByteString }
    | { readonly kind: 'chardev' | 'blockdev'; readonly rdev: number }
    | { readonly kind: 'fifo' }
  );

/**
 * glibc `makedev` (what composefs-rs' rustix `makedev` computes), checked to
 * fit the 32 bits composefs stores. Returns undefined when it does not.
 */
export function makedev(major: number, minor: number): number | undefined {
  if (major > 0xfff || minor > 0xfffff || major < 0 || minor < 0) return undefined;
  const dev = ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & 0xfff00) << 12);
  const value = dev >>> 0;
  return value <= MAX_RDEV ? value : undefined;
}

function entryError(
  layer: LayerRef,
  header: TarHeader,
  reason: 'invalid-name' | 'invalid-device' | 'invalid-mtime' | 'link-target-invalid',
  message: string,
): LayerEntryError {
  return new LayerEntryError({
    reason,
    layer: layer.index,
    diffId: layer.diffId,
    path: printableByteString(header.name),
    offset: header.offset,
    message,
  });
}

function checkNames(names: readonly ByteString[], layer: LayerRef, header: TarHeader): void {
  for (const name of names) {
    const problem = nameProblem(name);
    if (problem) throw entryError(layer, header, 'invalid-name', problem);
  }
}

/**
 * Converts a tar header into a {@link LayerEntry} following composefs-rs
 * (`crates/composefs-oci/src/tar.rs` `get_entry`): permission bits, uid/gid
 * truncated to 32 bits, mtime seconds plus PAX nanoseconds, `SCHILY.xattr.*`
 * records verbatim, devices as `makedev(major, minor)`. Regular-file content
 * and digests are filled in by the caller while the body streams.
 */
export function layerEntryFromTar(header: TarHeader, layer: LayerRef): LayerEntry {
  const path = splitTarPath(header.name);
  if (path.traversal) {
    throw new PathTraversalError({
      layer: layer.index,
      diffId: layer.diffId,
      path: printableByteString(header.name),
      field: 'path',
      value: printableByteString(header.name),
      offset: header.offset,
    });
  }
  checkNames(path.names, layer, header);
  if (header.mtime.seconds < 0) {
    throw entryError(layer, header, 'invalid-mtime', `modification time ${header.mtime.seconds} is before 1970 (composefs-rs refuses it)`);
  }
  let xattrs: Array<readonly [ByteString, Uint8Array]> | undefined;
  if (header.pax.size > 0) {
    for (const [key, value] of header.pax) {
      if (key.startsWith(SCHILY_XATTR)) (xattrs ??= []).push([key.slice(SCHILY_XATTR.length), value]);
    }
  }
  // One object per entry, built in place: tens of thousands of them stay alive until the layer is applied.
  const common = {
    names: path.names,
    rawPath: header.name,
    offset: header.offset,
    mode: header.mode & 0o7777,
    uid: header.uid % ID_MODULUS,
    gid: header.gid % ID_MODULUS,
    mtimeSec: header.mtime.seconds,
    mtimeNsec: header.mtime.nanoseconds,
    xattrs,
  };
  switch (header.type) {
    case 'directory':
      return Object.assign(common, { kind: 'directory' as const });
    case 'file':
      return Object.assign(common, {
        kind: 'regular' as const,
        size: header.size,
        content: undefined,
        digests: undefined,
        captured: undefined,
      });
    case 'symlink':
      return Object.assign(common, { kind: 'symlink' as const, target: header.linkname });
    case 'fifo':
      return Object.assign(common, { kind: 'fifo' as const });
    case 'char-device':
    case 'block-device': {
      const rdev = makedev(header.devmajor, header.devminor);
      if (rdev === undefined) {
        throw entryError(
          layer,
          header,
          'invalid-device',
          `device ${header.devmajor}:${header.devminor} does not fit the 32 bits composefs stores`,
        );
      }
      return Object.assign(common, { kind: header.type === 'char-device' ? ('chardev' as const) : ('blockdev' as const), rdev });
    }
    case 'hardlink': {
      const target = splitTarPath(header.linkname);
      if (target.traversal) {
        throw new PathTraversalError({
          layer: layer.index,
          diffId: layer.diffId,
          path: printableByteString(header.name),
          field: 'linkname',
          value: printableByteString(header.linkname),
          offset: header.offset,
        });
      }
      if (target.names.length === 0) {
        throw entryError(layer, header, 'link-target-invalid', `hard-link target '${printableByteString(header.linkname)}' names the root`);
      }
      return Object.assign(common, { kind: 'hardlink' as const, target: target.names, rawTarget: header.linkname });
    }
  }
}

/** Printable absolute path of an entry, for messages. */
export function entryPath(entry: LayerEntry): string {
  return printableByteString(joinNames(entry.names));
}
