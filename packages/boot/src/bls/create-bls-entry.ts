import { BlsEntryError } from '../errors/index';
import type { BlsEntry, BlsLine } from './bls-entry';
import { normalizeBlsPath } from './bls-path';

/** Fields of a new Type #1 entry (paths relative to the entry's partition). */
export interface BlsEntryFields {
  title?: string;
  version?: string;
  machineId?: string;
  sortKey?: string;
  /** Full command line; omitted when empty. */
  options?: string;
  linux?: string;
  efi?: string;
  uki?: string;
  devicetree?: string;
  initrds?: readonly string[];
  architecture?: string;
  profile?: number;
  extra?: readonly string[];
  /** Comment lines written first (without `# `). */
  comments?: readonly string[];
}

/**
 * Creates an entry with keys in the order systemd's 90-loaderentry.install
 * writes them (title, version, machine-id, sort-key, options, linux,
 * devicetree, initrd…), then the rest. Paths are normalised and checked.
 */
export function createBlsEntry(fields: BlsEntryFields): BlsEntry {
  const lines: BlsLine[] = (fields.comments ?? []).map((c) => ({ kind: 'other', text: `# ${c}` }));
  const add = (key: string, value: string | undefined) => {
    if (value === undefined || value.length === 0) return;
    if (/[\r\n]/.test(value)) throw new BlsEntryError({ subject: 'new entry', key, message: 'a value cannot contain a line break' });
    lines.push({ kind: 'field', key, value });
  };
  const path = (key: string, value: string | undefined) =>
    add(key, value === undefined ? undefined : normalizeBlsPath(value, { role: `${key} path` }));
  add('title', fields.title);
  add('version', fields.version);
  add('machine-id', fields.machineId);
  add('sort-key', fields.sortKey);
  add('options', fields.options);
  path('linux', fields.linux);
  path('efi', fields.efi);
  path('uki', fields.uki);
  path('devicetree', fields.devicetree);
  for (const initrd of fields.initrds ?? []) path('initrd', initrd);
  add('architecture', fields.architecture);
  add('profile', fields.profile === undefined ? undefined : String(fields.profile));
  for (const extra of fields.extra ?? []) path('extra', extra);
  return { lines };
}
