import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { getBlsOptions, getBlsValue, getBlsValues, parseBlsEntry } from '@metalayer/boot';
import type { DirectBoot } from '../qemu/qemu-args';

/** initrds are concatenated on this alignment (as systemd-boot and ukify do). */
const INITRD_ALIGN = 4;

function insideBootRoot(bootRoot: string, blsPath: string, entry: string): string {
  const root = resolve(bootRoot);
  const path = resolve(root, `.${blsPath.startsWith('/') ? '' : '/'}${blsPath}`);
  if (!path.startsWith(root + sep)) throw new Error(`${entry}: path ${blsPath} leaves the boot root ${root}`);
  return path;
}

/**
 * The QEMU direct boot equivalent of a BLS Type #1 entry under `bootRoot`
 * (what `install-kernel --boot-root` wrote): its `linux`, its `initrd`s
 * (several are concatenated into `workDir/initrd-<name>`, as a boot loader
 * loads them back to back) and its `options` as the command line. Skips the
 * firmware and boot loader; the kernel sees the same arguments minus the
 * `initrd=` systemd-boot would prepend.
 */
export async function directBootFromEntry(bootRoot: string, entryFile: string, workDir: string): Promise<DirectBoot> {
  const entry = parseBlsEntry(readFileSync(entryFile), { subject: entryFile });
  const linux = getBlsValue(entry, 'linux');
  if (!linux) throw new Error(`${entryFile}: no linux key`);
  const initrds = getBlsValues(entry, 'initrd').map((p) => insideBootRoot(bootRoot, p, entryFile));
  let initrd: string | undefined = initrds[0];
  if (initrds.length > 1) {
    initrd = join(workDir, `initrd-${entryFile.split(sep).pop()}`);
    const out = createWriteStream(initrd);
    for (const part of initrds) {
      await pipeline(createReadStream(part), out, { end: false });
      // Boot loaders start each initrd on a 4-byte boundary; the kernel skips the zero padding.
      const pad = (INITRD_ALIGN - (statSync(part).size % INITRD_ALIGN)) % INITRD_ALIGN;
      if (pad > 0) out.write(new Uint8Array(pad));
    }
    await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
  }
  return { kind: 'direct', kernel: insideBootRoot(bootRoot, linux, entryFile), initrd, append: getBlsOptions(entry) };
}
