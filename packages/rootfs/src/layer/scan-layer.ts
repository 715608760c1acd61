import { DigestMismatchError, LimitExceededError, MetalayerError, type Descriptor, type ImageStore } from '@metalayer/core';
import type { ObjectWriter } from '@metalayer/composefs';
import { compressionOf, decompress, readTar, TarFormatError, UnsupportedMediaTypeError, type TarEntry } from '@metalayer/oci';
import { LayerReadError } from '../errors/layer-read-error';
import type { StreamDigest, VerityPool } from '../hashing/verity-pool';
import { INLINE_CONTENT_MAX, MAX_PENDING_OBJECTS, MAX_SELINUX_CONFIG_SIZE } from '../limits';
import { layerEntryFromTar, type LayerEntry, type LayerRef } from './layer-entry';
import { PendingWork } from './pending-work';

/** Receives the content of every external file while it streams (deploy). */
export interface ObjectSink {
  /** Which of the pool's digests names the objects. */
  readonly algorithmIndex: number;
  create(): Promise<ObjectWriter>;
}

/** What one pass over a layer produced: its entries, hashed, without content. */
export interface ScannedLayer {
  readonly ref: LayerRef;
  readonly blob: Descriptor;
  readonly entries: readonly LayerEntry[];
  /** Regular files stored externally (larger than 64 bytes). */
  readonly externalFiles: number;
  /** Content bytes of those files. */
  readonly externalBytes: number;
}

/** Options of {@link scanLayer}. */
export interface ScanLayerOptions {
  pool: VerityPool;
  sink?: ObjectSink;
  signal?: AbortSignal;
  /** Whether to keep the content of the file at `names` (small files the transforms read). */
  capture?: (names: readonly string[]) => boolean;
  /** Called with the number of content bytes read so far in this layer. */
  onBytes?: (bytes: number) => void;
}

const CAPTURE_DEFAULT = (names: readonly string[]) =>
  names.length === 3 && names[0] === 'etc' && names[1] === 'selinux' && names[2] === 'config';

