import { InvalidArgumentError, type BlsPayload, type BootPayload } from '@metalayer/core';
import { checkBootFileName, parseOsRelease, readKernelUname } from '@metalayer/boot';

/**
 * Where the kernel layer puts a payload (paths without a leading `/`).
 * UKIs go where systemd-boot, bootc and composefs-rs look for Type #2
 * entries; a BLS set follows kernel-install's `$BOOT/<token>/<kver>/` layout
 * inside `/boot`, and its entry names the files by their path from the image
 * root (`/boot/<token>/<kver>/vmlinuz`), because that is how composefs-rs
 * `get_boot_resources` resolves `linux` and `initrd` lines.
 */
export type KernelLayerLayout =
  | { readonly kind: 'uki'; readonly ukiPath: string; readonly directories: readonly string[] }
  | {
      readonly kind: 'bls';
      readonly token: string;
      readonly kernelVersion: string;
      readonly entryPath: string;
      readonly kernelPath: string;
      readonly initrdPaths: readonly string[];
      readonly directories: readonly string[];
    };

/** Options that shape the layout. */
export interface LayoutOptions {
  /** BLS entry token; default: `IMAGE_ID`, else `ID`, of the payload's os-release. */
  readonly entryToken?: string;
}

/** Where UKIs live (composefs-rs `Type2Entry::load_all`, bootc, systemd-boot). */
export const UKI_DIR = 'boot/EFI/Linux';
/** Where Type #1 entries live (composefs-rs `Type1Entry::load_all`). */
export const BLS_ENTRIES_DIR = 'boot/loader/entries';
const UKI_SUFFIX = '.efi';
/** composefs-rs treats these as addons, not UKIs. */
const ADDON_SUFFIX = '.addon.efi';
/** Entry tokens that would put kernels inside the loader's own directories. */
const RESERVED_TOKENS = new Set(['loader', 'efi']);

const parents = (path: string): string[] => {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
};
const directoriesOf = (files: readonly string[]): string[] => [...new Set(files.flatMap(parents))].sort();

function ukiLayout(name: string): KernelLayerLayout {
  checkBootFileName(name, 'UKI file name');
  if (!name.endsWith(UKI_SUFFIX) || name.endsWith(ADDON_SUFFIX)) {
    throw new InvalidArgumentError({
      argument: 'payload.uki.name',
      value: name,
      message: `UKI file name ${JSON.stringify(name)} must end in "${UKI_SUFFIX}" (and not "${ADDON_SUFFIX}"): systemd-boot, bootc and composefs-rs only pick up such files from /boot/EFI/Linux`,
    });
  }
  const ukiPath = `${UKI_DIR}/${name}`;
  return { kind: 'uki', ukiPath, directories: directoriesOf([ukiPath]) };
}

async function blsLayout(payload: BlsPayload, options: LayoutOptions): Promise<KernelLayerLayout> {
  const os = payload.osRelease === undefined ? {} : parseOsRelease(payload.osRelease);
  const token = options.entryToken ?? os.IMAGE_ID ?? os.ID;
  if (token === undefined || token.length === 0) {
    throw new InvalidArgumentError({
      argument: 'entryToken',
      message: 'cannot name the Type #1 entry: no entry token given and the payload has no os-release with IMAGE_ID= or ID=',
      hint: 'pass entryToken (e.g. the OS id) to createKernelLayerStrategy',
    });
  }
  checkBootFileName(token, 'entry token');
  if (RESERVED_TOKENS.has(token.toLowerCase())) {
    throw new InvalidArgumentError({
      argument: 'entryToken',
      value: token,
      message: `entry token ${JSON.stringify(token)} would place kernels inside /boot/${token}, which the boot loader owns`,
    });
  }
  const kernelVersion = payload.kernelVersion ?? (await readKernelUname(payload.kernel.data));
  if (kernelVersion === undefined) {
    throw new InvalidArgumentError({
      argument: 'payload.kernelVersion',
      message: `cannot name the Type #1 entry: the payload gives no kernel version and ${payload.kernel.name} has no x86 bzImage version string`,
      hint: 'pass the kernel version (uname -r) with the payload',
    });
  }
  checkBootFileName(kernelVersion, 'kernel version');
  const names = [payload.kernel.name, ...payload.initrds.map((f) => f.name)];
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    checkBootFileName(name, i === 0 ? 'kernel file name' : 'initrd file name');
    // $BOOT is usually FAT: names that differ only in case are the same file there.
    if (seen.has(name.toLowerCase())) {
      throw new InvalidArgumentError({
        argument: 'payload',
        value: name,
        message: `two payload files are named ${JSON.stringify(name)} (case-insensitively); each needs its own name in /boot/${token}/${kernelVersion}/`,
      });
    }
    seen.add(name.toLowerCase());
  }
  const dir = `boot/${token}/${kernelVersion}`;
  const entryPath = `${BLS_ENTRIES_DIR}/${token}-${kernelVersion}.conf`;
  const kernelPath = `${dir}/${payload.kernel.name}`;
  const initrdPaths = payload.initrds.map((f) => `${dir}/${f.name}`);
  return { kind: 'bls', token, kernelVersion, entryPath, kernelPath, initrdPaths, directories: directoriesOf([entryPath, kernelPath]) };
}

/**
 * Checks the payload's names (only `[A-Za-z0-9+_.-]`, no `/`, `..`, `.wh.`
 * or other leading dot; see `checkBootFileName`) and decides where each file
 * goes. Throws `UnsafePathError` or `InvalidArgumentError` before any image
 * is read.
 */
export async function kernelLayerLayout(payload: BootPayload, options: LayoutOptions = {}): Promise<KernelLayerLayout> {
  return payload.kind === 'uki' ? ukiLayout(payload.uki.name) : blsLayout(payload, options);
}
