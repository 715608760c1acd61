import { pipeline, Readable, type Transform } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { UnsupportedMediaTypeError } from '../errors/index';

/** How a layer blob is compressed. */
export type LayerCompression = 'none' | 'gzip' | 'zstd';

/**
 * The compression a layer media type implies (image-spec `layer.md`: `+gzip`,
 * `+zstd`, plain `tar`; Docker's `tar.gzip` too). Anything else throws
 * {@link UnsupportedMediaTypeError}: copying does not need this, reading does.
 */
export function compressionOf(mediaType: string, subject = 'layer'): LayerCompression {
  if (/[.+]gzip$/.test(mediaType)) return 'gzip';
  if (/[.+]zstd$/.test(mediaType)) return 'zstd';
  if (/[./]tar$/.test(mediaType) || /\.tar$/.test(mediaType)) return 'none';
  throw new UnsupportedMediaTypeError({ mediaType, subject, hint: 'readable layers are tar, tar+gzip and tar+zstd' });
}

/** Runs a Node transform over an async byte stream, cleaning up on early exit. */
async function* throughTransform(source: AsyncIterable<Uint8Array>, transform: Transform): AsyncGenerator<Uint8Array> {
  const input = Readable.from(source, { objectMode: false, highWaterMark: 1 << 16 });
  pipeline(input, transform, () => undefined);
  try {
    for await (const chunk of transform) yield chunk as Uint8Array;
  } finally {
    input.destroy();
    transform.destroy();
  }
}

/**
 * Streams zstd decompression with fzstd (pure JavaScript; Node 20's zlib has no
 * zstd). Limit: back-references up to 32 MiB, enough for every level below 20.
 */
async function* zstdDecompress(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const decoder = new ZstdDecompress((chunk) => {
    out.push(chunk);
  });
  for await (const chunk of source) {
    decoder.push(chunk);
    while (out.length) yield out.shift() as Uint8Array;
  }
  decoder.push(new Uint8Array(0), true);
  while (out.length) yield out.shift() as Uint8Array;
}

/**
 * Output chunk size of gzip decompression. zlib's default (16 KiB) makes
 * inflating three times slower: every chunk is a round trip to the thread pool.
 */
const GUNZIP_CHUNK_SIZE = 1 << 20;

/** Decompresses a layer stream. */
export function decompress(source: AsyncIterable<Uint8Array>, compression: LayerCompression): AsyncIterable<Uint8Array> {
  if (compression === 'gzip') return throughTransform(source, createGunzip({ chunkSize: GUNZIP_CHUNK_SIZE }));
  if (compression === 'zstd') return zstdDecompress(source);
  return source;
}

/** Default gzip level for layers we write (gzip's own default). */
export const DEFAULT_GZIP_LEVEL = 6;

/**
 * Compresses a layer stream. gzip output is deterministic for one zlib
 * version (header mtime 0, no name); never expect a re-compression by another
 * tool or zlib to reproduce a digest.
 */
export function compress(
  source: AsyncIterable<Uint8Array>,
  compression: 'none' | 'gzip',
  level = DEFAULT_GZIP_LEVEL,
): AsyncIterable<Uint8Array> {
  if (compression === 'gzip') return throughTransform(source, createGzip({ level }));
  return source;
}
