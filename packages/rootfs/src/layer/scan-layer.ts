import { LimitExceededError, MetalayerError, type Descriptor, type ImageStore } from '@metalayer/core';
import { openLayerTar, TarFormatError, TarParser, UnsupportedMediaTypeError } from '@metalayer/oci';
import { LayerReadError } from '../errors/layer-read-error';
import type { VerityPool } from '../hashing/verity-pool';
import { LayerContent } from './layer-content';
import { layerEntryFromTar, type LayerEntry, type LayerRef } from './layer-entry';
import { ObjectFeed, type ObjectSink } from './object-feed';

export type { ObjectSink } from './object-feed';

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

/**
 * Reads one layer in a single pass: the blob digest and the diff_id are
 * checked while streaming (hashed by `pool`, once when they are the same
 * hash), every file larger than 64 bytes is fs-verity hashed by `pool` as it
 * streams (and handed to `sink` when deploying), smaller ones are kept
 * inline. Content is never held whole; memory grows with the number of
 * entries. Nothing is returned before the layer's digests were checked.
 */
export async function scanLayer(store: ImageStore, ref: LayerRef, blob: Descriptor, options: ScanLayerOptions): Promise<ScannedLayer> {
  const { pool, signal } = options;
  const entries: LayerEntry[] = [];
  const objects = options.sink ? new ObjectFeed(options.sink) : undefined;
  const content = new LayerContent(pool, objects, options.capture ?? CAPTURE_DEFAULT);
  // The blob digest and the diff_id are hashed by the pool (a worker thread when it has any).
  const tar = openLayerTar(store, blob, {
    diffId: ref.diffId,
    hasher: (algorithm) => pool.beginStream(algorithm),
    ...(signal ? { signal } : {}),
  });
  // The parser works synchronously through each chunk; the only waits are for input and for the hashing to catch up.
  const parser = new TarParser();
  try {
    for await (const chunk of tar) {
      if (parser.done) continue; // what follows the end-of-archive marker is only hashed (the diff_id covers it)
      signal?.throwIfAborted();
      parser.feed(chunk);
      for (let event = parser.next(); event !== 'need-input' && event !== 'end'; event = parser.next()) {
        if (event === 'data') content.data(parser.data);
        else if (event === 'entry-end') content.end();
        else {
          const entry = layerEntryFromTar(parser.header!, ref);
          entries.push(entry);
          content.start(entry);
        }
      }
      options.onBytes?.(content.bytes);
      await objects?.afterChunk(pool);
      const busy = pool.pressure();
      if (busy) await busy;
    }
    parser.finish();
    await pool.drain();
    await objects?.drain();
  } catch (error) {
    await tar.return(undefined).catch(() => undefined);
    await pool.drain().catch(() => undefined);
    await objects?.abandon();
    if (isLayerFormatProblem(error)) throw new LayerReadError({ layer: ref.index, diffId: ref.diffId, blob: blob.digest, cause: error });
    throw error;
  }
  options.onBytes?.(content.bytes);
  return { ref, blob, entries, externalFiles: content.externalFiles, externalBytes: content.externalBytes };
}
