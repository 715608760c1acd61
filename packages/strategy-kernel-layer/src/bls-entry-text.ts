import { LimitExceededError, type BlsPayload } from '@metalayer/core';
import {
  createBlsEntry,
  formatBlsEntry,
  getBlsOptions,
  MAX_BLS_ENTRY_SIZE,
  osReleaseName,
  parseBlsEntry,
  parseOsRelease,
} from '@metalayer/boot';

/** The Type #1 entry written for a BLS payload, and the payload as the entry describes it. */
export interface BlsEntryText {
  readonly bytes: Uint8Array;
  /** The payload with `options`, `title` and `kernelVersion` exactly as the entry carries them. */
  readonly payload: BlsPayload;
}

/**
 * Writes the entry like systemd's 90-loaderentry.install (title, version,
 * sort-key, options, linux, initrd…) with paths from the image root
 * (`/boot/<token>/<kver>/<name>`), which is how composefs-rs resolves them.
 */
export function blsEntryText(
  payload: BlsPayload,
  layout: {
    readonly kernelVersion: string;
    readonly kernelPath: string;
    readonly initrdPaths: readonly string[];
    readonly entryPath: string;
  },
): BlsEntryText {
  const os = payload.osRelease === undefined ? {} : parseOsRelease(payload.osRelease);
  const title = payload.title ?? osReleaseName(os) ?? `Linux ${layout.kernelVersion}`;
  const sortKey = os.IMAGE_ID ?? os.ID;
  const entry = createBlsEntry({
    comments: [
      'Boot Loader Specification type#1 entry',
      'File created by metalayer (strategy kernel-layer); paths are relative to the image root',
    ],
    title,
    version: layout.kernelVersion,
    ...(sortKey ? { sortKey } : {}),
    options: payload.options,
    linux: `/${layout.kernelPath}`,
    initrds: layout.initrdPaths.map((p) => `/${p}`),
  });
  const bytes = new TextEncoder().encode(formatBlsEntry(entry));
  if (bytes.length > MAX_BLS_ENTRY_SIZE) {
    throw new LimitExceededError({
      limit: 'MAX_BLS_ENTRY_SIZE',
      maximum: MAX_BLS_ENTRY_SIZE,
      actual: bytes.length,
      subject: `/${layout.entryPath}`,
    });
  }
  // Read back what a loader reads, so the attached payload equals the located one.
  const options = getBlsOptions(parseBlsEntry(bytes));
  return { bytes, payload: { ...payload, options, title, kernelVersion: layout.kernelVersion } };
}
