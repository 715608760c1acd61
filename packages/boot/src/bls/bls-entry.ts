import { LimitExceededError } from '@metalayer/core';
import { BlsEntryError } from '../errors/index';
import { normalizeBlsPath } from './bls-path';

// Boot Loader Specification (UAPI.1) Type #1 entries, boot-specs.md §6.2:
// UTF-8, LF line ends, `#` comments, `key<whitespace>value` (value = rest of
// the line). `initrd`, `options` and `extra` may repeat.

/** Largest entry file accepted. */
export const MAX_BLS_ENTRY_SIZE = 64 * 1024;

/** Keys the specification defines. */
export const BLS_KEYS = [
  'title',
  'version',
  'machine-id',
  'sort-key',
  'linux',
  'initrd',
  'efi',
  'uki',
  'uki-url',
  'options',
  'devicetree',
  'devicetree-overlay',
  'architecture',
  'profile',
  'extra',
] as const;

/** Keys that may appear more than once. */
export const BLS_REPEATABLE_KEYS: ReadonlySet<string> = new Set(['initrd', 'options', 'extra']);
/** Keys whose value is a path on the entry's partition. */
export const BLS_PATH_KEYS: ReadonlySet<string> = new Set(['linux', 'initrd', 'efi', 'uki', 'devicetree', 'extra']);
/** Architectures the specification lists (compared case-insensitively). */
export const BLS_ARCHITECTURES = [
  'ia32',
  'x64',
  'ia64',
  'arm',
  'aa64',
  'riscv32',
  'riscv64',
  'riscv128',
  'loongarch32',
  'loongarch64',
] as const;

/**
 * One line of an entry: a `key value` field (with its original text when it
 * was parsed, so unchanged lines are written back verbatim), or a comment or
 * blank line kept as is.
 */
export type BlsLine =
  | { readonly kind: 'field'; readonly key: string; readonly value: string; readonly raw?: string }
  | { readonly kind: 'other'; readonly text: string };

/** A Type #1 entry; lines are kept so that edits leave the rest as written. */
export interface BlsEntry {
  readonly lines: readonly BlsLine[];
}

/** Parses an entry file. Throws `BlsEntryError` for text that is not UTF-8 or oversized input. */
export function parseBlsEntry(input: string | Uint8Array, options: { subject?: string } = {}): BlsEntry {
  const subject = options.subject ?? 'boot entry';
  const size = typeof input === 'string' ? input.length : input.length;
  if (size > MAX_BLS_ENTRY_SIZE)
    throw new LimitExceededError({ limit: 'MAX_BLS_ENTRY_SIZE', maximum: MAX_BLS_ENTRY_SIZE, actual: size, subject });
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch (cause) {
    throw new BlsEntryError({ subject, message: 'is not valid UTF-8', cause });
  }
  const raw = text.split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const lines = raw.map((line): BlsLine => {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    const t = l.replace(/^[ \t]+/, '');
    if (t.length === 0 || t.startsWith('#')) return { kind: 'other', text: l };
    const m = /^([^ \t]+)(?:[ \t]+([\s\S]*))?$/.exec(t);
    return { kind: 'field', key: m![1]!, value: (m![2] ?? '').replace(/[ \t]+$/, ''), raw: l };
  });
  return { lines };
}

/** Writes an entry back: one line each, LF-terminated. */
export function formatBlsEntry(entry: BlsEntry): string {
  return entry.lines.map(formatLine).join('\n') + '\n';
}

function formatLine(l: BlsLine): string {
  if (l.kind === 'other') return l.text;
  if (l.raw !== undefined) return l.raw;
  // Column layout of systemd's 90-loaderentry.install ("title      …").
  return l.value.length > 0 ? `${l.key.padEnd(10)} ${l.value}` : l.key;
}

/** The value of a single-valued key (the last one wins, as in systemd-boot), or undefined. */
export function getBlsValue(entry: BlsEntry, key: string): string | undefined {
  let value: string | undefined;
  for (const l of entry.lines) if (l.kind === 'field' && l.key === key) value = l.value;
  return value;
}

