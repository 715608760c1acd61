import { lstatSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { FIRMWARE } from '../qemu/firmware';
import { runTool } from '../tools';

/** One file to put on an ESP: its path on the ESP (`/EFI/BOOT/BOOTX64.EFI`) and its content. */
export interface EspFile {
  path: string;
  /** A host file to copy, or bytes/text to write. */
  source: { hostPath: string } | { bytes: Uint8Array | string };
}

const MIB = 1024 * 1024;
/** OVMF reads FAT12/16/32 alike; 32 MiB keeps mkfs.vfat's defaults sane for tiny ESPs. */
const MIN_ESP_MIB = 32;
/** The removable-media boot path OVMF tries on a disk without boot variables. */
export const ESP_DEFAULT_LOADER = '/EFI/BOOT/BOOTX64.EFI';

/** Every file under `dir` as ESP files at the same relative paths (what `install-kernel --boot-root DIR` wrote). */
export function espFilesFromDir(dir: string, prefix = '/'): EspFile[] {
  const out: EspFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const hostPath = join(dir, name);
    const path = posix.join(prefix, name);
    const st = lstatSync(hostPath);
    if (st.isDirectory()) out.push(...espFilesFromDir(hostPath, path));
    else if (st.isFile()) out.push({ path, source: { hostPath } });
    else throw new Error(`${hostPath}: only regular files and directories can go on a FAT ESP`);
  }
  return out;
}

/**
 * The files systemd-boot needs besides the entries: the loader as
 * `\EFI\BOOT\BOOTX64.EFI` and `loader/loader.conf` choosing `defaultEntry`
 * (a Type #1 `*.conf` name or a Type #2 `*.efi` name) with no menu timeout.
 */
export function systemdBootFiles(defaultEntry: string): EspFile[] {
  return [
    { path: ESP_DEFAULT_LOADER, source: { hostPath: FIRMWARE.systemdBoot } },
    { path: '/loader/loader.conf', source: { bytes: `default ${defaultEntry}\ntimeout 0\nconsole-mode keep\neditor no\n` } },
  ];
}

/** Options of {@link buildEsp}. */
export interface BuildEspOptions {
  out: string;
  files: readonly EspFile[];
  /** Default: content plus a quarter and 8 MiB, at least 32 MiB. */
  sizeMiB?: number;
  label?: string;
}

/**
 * Builds a FAT "superfloppy" ESP image (no partition table: OVMF boots it as is)
 * rootlessly with `mkfs.vfat -C` and mtools (`mmd`, `mcopy`). Later entries for the
 * same path replace earlier ones.
 */
export async function buildEsp(options: BuildEspOptions): Promise<{ path: string; sizeMiB: number }> {
  const files = [...new Map(options.files.map((f) => [f.path.toUpperCase(), f])).values()];
  const staging = mkdtempSync(join(tmpdir(), 'metalayer-esp-'));
  try {
    let bytes = 0;
    const sources = files.map((f, i) => {
      if (!f.path.startsWith('/') || f.path.split('/').includes('..')) throw new Error(`bad ESP path ${f.path}`);
      let hostPath: string;
      if ('hostPath' in f.source) hostPath = f.source.hostPath;
      else {
        hostPath = join(staging, String(i));
        writeFileSync(hostPath, f.source.bytes);
      }
      bytes += statSync(hostPath).size;
      return { path: f.path, hostPath };
    });
    const sizeMiB = options.sizeMiB ?? Math.max(MIN_ESP_MIB, Math.ceil((bytes * 1.25) / MIB) + 8);
    await rm(options.out, { force: true });
    runTool('mkfs.vfat', ['-C', '-n', options.label ?? 'ESP', options.out, String(sizeMiB * 1024)]);
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    const dirs = new Set<string>();
    for (const s of sources) {
      for (let d = posix.dirname(s.path); d !== '/'; d = posix.dirname(d)) dirs.add(d);
    }
    const sortedDirs = [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
    if (sortedDirs.length > 0) runTool('mmd', ['-i', options.out, ...sortedDirs.map((d) => `::${d}`)], { env });
    for (const s of sources) runTool('mcopy', ['-i', options.out, s.hostPath, `::${s.path}`], { env });
    return { path: options.out, sizeMiB };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
