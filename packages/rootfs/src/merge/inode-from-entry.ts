import {
  createBlockDevice,
  createCharDevice,
  createDirectory,
  createFifo,
  createRegularFile,
  createStat,
  createSymlink,
  type Directory,
  type Leaf,
  type Stat,
  type StatInit,
} from '@metalayer/composefs';
import type { LayerEntry } from '../layer/layer-entry';
import type { ExternalFiles } from './external-files';

/** A fresh `Stat` for an entry (never shared: each application of a layer makes new inodes). */
export function statInitOf(entry: LayerEntry): StatInit {
  return {
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtimeSec: BigInt(entry.mtimeSec),
    mtimeNsec: entry.mtimeNsec,
    ...(entry.xattrs ? { xattrs: entry.xattrs.map(([k, v]) => [k, v] as const) } : {}),
  };
}

/** A new directory carrying the entry's metadata. */
export function directoryFromEntry(entry: LayerEntry): Directory {
  return createDirectory(statInitOf(entry));
}

/** The entry's stat alone (for a directory re-declared over an existing one). */
export function statFromEntry(entry: LayerEntry): Stat {
  return createStat(statInitOf(entry));
}

/**
 * A new leaf for a non-directory, non-hard-link entry: files of at most 64
 * bytes inline, larger ones external (digests recorded in `files`).
 */
export function leafFromEntry(entry: LayerEntry, files: ExternalFiles): Leaf {
  const stat = statInitOf(entry);
  switch (entry.kind) {
    case 'regular': {
      if (entry.content !== undefined) return createRegularFile({ stat, content: entry.content });
      const file = createRegularFile({ stat, size: entry.size });
      if (entry.digests) files.setDigests(file, entry.digests);
      if (entry.captured) files.setContent(file, entry.captured);
      return file;
    }
    case 'symlink':
      return createSymlink(entry.target, { stat });
    case 'chardev':
      return createCharDevice(entry.rdev, { stat });
    case 'blockdev':
      return createBlockDevice(entry.rdev, { stat });
    case 'fifo':
      return createFifo({ stat });
    case 'directory':
    case 'hardlink':
      throw new Error(`leafFromEntry: ${entry.kind} is not a leaf`);
  }
}
