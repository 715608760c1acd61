import type { ByteSource } from '@metalayer/core';
import { streamSource } from '@metalayer/boot';
import { utf8ToByteString, type TarWriteEntry } from '@metalayer/oci';
import type { DirectoryStat } from '@metalayer/strategy-kit';

/** Metadata of directories the base image does not have (documented in the README). */
export const NEW_DIRECTORY_MODE = 0o755;
/** Metadata of the payload files. */
export const PAYLOAD_FILE_MODE = 0o644;

/** A file of the kernel layer (path without leading `/`). */
export interface KernelLayerFile {
  readonly path: string;
  readonly data: ByteSource | Uint8Array;
}

/**
 * The tar entries of the kernel layer, parents before children (sorted by
 * path). Every directory the base has is repeated with exactly the base's
 * metadata (mode, owner, mtime with nanoseconds, xattrs), so applying the
 * layer changes nothing but the new files; directories and files the base
 * lacks get mode 0755/0644, owner 0:0 and the base `/boot`'s mtime. No `./`
 * entry, no wall-clock time: same inputs, same bytes.
 */
export function kernelLayerEntries(
  directories: readonly string[],
  files: readonly KernelLayerFile[],
  stats: ReadonlyMap<string, DirectoryStat | undefined>,
  boot: DirectoryStat,
): TarWriteEntry[] {
  const entries: { path: string; entry: TarWriteEntry }[] = [];
  for (const path of directories) {
    const stat = stats.get(path);
    entries.push({
      path,
      entry: stat
        ? {
            name: `${utf8ToByteString(path)}/`,
            type: 'directory',
            mode: stat.mode,
            uid: stat.uid,
            gid: stat.gid,
            mtime: { ...stat.mtime },
            // Sorted so that the bytes do not depend on how the stats were collected.
            xattrs: [...stat.xattrs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
          }
        : { name: `${utf8ToByteString(path)}/`, type: 'directory', mode: NEW_DIRECTORY_MODE, uid: 0, gid: 0, mtime: { ...boot.mtime } },
    });
  }
  for (const file of files) {
    const body = file.data instanceof Uint8Array ? file.data : streamSource(file.data);
    const size = file.data instanceof Uint8Array ? file.data.length : file.data.size;
    entries.push({
      path: file.path,
      entry: {
        name: utf8ToByteString(file.path),
        type: 'file',
        mode: PAYLOAD_FILE_MODE,
        uid: 0,
        gid: 0,
        mtime: { ...boot.mtime },
        body,
        size,
      },
    });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((e) => e.entry);
}
