import { LimitExceededError, type BootPayload, type ByteSource, type PayloadFile } from '@metalayer/core';
import {
  getBlsOptions,
  getBlsValue,
  getBlsValues,
  MAX_BLS_ENTRY_SIZE,
  normalizeBlsPath,
  parseBlsEntry,
  readAllBytes,
  readUki,
  readUkiText,
  validateBlsEntry,
} from '@metalayer/boot';
import { PayloadFormatError } from '@metalayer/strategy-kit';
import type { MetaFileRole } from './hidden-whiteout-labels';
import { ENTRIES_DIRECTORY, ENTRY_SUFFIX, UKI_DIRECTORY, UKI_SUFFIX } from './private-directory';

/** A payload read back from the meta layer, with the path of each file inside the private directory. */
export interface MetaPayload {
  readonly payload: BootPayload;
  readonly files: readonly { readonly role: MetaFileRole; readonly path: string; readonly data: ByteSource }[];
}

const childrenOf = (files: ReadonlyMap<string, PayloadFile>, dir: string, suffix: string): string[] =>
  [...files.keys()].filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/') && p.endsWith(suffix)).sort();

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * Turns the files of a meta layer into a payload, the way a boot loader reads
 * `$BOOT`: exactly one `EFI/Linux/*.efi` (a UKI) or exactly one
 * `loader/entries/*.conf` (a Type #1 entry whose `linux`/`initrd` paths name
 * files of the layer). Zero or several, an invalid entry, or an entry naming
 * a file the layer lacks throw `PayloadFormatError` (`BlsEntryError` for a
 * malformed entry).
 */
export async function payloadFromMeta(files: ReadonlyMap<string, PayloadFile>, subject: string): Promise<MetaPayload> {
  const ukis = childrenOf(files, UKI_DIRECTORY, UKI_SUFFIX);
  const entries = childrenOf(files, ENTRIES_DIRECTORY, ENTRY_SUFFIX);
  const found = [...ukis, ...entries];
  if (found.length !== 1) {
    throw new PayloadFormatError({
      subject,
      reason:
        found.length === 0
          ? `the meta layer has no ${UKI_DIRECTORY}/*${UKI_SUFFIX} and no ${ENTRIES_DIRECTORY}/*${ENTRY_SUFFIX}`
          : `the meta layer has several boot entries (${found.join(', ')}); it must have exactly one`,
    });
  }
  const [path] = found as [string];
  const { data } = files.get(path)!;
  if (ukis.length === 1) {
    const uname = await readUkiText(await readUki(data, { subject: `${subject}: ${path}` }), '.uname');
    const kernelVersion = uname?.trim();
    return {
      payload: { kind: 'uki', uki: { name: baseName(path), data }, ...(kernelVersion ? { kernelVersion } : {}) },
      files: [{ role: 'uki', path, data }],
    };
  }

  const { size } = data;
  if (size > MAX_BLS_ENTRY_SIZE)
    throw new LimitExceededError({
      limit: 'MAX_BLS_ENTRY_SIZE',
      maximum: MAX_BLS_ENTRY_SIZE,
      actual: size,
      subject: `${subject}: ${path}`,
    });
  const entry = validateBlsEntry(parseBlsEntry(await readAllBytes(data), { subject: `${subject}: ${path}` }), {
    subject: `${subject}: ${path}`,
  });
  const linux = getBlsValue(entry, 'linux');
  if (linux === undefined || getBlsValue(entry, 'efi') !== undefined || getBlsValue(entry, 'uki') !== undefined) {
    throw new PayloadFormatError({ subject, reason: `${path} must boot a kernel with a linux line (and no efi or uki line)` });
  }
  // Entry paths are relative to the root of $BOOT, which is the private directory here.
  const member = (value: string): { path: string; data: ByteSource } => {
    const inLayer = normalizeBlsPath(value).slice(1);
    const extracted = files.get(inLayer);
    if (!extracted) throw new PayloadFormatError({ subject, reason: `${path} names ${value}, which is not a file of the meta layer` });
    return { path: inLayer, data: extracted.data };
  };
  const kernel = member(linux);
  const initrds = getBlsValues(entry, 'initrd').map(member);
  const title = getBlsValue(entry, 'title');
  const kernelVersion = getBlsValue(entry, 'version');
  const payload: BootPayload = {
    kind: 'bls',
    kernel: { name: baseName(kernel.path), data: kernel.data },
    initrds: initrds.map((i) => ({ name: baseName(i.path), data: i.data })),
    options: getBlsOptions(entry),
    ...(kernelVersion ? { kernelVersion } : {}),
    ...(title ? { title } : {}),
  };
  return {
    payload,
    files: [
      { role: 'entry', path, data },
      { role: 'kernel', ...kernel },
      ...initrds.map((i, n) => ({ role: `initrd.${n}` as const, ...i })),
    ],
  };
}
