import { open } from 'node:fs/promises';
import { type FsVerityAlgorithm } from './fsverity-algorithm';
import { FsVerityHasher } from './fsverity-hasher';

/** Read size of {@link fsverityDigestFile}: large enough to amortise syscalls, small enough to keep memory flat. */
const FILE_READ_CHUNK = 1 << 20;

/** Options of the streaming fs-verity helpers. */
export interface FsVerityStreamOptions {
  signal?: AbortSignal;
}

/** fs-verity digest of a stream of chunks (for example a `Readable` or a fetch body). */
export async function fsverityDigestStream(
  source: AsyncIterable<Uint8Array>,
  algorithm: FsVerityAlgorithm = 'sha256',
  options: FsVerityStreamOptions = {},
): Promise<Uint8Array> {
  const hasher = new FsVerityHasher(algorithm);
  for await (const chunk of source) {
    options.signal?.throwIfAborted();
    hasher.update(chunk);
  }
  return hasher.digest();
}

/**
 * fs-verity digest of a file, read sequentially through two reused buffers:
 * memory stays at 2 × {@link FILE_READ_CHUNK} whatever the file size.
 */
export async function fsverityDigestFile(
  path: string,
  algorithm: FsVerityAlgorithm = 'sha256',
  options: FsVerityStreamOptions = {},
): Promise<Uint8Array> {
  const hasher = new FsVerityHasher(algorithm);
  const handle = await open(path, 'r');
  try {
    // Two buffers: the next read runs on the libuv pool while this thread hashes.
    const buffers = [new Uint8Array(FILE_READ_CHUNK), new Uint8Array(FILE_READ_CHUNK)] as const;
    let index = 0;
    let reading = handle.read(buffers[0], 0, FILE_READ_CHUNK, null);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      options.signal?.throwIfAborted();
      const current = buffers[index]!;
      index ^= 1;
      reading = handle.read(buffers[index]!, 0, FILE_READ_CHUNK, null);
      hasher.update(current.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hasher.digest();
}
