import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDataDisk } from './data-disk';

/** Options of {@link buildTamperedDataDisk}. */
export interface TamperedDiskOptions {
  /** The staged data-disk tree (holding `composefs/`), left untouched. */
  stageDir: string;
  /** Where to stage the altered copy. */
  copyDir: string;
  /** The object to alter, relative to `composefs/objects/` (`xx/rest`). */
  objectPath: string;
  out: string;
}

/**
 * A data disk like the one from `stageDir`, except that one object has its
 * last byte flipped (same length), as an attacker with write access to the
 * disk would do: the composefs image still names the original digest, so
 * overlayfs' `verity=require` must refuse the content.
 */
export async function buildTamperedDataDisk(options: TamperedDiskOptions): Promise<string> {
  // mkfs.ext4 -d copies a whole directory: stage a second copy (symlinks such as
  // images/<hex> stay symlinks) and alter the object there.
  cpSync(options.stageDir, options.copyDir, { recursive: true, verbatimSymlinks: true });
  const path = join(options.copyDir, 'composefs', 'objects', options.objectPath);
  const bytes = readFileSync(path);
  if (bytes.length === 0) throw new Error(`object ${options.objectPath} is empty: nothing to alter`);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1);
  writeFileSync(path, bytes);
  return (await buildDataDisk({ stageDir: options.copyDir, out: options.out })).path;
}
