import type { BootPayload, PayloadFile } from '@metalayer/core';
import {
  type BlsEntry,
  getBlsOptions,
  getBlsValue,
  getBlsValues,
  MAX_BLS_ENTRY_SIZE,
  normalizeBlsPath,
  parseBlsEntry,
  readAllBytes,
  validateBlsEntry,
} from '@metalayer/boot';
import { PayloadFormatError } from '@metalayer/strategy-kit';
import { BLS_ENTRIES_DIR, UKI_DIR } from './kernel-layer-layout';

/** A payload read back from a kernel layer, with the layer paths it came from. */
export interface LayerPayload {
  readonly payload: BootPayload;
  /** Layer paths (no leading `/`): the UKI; or the entry, the kernel, the initrds. */
  readonly paths: readonly string[];
}

const UKI_FILE = new RegExp(`^${UKI_DIR}/[^/]+\\.efi$`);
const BLS_FILE = new RegExp(`^${BLS_ENTRIES_DIR}/[^/]+\\.conf$`);
/** Keys of payloads this strategy does not write; an entry using them boots something `verify` would not see. */
const UNSUPPORTED_KEYS = ['efi', 'uki', 'uki-url', 'devicetree', 'devicetree-overlay', 'extra'];

/**
 * Turns the regular files of a kernel layer into the payload: exactly one UKI
 * in `/boot/EFI/Linux`, or exactly one Type #1 entry in `/boot/loader/entries`
 * plus the kernel and initrds it names (paths from the image root, as
 * composefs-rs resolves them). Any other file is refused: an addon or a
 * second entry would change what boots without `verify` seeing it.
 */
export async function payloadFromLayer(files: ReadonlyMap<string, PayloadFile>, subject: string): Promise<LayerPayload> {
  const fail = (reason: string): never => {
    throw new PayloadFormatError({ subject, reason });
  };
  const all = [...files.keys()].sort();
  const ukis = all.filter((p) => UKI_FILE.test(p) && !p.endsWith('.addon.efi'));
  const entries = all.filter((p) => BLS_FILE.test(p));
  const found = [...ukis, ...entries];
  if (found.length === 0)
    fail(
      `the kernel layer holds no UKI in /${UKI_DIR} and no entry in /${BLS_ENTRIES_DIR} (files: ${all.map((p) => `/${p}`).join(', ') || 'none'})`,
    );
  if (found.length > 1)
    fail(`the kernel layer holds ${found.length} boot entries (${found.map((p) => `/${p}`).join(', ')}); it must carry exactly one`);
  const unexpected = (used: readonly string[]) => {
    const extra = all.filter((p) => !used.includes(p));
    if (extra.length)
      fail(
        `the kernel layer holds files no boot entry uses (${extra.map((p) => `/${p}`).join(', ')}); they could change what boots unchecked`,
      );
  };

  if (ukis.length === 1) {
    const path = ukis[0]!;
    unexpected([path]);
    return { payload: { kind: 'uki', uki: files.get(path)! }, paths: [path] };
  }

  const entryPath = entries[0]!;
  const entrySource = files.get(entryPath)!.data;
  if (entrySource.size > MAX_BLS_ENTRY_SIZE)
    fail(`/${entryPath} is ${entrySource.size} bytes, more than MAX_BLS_ENTRY_SIZE (${MAX_BLS_ENTRY_SIZE})`);
  let entry: BlsEntry;
  try {
    entry = validateBlsEntry(parseBlsEntry(await readAllBytes(entrySource), { subject: `/${entryPath}` }), { subject: `/${entryPath}` });
  } catch (cause) {
    throw new PayloadFormatError({ subject, reason: `/${entryPath} is not a valid Type #1 entry`, cause });
  }
  for (const key of UNSUPPORTED_KEYS) {
    if (getBlsValues(entry, key).length)
      fail(`/${entryPath} has a "${key}" line; a kernel layer entry boots a linux + initrd payload only`);
  }
  const resolve = (value: string, key: string): string => {
    let path: string;
    try {
      path = normalizeBlsPath(value, { role: `${key} path` });
    } catch (cause) {
      throw new PayloadFormatError({ subject, reason: `/${entryPath}: ${key} path ${JSON.stringify(value)} is not normalised`, cause });
    }
    // composefs-rs resolves entry paths from the image root: they must point into this layer's /boot.
    const inLayer = path.slice(1);
    if (!inLayer.startsWith('boot/') || !files.has(inLayer)) {
      fail(
        `/${entryPath}: ${key} ${JSON.stringify(value)} is not a file of the kernel layer (paths are read from the image root, e.g. /boot/<token>/<kver>/linux)`,
      );
    }
    return inLayer;
  };
  const linux = getBlsValue(entry, 'linux');
  if (linux === undefined) fail(`/${entryPath} has no linux line`);
  const kernelPath = resolve(linux!, 'linux');
  const initrdPaths = getBlsValues(entry, 'initrd').map((v) => resolve(v, 'initrd'));
  const used = [entryPath, kernelPath, ...initrdPaths];
  if (new Set(used).size !== used.length) fail(`/${entryPath} names one file twice`);
  unexpected(used);
  const version = getBlsValue(entry, 'version');
  const title = getBlsValue(entry, 'title');
  return {
    payload: {
      kind: 'bls',
      kernel: files.get(kernelPath)!,
      initrds: initrdPaths.map((p) => files.get(p)!),
      options: getBlsOptions(entry),
      ...(version ? { kernelVersion: version } : {}),
      ...(title ? { title } : {}),
    },
    paths: used,
  };
}