/** Every value of a key, in order (`initrd`, `options`, `extra`). */
export function getBlsValues(entry: BlsEntry, key: string): string[] {
  return entry.lines.flatMap((l) => (l.kind === 'field' && l.key === key ? [l.value] : []));
}

/** The kernel command line of the entry: every `options` value joined by a space. */
export function getBlsOptions(entry: BlsEntry): string {
  return getBlsValues(entry, 'options')
    .filter((v) => v.length > 0)
    .join(' ');
}

/**
 * Sets the command line: the first `options` line gets `cmdline`, other
 * `options` lines are dropped; without one, an `options` line is added before
 * `linux`/`efi`/`uki` (or at the end).
 */
export function setBlsOptions(entry: BlsEntry, cmdline: string): BlsEntry {
  if (/[\r\n]/.test(cmdline))
    throw new BlsEntryError({ subject: 'options', key: 'options', message: 'a command line cannot contain a line break' });
  const lines: BlsLine[] = [];
  let done = false;
  for (const l of entry.lines) {
    if (l.kind === 'field' && l.key === 'options') {
      if (!done && cmdline.length > 0) lines.push({ kind: 'field', key: 'options', value: cmdline });
      done = true;
    } else lines.push(l);
  }
  if (!done && cmdline.length > 0) {
    const at = lines.findIndex((l) => l.kind === 'field' && ['linux', 'efi', 'uki'].includes(l.key));
    lines.splice(at < 0 ? lines.length : at, 0, { kind: 'field', key: 'options', value: cmdline });
  }
  return { lines };
}

/** Applies `edit` to the entry's command line (see {@link getBlsOptions}, {@link setBlsOptions}). */
export function editBlsOptions(entry: BlsEntry, edit: (current: string) => string): BlsEntry {
  return setBlsOptions(entry, edit(getBlsOptions(entry)));
}

/**
 * Checks an entry against the specification and returns it: `linux`, `efi`
 * or `uki` present; paths normalised and on the same partition; single keys
 * not repeated; `machine-id` 32 lowercase hex; `profile` a number;
 * `architecture` known. Throws `BlsEntryError` naming the line.
 */
export function validateBlsEntry(entry: BlsEntry, options: { subject?: string } = {}): BlsEntry {
  const subject = options.subject ?? 'boot entry';
  const seen = new Set<string>();
  entry.lines.forEach((l, i) => {
    if (l.kind !== 'field') return;
    const fail = (message: string, cause?: unknown): never => {
      throw new BlsEntryError({ subject, line: i + 1, key: l.key, message, cause });
    };
    if (seen.has(l.key) && !BLS_REPEATABLE_KEYS.has(l.key) && (BLS_KEYS as readonly string[]).includes(l.key))
      fail('appears more than once');
    seen.add(l.key);
    const paths = l.key === 'devicetree-overlay' ? l.value.split(/[ \t]+/).filter(Boolean) : BLS_PATH_KEYS.has(l.key) ? [l.value] : [];
    for (const p of paths) {
      try {
        normalizeBlsPath(p, { role: `${l.key} path` });
      } catch (cause) {
        fail(`path ${JSON.stringify(p)} is not a normalised path on this partition`, cause);
      }
    }
    if (l.key === 'machine-id' && !/^[0-9a-f]{32}$/.test(l.value)) fail('must be 32 lowercase hexadecimal digits');
    if (l.key === 'profile' && !/^\d{1,5}$/.test(l.value)) fail('must be a profile number');
    if (l.key === 'architecture' && !(BLS_ARCHITECTURES as readonly string[]).includes(l.value.toLowerCase()))
      fail(`unknown architecture ${JSON.stringify(l.value)}`);
  });
  if (!['linux', 'efi', 'uki'].some((k) => seen.has(k)))
    throw new BlsEntryError({ subject, message: 'has no linux, efi or uki line, so there is nothing to boot' });
  return entry;
}
