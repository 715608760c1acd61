import type { EspFile } from '../disks/esp';

/** Options of {@link type1BootFiles}. */
export interface Type1Options {
  /** Entry token (`kernel-install`'s, e.g. the machine id or `metalayer`). */
  token: string;
  kernelVersion: string;
  kernel: string;
  initrd: string;
  /** The `options` line: the kernel command line. */
  options: string;
  title?: string;
}

/**
 * A Boot Loader Specification Type #1 entry laid out as `kernel-install` does
 * (and as `metalayer install-kernel --layout bls` will): `/<token>/<kver>/linux`,
 * `/<token>/<kver>/initrd` and `/loader/entries/<token>-<kver>.conf`.
 * Returns the ESP files and the entry's file name (for `loader.conf default`).
 */
export function type1BootFiles(o: Type1Options): { files: EspFile[]; entry: string } {
  const dir = `/${o.token}/${o.kernelVersion}`;
  const entry = `${o.token}-${o.kernelVersion}.conf`;
  const conf = [
    `title ${o.title ?? 'metalayer e2e (Type #1)'}`,
    `version ${o.kernelVersion}`,
    `linux ${dir}/linux`,
    `initrd ${dir}/initrd`,
    `options ${o.options}`,
    '',
  ].join('\n');
  return {
    entry,
    files: [
      { path: `${dir}/linux`, source: { hostPath: o.kernel } },
      { path: `${dir}/initrd`, source: { hostPath: o.initrd } },
      { path: `/loader/entries/${entry}`, source: { bytes: conf } },
    ],
  };
}

/**
 * A Type #2 entry: the UKI at `/EFI/Linux/<token>-<kver>.efi`, where systemd-boot
 * discovers it without a `.conf`. Returns the file and the entry name.
 */
export function type2BootFiles(o: { token: string; kernelVersion: string; uki: string }): { files: EspFile[]; entry: string } {
  const entry = `${o.token}-${o.kernelVersion}.efi`;
  return { entry, files: [{ path: `/EFI/Linux/${entry}`, source: { hostPath: o.uki } }] };
}
