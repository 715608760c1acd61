import { streamSource } from '@metalayer/boot';
import type { TarWriteEntry } from '@metalayer/oci';
import type { MetaFile } from './meta-layout';
import { DIRECTORY_MODE, ENTRY_MTIME, ENTRY_OWNER, FILE_MODE, PRIVATE_DIRECTORY, PRIVATE_DIRECTORY_WHITEOUT } from './private-directory';

const FIXED = { uid: ENTRY_OWNER, gid: ENTRY_OWNER, mtime: ENTRY_MTIME } as const;

/**
 * Tar entries of the meta layer: the private directory, every directory
 * below it, then the files, sorted by path (parents first). Nothing outside
 * the private directory: no `./` root entry (it would overwrite the root's
 * metadata, image-spec layer.md "Changesets") and no other parent, since the
 * private directory sits directly under the root.
 */
export function metaLayerEntries(files: readonly MetaFile[]): TarWriteEntry[] {
  const directories = new Set<string>([PRIVATE_DIRECTORY]);
  for (const file of files) {
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) directories.add(`${PRIVATE_DIRECTORY}/${parts.slice(0, i).join('/')}`);
  }
  const entries: { path: string; entry: TarWriteEntry }[] = [
    ...[...directories].map((path) => ({ path, entry: { name: `${path}/`, type: 'directory' as const, mode: DIRECTORY_MODE, ...FIXED } })),
    ...files.map((file) => {
      const path = `${PRIVATE_DIRECTORY}/${file.path}`;
      const entry: TarWriteEntry = {
        name: path,
        type: 'file',
        mode: FILE_MODE,
        ...FIXED,
        size: file.data.size,
        body: streamSource(file.data),
      };
      return { path, entry };
    }),
  ];
  // Plain code-unit order on ASCII names: a directory sorts before everything inside it.
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return entries.map((e) => e.entry);
}

/**
 * The whiteout layer's only entry: `.wh.<private directory>` at the root.
 * An explicit whiteout of the top-most new directory removes the whole
 * subtree in every tool; an opaque whiteout (`.wh..wh..opq`) would delete
 * base content instead (oci-facts.md §4.3).
 */
export function whiteoutLayerEntries(): TarWriteEntry[] {
  return [{ name: PRIVATE_DIRECTORY_WHITEOUT, type: 'file', mode: FILE_MODE, ...FIXED, size: 0, body: new Uint8Array(0) }];
}
