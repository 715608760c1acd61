import { lstatSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../tools';

/** The label the e2e initramfs looks for (`findfs LABEL=cfsdisk`). */
export const DATA_DISK_LABEL = 'cfsdisk';
/** fs-verity needs the filesystem block size to equal the page size (6.1 refuses 1 KiB blocks). */
const EXT4_BLOCK_SIZE = 4096;
const MIB = 1024 * 1024;
/** Smallest data disk: room for the journal and the Merkle trees the guest adds on first boot. */
const MIN_DATA_DISK_MIB = 32;

/** Bytes `dir` occupies, counting every file rounded up to whole 4 KiB blocks. */
export function treeBlockBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    total += EXT4_BLOCK_SIZE;
    if (st.isDirectory()) total += treeBlockBytes(path);
    else if (st.isFile()) total += Math.ceil(st.size / EXT4_BLOCK_SIZE) * EXT4_BLOCK_SIZE;
  }
  return total;
}

/** Options of {@link buildDataDisk}. */
export interface BuildDataDiskOptions {
  /** Directory whose contents become the filesystem root (e.g. holding `composefs/`). */
  stageDir: string;
  out: string;
  /** Filesystem size; default: twice the staged data plus 16 MiB, at least 32 MiB. */
  sizeMiB?: number;
  label?: string;
}

/**
 * Makes a raw ext4 image from `stageDir` without root (`mkfs.ext4 -d`), with the
 * `verity` feature and 4 KiB blocks. fs-verity itself cannot be enabled offline:
 * the guest's initramfs enables it on first boot.
 */
export async function buildDataDisk(options: BuildDataDiskOptions): Promise<{ path: string; sizeMiB: number }> {
  const sizeMiB = options.sizeMiB ?? Math.max(MIN_DATA_DISK_MIB, Math.ceil((2 * treeBlockBytes(options.stageDir)) / MIB) + 16);
  await rm(options.out, { force: true });
  runTool('mkfs.ext4', [
    '-q',
    '-F',
    '-b',
    String(EXT4_BLOCK_SIZE),
    '-O',
    'verity',
    '-L',
    options.label ?? DATA_DISK_LABEL,
    '-d',
    options.stageDir,
    options.out,
    `${sizeMiB}M`,
  ]);
  return { path: options.out, sizeMiB };
}
