import { hashStream } from '../digest';
import { MediaType } from '../media-types';
import type { ImageStore } from '@metalayer/core';
import type { Descriptor } from '@metalayer/core';
import { writeTar, type TarWriteEntry } from '../tar/tar-writer';
import { compress, DEFAULT_GZIP_LEVEL } from './compression';

/** Options of {@link encodeLayer} and {@link putLayer}. */
export interface WriteLayerOptions {
  /** Default `gzip`. */
  compression?: 'none' | 'gzip';
  /** gzip level 1–9 (default 6). */
  level?: number;
  /** Annotations for the layer descriptor. */
  annotations?: Record<string, string>;
}

/** A layer as it streams out of {@link encodeLayer}; read the digests after the stream ends. */
export interface EncodedLayer {
  stream: AsyncIterable<Uint8Array>;
  mediaType: string;
  /** sha256 of the uncompressed tar (the config's `diff_ids` entry). */
  diffId(): string;
  /** Size of the uncompressed tar. */
  uncompressedSize(): number;
}

/** Encodes entries into a (compressed) layer stream, hashing the tar for its diff_id. */
export function encodeLayer(
  entries: AsyncIterable<TarWriteEntry> | Iterable<TarWriteEntry>,
  options: WriteLayerOptions = {},
): EncodedLayer {
  const compression = options.compression ?? 'gzip';
  const tar = hashStream(writeTar(entries));
  return {
    stream: compress(tar.stream, compression, options.level ?? DEFAULT_GZIP_LEVEL),
    mediaType: compression === 'gzip' ? MediaType.layerTarGzip : MediaType.layerTar,
    diffId: () => tar.result.digest(),
    uncompressedSize: () => tar.result.size,
  };
}

/** Writes a new layer into a store; returns its descriptor and diff_id. */
export async function putLayer(
  store: ImageStore,
  entries: AsyncIterable<TarWriteEntry> | Iterable<TarWriteEntry>,
  options: WriteLayerOptions = {},
): Promise<{ descriptor: Descriptor; diffId: string }> {
  const layer = encodeLayer(entries, options);
  const blob = await store.putBlob(layer.stream);
  const descriptor: Descriptor = {
    mediaType: layer.mediaType,
    ...blob,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  return { descriptor, diffId: layer.diffId() };
}
