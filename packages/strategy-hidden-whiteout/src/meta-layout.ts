import { InvalidArgumentError, type BlsPayload, type BootPayload, type ByteSource, type UkiPayload } from '@metalayer/core';
import {
  bytesSource,
  checkBootFileName,
  createBlsEntry,
  formatBlsEntry,
  getBlsOptions,
  parseBlsEntry,
  parseOsRelease,
  readKernelUname,
  type OsRelease,
} from '@metalayer/boot';
import type { MetaFileRole } from './hidden-whiteout-labels';
import { DEFAULT_ENTRY_TOKEN, ENTRIES_DIRECTORY, ENTRY_SUFFIX, UKI_DIRECTORY, UKI_SUFFIX } from './private-directory';

/** A file of the meta layer, by its path inside the private directory. */
export interface MetaFile {
  readonly role: MetaFileRole;
  /** Relative to the private directory, e.g. `EFI/Linux/os.efi`. */
  readonly path: string;
  readonly data: ByteSource;
}

/** What the meta layer holds for one payload. */
export interface MetaLayout {
  /** In the order their labels are written: UKI; or entry, kernel, initrds. */
  readonly files: readonly MetaFile[];
  /** The payload as `locate` will read it back (BLS: version and title filled in). */
  readonly payload: BootPayload;
}

/** Options of {@link planMetaLayout}. */
export interface MetaLayoutOptions {
  /** Entry token of a BLS entry (default: os-release `IMAGE_ID`, else `ID`, else `linux`). */
  readonly entryToken?: string;
}

/**
 * Lays a sealed payload out as a `$BOOT` tree, as `kernel-install` would:
 * `EFI/Linux/<name>.efi` for a UKI; `loader/entries/<token>-<kver>.conf` plus
 * `<token>/<kver>/<kernel>` and `<token>/<kver>/<initrd>…` for a BLS set.
 * Every name must be a valid `$BOOT` file name ([A-Za-z0-9+_.-], no leading
 * dot, so no `..` and no `.wh.` whiteout names): `UnsafePathError` otherwise.
 */
export async function planMetaLayout(payload: BootPayload, options: MetaLayoutOptions = {}): Promise<MetaLayout> {
  return payload.kind === 'uki' ? planUki(payload) : planBls(payload, options);
}

function planUki(payload: UkiPayload): MetaLayout {
  const name = checkBootFileName(payload.uki.name, 'UKI file name');
  if (!name.endsWith(UKI_SUFFIX)) {
    throw new InvalidArgumentError({
      argument: 'payload.uki.name',
      value: name,
      message: `UKI file name ${JSON.stringify(name)} must end in ${UKI_SUFFIX}`,
      hint: `boot loaders only pick up ${UKI_DIRECTORY}/*${UKI_SUFFIX}; rename the file`,
    });
  }
  return { files: [{ role: 'uki', path: `${UKI_DIRECTORY}/${name}`, data: payload.uki.data }], payload };
}

async function planBls(payload: BlsPayload, options: MetaLayoutOptions): Promise<MetaLayout> {
  const os: OsRelease = payload.osRelease === undefined ? {} : parseOsRelease(payload.osRelease);
  const kernelVersion = payload.kernelVersion ?? (await readKernelUname(payload.kernel.data));
  if (kernelVersion === undefined) {
    throw new InvalidArgumentError({
      argument: 'payload.kernelVersion',
      message: 'the BLS payload names no kernel version and the kernel image has none in its header',
      hint: 'pass the kernel version (uname -r) with the payload',
    });
  }
  checkBootFileName(kernelVersion, 'kernel version');
  const token = checkBootFileName(options.entryToken ?? (os.IMAGE_ID || os.ID || DEFAULT_ENTRY_TOKEN), 'entry token');
  const names = [payload.kernel, ...payload.initrds].map((f, i) =>
    checkBootFileName(f.name, i === 0 ? 'kernel file name' : 'initrd file name'),
  );
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new InvalidArgumentError({
      argument: 'payload',
      value: duplicate,
      message: `the kernel and initrds must have distinct file names; ${JSON.stringify(duplicate)} appears twice`,
    });
  }
  const dir = `${token}/${kernelVersion}`;
  const title = payload.title ?? os.PRETTY_NAME ?? `Linux ${kernelVersion}`;
  const entry = createBlsEntry({
    title,
    version: kernelVersion,
    sortKey: os.IMAGE_ID || os.ID || undefined,
    options: payload.options,
    linux: `/${dir}/${payload.kernel.name}`,
    initrds: payload.initrds.map((f) => `/${dir}/${f.name}`),
  });
  const text = formatBlsEntry(entry);
  const entryName = checkBootFileName(`${token}-${kernelVersion}${ENTRY_SUFFIX}`, 'entry file name');
  const files: MetaFile[] = [
    { role: 'entry', path: `${ENTRIES_DIRECTORY}/${entryName}`, data: bytesSource(new TextEncoder().encode(text)) },
    { role: 'kernel', path: `${dir}/${payload.kernel.name}`, data: payload.kernel.data },
    ...payload.initrds.map((f, i): MetaFile => ({ role: `initrd.${i}`, path: `${dir}/${f.name}`, data: f.data })),
  ];
  // The command line exactly as `locate` reads it back from the entry (surrounding blanks dropped).
  const attached: BlsPayload = { ...payload, kernelVersion, title, options: getBlsOptions(parseBlsEntry(text)) };
  return { files, payload: attached };
}
