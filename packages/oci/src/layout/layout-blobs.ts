import { randomBytes } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncDirectory } from '@metalayer/core/node';
import { BlobNotFoundError, ManifestFormatError } from '../errors/index';
import { digestProblem, hashStream, splitDigest, verifyStream } from '../digest';
import type { BlobInfo, OpenBlobOptions, PutBlobOptions } from '@metalayer/core';
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

/**
 * Reads a file chunk by chunk with `FileHandle.read` into a fresh buffer each
 * time (consumers may keep chunks). Half the CPU of `createReadStream` at the
 * same chunk size: no stream machinery per chunk.
 */
async function* readFileStream(path: string, location: string, digest: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError({ digest, location, cause: error });
    throw error;
  }
  // One read ahead: the next chunk is read (in libuv's thread pool) while the consumer works on this one.
  const next = () => {
    // Uninitialised memory is fine: only the bytes read are handed out.
    const buffer = Buffer.allocUnsafeSlow(READ_CHUNK);
    return handle.read(buffer, 0, READ_CHUNK, null).then(({ bytesRead }) => buffer.subarray(0, bytesRead));
  };
  let pending = next();
  try {
    for (;;) {
      const chunk = await pending;
      if (chunk.length === 0) return;
      signal?.throwIfAborted();
      pending = next();
      yield chunk;
    }
  } finally {
    await pending.catch(() => undefined);
    await handle.close();
  }
}

/** Streams a layout blob, verified against `descriptor`. */
export function openLayoutBlob(
  root: string,
  location: string,
  descriptor: BlobInfo,
  signal?: AbortSignal,
  options: OpenBlobOptions = {},
): AsyncGenerator<Uint8Array> {
  const path = blobPath(root, descriptor.digest);
  return verifyStream(
    readFileStream(path, location, descriptor.digest, signal),
    descriptor,
    `${location}: blob ${descriptor.digest}`,
    options.hasher,
  );
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
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
    const source: AsyncIterable<Uint8Array> =
      content instanceof Uint8Array
        ? (async function* () {
            yield content;
          })()
        : content;
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
