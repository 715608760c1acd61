import { randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncDirectory } from '@metalayer/core/node';
import { BlobNotFoundError, ManifestFormatError } from '../errors/index';
import { digestProblem, hashStream, splitDigest, verifyStream } from '../digest';
import type { BlobInfo, PutBlobOptions } from '@metalayer/core';
import { BLOBS_DIR, INGEST_DIR } from './layout-index';

/** Read size for blob streams: large enough to keep syscalls cheap, small enough to keep memory flat. */
const READ_CHUNK = 1024 * 1024;

/** `blobs/<alg>/<hex>` for a digest, refusing anything that is not a valid digest (no path tricks). */
export function blobPath(root: string, digest: string): string {
  const problem = digestProblem(digest);
  if (problem) throw new ManifestFormatError({ subject: `blob name in ${root}`, reason: problem });
  const { algorithm, encoded } = splitDigest(digest);
  return join(root, BLOBS_DIR, algorithm, encoded);
}

/** Size of a stored blob, or undefined. */
export async function statLayoutBlob(root: string, digest: string): Promise<number | undefined> {
  try {
    const s = await stat(blobPath(root, digest));
    return s.isFile() ? s.size : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function* readFileStream(path: string, location: string, digest: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK, signal });
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError({ digest, location, cause: error });
    throw error;
  } finally {
    stream.destroy();
  }
}

/** Streams a layout blob, verified against `descriptor`. */
export function openLayoutBlob(root: string, location: string, descriptor: BlobInfo, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const path = blobPath(root, descriptor.digest);
  return verifyStream(readFileStream(path, location, descriptor.digest, signal), descriptor, `${location}: blob ${descriptor.digest}`);
}

async function writeAll(handle: import('node:fs/promises').FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

/**
 * Writes a blob atomically: into `ingest/<random>` while hashing (and
 * verifying `expected`), fsync, rename to `blobs/<alg>/<hex>`, fsync the
 * directory. On any failure the temp file is removed and `blobs/` is untouched.
 */
export async function writeLayoutBlob(
  root: string,
  location: string,
  content: Uint8Array | AsyncIterable<Uint8Array>,
  options: PutBlobOptions = {},
): Promise<BlobInfo> {
  const { expected, onProgress, signal } = options;
  if (expected && (await statLayoutBlob(root, expected.digest)) === expected.size) return { ...expected };
  const ingest = join(root, INGEST_DIR);
  await mkdir(ingest, { recursive: true });
  const temp = join(ingest, randomBytes(12).toString('hex'));
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  let closed = false;
  try {
    const source: AsyncIterable<Uint8Array> = content instanceof Uint8Array ? (async function* () { yield content; })() : content;
    const algorithm = expected ? splitDigest(expected.digest).algorithm : 'sha256';
    const hashed = hashStream(expected ? verifyStream(source, expected, `${location}: new blob ${expected.digest}`) : source, algorithm);
    for await (const chunk of hashed.stream) {
      signal?.throwIfAborted();
      await writeAll(handle, chunk);
      onProgress?.(hashed.result.size);
    }
    await handle.sync();
    closed = true;
    await handle.close();
    const info = { digest: hashed.result.digest(), size: hashed.result.size };
    const final = blobPath(root, info.digest);
    await mkdir(dirname(final), { recursive: true });
    await rename(temp, final);
    await fsyncDirectory(dirname(final));
    return info;
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}
