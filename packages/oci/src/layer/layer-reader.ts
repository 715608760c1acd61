import { verifyStream } from '../digest';
import type { BlobInfo, ImageStore, StreamHasherFactory } from '@metalayer/core';
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
  /** Computes the digests checked (e.g. in a worker thread); default `node:crypto` here. */
  hasher?: StreamHasherFactory;
}

/**
 * The tar bytes of an already verified blob stream, checked against `diffId`
 * unless the blob's own (verified) digest is that same hash: an uncompressed
 * layer whose digest is its diff_id is hashed once. A generator, so that an
 * unsupported media type fails on the first read like any other problem.
 */
async function* tarBytes(
  verified: AsyncIterable<Uint8Array>,
  blobDigest: string | undefined,
  mediaType: string,
  diffId: string | undefined,
  subject: string,
  hasher: StreamHasherFactory | undefined,
): AsyncGenerator<Uint8Array> {
  const compression = compressionOf(mediaType, subject);
  const raw = decompress(verified, compression);
  const sameBytes = compression === 'none' && blobDigest === diffId;
  yield* diffId && !sameBytes ? verifyStream(raw, { digest: diffId }, `${subject}: diff_id`, hasher) : raw;
}

/**
 * Streams the tar entries of a layer blob: decompress, parse, and verify the
 * compressed digest and the diff_id while streaming. The whole stream
 * (including anything after the end-of-archive blocks) is hashed; a mismatch
 * throws after the last entry, so treat entries as untrusted until the
 * iteration has ended without error. Each entry's body must be read before
 * the next entry is requested (unread bodies are skipped).
 */
export function readLayer(blob: AsyncIterable<Uint8Array>, options: ReadLayerOptions): AsyncIterableIterator<TarEntry> {
  const subject = options.subject ?? 'layer';
  const { expected, hasher } = options;
  const verified = expected ? verifyStream(blob, expected, subject, hasher) : blob;
  return readTar(tarBytes(verified, expected?.digest, options.mediaType, options.diffId, subject, hasher), { drain: true });
}

/** Options of {@link readStoredLayer}. */
export interface ReadStoredLayerOptions {
  /** Checks the uncompressed tar stream (`rootfs.diff_ids[i]` of the config). */
  diffId?: string;
  signal?: AbortSignal;
  /** Computes the blob digest and the diff_id (e.g. in a worker thread); default `node:crypto` here. */
  hasher?: StreamHasherFactory;
}

/**
 * The uncompressed tar stream of a layer in a store, every byte of it: the
 * store verifies the blob against `descriptor`, and `diffId` (when given) is
 * checked on the uncompressed bytes (for an uncompressed layer whose digest
 * is the diff_id, the store's check is that check). A mismatch throws after
 * the last chunk. For parsing with `TarParser` directly.
 */
export function openLayerTar(
  store: ImageStore,
  descriptor: BlobInfo & { mediaType: string },
  options: ReadStoredLayerOptions = {},
): AsyncGenerator<Uint8Array> {
  const { hasher } = options;
  const verified = store.openBlob(descriptor, options.signal, hasher ? { hasher } : {});
  const subject = `${store.location}: layer ${descriptor.digest}`;
  return tarBytes(verified, descriptor.digest, descriptor.mediaType, options.diffId, subject, hasher);
}

/** Streams the tar entries of a layer in a store, verified as {@link openLayerTar} says. */
export function readStoredLayer(
  store: ImageStore,
  descriptor: BlobInfo & { mediaType: string },
  options: ReadStoredLayerOptions = {},
): AsyncIterableIterator<TarEntry> {
  return readTar(openLayerTar(store, descriptor, options), { drain: true });
}