/** Whether an error from the layer stream means "this layer is malformed" (wrapped with the layer named). */
function isLayerFormatProblem(error: unknown): boolean {
  if (TarFormatError.isInstance(error) || UnsupportedMediaTypeError.isInstance(error) || LimitExceededError.isInstance(error)) return true;
  if (MetalayerError.isInstance(error) || !(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  // zlib reports corrupt or truncated gzip with Z_* codes; fzstd throws plain errors.
  return code === undefined ? error.name !== 'AbortError' : code.startsWith('Z_');
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function collect(body: AsyncIterable<Uint8Array>, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let fill = 0;
  for await (const chunk of body) {
    out.set(chunk.subarray(0, size - fill), fill);
    fill += chunk.length;
  }
  return out;
}

/**
 * The tar entries of a layer blob, with the diff_id checked: the store
 * verifies the blob as stored; the uncompressed stream is hashed by the pool
 * (a worker thread) unless it is the blob itself (an uncompressed layer whose
 * digest is its diff_id). `finish()` reads what follows the end-of-archive
 * marker (the diff_id covers it) and throws on a mismatch.
 */
function openLayerStream(store: ImageStore, blob: Descriptor, diffId: string, pool: VerityPool, subject: string, signal: AbortSignal | undefined) {
  const compression = compressionOf(blob.mediaType, subject);
  const raw = decompress(store.openBlob(blob, signal), compression);
  const verified = compression === 'none' && blob.digest === diffId;
  let hash: StreamDigest | undefined;
  if (!verified) {
    if (!diffId.startsWith('sha256:') && !diffId.startsWith('sha512:')) {
      throw new DigestMismatchError({ subject: `${subject}: diff_id`, expected: diffId, actual: '(unsupported digest algorithm)' });
    }
    hash = pool.beginStream(diffId.startsWith('sha512:') ? 'sha512' : 'sha256');
  }
  const tapped = hash
    ? (async function* () {
        for await (const chunk of raw) {
          hash.update(chunk);
          yield chunk;
        }
      })()
    : raw;
  const iterator = tapped[Symbol.asyncIterator]();
  return {
    entries: (): AsyncGenerator<TarEntry> => readTar({ [Symbol.asyncIterator]: () => iterator }),
    async finish(): Promise<void> {
      while (!(await iterator.next()).done) {
        // drain: the bytes after the end-of-archive blocks are part of the diff_id
      }
      if (!hash) return;
      pool.flush();
      const actual = await hash.end();
      if (actual !== diffId) throw new DigestMismatchError({ subject: `${subject}: diff_id`, expected: diffId, actual });
    },
    async close(): Promise<void> {
      await iterator.return?.(undefined);
    },
  };
}

/**
 * Reads one layer in a single pass: the blob digest and the diff_id are
 * checked while streaming (by the store, and here in a worker), every file
 * larger than 64 bytes is fs-verity hashed by `pool` as it streams (and
 * handed to `sink` when deploying), smaller ones are kept inline. Content is
 * never held whole; memory grows with the number of entries.
 */
export async function scanLayer(store: ImageStore, ref: LayerRef, blob: Descriptor, options: ScanLayerOptions): Promise<ScannedLayer> {
  const { pool, sink, signal } = options;
  const capture = options.capture ?? CAPTURE_DEFAULT;
  const subject = `${store.location}: layer ${blob.digest}`;
  const entries: LayerEntry[] = [];
  const digests = new PendingWork();
  const commits = new PendingWork();
  let externalFiles = 0;
  let externalBytes = 0;
  let bytes = 0;
  let stream: ReturnType<typeof openLayerStream> | undefined;
  try {
    stream = openLayerStream(store, blob, ref.diffId, pool, subject, signal);
    for await (const { header, body } of stream.entries()) {
      signal?.throwIfAborted();
      const entry = layerEntryFromTar(header, ref);
      entries.push(entry);
      if (entry.kind !== 'regular') continue;
      const keep = capture(entry.names);
      if (entry.size <= INLINE_CONTENT_MAX) {
        entry.content = await collect(body, entry.size);
        if (keep) entry.captured = entry.content;
        bytes += entry.size;
        continue;
      }
      externalFiles++;
      externalBytes += entry.size;
      const verity = pool.begin();
      const writer = sink ? await sink.create() : undefined;
      const kept: Uint8Array[] | undefined = keep && entry.size <= MAX_SELINUX_CONFIG_SIZE ? [] : undefined;
      try {
        for await (const chunk of body) {
          verity.update(chunk);
          if (writer) await writer.write(chunk);
          kept?.push(chunk.slice());
          bytes += chunk.length;
          options.onBytes?.(bytes);
          const wait = pool.pressure();
          if (wait) await wait;
        }
      } catch (error) {
        await writer?.abort();
        throw error;
      }
      const result = verity.end();
      digests.add(result.then((d) => {
        entry.digests = d;
        if (kept) entry.captured = concatBytes(kept);
      }));
      if (writer && sink) {
        commits.add(result.then(
          (d) => writer.commit(d[sink.algorithmIndex]!),
          async (error: unknown) => {
            await writer.abort();
            throw error;
          },
        ));
        if (commits.size >= MAX_PENDING_OBJECTS) {
          // The oldest commit waits for its digest: make sure it is being computed.
          pool.flush();
          await commits.waitOldest();
        }
      }
    }
    await stream.finish();
    pool.flush();
    await digests.drain();
    await commits.drain();
  } catch (error) {
    await stream?.close().catch(() => undefined);
    pool.flush();
    await digests.settle();
    await commits.settle();
    if (isLayerFormatProblem(error)) throw new LayerReadError({ layer: ref.index, diffId: ref.diffId, blob: blob.digest, cause: error });
    throw error;
  }
  options.onBytes?.(bytes);
  return { ref, blob, entries, externalFiles, externalBytes };
}
