import { createBlsEntry, formatBlsEntry, getBlsValue, getBlsValues, parseBlsEntry, validateBlsEntry } from '@metalayer/boot';
import { PayloadFormatError } from '@metalayer/strategy-kit';

/**
 * The BLS type #1 entry an artifact carries. Paths name the artifact's own
 * blobs by title, as if the artifact were pulled into the root of `$BOOT`
 * (`oras pull` gives a usable entry next to its files).
 */
export interface ArtifactEntry {
  readonly title: string | undefined;
  readonly version: string | undefined;
  /** The kernel command line (sealed). */
  readonly options: string;
  /** Title of the kernel blob. */
  readonly linux: string;
  /** Titles of the initrd blobs, in boot order. */
  readonly initrds: readonly string[];
}

/** Keys the entry blob may contain: exactly what {@link formatArtifactEntry} writes. */
const ENTRY_KEYS: ReadonlySet<string> = new Set(['title', 'version', 'options', 'linux', 'initrd']);

/** The entry text (systemd's key order and column layout, LF line ends). */
export function formatArtifactEntry(entry: ArtifactEntry): string {
  return formatBlsEntry(
    createBlsEntry({
      ...(entry.title !== undefined ? { title: entry.title } : {}),
      ...(entry.version !== undefined ? { version: entry.version } : {}),
      options: entry.options,
      linux: `/${entry.linux}`,
      initrds: entry.initrds.map((name) => `/${name}`),
    }),
  );
}

/**
 * Parses an entry blob. Anything {@link formatArtifactEntry} would not have
 * written (other keys, repeated keys, paths below `/`) throws
 * `PayloadFormatError`: a key we drop could change how the kernel boots.
 */
export function parseArtifactEntry(bytes: Uint8Array, subject: string): ArtifactEntry {
  const fail = (reason: string, cause?: unknown): never => {
    throw new PayloadFormatError({ subject, reason, cause });
  };
  let entry;
  try {
    entry = validateBlsEntry(parseBlsEntry(bytes, { subject }), { subject });
  } catch (cause) {
    return fail('the boot entry is not a valid BLS type #1 entry', cause);
  }
  for (const line of entry.lines) {
    if (line.kind === 'field' && !ENTRY_KEYS.has(line.key))
      fail(`the boot entry has a "${line.key}" line; only ${[...ENTRY_KEYS].join(', ')} are allowed`);
  }
  for (const key of ['title', 'version', 'options', 'linux']) {
    if (getBlsValues(entry, key).length > 1) fail(`the boot entry has more than one "${key}" line`);
  }
  const fileOf = (key: string, path: string): string => {
    if (!/^\/[^/]+$/.test(path))
      fail(`the boot entry's ${key} path ${JSON.stringify(path)} does not name a file of the artifact ("/<title>")`);
    return path.slice(1);
  };
  const linux = getBlsValue(entry, 'linux');
  if (linux === undefined) return fail('the boot entry has no linux line');
  return {
    title: getBlsValue(entry, 'title'),
    version: getBlsValue(entry, 'version'),
    options: getBlsValue(entry, 'options') ?? '',
    linux: fileOf('linux', linux),
    initrds: getBlsValues(entry, 'initrd').map((path) => fileOf('initrd', path)),
  };
}
