import { verifyStream } from '../digest';
import type { BlobInfo, ImageStore } from '@metalayer/core';
import { ByteReader } from '../tar/byte-reader';
import { readTar, type TarEntry } from '../tar/tar-reader';
import { compressionOf, decompress } from './compression';

/** Options of {@link readLayer}. */
export interface ReadLayerOptions {
  /** The layer's media type (decides the decompression). */
  mediaType: string;
  /** Checks the compressed stream: digest and size of the blob as stored. */
  expected?: BlobInfo;
  /** Checks the uncompressed tar stream (`rootfs.diff_ids[i]` of the config). */
  diffId?: string;
  /** Names the layer in errors, e.g. `layer 2 (sha256:…)`. */
  subject?: string;
}

/**
 * Streams the tar entries of a layer blob: decompress, parse, and verify the
 * compressed digest and the diff_id while streaming. The whole stream
 * (including anything after the end-of-archive blocks) is hashed; a mismatch
 * throws after the last entry, so treat entries as untrusted until the
 * iteration has ended without error. Each entry's body must be read before
 * the next entry is requested (unread bodies are skipped).
 */
export async function* readLayer(blob: AsyncIterable<Uint8Array>, options: ReadLayerOptions): AsyncGenerator<TarEntry> {
  const subject = options.subject ?? 'layer';
  const compressed = options.expected ? verifyStream(blob, options.expected, subject) : blob;
  const raw = decompress(compressed, compressionOf(options.mediaType, subject));
  const checked = options.diffId ? verifyStream(raw, { digest: options.diffId }, `${subject}: diff_id`) : raw;
  const reader = new ByteReader(checked);
  try {
    yield* readTar(reader);
    await reader.drain();
  } finally {
    await reader.close();
  }
}

/**
 * Streams the tar entries of a layer in a store: the store verifies the blob
 * against `descriptor`, and `diffId` (when given) is checked on the
 * uncompressed stream.
 */
export function readStoredLayer(
  store: ImageStore,
  descriptor: BlobInfo & { mediaType: string },
  options: { diffId?: string; signal?: AbortSignal } = {},
): AsyncGenerator<TarEntry> {
  return readLayer(store.openBlob(descriptor, options.signal), {
    mediaType: descriptor.mediaType,
    ...(options.diffId ? { diffId: options.diffId } : {}),
    subject: `${store.location}: layer ${descriptor.digest}`,
  });
}
