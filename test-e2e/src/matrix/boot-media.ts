import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { directBootFromEntry } from '../boot/direct-boot-from-entry';
import { buildEsp, espFilesFromDir, systemdBootFiles } from '../disks/esp';
import type { QemuBoot, QemuDisk } from '../qemu/qemu-args';
import type { SealedVariant } from './seal-variants';

/** How a boot gets from firmware to the kernel. */
export type BootLoader = 'systemd-boot' | 'direct';

/** The QEMU boot for one installed entry, and the disks besides the data disk. */
export interface BootMedia {
  boot: QemuBoot;
  disks: QemuDisk[];
  /** For logs and the summary: `OVMF → systemd-boot → Type #2 UKI`, … */
  path: string;
}

/**
 * Boot media from what `install-kernel --boot-root` wrote for `v`:
 * - `systemd-boot`: a FAT ESP holding that boot root as is, plus systemd-boot as
 *   `\EFI\BOOT\BOOTX64.EFI` and a `loader.conf` whose `default` is the installed
 *   entry (a Type #2 `EFI/Linux/*.efi` or a Type #1 `loader/entries/*.conf`);
 * - `direct`: QEMU loads the Type #1 entry's `linux`/`initrd` with its `options`.
 */
export async function bootMediaFor(v: SealedVariant, loader: BootLoader, workDir: string): Promise<BootMedia> {
  const entryFile = join(v.bootRoot, v.install.entry);
  if (loader === 'direct') {
    if (v.plan.kind !== 'bls') throw new Error(`${v.plan.id}: direct boot needs a Type #1 entry`);
    const dir = join(workDir, 'direct', v.plan.id);
    mkdirSync(dir, { recursive: true });
    return { boot: await directBootFromEntry(v.bootRoot, entryFile, dir), disks: [], path: 'QEMU -kernel/-initrd ← Type #1 entry' };
  }
  mkdirSync(join(workDir, 'esp'), { recursive: true });
  const esp = await buildEsp({
    out: join(workDir, 'esp', `${v.plan.id}.img`),
    files: [...espFilesFromDir(v.bootRoot), ...systemdBootFiles(posix.basename(v.install.entry))],
  });
  const type = v.plan.kind === 'uki' ? 'Type #2 UKI' : 'Type #1 entry';
  return { boot: { kind: 'uefi' }, disks: [{ path: esp.path }], path: `OVMF → systemd-boot → ${type}` };
}

/**
 * The object file (`xx/rest` under `repo/objects`) whose content is `content`,
 * found by content rather than by computing a name, so that a wrong name shows
 * up in the independent `fsverity digest` check that follows.
 */
export function objectWithContent(repo: string, content: string): string {
  const want = Buffer.from(content);
  const objects = join(repo, 'objects');
  for (const dir of readdirSync(objects).sort()) {
    for (const name of readdirSync(join(objects, dir)).sort()) {
      const path = join(objects, dir, name);
      if (statSync(path).size === want.length && readFileSync(path).equals(want)) return `${dir}/${name}`;
    }
  }
  throw new Error(`no object in ${objects} holds ${JSON.stringify(content)}`);
}
